#!/usr/bin/env python3
"""Benchmarks/data/evidence.py - does pacing the data help a real (small) training run?

    python3 Benchmarks/data/evidence.py [--seeds 3] [--steps 600] [--tasks digits,digits-noisy] [--markdown]

Data: scikit-learn's digits (1797 8x8 images, 10 classes), split once into
train (1000), probe (300, used only by PUDF to estimate ability) and
held-out (497). Task ``digits-noisy`` is the same with 25% of the training
labels replaced by random ones (the setting data selection is meant for).

Model: a 64-128-10 MLP (torch, one thread), Adam at lr 2e-3, global batch 32,
the same number of optimizer steps for every policy. Per seed (3), the only
difference between the runs is which samples ``pace.data.Sampler`` puts in
each batch:

  uniform     epochs of keyed permutations of the training set.
  competence  Platanios et al.'s sqrt competence over T = steps / 2, c0 = 0.1;
              difficulty = the per-sample cross-entropy of a logistic regression
              (5-fold cross-validated predictions: its loss on data it did not fit).
  ability     PUDF: IRT difficulties from an artificial crowd (18 small MLPs
              trained on random halves of the training set for 1, 2, 3, 5, 8
              or 13 epochs, their 0/1 answers on train + probe items ->
              pace.data.irt_fit); every 32 steps (one pass over the training set) the model's
              answers on the probe items give its ability
              (pace.data.irt_ability), reported to the sampler
              (report_ability), which trains on {b_i <= cap}, at least 100.
  weighted    QuRating-style selection of 50% of the training set with
              temperature 2, rating = the logistic regression's cross-validated
              probability of the labelled class (its confidence in the label).
  weighted-75 the same selection keeping 75% at temperature 1.

Reported per task and policy: final training loss (on the whole training
set, noisy labels included), held-out loss and accuracy, mean and standard
deviation over the seeds. Runs in about three minutes on two cores.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import torch
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_val_predict

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bindings" / "python"))
import pace  # noqa: E402
import pace.data  # noqa: E402

torch.set_num_threads(1)
BATCH = 32
LR = 2e-3
POLICIES = ("uniform", "competence", "ability", "weighted", "weighted-75")


# ---------------------------------------------------------------------------
# Data and model


def load_task(name):
    x, y = load_digits(return_X_y=True)
    rng = np.random.default_rng(2024)
    order = rng.permutation(len(y))
    x = (x / 16.0).astype(np.float32)
    x = (x - x[order[:1000]].mean(0)) / (x[order[:1000]].std(0) + 1e-3)
    tr, pr, te = order[:1000], order[1000:1300], order[1300:]
    y_train = y[tr].copy()
    if name == "digits-noisy":
        flip = rng.random(len(tr)) < 0.25
        y_train[flip] = rng.integers(0, 10, size=int(flip.sum()))
    return {"x_train": x[tr], "y_train": y_train, "x_probe": x[pr], "y_probe": y[pr],
            "x_test": x[te], "y_test": y[te]}


def mlp(seed):
    torch.manual_seed(seed)
    return torch.nn.Sequential(torch.nn.Linear(64, 128), torch.nn.ReLU(), torch.nn.Linear(128, 10))


def loss_and_accuracy(model, x, y):
    with torch.no_grad():
        logits = model(torch.from_numpy(x))
        target = torch.from_numpy(y).long()
        return (float(torch.nn.functional.cross_entropy(logits, target)),
                float((logits.argmax(1) == target).float().mean()))


def correct(model, x, y):
    with torch.no_grad():
        return (model(torch.from_numpy(x)).argmax(1).numpy() == y)


def train(model, x, y, batches, on_step=None):
    """Trains on the given index batches (one optimizer step each)."""
    opt = torch.optim.Adam(model.parameters(), lr=LR)
    xt, yt = torch.from_numpy(x), torch.from_numpy(y).long()
    for step, idx in enumerate(batches):
        idx = torch.from_numpy(np.asarray(idx))
        opt.zero_grad()
        torch.nn.functional.cross_entropy(model(xt[idx]), yt[idx]).backward()
        opt.step()
        if on_step is not None:
            on_step(step + 1, model)
    return model


# ---------------------------------------------------------------------------
# Per-sample arrays: difficulty, rating, IRT difficulties


def cheap_model_scores(d):
    """(difficulty, rating) per training sample from a 5-fold cross-validated
    logistic regression: its cross-entropy, and its probability of the label."""
    proba = cross_val_predict(LogisticRegression(max_iter=300), d["x_train"], d["y_train"], cv=5,
                              method="predict_proba")
    p_label = np.clip(proba[np.arange(len(d["y_train"])), d["y_train"]], 1e-12, 1.0)
    return -np.log(p_label), p_label


def crowd_difficulties(d, seed=0):
    """PUDF's IRT-AC: 18 MLPs trained on random halves of the training set
    for 1..13 epochs answer every train and probe item; a 1PL fit of the
    answers gives each item's difficulty."""
    rng = np.random.default_rng(seed)
    x_all = np.concatenate([d["x_train"], d["x_probe"]])
    y_all = np.concatenate([d["y_train"], d["y_probe"]])
    answers = []
    n = len(d["y_train"])
    for k, epochs in enumerate([1, 2, 3, 5, 8, 13] * 3):
        half = rng.permutation(n)[: n // 2]
        steps = epochs * len(half) // BATCH
        batches = (half[rng.integers(0, len(half), size=BATCH)] for _ in range(steps))
        model = train(mlp(1000 + k), d["x_train"], d["y_train"], batches)
        answers.append(correct(model, x_all, y_all))
    b = pace.data.irt_fit(np.array(answers, dtype=np.uint8))
    return b[:n], b[n:]


# ---------------------------------------------------------------------------
# One run


def sampler_for(policy, d, arrays, steps, seed):
    n = len(d["y_train"])
    base = {"size": n, "global_batch": BATCH, "seed": seed}
    if policy == "uniform":
        return pace.data.Sampler(dict(base, policy={"kind": "uniform"}))
    if policy == "competence":
        return pace.data.Sampler(dict(base, policy={"kind": "competence", "pacing": "sqrt",
                                                    "total_steps": steps // 2, "c0": 0.1}),
                                 scores=arrays["difficulty"])
    if policy == "ability":
        return pace.data.Sampler(dict(base, policy={"kind": "ability", "min_pool": 100}),
                                 scores=arrays["b_train"])
    if policy == "weighted":
        return pace.data.Sampler(dict(base, policy={"kind": "weighted", "temperature": 2.0, "budget": 0.5}),
                                 scores=arrays["rating"])
    if policy == "weighted-75":
        return pace.data.Sampler(dict(base, policy={"kind": "weighted", "temperature": 1.0, "budget": 0.75}),
                                 scores=arrays["rating"])
    raise ValueError(policy)


def run(policy, d, arrays, steps, seed):
    sampler = sampler_for(policy, d, arrays, steps, seed)
    on_step = None
    if policy == "ability":
        every = -(-len(d["y_train"]) // BATCH)
        # PUDF estimates ability once before training, then once per epoch
        model = mlp(seed)
        theta = pace.data.irt_ability(arrays["b_probe"], np.where(correct(model, d["x_probe"], d["y_probe"]), 1, -1))
        sampler.report_ability(0, theta)

        def on_step(step, model):
            if step % every == 0 and step < steps:
                right = correct(model, d["x_probe"], d["y_probe"])
                sampler.report_ability(step, pace.data.irt_ability(arrays["b_probe"], np.where(right, 1, -1)))
    else:
        model = mlp(seed)
    batches = (sampler.batch(t) for t in range(steps))
    train(model, d["x_train"], d["y_train"], batches, on_step)
    tr_loss, tr_acc = loss_and_accuracy(model, d["x_train"], d["y_train"])
    te_loss, te_acc = loss_and_accuracy(model, d["x_test"], d["y_test"])
    pool_path = [sampler.eligible(t) for t in (0, steps // 4, steps // 2, steps - 1)]
    return {"train_loss": tr_loss, "test_loss": te_loss, "test_acc": te_acc, "pool": pool_path}


def mean_sd(xs):
    return statistics.mean(xs), (statistics.stdev(xs) if len(xs) > 1 else 0.0)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--steps", type=int, default=600)
    ap.add_argument("--tasks", default="digits,digits-noisy")
    ap.add_argument("--markdown", action="store_true", help="print the table as markdown (for results.md)")
    a = ap.parse_args(argv)
    t_start = time.time()
    cpu = next((l.split(":", 1)[1].strip() for l in Path("/proc/cpuinfo").read_text().splitlines()
                if l.startswith("model name")), "?")
    print("pace.data evidence: %d steps of batch %d, %d seeds; %s; %s; torch %s" % (
        a.steps, BATCH, a.seeds, cpu, pace.build_info(), torch.__version__))
    results = {}
    for task in a.tasks.split(","):
        d = load_task(task)
        difficulty, rating = cheap_model_scores(d)
        b_train, b_probe = crowd_difficulties(d)
        arrays = {"difficulty": difficulty, "rating": rating, "b_train": b_train, "b_probe": b_probe}
        if task == "digits-noisy":
            clean = load_task("digits")["y_train"] == d["y_train"]
            print("%s: noisy labels: difficulty (LR loss) mean %.2f clean vs %.2f noisy; IRT b mean %.2f vs "
                  "%.2f; rating mean %.2f vs %.2f" % (task, difficulty[clean].mean(), difficulty[~clean].mean(),
                                                        b_train[clean].mean(), b_train[~clean].mean(),
                                                        rating[clean].mean(), rating[~clean].mean()))
        for policy in POLICIES:
            results[task, policy] = [run(policy, d, arrays, a.steps, seed) for seed in range(a.seeds)]
    sep = "|" if a.markdown else " "
    head = ["task", "policy", "train loss", "held-out loss", "held-out acc", "eligible pool at 0, T/4, T/2, T"]
    if a.markdown:
        print("| " + " | ".join(head) + " |")
        print("|" + "---|" * len(head))
    else:
        print("%-13s %-11s %-18s %-18s %-18s %s" % tuple(head))
    for (task, policy), runs in results.items():
        cells = [task, policy]
        for key in ("train_loss", "test_loss", "test_acc"):
            m, s = mean_sd([r[key] for r in runs])
            cells.append("%.4f ± %.4f" % (m, s))
        cells.append(", ".join(str(x) for x in runs[0]["pool"]))
        if a.markdown:
            print("| " + " | ".join(cells) + " |")
        else:
            print("%-13s %-11s %-18s %-18s %-18s %s" % tuple(cells))
    print("(mean ± sd over %d seeds; %.0f s)" % (a.seeds, time.time() - t_start))
    return 0


if __name__ == "__main__":
    sys.exit(main())
