"""Side-by-side baseline for bench/forecast_bench.sh: statsmodels' additive
Holt-Winters (ExponentialSmoothing, one season: the longest with two cycles in
the training data, heuristic initialisation, parameters fitted by
statsmodels) on exactly the series and protocol forecast_bench used (files of
`forecast_bench --dump DIR`). Prints MASE, sMAPE and CPU seconds per fit, and
writes each origin's MASE to DIR/<trace>.statsmodels.scores ("hw origin mase
nan") for bench/forecast_compare.py.
Usage: /usr/bin/python3 bench/forecast_baselines.py DIR
"""
import glob
import os
import sys
import time
import warnings

import numpy as np
from statsmodels.tsa.holtwinters import ExponentialSmoothing

warnings.filterwarnings("ignore")
for path in sorted(glob.glob(os.path.join(sys.argv[1], "*.txt"))):
    with open(path) as f:
        hdr = [int(v) for v in f.readline()[2:].split()]
        y = np.array([float(v) for v in f])
    h, origins, first, step, m = hdr[:5]
    seasons = hdr[5:]
    mase, smape, cpu = [], [], 0.0
    for k in range(origins):
        o = first + step * k
        tr, te = y[:o], y[o:o + h]
        scale = np.mean(np.abs(tr[m:] - tr[:-m]))
        s = max(p for p in seasons if 2 * p < o)
        t0 = time.process_time()
        fit = ExponentialSmoothing(tr, seasonal="add", seasonal_periods=s,
                                   initialization_method="heuristic").fit()
        fc = fit.forecast(h)
        cpu += time.process_time() - t0
        mase.append(np.mean(np.abs(te - fc)) / scale)
        den = np.abs(te) + np.abs(fc)
        smape.append(np.mean(np.where(den > 0, 200 * np.abs(te - fc) / np.where(den > 0, den, 1), 0)))
    with open(path[:-4] + ".statsmodels.scores", "w") as out:
        for k, v in enumerate(mase):
            out.write(f"hw {first + step * k} {v!r} nan\n")
    name = os.path.basename(path)[:-4]
    print(f"statsmodels hw  {name:58s} MASE {np.mean(mase):6.3f}  sMAPE {np.mean(smape):7.2f}  cpu_s/fit {cpu / origins:.4f}")
