#!/usr/bin/env python3
"""A numpy trainer driven by AutoLRS (pace.tune; docs/autolrs.md).

Softmax regression with SGD + momentum (0.9) on synthetic data: 10 Gaussian
classes in 20 dimensions, 4000 training and 1000 held-out points, mini-batches
of 32. The trainer owns its state (weights, bias, momentum buffers and the
data cursor) and does what the tuner asks:

  checkpoint  copy the state       restore  copy it back
  train       `steps` SGD steps at the constant `lr`, reporting each step's
              training loss ("train") or a held-out loss every `every` steps
              ("val") when asked
  done        stop: every step taken, trials included, counted against
              total_steps

    python3 examples/python/autolrs_numpy.py                 # 6000 steps (a few seconds)
    python3 examples/python/autolrs_numpy.py --steps 1200 --tau 100 --tau-prime 10

The pace package is imported from bindings/python of this repository when it
is not installed (the library: PACE_LIBRARY or build/lib/libpace.so).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

try:
    import pace.tune
except ImportError:
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bindings" / "python"))
    import pace.tune


class SoftmaxTrainer:
    """Softmax regression trained by SGD with momentum; all state in numpy
    arrays so that a checkpoint is a copy of a dict."""

    def __init__(self, seed: int, dims: int = 20, classes: int = 10, n_train: int = 4000, n_test: int = 1000,
                 batch: int = 32):
        rng = np.random.default_rng(seed)
        centres = rng.normal(0.0, 1.0, (classes, dims))
        y = rng.integers(0, classes, n_train + n_test)
        x = centres[y] + rng.normal(0.0, 1.5, (y.size, dims))
        self.x_train, self.y_train = x[:n_train], y[:n_train]
        self.x_test, self.y_test = x[n_train:], y[n_train:]
        self.batch = batch
        self.order = np.random.default_rng(seed + 1).integers(0, n_train, (1 << 20,))
        self.state = {"w": np.zeros((dims, classes)), "b": np.zeros(classes), "vw": np.zeros((dims, classes)),
                      "vb": np.zeros(classes), "cursor": 0}

    @staticmethod
    def loss_and_grads(w, b, x, y):
        """Mean cross-entropy (nats) and its gradients."""
        z = x @ w + b
        z -= z.max(axis=1, keepdims=True)
        p = np.exp(z)
        p /= p.sum(axis=1, keepdims=True)
        loss = -np.mean(np.log(p[np.arange(y.size), y] + 1e-300))
        p[np.arange(y.size), y] -= 1.0
        p /= y.size
        return loss, x.T @ p, p.sum(axis=0)

    def step(self, lr: float, momentum: float = 0.9) -> float:
        s = self.state
        idx = self.order[(s["cursor"] + np.arange(self.batch)) % self.order.size]
        s["cursor"] += self.batch
        loss, gw, gb = self.loss_and_grads(s["w"], s["b"], self.x_train[idx], self.y_train[idx])
        s["vw"] = momentum * s["vw"] + gw
        s["vb"] = momentum * s["vb"] + gb
        s["w"] = s["w"] - lr * s["vw"]
        s["b"] = s["b"] - lr * s["vb"]
        return float(loss)

    def test_loss(self) -> float:
        return float(self.loss_and_grads(self.state["w"], self.state["b"], self.x_test, self.y_test)[0])

    def train_loss(self) -> float:
        return float(self.loss_and_grads(self.state["w"], self.state["b"], self.x_train, self.y_train)[0])

    def snapshot(self) -> dict:
        return {k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in self.state.items()}

    def load(self, snap: dict) -> None:
        self.state = {k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in snap.items()}


def run(config: dict, seed: int = 0, verbose: bool = True) -> dict:
    """Drives the protocol to the end; returns the trainer's final losses,
    the steps taken and the tuner's history."""
    trainer = SoftmaxTrainer(seed)
    saved = None
    steps_taken = 0
    with pace.tune.AutoLRS(config) as tuner:
        while True:
            a = tuner.next()
            if a["action"] == "done":
                break
            if a["action"] == "checkpoint":
                saved = trainer.snapshot()
            elif a["action"] == "restore":
                trainer.load(saved)
            else:
                losses = []
                for i in range(1, a["steps"] + 1):
                    loss = trainer.step(a["lr"])
                    if a["report"] == "train":
                        losses.append(loss)
                    elif a["report"] == "val" and i % a["every"] == 0:
                        losses.append(trainer.test_loss())
                steps_taken += a["steps"]
                if a["report"] != "none":
                    tuner.report(losses)
        history = tuner.history
        steps_used = tuner.steps_used
    result = {"train_loss": trainer.train_loss(), "test_loss": trainer.test_loss(), "steps_taken": steps_taken,
              "steps_used": steps_used, "history": history}
    if verbose:
        print("AutoLRS on softmax regression (SGD + momentum), %d optimizer steps (trials included)"
              % steps_taken)
        for stage in history:
            print("  " + pace.tune.describe_stage(stage))
        print("final training loss %.4f, held-out loss %.4f" % (result["train_loss"], result["test_loss"]))
    return result


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=6000, help="total optimizer steps, trials included")
    ap.add_argument("--tau", type=int, default=400, help="steps of a stage's exploitation (doubles)")
    ap.add_argument("--tau-prime", type=int, default=40, help="steps of one trial (doubles)")
    ap.add_argument("--candidates", type=int, default=6, help="trial LRs per stage")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    config = {"min_lr": 1e-4, "max_lr": 1.0, "total_steps": args.steps, "tau": args.tau,
              "tau_prime": args.tau_prime, "candidates": args.candidates, "tau_max": 8 * args.tau,
              "seed": args.seed}
    run(config, seed=args.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
