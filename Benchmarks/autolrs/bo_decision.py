#!/usr/bin/env python3
"""One Bayesian-optimisation decision of AutoLRS: Pace's C library vs
scikit-optimize on the same points.

A decision fits the Gaussian process (Matern 5/2 x constant + noise, its
hyper-parameters by marginal likelihood) to the n (log LR, forecast loss)
points of a stage's trials and minimises the lower confidence bound (kappa
1e6, as the AutoLRS reference) over the log-LR range.

- Pace: the pace_autolrs_next call (through pace.tune.AutoLRS.next) that
  hands out trial n+1 of a stage, timed alone: the tuner is loaded from the
  state saved just before it, so nothing else is timed (the report() before
  it, which fits the trial's loss forecast, is timed separately).
- scikit-optimize: ``Optimizer([Real(min_lr, max_lr, "log-uniform")], "GP",
  n_initial_points=1, acq_func="LCB", acq_func_kwargs={"kappa": 1e6})``, the
  reference's call, told the first n - 1 points untimed, then timed:
  ``tell`` of point n (it refits the GP and optimises the acquisition) and
  ``ask``. The points are the LRs Pace tried and Pace's forecasts for them.

    pip install scikit-optimize
    python3 Benchmarks/autolrs/bo_decision.py                 # n = 2, 5, 10 (about a minute)
    python3 Benchmarks/autolrs/bo_decision.py --points 10 --repeat 50

Both run with one BLAS thread (OPENBLAS_NUM_THREADS=1 unless set).
Prints the median and minimum time of each and the ratios scikit-optimize / Pace.
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import time
from pathlib import Path

# One BLAS thread for both sides (Pace's Cholesky and scikit-learn's GP both
# go through OpenBLAS; the matrices are tiny, threads only add waiting).
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bindings" / "python"))

import pace  # noqa: E402
import pace.tune  # noqa: E402

MIN_LR, MAX_LR, BEST_LR = 1e-4, 1e-1, 3e-3
TRIAL_STEPS = 32


def trial_losses(lr, rng, start=5.0, steps=TRIAL_STEPS):
    """A trial's training losses on a synthetic surface: exponential
    relaxation towards a floor that is lowest at BEST_LR, plus noise."""
    floor = 1.0 + 0.5 * math.log10(lr / BEST_LR) ** 2
    t = np.arange(1, steps + 1)
    return floor + (start - floor) * np.exp(-0.02 * t) + 0.005 * rng.standard_normal(steps)


def pace_decision(n, repeat):
    """(points, seconds of each timed next(), seconds of each report())."""
    config = {"min_lr": MIN_LR, "max_lr": MAX_LR, "total_steps": 10**6, "tau": 1000, "tau_prime": TRIAL_STEPS,
              "candidates": n + 1, "tau_max": 8000, "seed": 0}
    rng = np.random.default_rng(0)
    t = pace.tune.AutoLRS(config)
    assert t.next() == {"action": "checkpoint"}
    lrs = []
    report_times = []
    while True:
        a = t.next()
        if a["action"] == "restore":
            continue
        lrs.append(a["lr"])
        if len(lrs) == n + 1:
            break
        losses = trial_losses(a["lr"], rng)
        if len(lrs) == n:  # the report that completes trial n: its forecast fit, timed on copies
            blob = t.save()
            for _ in range(repeat):
                u = pace.tune.AutoLRS.load(blob)
                started = time.perf_counter()
                u.report(losses)
                report_times.append(time.perf_counter() - started)
                u.close()
        t.report(losses)
        if len(lrs) == n:
            assert t.next() == {"action": "restore"}
            before = t.save()  # the state just before the decision
    times = []
    for _ in range(repeat):
        u = pace.tune.AutoLRS.load(before)
        started = time.perf_counter()
        a = u.next()
        times.append(time.perf_counter() - started)
        assert a["action"] == "train" and a["lr"] == lrs[n]
        u.close()
    # the forecasts of the n points: finish the stage and read its history
    t.report(trial_losses(lrs[n], rng))
    while t.next()["action"] != "train" or not t.history:
        pass
    stage = t.history[0]
    t.close()
    forecasts = stage["forecasts"][:n]
    return list(zip(stage["lrs"][:n], forecasts)), times, report_times


def skopt_decision(points, repeat):
    from skopt import Optimizer
    from skopt.space import Real

    times = []
    for _ in range(repeat):
        opt = Optimizer([Real(MIN_LR, MAX_LR, "log-uniform")], "GP", n_initial_points=1, acq_func="LCB",
                        acq_func_kwargs={"kappa": 1e6}, random_state=0)
        if len(points) > 1:
            opt.tell([[x] for x, _ in points[:-1]], [y for _, y in points[:-1]])
        x, y = points[-1]
        started = time.perf_counter()
        opt.tell([x], y)
        opt.ask()
        times.append(time.perf_counter() - started)
    return times


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--points", default="2,5,10", help="comma-separated n (points the GP is fitted to)")
    ap.add_argument("--repeat", type=int, default=200, help="timed Pace decisions per n")
    ap.add_argument("--skopt-repeat", type=int, default=10, help="timed scikit-optimize decisions per n")
    args = ap.parse_args(argv)
    try:
        import skopt
    except ImportError:
        print("scikit-optimize is not installed (pip install scikit-optimize)")
        return 1
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name"))
    except (OSError, StopIteration):
        cpu = "?"
    print("CPU: %s; %s; scikit-optimize %s, numpy %s" % (cpu, pace.build_info(), skopt.__version__, np.__version__))
    print("load average before: %s" % " ".join("%.1f" % x for x in os.getloadavg()))
    print("%3s  %-22s  %-22s  %-24s  %-18s" % ("n", "pace next() ms", "pace report() ms", "skopt tell+ask ms",
                                               "skopt/pace"))
    print("%3s  %-22s  %-22s  %-24s  %-18s" % ("", "median / min", "median / min", "median / min", "median / min"))
    for n in [int(v) for v in args.points.split(",") if v]:
        if not 1 <= n <= 99:
            ap.error("each n must be in [1, 99]")
        points, times, report_times = pace_decision(n, args.repeat)
        sk = skopt_decision(points, args.skopt_repeat)
        ours = (statistics.median(times), min(times))
        theirs = (statistics.median(sk), min(sk))
        print("%3d  %9.4f / %-10.4f  %9.4f / %-10.4f  %10.2f / %-11.2f  %6.0fx / %.0fx" % (
            n, ours[0] * 1e3, ours[1] * 1e3, statistics.median(report_times) * 1e3, min(report_times) * 1e3,
            theirs[0] * 1e3, theirs[1] * 1e3, theirs[0] / ours[0], theirs[1] / ours[1]))
    print("(Pace over %d decisions, scikit-optimize over %d; on a loaded machine the minimum is the "
          "better estimate of the work, the median includes time the process waited for a core)"
          % (args.repeat, args.skopt_repeat))
    return 0


if __name__ == "__main__":
    sys.exit(main())
