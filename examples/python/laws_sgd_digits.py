"""A loss-curve law from an ordinary SGD run: a numpy MLP on scikit-learn's
digits, trained by plain minibatch SGD at peak LR 0.1 (no rescaling: the fit
works in any LR units, docs/laws.md "LR units").

Fit both laws on a constant and a cosine run, then predict a held-out WSD run
(stable, then a linear cooldown to 0) that the fit never saw:

    python3 examples/python/laws_sgd_digits.py

Every run uses the same initial weights and the same minibatch order, and logs
the loss on the whole training set every LOG_EVERY steps, so the curves
differ only by their schedule.
"""
from __future__ import annotations

import numpy as np
from sklearn.datasets import load_digits

PEAK = 0.1
STEPS = 3000
WARMUP = 100
BATCH = 4
HIDDEN = 32
LOG_EVERY = 20


def constant():
    return np.full(STEPS, PEAK)


def cosine(final=0.1):
    t = np.arange(STEPS - WARMUP)
    return np.concatenate([np.full(WARMUP, PEAK),
                           PEAK * (final + (1 - final) * 0.5 * (1 + np.cos(np.pi * t / (STEPS - WARMUP - 1)))) ])


def wsd(decay=0.2):
    start = int(STEPS * (1 - decay))
    lr = np.full(STEPS, PEAK)
    lr[start:] = PEAK * (1 - np.arange(STEPS - start) / (STEPS - start))
    return lr


def with_warmup(lr):
    """Linear warmup over the first WARMUP steps, from PEAK / WARMUP to PEAK."""
    lr = lr.copy()
    lr[:WARMUP] = PEAK * np.arange(1, WARMUP + 1) / WARMUP
    return lr


def train(lr, seed=0):
    """SGD on digits with per-step LRs ``lr``; returns (steps, full training losses)."""
    x, y = load_digits(return_X_y=True)
    x = x / 16.0
    onehot = np.eye(10)[y]
    rng = np.random.default_rng(seed)
    w1 = rng.normal(0, 1 / np.sqrt(64), (64, HIDDEN))
    b1 = np.zeros(HIDDEN)
    w2 = rng.normal(0, 1 / np.sqrt(HIDDEN), (HIDDEN, 10))
    b2 = np.zeros(10)
    order = np.concatenate([rng.permutation(len(x)) for _ in range(STEPS * BATCH // len(x) + 1)])

    def forward(xb):
        h = np.tanh(xb @ w1 + b1)
        z = h @ w2 + b2
        z -= z.max(axis=1, keepdims=True)
        p = np.exp(z)
        return h, p / p.sum(axis=1, keepdims=True)

    steps, losses = [], []
    for t in range(STEPS):
        if t >= WARMUP and t % LOG_EVERY == 0:
            _, p = forward(x)
            steps.append(t)
            losses.append(float(-np.mean(np.log(p[np.arange(len(y)), y]))))
        idx = order[t * BATCH:(t + 1) * BATCH]
        h, p = forward(x[idx])
        dz = (p - onehot[idx]) / BATCH
        dh = (dz @ w2.T) * (1 - h * h)
        w2 -= lr[t] * h.T @ dz
        b2 -= lr[t] * dz.sum(axis=0)
        w1 -= lr[t] * x[idx].T @ dh
        b1 -= lr[t] * dh.sum(axis=0)
    return np.array(steps), np.array(losses)


def runs():
    """The three runs: name -> (per-step LRs, steps, losses)."""
    out = {}
    for name, lr in [("constant", constant()), ("cosine", cosine()), ("wsd", wsd())]:
        lr = with_warmup(lr)
        steps, losses = train(lr)
        out[name] = (lr, steps, losses)
    return out


def main():
    import pace

    data = runs()
    train_curves = [data["constant"], data["cosine"]]
    lr, steps, observed = data["wsd"]
    for kind in ["multi_power", "annealing"]:
        law = pace.laws.Law.fit(kind, train_curves)
        r2 = law.report["metrics"]["r2"]
        predicted = law.predict(lr, steps)
        error = np.abs(predicted - observed) / observed
        print("%-11s fit R^2 %.4f | held-out WSD: mean error %.2f%%, final loss %.4f predicted %.4f (%.2f%%)"
              % (kind, r2, 100 * error.mean(), observed[-1], predicted[-1], 100 * error[-1]))


if __name__ == "__main__":
    main()
