"""OUR RE-IMPLEMENTATION of the multi-power-law study's fitting recipe (not the study's code).

The study's repository (github.com/thu-yao-01-luo/MultiPowerLaw, src/fitting.py) is not on
PyPI and cannot be fetched here, so this script follows the recipe as algorithms.md §6.2
documents it, written from that description:

1. (L0, A, alpha, B) from a 5 x 3 x 3 x 3 grid, each start refined by scipy L-BFGS-B on the
   surrogate L0 + A S1^-alpha - B (3e-4 - eta_t): L0 in minloss + {-0.2 .. 0.2}, A around
   exp(intercept) +- 0.1, alpha around -slope +- 0.1 from a log-log regression of
   (loss - minloss + 0.01) against S1, B in {100, 550, 1000}; the best start is kept.
2. C = 1, beta = 0.5, gamma = 0.5.
3. torch.optim.AdamW (float64), lr 5e-2 on {L0, A, B, C} and 5e-3 on {alpha, beta, gamma},
   at most 200 steps, stopping on patience 20 or a gradient norm below 1e-5; objective: the
   sum over curves and steps of Huber(delta 1e-3) on log(pred) - log(loss). LD is evaluated
   by its definition over the whole LR array (warmup included), as the study's code does:
   an (observed steps x T) matrix per curve, autograd for the gradient.

Usage: python3 Benchmarks/laws/reference_fit.py [--json]
"""
from __future__ import annotations

import json
import sys
import time
from itertools import product
from pathlib import Path

import numpy as np
import torch
from scipy.optimize import minimize

sys.path.insert(0, str(Path(__file__).resolve().parent))
from mpl_reference import PEAK, TEST, TRAIN, curve, huber, metrics, mpl_numpy, schedule  # noqa: E402

torch.set_default_dtype(torch.float64)


def prepare(name):
    lr = schedule(name)
    steps, loss = curve(name)
    lr_sum = np.cumsum(lr)
    return dict(lr=lr, steps=steps, loss=loss, lr_sum=lr_sum)


def surrogate_init(curves):
    minloss = min(c["loss"].min() for c in curves)
    s1 = np.concatenate([c["lr_sum"][c["steps"]] for c in curves])
    eta = np.concatenate([c["lr"][c["steps"]] for c in curves])
    loss = np.concatenate([c["loss"] for c in curves])
    slope, intercept = np.polyfit(np.log(s1), np.log(loss - minloss + 0.01), 1)

    def obj(p):
        pred = p[0] + p[1] * s1 ** (-p[2]) - p[3] * (PEAK - eta)
        if np.any(pred <= 0):
            return 1e10
        return huber(np.log(pred) - np.log(loss))

    best = None
    for l0, a, al, b in product(np.linspace(minloss - 0.2, minloss + 0.2, 5),
                                np.linspace(np.exp(intercept) - 0.1, np.exp(intercept) + 0.1, 3),
                                np.linspace(-slope - 0.1, -slope + 0.1, 3), [100, 550, 1000]):
        r = minimize(obj, [l0, a, al, b], method="L-BFGS-B")
        if best is None or r.fun < best.fun:
            best = r
    return best.x


class MPL(torch.nn.Module):
    def __init__(self, init):
        super().__init__()
        names = ["L0", "A", "alpha", "B", "C", "beta", "gamma"]
        for n, v in zip(names, init):
            setattr(self, n, torch.nn.Parameter(torch.tensor(float(v))))

    def forward(self, c):
        lr, lr_sum = c["lr_t"], c["lr_sum_t"]
        steps = c["steps"]
        # (observed steps x T) matrix of the definition, k = 1 .. s.
        k = torch.arange(1, len(lr))
        s = torch.as_tensor(steps)[:, None]
        mask = (k[None, :] <= s).to(lr.dtype)
        gap = (lr[1:] - lr[:-1])[None, :]
        ssum = (lr_sum[s] - lr_sum[k[None, :] - 1]).clamp(min=0)
        x = self.C * lr[1:][None, :] ** (-self.gamma) * ssum
        ld = torch.sum(mask * gap * (1 - (1 + x) ** (-self.beta)), dim=1)
        return self.L0 + self.A * lr_sum[s[:, 0]] ** (-self.alpha) + self.B * ld


def torch_huber(r, delta=1e-3):
    a = r.abs()
    return torch.where(a <= delta, 0.5 * r * r, delta * (a - 0.5 * delta)).sum()


def fit(curves, max_steps=200, patience=20):
    init = surrogate_init(curves)
    model = MPL(list(init) + [1.0, 0.5, 0.5])
    for c in curves:
        c["lr_t"] = torch.as_tensor(c["lr"])
        c["lr_sum_t"] = torch.as_tensor(c["lr_sum"])
        c["log_loss"] = torch.log(torch.as_tensor(c["loss"]))
    opt = torch.optim.AdamW([
        {"params": [model.L0, model.A, model.B, model.C], "lr": 5e-2},
        {"params": [model.alpha, model.beta, model.gamma], "lr": 5e-3},
    ])
    best, best_state, wait = float("inf"), None, 0
    for step in range(max_steps):
        opt.zero_grad()
        loss = sum(torch_huber(torch.log(model(c)) - c["log_loss"]) for c in curves)
        loss.backward()
        gnorm = torch.sqrt(sum(p.grad ** 2 for p in model.parameters())).item()
        if loss.item() < best:
            best, wait = loss.item(), 0
            best_state = {n: p.item() for n, p in model.named_parameters()}
        else:
            wait += 1
            if wait >= patience:
                break
        if gnorm < 1e-5:
            break
        opt.step()
    return best_state, best, step + 1


def main():
    as_json = "--json" in sys.argv
    t0 = time.perf_counter()
    curves = [prepare(n) for n in TRAIN]
    params, objective, steps = fit(curves)
    elapsed = time.perf_counter() - t0
    per = {}
    for n in TEST:
        s, l = curve(n)
        per[n] = metrics(l, mpl_numpy(params, schedule(n), s))
    avg = {k: float(np.mean([per[n][k] for n in TEST])) for k in ["r2", "mae", "rmse", "prede", "worste"]}
    out = dict(recipe="reference (our re-implementation: grid + L-BFGS-B surrogate, AdamW 200 steps, torch)",
               seconds=elapsed, adam_steps=steps, objective=objective, params=params, average=avg,
               threads=torch.get_num_threads())
    if as_json:
        print(json.dumps(out))
    else:
        print("reference recipe: %.2f s, %d AdamW steps, objective %.6g" % (elapsed, steps, objective))
        print("params", {k: round(v, 5) for k, v in params.items()})
        print("average over the six predicted curves", avg)


if __name__ == "__main__":
    main()
