#!/usr/bin/env bash
# CTest `k8s_validate`: for every manifest in shared/data/manifests, places it
# on examples/infra-3zones.yaml (`ecotone place`), emits its Kubernetes
# objects (`ecotone emit k8s`, with one isolation NetworkPolicy each), merges
# every partial object into the user's object with `kubectl patch --local
# --type strategic`, and validates all complete objects, the merged ones and
# deploy/rbac.yaml offline against the official schemas (validate.mjs).
# Usage: run.sh ECOTONE_BIN SHARED_DATA SOURCE_DIR WORK_DIR
set -euo pipefail
bin=$1 data=$2/manifests src=$3 work=$4
here=$(cd "$(dirname "$0")" && pwd)
if [ ! -d "$here/node_modules" ]; then
  echo "tests/k8s-validate/node_modules is missing: run scripts/install-deps.sh --test" >&2
  exit 1
fi
rm -rf "$work" && mkdir -p "$work"
infra=$src/examples/infra-3zones.yaml
checked=()
# name | manifest files (relative to shared/data/manifests; SRC/ = the
# source tree) | isolate spec. The last two have components with several
# replicas, so their plans have several zone groups per component.
sets=(
  "nginx-flask-mysql|awesome-compose-nginx-flask-mysql/compose.yaml|db:backend"
  "react-express-mongodb|awesome-compose-react-express-mongodb/compose.yaml|mongo:backend"
  "wasmedge-kafka-mysql|awesome-compose-wasmedge-kafka-mysql/compose.yml|db:etl"
  "hotelreservation|deathstarbench-hotelreservation/docker-compose.yml|mongodb-geo:geo"
  "socialnetwork|deathstarbench-socialnetwork/docker-compose.yml|user-mongodb:user-service"
  "eshoponcontainers|eshoponcontainers/docker-compose.yml eshoponcontainers/docker-compose.override.yml|sqldata:catalog-api,ordering-api,identity-api"
  "example-voting-app|example-voting-app/docker-compose.yml|db:worker,result"
  "online-boutique|online-boutique/kubernetes-manifests.yaml|redis-cart:cartservice"
  "teastore-compose|teastore/docker-compose_default.yaml|db:persistence"
  "teastore-k8s|teastore/teastore-clusterip.yaml|teastore-db:teastore-persistence"
  "train-ticket-compose|train-ticket/docker-compose.yml|ts-user-mongo:ts-user-service"
  "train-ticket-k8s|train-ticket/quickstart-ts-deployment-part1.yml train-ticket/quickstart-ts-deployment-part2.yml train-ticket/quickstart-ts-deployment-part3.yml|ts-user-mongo:ts-user-service"
  "boutique-native|SRC/examples/boutique.yaml|redis-cart:cartservice"
  "k8s-features|SRC/testdata/kubernetes/features.yaml|postgres-main:api"
)
for s in "${sets[@]}"; do
  IFS='|' read -r name files isolate <<<"$s"
  args=() paths=()
  for f in $files; do
    case $f in SRC/*) f=$src/${f#SRC/} ;; *) f=$data/$f ;; esac
    args+=(--manifest "$f"); paths+=("$f")
  done
  "$bin" place "${args[@]}" --infra "$infra" --output json --solver heuristic \
    --iterations 3000 --seed 3 >"$work/$name.plan.json"
  extra=()
  if [ "$name" = boutique-native ]; then
    # A forecast's replica schedule for the HPA bounds and annotation.
    "$bin" scale "${args[@]}" --history "$src/examples/traces/nyc_taxi.csv" \
      --component frontend --horizon 48 --output json >"$work/$name.schedule.json"
    extra=(--schedule "$work/$name.schedule.json")
  fi
  "$bin" emit k8s "${args[@]}" --plan "$work/$name.plan.json" --infra "$infra" \
    --isolate "$isolate" --out "$work/$name" "${extra[@]}" >/dev/null 2>"$work/$name.stderr"
  n=$(find "$work/$name" -name '*.yaml' | wc -l)
  [ "$n" -gt 0 ] || { echo "$name: nothing emitted" >&2; exit 1; }
  checked+=("$work/$name")
  if [ -n "$(ls -A "$work/$name/patches")" ]; then
    node "$here/originals.mjs" "$work/$name/patches" "$work/$name.orig" "${paths[@]}"
    mkdir -p "$work/$name.merged"
    for p in "$work/$name/patches"/*.yaml; do
      b=$(basename "$p")
      kubectl patch --local -f "$work/$name.orig/$b" --type strategic \
        --patch "$(cat "$p")" -o yaml >"$work/$name.merged/$b"
    done
    checked+=("$work/$name.merged")
  fi
  echo "$name: $n files"
done
# validate.mjs searches directories recursively: leave the partial objects out.
files=()
for d in "${checked[@]}"; do
  while IFS= read -r f; do files+=("$f"); done < <(find "$d" -name '*.yaml' -not -path '*/patches/*' | sort)
done
files+=("$src/deploy/rbac.yaml")
node "$here/validate.mjs" "${files[@]}" >"$work/validate.log" || {
  grep -v ': OK$' "$work/validate.log"; exit 1; }
grep -v ': OK$' "$work/validate.log"
