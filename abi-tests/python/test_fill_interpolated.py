"""float32 fills interpolate between exactly computed steps where the
rounding is proven (Sources/Pace/Schedule/FillRun+InterpolatedFloats.swift):
every value must still be float32(the float64 value) bit for bit. These tests
compare pace_schedule_fill_f32 with numpy's rounding of pace_schedule_fill_f64
(the exact path, the bits of pace_schedule_at) over long runs of every shape
whose kernel bounds its smoothness, their variants (warmups mirrored or not,
inclusive endpoints, offsets, cycles, negative and huge or tiny values), runs
that start anywhere, and randomly drawn schedules."""

from __future__ import annotations

import os
import random

import numpy as np
import pytest

import pace

N = 10_000_000
# Random schedules drawn (PACE_FILL_SEEDS=1500 for a longer search).
SEEDS = int(os.environ.get("PACE_FILL_SEEDS", "40"))


def assert_f32_is_rounded_f64(spec, start, count):
    s = pace.Schedule(spec)
    f32 = s.values(start, count, dtype=np.float32)
    f64 = s.values(start, count, dtype=np.float64)
    expected = f64.astype(np.float32)
    bad = np.flatnonzero(f32.view(np.uint32) != expected.view(np.uint32))
    assert bad.size == 0, (
        f"{bad.size} of {count} float32 values differ from float32(float64), first at step "
        f"{start + int(bad[0])}: {f32[bad[0]]!r} vs {expected[bad[0]]!r} ({f64[bad[0]]!r}); spec {spec}"
    )


def phase(shape, steps, **fields):
    return {"phases": [dict({"shape": shape, "steps": steps}, **fields)]}


SPECS = {
    "warmup+cosine": {"preset": "cosine", "peak": 3e-4, "warmup_steps": N // 20, "total_steps": N},
    "cosine to a floor": phase("cosine", N, **{"from": 1.0, "to": 0.1}),
    "cosine 3 cycles": phase("cosine", N, **{"from": 1.0, "to": 0.0, "cycles": 3}),
    "cosine inclusive": phase("cosine", N, **{"from": 2.0, "to": 0.0, "endpoint": "inclusive"}),
    "cosine warmup": phase("cosine", N, **{"from": 0.0, "to": 1.0}),
    "cosine offset": phase("cosine", N, **{"from": 1.0, "to": 0.0, "offset": 1234567.5}),
    "cosine negative": phase("cosine", N, **{"from": -1.0, "to": 2.5}),
    "cosine huge": {"peak": 3e38, "phases": [{"shape": "cosine", "steps": N, "from": 1.0, "to": 0.0}]},
    "cosine tiny": {"peak": 1e-40, "phases": [{"shape": "cosine", "steps": N, "from": 1.0, "to": 0.0}]},
    "wsd 1-sqrt": {"preset": "wsd", "peak": 3e-4, "warmup_steps": N // 20, "decay_steps": N // 5,
                   "total_steps": N, "decay_type": "sqrt"},
    "sqrt warmup": phase("sqrt", N, **{"from": 0.0, "to": 1.0}),
    "sqrt warmup unmirrored": phase("sqrt", N, **{"from": 0.0, "to": 1.0, "mirror": False}),
    "square": phase("square", N, **{"from": 1.0, "to": 0.0}),
    "polynomial 2": phase("polynomial", N, **{"from": 1.0, "to": 0.0, "power": 2}),
    "polynomial 1": phase("polynomial", N, **{"from": 1.0, "to": 0.0, "power": 1}),
    "polynomial 0.9": phase("polynomial", N, **{"from": 1.0, "to": 0.0, "power": 0.9}),
    "polynomial 3": phase("polynomial", N, **{"from": 2.0, "to": 0.5, "power": 3}),
    "cosine exponent 2": phase("cosine", N, **{"from": 1.0, "to": 0.0, "exponent": 2}),
    "cosine exponent 0.5 warmup": phase("cosine", N, **{"from": 0.0, "to": 1.0, "exponent": 0.5}),
    "linear": phase("linear", N, **{"from": 1.0, "to": 0.0}),
    "rex": {"preset": "rex", "peak": 3e-4, "total_steps": N},
    "uba phi=1": {"preset": "uba", "peak": 3e-4, "total_steps": N, "phi": 1},
    "uba phi=0.25": phase("uba", N, **{"from": 1.0, "to": 0.0, "phi": 0.25}),
    "uba phi=5": phase("uba", N, **{"from": 1.0, "to": 0.0, "phi": 5}),
    "exponential gamma": {"preset": "exponential", "peak": 3e-4, "gamma": 0.9999995},
    "exponential growth": phase("exponential", 5e7, **{"from": 1e-30, "gamma": 1.000001}),
    "exponential to": phase("exponential", N, **{"from": 1.0, "to": 1e-3}),
    "exponential staircase": phase("exponential", N, **{"from": 1.0, "gamma": 0.99999, "staircase": 1000}),
    "inverse_sqrt": phase("inverse_sqrt", N, **{"from": 1.0, "timescale": 1000}),
}


@pytest.mark.parametrize("name", sorted(SPECS))
def test_float32_fill_is_the_rounded_float64_fill(name):
    spec = SPECS[name]
    # A whole 10^7-step run (one call: the two-thread fork-join), and runs
    # that start anywhere, mid-vector, near the end and beyond 2^40.
    assert_f32_is_rounded_f64(spec, 0, N)
    for start, count in ((3, 70_001), (N // 2 + 1, 1 << 17), (N - 50_001, 100_000), ((1 << 40) + 5, 1 << 16)):
        assert_f32_is_rounded_f64(spec, start, count)


SHAPES = ["linear", "cosine", "sqrt", "square", "polynomial", "rex", "uba", "exponential", "inverse_sqrt"]


def random_phase(rng: random.Random):
    shape = rng.choice(SHAPES)
    steps = rng.choice([1e5, 3e6, 1e7, 7.3e7, 2e9, 1e12])
    p = {"shape": shape, "steps": steps}
    scale = 10 ** rng.uniform(-30, 30)
    if shape == "inverse_sqrt":
        p.update({"from": scale, "timescale": rng.choice([1, 1000, 1e6])})
        return p
    a, b = scale * rng.uniform(-2, 2), scale * rng.uniform(-2, 2)
    if shape == "exponential":
        a, b = abs(a) + 1e-300, abs(b) + 1e-300
    p.update({"from": a, "to": b})
    if rng.random() < 0.3:
        p["endpoint"] = "inclusive"
    if rng.random() < 0.3 and a < b:
        p["mirror"] = False
    if shape == "cosine" and rng.random() < 0.5:
        p["cycles"] = rng.choice([0.5, 1, 2.5, 10])
    if shape == "polynomial":
        p["power"] = rng.choice([0.5, 0.9, 1, 2, 3, 7])
    if shape == "cosine" and rng.random() < 0.3:
        p["exponent"] = rng.choice([0.5, 2, 3.5])
    if shape == "uba":
        p["phi"] = rng.choice([0.1, 0.5, 1, 2, 3, 10])
    if rng.random() < 0.2:
        p["offset"] = rng.uniform(0, steps / 2)
    return p


@pytest.mark.parametrize("seed", range(SEEDS))
def test_random_schedules(seed):
    rng = random.Random(seed)
    spec = {"phases": [random_phase(rng) for _ in range(rng.randint(1, 3))]}
    s = pace.Schedule(spec)
    total = s.total_steps or 10 ** 13
    for _ in range(3):
        start = rng.randrange(0, max(1, min(total, 2 ** 50)))
        assert_f32_is_rounded_f64(spec, start, rng.choice([4097, 1 << 16, 300_001]))
