#!/usr/bin/env python3
"""Benchmarks/python/bench_fill_isa.py - fill_f32 of 10^7 steps from two
builds of libpace.so in one run, on one thread and on every thread, against
numpy's formula and memset of the same 40 MB, in wall and CPU time.

    python3 Benchmarks/python/bench_fill_isa.py [--count 10000000] [--repeat 9]
        [LIB ...]   (default: build/lib/baseline/libpace.so build/lib/libpace.so)

Each library is loaded from its own path (ctypes, RTLD_LOCAL: two copies of
Pace in one process). For each schedule of bench_fill.py the measurements
run round-robin, so a shared machine's noise falls on all alike:

  - `1 thread`: the 10^7 steps filled as 2^18-step calls (below the
    two-thread minimum, so every call runs on the calling thread); CPU time
    of the calling thread;
  - `all threads`: one call (the C API's fork-join over every part);
    CPU time of the process (both threads' work);
  - numpy: bench_fill.py's formula (float64, cast to float32), one thread;
  - memset of the 40 MB buffer.

Medians of `--repeat` runs, ns per element. Wall time is what a trainer
sees on an idle machine; on a shared one other processes stretch it, while
CPU time counts only the cycles run (a busy sibling still slows them). The
ratios are given for both clocks: numpy/pace (target >= 20x) and
pace/memset (target <= 2x). Every library's values are checked equal to
the first's (same bits) before timing.
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

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
# bench_fill imports the binding, which loads a library: the last one given.
_paths = [arg for arg in sys.argv[1:] if arg.endswith(".so")]
os.environ.setdefault("PACE_LIBRARY", _paths[-1] if _paths else os.path.join(ROOT, "build/lib/libpace.so"))
sys.path.insert(0, os.path.dirname(__file__))
from bench_fill import numpy_formula, specs  # noqa: E402
LIBC = ctypes.CDLL(None)
LIBC.memset.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_size_t]
LIBC.memset.restype = ctypes.c_void_p
ONE_THREAD_CALL = 1 << 18  # below Schedule.parallelFillMinimum (2^19)


class Library:
    def __init__(self, path):
        self.path = path
        self.lib = ctypes.CDLL(path, mode=ctypes.RTLD_LOCAL)
        self.lib.pace_schedule_parse.argtypes = [ctypes.c_char_p, ctypes.POINTER(ctypes.c_void_p)]
        self.lib.pace_schedule_fill_f32.argtypes = [ctypes.c_void_p, ctypes.c_int64, ctypes.c_int64,
                                                    ctypes.POINTER(ctypes.c_float)]
        self.lib.pace_build_info.restype = ctypes.c_char_p
        self.info = self.lib.pace_build_info().decode()

    def schedule(self, spec):
        handle = ctypes.c_void_p()
        if self.lib.pace_schedule_parse(json.dumps(spec).encode(), ctypes.byref(handle)) != 0:
            raise SystemExit("bench_fill_isa: %s rejects %s" % (self.path, spec))
        return handle


def timed(fn, clock):
    w0, c0 = time.perf_counter_ns(), clock()
    fn()
    return time.perf_counter_ns() - w0, clock() - c0


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--count", type=int, default=10_000_000)
    ap.add_argument("--repeat", type=int, default=9)
    ap.add_argument("libs", nargs="*", default=[os.path.join(ROOT, "build/lib/baseline/libpace.so"),
                                                os.path.join(ROOT, "build/lib/libpace.so")])
    a = ap.parse_args()
    n = a.count
    libs = [Library(p) for p in a.libs]
    out = np.empty(n, dtype=np.float32)
    out.fill(1)
    first = np.empty(n, dtype=np.float32)
    fp = out.ctypes.data_as(ctypes.POINTER(ctypes.c_float))
    ptr = out.ctypes.data
    cpu = open("/proc/cpuinfo").read().split("model name")[1].split(":")[1].split("\n")[0].strip()
    print("fill_f32 of %d steps (%.0f MB), ns per element, median of %d; CPU %s, %d CPUs, load %s, %s UTC"
          % (n, n * 4 / 1e6, a.repeat, cpu, os.cpu_count(), " ".join(open("/proc/loadavg").read().split()[:3]),
             time.strftime("%Y-%m-%d %H:%M", time.gmtime())))
    for i, lib in enumerate(libs):
        print("  [%d] %s: %s" % (i, lib.path, lib.info))
    print("%-14s %-9s %17s %17s %11s %15s %13s" % ("schedule", "build", "pace wall / cpu", "numpy wall / cpu",
                                                 "memset w/c", "numpy/pace w/c", "pace/memset"))
    for name, spec in specs(n).items():
        handles = [lib.schedule(spec) for lib in libs]
        fills = []
        for lib, h in zip(libs, handles):
            f = lib.lib.pace_schedule_fill_f32

            def one(f=f, h=h):
                for s in range(0, n, ONE_THREAD_CALL):
                    f(h, s, min(ONE_THREAD_CALL, n - s),
                      ctypes.cast(ptr + 4 * s, ctypes.POINTER(ctypes.c_float)))

            def every(f=f, h=h):
                f(h, 0, n, fp)
            fills.append((one, every))
        # Same bits: every library, both ways, equals the first library's one call.
        fills[0][1]()
        first[:] = out
        for one, every in fills:
            for fn in (one, every):
                out.fill(0)
                fn()
                assert np.array_equal(out.view(np.uint32), first.view(np.uint32)), (name, "bits differ")
        samples = {}

        def add(key, pair):
            samples.setdefault(key, []).append(pair)
        for r in range(a.repeat):
            for i, (one, every) in enumerate(fills):
                add((i, 1), timed(one, time.thread_time_ns))
                add((i, 2), timed(every, time.process_time_ns))
            add("memset", timed(lambda: LIBC.memset(ptr, 0, n * 4), time.thread_time_ns))
            if r < max(3, a.repeat // 2):
                add("numpy", timed(lambda: numpy_formula(name, n), time.thread_time_ns))
        med = {k: (statistics.median(w for w, _ in v) / n, statistics.median(c for _, c in v) / n)
               for k, v in samples.items()}
        npw, npc = med["numpy"]
        mw, mc = med["memset"]
        for i in range(len(libs)):
            for threads in (1, 2):
                pw, pc = med[(i, threads)]
                label = "[%d] %s" % (i, "1 thr" if threads == 1 else "all")
                print("%-14s %-9s %8.3f / %6.3f %8.2f / %6.2f %5.3f/%5.3f %5.1f / %5.1fx %4.2f / %4.2fx"
                      % (name, label, pw, pc, npw, npc, mw, mc, npw / pw, npc / pc, pw / mw, pc / mc))
    return 0


if __name__ == "__main__":
    sys.exit(main())
