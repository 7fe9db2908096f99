#!/usr/bin/env python3
"""A PyTorch training loop whose batches come from a Pace competence
curriculum (pace.data.Sampler + pace.torch.PaceBatchSampler; docs/data.md),
interrupted half-way and resumed from the step alone.

A 2-layer MLP (16-64-2) learns a synthetic 2-class problem whose samples near
the teacher's decision boundary are hard: difficulty = -|margin|. The first
steps see only the easiest samples; the pool grows as sqrt(t) until step
``--steps / 2``, then covers everything. At step ``--steps / 2`` the loop
"crashes": a new DataLoader built from a new sampler and the saved step
continues with exactly the batches the uninterrupted run would have drawn
(checked).

    python3 examples/python/data_pacing_torch.py            # 400 steps (a few seconds)
    python3 examples/python/data_pacing_torch.py --steps 1000 --batch 64
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import torch

try:
    import pace.data
    import pace.torch
except ImportError:
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bindings" / "python"))
    import pace.data
    import pace.torch


def make_data(n: int, seed: int):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, 16, generator=g)
    w = torch.randn(16, generator=g)
    margin = x @ w
    return x, (margin > 0).long(), (-margin.abs()).double().numpy()   # difficulty: near the boundary = hard


def loader_for(sampler, dataset, start_step, steps):
    batches = pace.torch.PaceBatchSampler(sampler, start_step=start_step, steps=steps)
    return batches, torch.utils.data.DataLoader(dataset, batch_sampler=batches)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--steps", type=int, default=400)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--samples", type=int, default=4000)
    a = ap.parse_args(argv)
    x, y, difficulty = make_data(a.samples, seed=0)
    dataset = torch.utils.data.TensorDataset(x, y, torch.arange(a.samples))
    config = {"size": a.samples, "global_batch": a.batch, "seed": 1,
              "policy": {"kind": "competence", "pacing": "sqrt", "total_steps": a.steps // 2, "c0": 0.05}}

    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(16, 64), torch.nn.ReLU(), torch.nn.Linear(64, 2))
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    sampler = pace.data.Sampler(config, scores=difficulty)
    crash_at = a.steps // 2
    seen = []

    def train(loader, start):
        for step, (xb, yb, idx) in enumerate(loader, start=start):
            opt.zero_grad()
            loss = torch.nn.functional.cross_entropy(model(xb), yb)
            loss.backward()
            opt.step()
            seen.append(idx.tolist())
            if step % (a.steps // 8) == 0:
                print("step %5d  eligible %5d of %d  loss %.4f" % (step, sampler.eligible(step), a.samples,
                                                                  loss.item()))
            if step + 1 == crash_at:
                return {"step": step + 1}                # what a checkpoint keeps of the data order
        return None

    _, loader = loader_for(sampler, dataset, 0, a.steps)
    checkpoint = train(loader, 0)
    print("-- interrupted after step %d; resuming from the checkpoint's step alone" % (checkpoint["step"] - 1))
    sampler = pace.data.Sampler(config, scores=difficulty)    # a new process would rebuild it like this
    batches, loader = loader_for(sampler, dataset, 0, a.steps)
    batches.load_state_dict(checkpoint)
    train(loader, checkpoint["step"])

    expected = [sampler.batch(t).tolist() for t in range(a.steps)]
    assert seen == expected, "the resumed run drew other batches"
    with torch.no_grad():
        accuracy = (model(x).argmax(1) == y).float().mean().item()
    print("resumed run drew exactly the uninterrupted run's %d batches; training accuracy %.3f"
          % (len(seen), accuracy))
    return 0


if __name__ == "__main__":
    sys.exit(main())
