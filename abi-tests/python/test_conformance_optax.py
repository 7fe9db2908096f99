"""Conformance of Pace with optax schedules (optax/schedules/_schedule.py),
step for step in float64.

The optax schedule is evaluated with JAX in float64 (jax_enable_x64) at the
integer steps 0..n-1 (an int64 array; optax schedules are elementwise in the
step count). Preset warmup_cosine reproduces warmup_cosine_decay_schedule;
linear_schedule, polynomial_schedule, cosine_decay_schedule and
exponential_decay are reproduced by raw phase specs. Tolerance: relative 1e-12
(pace_testutil.REL); optax is closed form everywhere.
"""

from __future__ import annotations

import math
import os

import numpy as np
import pytest

os.environ.setdefault("JAX_PLATFORMS", "cpu")
jax = pytest.importorskip("jax", reason="jax is not installed: optax conformance skipped")
optax = pytest.importorskip("optax", reason="optax is not installed: optax conformance skipped")
jax.config.update("jax_enable_x64", True)
import jax.numpy as jnp  # noqa: E402

from pace_testutil import CANCELLATION_ABS, assert_conforms, ours_values  # noqa: E402

LIB = "optax"


def optax_values(schedule, n):
    """optax's values at steps 0..n-1 (one vectorised call on an int64 array)."""
    steps = jnp.arange(n, dtype=jnp.int64)
    values = np.asarray(jax.device_get(schedule(steps)), dtype=np.float64)
    assert values.dtype == np.float64 and values.shape == (n,)
    return values


def check(spec, schedule, n, preset, peak):
    """Ours vs optax at every step 0..n-1, vectorised, and at a few steps
    through optax's scalar path (a Python int step). XLA's elementwise
    kernels (pow, cos) may round differently in the scalar and vectorised
    forms (measured: up to ~7e-14 relative for polynomial_schedule's
    frac**power), so both are compared with ours, neither with the other."""
    ours = ours_values(spec, n)
    # warmup_cosine decays to end_value through 1 + cos(pi c / D), which cancels near the end
    # (pace_testutil.CANCELLATION_ABS); the other optax forms are held to 1e-12 relative.
    abs_peak = CANCELLATION_ABS if preset == "warmup_cosine" else 0.0
    assert_conforms(ours, optax_values(schedule, n), library=LIB, preset=preset, case=str(spec), peak=peak,
                    spec=spec, abs_peak=abs_peak)
    picks = sorted({0, 1, n // 7, n // 3, n // 2, (2 * n) // 3, n - 2, n - 1})
    scalar = np.array([float(schedule(t)) for t in picks])
    assert_conforms(ours[picks], scalar, library=LIB, preset=preset, case="scalar steps %s %s" % (picks, spec),
                    peak=peak, spec=spec, abs_peak=abs_peak)


def test_x64_enabled():
    assert jnp.arange(3, dtype=jnp.float64).dtype == jnp.float64


# ---------------------------------------------------------------------------
# warmup_cosine_decay_schedule

WARMUP_COSINE = [
    # (peak, init_ratio, warmup_steps, decay_steps, end_ratio, exponent)
    (3e-4, 0.0, 100, 1000, 0.0, 1.0),
    (0.1, 0.1, 100, 1000, 0.01, 1.0),
    (1.0, 0.0, 0, 1000, 0.0, 1.0),          # no warmup
    (3e-4, 0.01, 250, 1500, 1e-3, 2.0),
    (0.1, 0.0, 50, 1200, 0.05, 0.5),
    (1.0, 0.5, 1, 1001, 0.1, 3.0),
    (0.1, 0.0, 0, 2000, 0.1, 1.5),
    # end_value 0, a few steps before decay_steps: 1 + cos(x) near x = pi
    # amplifies the rounding difference of optax's jnp.cos(jnp.pi * count /
    # decay_steps) (XLA) and Pace's cos(pi * (u / L)) (libm); fail at 1e-12
    # (~3e-12, ~4.9e-12). Left failing: reported.
    (1.0, 0.0, 100, 1653, 0.0, 0.5),
    (3e-4, 0.1, 100, 1752, 0.0, 2.0),
]


@pytest.mark.parametrize("peak, init, warmup, decay, end, exponent", WARMUP_COSINE)
def test_warmup_cosine(peak, init, warmup, decay, end, exponent):
    spec = {"preset": "warmup_cosine", "peak": peak, "init_ratio": init, "warmup_steps": warmup,
            "decay_steps": decay, "end_ratio": end, "exponent": exponent}
    schedule = optax.warmup_cosine_decay_schedule(
        init_value=init * peak, peak_value=peak, warmup_steps=warmup, decay_steps=decay,
        end_value=end * peak, exponent=exponent)
    check(spec, schedule, decay, "warmup_cosine", peak)


# ---------------------------------------------------------------------------
# linear_schedule and polynomial_schedule (raw phases)


def transition_spec(shape, init, end, steps, begin, **extra):
    """Pace phases for an optax transition from init to end over `steps`
    after `begin` steps at init; the scale is max(|init|, |end|)."""
    peak = max(abs(init), abs(end))
    phases = []
    if begin:
        phases.append({"shape": "constant", "steps": begin, "from": init / peak})
    phase = {"shape": shape, "steps": steps, "from": init / peak, "to": end / peak, **extra}
    if init < end:
        phase["mirror"] = False  # optax applies the falling formula as is
    phases.append(phase)
    return {"peak": peak, "phases": phases}, peak


LINEAR = [
    # (init, end, transition_steps, transition_begin, n)
    (1e-3, 1e-5, 1000, 0, 1000),
    (0.0, 0.1, 1000, 0, 1100),
    (1.0, 0.0, 900, 100, 1200),
    (3e-4, 3e-5, 1234, 17, 1300),
    (0.01, 1.0, 500, 250, 1000),
]


@pytest.mark.parametrize("init, end, steps, begin, n", LINEAR)
def test_linear_schedule(init, end, steps, begin, n):
    spec, peak = transition_spec("linear", init, end, steps, begin)
    check(spec, optax.linear_schedule(init, end, steps, begin), n, "linear shape (linear_schedule)", peak)


POLYNOMIAL = [
    # (init, end, power, transition_steps, transition_begin, n)
    (0.1, 0.001, 2.0, 1000, 0, 1000),
    (0.0, 0.1, 2.0, 1000, 0, 1100),        # rising: 1 - (1 - p)^2, mirror false
    (1.0, 0.0, 0.5, 1200, 0, 1200),
    (3e-4, 3e-6, 3.0, 1000, 100, 1300),
    (0.01, 1.0, 1.5, 800, 200, 1000),
    (1.0, 0.0, 1.0, 1000, 0, 1000),
]


@pytest.mark.parametrize("init, end, power, steps, begin, n", POLYNOMIAL)
def test_polynomial_schedule(init, end, power, steps, begin, n):
    spec, peak = transition_spec("polynomial", init, end, steps, begin, power=power)
    check(spec, optax.polynomial_schedule(init, end, power, steps, begin), n,
          "polynomial shape (polynomial_schedule)", peak)


# ---------------------------------------------------------------------------
# cosine_decay_schedule (raw phase: cosine from 1 to alpha, with exponent)

COSINE_DECAY = [
    # (init, decay_steps, alpha, exponent, n)
    (0.1, 1000, 0.0, 1.0, 1100),
    (3e-4, 1000, 0.01, 1.0, 1000),
    (1.0, 1500, 0.1, 2.0, 1500),
    (0.1, 1200, 0.0, 0.5, 1200),
    (1.0, 1000, 0.05, 3.0, 1000),
]


@pytest.mark.parametrize("init, decay, alpha, exponent, n", COSINE_DECAY)
def test_cosine_decay_schedule(init, decay, alpha, exponent, n):
    spec = {"peak": init, "phases": [{"shape": "cosine", "steps": decay, "from": 1, "to": alpha,
                                      "exponent": exponent}]}
    check(spec, optax.cosine_decay_schedule(init, decay, alpha=alpha, exponent=exponent), n,
          "cosine shape (cosine_decay_schedule)", init)


# ---------------------------------------------------------------------------
# exponential_decay: init * rate^((t - begin) / T), floor((t - begin) / T) with
# staircase, clipped at end_value. Pace: the exponential shape, either with
# `to` over a phase of k * T steps (to = rate^k; staircase T) or with the
# per-step factor `gamma` = rate^(1/T) (open-ended).

EXPONENTIAL_TO = [
    # (init, T, rate, begin, staircase, k cycles of T in the phase)
    (0.1, 100, 0.5, 0, False, 10),
    (0.1, 100, 0.5, 0, True, 10),
    (1.0, 250, 0.9, 50, False, 4),
    (3e-4, 37, 0.8, 10, True, 30),
    (1.0, 1000, 0.01, 0, False, 1),
    (0.1, 128, 1.05, 0, True, 8),    # rate > 1: growth
]


@pytest.mark.parametrize("init, T, rate, begin, staircase, k", EXPONENTIAL_TO)
def test_exponential_decay_to(init, T, rate, begin, staircase, k):
    phase = {"shape": "exponential", "steps": k * T, "from": 1, "to": rate ** k}
    if staircase:
        phase["staircase"] = T
    phases = ([{"shape": "constant", "steps": begin, "from": 1}] if begin else []) + [phase]
    spec = {"peak": init, "phases": phases}
    n = begin + k * T  # the phase's end; optax keeps decaying past it, Pace holds
    check(spec, optax.exponential_decay(init, T, rate, transition_begin=begin, staircase=staircase), n,
          "exponential shape (exponential_decay)", init)


EXPONENTIAL_GAMMA = [
    # (init, T, rate, begin, staircase, n)
    (0.1, 100, 0.5, 0, False, 1000),
    (0.1, 100, 0.5, 0, True, 1000),
    (1.0, 1, 0.995, 0, False, 1500),    # T = 1: gamma is the rate itself
    (3e-4, 50, 0.9, 25, True, 1200),
]


@pytest.mark.parametrize("init, T, rate, begin, staircase, n", EXPONENTIAL_GAMMA)
def test_exponential_decay_gamma(init, T, rate, begin, staircase, n):
    phase = {"shape": "exponential", "from": 1, "gamma": rate ** (1.0 / T)}
    if staircase:
        phase["staircase"] = T
    phases = ([{"shape": "constant", "steps": begin, "from": 1}] if begin else []) + [phase]
    spec = {"peak": init, "phases": phases}
    check(spec, optax.exponential_decay(init, T, rate, transition_begin=begin, staircase=staircase), n,
          "exponential shape, gamma (exponential_decay)", init)


@pytest.mark.parametrize("init, T, rate, end", [(0.1, 100, 0.5, 1e-4), (1.0, 300, 0.9, 0.05), (3e-4, 64, 0.7, 1e-6)])
def test_exponential_decay_end_value(init, T, rate, end):
    # Clipped at end_value: the decay reaches end / init after the fractional
    # length T * ln(end / init) / ln(rate), then Pace holds it (after: hold).
    length = T * math.log(end / init) / math.log(rate)
    spec = {"peak": init, "phases": [{"shape": "exponential", "steps": length, "from": 1, "to": end / init}]}
    n = max(1000, int(length) + 200)
    check(spec, optax.exponential_decay(init, T, rate, end_value=end), n,
          "exponential shape (exponential_decay end_value)", init)
