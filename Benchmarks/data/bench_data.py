#!/usr/bin/env python3
"""Benchmarks/data/bench_data.py - data pacing (pace.data) against numpy.

    python3 Benchmarks/data/bench_data.py [--quick] [--json]

Three measurements, each against what a trainer would write with numpy,
ours and numpy alternating in one process run (medians of the repeats, with
min..max):

  uniform     N = 10^9 samples, global batch 1024: sampler creation, first
              batch (step 0, a fresh sampler) and per batch (200 steps spread
              over ten epochs), and the resident memory they add; against
              numpy.random.default_rng(seed).permutation(N_np), which must
              materialise the order before the first batch (N_np = 10^8;
              --quick 10^7). Ours is also timed at N_np.
  weighted    QuRating selection of 10% of N ratings (10^8; --quick 10^6),
              temperature 2: sampler creation against numpy z-scores / tau +
              rng.gumbel + argpartition; time, and the peak memory each adds
              beyond the rating array, as a multiple of the rating array.
  competence  creation over N difficulties (10^8; --quick 10^6) against
              numpy.argsort(kind="stable"); time and peak added memory.

Peak memory is the process's VmHWM (reset through /proc/self/clear_refs
before each measurement) minus its VmRSS at that moment; retained memory is
the RSS a sampler keeps after creation. The script re-runs itself with
MALLOC_MMAP_THRESHOLD_=131072 so that freed blocks go back to the system
(glibc otherwise keeps large freed blocks resident, and later peaks look
smaller). Prints a table, and with --json one "@bench {...}" line per row
for Benchmarks/run.
"""
from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bindings" / "python"))
import pace  # noqa: E402
import pace.data  # noqa: E402


# ---------------------------------------------------------------------------
# Memory


def _status(key: str) -> int:
    """A /proc/self/status field, in bytes."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1]) * 1024
    return 0


def reset_peak() -> int:
    """Resets VmHWM to the current RSS; returns that RSS (bytes)."""
    gc.collect()
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        pass
    return _status("VmRSS")


def peak_added(base: int) -> int:
    return max(_status("VmHWM") - base, 0)


def stats(xs):
    return {"median": statistics.median(xs), "min": min(xs), "max": max(xs)}


def timed(fn):
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


# ---------------------------------------------------------------------------
# uniform


def uniform_config(n, batch):
    return {"size": n, "global_batch": batch, "seed": 1234, "policy": {"kind": "uniform"}}


def bench_uniform(n_pace, n_np, batch, repeats):
    rows = []
    create, first, per, mem = [], [], [], []
    create_np, first_np, per_pace_np, mem_np, slice_np = [], [], [], [], []
    rng = np.random.default_rng(0)
    for r in range(repeats):
        # ours, N = n_pace
        base = reset_peak()
        t_create, s = timed(lambda: pace.data.Sampler(uniform_config(n_pace, batch)))
        t_first, _ = timed(lambda: s.batch(0))
        epochs = 10
        total_steps = epochs * n_pace // batch
        steps = sorted(int(x) for x in rng.integers(0, total_steps, size=200))
        ts = []
        for t in steps:
            t0 = time.perf_counter()
            s.batch(t)
            ts.append(time.perf_counter() - t0)
        mem.append(peak_added(base))
        create.append(t_create)
        first.append(t_create + t_first)
        per.append(statistics.median(ts))
        s.close()
        # ours at numpy's N
        s2 = pace.data.Sampler(uniform_config(n_np, batch))
        ts = []
        for t in steps[:100]:
            t0 = time.perf_counter()
            s2.batch(t % max(1, 10 * n_np // batch))
            ts.append(time.perf_counter() - t0)
        per_pace_np.append(statistics.median(ts))
        s2.close()
        # numpy, N = n_np: the order must exist before the first batch
        base = reset_peak()
        t0 = time.perf_counter()
        perm = np.random.default_rng(1234 + r).permutation(n_np)
        first_batch = perm[:batch].copy()
        first_np.append(time.perf_counter() - t0)
        ts = []
        for t in steps[:100]:
            o = (t * batch) % (n_np - batch)
            t0 = time.perf_counter()
            perm[o:o + batch].copy()
            ts.append(time.perf_counter() - t0)
        slice_np.append(statistics.median(ts))
        mem_np.append(peak_added(base))
        del perm, first_batch
    first_s, first_np_s = stats(first), stats(first_np)
    rows.append({"bench": "uniform", "name": "first batch (create + step 0)",
                 "ours": first_s, "ours_n": n_pace, "numpy": first_np_s, "numpy_n": n_np, "unit": "s",
                 "ratio": first_np_s["median"] / first_s["median"],
                 "ratio_text": "numpy(10^%d) / pace(10^%d)" % (len(str(n_np)) - 1, len(str(n_pace)) - 1)})
    rows.append({"bench": "uniform", "name": "per batch of %d" % batch, "ours": stats(per), "ours_n": n_pace,
                 "numpy": stats(slice_np), "numpy_n": n_np, "unit": "s",
                 "ratio": statistics.median(slice_np) / statistics.median(per),
                 "ratio_text": "numpy slice / pace"})
    rows.append({"bench": "uniform", "name": "per batch of %d, pace at N = numpy's" % batch,
                 "ours": stats(per_pace_np), "ours_n": n_np, "unit": "s"})
    rows.append({"bench": "uniform", "name": "resident memory added", "ours": stats(mem), "ours_n": n_pace,
                 "numpy": stats(mem_np), "numpy_n": n_np, "unit": "B",
                 "ratio_text": "pace flat: %s" % ("yes" if max(mem) < 64 << 20 else "NO")})
    rows.append({"bench": "uniform", "name": "sampler creation", "ours": stats(create), "ours_n": n_pace,
                 "unit": "s"})
    return rows


# ---------------------------------------------------------------------------
# weighted


def bench_weighted(n, repeats, tau=2.0, fraction=0.1):
    ratings = np.random.default_rng(7).standard_normal(n)
    rating_bytes = ratings.nbytes
    k = int(n * fraction)
    config = {"size": n, "global_batch": 1024, "seed": 0,
              "policy": {"kind": "weighted", "temperature": tau, "budget": fraction}}
    ours, ours_mem, ref, ref_mem, kept = [], [], [], [], []
    for r in range(repeats):
        config["seed"] = r
        base = reset_peak()
        t, s = timed(lambda: pace.data.Sampler(config, scores=ratings))
        ours.append(t)
        ours_mem.append(peak_added(base))
        kept.append(max(_status("VmRSS") - base, 0))
        eligible = s.eligible(0)
        s.close()
        del s
        base = reset_peak()
        t0 = time.perf_counter()
        z = ratings - ratings.mean()
        z /= ratings.std() * tau
        z += np.random.default_rng(r).gumbel(size=n)
        chosen = np.argpartition(-z, k - 1)[:k]
        ref.append(time.perf_counter() - t0)
        ref_mem.append(peak_added(base))
        del z, chosen
    return [
        {"bench": "weighted", "name": "select 10%% of %s ratings (tau %g)" % (sci(n), tau), "ours": stats(ours),
         "numpy": stats(ref), "unit": "s", "ratio": statistics.median(ref) / statistics.median(ours),
         "ratio_text": "numpy / pace", "eligible": eligible, "k": k},
        {"bench": "weighted", "name": "peak added memory / rating array",
         "ours": stats([m / rating_bytes for m in ours_mem]), "numpy": stats([m / rating_bytes for m in ref_mem]),
         "unit": "x", "target": "pace <= 1.5x",
         "met": statistics.median(ours_mem) / rating_bytes <= 1.5},
        {"bench": "weighted", "name": "memory kept by the sampler / rating array",
         "ours": stats([m / rating_bytes for m in kept]), "unit": "x"},
    ]


# ---------------------------------------------------------------------------
# competence


def bench_competence(n, repeats):
    difficulty = np.random.default_rng(11).random(n)
    config = {"size": n, "global_batch": 1024, "seed": 0,
              "policy": {"kind": "competence", "c0": 0.01,
                         "pacing": {"total_steps": 10000,
                                    "phases": [{"shape": "linear", "steps": 10000, "from": 0.01, "to": 1}]}}}
    ours, ours_mem, ref, ref_mem, kept = [], [], [], [], []
    for _ in range(repeats):
        base = reset_peak()
        t, s = timed(lambda: pace.data.Sampler(config, scores=difficulty))
        ours.append(t)
        ours_mem.append(peak_added(base))
        kept.append(max(_status("VmRSS") - base, 0))
        s.close()
        del s
        base = reset_peak()
        t, order = timed(lambda: np.argsort(difficulty, kind="stable"))
        ref.append(t)
        ref_mem.append(peak_added(base))
        del order
    nbytes = difficulty.nbytes
    return [
        {"bench": "competence", "name": "creation over %s difficulties" % sci(n), "ours": stats(ours),
         "numpy": stats(ref), "unit": "s", "ratio": statistics.median(ref) / statistics.median(ours),
         "ratio_text": "numpy argsort / pace"},
        {"bench": "competence", "name": "peak added memory / difficulty array",
         "ours": stats([m / nbytes for m in ours_mem]), "numpy": stats([m / nbytes for m in ref_mem]), "unit": "x",
         "target": "pace <= 1.5x", "met": statistics.median(ours_mem) / nbytes <= 1.5},
        {"bench": "competence", "name": "memory kept by the sampler / difficulty array",
         "ours": stats([m / nbytes for m in kept]), "unit": "x"},
    ]


# ---------------------------------------------------------------------------
# Output


def sci(n):
    e = len(str(n)) - 1
    return "10^%d" % e if n == 10 ** e else "{:,}".format(n)


def fmt(value, unit):
    if unit == "s":
        if value < 1e-3:
            return "%.1f us" % (value * 1e6)
        if value < 1:
            return "%.1f ms" % (value * 1e3)
        return "%.2f s" % value
    if unit == "B":
        return "%.1f MiB" % (value / (1 << 20))
    return "%.2f%s" % (value, unit)


def spread(m, unit):
    return "%s (%s..%s)" % (fmt(m["median"], unit), fmt(m["min"], unit), fmt(m["max"], unit))


def host():
    cpu = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    try:
        isa = subprocess.run([str(ROOT / "scripts" / "host-isa")], capture_output=True, text=True).stdout.strip()
    except OSError:
        isa = "?"
    return cpu, isa


def main(argv=None):
    if os.environ.get("MALLOC_MMAP_THRESHOLD_") is None:  # see the module docs
        os.execve(sys.executable, [sys.executable, __file__] + sys.argv[1:],
                  dict(os.environ, MALLOC_MMAP_THRESHOLD_="131072"))
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="numpy permutation 10^7, weighted/competence 10^6")
    ap.add_argument("--json", action="store_true", help='also print one "@bench {json}" line per row')
    ap.add_argument("--repeats", type=int, default=None)
    ap.add_argument("--only", default="uniform,weighted,competence")
    a = ap.parse_args(argv)
    repeats = a.repeats or 3
    big = 10 ** 6 if a.quick else 10 ** 8
    n_np = 10 ** 7 if a.quick else 10 ** 8
    only = a.only.split(",")
    cpu, isa = host()
    rows = []
    if "uniform" in only:
        rows += bench_uniform(10 ** 9, n_np, 1024, repeats)
    if "weighted" in only:
        rows += bench_weighted(big, repeats)
    if "competence" in only:
        rows += bench_competence(big, repeats)

    print("pace.data benchmarks%s: %s, %d CPUs, host ISA %s; %s" % (
        " (--quick)" if a.quick else "", cpu, os.cpu_count() or 0, isa, pace.build_info()))
    print("numpy %s, Python %s; medians of %d alternating repeats (min..max)" % (
        np.__version__, platform.python_version(), repeats))
    print("%-11s %-44s %-30s %-30s %s" % ("bench", "measurement", "pace", "numpy", "ratio"))
    for r in rows:
        ours = spread(r["ours"], r["unit"]) + (" N=%s" % sci(r["ours_n"]) if "ours_n" in r else "")
        ref = (spread(r["numpy"], r["unit"]) + (" N=%s" % sci(r["numpy_n"]) if "numpy_n" in r else "")
               if "numpy" in r else "")
        ratio = ("%.2fx %s" % (r["ratio"], r["ratio_text"]) if "ratio" in r else r.get("ratio_text", ""))
        if "target" in r:
            ratio = (ratio + " " if ratio else "") + "%s: %s" % (r["target"], "met" if r["met"] else "MISSED")
        print("%-11s %-44s %-30s %-30s %s" % (r["bench"], r["name"], ours, ref, ratio))
    if a.json:
        print("@bench " + json.dumps({"host": {"cpu": cpu, "isa": isa, "library": pace.build_info()}}))
        for r in rows:
            print("@bench " + json.dumps(r))
    return 0


if __name__ == "__main__":
    sys.exit(main())
