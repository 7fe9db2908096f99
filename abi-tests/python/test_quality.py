"""The schedule-quality benchmark's machinery (Benchmarks/quality).

Scoring against independent computations on synthetic inputs (AlgoPerf's
definitions, algorithms.md section 12: time to target, median over studies of
the minimum over trials, ratios with r_max = 4, profiles, trapezoid score),
the table built from a synthetic results file, and one tiny real run of
run.py (a few seconds of training).
"""

from __future__ import annotations

import gzip
import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
QUALITY = ROOT / "Benchmarks" / "quality"
sys.path.insert(0, str(QUALITY))

scoring = pytest.importorskip("scoring")


def test_time_to_target_is_the_first_evaluation_at_or_below_the_target():
    steps, val, secs = [10, 20, 30, 40], [3.0, 2.0, 1.5, 1.0], [0.1, 0.2, 0.3, 0.4]
    assert scoring.time_to_target(steps, val, 1.5, secs) == (30.0, 0.3)
    assert scoring.time_to_target(steps, val, 1.7, secs) == (30.0, 0.3)
    assert scoring.time_to_target(steps, val, 3.0, secs) == (10.0, 0.1)
    assert scoring.time_to_target(steps, val, 0.5, secs) == (math.inf, math.inf)
    assert scoring.time_to_target([], [], 1.0, []) == (math.inf, math.inf)


def test_study_time_is_the_median_over_seeds_of_the_minimum_over_the_grid():
    rng = np.random.default_rng(3)
    for _ in range(50):
        table = rng.choice([5.0, 10.0, 20.0, 40.0, math.inf], size=(3, 5))
        times = {seed: {gi: float(table[seed, gi]) for gi in range(5)} for seed in range(3)}
        assert scoring.study_time(times) == float(np.median(table.min(axis=1)))
    # two of three seeds miss everywhere: the study misses
    assert scoring.study_time({0: {0: 5.0}, 1: {0: math.inf}, 2: {0: math.inf}}) == math.inf


def test_target_is_the_lowest_median_best_validation_over_the_grid():
    best = {0: [0.5, 0.4, 0.6], 1: [0.30, 0.36, 0.34], 2: [0.31, 0.29, 0.33]}
    target, gi = scoring.set_target(best)
    assert gi == 2 and target == pytest.approx(float(np.median([0.31, 0.29, 0.33])))
    # a grid point with one seed diverged (inf) still has a finite median
    target, gi = scoring.set_target({0: [0.2, math.inf, 0.25], 1: [0.3, 0.3, 0.3]})
    assert gi == 0 and target == 0.25


def _reference_score(ratios, r_max=4.0, points=1001):
    """AlgoPerf's definition computed independently: profile by a loop, numpy's trapezoid."""
    taus = np.linspace(1.0, r_max, points)
    rho = np.array([sum(1 for r in ratios if r <= t) / len(ratios) for t in taus])
    trapezoid = getattr(np, "trapezoid", None) or np.trapz
    return float(trapezoid(rho, taus)) / (r_max - 1.0)


def test_ratios_profiles_and_scores_match_the_definition():
    rng = np.random.default_rng(7)
    for _ in range(30):
        t = {s: {w: float(rng.choice([1.0, 2.0, 3.0, 7.0, 11.0, math.inf])) * (1 + w % 3) for w in range(6)}
             for s in ("a", "b", "c")}
        t = {s: {"w%d" % w: v for w, v in per.items()} for s, per in t.items()}
        r = scoring.ratios(t)
        for w in t["a"]:
            best = min(t[s][w] for s in t)
            for s in t:
                expect = t[s][w] / best if math.isfinite(t[s][w]) else math.inf
                expect = expect if expect <= 4.0 else math.inf
                assert r[s][w] == pytest.approx(expect) if math.isfinite(expect) else r[s][w] == math.inf
        for s in t:
            assert scoring.benchmark_score(r[s]) == pytest.approx(_reference_score(list(r[s].values())), abs=1e-12)


def test_score_extremes_and_a_single_ratio():
    assert scoring.benchmark_score({"w": 1.0, "v": 1.0}) == pytest.approx(1.0)
    assert scoring.benchmark_score({"w": math.inf}) == 0.0
    # one workload at ratio 2.5: rho = 0 on [1, 2.5), 1 on [2.5, 4]: area 1.5 of 3
    assert scoring.benchmark_score({"w": 2.5}) == pytest.approx(0.5, abs=2e-3)
    # no schedule reaches a workload: every ratio is infinite
    r = scoring.ratios({"a": {"w": math.inf}, "b": {"w": math.inf}})
    assert r == {"a": {"w": math.inf}, "b": {"w": math.inf}}


def _fake_run(val, budget):
    n = len(val)
    steps = [int(round((k + 1) * budget / n)) for k in range(n)]
    return {"eval_steps": steps, "val": val, "train": [v - 0.1 for v in val],
            "seconds": [s / 1000 for s in steps], "final_val": val[-1], "final_train": val[-1] - 0.1}


def test_the_table_is_built_from_the_runs():
    report = pytest.importorskip("report")
    pytest.importorskip("matplotlib")
    budget = 100
    runs = {}
    # cosine (the baseline): best val 1.0 at grid 1 for every seed -> target 1.0
    for seed in range(3):
        runs["toy|%d|cosine|%d|0" % (budget, seed)] = _fake_run([3.0, 2.0, 1.5, 1.2], budget)
        runs["toy|%d|cosine|%d|1" % (budget, seed)] = _fake_run([3.0, 2.0, 1.5, 1.0], budget)
        # linear reaches 1.0 at step 50 (grid 0) on every seed: ratio 100 / 50 -> cosine 2.0
        runs["toy|%d|linear|%d|0" % (budget, seed)] = _fake_run([2.0, 1.0, 0.9, 0.8], budget)
        runs["toy|%d|linear|%d|1" % (budget, seed)] = _fake_run([3.0, 3.0, 3.0, 3.0], budget)
        # constant never reaches it
        runs["toy|%d|constant|%d|0" % (budget, seed)] = _fake_run([3.0, 2.0, 1.5, 1.1], budget)
    results = {"meta": {"budgets": {"toy": [budget, 4 * budget]}, "peaks": {"toy": [0.1, 0.2]},
                        "grid_factors": [0.5, 1.0], "seeds": [0, 1, 2], "cpu": "test", "cpus": 1,
                        "host_isa": "x", "pace_build": "x", "python": "3", "torch": "x", "numpy": "x",
                        "sklearn": "x", "started_utc": "-", "workers": 1, "seconds": 1.0,
                        "load_average_start": [0, 0, 0], "load_average_end": [0, 0, 0]},
               "law": {}, "runs": runs}
    a = report.analyse(results)
    label = "toy-short"
    assert a["targets"][label]["target"] == 1.0 and a["targets"][label]["grid_index"] == 1
    assert a["t_steps"]["linear"][label] == 50 and a["t_steps"]["cosine"][label] == 100
    assert a["t_steps"]["constant"][label] == math.inf
    assert a["ratios_steps"]["cosine"][label] == 2.0
    assert a["score_steps"]["linear"] == pytest.approx(1.0)
    assert a["score_steps"]["cosine"] == pytest.approx(_reference_score([2.0]), abs=1e-12)
    assert a["score_steps"]["constant"] == 0.0
    # linear's tuned peak for the final loss is grid 0 (0.8 < 3.0)
    assert a["final"]["linear"][label]["grid_index"] == 0
    md = report.markdown(results, a)
    assert "| linear | 1.000 |" in md and "| constant | 0.000 |" in md
    assert "| cosine | 100 (2.00) |" in md
    assert "**linear vs cosine**: faster on 1 of 1 workloads, lower final validation loss on 1 of 1" in md


def test_one_tiny_real_run(tmp_path):
    """run.py end to end: logreg, four schedules, one seed, one grid point, 20- and 30-step budgets."""
    pytest.importorskip("torch")
    pytest.importorskip("sklearn")
    pytest.importorskip("matplotlib")
    out = tmp_path / "results.json.gz"
    proc = subprocess.run([sys.executable, str(QUALITY / "run.py"), "--workloads", "logreg", "--seeds", "1",
                           "--grid", "2", "--budget-scale", "0.15", "--schedules", "constant,linear,cosine,offline",
                           "--workers", "1", "--out", str(out)], capture_output=True, text=True, timeout=240)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    with gzip.open(out, "rt") as f:
        results = json.load(f)
    runs = results["runs"]
    assert len(runs) == 2 * 4 and not any("error" in r for r in runs.values())
    for r in runs.values():
        assert r["eval_steps"] == sorted(r["eval_steps"]) and len(r["val"]) == len(r["eval_steps"])
        assert all(math.isfinite(v) and v > 0 for v in r["val"])
    md = (tmp_path / "results.md").read_text()
    assert "## Benchmark score" in md and "logreg-short" in md and "logreg-long" in md
    assert (tmp_path / "profiles.svg").read_text().lstrip().startswith("<?xml")
    assert results["meta"]["seeds"] == [0] and results["meta"]["cpu"]
