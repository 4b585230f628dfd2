#!/bin/sh
# Runs the forecasting benchmark protocol (docs/forecast.md "Measured") over
# every trace in shared/data/traces, then the throughput run; if Rscript with
# the `forecast` package is installed, also runs R's snaive and stlf, and if
# /usr/bin/python3 has statsmodels, its Holt-Winters, on exactly the same
# series and origins, side by side (scripts/install-deps.sh --bench installs
# them). Last, bench/forecast_compare.py tests which of auto's differences
# from the other models, and which coverage misses, exceed the noise of the
# origins.
# Usage: bench/forecast_bench.sh [BUILD_DIR] [forecast_bench flags...]
set -eu
BUILD=${1:-build}
shift || true
HERE=$(dirname "$0")
DUMP=$(mktemp -d)
trap 'rm -rf "$DUMP"' EXIT
"$BUILD/bench/forecast_bench" --dump "$DUMP" "$@"
if command -v Rscript >/dev/null 2>&1 && Rscript -e 'library(forecast)' >/dev/null 2>&1; then
  Rscript "$HERE/forecast_baselines.R" "$DUMP"
else
  echo "(R with the forecast package not installed: no side-by-side R run)"
fi
if /usr/bin/python3 -c 'import statsmodels' >/dev/null 2>&1; then
  /usr/bin/python3 "$HERE/forecast_baselines.py" "$DUMP"
else
  echo "(python3-statsmodels not installed: no side-by-side statsmodels run)"
fi
# Which differences are more than the noise of the origins: paired tests of
# auto against every model above, and auto's coverage interval.
if /usr/bin/python3 -c 'import numpy, scipy' >/dev/null 2>&1; then
  /usr/bin/python3 "$HERE/forecast_compare.py" "$DUMP"
else
  echo "(python3-numpy / python3-scipy not installed: no paired comparison)"
fi
