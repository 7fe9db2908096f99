#!/usr/bin/env python3
"""The played spec of a runtime: its size against the run's length, and what
evaluating it costs against evaluating a plain schedule.

A WSD run with three events (a set_total_steps stretch, a begin_decay
cooldown, a rewarm with a new peak) is stepped to 10^3 .. `--steps` steps;
the table gives the played spec's size at each length (it must not grow),
then fills of `--count` steps of the played spec (four `segment` phases)
against the same fill of the base schedule alone (a plain preset), and
against `Runtime.played_values` (the replay path) of the same steps. The
fills alternate round-robin; medians with min..max of `--repeat` runs; every
ratio is between medians of the same process run.

    python3 Benchmarks/python/bench_played_spec.py [--steps 1000000] [--count 10000000] [--repeat 5]
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bindings" / "python"))
import pace  # noqa: E402

BASE = {"preset": "wsd", "peak": 3e-4, "warmup_steps": 1000, "stable_steps": 10**8, "decay_steps": 10**6}


def eventful(steps: int, total: int) -> pace.Runtime:
    """The run stepped to `steps`, its three events at 10%, 40% and 70% of `total`."""
    rt = pace.Runtime({"channels": {"lr": BASE}})
    done = 0
    for at, event in ((total // 10, lambda: rt.set_total_steps(3 * total)),
                      (4 * total // 10, lambda: rt.begin_decay(total // 2, shape="sqrt", to=0.1)),
                      (7 * total // 10, lambda: rt.rewarm({"preset": "cosine", "peak": 1e-4, "warmup_steps": 100,
                                                           "total_steps": 10 * total}))):
        if at > steps:
            break
        for _ in range(at - done):
            rt.step(1.0)
        done = at
        event()
    for _ in range(steps - done):
        rt.step(1.0)
    return rt


def timed(fn, repeat: int):
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), min(times), max(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--steps", type=int, default=10**6)
    ap.add_argument("--count", type=int, default=10**7)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    print("CPU: %s; load %s; %s" % (next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?"),
                                    "%.1f %.1f %.1f" % os.getloadavg(), pace.build_info() if hasattr(pace, "build_info") else ""))
    print("\nplayed spec size against the run's length (events at 10%, 40%, 70% of it)")
    print("%12s %8s %12s" % ("steps", "events", "spec bytes"))
    for n in [n for n in (10**3, 10**4, 10**5) if n < args.steps] + [args.steps]:
        rt = eventful(n, n)
        print("%12d %8d %12d" % (n, len(rt.events()), len(rt.played_spec())))
    rt = eventful(args.steps, args.steps)
    played = rt.played_schedule()
    base = pace.Schedule(BASE)
    count = min(args.count, args.steps + 1)
    fns = {"played spec fill": lambda: played.values(0, count),
           "base preset fill": lambda: base.values(0, count),
           "played_values (replay)": lambda: rt.played_values(None, 0, count)}
    results = {k: [] for k in fns}
    for _ in range(args.repeat):
        for k, fn in fns.items():
            results[k].append(timed(fn, 1)[0])
    assert np.array_equal(played.values(0, count), rt.played_values(None, 0, count))
    ref = statistics.median(results["base preset fill"])
    print("\nfills of %d steps (float64, through pace.Schedule.values / Runtime.played_values)" % count)
    print("%-24s %12s %20s %10s" % ("", "ms (median)", "min..max", "/ base"))
    for k, ts in results.items():
        m = statistics.median(ts)
        print("%-24s %12.2f %9.2f..%-9.2f %10.2f" % (k, m * 1e3, min(ts) * 1e3, max(ts) * 1e3, m / ref))


if __name__ == "__main__":
    main()
