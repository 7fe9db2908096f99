#!/usr/bin/env python3
"""Whole-run fills: Pace's SIMD fill against numpy and against memset.

For five schedules (warmup+cosine, WSD with a 1-sqrt cooldown, REX, UBA,
exponential) it times `pace_schedule_fill_f32` of 10^7 steps, the same
formula written with numpy (float64 then cast, as a numpy user would), and
`memset` of the same buffer (the memory limit). (The fill time against
count, 10^3 .. 10^8, is Benchmarks/c/bench_scaling.c: no ctypes call in the
way of small counts.) The three measurements of a schedule run round-robin, so that a shared
machine's noise falls on all of them alike; medians of repeated runs with
their min..max spread; every ratio is measured in the same process run.

    python3 Benchmarks/python/bench_fill.py [--count 10000000] [--repeat 7]
        [--numpy-repeat 5] [--json]

PACE_LIBRARY selects the library (e.g. build/lib/baseline/libpace.so).
--json also prints one "@bench {...}" line per row for Benchmarks/run.
"""
from __future__ import annotations

import argparse
import ctypes
import json
import os
import statistics
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "bindings", "python"))
import pace  # noqa: E402
from pace import _lib  # noqa: E402

LIBC = ctypes.CDLL(None)
LIBC.memset.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_size_t]
LIBC.memset.restype = ctypes.c_void_p

JSON = False


def emit(**fields):
    if JSON:
        print("@bench " + json.dumps(dict(bench="bench_fill", **fields)), flush=True)


def stats(samples):
    """median, min, max, n of a list of samples."""
    return {"median": statistics.median(samples), "min": min(samples), "max": max(samples), "n": len(samples)}


def timed_once(fn, inner=1):
    """ns for one call of fn (mean of `inner` back-to-back calls)."""
    t0 = time.perf_counter_ns()
    for _ in range(inner):
        fn()
    return (time.perf_counter_ns() - t0) / inner


def numpy_formula(name, n, peak=3e-4):
    t = np.arange(n, dtype=np.float64)
    w = n // 20
    if name == "warmup+cosine":
        p = np.clip((t - w) / (n - w), 0, 1)
        v = np.where(t < w, t / w, 0.5 * (1 + np.cos(np.pi * p)))
    elif name == "wsd 1-sqrt":
        d = n // 5
        p = np.clip((t - (n - d)) / d, 0, 1)
        v = np.where(t < w, t / w, np.where(t < n - d, 1.0, 1 - np.sqrt(p)))
    elif name == "rex":
        z = np.clip(t / n, 0, 1)
        v = (1 - z) / (1 - z / 2)
    elif name == "uba phi=1":
        s = 1 + np.cos(np.pi * np.clip(t / n, 0, 1))
        v = 2 * s / (2 + s)
    else:  # exponential
        v = np.power(0.9999995, t)
    return (peak * v).astype(np.float32)


def specs(n):
    w = n // 20
    return {
        "warmup+cosine": {"preset": "cosine", "peak": 3e-4, "warmup_steps": w, "total_steps": n},
        "wsd 1-sqrt": {"preset": "wsd", "peak": 3e-4, "warmup_steps": w, "decay_steps": n // 5, "total_steps": n,
                       "decay_type": "sqrt"},
        "rex": {"preset": "rex", "peak": 3e-4, "total_steps": n},
        "uba phi=1": {"preset": "uba", "peak": 3e-4, "total_steps": n, "phi": 1},
        "exponential": {"preset": "exponential", "peak": 3e-4, "gamma": 0.9999995},
    }


def cache_sizes():
    """{level: bytes} of the data/unified caches of CPU 0 (sysfs)."""
    sizes = {}
    base = "/sys/devices/system/cpu/cpu0/cache"
    try:
        entries = sorted(os.listdir(base))
    except OSError:
        return sizes
    for entry in entries:
        try:
            with open(os.path.join(base, entry, "type")) as f:
                kind = f.read().strip()
            with open(os.path.join(base, entry, "level")) as f:
                level = int(f.read())
            with open(os.path.join(base, entry, "size")) as f:
                text = f.read().strip()
        except (OSError, ValueError):
            continue
        if kind == "Instruction":
            continue
        mult = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}.get(text[-1:], 1)
        sizes["L%d" % level] = int(text.rstrip("KMG")) * mult
    return sizes


def fmt(m, n):
    return "%7.3f (%.2f..%.2f)" % (m["median"] / n, m["min"] / n, m["max"] / n)


def fill_table(n, repeat, numpy_repeat):
    out = np.empty(n, dtype=np.float32)
    out.fill(1)  # fault the pages in before timing
    ptr = out.ctypes.data
    fp = out.ctypes.data_as(ctypes.POINTER(ctypes.c_float))
    print("fill_f32 of %d steps (%.0f MB) vs numpy %s and memset, round-robin; median of %d (numpy %d), "
          "ns per element (min..max)" % (n, n * 4 / 1e6, np.__version__, repeat, numpy_repeat))
    print(f"{'schedule':16} {'pace fill':>20} {'numpy':>20} {'memset':>18} {'numpy/pace':>11} {'pace/memset':>12}")
    for name, spec in specs(n).items():
        s = pace.Schedule(spec)
        check = np.asarray(s.values(0, 1000, dtype=np.float32))
        assert np.allclose(check, numpy_formula(name, n)[:1000], rtol=1e-5, atol=1e-12), name
        fill = lambda: _lib.lib.pace_schedule_fill_f32(s._handle, 0, n, fp)  # noqa: E731
        mem = lambda: LIBC.memset(ptr, 0, n * 4)  # noqa: E731
        ref = lambda: numpy_formula(name, n)  # noqa: E731
        fill(), mem()  # warm-up
        t_pace, t_mem, t_np = [], [], []
        for r in range(repeat):
            t_pace.append(timed_once(fill))
            t_mem.append(timed_once(mem))
            if r < numpy_repeat:
                t_np.append(timed_once(ref))
        p, m, q = stats(t_pace), stats(t_mem), stats(t_np)
        x_np, x_mem = q["median"] / p["median"], p["median"] / m["median"]
        print(f"{name:16} {fmt(p, n):>20} {fmt(q, n):>20} {fmt(m, n):>18} {x_np:10.1f}x {x_mem:11.2f}x")
        per = lambda d: {k: (v / n if k != "n" else v) for k, v in d.items()}  # noqa: E731
        emit(section="fill", name=name, count=n, pace=per(p), numpy=per(q), memset=per(m), x_numpy=x_np,
             x_memset=x_mem)


def main():
    global JSON
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--count", type=int, default=10_000_000)
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--numpy-repeat", type=int, default=5)
    ap.add_argument("--json", action="store_true", help="also print @bench lines (for Benchmarks/run)")
    a = ap.parse_args()
    JSON = a.json
    print("library: %s (%s)" % (pace.build_info(), pace.library_path))
    emit(library=pace.build_info(), path=pace.library_path, numpy=np.__version__, caches=cache_sizes())
    fill_table(a.count, a.repeat, a.numpy_repeat)


if __name__ == "__main__":
    main()
