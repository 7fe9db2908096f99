"""pace.Runtime (the training-loop runtime), pace.refine / pace.refine_spec
(offline refinement, Defazio et al. 2023) and pace.torch.PaceRuntimeScheduler.

Expected values come from independent computations: pace.Schedule for the
channels, closed forms for the events, the reference test vectors of
/work/shared/reference/algorithms.md §2.1, and a numpy/scipy re-implementation
of the reference pipeline (median_filter over a right-reflect-padded
sequence, weights g^-2 or g^-1, suffix sums, normalised to max 1, last 0).
"""

from __future__ import annotations

import copy
import ctypes
import gc
import io
import json
import math
import os
import pickle
import re
import struct
import subprocess
import sys
import weakref
import zlib
from pathlib import Path

import numpy as np
import pytest

import pace
from pace import _lib
from pace.runtime import Runtime

ROOT = Path(__file__).resolve().parents[2]
BINDINGS = ROOT / "bindings" / "python"
HEADER = ROOT / "include" / "pace.h"

COSINE = {"preset": "cosine", "peak": 3e-4, "warmup_steps": 10, "total_steps": 100}
MOMENTUM = {"peak": 0.95, "phases": [{"shape": "linear", "steps": 20, "from": 0.9, "to": 1},
                                     {"shape": "constant"}]}
WD = {"peak": 0.1, "phases": [{"shape": "constant"}]}
CONFIG = {
    "version": 1,
    "channels": {"lr": COSINE, "momentum": MOMENTUM, "weight_decay": WD},
    "groups": [{"name": "embed", "scale": {"lr": 0.5, "weight_decay": 0}},
               {"name": "rest"},
               {"name": "head", "scale": {"lr": 2.0, "momentum": 1.0}}],
}
SCALES = np.array([[0.5, 1.0, 0.0], [1.0, 1.0, 1.0], [2.0, 1.0, 1.0]])


def channel_values(n):
    """(n, channels) values of the CONFIG channels at steps 0..n-1, from pace.Schedule."""
    return np.stack([pace.Schedule(s).values(0, n) for s in (COSINE, MOMENTUM, WD)], axis=1)


def run(rt, norms):
    """Steps rt once per norm; returns the (len(norms), groups, channels) values after each step."""
    return np.stack([rt.step(g).copy() for g in norms])


# ---------------------------------------------------------------------------
# Declarations


_CTYPES = {
    "double": ctypes.c_double,
    "int64_t": ctypes.c_int64,
    "size_t": ctypes.c_size_t,
    "const double *": _lib.c_double_p,
    "double *": _lib.c_double_p,
    "int64_t *": ctypes.POINTER(ctypes.c_int64),
    "size_t *": ctypes.POINTER(ctypes.c_size_t),
    "int *": ctypes.POINTER(ctypes.c_int),
    "const char *": ctypes.c_char_p,
    "char *": ctypes.c_char_p,
    "void *": ctypes.c_void_p,
    "const void *": ctypes.c_void_p,
    "pace_runtime *": _lib.RUNTIME_P,
    "const pace_runtime *": _lib.RUNTIME_P,
    "pace_runtime **": ctypes.POINTER(_lib.RUNTIME_P),
    "const pace_refine_options *": ctypes.POINTER(_lib.RefineOptions),
}


def test_runtime_and_refine_argtypes_match_the_header():
    """Every refine / runtime function's argtypes and restype, from the
    parameter types written in include/pace.h."""
    text = re.sub(r"/\*.*?\*/", " ", HEADER.read_text(), flags=re.S)
    found = {}
    for m in re.finditer(r"\b(pace_status|void)\s+(pace_(?:refine|runtime)\w*)\s*\(([^)]*)\)\s*;", text):
        params = []
        for p in m.group(3).split(","):
            p = " ".join(p.split())
            name = re.match(r"(.*?)(\w+)$", p)
            ctype = re.sub(r"\s*\*", " *", name.group(1).strip()).replace("* *", "**").strip()
            params.append(ctype)
        found[m.group(2)] = (m.group(1), params)
    assert len(found) == 23, sorted(found)  # 18, and 5 of introspection (issue 16)
    assert set(found) == {n for n in _lib.FUNCTIONS if n.startswith(("pace_refine", "pace_runtime"))}
    for name, (ret, params) in found.items():
        restype, argtypes = _lib.FUNCTIONS[name]
        assert restype is (None if ret == "void" else _lib.c_status), name
        assert [_CTYPES[p] for p in params] == argtypes, (name, params)
        fn = getattr(_lib.lib, name)
        assert fn.argtypes == argtypes and fn.restype is restype, name
    assert ctypes.sizeof(_lib.RefineOptions) == 16
    assert pace.Runtime is Runtime and pace.refine is pace.runtime.refine


# ---------------------------------------------------------------------------
# Runtime: shape, layout, stepping


def test_shape_names_and_values_layout():
    with pace.Runtime(CONFIG) as rt:
        assert rt.channels == ("lr", "momentum", "weight_decay")
        assert rt.groups == 3 and rt.shape == (3, 3)
        assert rt.group_names == ("embed", "rest", "head")
        assert rt.channel_index("momentum") == 1
        with pytest.raises(KeyError):
            rt.channel_index("beta2")
        assert rt.step_count == 0
        n = 60
        expected = channel_values(n + 1)
        v0 = rt.values()
        assert v0.shape == (3, 3) and v0.dtype == np.float64
        np.testing.assert_array_equal(v0, expected[0][None, :] * SCALES)
        rng = np.random.default_rng(0)
        got = run(rt, rng.uniform(0.5, 2.0, n))
        assert rt.step_count == n
        # values[g, c] = channel_c(t) * scale[g][c], bit for bit (one multiplication).
        np.testing.assert_array_equal(got, expected[1:, None, :] * SCALES[None, :, :])
        np.testing.assert_array_equal(rt.values(), got[-1])


def test_step_returns_the_shared_read_only_buffer_and_values_a_copy():
    rt = pace.Runtime({"channels": {"lr": {"preset": "linear", "peak": 1.0, "total_steps": 10}}})
    a = rt.step()
    assert a.shape == (1, 1) and not a.flags.writeable
    first = float(a[0, 0])
    b = rt.step(1.0)
    assert b is a and float(a[0, 0]) != first  # overwritten by the next step
    v = rt.values()
    assert v.flags.writeable and v is not a
    rt.step(None)  # not measured
    rt.step(np.float32(2.5))
    rt.step(3)
    assert rt.step_count == 5
    assert rt.values()[0, 0] == pace.Schedule({"preset": "linear", "peak": 1.0, "total_steps": 10}).at(5)


def test_default_group_and_config_forms(tmp_path):
    config = {"channels": {"lr": COSINE}}
    path = tmp_path / "rt.json"
    path.write_text(json.dumps(config))
    for form in (config, json.dumps(config), json.dumps(config).encode(), str(path), path):
        rt = pace.Runtime(form)
        assert rt.channels == ("lr",) and rt.groups == 1 and rt.group_names == ("default",)
        assert rt.values()[0, 0] == 0.0  # warmup from 0


def test_bad_configs_name_the_json_path():
    with pytest.raises(pace.SpecError, match="channels"):
        pace.Runtime({"channels": {}})
    with pytest.raises(pace.SpecError, match=r"channels\.lr"):
        pace.Runtime({"channels": {"lr": {"preset": "cosine", "total_steps": -5}}})
    with pytest.raises(pace.SpecError, match="groups"):
        pace.Runtime({"channels": {"lr": COSINE}, "groups": [{"scale": {"nope": 1}}]})
    with pytest.raises(pace.SpecError, match="refine"):
        pace.Runtime({"channels": {"lr": {"preset": "constant", "peak": 1}}, "refine": {"every": 10}})
    with pytest.raises(pace.SpecError):
        pace.Runtime({"channels": {"lr": {"preset": "cosine", "peak": float("nan"), "total_steps": 5}}})
    with pytest.raises(TypeError):
        pace.Runtime(42)


def test_close_context_manager_and_gc():
    rt = pace.Runtime({"channels": {"lr": COSINE}})
    with rt as same:
        assert same is rt
    assert rt.closed
    rt.close()  # idempotent
    for call in (rt.values, rt.step, rt.save, lambda: rt.step_count, lambda: rt.begin_decay(5)):
        with pytest.raises(ValueError, match="closed"):
            call()
    assert "closed" in repr(rt)
    ref = weakref.ref(pace.Runtime({"channels": {"lr": COSINE}}))
    gc.collect()
    assert ref() is None


# ---------------------------------------------------------------------------
# Events


def constant_runtime(steps_before):
    rt = pace.Runtime({"channels": {"lr": {"preset": "constant", "peak": 2.0},
                                    "wd": {"peak": 0.5, "phases": [{"shape": "constant"}]}}})
    for _ in range(steps_before):
        rt.step(1.0)
    return rt


@pytest.mark.parametrize("shape, d", [
    ("linear", lambda x: 1 - x),
    ("sqrt", lambda x: 1 - math.sqrt(x)),
    ("cosine", lambda x: 0.5 * (1 + math.cos(math.pi * x))),
    ("square", lambda x: 1 - x * x),
])
def test_begin_decay(shape, d):
    rt = constant_runtime(7)
    before = rt.values().copy()
    rt.begin_decay(20, shape=shape, to=0.1)
    np.testing.assert_array_equal(rt.values(), before)  # the current value is kept
    got = [rt.step()[0].copy() for _ in range(25)]
    for j, row in enumerate(got, start=1):
        x = min(j / 20, 1.0)
        assert row[0] == pytest.approx(2.0 * (0.1 + 0.9 * d(x)), rel=1e-12, abs=1e-15)
        assert row[1] == 0.5  # other channels untouched
    assert got[-1][0] == pytest.approx(0.2, rel=1e-12)  # holds `to` x peak


def test_begin_decay_of_a_named_channel_and_errors():
    rt = constant_runtime(3)
    rt.begin_decay(4, "linear", 0.0, channel="wd")
    rows = [rt.step()[0].copy() for _ in range(5)]
    assert [r[1] for r in rows] == pytest.approx([0.375, 0.25, 0.125, 0.0, 0.0], abs=1e-15)
    assert all(r[0] == 2.0 for r in rows)
    with pytest.raises(pace.ArgumentError, match="nope"):
        rt.begin_decay(4, channel="nope")
    with pytest.raises(ValueError, match="zigzag"):  # SpecError (the shape is a phase of a spec)
        rt.begin_decay(4, shape="zigzag")
    with pytest.raises(pace.ArgumentError):
        rt.begin_decay(-1)
    with pytest.raises(pace.ArgumentError):
        rt.begin_decay(4, to=float("nan"))
    with pytest.raises(TypeError):
        rt.begin_decay(4.5)


def test_rewarm_plays_the_new_spec_from_now():
    rt = constant_runtime(10)
    spec = {"preset": "cosine", "peak": 1.0, "warmup_steps": 5, "total_steps": 30}
    rt.rewarm(spec)
    expected = pace.Schedule(spec).values(0, 40)
    assert rt.values()[0, 0] == expected[0]
    got = [rt.step()[0, 0] for _ in range(39)]
    np.testing.assert_allclose(got, expected[1:], rtol=1e-13, atol=1e-16)
    with pytest.raises(pace.SpecError):
        rt.rewarm({"preset": "cosine", "total_steps": 0})
    with pytest.raises(pace.ArgumentError):
        rt.rewarm(spec, channel="nope")


def test_set_total_steps_stretches_the_rest():
    spec = {"preset": "linear", "peak": 1.0, "total_steps": 100}
    rt = pace.Runtime({"channels": {"lr": spec}})
    for _ in range(50):
        rt.step()
    assert rt.values()[0, 0] == 0.5
    rt.set_total_steps(150)  # the second half now takes 100 steps
    got = [rt.step()[0, 0] for _ in range(105)]
    expected = [1 - (50 + 0.5 * j) / 100 if j <= 100 else 0.0 for j in range(1, 106)]
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-15)
    with pytest.raises(pace.ArgumentError):
        rt.set_total_steps(rt.step_count)


# ---------------------------------------------------------------------------
# Online refinement


def test_online_refinement_with_constant_norms_is_linear_decay():
    """With constant norms the closed form is linear decay to 0 at the last
    step; the re-plan keeps the current value (continuity)."""
    T = 200
    rt = pace.Runtime({"channels": {"lr": {"preset": "linear", "peak": 1.0, "total_steps": T}},
                       "refine": {"every": 40, "min_history": 40, "smoothing": 0.1}})
    got = np.array([rt.values()[0, 0]] + [rt.step(0.7)[0, 0] for _ in range(T - 1)])
    base = pace.Schedule({"preset": "linear", "peak": 1.0, "total_steps": T}).values(0, T)
    np.testing.assert_array_equal(got[:40], base[:40])  # before the first re-plan
    s = 40
    expected = base[s] * (T - 1 - np.arange(s, T)) / (T - 1 - s)
    np.testing.assert_allclose(got[s:], expected, rtol=1e-9, atol=1e-15)
    assert got[-1] == 0.0


def test_online_refinement_bounds_and_continuity():
    """Rising late norms: the re-planned lr stays in [0, peak], is continuous
    at every re-plan, ends at 0 and decays faster at the end than the linear
    plan (the closed form's rapid annealing)."""
    T, every = 600, 100
    peak = 0.1
    rng = np.random.default_rng(1)
    norms = np.linspace(1.0, 3.0, T) * rng.uniform(0.9, 1.1, T)
    norms[::37] = np.nan  # unmeasured steps
    config = {"channels": {"lr": {"preset": "linear", "peak": peak, "warmup_steps": 50, "total_steps": T}},
              "refine": {"every": every, "norm": "l2", "smoothing": 0.1, "min_history": 200}}
    rt = pace.Runtime(config)
    plain = pace.Schedule(config["channels"]["lr"]).values(0, T)
    got = np.empty(T)
    got[0] = rt.values()[0, 0]
    for t in range(1, T):
        got[t] = rt.step(norms[t - 1])[0, 0]
    assert np.all(got >= 0) and np.all(got <= peak)
    np.testing.assert_array_equal(got[:200], plain[:200])
    assert got[T - 1] == 0.0
    # Rising norms give a smaller late lr than the plan made at the last re-plan.
    assert got[T - 20] < plain[T - 20]
    # Save / load mid-way continues bit for bit (the norm history and the re-plans are in the state).
    rt2 = pace.Runtime(config)
    for t in range(1, 301):
        rt2.step(norms[t - 1])
    rt3 = pace.Runtime.load(rt2.save())
    rest = [rt3.step(norms[t - 1])[0, 0] for t in range(301, T)]
    np.testing.assert_array_equal(rest, got[301:])


# ---------------------------------------------------------------------------
# Checkpoints


def events_runtime():
    rt = pace.Runtime(CONFIG)
    rng = np.random.default_rng(2)
    for t in range(30):
        rt.step(float(rng.uniform(0.5, 2)) if t % 5 else float("nan"))
    rt.begin_decay(15, "sqrt", 0.05)
    for _ in range(5):
        rt.step(1.5)
    rt.set_total_steps(120)
    rt.rewarm({"peak": 0.97, "phases": [{"shape": "cosine", "steps": 40, "from": 1, "to": 0.9}]}, channel="momentum")
    return rt


def test_save_load_roundtrip_in_process(tmp_path):
    rt = events_runtime()
    blob = rt.save()
    assert isinstance(blob, bytes) and blob[:8] == b"PACE\0RT\0"
    assert rt.save() == blob  # deterministic
    loaded = pace.Runtime.load(blob)
    assert loaded.step_count == rt.step_count == 35
    assert loaded.channels == rt.channels and loaded.groups == 3
    assert loaded.save() == blob
    path = tmp_path / "state.pace"
    rt.save_file(path)
    assert path.read_bytes() == blob
    from_file = pace.Runtime.load_file(str(path))
    copied = copy.deepcopy(rt)
    pickled = pickle.loads(pickle.dumps(rt))
    assert loaded.group_names == from_file.group_names == ("embed", "rest", "head")  # saved state carries them
    assert pickled.group_names == copied.group_names == ("embed", "rest", "head")
    norms = np.linspace(0.3, 3.0, 100)
    expected = run(rt, norms)
    for other in (loaded, from_file, copied, pickled):
        np.testing.assert_array_equal(run(other, norms), expected)


CHILD = r"""
import sys, json
sys.path.insert(0, sys.argv[1])
import numpy as np, pace
rt = pace.Runtime.load_file(sys.argv[2])
norms = json.loads(sys.argv[3])
out = [rt.step(g).tolist() for g in norms]
print(json.dumps({"step": rt.step_count, "values": [[[x.hex() for x in row] for row in v] for v in out],
                  "state": rt.save().hex()}))
"""


def test_save_load_continues_bit_for_bit_in_a_fresh_process(tmp_path):
    config = dict(CONFIG, refine={"every": 20, "min_history": 20, "smoothing": 0.1})
    rt = pace.Runtime(config)
    rng = np.random.default_rng(3)
    for _ in range(40):
        rt.step(float(rng.lognormal()))
    rt.begin_decay(50, "cosine", 0.0, channel="weight_decay")
    path = tmp_path / "ckpt.pace"
    rt.save_file(path)
    norms = [float(x) for x in rng.lognormal(size=60)] + [float("nan")] * 5
    proc = subprocess.run([sys.executable, "-c", CHILD, str(BINDINGS), str(path), json.dumps(norms)],
                          capture_output=True, text=True, env=dict(os.environ), timeout=120)
    assert proc.returncode == 0, proc.stderr
    child = json.loads(proc.stdout)
    expected = run(rt, norms)
    assert child["step"] == rt.step_count == 105
    got = np.array([[[float.fromhex(x) for x in row] for row in v] for v in child["values"]])
    np.testing.assert_array_equal(got, expected)
    assert bytes.fromhex(child["state"]) == rt.save()


def test_corrupted_or_truncated_state_raises_state_error():
    blob = events_runtime().save()
    bad = [b"", b"PACE", blob[:-1], blob[:20], blob + b"\0", b"XACE" + blob[4:]]
    for i in (12, 30, len(blob) // 2, len(blob) - 2):
        flipped = bytearray(blob)
        flipped[i] ^= 0x10
        bad.append(bytes(flipped))
    for data in bad:
        with pytest.raises(pace.StateError) as info:
            pace.Runtime.load(data)
        assert info.value.status == "PACE_E_STATE"
    with pytest.raises(TypeError):
        pace.Runtime.load("not bytes")


def test_newer_format_raises_version_error():
    blob = bytearray(events_runtime().save())
    assert struct.unpack_from("<I", blob, 8)[0] == 3  # the current format (issue 16: the event log)
    struct.pack_into("<I", blob, 8, 4)  # format version 4, with a valid CRC
    body = bytes(blob[:-4])
    newer = body + struct.pack("<I", zlib.crc32(body) & 0xFFFFFFFF)
    with pytest.raises(pace.VersionError):
        pace.Runtime.load(newer)


def test_load_file_errors(tmp_path):
    with pytest.raises(pace.PaceError):
        pace.Runtime.load_file(tmp_path / "missing.pace")
    path = tmp_path / "garbage.pace"
    path.write_bytes(b"garbage" * 10)
    with pytest.raises(pace.StateError):
        pace.Runtime.load_file(path)


# ---------------------------------------------------------------------------
# Offline refinement


def reference_refine(g, norm="l2", smoothing=0.1):
    """The reference pipeline (algorithms.md §2.1, §2.3) in numpy/scipy."""
    from scipy.ndimage import median_filter

    g = np.asarray(g, dtype=np.float64)
    n = g.size
    w = 2 * (int(smoothing * n) // 2) + 1
    if w > 1:
        g = median_filter(np.pad(g, (0, 2 * w), mode="reflect"), size=w, mode="nearest")[:n]
    weights = g ** -2.0 if norm == "l2" else 1.0 / g
    tail = np.array([math.fsum(weights[t + 1:]) for t in range(n)])  # sum over s > t
    eta = weights * tail
    if eta.max() > 0:
        eta = eta / eta.max()
    eta[-1] = 0.0
    return eta


def test_refine_reference_vectors():
    for smoothing in (0.0, 0.1):  # n = 5: width 1 either way
        m, skipped = pace.refine([4, 2, 1, 1, 1], smoothing=smoothing)
        assert skipped == 0
        np.testing.assert_allclose(m, [0.1015625, 0.375, 1, 0.5, 0], rtol=1e-15, atol=0)
        m, _ = pace.refine([4, 2, 1, 1, 1], norm="l1", smoothing=smoothing)
        np.testing.assert_allclose(m, [0.4375, 0.75, 1, 0.5, 0], rtol=1e-15, atol=0)
    # Constant norms: linear decay to 0 at the last step.
    m, _ = pace.refine(np.full(5, 3.0))
    np.testing.assert_allclose(m, [1, 0.75, 0.5, 0.25, 0], rtol=1e-15)


@pytest.mark.parametrize("n", [1, 2, 3, 7, 50, 333, 2000])
@pytest.mark.parametrize("smoothing", [0.0, 0.05, 0.1, 0.3, 1.0])
@pytest.mark.parametrize("norm", ["l2", "l1"])
def test_refine_matches_the_reference_pipeline(n, smoothing, norm):
    rng = np.random.default_rng(n * 1000 + int(smoothing * 100) + (norm == "l1"))
    # Noisy, trending norms, as gradient norms in training.
    g = np.exp(rng.normal(0, 0.5, n)) * np.linspace(3.0, 1.0, n) + 0.05
    got, skipped = pace.refine(g, norm=norm, smoothing=smoothing)
    assert skipped == 0 and got.shape == (n,) and got.dtype == np.float64
    expected = reference_refine(g, norm, smoothing)
    np.testing.assert_allclose(got, expected, rtol=1e-11, atol=1e-13)
    assert got[-1] == 0.0
    if n > 1:
        assert got.max() == 1.0


def test_refine_fills_bad_norms_from_neighbours():
    g = np.array([4.0, np.nan, 2.0, 1.0, -1.0, 0.0, 1.0, np.inf, 1.0, 1.0])
    got, skipped = pace.refine(g, smoothing=0)
    assert skipped == 4
    filled = np.array([4.0, 3.0, 2.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0])
    np.testing.assert_allclose(got, reference_refine(filled, "l2", 0), rtol=1e-13)
    got, skipped = pace.refine([np.nan, 2.0, np.nan], smoothing=0)  # ends: the nearest valid value
    assert skipped == 2
    np.testing.assert_allclose(got, [1.0, 0.5, 0.0], rtol=1e-15)


def test_refine_errors():
    with pytest.raises(pace.ArgumentError):
        pace.refine([])
    with pytest.raises(pace.ArgumentError):
        pace.refine([1.0, 2.0], norm="linf")
    with pytest.raises(pace.ArgumentError):
        pace.refine([1.0, 2.0], smoothing=1.5)
    with pytest.raises(pace.ArgumentError):
        pace.refine([1.0, 2.0], smoothing=float("nan"))
    with pytest.raises(pace.PaceError):
        pace.refine([np.nan, 0.0, -1.0])  # nothing valid
    with pytest.raises(ValueError):
        pace.refine(np.ones((2, 2)))
    with pytest.raises(TypeError):
        pace.refine(["a", "b"])


def test_refine_spec_plays_the_multipliers():
    rng = np.random.default_rng(5)
    m, _ = pace.refine(rng.uniform(0.5, 2.0, 300))
    peak = 0.3
    spec = pace.refine_spec(m, peak)
    assert isinstance(spec, dict) and spec["peak"] == peak
    with pace.Schedule(spec) as s:
        assert s.total_steps == 300
        np.testing.assert_allclose(s.values(), peak * m, rtol=1e-15, atol=0)
        assert s.at(1000) == 0.0  # holds the last value
    # With a warmup: a linear ramp from 0 to the table's value at the warmup's end.
    spec = pace.refine_spec(m, peak, warmup_steps=20)
    with pace.Schedule(spec) as s:
        v = s.values()
        assert v.shape == (300,)
        np.testing.assert_allclose(v[:20], peak * m[20] * np.arange(20) / 20, rtol=1e-13, atol=1e-18)
        np.testing.assert_allclose(v[20:], peak * m[20:], rtol=1e-15, atol=0)
    # As a runtime channel.
    rt = pace.Runtime({"channels": {"lr": pace.refine_spec(m, peak)}})
    np.testing.assert_allclose([rt.step()[0, 0] for _ in range(299)], peak * m[1:], rtol=1e-15, atol=0)
    with pytest.raises(pace.PaceError):
        pace.refine_spec([], peak)
    with pytest.raises(pace.ArgumentError):
        pace.refine_spec(m, float("inf"))


# ---------------------------------------------------------------------------
# The torch adapter (mode="absolute": these tests check that the runtime's
# values are written as they are; the "auto" rule is tested in
# test_torch_adapter_rules.py)


def _torch():
    return pytest.importorskip("torch", reason="PyTorch is not installed: PaceRuntimeScheduler tests skipped")


def _model(torch, seed=0):
    torch.manual_seed(seed)
    return torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.Tanh(), torch.nn.Linear(8, 1)).double()


def _train(torch, model, opt, sched, steps, seed, record=None):
    gen = torch.Generator().manual_seed(seed)
    for _ in range(steps):
        x = torch.randn(16, 4, generator=gen, dtype=torch.float64)
        loss = ((model(x) - x.sum(1, keepdim=True)) ** 2).mean()
        loss.backward()
        g = torch.nn.utils.clip_grad_norm_(model.parameters(), 1e6)
        opt.step()
        sched.step(g)
        opt.zero_grad()
        if record is not None:
            record.append([dict((k, v) for k, v in grp.items() if k != "params") for grp in opt.param_groups])


def test_torch_scheduler_is_an_lr_scheduler_and_writes_lr_momentum_weight_decay():
    torch = _torch()
    import pace.torch as pt
    from torch.optim import lr_scheduler

    model = _model(torch)
    opt = torch.optim.SGD([{"params": model[0].parameters()}, {"params": model[2].parameters()}],
                          lr=1.0, momentum=0.5, weight_decay=0.0)
    sched = pt.PaceRuntimeScheduler(opt, CONFIG, param_group_map=["embed", 2], mode="absolute")
    base = getattr(lr_scheduler, "LRScheduler", None) or lr_scheduler._LRScheduler
    assert isinstance(sched, base)
    assert sched.last_epoch == 0 and sched.channels == CONFIG_CHANNELS
    expected = channel_values(40)
    rows = []
    _train(torch, model, opt, sched, 39, seed=1, record=rows)
    assert sched.last_epoch == 39 == sched.runtime.step_count
    for t, groups in enumerate(rows, start=1):
        for grp, g in zip(groups, (0, 2)):
            assert grp["lr"] == expected[t, 0] * SCALES[g, 0]
            assert grp["momentum"] == expected[t, 1] * SCALES[g, 1]
            assert grp["weight_decay"] == expected[t, 2] * SCALES[g, 2]
    assert sched.get_last_lr() == [expected[39, 0] * 0.5, expected[39, 0] * 2.0]
    assert sched.get_lr() == sched.get_last_lr()
    np.testing.assert_array_equal(sched.values(), expected[39][None, :] * SCALES)


CONFIG_CHANNELS = ("lr", "momentum", "weight_decay")


@pytest.mark.parametrize("opt_name", ["Adam", "AdamW"])
def test_torch_scheduler_sets_betas(opt_name):
    torch = _torch()
    import pace.torch as pt

    b1 = {"peak": 0.9, "phases": [{"shape": "linear", "steps": 10, "from": 0.8, "to": 1}, {"shape": "constant"}]}
    b2 = {"peak": 0.999, "phases": [{"shape": "constant"}]}
    config = {"channels": {"lr": COSINE, "beta1": b1, "beta2": b2, "weight_decay": WD}}
    model = _model(torch)
    opt = getattr(torch.optim, opt_name)(model.parameters(), lr=0.5, betas=(0.5, 0.5), weight_decay=0.3)
    sched = pt.PaceRuntimeScheduler(opt, config, mode="absolute")
    rows = []
    _train(torch, model, opt, sched, 15, seed=2, record=rows)
    s1, s2 = pace.Schedule(b1).values(0, 16), pace.Schedule(b2).values(0, 16)
    lr = pace.Schedule(COSINE).values(0, 16)
    for t, (grp,) in enumerate(rows, start=1):
        assert isinstance(grp["betas"], tuple)
        assert grp["betas"] == (s1[t], s2[t])
        assert grp["lr"] == lr[t] and grp["weight_decay"] == 0.1
    # A "momentum" channel drives betas[0] of Adam (as OneCycleLR does).
    opt = getattr(torch.optim, opt_name)(model.parameters(), lr=0.5, betas=(0.5, 0.7))
    sched = pt.PaceRuntimeScheduler(opt, {"channels": {"lr": COSINE, "momentum": b1}}, mode="absolute")
    _train(torch, model, opt, sched, 3, seed=3)
    assert opt.param_groups[0]["betas"] == (s1[3], 0.7)


def test_torch_scheduler_rejects_channels_the_optimizer_lacks():
    torch = _torch()
    import pace.torch as pt

    model = _model(torch)
    sgd = torch.optim.SGD(model.parameters(), lr=0.1)
    with pytest.raises(ValueError, match="beta2"):
        pt.PaceRuntimeScheduler(sgd, {"channels": {"lr": COSINE, "beta2": WD}}, mode="absolute")
    adam = torch.optim.Adam(model.parameters(), lr=0.1)
    with pytest.raises(ValueError, match="both"):
        pt.PaceRuntimeScheduler(adam, {"channels": {"lr": COSINE, "momentum": WD, "beta1": WD}}, mode="absolute")
    two = torch.optim.SGD([{"params": model[0].parameters()}, {"params": model[2].parameters()}], lr=0.1)
    with pytest.raises(ValueError, match="param_group_map"):
        pt.PaceRuntimeScheduler(two, CONFIG, mode="absolute")  # 3 runtime groups, 2 param groups
    with pytest.raises(ValueError, match="runtime group"):
        pt.PaceRuntimeScheduler(two, CONFIG, param_group_map=[0, 3], mode="absolute")
    with pytest.raises(ValueError, match="named"):
        pt.PaceRuntimeScheduler(two, CONFIG, param_group_map=["embed", "nope"], mode="absolute")
    # Other channel names are computed, not written; None leaves a group alone.
    sched = pt.PaceRuntimeScheduler(two, {"channels": {"lr": COSINE, "ema": WD}}, param_group_map={0: 0, 1: None},
                                    mode="absolute")
    _train(torch, model, two, sched, 12, seed=4)
    assert two.param_groups[0]["lr"] == pace.Schedule(COSINE).at(12)
    assert two.param_groups[1]["lr"] == 0.1
    assert sched.values()[0, 1] == 0.1


def test_torch_scheduler_tensor_lr_and_grad_norm_kinds():
    torch = _torch()
    import pace.torch as pt

    model = _model(torch)
    lr = torch.tensor(0.5, dtype=torch.float64)
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    sched = pt.PaceRuntimeScheduler(opt, {"channels": {"lr": COSINE}}, mode="absolute")
    assert opt.param_groups[0]["lr"] is lr  # updated in place
    opt.step()
    for g in (torch.tensor(1.5), 2.0, None, float("nan"), np.float64(3.0)):
        sched.step(g)
    assert opt.param_groups[0]["lr"] is lr and float(lr) == pace.Schedule(COSINE).at(5)
    with pytest.raises(ValueError, match="scalar"):
        sched.step(torch.ones(3))


def _resume_case(torch, config, opt_factory, total=60, split=25):
    """Uninterrupted run vs a run checkpointed at `split` through torch.save
    (weights_only load) and resumed with a new model, optimizer and scheduler."""
    import pace.torch as pt

    model = _model(torch, seed=7)
    opt = opt_factory(model)
    sched = pt.PaceRuntimeScheduler(opt, config, mode="absolute")
    full = []
    _train(torch, model, opt, sched, total, seed=11, record=full)
    reference_params = [p.detach().clone() for p in model.parameters()]

    model = _model(torch, seed=7)
    opt = opt_factory(model)
    sched = pt.PaceRuntimeScheduler(opt, config, mode="absolute")
    first = []
    # Same data stream: the generator is advanced through the first `split` steps.
    gen_seed = 11
    gen = torch.Generator().manual_seed(gen_seed)
    for _ in range(split):
        x = torch.randn(16, 4, generator=gen, dtype=torch.float64)
        ((model(x) - x.sum(1, keepdim=True)) ** 2).mean().backward()
        g = torch.nn.utils.clip_grad_norm_(model.parameters(), 1e6)
        opt.step()
        sched.step(g)
        opt.zero_grad()
        first.append([dict((k, v) for k, v in grp.items() if k != "params") for grp in opt.param_groups])
    buffer = io.BytesIO()
    torch.save({"model": model.state_dict(), "opt": opt.state_dict(), "sched": sched.state_dict(),
                "gen": gen.get_state()}, buffer)
    del model, opt, sched
    buffer.seek(0)
    ckpt = torch.load(buffer, weights_only=True)
    model = _model(torch, seed=99)
    model.load_state_dict(ckpt["model"])
    opt = opt_factory(model)
    sched = pt.PaceRuntimeScheduler(opt, config, mode="absolute")
    opt.load_state_dict(ckpt["opt"])
    sched.load_state_dict(ckpt["sched"])
    assert sched.last_epoch == split
    gen = torch.Generator()
    gen.set_state(ckpt["gen"])
    rest = []
    for _ in range(total - split):
        x = torch.randn(16, 4, generator=gen, dtype=torch.float64)
        ((model(x) - x.sum(1, keepdim=True)) ** 2).mean().backward()
        g = torch.nn.utils.clip_grad_norm_(model.parameters(), 1e6)
        opt.step()
        sched.step(g)
        opt.zero_grad()
        rest.append([dict((k, v) for k, v in grp.items() if k != "params") for grp in opt.param_groups])
    assert first + rest == full  # every hyper-parameter of every step, exactly
    for p, q in zip(model.parameters(), reference_params):
        assert torch.equal(p.detach(), q)


def test_torch_scheduler_resume_is_bit_identical_sgd_with_refinement():
    torch = _torch()
    config = {"channels": {"lr": {"preset": "linear", "peak": 0.05, "warmup_steps": 5, "total_steps": 60},
                           "momentum": MOMENTUM, "weight_decay": WD},
              "refine": {"every": 10, "min_history": 10, "smoothing": 0.1}}
    _resume_case(torch, config, lambda m: torch.optim.SGD(m.parameters(), lr=0.1, momentum=0.9))


def test_torch_scheduler_resume_is_bit_identical_adamw():
    torch = _torch()
    config = {"channels": {"lr": COSINE,
                           "beta2": {"peak": 0.999, "phases": [{"shape": "linear", "steps": 30, "from": 0.95,
                                                                "to": 1}, {"shape": "constant"}]}},
              "refine": {"every": 10, "norm": "l1", "min_history": 20}}
    _resume_case(torch, config, lambda m: torch.optim.AdamW(m.parameters(), lr=1e-3))


def test_torch_scheduler_load_state_dict_checks_the_channels():
    torch = _torch()
    import pace.torch as pt

    model = _model(torch)
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    a = pt.PaceRuntimeScheduler(opt, {"channels": {"lr": COSINE, "momentum": MOMENTUM}}, mode="absolute")
    opt.step()
    a.step(1.0)
    state = a.state_dict()
    assert isinstance(state["runtime"], bytes)
    b = pt.PaceRuntimeScheduler(opt, {"channels": {"lr": COSINE}}, mode="absolute")
    with pytest.raises(ValueError, match="strict"):
        b.load_state_dict(state)
    assert b.runtime.channels == ("lr",)
    b.load_state_dict(state, strict=False)
    assert b.runtime.channels == ("lr", "momentum") and b.last_epoch == 1
    assert opt.param_groups[0]["momentum"] == pace.Schedule(MOMENTUM).at(1)
    bad = dict(state, runtime=state["runtime"][:-3])
    with pytest.raises(pace.StateError):
        b.load_state_dict(bad)
    # A runtime passed in is used as is (and not closed by the scheduler).
    rt = pace.Runtime({"channels": {"lr": COSINE}})
    for _ in range(5):
        rt.step()
    c = pt.PaceRuntimeScheduler(opt, rt)
    assert c.runtime is rt and c.last_epoch == 5 and opt.param_groups[0]["lr"] == pace.Schedule(COSINE).at(5)
    c.close()
    assert not rt.closed


def test_torch_scheduler_warns_when_stepped_before_the_optimizer():
    torch = _torch()
    import warnings

    import pace.torch as pt

    model = _model(torch)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    sched = pt.PaceRuntimeScheduler(opt, {"channels": {"lr": COSINE}}, mode="absolute")
    with pytest.warns(UserWarning, match="before"):
        sched.step(1.0)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    sched = pt.PaceRuntimeScheduler(opt, {"channels": {"lr": COSINE}}, mode="absolute")
    model(torch.ones(1, 4, dtype=torch.float64)).sum().backward()
    opt.step()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sched.step(1.0)
        sched.step(1.0)


# ---------------------------------------------------------------------------
# Issue 15: norms beyond the double range; files that lie about their size


@pytest.mark.parametrize("norms, norm", [
    ([1, 1e-200, 1e-200, 1], "l2"), ([1, 1e-200, 1e-200, 1], "l1"),
    ([3e150, 1.0, 2e-160, 5.0, 1e-300, 7.0], "l2"), ([1e300, 1e-300, 1, 1e-10, 2], "l2"),
])
def test_refine_of_norms_spanning_beyond_the_double_range(norms, norm):
    """The closed form in 200-digit arithmetic (mpmath) is the reference:
    max 1, last 0, every value finite and equal to it to 1e-13."""
    mpmath = pytest.importorskip("mpmath")
    mpmath.mp.dps = 200
    p = 2 if norm == "l2" else 1
    w = [mpmath.mpf(g) ** -p for g in norms]
    eta = [w[t] * sum(w[t + 1:], mpmath.mpf(0)) for t in range(len(w))]
    top = max(eta)
    want = np.array([float(e / top) for e in eta])
    got, skipped = pace.refine(norms, norm=norm, smoothing=0)
    assert skipped == 0 and np.all(np.isfinite(got)) and got.max() == 1.0 and got[-1] == 0.0
    np.testing.assert_allclose(got, want, rtol=1e-13, atol=1e-300)


def test_load_file_of_an_endless_or_lying_file_is_a_state_error(tmp_path):
    with pytest.raises(pace.StateError):
        pace.Runtime.load_file("/dev/zero")
    lying = tmp_path / "lying.pace"
    lying.write_bytes(b"PACE\0RT\0" + struct.pack("<IQ", 2, 1 << 40) + b"\0" * 100)
    with pytest.raises(pace.StateError):
        pace.Runtime.load_file(lying)
