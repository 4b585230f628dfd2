# Side-by-side baselines for bench/forecast_bench.sh: R forecast's snaive and
# stlf on exactly the series and protocol forecast_bench used (files written
# by `forecast_bench --dump DIR`: "# h origins first step mase_period
# seasons...", then one value per line). Prints one line per trace and model:
# MASE (in-sample seasonal-naive scale with period mase_period), sMAPE,
# coverage of the 90% upper bound (= q0.95 of a symmetric 90% interval) and
# CPU seconds per fit+forecast. Each origin's MASE and coverage go to
# DIR/<trace>.R.scores ("model origin mase cov95") for
# bench/forecast_compare.py.
# Usage: Rscript bench/forecast_baselines.R DIR
suppressMessages(library(forecast))
dir <- commandArgs(trailingOnly = TRUE)[1]
for (file in sort(list.files(dir, pattern = "\\.txt$", full.names = TRUE))) {
  hdr <- as.numeric(strsplit(sub("^# ", "", readLines(file, n = 1)), " ")[[1]])
  h <- hdr[1]; origins <- hdr[2]; first <- hdr[3]; step <- hdr[4]
  m <- hdr[5]; seasons <- hdr[-(1:5)]
  y <- scan(file, comment.char = "#", quiet = TRUE)
  out <- file(sub("\\.txt$", ".R.scores", file), "w")
  for (method in c("snaive", "stlf")) {
    mase <- c(); smape <- c(); cov <- c(); cpu <- 0; ok <- TRUE
    for (k in 0:(origins - 1)) {
      o <- first + step * k
      tr <- y[1:o]; te <- y[(o + 1):(o + h)]
      scale <- mean(abs(diff(tr, lag = m)))
      s <- seasons[seasons * 2 < o]
      t0 <- proc.time()[["user.self"]]
      fc <- tryCatch({
        if (method == "snaive") {
          snaive(ts(tr, frequency = max(s)), h = h, level = 90)
        } else if (length(s) > 1) {
          stlf(msts(tr, seasonal.periods = s), h = h, level = 90)
        } else {
          stlf(ts(tr, frequency = s), h = h, level = 90)
        }
      }, error = function(e) NULL)
      cpu <- cpu + proc.time()[["user.self"]] - t0
      if (is.null(fc)) { ok <- FALSE; break }
      f <- as.numeric(fc$mean); up <- as.numeric(fc$upper[, 1])
      mase <- c(mase, mean(abs(te - f)) / scale)
      den <- abs(te) + abs(f)
      smape <- c(smape, mean(ifelse(den > 0, 200 * abs(te - f) / den, 0)))
      cov <- c(cov, mean(te <= up))
    }
    name <- sub("\\.txt$", "", basename(file))
    if (!ok) { cat(sprintf("R %-7s %-58s n/a\n", method, name)); next }
    writeLines(sprintf("%s %d %.17g %.17g", method,
                       first + step * (seq_along(mase) - 1), mase, cov), out)
    cat(sprintf("R %-7s %-58s MASE %6.3f  sMAPE %7.2f  cov95 %5.3f  cpu_s/fit %.4f\n",
                method, name, mean(mase), mean(smape), mean(cov), cpu / origins))
  }
  close(out)
}
