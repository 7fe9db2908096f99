#!/usr/bin/env python3
"""AutoLRS vs tuned cosine, linear decay and constant LR on real (small)
training runs, at the same number of optimizer steps.

The claim under test (Jin et al. 2021, "AutoLRS: Automatic Learning-Rate
Schedule by Bayesian Optimization on the Fly"): AutoLRS reaches the final
loss of hand-tuned schedules 1.22x-1.5x sooner (1.31x on average), its own
trial steps included.

Two tasks of Benchmarks/refinement/train_eval.py (same data loading and
models, imported from there), trained on the CPU with PyTorch, Adam:

  mlp     a 64-128-128-10 MLP on scikit-learn's bundled digits
          (1297 train / 500 held-out), batches of 32;
  charlm  a character-level MLP language model over the previous 32
          characters of the interpreter's own Lib/*.py (every 10th file
          held out), batches of 64.

Per task and seed, every method takes the same number of optimizer steps
(AutoLRS's trials count) on the same stream of mini-batches from the same
initial weights:

  cosine, linear  cosine / linear decay to 0 after a linear warmup of 2% of
                  the steps, at each peak of a 4-point grid;
  constant        the constant LR after the same warmup, at each grid point;
  autolrs         pace.torch.train_with_autolrs over [min_lr, max_lr] with
                  the paper's K = 10 trials of tau' = tau/10 steps per stage
                  (tau doubling up to tau_max, then validation-loss mode on
                  the held-out data), no warmup.

A baseline's peak is the grid point with the lowest final training loss,
mean over the seeds. Reported: final training and held-out loss (nats) and
the steps each method needs to reach, on the same seed, the best tuned
baseline's final training loss (the paper's speedup measure; the training
loss is evaluated every `eval_every` steps on a fixed sample, and for
AutoLRS only on the model that continues, i.e. during exploitation).

  python3 Benchmarks/autolrs/evidence.py                  # everything (~510 s of CPU: ~4.5 min on 2 idle cores)
  python3 Benchmarks/autolrs/evidence.py --tasks mlp --seeds 1
  python3 Benchmarks/autolrs/evidence.py --json out.json; ... --report out.json
  python3 Benchmarks/autolrs/evidence.py --methods cosine,linear,constant --json out.json  # baselines first;
  python3 Benchmarks/autolrs/evidence.py --json out.json                                   # then the rest
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bindings" / "python"))
sys.path.insert(0, str(ROOT / "Benchmarks" / "refinement"))

from train_eval import context_batch, load_digits, load_text, make_model  # noqa: E402

BASELINES = ("cosine", "linear", "constant")
WARMUP_FRACTION = 0.02

# Per task: steps, batch, the baselines' peak grid, AutoLRS's range and
# stage lengths, how often the training loss is sampled, and the sizes of
# the char-LM's fixed evaluation samples (training / held-out / validation
# reports).
TASKS = {
    "mlp": dict(steps=2000, batch=32, grid=[3e-4, 1e-3, 3e-3, 1e-2], min_lr=1e-4, max_lr=3e-2, tau=160,
                tau_max=640, eval_every=25),
    "charlm": dict(steps=1500, batch=64, grid=[1e-3, 2e-3, 4e-3, 8e-3], min_lr=1e-4, max_lr=3e-2, tau=160,
                   tau_max=640, eval_every=50, eval_train=4096, eval_test=8192, eval_val=1024),
}
PAPER = {"ResNet-50": 1.22, "Transformer": 1.43, "BERT": 1.5, "average": 1.31}


# ---------------------------------------------------------------------------
# Data and losses

_DATA = {}


def data_for(task):
    if task not in _DATA:
        if task == "charlm":
            d = load_text()
            rng = np.random.default_rng(1)
            cfg = TASKS["charlm"]
            d["eval_train"] = d["eval_train"][: cfg["eval_train"]]
            d["eval_val"] = rng.integers(0, len(d["test"]) - 33, cfg["eval_val"])
            _DATA[task] = d
        else:
            _DATA[task] = load_digits()
    return _DATA[task]


class Losses:
    """The fixed evaluation sets of a task as tensors: training (the sampled
    curve and the final value), held-out (final) and validation (AutoLRS's
    reports in validation mode)."""

    def __init__(self, task, data, torch):
        self.torch = torch
        ce = torch.nn.functional.cross_entropy
        self.ce = ce
        if task == "charlm":
            self.train = context_batch(torch, data["train"], data["eval_train"])
            self.test = context_batch(torch, data["test"], data["eval_test"])
            self.val = context_batch(torch, data["test"], data["eval_val"])
        else:
            self.train = (torch.from_numpy(data["x_train"]), torch.from_numpy(data["y_train"]))
            self.test = (torch.from_numpy(data["x_test"]), torch.from_numpy(data["y_test"]))
            self.val = self.test

    def of(self, model, which):
        x, y = getattr(self, which)
        with self.torch.no_grad():
            return float(self.ce(model(x), y))


def batch_stream(task, data, seed, steps, batch, torch):
    """The k-th mini-batch of one seed (the same for every method)."""
    rng = np.random.default_rng(1000 + seed)
    if task == "charlm":
        positions = rng.integers(0, len(data["train"]) - 33, (steps, batch))
        return lambda k: context_batch(torch, data["train"], positions[k])
    x = torch.from_numpy(data["x_train"])
    y = torch.from_numpy(data["y_train"])
    idx = torch.from_numpy(rng.integers(0, len(y), (steps, batch)))
    return lambda k: (x[idx[k]], y[idx[k]])


# ---------------------------------------------------------------------------
# One run


def baseline_lrs(method, steps, peak):
    import pace

    warmup = int(round(WARMUP_FRACTION * steps))
    preset = "constant_with_warmup" if method == "constant" else method
    spec = {"preset": preset, "peak": peak, "warmup_steps": warmup}
    if method != "constant":
        spec["total_steps"] = steps
    with pace.Schedule(spec) as s:
        return s.values(0, steps)


def autolrs_config(task, seed):
    cfg = TASKS[task]
    return {"min_lr": cfg["min_lr"], "max_lr": cfg["max_lr"], "tau": cfg["tau"], "tau_prime": cfg["tau"] // 10,
            "candidates": 10, "tau_max": cfg["tau_max"], "seed": seed}


def run(task, seed, method, peak):
    """One training run; returns final losses, the sampled training-loss
    curve [(optimizer steps taken, of them steps that continue the run (not
    AutoLRS's trials), training loss)] and, for AutoLRS, its history."""
    import torch

    torch.set_num_threads(1)
    cfg = TASKS[task]
    steps = cfg["steps"]
    data = data_for(task)
    losses = Losses(task, data, torch)
    batch = batch_stream(task, data, seed, steps, cfg["batch"], torch)
    torch.manual_seed(seed)
    model = make_model(task, torch)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    ce = torch.nn.functional.cross_entropy
    taken = kept = 0
    curve = []
    committed = [True]  # AutoLRS: is the model the one that continues (not a trial)?

    def train_step():
        nonlocal taken, kept
        x, y = batch(taken)
        optimizer.zero_grad(set_to_none=True)
        loss = ce(model(x), y)
        loss.backward()
        optimizer.step()
        taken += 1
        kept += committed[0]
        if committed[0] and taken % cfg["eval_every"] == 0:
            curve.append((taken, kept, losses.of(model, "train")))
        return loss

    started = time.process_time()
    history = None
    if method == "autolrs":
        import pace.torch

        def on_action(a):  # only the steps that continue the run are on the curve, not the trials
            committed[0] = a["action"] == "train" and (
                a["report"] == "none" or (a["report"] == "val" and a["every"] == a["steps"]))

        tuner = pace.torch.train_with_autolrs(model, optimizer, train_step, steps, autolrs_config(task, seed),
                                              val_loss=lambda: losses.of(model, "val"), on_action=on_action)
        history = tuner.history
        tuner.close()
    else:
        for lr in baseline_lrs(method, steps, peak):
            for group in optimizer.param_groups:
                group["lr"] = float(lr)
            train_step()
    final_train = losses.of(model, "train")
    if not curve or curve[-1][0] != taken:
        curve.append((taken, kept, final_train))
    return {"task": task, "seed": seed, "method": method, "peak": peak, "steps": taken, "train": final_train,
            "test": losses.of(model, "test"), "curve": curve, "history": history,
            "seconds": time.process_time() - started}


def _job(args):
    return run(*args)


# ---------------------------------------------------------------------------
# Analysis


def steps_to_reach(curve, target, trials=True):
    """The first sampled step at which the training loss is <= target (None:
    never): counting every optimizer step, or (``trials=False``) only those
    that continue the run."""
    for taken, kept, loss in curve:
        if loss <= target:
            return taken if trials else kept
    return None


def analyse(results, seeds):
    """Per task: the tuned peak of each baseline, and per method the final
    losses and steps-to-target per seed."""
    out = {}
    by = {}
    for r in results:
        by.setdefault((r["task"], r["method"], r["peak"]), {})[r["seed"]] = r
    for task in TASKS:
        runs = {k: v for k, v in by.items() if k[0] == task}
        if not runs:
            continue
        chosen = {}
        grid_table = {}
        for method in BASELINES:
            means = {peak: float(np.mean([v[s]["train"] for s in seeds]))
                     for (t, m, peak), v in runs.items() if m == method}
            grid_table[method] = means
            chosen[method] = min(means, key=lambda p: means[p] if math.isfinite(means[p]) else math.inf)
        picked = {m: by[(task, m, chosen[m])] for m in BASELINES}
        picked["autolrs"] = by[(task, "autolrs", None)]
        per_seed_target = {s: min(picked[m][s]["train"] for m in BASELINES) for s in seeds}
        best_baseline = {s: min(BASELINES, key=lambda m: picked[m][s]["train"]) for s in seeds}
        rows = {}
        for m, v in picked.items():
            reach = [steps_to_reach(v[s]["curve"], per_seed_target[s]) for s in seeds]
            rows[m] = {"train": [v[s]["train"] for s in seeds], "test": [v[s]["test"] for s in seeds],
                       "reach": reach, "seconds": [v[s]["seconds"] for s in seeds],
                       "reach_kept": [steps_to_reach(v[s]["curve"], per_seed_target[s], trials=False)
                                      for s in seeds]}
        speedups = []
        for i, s in enumerate(seeds):
            base = rows[best_baseline[s]]["reach"][i]
            mine = rows["autolrs"]["reach"][i]
            speedups.append(None if (base is None or mine is None) else base / mine)
        held_out = {}
        for method in BASELINES:  # each baseline at its peak with the lowest mean held-out loss
            means = {peak: float(np.mean([v[s]["test"] for s in seeds]))
                     for (t, m, peak), v in runs.items() if m == method}
            peak = min(means, key=lambda p: means[p] if math.isfinite(means[p]) else math.inf)
            held_out[method] = (peak, [by[(task, method, peak)][s]["test"] for s in seeds])
        held_out["autolrs"] = (None, rows["autolrs"]["test"])
        out[task] = {"chosen": chosen, "grid": grid_table, "rows": rows, "target": per_seed_target,
                     "held_out": held_out,
                     "curves": [picked["autolrs"][s]["curve"] for s in seeds],
                     "best_baseline": best_baseline, "speedup": speedups,
                     "history": {s: picked["autolrs"][s]["history"] for s in seeds}}
    return out


def _stats(xs):
    a = np.array([x for x in xs if x is not None and math.isfinite(x)], dtype=float)
    if a.size == 0:
        return "-"
    if abs(a.mean()) < 0.01:
        return "%.2e ± %.1e" % (a.mean(), a.std())
    return "%.4f ± %.4f" % (a.mean(), a.std())


def _chosen_lrs(history):
    """The LR each stage trained with (pace.tune history: "lr")."""
    return [stage["lr"] for stage in history or []]


def report(analysis, seeds, steps_note=True):
    lines = []
    for task, a in analysis.items():
        cfg = TASKS[task]
        lines.append("%s: %d optimizer steps per run, batch %d, %d seeds" % (task, cfg["steps"], cfg["batch"],
                                                                          len(seeds)))
        lines.append("  tuned peaks (lowest mean final training loss over the grid %s): %s" % (
            cfg["grid"], ", ".join("%s %.0e" % (m, p) for m, p in a["chosen"].items())))
        for m in BASELINES:
            lines.append("    %-8s grid mean final train loss: %s" % (
                m, "  ".join("%.0e: %.3g" % (p, v) for p, v in sorted(a["grid"][m].items()))))
        lines.append("  %-9s %-20s %-20s %s" % ("method", "final train loss", "held-out loss",
                                                "steps to reach the best baseline's final train loss "
                                                "(per seed)"))
        for m in list(BASELINES) + ["autolrs"]:
            r = a["rows"][m]
            reach = ", ".join("-" if x is None else str(x) for x in r["reach"])
            lines.append("  %-9s %-20s %-20s %s" % (m, _stats(r["train"]), _stats(r["test"]), reach))
        sp = ", ".join("not reached" if x is None else "%.2fx" % x for x in a["speedup"])
        lines.append("  AutoLRS speedup over the best tuned baseline (per seed): %s   (paper: 1.22x-1.5x)" % sp)
        kept = a["rows"]["autolrs"]["reach_kept"]
        lines.append("  AutoLRS steps to reach it without its trials (the chosen LRs alone; per seed): %s; "
                     "the run kept %s of its %d steps" % (
                         ", ".join("-" if x is None else str(x) for x in kept),
                         "/".join(str(c[-1][1]) for c in a["curves"]), cfg["steps"]))
        lines.append("  held-out loss with each baseline's peak tuned for it instead: %s" % "; ".join(
            "%s %s%s" % (m, _stats(v), "" if p is None else " (peak %.0e)" % p)
            for m, (p, v) in a["held_out"].items()))
        for s in seeds:
            lines.append("  seed %d: best baseline %s; AutoLRS stage LRs: %s" % (
                s, a["best_baseline"][s], ", ".join("%.2e" % x for x in _chosen_lrs(a["history"][s])) or "-"))
        lines.append("")
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tasks", default="mlp,charlm")
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--methods", default="autolrs," + ",".join(BASELINES), help="the runs to do")
    ap.add_argument("--json", help="raw results: runs already in this file are not run again; all are written back")
    ap.add_argument("--report", help="only print the report of a --json file")
    args = ap.parse_args(argv)
    if args.report:
        saved = json.loads(Path(args.report).read_text())
        results, seeds = saved["results"], saved["seeds"]
    else:
        tasks = [t for t in args.tasks.split(",") if t]
        methods = [m for m in args.methods.split(",") if m]
        for t in tasks:
            if t not in TASKS:
                ap.error("unknown task %r (%s)" % (t, ", ".join(TASKS)))
        for m in methods:
            if m not in BASELINES + ("autolrs",):
                ap.error("unknown method %r" % m)
        seeds = list(range(args.seeds))
        done = []
        if args.json and Path(args.json).exists():
            done = json.loads(Path(args.json).read_text())["results"]
        have = {(r["task"], r["seed"], r["method"], r["peak"]) for r in done}
        jobs = [(t, s, "autolrs", None) for t in tasks for s in seeds if "autolrs" in methods]
        jobs += [(t, s, m, p) for t in tasks for s in seeds for m in BASELINES if m in methods
                 for p in TASKS[t]["grid"]]
        jobs = [j for j in jobs if j not in have]
        jobs.sort(key=lambda j: (j[0] != "charlm", j[2] != "autolrs"))  # long jobs first
        started = time.time()
        with ProcessPoolExecutor(args.workers, mp_context=get_context("fork")) as pool:
            fresh = list(pool.map(_job, jobs))
        wall = time.time() - started
        print("%d runs: %.0f s of CPU in the runs, %.0f s wall with %d workers (load after: %s)" % (
            len(fresh), sum(r["seconds"] for r in fresh), wall, args.workers,
            " ".join("%.1f" % x for x in os.getloadavg())))
        results = done + fresh
        if args.json:
            Path(args.json).write_text(json.dumps({"results": results, "seeds": seeds}))
        complete = {(r["task"], r["method"]) for r in results}
        if not all((t, m) in complete for t in tasks for m in BASELINES + ("autolrs",)):
            print("(runs of some methods are missing: no report)")
            return 0
    analysis = analyse(results, seeds)
    print(report(analysis, seeds))
    return 0


if __name__ == "__main__":
    sys.exit(main())
