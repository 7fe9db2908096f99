"""The quality benchmark's workloads: data, models, batches and evaluation.

Four small real training problems on data that ships with scikit-learn or
with the interpreter (no download), sized so that one training run takes
about a second of one CPU core:

  logreg  multinomial logistic regression on scikit-learn's digits
          (8x8 images, 10 classes; 1297 train / 500 held-out), SGD;
  mlp     a 64-64-64-10 ReLU MLP on the same data, Adam;
  cnn     a two-layer convolutional net on the same images, Adam;
  charlm  a character MLP over the previous 16 characters of the Python
          standard library's own source (Lib/*.py; every 10th file held
          out), Adam.

The data loaders are those of Benchmarks/refinement/train_eval.py (imported,
not copied): the same split of digits and of the library's files.

Each workload gives the per-step training objective, a validation loss
(held-out cross-entropy, nats) and a training loss on a fixed subset (the
curve a loss-curve law is fitted to). Step costs are O(batch), evaluation
O(evaluation set): neither grows with the run's length.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
# The pace package: bindings/python of this repository, or PACE_QUALITY_BINDING (a
# directory holding a `pace` package, e.g. a snapshot matching the library in PACE_LIBRARY).
BINDING = os.environ.get("PACE_QUALITY_BINDING") or str(ROOT / "bindings" / "python")
sys.path.insert(0, str(ROOT / "Benchmarks" / "refinement"))

from train_eval import load_digits, load_text  # noqa: E402  (the refinement benchmark's loaders)

sys.path.insert(0, BINDING)  # after train_eval, which puts the repository's binding first

CTX = 16          # characters of context of the char-LM
SYMBOLS = 98      # the char-LM's alphabet (train_eval.encode)
EVAL_POSITIONS = 1024  # char-LM positions per evaluation (validation and training subsets)
L2_LOGREG = 1e-3  # logreg objective: CE + L2_LOGREG / 2 * ||W||^2

# Per workload: optimizer, batch size, the base of the peak-LR grid (the grid is
# base x GRID_FACTORS for every schedule), the step budgets (short, long), the
# norm used for refinement (L2 for SGD, L1 for Adam, as Defazio et al.) and
# whether a difficulty-ordered curriculum applies (per-sample data). The bases
# centre each grid on the tuned baseline's peak: the first full run (bases 1.0,
# 2e-3, 4e-3 for logreg, mlp, cnn) found the baseline's best peak at the top of
# the grid on those three; bases x4 left mlp-long and cnn-short at the top, so
# mlp and cnn moved up twice more (every tuned peak now inside its grid).
WORKLOADS = {
    "logreg": dict(optimizer="sgd", batch=32, base_lr=4.0, budgets=(50, 200), norm="l2", curriculum=True),
    "mlp": dict(optimizer="adam", batch=32, base_lr=1.6e-2, budgets=(50, 200), norm="l1", curriculum=True),
    "cnn": dict(optimizer="adam", batch=32, base_lr=3.2e-2, budgets=(40, 160), norm="l1", curriculum=True),
    "charlm": dict(optimizer="adam", batch=32, base_lr=4e-3, budgets=(50, 200), norm="l1", curriculum=False),
}
GRID_FACTORS = (0.25, 0.5, 1.0, 2.0, 4.0)


_DATA = {}


def data_for(workload: str) -> dict:
    """The workload's data, loaded once per process."""
    key = "text" if workload == "charlm" else "digits"
    if key not in _DATA:
        if key == "text":
            d = load_text()
            rng = np.random.default_rng(0)
            d["eval_train"] = rng.integers(0, len(d["train"]) - CTX - 1, EVAL_POSITIONS)
            d["eval_test"] = rng.integers(0, len(d["test"]) - CTX - 1, EVAL_POSITIONS)
            _DATA[key] = d
        else:
            _DATA[key] = load_digits()
    return _DATA[key]


def data_source(workload: str) -> str:
    return data_for(workload)["source"]


def make_model(workload: str, torch):
    nn = torch.nn
    if workload == "logreg":
        return nn.Linear(64, 10)
    if workload == "mlp":
        return nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
    if workload == "cnn":
        return nn.Sequential(nn.Unflatten(1, (1, 8, 8)),
                             nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(),
                             nn.Conv2d(4, 8, 3, stride=2, padding=1), nn.ReLU(),
                             nn.Flatten(), nn.Linear(8 * 4 * 4, 10))
    if workload == "charlm":
        return nn.Sequential(nn.Embedding(SYMBOLS, 12), nn.Flatten(), nn.Linear(CTX * 12, 96), nn.ReLU(),
                             nn.Linear(96, SYMBOLS))
    raise ValueError("unknown workload %r" % (workload,))


def make_optimizer(workload: str, params, torch):
    """The workload's optimizer with lr 1.0 (a placeholder: the schedule sets every step's lr)."""
    if WORKLOADS[workload]["optimizer"] == "sgd":
        return torch.optim.SGD(params, lr=1.0, foreach=True)
    return torch.optim.Adam(params, lr=1.0, foreach=True)


def dataset_size(workload: str) -> int:
    d = data_for(workload)
    return len(d["train"]) - CTX - 1 if workload == "charlm" else len(d["y_train"])


def _context(torch, text, positions):
    idx = positions[:, None] + np.arange(CTX + 1)[None, :]
    chunk = torch.from_numpy(text[idx])
    return chunk[:, :CTX], chunk[:, CTX]


class Batches:
    """The mini-batches of one seed: batch(t) for step t, the same for every
    schedule. `indices(t)` may be replaced by a curriculum sampler's."""

    def __init__(self, workload: str, seed: int, steps: int, torch):
        self.workload, self.torch = workload, torch
        self.data = data_for(workload)
        rng = np.random.default_rng(1000 + seed)
        self.index = rng.integers(0, dataset_size(workload), (steps, WORKLOADS[workload]["batch"]))
        if workload != "charlm":
            self.x = torch.from_numpy(self.data["x_train"])
            self.y = torch.from_numpy(self.data["y_train"])

    def indices(self, t: int) -> np.ndarray:
        return self.index[t]

    def batch(self, t: int, indices=None):
        idx = self.indices(t) if indices is None else indices
        if self.workload == "charlm":
            return _context(self.torch, self.data["train"], idx)
        i = self.torch.from_numpy(np.asarray(idx, dtype=np.int64))
        return self.x[i], self.y[i]


def objective(workload: str, model, logits, y, torch):
    """The training objective: mean cross-entropy (nats), plus the L2 penalty of the logistic regression."""
    loss = torch.nn.functional.cross_entropy(logits, y)
    if workload == "logreg":
        loss = loss + 0.5 * L2_LOGREG * model.weight.pow(2).sum()
    return loss


DIGITS_TRAIN_SUBSET = 512  # training samples of the digits workloads' intermediate training losses


def evaluate(workload: str, model, torch, full: bool = True):
    """(training loss, validation loss) in nats: the objective on the whole
    training set (`full=False`: on 512 fixed training samples; charlm: 1024
    fixed training positions either way) and the cross-entropy on the
    held-out data (charlm: 1024 fixed held-out positions)."""
    d = data_for(workload)
    ce = torch.nn.functional.cross_entropy
    with torch.no_grad():
        if workload == "charlm":
            xt, yt = _context(torch, d["train"], d["eval_train"])
            xv, yv = _context(torch, d["test"], d["eval_test"])
            return float(ce(model(xt), yt)), float(ce(model(xv), yv))
        n = len(d["y_train"]) if full else DIGITS_TRAIN_SUBSET
        x, y = torch.from_numpy(d["x_train"][:n]), torch.from_numpy(d["y_train"][:n])
        train = float(objective(workload, model, model(x), y, torch))
        return train, float(ce(model(torch.from_numpy(d["x_test"])), torch.from_numpy(d["y_test"])))


def difficulty(workload: str, torch) -> np.ndarray:
    """Per-sample difficulty for a competence curriculum (smaller = easier):
    the loss of each training sample under a logistic regression fitted by
    full-batch L-BFGS (a cheap model's loss, as docs/data.md suggests)."""
    d = data_for(workload)
    x = torch.from_numpy(d["x_train"]).double()
    y = torch.from_numpy(d["y_train"])
    model = torch.nn.Linear(64, 10).double()
    torch.nn.init.zeros_(model.weight)
    torch.nn.init.zeros_(model.bias)
    opt = torch.optim.LBFGS(model.parameters(), lr=1, max_iter=200, line_search_fn="strong_wolfe")

    def closure():
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(model(x), y) + 0.5 * 1e-2 * model.weight.pow(2).sum()
        loss.backward()
        return loss

    opt.step(closure)
    with torch.no_grad():
        return torch.nn.functional.cross_entropy(model(x), y, reduction="none").numpy().astype(np.float64)
