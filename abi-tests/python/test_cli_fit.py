"""`pace fit`: the default method is each law's cross-validated default (auto), and
`--interval LEVEL` calibrates, prints and saves the prediction interval: the same table, bit
for bit, as the binding's Law.fit(..., interval=True), read back by `pace predict --interval`."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import numpy as np
import pytest

from pace import laws

ROOT = Path(__file__).resolve().parents[2]
PACE = Path(os.environ.get("PACE_CLI", str(ROOT / "build" / "bin" / "pace")))
DATA = ROOT / "data" / "loss-curves" / "25M"
TRAIN = ["cosine_24000", "constant_24000", "wsdcon_9"]

if not PACE.is_file():
    pytest.skip("the CLI %s is not built (`make cli`): CLI tests skipped" % PACE, allow_module_level=True)


def run(*args):
    return subprocess.run([str(PACE), *map(str, args)], capture_output=True, text=True, timeout=600)


def curve_args(names):
    out = []
    for n in names:
        out += ["--curve", "%s:%s" % (DATA / (n + ".json"), DATA / (n + ".csv"))]
    return out


def binding_curves(names):
    import csv
    res = []
    for n in names:
        rows = list(csv.DictReader(open(DATA / (n + ".csv"))))
        res.append((str(DATA / (n + ".json")), np.array([int(r["step"]) for r in rows]),
                    np.array([float(r["loss"]) for r in rows])))
    return res


@pytest.mark.parametrize("kind, method, warmup", [("multi_power", "adam", "sum"), ("annealing", "lm", "sum")])
def test_fit_default_method_is_auto(kind, method, warmup):
    r = run("fit", "--law", kind, *curve_args(TRAIN))
    assert r.returncode == 0, r.stderr
    assert "(warmup %s, method %s, the law's default, huber delta 1.00e-02)" % (warmup, method) in r.stdout, r.stdout
    j = run("fit", "--law", kind, "--json", *curve_args(TRAIN))
    fit = json.loads(j.stdout)["law"]["fit"]
    assert (fit["method"], fit["warmup"]) == (method, warmup)
    # The CLI's default fit is the binding's default fit.
    with laws.Law.fit(kind, binding_curves(TRAIN)) as law:
        assert json.loads(j.stdout)["law"]["params"] == law.params


def test_fit_method_lm_and_fixed_lambda_are_still_there():
    r = run("fit", "--law", "multi_power", "--method", "lm", "--json", *curve_args(TRAIN))
    assert json.loads(r.stdout)["law"]["fit"]["method"] == "lm"
    r = run("fit", "--law", "annealing", "--no-fit-lambda", "--json", *curve_args(TRAIN))
    assert json.loads(r.stdout)["law"]["params"]["lambda"] == 0.999
    r = run("fit", "--law", "multi_power", "--method", "newton", *curve_args(TRAIN))
    assert r.returncode != 0 and "--method must be auto, lm or adam" in r.stderr, r.stderr


def test_fit_interval_is_printed_saved_and_equals_the_bindings(tmp_path):
    out = tmp_path / "law.json"
    r = run("fit", "--law", "annealing", "--interval", "0.9", "--out", out, *curve_args(TRAIN))
    assert r.returncode == 0, r.stderr
    saved = json.loads(out.read_text())["law"]["interval"]
    with laws.Law.fit("annealing", binding_curves(TRAIN), interval=True) as law:
        assert saved == law.interval  # same table, bit for bit (JSON numbers round-trip)
    q = np.array(saved["log_residual_quantiles"])
    p = np.linspace(0, 1, len(q))
    lo, hi = np.exp(min(0.0, np.interp(0.05, p, q))), np.exp(max(0.0, np.interp(0.95, p, q)))
    m = re.search(r"90% prediction interval: the prediction x \[([0-9.e+-]+), ([0-9.e+-]+)\] "
                  r"\(leave-one-curve-out residuals of 3 curves, (\d+) points\)", r.stdout)
    assert m, r.stdout
    assert float(m.group(1)) == pytest.approx(lo, rel=1e-4) and float(m.group(2)) == pytest.approx(hi, rel=1e-4)
    assert int(m.group(3)) == saved["points"]
    assert "saved: %s (with the prediction interval)" % out in r.stdout
    # pace predict reads it back.
    spec = DATA / "cosine_72000.json"
    p = run("predict", out, spec, "--steps", "1000,36000,71999", "--interval", "0.9", "--json")
    assert p.returncode == 0, p.stderr
    pj = json.loads(p.stdout)
    assert np.allclose(np.array(pj["lower"]) / np.array(pj["loss"]), lo, rtol=1e-12)
    assert np.allclose(np.array(pj["upper"]) / np.array(pj["loss"]), hi, rtol=1e-12)
    # --json carries it too.
    j = run("fit", "--law", "annealing", "--interval", "0.8", "--json", *curve_args(TRAIN))
    assert json.loads(j.stdout)["law"]["interval"] == saved


@pytest.mark.parametrize("args, fragment", [
    (["--interval", "1.5"], "--interval must be a level in (0, 1)"),
    (["--interval", "0"], "--interval must be a level in (0, 1)"),
    (["--interval", "nan"], "--interval must be a level in (0, 1)"),
])
def test_fit_interval_bad_level(args, fragment):
    r = run("fit", "--law", "annealing", *args, *curve_args(TRAIN))
    assert r.returncode != 0 and fragment in r.stderr, r.stderr


def test_fit_interval_needs_two_curves():
    r = run("fit", "--law", "annealing", "--interval", "0.9", *curve_args(TRAIN[:1]))
    assert r.returncode != 0 and "at least 2 curves" in r.stderr, r.stderr
