#!/usr/bin/env python3
"""Per-step cost of Pace's Python paths against what they replace.

Every case is a loop of `steps` iterations timed with time.perf_counter();
the cases are run round-robin, `repeats` times, so that the machine's noise
hits all of them alike, and each is reported as the median ns per step with
its spread (min..max over the repeats). Ratios are taken between medians of
the same run:

  (a) Stepper.next() (values served from a buffer the library fills in
      chunks) vs the pure-Python formula 0.5*(1+math.cos(math.pi*t/T));
      target: the stepper costs at most the formula.
  (b) Schedule.at(t): one ctypes call per step (for scale).
  (c) pace.torch.PaceLR.step() vs torch CosineAnnealingLR.step(), with 1 and
      8 param groups; targets: >= 10x faster with 1 group, faster with 8.
  (d) Hugging Face get_cosine_schedule_with_warmup: scheduler.step().
  (e) a jit-compiled optax warmup_cosine_decay_schedule call vs a jitted
      pace.optax.schedule call (scalar count; and one call on 1M counts).

(c), (d), (e) run only when torch, transformers, jax + optax are installed
("not installed" otherwise).

Usage (from the repository root, after `make lib`):

    python3 Benchmarks/python/bench_steps.py [--repeats 9] [--scale 1.0] [--only abcde] [--json]

--json also prints one "@bench {...}" line per case (for Benchmarks/run).
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import os
import platform
import statistics
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bindings" / "python"))
os.environ.setdefault("JAX_PLATFORMS", "cpu")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import pace  # noqa: E402

T = 10_000_000  # schedule length: no case reaches the end


def try_import(name):
    try:
        return __import__(name)
    except Exception:  # ImportError, or a broken install
        return None


# ---------------------------------------------------------------------------
# Cases: each factory returns run(n) -> seconds for n steps (setup excluded).


def case_empty_loop():
    def run(n):
        t0 = time.perf_counter()
        for _ in range(n):
            pass
        return time.perf_counter() - t0
    return run


def case_formula():
    def run(n):
        cos, pi = math.cos, math.pi
        t0 = time.perf_counter()
        for t in range(n):
            v = 0.5 * (1 + cos(pi * t / T))  # noqa: F841
        return time.perf_counter() - t0
    return run


COSINE_SPEC = {"peak": 1.0, "phases": [{"shape": "cosine", "steps": T, "from": 1, "to": 0}]}


def case_stepper():
    schedule = pace.Schedule(COSINE_SPEC)

    def run(n):
        stepper = schedule.stepper(chunk=4096)
        nxt = stepper.next
        t0 = time.perf_counter()
        for _ in range(n):
            v = nxt()  # noqa: F841
        return time.perf_counter() - t0
    return run


def case_stepper_iter():
    schedule = pace.Schedule(COSINE_SPEC)

    def run(n):
        stepper = schedule.stepper(chunk=4096, stop=n)
        t0 = time.perf_counter()
        for v in stepper:  # noqa: B007
            pass
        return time.perf_counter() - t0
    return run


def case_at():
    schedule = pace.Schedule(COSINE_SPEC)

    def run(n):
        at = schedule.at
        t0 = time.perf_counter()
        for t in range(n):
            v = at(t)  # noqa: F841
        return time.perf_counter() - t0
    return run


def torch_optimizer(torch, groups):
    params = [torch.nn.Parameter(torch.zeros(4)) for _ in range(groups)]
    return torch.optim.SGD([{"params": [p], "lr": 0.1 * (i + 1)} for i, p in enumerate(params)], lr=0.1)


def scheduler_case(make_scheduler, groups):
    """scheduler.step() alone; the optimizer steps once first (so no
    step-order warning), then only the scheduler is stepped."""
    import torch

    def run(n):
        opt = torch_optimizer(torch, groups)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            scheduler = make_scheduler(opt)
            opt.step()
            step = scheduler.step
            t0 = time.perf_counter()
            for _ in range(n):
                step()
            return time.perf_counter() - t0
    return run


def case_torch_cosine(groups):
    from torch.optim.lr_scheduler import CosineAnnealingLR
    return scheduler_case(lambda o: CosineAnnealingLR(o, T_max=T), groups)


def case_pacelr(groups):
    import pace.torch
    return scheduler_case(lambda o: pace.torch.PaceLR(o, COSINE_SPEC, mode="relative"), groups)


def case_hf_cosine():
    from transformers import get_cosine_schedule_with_warmup
    return scheduler_case(lambda o: get_cosine_schedule_with_warmup(o, num_warmup_steps=100,
                                                                    num_training_steps=T), 1)


def case_pacelr_hf_preset():
    import pace.torch
    spec = {"preset": "cosine", "warmup_steps": 100, "total_steps": T}
    return scheduler_case(lambda o: pace.torch.PaceLR(o, spec), 1)


OPTAX_ARGS = dict(init_value=0.0, peak_value=1.0, warmup_steps=100, decay_steps=100_000, end_value=0.0)
OPTAX_SPEC = {"preset": "warmup_cosine", "peak": 1.0, "init_ratio": 0.0, "warmup_steps": 100,
              "decay_steps": 100_000, "end_ratio": 0.0}


def jax_scalar_case(make):
    import jax
    import jax.numpy as jnp

    fn = jax.jit(make())
    counts = [jnp.asarray(t, dtype=jnp.int32) for t in range(0, 100_000, 997)]
    fn(counts[0]).block_until_ready()  # compile

    def run(n):
        k = len(counts)
        t0 = time.perf_counter()
        for i in range(n):
            fn(counts[i % k]).block_until_ready()
        return time.perf_counter() - t0
    return run


def jax_vector_case(make, size=1_000_000):
    import jax
    import jax.numpy as jnp

    fn = jax.jit(make())
    counts = jnp.arange(size, dtype=jnp.int32)
    fn(counts).block_until_ready()

    def run(n):  # n calls on `size` counts; reported per count
        t0 = time.perf_counter()
        for _ in range(n):
            fn(counts).block_until_ready()
        return (time.perf_counter() - t0) / size
    return run


def case_optax(vector=False):
    import optax
    make = lambda: optax.warmup_cosine_decay_schedule(**OPTAX_ARGS)  # noqa: E731
    return jax_vector_case(make) if vector else jax_scalar_case(make)


def case_pace_optax(vector=False):
    import pace.optax
    make = lambda: pace.optax.schedule(OPTAX_SPEC)  # noqa: E731
    return jax_vector_case(make) if vector else jax_scalar_case(make)


# ---------------------------------------------------------------------------


class Case:
    def __init__(self, key, label, factory, steps, group, ref=None, target=None):
        self.key, self.label, self.factory, self.steps = key, label, factory, steps
        self.group, self.ref, self.target = group, ref, target
        self.run = None
        self.missing = None
        self.times = []  # ns per step, one per repeat


def build_cases(scale):
    have_torch = try_import("torch") is not None
    have_hf = have_torch and try_import("transformers") is not None
    have_jax = try_import("jax") is not None and try_import("optax") is not None
    s = lambda n: max(1, int(n * scale))  # noqa: E731
    cases = [
        Case("loop", "empty `for` loop (floor of every Python case)", case_empty_loop, s(200_000), "a"),
        Case("formula", "pure-Python 0.5*(1+cos(pi*t/T))", case_formula, s(200_000), "a"),
        Case("stepper", "Stepper.next() (buffered, chunk 4096)", case_stepper, s(200_000), "a",
             ref="formula", target=("<=", 1.0)),
        Case("stepper_iter", "for v in Stepper (buffered)", case_stepper_iter, s(200_000), "a",
             ref="formula", target=("<=", 1.0)),
        Case("at", "Schedule.at(t) (one ctypes call)", case_at, s(50_000), "b", ref="formula"),
    ]
    torch_note = None if have_torch else "torch not installed"
    for g in (1, 8):
        cases.append(Case("cos%d" % g, "torch CosineAnnealingLR.step(), %d group%s" % (g, "s" * (g > 1)),
                          lambda g=g: case_torch_cosine(g), s(20_000), "c"))
        cases.append(Case("pace%d" % g, "PaceLR.step(), %d group%s" % (g, "s" * (g > 1)),
                          lambda g=g: case_pacelr(g), s(20_000), "c", ref="cos%d" % g,
                          target=("x>=", 10.0 if g == 1 else 1.0)))
    for c in cases[-4:]:
        c.missing = torch_note
    cases.append(Case("hf", "HF get_cosine_schedule_with_warmup .step()", case_hf_cosine, s(20_000), "d"))
    cases.append(Case("pace_hf", "PaceLR.step(), preset cosine (same schedule)", case_pacelr_hf_preset,
                      s(20_000), "d", ref="hf", target=("x>=", 1.0)))
    for c in cases[-2:]:
        c.missing = None if have_hf else ("transformers not installed" if have_torch else "torch not installed")
    cases += [
        Case("optax1", "optax warmup_cosine_decay (jit), scalar call", lambda: case_optax(False), s(2_000), "e"),
        Case("paceoptax1", "pace.optax.schedule (jit), scalar call", lambda: case_pace_optax(False), s(2_000),
             "e", ref="optax1"),
        Case("optaxN", "optax warmup_cosine_decay (jit), 1M counts", lambda: case_optax(True), s(20), "e"),
        Case("paceoptaxN", "pace.optax.schedule (jit), 1M counts", lambda: case_pace_optax(True), s(20), "e",
             ref="optaxN"),
    ]
    for c in cases[-4:]:
        c.missing = None if have_jax else "jax/optax not installed"
    return cases


def fmt_ns(ns):
    if ns >= 100_000:
        return "%.0f" % ns
    if ns >= 100:
        return "%.0f" % ns
    if ns >= 10:
        return "%.1f" % ns
    return "%.2f" % ns


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeats", type=int, default=9, help="runs of every case (median reported)")
    ap.add_argument("--scale", type=float, default=1.0, help="multiplies the steps of every run")
    ap.add_argument("--only", default="", help="run only these groups, e.g. 'ac' (default: all)")
    ap.add_argument("--json", action="store_true", help="also print @bench lines (for Benchmarks/run)")
    args = ap.parse_args(argv)

    cases = [c for c in build_cases(args.scale) if not args.only or c.group in args.only]
    for c in cases:
        if c.missing is None:
            try:
                c.run = c.factory()
                c.run(max(1, c.steps // 10))  # warm-up
            except Exception as exc:  # report, do not abort the whole table
                c.missing = "error: %s" % exc
    gc.collect()
    gc_was = gc.isenabled()
    gc.disable()
    try:
        for _ in range(args.repeats):
            for c in cases:
                if c.run is not None:
                    c.times.append(c.run(c.steps) / c.steps * 1e9)
    finally:
        if gc_was:
            gc.enable()

    import numpy

    versions = ["Python %s" % platform.python_version(), "numpy %s" % numpy.__version__,
                "libpace %s" % pace.build_info()]
    for mod in ("torch", "transformers", "jax", "optax"):
        m = sys.modules.get(mod)
        versions.append("%s %s" % (mod, getattr(m, "__version__", "?")) if m else "%s: not installed" % mod)
    print("bench_steps: %s" % ", ".join(versions))
    if args.json:
        print("@bench " + json.dumps({"bench": "bench_steps", "versions": versions}))
    try:
        load = " load average %.2f" % os.getloadavg()[0]
    except OSError:
        load = ""
    print("machine: %s, %d CPUs%s; %d repeats, round-robin; median ns/step (min..max)\n"
          % (platform.machine(), os.cpu_count() or 0, load, args.repeats))

    by_key = {c.key: c for c in cases}
    header = "%-3s %-48s %10s %21s  %-26s %s" % ("", "case", "ns/step", "spread (min..max)", "ratio", "target")
    print(header)
    print("-" * len(header))
    group = None
    verdicts = []
    for c in cases:
        if c.group != group:
            if group is not None:
                print()
            group = c.group
        if not c.times:
            print("%-3s %-48s %10s" % ("(%s)" % c.group, c.label, c.missing or "not run"))
            if args.json:
                print("@bench " + json.dumps({"bench": "bench_steps", "key": c.key, "group": c.group,
                                              "name": c.label, "missing": c.missing or "not run"}))
            continue
        med = statistics.median(c.times)
        spread = "%s..%s" % (fmt_ns(min(c.times)), fmt_ns(max(c.times)))
        ratio, target = "", ""
        ref = by_key.get(c.ref) if c.ref else None
        if ref is not None and ref.times:
            rmed = statistics.median(ref.times)
            if c.target and c.target[0] == "x>=":
                speedup = rmed / med
                ratio = "%.1fx faster than %s" % (speedup, ref.key)
                ok = speedup >= c.target[1]
                target = ">= %gx: %s" % (c.target[1], "met" if ok else "MISSED") if c.target[1] > 1 else \
                    "faster: %s" % ("met" if ok else "MISSED")
                verdicts.append((c.label, ok))
            else:
                ratio = "%.2f x %s" % (med / rmed, ref.key)
                if c.target:
                    ok = med / rmed <= c.target[1]
                    target = "<= %g x %s: %s" % (c.target[1], ref.key, "met" if ok else "MISSED")
                    verdicts.append((c.label, ok))
        elif ref is not None:
            ratio = "(%s: %s)" % (ref.key, ref.missing or "not run")
        print("%-3s %-48s %10s %21s  %-26s %s" % ("(%s)" % c.group, c.label, fmt_ns(med), spread, ratio, target))
        if args.json:
            print("@bench " + json.dumps({"bench": "bench_steps", "key": c.key, "group": c.group, "name": c.label,
                                          "unit": "ns/step", "median": med, "min": min(c.times),
                                          "max": max(c.times), "n": len(c.times), "ratio": ratio,
                                          "target": target}))
    print()
    missed = [label for label, ok in verdicts if not ok]
    print("targets: %d met, %d missed%s" % (len(verdicts) - len(missed), len(missed),
                                            (": " + "; ".join(missed)) if missed else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
