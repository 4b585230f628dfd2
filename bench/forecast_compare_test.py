"""Test of bench/forecast_compare.py (ctest forecast_compare):
1. its Diebold-Mariano test reproduces R forecast 8.20's
   dm.test(e1, e2, h, power = 1) (statistic and p-value, values recorded from
   R on these vectors), including dm.test's fallback to h = 1 when the
   variance is negative;
2. on scores files it names a significant loss and a significant coverage
   miss in its summary, and leaves a noisy one and a 2-origin trace alone;
3. given FORECAST_BENCH (argv[1]), the real chain: `forecast_bench --only
   nab_rds --series 0 --dump DIR` writes DIR/<trace>.ecotone.scores and the
   comparison reads it.
Usage: /usr/bin/python3 bench/forecast_compare_test.py [FORECAST_BENCH]
"""
import io
import os
import subprocess
import sys
import tempfile
from contextlib import redirect_stdout

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import forecast_compare  # noqa: E402

failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


# 1. Against R's dm.test.
CASES = [
    (2, [0.834, 0.669, 0.573, 0.873, 0.554, 1.191, 0.903, 0.815, 0.232, 0.12, 0.254, 0.939],
     [0.179, 0.607, 0.658, 1.007, 0.195, 1.148, 0.709, 0.672, 0.65, 0.022, 0.344, 1.304],
     0.429129, 0.676113),
    (3, [0.511, 0.907, 0.266, 2.054, 1.52, 0.484, 1.429, 0.882, 0.717, 0.791, 2.149, 0.971,
         0.918, 0.513, 1.559, 0.238, 1.325, 0.569, 1.937, 0.639],
     [0.536, 1.464, 0.238, 2.063, 1.726, 0.548, 1.47, 0.648, 0.814, 0.758, 2.599, 1.267,
      1.011, 0.814, 1.557, 0.654, 1.423, 0.844, 1.65, 0.843],
     -2.662937, 0.015368),
    (1, [0.652, 0.944, 0.403, 0.973, 0.725, 1.374, 0.328, 0.856],
     [0.83, 0.787, 0.795, 1.131, 0.852, 1.297, 0.392, 0.357],
     -0.244642, 0.813750),
    # Alternating differences: negative lag-1 variance, dm.test uses h = 1.
    (2, [1.5, 1.0, 1.7, 1.0, 1.6, 1.0, 1.8, 1.0], [1.0, 1.6, 1.0, 1.4, 1.0, 1.5, 1.0, 1.3],
     0.471405, 0.651691),
]
for hh, a, b, dm_r, p_r in CASES:
    dm, p = forecast_compare.dm_test(np.array(a) - np.array(b), hh)
    check(abs(dm - dm_r) < 1e-5 and abs(p - p_r) < 1e-5,
          f"dm_test h={hh} n={len(a)}: {dm:.6f} {p:.6f}, R {dm_r} {p_r}")

# 2. Scores files.
with tempfile.TemporaryDirectory() as d:
    rng = np.random.default_rng(3)

    def trace(name, origins, h, step, rows):
        with open(os.path.join(d, name + ".txt"), "w") as f:
            f.write(f"# {h} {origins} 100 {step} 336 48 336\n1\n")
        with open(os.path.join(d, name + ".ecotone.scores"), "w") as f:
            for model, origin, mase, cov in rows:
                f.write(f"{model} {origin} {mase!r} {cov!r}\n")

    # "loss": auto 0.2 worse than snaive_w at all 10 origins (noise 0.02);
    # coverage 1.0 everywhere (10 * 48 points: significantly above 97 %).
    base = rng.uniform(0.5, 1.5, 10)
    rows = [("snaive_w", 100 + 96 * k, base[k], 0.9) for k in range(10)]
    rows += [("auto", 100 + 96 * k, base[k] + 0.2 + rng.normal(0, 0.02), 1.0)
             for k in range(10)]
    trace("loss", 10, 48, 96, rows)
    # "noisy": auto and snaive_w differ by pure noise; coverage 0.95 +- 0.05.
    rows = [("snaive_w", 100 + 24 * k, base[k], 0.9) for k in range(10)]
    rows += [("auto", 100 + 24 * k, base[k] + rng.normal(0, 0.3),
              0.95 + rng.uniform(-0.05, 0.05)) for k in range(10)]
    trace("noisy", 10, 48, 24, rows)
    # "short": 2 origins, not tested.
    trace("short", 2, 48, 96, [("auto", 100, 9.0, 0.0), ("snaive_w", 100, 1.0, 0.0),
                               ("auto", 196, 9.0, 0.0), ("snaive_w", 196, 1.0, 0.0)])
    out = io.StringIO()
    with redirect_stdout(out):
        forecast_compare.main(d)
    text = out.getvalue()
    summary = text.strip().splitlines()[-1]
    check("significantly worse (p < 0.05) than a seasonal naive, R stlf or "
          "statsmodels hw: loss vs ecotone snaive_w;" in summary, summary)
    check(summary.endswith("outside 93-97 %: loss"), summary)
    check("n/a: fewer than 3 origins" in text, "short trace tested")
    check("overlap lags 1" in text, "noisy trace's overlap (step 24 < h 48)")

# 3. The real chain through forecast_bench --dump.
if len(sys.argv) > 1:
    with tempfile.TemporaryDirectory() as d:
        run = subprocess.run([sys.argv[1], "--only", "nab_rds", "--series", "0",
                              "--dump", d], capture_output=True, text=True)
        check(run.returncode == 0, "forecast_bench: " + run.stderr)
        scores = os.path.join(d, "nab_rds_cpu_utilization_cc0c53.ecotone.scores")
        check(os.path.exists(scores), "no " + scores)
        if os.path.exists(scores):
            models = {line.split()[0] for line in open(scores)}
            check({"auto", "snaive_d", "mstl"} <= models, f"models {models}")
            out = io.StringIO()
            with redirect_stdout(out):
                forecast_compare.main(d)
            text = out.getvalue()
            check("== nab_rds_cpu_utilization_cc0c53 (3 origins every 96, h 48" in text, text)
            check("vs ecotone     snaive_d" in text and "auto q0.95 coverage" in text, text)

print("forecast_compare_test:", "FAILED " + "; ".join(failures) if failures else "ok")
sys.exit(1 if failures else 0)
