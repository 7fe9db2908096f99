"""Prediction intervals of pace.laws (Law.fit(..., interval=True), Law.predict_interval)
against the real libpace.so: the saved quantiles against numpy's own leave-one-curve-out
computation, bounds, levels, coverage on held-out 25M curves, the saved format 3."""

from __future__ import annotations

import csv
import json
import zlib
from pathlib import Path

import numpy as np
import pytest

from pace import laws
from pace.errors import ArgumentError, StateError, VersionError

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data" / "loss-curves" / "25M"
TRAIN = ["cosine_24000", "constant_24000", "wsdcon_9"]
TEST = ["cosine_72000", "constant_72000", "wsd_20000_24000", "wsdld_20000_24000", "wsdcon_3", "wsdcon_18"]
TABLE = 201


def curve(name):
    rows = list(csv.DictReader(open(DATA / (name + ".csv"))))
    return (str(DATA / (name + ".json")), np.array([int(r["step"]) for r in rows]),
            np.array([float(r["loss"]) for r in rows]))


@pytest.fixture(scope="module")
def annealing():
    """The annealing law (fast to fit) with its interval, on the study's three training curves."""
    return laws.Law.fit("annealing", [curve(n) for n in TRAIN], interval=True)


def numpy_quantiles(per_curve):
    """The weighted quantile table by its definition: each curve weighs 1/K, a point of a
    curve of n points 1/(K n); plotting position = the middle of a point's weight; linear
    interpolation between positions (np.interp), constant beyond the ends."""
    r = np.concatenate(per_curve)
    w = np.concatenate([np.full(len(c), 1.0 / (len(per_curve) * len(c))) for c in per_curve])
    order = np.argsort(r, kind="stable")
    r, w = r[order], w[order]
    positions = np.cumsum(w) - w / 2
    return np.interp(np.linspace(0, 1, TABLE), positions, r)


def test_saved_quantiles_equal_numpy_leave_one_curve_out(annealing):
    residuals = []
    for held in TRAIN:
        others = [curve(n) for n in TRAIN if n != held]
        with laws.Law.fit("annealing", others) as law:
            spec, steps, loss = curve(held)
            residuals.append(np.log(loss / law.predict(spec, steps)))
    saved = annealing.interval
    assert saved["method"] == "leave-one-curve-out"
    assert saved["curves"] == 3 and saved["points"] == sum(len(r) for r in residuals)
    got = np.array(saved["log_residual_quantiles"])
    want = numpy_quantiles(residuals)
    assert np.max(np.abs(got - want)) <= 1e-12 * max(1.0, np.max(np.abs(want)))


def test_interval_contains_prediction_and_widens_with_level(annealing):
    spec, steps, _ = curve("cosine_72000")
    point = annealing.predict(spec, steps)
    previous = None
    for level in [0.1, 0.5, 0.8, 0.9, 0.95, 0.99]:
        loss, lower, upper = annealing.predict_interval(spec, steps, level=level)
        np.testing.assert_array_equal(loss, point)
        assert np.all(lower <= loss) and np.all(loss <= upper)
        if previous is not None:
            assert np.all(lower <= previous[0]) and np.all(upper >= previous[1])
        previous = (lower, upper)
    lo50, hi50 = annealing.predict_interval(spec, steps, level=0.5)[1:]
    lo95, hi95 = annealing.predict(spec, steps, interval=0.95)[1:]
    assert np.all(hi95 - lo95 > hi50 - lo50)
    # The bounds are the prediction times exp of the table's quantiles.
    q = np.array(annealing.interval["log_residual_quantiles"])
    p = np.linspace(0, 1, TABLE)
    lo, hi = min(0.0, np.interp(0.05, p, q)), max(0.0, np.interp(0.95, p, q))
    _, lower, upper = annealing.predict_interval(spec, steps, level=0.9)
    np.testing.assert_allclose(lower, point * np.exp(lo), rtol=1e-14)
    np.testing.assert_allclose(upper, point * np.exp(hi), rtol=1e-14)


def test_coverage_on_the_held_out_curves_is_measured(annealing):
    """Calibrated on the three training curves, scored on the six others: the 90% interval
    covers a good share of their points (measured, printed; cv.py reports it in full)."""
    coverage = []
    for name in TEST:
        spec, steps, loss = curve(name)
        _, lower, upper = annealing.predict_interval(spec, steps, level=0.9)
        coverage.append(np.mean((loss >= lower) & (loss <= upper)))
    print("annealing 90%% interval, protocol coverage per curve: %s" % np.round(coverage, 3))
    assert np.mean(coverage) > 0.5


def test_saved_and_loaded_with_the_law(annealing, tmp_path):
    text = annealing.save()
    doc = json.loads(text)
    assert doc["version"] == 3
    back = laws.Law.load(text)
    assert back.save() == text
    spec, steps, _ = curve("wsdcon_3")
    for a, b in zip(back.predict_interval(spec, steps, level=0.8), annealing.predict_interval(spec, steps, level=0.8)):
        np.testing.assert_array_equal(a, b)
    path = tmp_path / "law.json"
    annealing.save(path)
    assert laws.Law.load(path).interval == annealing.interval


def test_damaged_law_file_is_still_rejected(annealing):
    text = annealing.save().encode()
    start = text.index(b'"interval"')
    for i in range(start, len(text) - 1, 97):  # bytes inside the interval's quantiles
        damaged = bytearray(text)
        damaged[i] ^= 0x04
        with pytest.raises((StateError, VersionError)):
            laws.Law.load(bytes(damaged))
    with pytest.raises(VersionError):
        laws.Law.load(text.replace(b'"version":3', b'"version":4'))
    # A version 2 header on a version 3 body: the checksums differ (the version is covered).
    with pytest.raises(StateError):
        laws.Law.load(text.replace(b'"version":3', b'"version":2'))


def test_version_2_file_still_loads(annealing):
    doc = json.loads(annealing.save())
    body = {k: v for k, v in doc["law"].items() if k != "interval"}
    body_text = json.dumps(body, separators=(",", ":"))
    v2 = '{"format":"pace-law","version":2,"length":%d,"crc32":%d,"law":%s}' % (
        len(body_text.encode()), zlib.crc32(body_text.encode()), body_text)
    law = laws.Law.load(v2)
    assert law.params == annealing.params
    assert law.interval is None


def test_errors():
    with laws.Law.create("multi_power", [3.04, 0.52, 0.51, 364, 2.07, 0.58, 0.64]) as law:
        spec, steps, _ = curve("cosine_24000")
        with pytest.raises(ArgumentError, match="no prediction interval"):
            law.predict_interval(spec, steps)
    fitted = laws.Law.fit("annealing", [curve(n) for n in TRAIN[:2]], interval=True)
    for level in [0.0, 1.0, -0.5, 1.5]:
        with pytest.raises(ArgumentError, match="level"):
            fitted.predict_interval(spec, steps, level=level)
    with pytest.raises(ArgumentError):
        fitted.predict_interval(spec, steps, level=float("nan"))
    with pytest.raises(ArgumentError, match="curve_count must be >= 2"):
        laws.Law.fit("annealing", [curve("cosine_24000")], interval=True)
    with pytest.raises(TypeError):
        laws.Law.fit("annealing", [curve(n) for n in TRAIN], interval=0.9)
