#!/bin/sh
# Runs the forecasting benchmark protocol (docs/forecast.md) over every trace
# in shared/data/traces, then the throughput run; if Rscript with the
# `forecast` package is installed, also runs R's snaive and stlf on nyc_taxi
# with the same protocol, side by side.
# Usage: bench/forecast_bench.sh [BUILD_DIR] [--series N]
set -eu
BUILD=${1:-build}
shift || true
"$BUILD/bench/forecast_bench" "$@"
if command -v Rscript >/dev/null 2>&1 && Rscript -e 'library(forecast)' >/dev/null 2>&1; then
  DATA=$(dirname "$0")/../../shared/data/traces
  Rscript - "$DATA/nab_nyc_taxi.csv" <<'REOF'
library(forecast)
args <- commandArgs(trailingOnly = TRUE)
y <- read.csv(args[1])$value
y <- tail(y, 336 * 12)
h <- 48; m <- 336
for (method in c("snaive", "stlf")) {
  mase <- c(); t0 <- proc.time()[["user.self"]]
  for (k in 0:6) {
    o <- 3360 + 96 * k
    tr <- y[1:o]; te <- y[(o + 1):(o + h)]
    scale <- mean(abs(diff(tr, lag = m)))
    x <- msts(tr, seasonal.periods = c(48, 336))
    fc <- if (method == "snaive") snaive(ts(tr, frequency = m), h = h)$mean else stlf(x, h = h)$mean
    mase <- c(mase, mean(abs(te - fc)) / scale)
  }
  cat(sprintf("R %-8s nyc_taxi MASE %.3f  cpu s/fit %.3f\n", method, mean(mase),
              (proc.time()[["user.self"]] - t0) / 7))
}
REOF
else
  echo "(R with the forecast package not installed: no side-by-side R run)"
fi
