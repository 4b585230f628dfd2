#!/usr/bin/env bash
# The main job, end to end on the embedded default: install what is missing,
# build, then run Ecotone over the bundled examples.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
set +e
for f in examples/boutique.yaml; do
  echo "== ecotone analyze $f"
  build/ecotone analyze "$f"
  rc=$?
  [ $rc -le 1 ] || exit $rc
done
echo "== ecotone analyze examples/compose/voting-app.yml (Docker Compose import)"
build/ecotone analyze examples/compose/voting-app.yml
rc=$?; [ $rc -le 1 ] || exit $rc
exit 0
