#!/usr/bin/env python3
"""Whole-run fills: Pace's SIMD fill against numpy and against memset.

For five schedules (warmup+cosine, WSD with a 1-sqrt cooldown, REX, UBA,
exponential) it times `pace_schedule_fill_f32` of 10^7 steps, the same
formula written with numpy (float64 then cast, as a numpy user would), and
`memset` of the same buffer (the memory limit); then the fill time of
warmup+cosine for 10^3 .. 10^8 steps (ns per element: flat while compute
bound, showing where the caches end). Medians of repeated runs with their
min..max spread; every ratio is measured in the same process run.

    python3 Benchmarks/python/bench_fill.py [--count 10000000] [--repeat 7]
"""
from __future__ import annotations

import argparse
import ctypes
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "bindings", "python"))
import pace  # noqa: E402
from pace import _lib  # noqa: E402

LIBC = ctypes.CDLL(None)
LIBC.memset.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_size_t]
LIBC.memset.restype = ctypes.c_void_p


def timed(fn, repeat):
    samples = []
    for _ in range(repeat):
        t0 = time.perf_counter_ns()
        fn()
        samples.append(time.perf_counter_ns() - t0)
    samples.sort()
    return samples[len(samples) // 2], samples[0], samples[-1]


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


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--count", type=int, default=10_000_000)
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--max-scaling", type=int, default=8, help="largest power of ten in the scaling table")
    a = ap.parse_args()
    n = a.count
    out = np.empty(n, dtype=np.float32)
    ptr = out.ctypes.data
    print(f"Pace {pace.version()} fill_f32 of {n} steps vs numpy {np.__version__} and memset "
          f"(median of {a.repeat}, ns per element, min..max)")
    print(f"{'schedule':16} {'pace fill':>20} {'numpy':>20} {'memset':>18} {'numpy/pace':>11} {'pace/memset':>12}")
    for name, spec in specs(n).items():
        s = pace.Schedule(spec)
        fp = out.ctypes.data_as(ctypes.POINTER(ctypes.c_float))
        ours = timed(lambda: _lib.lib.pace_schedule_fill_f32(s._handle, 0, n, fp), a.repeat)
        ref = timed(lambda: numpy_formula(name, n), max(3, a.repeat // 2))
        mem = timed(lambda: LIBC.memset(ptr, 0, n * 4), a.repeat)
        fmt = lambda m: f"{m[0] / n:7.3f} ({m[1] / n:.2f}..{m[2] / n:.2f})"
        print(f"{name:16} {fmt(ours):>20} {fmt(ref):>20} {fmt(mem):>18} {ref[0] / ours[0]:10.1f}x {ours[0] / mem[0]:11.2f}x")
        check = np.asarray(s.values(0, 1000, dtype=np.float32))
        assert np.allclose(check, numpy_formula(name, n)[:1000], rtol=1e-5, atol=1e-12), name
    print()
    print("scaling: warmup+cosine fill_f64, ns per element")
    print(f"{'count':>12} {'pace fill':>22} {'memset':>20} {'pace/memset':>12}")
    for e in range(3, a.max_scaling + 1):
        m = 10 ** e
        buf = np.empty(m, dtype=np.float64)
        bp = buf.ctypes.data_as(ctypes.POINTER(ctypes.c_double))
        s = pace.Schedule(specs(m)["warmup+cosine"])
        reps = max(3, min(50, 10 ** 7 // m))
        ours = timed(lambda: _lib.lib.pace_schedule_fill_f64(s._handle, 0, m, bp), reps)
        mem = timed(lambda: LIBC.memset(buf.ctypes.data, 0, m * 8), reps)
        print(f"{m:12d} {ours[0] / m:9.3f} ({ours[1] / m:.2f}..{ours[2] / m:.2f}) "
              f"{mem[0] / m:8.3f} ({mem[1] / m:.2f}..{mem[2] / m:.2f}) {ours[0] / mem[0]:11.2f}x")


if __name__ == "__main__":
    main()
