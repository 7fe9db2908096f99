"""pace.batch, pace.batch_reduce and pace.Engine (bindings/python/pace/batch.py)
against the real libpace.so: rows equal Schedule.values bit for bit, any
thread count gives the same bits, reductions equal a plain loop, bad input
raises without writing, and PACE_NUMA / PACE_NUMA_SIMULATE (read when an
engine is created) in fresh subprocesses."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

import pace
from pace import _lib

ROOT = Path(__file__).resolve().parents[2]
BINDINGS = ROOT / "bindings" / "python"

SPECS = [
    {"preset": "cosine", "peak": 3e-4, "warmup_steps": 50, "total_steps": 900},
    {"preset": "wsd", "peak": 3e-4, "warmup_steps": 100, "stable_steps": 400, "decay_steps": 300,
     "decay_type": "1-sqrt"},
    {"preset": "onecycle", "peak": 0.1, "total_steps": 700, "pct_start": 0.3},
    {"preset": "inverse_sqrt", "peak": 1e-3, "warmup_steps": 100, "timescale": 300},
    {"preset": "sgdr", "peak": 0.1, "t0": 50, "t_mult": 2, "min_ratio": 0.01},
    {"preset": "step", "peak": 0.1, "step_size": 77, "gamma": 0.5},
    {"peak": 2, "after": "zero", "phases": [{"shape": "table", "values": [1, 0.5, 0.25, 0.75, 0.1]},
                                            {"shape": "exponential", "steps": 90, "to": 0.01}]},
    {"preset": "uba", "peak": 1e-3, "warmup_steps": 100, "total_steps": 1000, "phi": 1.5},
    {"preset": "rex", "peak": 1e-3, "warmup_steps": 100, "total_steps": 1000, "min_ratio": 0.05},
]


def specs(n):
    return [SPECS[i % len(SPECS)] for i in range(n)]


def naive(values, lam):
    """The definition (include/pace.h, pace_batch_reduce) as a plain loop:
    S1 with Kahan compensation, S2 plain, both in step order."""
    s1 = c = 0.0

    def add(v):
        nonlocal s1, c
        y = v - c
        t = s1 + y
        c = (t - s1) - y
        s1 = t

    add(values[0])
    prev = values[0]
    m = s2 = 0.0
    for v in values[1:]:
        m = lam * m + (prev - v)
        s2 += m
        add(v)
        prev = v
    return prev, s1, s2


# ---------------------------------------------------------------------------
# Values


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_rows_equal_schedule_values(dtype):
    scheds = [pace.Schedule(s) for s in specs(13)]
    m = pace.batch(scheds, 7, 2500, dtype=dtype, threads=2)
    assert m.shape == (13, 2500) and m.dtype == np.dtype(dtype)
    for i, s in enumerate(scheds):
        assert m[i].tobytes() == s.values(7, 2500, dtype=dtype).tobytes(), SPECS[i % len(SPECS)]


def test_specs_and_schedules_mix_and_temporary_schedules_are_freed():
    s = pace.Schedule(SPECS[0])
    m = pace.batch([SPECS[1], s, json.dumps(SPECS[2])], 0, 100)
    assert m[1].tobytes() == s.values(0, 100).tobytes()
    assert m[2].tobytes() == pace.Schedule(SPECS[2]).values(0, 100).tobytes()
    assert not s.closed  # a caller's schedule stays open


@pytest.mark.parametrize("threads", [1, 2, 3, 7])
def test_every_thread_count_gives_the_same_bits(threads):
    reference = pace.batch(specs(31), 3, 5003, threads=1)
    assert pace.batch(specs(31), 3, 5003, threads=threads).tobytes() == reference.tobytes()
    r1 = pace.batch_reduce(specs(31), 3, 5003, threads=1)
    rt = pace.batch_reduce(specs(31), 3, 5003, threads=threads)
    for a, b in zip(r1, rt):
        assert a.tobytes() == b.tobytes()


def test_count_zero_and_out_argument():
    assert pace.batch(specs(3), 0, 0).shape == (3, 0)
    out = np.full((3, 50), 7.0, dtype=np.float32)
    got = pace.Engine(threads=2).batch(specs(3), 10, 50, out=out)
    assert got is out
    assert out[2].tobytes() == pace.Schedule(SPECS[2]).values(10, 50, dtype=np.float32).tobytes()
    with pytest.raises(ValueError):
        pace.Engine(threads=1).batch(specs(3), 0, 50, out=np.empty((3, 49)))
    with pytest.raises(TypeError):
        pace.Engine(threads=1).batch(specs(3), 0, 50, out=np.empty((3, 50), dtype=np.int64))


# ---------------------------------------------------------------------------
# Reductions


def test_reduction_test_vector():
    # algorithms.md 6.1: eta = [1, 1, 0.5, 0.5], lambda = 0.5: S1 = 3, S2 = 0.75.
    spec = {"phases": [{"shape": "constant", "steps": 2, "from": 1}, {"shape": "constant", "steps": 2, "from": 0.5}]}
    r = pace.batch_reduce([spec] * 5, 0, 4, lam=0.5)
    assert r.final.tolist() == [0.5] * 5
    assert r.s1.tolist() == [3.0] * 5
    assert r.s2.tolist() == [0.75] * 5


@pytest.mark.parametrize("lam", [0.0, 0.5, 0.999])
def test_reductions_equal_a_plain_loop(lam):
    scheds = [pace.Schedule(s) for s in specs(11)]
    r = pace.batch_reduce(scheds, 5, 1301, lam=lam, threads=3)
    for i, s in enumerate(scheds):
        final, s1, s2 = naive(s.values(5, 1301).tolist(), lam)
        assert (r.final[i], r.s1[i], r.s2[i]) == (final, s1, s2)


def test_reduction_agrees_with_the_matrix():
    m = pace.batch(specs(9), 0, 20000)
    r = pace.batch_reduce(specs(9), 0, 20000)
    assert r.final.tobytes() == m[:, -1].copy().tobytes()
    np.testing.assert_allclose(r.s1, m.sum(axis=1), rtol=1e-12)


# ---------------------------------------------------------------------------
# Errors


def test_argument_errors():
    with pytest.raises(pace.ArgumentError, match="no schedules"):
        pace.batch([], 0, 10)
    with pytest.raises(pace.ArgumentError, match="no schedules"):
        pace.batch_reduce([], 0, 10)
    with pytest.raises(pace.ArgumentError, match="threads"):
        pace.batch(specs(2), 0, 10, threads=0)
    with pytest.raises(pace.ArgumentError, match="threads"):
        pace.Engine(threads=5000)
    with pytest.raises(pace.ArgumentError):
        pace.batch(specs(2), -1, 10)
    with pytest.raises(pace.ArgumentError):
        pace.batch(specs(2), 0, -10)
    with pytest.raises(pace.ArgumentError, match="lambda"):
        pace.batch_reduce(specs(2), 0, 10, lam=1.0)
    with pytest.raises(pace.ArgumentError, match="lambda"):
        pace.batch_reduce(specs(2), 0, 10, lam=float("nan"))
    with pytest.raises(pace.ArgumentError, match="count"):
        pace.batch_reduce(specs(2), 0, 0)
    with pytest.raises(pace.ArgumentError):
        pace.batch(specs(2), 2**62, 2**62)  # start + count overflows int64
    with pytest.raises(pace.ArgumentError):
        pace.batch(specs(4), 0, 2**62)  # n x count overflows
    with pytest.raises(pace.SpecError):
        pace.batch([SPECS[0], {"preset": "nope"}], 0, 10)
    with pytest.raises(TypeError):
        pace.batch(specs(2), 0, 10, dtype=np.int32)
    with pytest.raises(TypeError):
        pace.batch(SPECS[0], 0, 10)  # one spec, not a list
    with pytest.raises(pace.ArgumentError, match="numa"):
        pace.Engine(numa="sometimes")


def test_raw_calls_reject_null_schedules_and_short_buffers_without_writing():
    scheds = [pace.Schedule(s) for s in specs(3)]
    engine = pace.Engine(threads=2)
    arr = (_lib.SCHEDULE_P * 3)(scheds[0]._h(), None, scheds[2]._h())
    out = np.full(30, 42.0)
    ptr = out.ctypes.data_as(_lib.c_double_p)
    st = _lib.lib.pace_batch_fill_f64(engine._h(), arr, 3, 0, 10, ptr, 30)
    assert st == _lib.PACE_E_ARGUMENT and b"schedules[1] is NULL" in _lib.lib.pace_last_error()
    arr[1] = scheds[1]._h()
    st = _lib.lib.pace_batch_fill_f64(engine._h(), arr, 3, 0, 10, ptr, 29)
    assert st == _lib.PACE_E_BUFFER_TOO_SMALL and b"30" in _lib.lib.pace_last_error()
    assert (out == 42.0).all()
    st = _lib.lib.pace_batch_fill_f64(None, arr, 3, 0, 10, ptr, 30)
    assert st == _lib.PACE_E_ARGUMENT
    st = _lib.lib.pace_batch_fill_f64(engine._h(), arr, 3, 0, 2**62, ptr, 2**64 - 1)  # n x count overflows
    assert st == _lib.PACE_E_ARGUMENT and b"overflows size_t" in _lib.lib.pace_last_error()
    assert (out == 42.0).all()
    sums = np.full(3, 42.0)
    st = _lib.lib.pace_batch_reduce(engine._h(), arr, 3, 0, 10, -1.0, None, sums.ctypes.data_as(_lib.c_double_p), None)
    assert st == _lib.PACE_E_ARGUMENT and (sums == 42.0).all()
    assert _lib.lib.pace_batch_fill_f64(engine._h(), arr, 3, 0, 10, ptr, 30) == _lib.PACE_OK
    assert out[10:20].tobytes() == scheds[1].values(0, 10).tobytes()


def test_engine_info_and_lifetime():
    with pace.Engine(threads=3, numa="off") as e:
        info = e.info
        assert info == {"nodes": 1, "threads": 3, "pinned": 0, "simulated": False, "libnuma": False}
        assert "threads=3" in repr(e)
    assert e.closed and "closed" in repr(e)
    e.close()
    with pytest.raises(ValueError):
        e.info
    default = pace.Engine()
    assert default.info["threads"] == len(os.sched_getaffinity(0))
    if default.info["libnuma"]:
        assert default.info["pinned"] == default.info["threads"]


# ---------------------------------------------------------------------------
# The environment, in fresh processes


def run_python(code, **env):
    full = dict(os.environ)
    full.pop("PACE_NUMA", None)
    full.pop("PACE_NUMA_SIMULATE", None)
    full.update(env)
    full["PYTHONPATH"] = str(BINDINGS) + os.pathsep + full.get("PYTHONPATH", "")
    if "PACE_LIBRARY" not in full:
        full["PACE_LIBRARY"] = pace.library_path
    proc = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], env=full, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


PROBE = """
    import hashlib, json, sys
    import pace
    specs = json.loads(sys.argv[1]) if len(sys.argv) > 1 else %s
    try:
        e = pace.Engine(threads=2)
    except pace.PaceError as exc:
        print(json.dumps({"error": exc.status, "message": exc.message}))
        raise SystemExit(0)
    m = e.batch(specs, 0, 4000)
    r = e.batch_reduce(specs, 0, 4000)
    print(json.dumps({"info": e.info, "fill": hashlib.sha256(m.tobytes()).hexdigest(),
                      "reduce": hashlib.sha256(r.final.tobytes() + r.s1.tobytes() + r.s2.tobytes()).hexdigest()}))
""" % json.dumps(specs(17))


def digests():
    m = pace.batch(specs(17), 0, 4000, threads=2)
    r = pace.batch_reduce(specs(17), 0, 4000, threads=2)
    import hashlib
    return (hashlib.sha256(m.tobytes()).hexdigest(),
            hashlib.sha256(r.final.tobytes() + r.s1.tobytes() + r.s2.tobytes()).hexdigest())


def test_numa_off_falls_back_to_one_node():
    got = run_python(PROBE, PACE_NUMA="off")
    assert got["info"]["nodes"] == 1 and got["info"]["pinned"] == 0 and not got["info"]["libnuma"]
    assert (got["fill"], got["reduce"]) == digests()


def test_simulated_two_nodes_give_the_same_bits():
    got = run_python(PROBE, PACE_NUMA_SIMULATE="0-0,1-1")
    assert got["info"]["nodes"] == 2 and got["info"]["simulated"]
    assert (got["fill"], got["reduce"]) == digests()
    off = run_python(PROBE, PACE_NUMA="off", PACE_NUMA_SIMULATE="0-0,1-1")
    assert off["info"]["nodes"] == 1


@pytest.mark.parametrize("env", [{"PACE_NUMA": "maybe"}, {"PACE_NUMA_SIMULATE": "1-0"},
                                 {"PACE_NUMA_SIMULATE": "zero-one"}])
def test_malformed_environment_is_an_argument_error(env):
    got = run_python(PROBE, **env)
    assert got["error"] == "PACE_E_ARGUMENT" and "PACE_NUMA" in got["message"]


def test_fork_child_gets_new_engines():
    got = run_python("""
        import json, os
        import pace
        specs = [{"preset": "cosine", "peak": 1.0, "warmup_steps": 10, "total_steps": 500}] * 3
        parent = pace.batch(specs, 0, 500)
        engine = pace.Engine(threads=2)
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:
            try:
                try:
                    engine.batch(specs, 0, 10)
                    old = "no error"
                except pace.UnsupportedError as exc:
                    old = "fork" in exc.message and "UnsupportedError"
                same = pace.batch(specs, 0, 500).tobytes() == parent.tobytes()
                os.write(w, json.dumps({"old": old, "same": same}).encode())
            finally:
                os._exit(0)
        os.waitpid(pid, 0)
        print(os.read(r, 1000).decode())
    """)
    assert got == {"old": "UnsupportedError", "same": True}


def test_reductions_match_the_laws_functionals_bit_for_bit():
    # include/pace.h: S1 of steps 1 .. T-1 and S2 of steps 0 .. T-1 are
    # pace_functional_s1 / _s2 at T-1 (warmup RAW).
    from pace import laws

    T = 700
    for spec in SPECS:
        s1 = laws.s1(spec, warmup="raw", count=T)
        s2 = laws.s2(spec, lam=0.999, warmup="raw", count=T)
        assert pace.batch_reduce([spec], 1, T - 1, lam=0.999).s1[0] == s1[T - 1], spec
        assert pace.batch_reduce([spec], 0, T, lam=0.999).s2[0] == s2[T - 1], spec
