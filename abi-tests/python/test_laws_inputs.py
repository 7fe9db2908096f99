"""Laws from real runs (docs/laws.md, "Laws from real runs"): pace.laws.Law.fit
and `pace fit` on what trainers have -- per-step arrays, rows logged every k
steps with gaps and NaN, CSV -- against the fit on the full curves, and the
LR rule between logged rows against numpy."""

from __future__ import annotations

import csv
import os
import subprocess
from pathlib import Path

import numpy as np
import pytest

from pace import laws
from pace.errors import ArgumentError

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data" / "loss-curves" / "25M"
TRAIN = ["cosine_24000", "constant_24000", "wsdcon_9"]
TEST = ["cosine_72000", "constant_72000", "wsd_20000_24000", "wsdld_20000_24000", "wsdcon_3", "wsdcon_18"]
PACE = Path(os.environ.get("PACE_CLI", str(ROOT / "build" / "bin" / "pace")))


def load(name):
    rows = list(csv.DictReader(open(DATA / (name + ".csv"))))
    return (np.array([int(r["step"]) for r in rows]), np.array([float(r["lr"]) for r in rows]),
            np.array([float(r["loss"]) for r in rows]))


def spec(name):
    return DATA / (name + ".json")


def sparse(name, every=3, gap=(8000, 12000)):
    """Every `every`-th row of a 25M CSV (logged every 128 steps), without the
    rows of steps in `gap`, the LR logged only there, and a NaN loss now and then."""
    steps, lrs, losses = load(name)
    keep = (np.arange(steps.size) % every == 0) & ~((steps >= gap[0]) & (steps < gap[1]))
    losses = losses.copy()
    losses[np.arange(steps.size) % 17 == 5] = np.nan  # a loss that was not logged
    return {"step": steps[keep], "lr": lrs[keep], "loss": losses[keep]}


def lr_rule(steps, lrs, last):
    """The documented rule in numpy: linear between logged LRs, linear from 0
    at step 0 up to the first, held after the last."""
    xs, ys = np.asarray(steps, float), np.asarray(lrs, float)
    if xs[0] > 0:
        xs, ys = np.r_[0.0, xs], np.r_[0.0, ys]
    return np.interp(np.arange(last + 1, dtype=float), xs, ys)


def predictions(law):
    return np.concatenate([law.predict(spec(n), load(n)[0]) for n in TEST])


def fit(kind, curves):
    """The multi-power law by the study's recipe ("adam": the default LM fit
    stops short of convergence on 2/3 of the points), the annealing law by
    default."""
    return laws.Law.fit(kind, curves, method="adam" if kind == "multi_power" else "lm")


def difference(a, b):
    e = np.abs(a - b) / a
    return float(np.mean(e)), float(np.max(e))


@pytest.mark.parametrize("kind", ["annealing", "multi_power"])
def test_a_fit_on_sparse_logs_with_gaps_matches_the_fit_on_the_full_curves(kind):
    full = fit(kind, [(spec(n), load(n)[0], load(n)[2]) for n in TRAIN])
    a = predictions(full)
    # Losses every 384 steps without steps 8000-12000, the LR at every step (the spec).
    per_step = [(spec(n), r["step"], r["loss"]) for n, r in ((n, sparse(n, gap=(8000, 12000))) for n in TRAIN)]
    # The LR too only at the logged rows (no gap at wsdcon_9's drop at step 8000).
    runs = [sparse(n, gap=(14000, 18000)) for n in TRAIN]
    for curves in (per_step, runs):
        law = fit(kind, curves)
        mean, worst = difference(a, predictions(law))
        assert mean < 3e-3
        assert worst < (3e-3 if kind == "multi_power" else 3e-2)
        if kind == "multi_power":
            for name in ["L0", "A", "B", "C"]:
                assert law.params[name] == pytest.approx(full.params[name], rel=0.05), name
    # The LR between rows is the documented rule: the same fit from numpy's per-step LRs.
    logged = fit(kind, runs)
    tuples = []
    for r in runs:
        rates = lr_rule(r["step"], r["lr"], int(r["step"][-1]))
        has_loss = ~np.isnan(r["loss"])
        tuples.append((rates, r["step"][has_loss], r["loss"][has_loss]))
    reference = fit(kind, tuples)
    for name, value in logged.params.items():
        assert value == pytest.approx(reference.params[name], rel=1e-9, abs=1e-12), name


def test_csv_paths_text_rows_and_dataframes_give_the_same_law(tmp_path):
    runs = [sparse(n) for n in TRAIN]
    paths = []
    for name, r in zip(TRAIN, runs):
        path = tmp_path / (name + ".csv")
        lines = ["Epoch,STEP,Loss,Learning_Rate"]  # any case, lr named as Hugging Face does, an extra column
        for s, lr, loss in zip(r["step"], r["lr"], r["loss"]):
            lines.append("%d,%d,%s,%r" % (s // 1000, s, "" if np.isnan(loss) else repr(float(loss)), float(lr)))
        path.write_text("\n".join(lines) + "\n")
        paths.append(path)
    from_rows = laws.Law.fit("annealing", runs).params
    assert laws.Law.fit("annealing", paths).params == from_rows
    assert laws.Law.fit("annealing", [str(p) for p in paths]).params == from_rows
    assert laws.Law.fit("annealing", [p.read_text() for p in paths]).params == from_rows
    pd = pytest.importorskip("pandas")
    assert laws.Law.fit("annealing", [pd.read_csv(p) for p in paths]).params == from_rows


def test_per_step_arrays_with_nan_equal_the_logged_points():
    names = ["cosine_24000", "wsdcon_9"]
    per_step, points = [], []
    for n in names:
        steps, _, losses = load(n)
        rates = laws.Law.create("annealing", [3, 0.5, 0.5, 300, 0.999])  # only for its schedule input
        del rates
        from pace import Schedule
        with Schedule(spec(n)) as s:
            lr = s.values(0, int(steps[-1]) + 1)
        loss = np.full(lr.size, np.nan)
        loss[steps] = losses
        loss[0] = 9.0  # a loss at step 0 (S1 = 0) is skipped
        per_step.append({"lr": lr, "loss": loss})
        points.append((lr, steps, losses))
    assert laws.Law.fit("annealing", per_step).params == laws.Law.fit("annealing", points).params


def test_nan_losses_in_tuples_are_skipped():
    steps, _, losses = load("cosine_24000")
    with_nan = losses.copy()
    with_nan[[3, 10, 40]] = np.nan
    keep = ~np.isnan(with_nan)
    a = laws.Law.fit("annealing", [(spec("cosine_24000"), steps, with_nan)]).params
    b = laws.Law.fit("annealing", [(spec("cosine_24000"), steps[keep], losses[keep])]).params
    assert a == b


def test_bad_logs_are_errors_naming_the_row():
    r = sparse("cosine_24000")
    bad = dict(r, loss=r["loss"].copy())
    bad["loss"][4] = np.inf
    with pytest.raises(ArgumentError, match="row 4"):
        laws.Law.fit("annealing", [bad])
    with pytest.raises(ArgumentError, match="strictly increasing"):
        laws.Law.fit("annealing", [dict(r, step=r["step"][::-1].copy())])
    with pytest.raises(ArgumentError, match="same length"):
        laws.Law.fit("annealing", [dict(r, lr=r["lr"][:-1])])
    with pytest.raises(ArgumentError, match="'step' and 'loss'"):
        laws.Law.fit("annealing", ["time,loss\n1,2\n2,1.9\n"])
    with pytest.raises(ArgumentError, match="no learning rate"):
        laws.Law.fit("annealing", [{"step": [1, 2, 3], "loss": [3.0, 2.9, 2.8]}])
    with pytest.raises(ArgumentError, match="interval"):
        laws.Law.fit("annealing", [sparse(n) for n in TRAIN], interval=True)


@pytest.mark.skipif(not PACE.is_file(), reason="the CLI is not built (`make cli`)")
def test_the_cli_fits_a_sparse_csv_as_the_binding_does(tmp_path):
    paths = []
    for name in TRAIN:
        r = sparse(name)
        path = tmp_path / (name + ".csv")
        rows = ["step,lr,loss"] + ["%d,%r,%s" % (s, float(lr), "nan" if np.isnan(l) else repr(float(l)))
                                   for s, lr, l in zip(r["step"], r["lr"], r["loss"])]
        path.write_text("\n".join(rows) + "\n")
        paths.append(path)
    out = tmp_path / "law.json"
    args = [str(PACE), "fit", "--law", "multi_power", "--method", "adam", "--out", str(out)]
    for p in paths:
        args += ["--curve", str(p)]
    done = subprocess.run(args, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert "without a finite loss" in done.stderr
    cli = laws.Law.load(out.read_text().strip())
    ours = laws.Law.fit("multi_power", paths, method="adam")
    for name, value in ours.params.items():
        assert cli.params[name] == pytest.approx(value, rel=1e-12), name
    full = fit("multi_power", [(spec(n), load(n)[0], load(n)[2]) for n in TRAIN])
    assert difference(predictions(full), predictions(cli))[1] < 3e-3
