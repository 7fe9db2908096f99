#!/usr/bin/env python3
"""Refined vs linear-decay vs cosine schedules on real (small) training runs.

The claim under test (Defazio et al. 2023, "When, Why and How Much?
Adaptive Learning Rate Scheduling by Refinement"): linear decay matches or
beats cosine, and a schedule refined from the gradient norms of a previous
run improves on linear decay (lower final loss is better).

Three tasks, all trained on the CPU with PyTorch, every schedule driven
through the Pace Python binding (pace.torch.PaceRuntimeScheduler over a
pace.Runtime):

  logreg  multinomial logistic regression on scikit-learn's bundled digits
          (8x8 images, 10 classes; 1297 train / 500 held-out), plain SGD,
          L2 gradient norms;
  mlp     a 64-128-128-10 MLP on the same data, Adam, L1 gradient norms;
  charlm  a character-level language model (an MLP over the previous 32
          characters) on the Python standard library's own source files
          (Lib/*.py of the running interpreter; every 10th file held out),
          Adam, L1 gradient norms.

Per task and seed, four schedules with the same step budget, peak LR and
warmup (2% of the steps, linear from 0), the same initial weights and the
same mini-batches:

  linear    linear decay to 0 (preset "linear");
  cosine    cosine decay to 0 (preset "cosine");
  offline   pace.refine() of the gradient norms recorded in this seed's
            linear run (L2 for SGD, L1 for Adam; median filter 10% of the
            run), played with pace.refine_spec(..., warmup_steps=W);
  online    a pace.Runtime whose lr channel starts as the linear schedule and
            is re-planned from the norms seen so far ("refine" section:
            every T/10 steps after T/5, smoothing 0.1).

Reported: the final training loss (cross-entropy over the whole training set
for logreg/mlp, over 8192 fixed positions of the training text for charlm)
and the held-out loss, mean, std and [min, max] over the seeds, and the number
of seeds on which a schedule beats linear decay (paired: same init and
batches).

  python3 Benchmarks/refinement/train_eval.py                 # everything (~190 s of CPU: ~2 min on 2 idle cores)
  python3 Benchmarks/refinement/train_eval.py --tasks logreg --seeds 5
  python3 Benchmarks/refinement/train_eval.py --sweep mlp     # linear decay vs peak LR, seed 0

Needs numpy, torch and scikit-learn (`pip install scikit-learn`; without
it the digits tasks are skipped, with a message). The pace package is
imported from bindings/python of this repository (the library from
PACE_LIBRARY or build/lib/libpace.so).
"""

from __future__ import annotations

import argparse
import glob
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

SCHEDULES = ("linear", "cosine", "offline", "online")

# Per task: steps, batch size, optimizer, peak LR (chosen with --sweep: near
# the best final training loss of linear decay, see README.md), norm kind.
TASKS = {
    "logreg": dict(steps=1500, batch=32, optimizer="sgd", peak=3.0, norm="l2"),
    "mlp": dict(steps=1500, batch=32, optimizer="adam", peak=1e-3, norm="l1"),
    "charlm": dict(steps=1500, batch=64, optimizer="adam", peak=3e-3, norm="l1"),
}
SWEEP = {
    "logreg": [0.1, 0.3, 1.0, 3.0, 10.0],
    "mlp": [3e-4, 1e-3, 3e-3, 1e-2],
    "charlm": [1e-3, 3e-3, 1e-2, 2e-2],
}
WARMUP_FRACTION = 0.02
L2_LOGREG = 1e-3  # the logistic regression's objective: CE + L2_LOGREG / 2 * ||W||^2 (strongly convex)
CTX = 32  # characters of context of the char-LM


# ---------------------------------------------------------------------------
# Data


def load_digits():
    """scikit-learn's bundled digits (no download), split 1297 / 500 with a
    fixed permutation, standardised with the training statistics."""
    from sklearn.datasets import load_digits as sk_digits

    d = sk_digits()
    x = d.data.astype(np.float32)
    y = d.target.astype(np.int64)
    perm = np.random.default_rng(0).permutation(len(y))
    train, test = perm[500:], perm[:500]
    mean = x[train].mean(0)
    std = x[train].std(0) + 1.0
    x = (x - mean) / std
    return {"x_train": x[train], "y_train": y[train], "x_test": x[test], "y_test": y[test],
            "source": "sklearn.datasets.load_digits (%d samples, 64 features, 10 classes)" % len(y)}


def encode(data: bytes) -> np.ndarray:
    """Bytes to ids: printable ASCII 32..126 -> 0..94, newline 95, tab 96, other 97."""
    a = np.frombuffer(data, dtype=np.uint8).astype(np.int64)
    out = np.full(a.shape, 97, dtype=np.int64)
    printable = (a >= 32) & (a <= 126)
    out[printable] = a[printable] - 32
    out[a == 10] = 95
    out[a == 9] = 96
    return out


def load_text():
    """The standard library's Lib/*.py of the running interpreter: every 10th
    file (sorted by name) held out, the rest for training."""
    lib = os.path.dirname(os.__file__)
    files = sorted(glob.glob(os.path.join(lib, "*.py")))
    train, test = [], []
    for i, f in enumerate(files):
        (test if i % 10 == 0 else train).append(Path(f).read_bytes())
    rng = np.random.default_rng(0)
    tr = encode(b"\n".join(train))
    te = encode(b"\n".join(test))
    return {"train": tr, "test": te,
            "eval_train": rng.integers(0, len(tr) - CTX - 1, 8192),
            "eval_test": rng.integers(0, len(te) - CTX - 1, 8192),
            "source": "%s/*.py of Python %s: %d files, %d train / %d held-out characters"
                      % (lib, sys.version.split()[0], len(files), len(tr), len(te))}


# ---------------------------------------------------------------------------
# Models and batches


def make_model(task, torch):
    nn = torch.nn
    if task == "logreg":
        return nn.Linear(64, 10)
    if task == "mlp":
        return nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 128), nn.ReLU(), nn.Linear(128, 10))

    class CharMLP(nn.Module):
        def __init__(self):
            super().__init__()
            self.emb = nn.Embedding(98, 16)
            self.body = nn.Sequential(nn.Linear(CTX * 16, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(),
                                      nn.Linear(256, 98))

        def forward(self, x):
            return self.body(self.emb(x).flatten(1))

    return CharMLP()


def context_batch(torch, text, positions):
    """(inputs, targets): CTX characters from each position, and the next one."""
    idx = positions[:, None] + np.arange(CTX + 1)[None, :]
    chunk = torch.from_numpy(text[idx])
    return chunk[:, :CTX], chunk[:, CTX]


def batches(task, data, seed, steps, batch, torch):
    """The mini-batches of one seed (the same for every schedule)."""
    rng = np.random.default_rng(1000 + seed)
    if task == "charlm":
        positions = rng.integers(0, len(data["train"]) - CTX - 1, (steps, batch))
        for t in range(steps):
            yield context_batch(torch, data["train"], positions[t])
    else:
        x = torch.from_numpy(data["x_train"])
        y = torch.from_numpy(data["y_train"])
        idx = torch.from_numpy(rng.integers(0, len(y), (steps, batch)))
        for t in range(steps):
            yield x[idx[t]], y[idx[t]]


def objective(task, model, logits, y, torch):
    """The training objective: mean cross-entropy (nats), plus the L2 penalty
    for the logistic regression."""
    loss = torch.nn.functional.cross_entropy(logits, y)
    if task == "logreg":
        loss = loss + 0.5 * L2_LOGREG * model.weight.pow(2).sum()
    return loss


def logreg_optimum(data):
    """f*, the minimum of the logistic regression's training objective
    (full-batch L-BFGS in float64), to report the final suboptimality."""
    import torch

    torch.set_num_threads(1)
    model = torch.nn.Linear(64, 10).double()
    torch.nn.init.zeros_(model.weight)
    torch.nn.init.zeros_(model.bias)
    x = torch.from_numpy(data["x_train"]).double()
    y = torch.from_numpy(data["y_train"])
    opt = torch.optim.LBFGS(model.parameters(), lr=1, max_iter=5000, tolerance_grad=1e-12,
                            tolerance_change=1e-15, history_size=50, line_search_fn="strong_wolfe")

    def closure():
        opt.zero_grad()
        loss = objective("logreg", model, model(x), y, torch)
        loss.backward()
        return loss

    for _ in range(3):
        opt.step(closure)
    with torch.no_grad():
        return float(objective("logreg", model, model(x), y, torch))


def evaluate(task, model, data, torch):
    """(training objective, held-out cross-entropy), in nats: the
    objective over the whole training set (8192 fixed positions of the
    training text for charlm), the plain cross-entropy on the held-out data."""
    ce = torch.nn.functional.cross_entropy
    with torch.no_grad():
        if task == "charlm":
            out = []
            for text, pos in ((data["train"], data["eval_train"]), (data["test"], data["eval_test"])):
                x, y = context_batch(torch, text, pos)
                out.append(float(ce(model(x), y)))
            return tuple(out)
        x, y = torch.from_numpy(data["x_train"]), torch.from_numpy(data["y_train"])
        return (float(objective(task, model, model(x), y, torch)),
                float(ce(model(torch.from_numpy(data["x_test"])), torch.from_numpy(data["y_test"]))))


# ---------------------------------------------------------------------------
# Schedules


def lr_spec(kind, steps, peak):
    warmup = int(round(WARMUP_FRACTION * steps))
    return {"preset": kind, "peak": peak, "warmup_steps": warmup, "total_steps": steps}


def runtime_config(schedule, task, steps, peak, linear_norms=None):
    import pace

    cfg = TASKS[task]
    warmup = int(round(WARMUP_FRACTION * steps))
    if schedule in ("linear", "cosine"):
        return {"channels": {"lr": lr_spec(schedule, steps, peak)}}
    if schedule == "offline":
        multipliers, _ = pace.refine(linear_norms, norm=cfg["norm"], smoothing=0.1)
        return {"channels": {"lr": pace.refine_spec(multipliers, peak, warmup_steps=warmup)}}
    if schedule == "online":
        return {"channels": {"lr": lr_spec("linear", steps, peak)},
                "refine": {"every": steps // 10, "norm": cfg["norm"], "smoothing": 0.1,
                           "min_history": steps // 5}}
    raise ValueError(schedule)


# ---------------------------------------------------------------------------
# Training


def train(task, data, seed, config, steps, torch):
    """One run; returns losses, the gradient norms (L2 and L1) and the lrs."""
    import pace.torch as pt

    cfg = TASKS[task]
    torch.manual_seed(seed)
    model = make_model(task, torch)
    params = [p for p in model.parameters()]
    if cfg["optimizer"] == "sgd":
        opt = torch.optim.SGD(params, lr=1.0)
    else:
        opt = torch.optim.Adam(params, lr=1.0)
    sched = pt.PaceRuntimeScheduler(opt, config, mode="absolute")  # the runtime's lrs (the optimizer's 1.0 is a placeholder)
    l2 = np.empty(steps)
    l1 = np.empty(steps)
    lrs = np.empty(steps)
    diverged = False
    for t, (x, y) in enumerate(batches(task, data, seed, steps, cfg["batch"], torch)):
        lrs[t] = opt.param_groups[0]["lr"]
        loss = objective(task, model, model(x), y, torch)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        grads = [p.grad for p in params]
        l2[t] = float(torch.linalg.vector_norm(torch.stack([torch.linalg.vector_norm(g) for g in grads])))
        l1[t] = float(sum(g.abs().sum() for g in grads))
        opt.step()
        sched.step(l2[t] if cfg["norm"] == "l2" else l1[t])
        if not math.isfinite(loss.item()):
            diverged = True
            break
    train_loss, test_loss = (float("nan"), float("nan")) if diverged else evaluate(task, model, data, torch)
    return {"train": train_loss, "test": test_loss, "l2": l2, "l1": l1, "lr": lrs}


_DATA = {}


def _data(task):
    key = "text" if task == "charlm" else "digits"
    if key not in _DATA:
        _DATA[key] = load_text() if key == "text" else load_digits()
    return _DATA[key]


def job(task, seed, steps, peak, schedules):
    """Every schedule of one (task, seed); the offline one needs the linear run."""
    import torch

    torch.set_num_threads(1)
    data = _data(task)
    out = {}
    linear_norms = None
    for schedule in schedules:
        if schedule == "offline" and linear_norms is None:
            raise ValueError("the offline schedule needs the linear run first")
        started = time.process_time()
        config = runtime_config(schedule, task, steps, peak, linear_norms)
        r = train(task, data, seed, config, steps, torch)
        if schedule == "linear":
            linear_norms = r["l2"] if TASKS[task]["norm"] == "l2" else r["l1"]
        out[schedule] = {"train": r["train"], "test": r["test"], "steps": steps,
                         "seconds": time.process_time() - started,
                         "lr": r["lr"][:: max(steps // 100, 1)].tolist(),
                         "norms": (r["l2"] if TASKS[task]["norm"] == "l2" else r["l1"])[:: max(steps // 100, 1)]
                         .tolist()}
    return task, seed, out


# ---------------------------------------------------------------------------
# Report


def stats(values):
    a = np.asarray(values, dtype=np.float64)
    return a.mean(), (a.std(ddof=1) if a.size > 1 else 0.0), a.min(), a.max()


def shape_summary(lr, peak):
    """The schedule at 0, 10, 25, 50, 75, 90 and 99% of the run, as fractions of the peak."""
    lr = np.asarray(lr)
    n = len(lr)
    return " ".join("%.2f" % (lr[min(int(f * n), n - 1)] / peak) for f in (0, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99))


def report(results, tasks, seeds, schedules, sources, fstar=None):
    lines = []
    lines.append("data: " + "; ".join(sources))
    header = "%-7s %-8s %-38s %-38s %s" % ("task", "schedule", "final train loss: mean ± std [min, max]",
                                           "held-out loss: mean ± std [min, max]", "beats linear (train, held-out)")
    lines.append(header)
    lines.append("-" * len(header))
    for task in tasks:
        per = {s: [results[(task, seed)][s] for seed in seeds] for s in schedules}
        for s in schedules:
            tr = [r["train"] for r in per[s]]
            te = [r["test"] for r in per[s]]
            m1, s1, lo1, hi1 = stats(tr)
            m2, s2, lo2, hi2 = stats(te)
            if s == "linear":
                wins = "-"
            else:
                lin_tr = [r["train"] for r in per["linear"]]
                lin_te = [r["test"] for r in per["linear"]]
                wins = "%d/%d  %d/%d" % (sum(a < b for a, b in zip(tr, lin_tr)), len(tr),
                                         sum(a < b for a, b in zip(te, lin_te)), len(te))
            lines.append("%-7s %-8s %.5f ± %.5f [%.5f, %.5f]  %.5f ± %.5f [%.5f, %.5f]  %s"
                         % (task, s, m1, s1, lo1, hi1, m2, s2, lo2, hi2, wins))
        lines.append("")
    if fstar is not None and "logreg" in tasks:
        lines.append("logreg: final suboptimality f - f* (f* = %.6f, full-batch L-BFGS), mean ± std [min, max]:"
                     % fstar)
        for s in schedules:
            m, sd, lo, hi = stats([results[("logreg", seed)][s]["train"] - fstar for seed in seeds])
            lines.append("  %-8s %.2e ± %.2e [%.2e, %.2e]" % (s, m, sd, lo, hi))
        lines.append("")
    lines.append("lr / peak at 0, 10, 25, 50, 75, 90, 99%% of the run (seed %d):" % seeds[0])
    for task in tasks:
        for s in schedules:
            lines.append("  %-7s %-8s %s" % (task, s, shape_summary(results[(task, seeds[0])][s]["lr"],
                                                                   TASKS[task]["peak"])))
    return "\n".join(lines)


def print_tables(runs, tasks, seeds, factors, steps):
    sources = []
    if "charlm" in tasks:
        sources.append("charlm: " + load_text()["source"])
    if any(t != "charlm" for t in tasks):
        sources.append("logreg/mlp: " + load_digits()["source"])
    print("steps: %s; peak LR: %s; warmup %.0f%%; seeds %s" % (
        ", ".join("%s %d" % (t, steps[t]) for t in tasks),
        ", ".join("%s %g" % (t, TASKS[t]["peak"]) for t in tasks), 100 * WARMUP_FRACTION, seeds))
    results = {(t, s): runs[(t, s, 1.0)] for t in tasks for s in seeds}
    fstar = logreg_optimum(load_digits()) if "logreg" in tasks else None
    print(report(results, tasks, seeds, SCHEDULES, sources, fstar))
    if len(factors) > 1:
        print()
        print(tuned_report(runs, tasks, seeds, factors))


def print_report(path):
    """The tables of a results file written with --json."""
    data = json.loads(Path(path).read_text())
    runs = {}
    for key, out in data.items():
        task, seed, factor = key.split("/")
        runs[(task, int(seed), float(factor[1:]))] = out
    tasks = [t for t in TASKS if any(k[0] == t for k in runs)]
    seeds = sorted({k[1] for k in runs})
    factors = sorted({k[2] for k in runs})
    steps = {t: runs[(t, seeds[0], 1.0)]["linear"].get("steps", TASKS[t]["steps"]) for t in tasks}
    print_tables(runs, tasks, seeds, factors, steps)
    return 0


def tuned_report(runs, tasks, seeds, factors):
    """Each schedule at its own best peak (lowest mean final training loss)."""
    lines = ["each schedule at its best peak LR (factor of the task's peak with the lowest mean final training loss;"
             " mean over seeds at factors %s in brackets):" % ", ".join("%g" % f for f in factors)]
    header = "%-7s %-8s %-6s %-22s %-22s %s" % ("task", "schedule", "factor", "train mean ± std",
                                               "held-out mean ± std", "train mean per factor")
    lines.append(header)
    lines.append("-" * len(header))
    for task in tasks:
        for s in SCHEDULES:
            means = {f: np.mean([runs[(task, seed, f)][s]["train"] for seed in seeds]) for f in factors}
            best = min(factors, key=lambda f: means[f] if math.isfinite(means[f]) else math.inf)
            m1, s1, _, _ = stats([runs[(task, seed, best)][s]["train"] for seed in seeds])
            m2, s2, _, _ = stats([runs[(task, seed, best)][s]["test"] for seed in seeds])
            lines.append("%-7s %-8s x%-5g %.5f ± %.5f      %.5f ± %.5f      [%s]" % (
                task, s, best, m1, s1, m2, s2, ", ".join("%.5f" % means[f] for f in factors)))
        lines.append("")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tasks", default="logreg,mlp,charlm")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--steps", type=int, default=None, help="override every task's step budget")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--sweep", default=None, help="a task: linear decay at several peak LRs, seed 0")
    parser.add_argument("--peak-factors", default="1",
                        help="also run every schedule at these multiples of the task's peak LR (e.g. 0.5,1,2) and "
                             "report each schedule's best; the main table is at factor 1")
    parser.add_argument("--json", default=None, help="write the results (and lr curves) to this file")
    parser.add_argument("--report", default=None, help="print the tables of a --json file (no training)")
    args = parser.parse_args(argv)

    tasks = [t for t in args.tasks.split(",") if t]
    for t in tasks + ([args.sweep] if args.sweep else []):
        if t not in TASKS:
            parser.error("unknown task %r (tasks: %s)" % (t, ", ".join(TASKS)))
    try:
        import sklearn  # noqa: F401
    except ImportError:
        dropped = [t for t in tasks if t != "charlm"]
        if dropped:
            print("scikit-learn is not installed (`pip install scikit-learn`): skipping %s" % ", ".join(dropped))
        tasks = [t for t in tasks if t == "charlm"]

    if args.report:
        return print_report(args.report)

    import pace
    import torch

    print("pace %s (%s), torch %s, numpy %s" % (pace.version(), pace.library_path, torch.__version__,
                                                np.__version__))
    started = time.perf_counter()
    ctx = get_context("spawn")

    if args.sweep:
        task = args.sweep
        steps = args.steps or TASKS[task]["steps"]
        with ProcessPoolExecutor(args.workers, mp_context=ctx) as pool:
            futures = {}
            for peak in SWEEP[task]:
                TASKS[task]["peak"] = peak
                futures[peak] = pool.submit(_sweep_job, task, steps, peak)
            for peak, f in futures.items():
                tr, te = f.result()
                print("%-7s linear peak %-8g train %.4f  held-out %.4f" % (task, peak, tr, te))
        print("%.0f s" % (time.perf_counter() - started))
        return 0

    seeds = list(range(args.seeds))
    factors = sorted({1.0, *(float(f) for f in args.peak_factors.split(",") if f)})
    runs = {}
    # Longest jobs first, so that the workers finish together.
    order = sorted(((t, s, f) for t in tasks for s in seeds for f in factors), key=lambda k: k[0] != "charlm")
    with ProcessPoolExecutor(args.workers, mp_context=ctx) as pool:
        futures = [(f, pool.submit(job, t, s, args.steps or TASKS[t]["steps"], TASKS[t]["peak"] * f, SCHEDULES))
                   for t, s, f in order]
        for factor, fut in futures:
            task, seed, out = fut.result()
            runs[(task, seed, factor)] = out
            print("  done %-7s seed %d peak x%g: %s" % (task, seed, factor, "  ".join(
                "%s %.4f/%.4f (%.1fs cpu)" % (s, out[s]["train"], out[s]["test"], out[s]["seconds"])
                for s in SCHEDULES)), flush=True)
    print()
    print_tables(runs, tasks, seeds, factors, {t: args.steps or TASKS[t]["steps"] for t in tasks})
    print("\ntotal %.0f s" % (time.perf_counter() - started))
    if args.json:
        Path(args.json).write_text(json.dumps({"%s/%d/x%g" % k: v for k, v in runs.items()}, indent=1))
    return 0


def _sweep_job(task, steps, peak):
    import torch

    torch.set_num_threads(1)
    TASKS[task]["peak"] = peak
    r = train(task, _data(task), 0, runtime_config("linear", task, steps, peak), steps, torch)
    return r["train"], r["test"]


if __name__ == "__main__":
    sys.exit(main())
