"""pace.optax.schedule: a Pace schedule as an optax schedule (count -> value),
tabulated once by the library and indexed with clipping, under jax.jit, with
traced, scalar and vector counts, in float64 (x64) and float32.

JAX's x64 mode is global (test_conformance_optax.py turns it on when it is
collected), so every test here sets it explicitly with jax.enable_x64(...)."""

from __future__ import annotations

import os

import numpy as np
import pytest

os.environ.setdefault("JAX_PLATFORMS", "cpu")
jax = pytest.importorskip("jax", reason="jax is not installed: pace.optax adapter tests skipped")
optax = pytest.importorskip("optax", reason="optax is not installed: pace.optax adapter tests skipped")
import jax.numpy as jnp  # noqa: E402

import pace  # noqa: E402
import pace.optax as pace_optax  # noqa: E402

SPECS = {
    "cosine": {"preset": "cosine", "peak": 3e-4, "warmup_steps": 100, "total_steps": 1000},
    "onecycle": {"preset": "onecycle", "peak": 0.1, "total_steps": 1001, "pct_start": 0.3},
    "wsd": {"preset": "wsd", "peak": 1e-3, "warmup_steps": 50, "stable_steps": 300, "decay_steps": 150,
            "decay_type": "sqrt", "min_ratio": 0.01},
    "linear_zero": {"preset": "linear", "peak": 0.1, "total_steps": 200, "after": "zero"},
}
OPEN_ENDED = {"preset": "sgdr", "peak": 0.1, "t0": 50, "t_mult": 2, "min_ratio": 0.01}


def x64_mode(enabled):
    return jax.enable_x64(enabled)


def expected_values(spec, start, count, x64):
    with pace.Schedule(spec) as s:
        return s.values(start, count, dtype=np.float64 if x64 else np.float32)


def as_numpy(x):
    return np.asarray(jax.device_get(x))


@pytest.mark.parametrize("x64", [True, False], ids=["x64", "x32"])
@pytest.mark.parametrize("name", sorted(SPECS))
def test_equals_schedule_values(name, x64):
    spec = SPECS[name]
    with x64_mode(x64):
        dtype = np.float64 if x64 else np.float32
        f = pace_optax.schedule(spec)
        total = pace.Schedule(spec).total_steps
        assert f.horizon == total and f.table.dtype == dtype and f.table.shape == (total + 1,)
        n = total + 300  # past the end too
        expected = expected_values(spec, 0, n, x64)
        jf = jax.jit(f)
        # vector counts, jit and not
        steps = jnp.arange(n)
        for fn in (f, jf):
            got = as_numpy(fn(steps))
            assert got.dtype == dtype and got.shape == (n,)
            assert np.array_equal(got, expected)
        # scalar counts: Python ints, jnp scalars (jit and not)
        for t in sorted({0, 1, 99, 100, total // 2, total - 1, total, total + 1, n - 1}):
            for value in (f(t), f(jnp.asarray(t)), jf(t), jf(jnp.asarray(t, dtype=jnp.int32))):
                v = as_numpy(value)
                assert v.shape == () and v.dtype == dtype
                assert v == expected[t], (t, v, expected[t])
        # 2-D counts are elementwise
        grid = jnp.arange(12).reshape(3, 4) * 37
        assert np.array_equal(as_numpy(jf(grid)), expected[np.arange(12).reshape(3, 4) * 37])


def test_past_the_end_is_the_library_value_past_the_end():
    with x64_mode(True):
        for name, spec in SPECS.items():
            f = pace_optax.schedule(spec)
            with pace.Schedule(spec) as s:
                n = s.total_steps
                after = s.at(n)
                assert float(f(n)) == after and float(f(10 * n)) == after and float(f(2**30)) == after
                assert float(f(-5)) == s.at(0)  # negative counts are clipped to step 0
        assert float(pace_optax.schedule(SPECS["linear_zero"])(10_000)) == 0.0


def test_traced_counts_in_scan_and_vmap():
    spec = SPECS["onecycle"]
    with x64_mode(True):
        f = pace_optax.schedule(spec)
        expected = expected_values(spec, 0, 1100, True)

        def body(count, _):
            return count + 1, f(count)

        _, ys = jax.jit(lambda: jax.lax.scan(body, jnp.asarray(0), None, length=1100))()
        assert np.array_equal(as_numpy(ys), expected)
        assert np.array_equal(as_numpy(jax.vmap(f)(jnp.arange(1100))), expected)


def test_open_ended_needs_a_horizon():
    with x64_mode(True):
        with pytest.raises(pace.ArgumentError, match="open-ended.*horizon"):
            pace_optax.schedule(OPEN_ENDED)
        with pytest.raises(ValueError, match="horizon"):
            pace_optax.schedule(OPEN_ENDED)
        f = pace_optax.schedule(OPEN_ENDED, horizon=500)
        assert f.horizon == 500
        expected = expected_values(OPEN_ENDED, 0, 501, True)
        assert np.array_equal(as_numpy(jax.jit(f)(jnp.arange(501))), expected)
        # past the horizon: held at the value of step `horizon`
        assert float(f(501)) == expected[500] and float(f(10**6)) == expected[500]
        with pytest.raises(pace.ArgumentError):
            pace_optax.schedule(OPEN_ENDED, horizon=0)
        with pytest.raises(TypeError):
            pace_optax.schedule(OPEN_ENDED, horizon=1.5)


def test_dtype_choice():
    spec = SPECS["cosine"]
    with x64_mode(True):
        f32 = pace_optax.schedule(spec, dtype=np.float32)
        assert f32.table.dtype == np.float32
        assert np.array_equal(as_numpy(f32(jnp.arange(1000))), expected_values(spec, 0, 1000, False))
        assert pace_optax.schedule(spec, dtype=jnp.float64).table.dtype == np.float64
    with x64_mode(False):
        with pytest.raises(ValueError, match="x64"):
            pace_optax.schedule(spec, dtype=np.float64)
    with pytest.raises(TypeError):
        pace_optax.schedule(spec, dtype=np.int32)


def test_spec_forms(tmp_path):
    spec = SPECS["wsd"]
    path = tmp_path / "wsd.json"
    with pace.Schedule(spec) as s:
        path.write_text(s.to_json())
        with x64_mode(True):
            expected = s.values(0, 600)
            for form in (s, spec, s.to_json(), str(path), path):
                assert np.array_equal(as_numpy(pace_optax.schedule(form)(jnp.arange(600))), expected)
    with pytest.raises(pace.SpecError, match=r"phases\[0\]\.steps"):
        pace_optax.schedule({"phases": [{"shape": "linear", "steps": -5, "to": 0}]})


# ---------------------------------------------------------------------------
# Inside optax optimizers, on a tiny quadratic loss 0.5 * |x - target|^2


TARGET = np.asarray([1.0, -2.0, 0.5])  # numpy: takes x's dtype (x64 or not) in the loss


def loss(x):
    return 0.5 * jnp.sum((x - jnp.asarray(TARGET, dtype=x.dtype)) ** 2)


def train(tx, steps):
    x = jnp.zeros(3)
    state = tx.init(x)

    @jax.jit
    def update(x, state):
        g = jax.grad(loss)(x)
        updates, state = tx.update(g, state, x)
        return optax.apply_updates(x, updates), state

    for _ in range(steps):
        x, state = update(x, state)
    return x, state


@pytest.mark.parametrize("x64", [True, False], ids=["x64", "x32"])
def test_inject_hyperparams_sgd(x64):
    spec = {"preset": "cosine", "peak": 0.5, "warmup_steps": 3, "total_steps": 10}
    with x64_mode(x64):
        sched = pace_optax.schedule(spec)
        tx = optax.inject_hyperparams(optax.sgd)(learning_rate=sched)
        x, state = train(tx, 8)
        # Reference: plain gradient descent with the lr of count k at update k.
        lrs = expected_values(spec, 0, 9, x64)
        dt = np.float64 if x64 else np.float32
        ref = np.zeros(3, dtype=dt)
        target = np.asarray(TARGET, dtype=dt)
        for k in range(8):
            ref = ref - lrs[k] * (ref - target)
        assert np.allclose(as_numpy(x), ref, rtol=1e-12 if x64 else 1e-5, atol=0)
        assert int(state.count) == 8
        assert float(state.hyperparams["learning_rate"]) == float(lrs[7])  # lr used by the last update
        assert float(loss(x)) < float(loss(jnp.zeros(3)))


def test_adam_with_schedule_matches_optax_schedule():
    """optax.adam(learning_rate=pace schedule) vs optax.adam with optax's own
    warmup_cosine_decay_schedule (preset warmup_cosine reproduces it)."""
    peak, warmup, decay, end = 0.1, 5, 40, 0.01
    spec = {"preset": "warmup_cosine", "peak": peak, "init_ratio": 0.0, "warmup_steps": warmup,
            "decay_steps": decay, "end_ratio": end}
    with x64_mode(True):
        ours, _ = train(optax.adam(learning_rate=pace_optax.schedule(spec)), 30)
        ref_sched = optax.warmup_cosine_decay_schedule(init_value=0.0, peak_value=peak, warmup_steps=warmup,
                                                       decay_steps=decay, end_value=end * peak)
        # optax's count is int32, and optax's schedule computes in float32 from an
        # int32 count even in x64 mode (JAX type promotion): give it an int64 count.
        ref, _ = train(optax.adam(learning_rate=lambda c: ref_sched(jnp.asarray(c, jnp.int64))), 30)
        assert np.allclose(as_numpy(ours), as_numpy(ref), rtol=1e-12, atol=1e-14)
        assert float(loss(ours)) < float(loss(jnp.zeros(3)))
        # The same table through a plain Python schedule gives bit-identical parameters.
        table = jnp.asarray(pace.Schedule(spec).values(0, decay + 1))
        same, _ = train(optax.adam(learning_rate=lambda c: table[jnp.minimum(c, decay)]), 30)
        assert np.array_equal(as_numpy(ours), as_numpy(same))
