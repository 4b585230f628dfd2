"""Paired comparison of auto against every other model of a
bench/forecast_bench.sh run, per trace: is a difference in MASE a systematic
one or the noise of a few origins? And is auto's q0.95 coverage outside
93-97 % by more than that noise?

Input: the files of `forecast_bench --dump DIR` and of the side-by-side runs
on it: DIR/<trace>.txt (header "# h origins first step ...") and
DIR/<trace>.<source>.scores, lines "model origin mase cov95" (ecotone's
models, R's snaive/stlf, statsmodels' hw).

MASE: the Diebold-Mariano test (Diebold & Mariano 1995) on the per-origin
MASE differences d_k = MASE_auto(o_k) - MASE_other(o_k), with the small-sample
correction of Harvey, Leybourne & Newbold (1997) and Student-t(n - 1) p-values.
Neighbouring origins' forecast windows overlap when step < h, so the variance
of the mean difference counts the autocovariances up to lag ceil(h/step) - 1
(the DM "h-step" variance). p < 0.05 is "auto better" or "auto worse", else
"no significant difference".

Coverage: the mean of auto's per-origin q0.95 coverage with the same variance
(the origin is the unit: the h points of one origin are strongly
correlated), a 95 % t interval, and whether it lies entirely below or above
93-97 %. The variance is at least the binomial one of n*h independent points
at the nearest edge of the band, p(1 - p)/(n h): positive correlation within
an origin only adds to it, and n origins that all cover every point (an
empirical variance of 0) are no proof that the true coverage exceeds 97 %.

With fewer than 3 origins nothing is tested ("n/a").
Usage: /usr/bin/python3 bench/forecast_compare.py DIR
"""
import glob
import math
import os
import sys

import numpy as np
from scipy import stats

TARGETS = {("ecotone", "snaive_w"), ("ecotone", "snaive_d"), ("R", "snaive"),
           ("R", "stlf"), ("statsmodels", "hw")}
LOW, HIGH = 0.93, 0.97


def autocovariances(x, lags):
    """gamma_0..gamma_lags of x (mean-centred, divided by n, as R's acf)."""
    n = len(x)
    e = x - x.mean()
    return [float(e[j:] @ e[:n - j]) / n for j in range(min(lags, n - 1) + 1)]


def mean_variance(x, lags):
    """Variance of the mean of x counting autocovariances up to `lags`
    (rectangular weights, as Diebold-Mariano; the lag-0 variance alone if
    that is not positive, as R's forecast::dm.test falls back to h = 1)."""
    gam = autocovariances(x, lags)
    v = gam[0] + 2 * sum(gam[1:])
    return (v if v > 0 else gam[0]) / len(x)


def dm_test(d, hh):
    """Harvey-Leybourne-Newbold corrected DM statistic and two-sided p, as
    R's forecast::dm.test(e1, e2, h = hh, power = 1) on d = |e1| - |e2|."""
    n = len(d)
    gam = autocovariances(d, hh - 1)
    v = gam[0] + 2 * sum(gam[1:])
    if v <= 0:
        hh, v = 1, gam[0]  # dm.test's fallback: "Variance is negative, using h = 1"
    v /= n
    if v == 0:
        return (0.0, 1.0) if d.mean() == 0 else (math.copysign(math.inf, d.mean()), 0.0)
    dm = d.mean() / math.sqrt(v)
    corr = (n + 1 - 2 * hh + hh * (hh - 1) / n) / n
    dm *= math.sqrt(max(corr, 0.0))
    return dm, 2 * stats.t.sf(abs(dm), n - 1)


def read_scores(path):
    out = {}
    with open(path) as f:
        for line in f:
            model, origin, mase, cov = line.split()
            out.setdefault(model, {})[int(origin)] = (float(mase), float(cov))
    return out


def main(directory):
    worse_targets, cov_misses, traces = [], [], 0
    for txt in sorted(glob.glob(os.path.join(directory, "*.txt"))):
        stem = txt[:-4]
        name = os.path.basename(stem)
        with open(txt) as f:
            h, origins, first, step = [int(v) for v in f.readline()[2:].split()[:4]]
        hh = max(1, math.ceil(h / step))
        runs = {}
        for path in sorted(glob.glob(stem + ".*.scores")):
            source = path[len(stem) + 1:-len(".scores")]
            for model, per in read_scores(path).items():
                runs[(source, model)] = per
        auto = runs.get(("ecotone", "auto"))
        if not auto:
            continue
        traces += 1
        print(f"== {name} ({len(auto)} origins every {step}, h {h}; "
              f"overlap lags {hh - 1})")
        if len(auto) < 3:
            print("  n/a: fewer than 3 origins, nothing tested")
            continue
        for key in sorted(runs):
            if key == ("ecotone", "auto"):
                continue
            per = runs[key]
            common = sorted(set(auto) & set(per))
            if len(common) < 3:
                continue
            a = np.array([auto[o][0] for o in common])
            b = np.array([per[o][0] for o in common])
            dm, p = dm_test(a - b, hh)
            if p < 0.05:
                verdict = "auto better" if a.mean() < b.mean() else "AUTO WORSE"
            else:
                verdict = "no significant difference"
            if verdict == "AUTO WORSE" and key in TARGETS:
                worse_targets.append(f"{name} vs {key[0]} {key[1]}")
            print(f"  vs {key[0]:11s} {key[1]:10s} MASE {a.mean():7.3f} vs "
                  f"{b.mean():7.3f} ({100 * (a.mean() / b.mean() - 1):+6.1f} %)"
                  f"  DM {dm:+6.2f}  p {p:.3f}  {verdict}")
        c = np.array([auto[o][1] for o in sorted(auto)])
        edge = LOW if c.mean() < (LOW + HIGH) / 2 else HIGH
        se = math.sqrt(max(mean_variance(c, hh - 1),
                           edge * (1 - edge) / (len(c) * h)))
        half = stats.t.ppf(0.975, len(c) - 1) * se
        lo, hi = c.mean() - half, c.mean() + half
        if hi < LOW:
            verdict = "BELOW 93-97 %"
        elif lo > HIGH:
            verdict = "ABOVE 93-97 %"
        elif LOW <= c.mean() <= HIGH:
            verdict = "in 93-97 %"
        else:
            verdict = "outside 93-97 %, not significantly"
        if verdict.startswith(("BELOW", "ABOVE")):
            cov_misses.append(name)
        print(f"  auto q0.95 coverage {c.mean():.3f}, 95 % interval "
              f"[{lo:.3f}, {hi:.3f}]  {verdict}")
    print(f"summary: {traces} traces; auto significantly worse (p < 0.05) "
          f"than a seasonal naive, R stlf or statsmodels hw: "
          f"{', '.join(worse_targets) or 'none'}; q0.95 coverage "
          f"significantly outside 93-97 %: {', '.join(cov_misses) or 'none'}")


if __name__ == "__main__":
    main(sys.argv[1])
