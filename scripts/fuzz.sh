#!/usr/bin/env bash
# libFuzzer targets (clang, ASan+UBSan) in build-fuzz/.
#   scripts/fuzz.sh smoke          every target for a few seconds (part of the tests)
#   scripts/fuzz.sh run TARGET S   one target for S seconds with its corpus
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc 2>/dev/null || echo 2)
cmake -S . -B build-fuzz -G Ninja -DECOTONE_FUZZ=ON -DCMAKE_CXX_COMPILER=clang++ \
  -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=Debug >/dev/null
cmake --build build-fuzz -j "$jobs"
mode=${1:-smoke}
if [ "$mode" = smoke ]; then
  secs=${FUZZ_SMOKE_SECONDS:-10}
  fail=0; n=0
  for t in build-fuzz/fuzz/*_fuzz; do
    name=$(basename "$t")
    corpus=$(mktemp -d)
    [ -d "fuzz/corpus/$name" ] && cp -r "fuzz/corpus/$name/." "$corpus/" 2>/dev/null || true
    fuzz/seed.sh "$name" "$corpus" || true
    if "$t" -max_total_time="$secs" -rss_limit_mb=2048 -timeout=10 -print_final_stats=0 \
        -artifact_prefix="build-fuzz/$name-" "$corpus" >"build-fuzz/$name.log" 2>&1; then
      echo "fuzz $name: ok"; n=$((n+1))
    else
      echo "fuzz $name: FAILED"; tail -40 "build-fuzz/$name.log"; fail=$((fail+1))
    fi
    rm -rf "$corpus"
  done
  echo "fuzz-smoke: $n passed, $fail failed"
  [ $fail = 0 ]
else
  name=$2; secs=${3:-300}
  mkdir -p "fuzz/corpus/$name"
  fuzz/seed.sh "$name" "fuzz/corpus/$name" || true
  exec "build-fuzz/fuzz/$name" -max_total_time="$secs" -rss_limit_mb=2048 -timeout=10 \
    -artifact_prefix="build-fuzz/$name-" "fuzz/corpus/$name"
fi
