#!/usr/bin/env bash
# Every test: install what is missing, build, a short libFuzzer smoke run per
# reader of outside input, then the unit and integration tests (CTest, in
# parallel; its summary is the last thing printed).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh --test
scripts/build.sh
scripts/fuzz.sh smoke
jobs=$(nproc 2>/dev/null || echo 2)
cd build && ctest --output-on-failure -j "$jobs" --timeout 900
