#!/usr/bin/env bash
# The main job, end to end on the embedded default: install what is missing,
# build, then run Ecotone over the bundled examples: map the ecosystem, place
# it into three zones, forecast demand from a real trace.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
E=build/ecotone
run() {
  echo
  echo "== ecotone $*"
  set +e
  "$E" "$@"
  local rc=$?
  set -e
  # 0 = ok, 1 = problems found in the input (reported above); 2+ = failure.
  [ $rc -le 1 ] || exit $rc
}
run analyze examples/boutique.yaml
run analyze examples/compose/voting-app.yml
run diff examples/boutique.yaml examples/boutique-v2.yaml
run place --manifest examples/boutique.yaml --infra examples/infra-3zones.yaml
run forecast --history examples/traces/nyc_taxi.csv --horizon 48 --output text
run demo --out build/demo
