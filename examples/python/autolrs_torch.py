#!/usr/bin/env python3
"""A PyTorch training loop whose learning rate AutoLRS picks on the fly
(pace.torch.train_with_autolrs; docs/autolrs.md).

A 2-layer MLP (32-64-4) learns a synthetic 4-class problem (the labels come
from a random teacher network) with Adam. ``train_with_autolrs`` calls
``train_step`` exactly ``--steps`` times in all, trials included; checkpoints
are in-memory copies of the model's and optimizer's state_dict.

    python3 examples/python/autolrs_torch.py                # 4000 steps (about 10 s)
    python3 examples/python/autolrs_torch.py --steps 800 --tau 100 --tau-prime 10
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import torch

try:
    import pace.torch
except ImportError:
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bindings" / "python"))
    import pace.torch


def make_data(seed: int, n: int = 6000):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, 32, generator=g)
    teacher = torch.nn.Sequential(torch.nn.Linear(32, 16), torch.nn.Tanh(), torch.nn.Linear(16, 4))
    with torch.no_grad():
        for p in teacher.parameters():
            p.copy_(torch.randn(p.shape, generator=g))
        y = teacher(x).argmax(1)
    return x[:5000], y[:5000], x[5000:], y[5000:]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=4000, help="total optimizer steps, trials included")
    ap.add_argument("--tau", type=int, default=300)
    ap.add_argument("--tau-prime", type=int, default=30)
    ap.add_argument("--candidates", type=int, default=6)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)

    torch.manual_seed(args.seed)
    torch.set_num_threads(1)
    x, y, x_val, y_val = make_data(args.seed)
    model = torch.nn.Sequential(torch.nn.Linear(32, 64), torch.nn.ReLU(), torch.nn.Linear(64, 4))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = torch.nn.functional.cross_entropy
    batches = torch.Generator().manual_seed(args.seed + 1)
    steps_taken = 0

    def train_step():
        nonlocal steps_taken
        idx = torch.randint(0, x.shape[0], (64,), generator=batches)
        optimizer.zero_grad(set_to_none=True)
        loss = loss_fn(model(x[idx]), y[idx])
        loss.backward()
        optimizer.step()
        steps_taken += 1
        return loss

    def val_loss():
        return loss_fn(model(x_val), y_val)

    config = {"min_lr": 1e-4, "max_lr": 1e-1, "tau": args.tau, "tau_prime": args.tau_prime,
              "candidates": args.candidates, "tau_max": 8 * args.tau, "seed": args.seed}
    tuner = pace.torch.train_with_autolrs(model, optimizer, train_step, args.steps, config, val_loss=val_loss)
    print("AutoLRS with Adam on a 32-64-4 MLP: %d optimizer steps (tuner: %d, trials included)"
          % (steps_taken, tuner.steps_used))
    for stage in tuner.history:
        print("  " + pace.tune.describe_stage(stage))
    with torch.no_grad():
        train = float(loss_fn(model(x), y))
        val = float(val_loss())
        acc = float((model(x_val).argmax(1) == y_val).float().mean())
    print("final training loss %.4f, held-out loss %.4f, held-out accuracy %.3f" % (train, val, acc))
    tuner.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
