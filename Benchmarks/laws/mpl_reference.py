"""Shared pieces of our re-implementation of the multi-power-law study's fitting recipe.

NOT the study's code (github.com/thu-yao-01-luo/MultiPowerLaw is not reachable from here
and not on PyPI): this re-implements the recipe as algorithms.md §6.2 documents it, in
numpy (data, schedules, metrics) and PyTorch (the fit, see reference_fit.py).

Schedules: the per-step LR of each 25M curve, rebuilt from the study's description
(data/loss-curves/25M/README.md): peak 3e-4, warmup numpy.linspace(0, peak, 2160).
"""
from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data" / "loss-curves" / "25M"
PEAK, WARMUP = 3e-4, 2160
TRAIN = ["cosine_24000", "constant_24000", "wsdcon_9"]
TEST = ["cosine_72000", "constant_72000", "wsd_20000_24000", "wsdld_20000_24000", "wsdcon_3", "wsdcon_18"]
PUBLISHED = dict(L0=3.0405, A=0.5247, alpha=0.5079, B=363.79, C=2.0656, beta=0.5828, gamma=0.6414)


def schedule(name: str) -> np.ndarray:
    """Per-step LR, steps 0 .. T-1, as the study's data loader describes it."""
    kind = name.split("_")[0]
    if kind == "wsdcon":
        total = 16000
    else:
        total = int(name.split("_")[-1])
    t = np.arange(total, dtype=np.float64)
    lr = np.full(total, PEAK)
    lr[:WARMUP] = np.linspace(0, PEAK, WARMUP)
    post = t >= WARMUP
    if kind == "cosine":
        lr[post] = 3e-5 + 0.5 * (PEAK - 3e-5) * (1 + np.cos(np.pi * (t[post] - WARMUP) / (total - WARMUP)))
    elif kind == "wsdcon":
        n = int(name.split("_")[1])
        lr[t >= 8000] = n * 1e-5
    elif kind == "wsd":
        d = t >= 20000
        lr[d] = PEAK ** ((total - t[d]) / (total - 20000)) * 3e-5 ** ((t[d] - 20000) / (total - 20000))
    elif kind == "wsdld":
        d = t >= 20000
        p = (t[d] - 20000) / 4000
        lr[d] = PEAK * (1 - p) + 3e-5 * p
    return lr


def curve(name: str):
    rows = list(csv.DictReader(open(DATA / (name + ".csv"))))
    steps = np.array([int(r["step"]) for r in rows])
    loss = np.array([float(r["loss"]) for r in rows])
    return steps, loss


def mpl_numpy(p: dict, lr: np.ndarray, steps: np.ndarray) -> np.ndarray:
    """The law by its definition over the whole LR array (warmup included), O(len(steps) * T)."""
    lr_sum = np.cumsum(lr)
    gap = np.zeros_like(lr)
    gap[1:] = lr[1:] - lr[:-1]  # eta_k - eta_{k-1}
    out = np.empty(len(steps))
    for i, s in enumerate(steps):
        k = np.arange(1, s + 1)
        x = p["C"] * lr[k] ** (-p["gamma"]) * (lr_sum[s] - lr_sum[k - 1])
        ld = np.sum(gap[k] * (1 - (1 + x) ** (-p["beta"])))
        out[i] = p["L0"] + p["A"] * lr_sum[s] ** (-p["alpha"]) + p["B"] * ld
    return out


def metrics(obs: np.ndarray, pred: np.ndarray) -> dict:
    e = pred - obs
    return dict(r2=1 - np.sum(e**2) / np.sum((obs - obs.mean()) ** 2), mae=np.mean(np.abs(e)),
                rmse=np.sqrt(np.mean(e**2)), prede=np.mean(np.abs(e) / obs), worste=np.max(np.abs(e) / obs))


def huber(r: np.ndarray, delta: float = 1e-3) -> float:
    a = np.abs(r)
    return float(np.sum(np.where(a <= delta, 0.5 * r * r, delta * (a - 0.5 * delta))))
