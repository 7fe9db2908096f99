"""The Python binding (bindings/python/pace) against the real libpace.so:
loading, declarations, errors, handles, fills, the stepper, and the
canonical-spec round trip of every preset."""

from __future__ import annotations

import ctypes
import gc
import json
import os
import pickle
import re
import shutil
import subprocess
import sys
import threading
import weakref
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

import pace
from pace import _lib, errors

ROOT = Path(__file__).resolve().parents[2]
HEADER = ROOT / "include" / "pace.h"
BINDINGS = ROOT / "bindings" / "python"

# One example of every preset of docs/schedule-spec.md (the table), with
# non-default parameters where they exist.
PRESET_SPECS = {
    "constant": {"preset": "constant", "peak": 0.1},
    "constant_with_warmup": {"preset": "constant_with_warmup", "peak": 3e-4, "warmup_steps": 100},
    "linear": {"preset": "linear", "peak": 3e-4, "warmup_steps": 100, "total_steps": 1000},
    "cosine": {"preset": "cosine", "peak": 3e-4, "warmup_steps": 50, "total_steps": 1000,
               "cycles": 0.5, "min_ratio": 0.1},
    "cosine_with_restarts": {"preset": "cosine_with_restarts", "peak": 1.0, "warmup_steps": 10,
                             "total_steps": 1000, "cycles": 3},
    "polynomial": {"preset": "polynomial", "peak": 1e-3, "warmup_steps": 100, "total_steps": 1000,
                   "end_ratio": 0.01, "power": 2},
    "inverse_sqrt": {"preset": "inverse_sqrt", "peak": 1e-3, "warmup_steps": 100, "timescale": 300},
    "wsd": {"preset": "wsd", "peak": 3e-4, "warmup_steps": 100, "stable_steps": 600,
            "decay_steps": 300, "warmup_type": "cosine", "decay_type": "1-sqrt", "min_ratio": 0.1},
    "onecycle": {"preset": "onecycle", "peak": 0.1, "total_steps": 1000, "pct_start": 0.333,
                 "anneal": "cos", "three_phase": True},
    "sgdr": {"preset": "sgdr", "peak": 0.1, "t0": 50, "t_mult": 2, "min_ratio": 0.01},
    "cyclic": {"preset": "cyclic", "peak": 0.1, "base_ratio": 0.1, "step_size_up": 150,
               "step_size_down": 250, "mode": "triangular2"},
    "step": {"preset": "step", "peak": 0.1, "step_size": 100, "gamma": 0.5},
    "multistep": {"preset": "multistep", "peak": 0.1, "milestones": [100, 300, 700], "gamma": 0.1},
    "exponential": {"preset": "exponential", "peak": 0.1, "gamma": 0.995},
    "warmup_cosine": {"preset": "warmup_cosine", "peak": 3e-4, "init_ratio": 0.1, "warmup_steps": 100,
                      "decay_steps": 1000, "end_ratio": 0.01, "exponent": 2},
    "timm_cosine": {"preset": "timm_cosine", "peak": 0.1, "t_initial": 300, "lr_min_ratio": 0.01,
                    "warmup_t": 20, "warmup_lr_init_ratio": 0.001, "cycle_mul": 2, "cycle_decay": 0.5,
                    "cycle_limit": 3},
    "llmc": {"preset": "llmc", "peak": 6e-4, "type": "wsd", "warmup_steps": 100, "total_steps": 1000,
             "final_frac": 0.1},
    "rex": {"preset": "rex", "peak": 1e-3, "warmup_steps": 100, "total_steps": 1000, "min_ratio": 0.05},
    "uba": {"preset": "uba", "peak": 1e-3, "warmup_steps": 100, "total_steps": 1000, "phi": 1.5},
    "power": {"preset": "power", "peak": 0.02, "a": 4.6, "b": -0.51, "tokens_per_step": 1e6,
              "warmup_steps": 100, "decay_steps": 200, "total_steps": 1000},
    "infinite": {"preset": "infinite", "peak": 1e-3, "warmup_steps": 100, "cooldown_steps": 200,
                 "constant_ratio": 0.3, "anneal_steps": 200, "min_ratio": 0.01, "total_steps": 1000},
}

RAW_SPEC = {
    "version": 1, "peak": 3e-4, "total_steps": 10000, "after": "hold",
    "phases": [{"shape": "linear", "steps": 500, "from": 0, "to": 1},
               {"shape": "constant", "fraction": 0.7},
               {"shape": "sqrt", "to": 0.1}],
}


def header_text() -> str:
    return HEADER.read_text()


def header_functions():
    """name -> list of parameter declarations, for every function of pace.h."""
    text = re.sub(r"/\*.*?\*/", " ", header_text(), flags=re.S)
    text = re.sub(r"#[^\n]*(\\\n[^\n]*)*", " ", text)
    out = {}
    for m in re.finditer(r"[\w\s\*]+?\b(pace_\w+)\s*\(([^)]*)\)\s*;", text):
        params = [p.strip() for p in m.group(2).split(",")]
        if params == ["void"] or params == [""]:
            params = []
        out[m.group(1)] = params
    return out


def header_status_codes():
    return {m.group(1): int(m.group(2)) for m in re.finditer(r"\b(PACE_(?:OK|E_\w+))\s*=\s*(\d+)", header_text())}


def header_version_number():
    v = {k: int(n) for k, n in re.findall(r"#define PACE_VERSION_(MAJOR|MINOR|PATCH) (\d+)", header_text())}
    return v["MAJOR"] * 10000 + v["MINOR"] * 100 + v["PATCH"]


# ---------------------------------------------------------------------------
# Loading and declarations


def test_loads_the_repository_build():
    env = os.environ.get("PACE_LIBRARY")
    expected = Path(env).resolve() if env else (ROOT / "build" / "lib" / "libpace.so").resolve()
    assert Path(pace.library_path).resolve() == expected
    assert Path(pace.__file__).resolve().parent == (BINDINGS / "pace").resolve()


def test_version_matches_header():
    number = header_version_number()
    assert _lib.EXPECTED_VERSION == number
    assert pace.library_version_number == number
    assert pace.version() == _lib.format_version(number)
    assert pace.__version__ == _lib.format_version(number)


def test_version_compatibility_rule():
    assert _lib.is_compatible(100, 100)
    assert _lib.is_compatible(101, 100)  # patch
    assert not _lib.is_compatible(200, 100)  # 0.x: minor changes the ABI
    assert not _lib.is_compatible(10100, 100)
    assert _lib.is_compatible(10300, 10200)
    assert not _lib.is_compatible(10100, 10200)
    assert not _lib.is_compatible(20000, 10200)


def test_every_header_function_is_declared():
    declared = header_functions()
    assert len(declared) >= 11
    assert set(declared) == set(_lib.FUNCTIONS), "binding and include/pace.h list different functions"
    for name, params in declared.items():
        fn = getattr(_lib.lib, name)
        restype, argtypes = _lib.FUNCTIONS[name]
        assert fn.argtypes == argtypes, name
        assert len(fn.argtypes) == len(params), "%s: %s vs header %s" % (name, fn.argtypes, params)
        assert fn.restype is restype, name
    # Spot-check the C types against the header text.
    assert _lib.FUNCTIONS["pace_schedule_fill_f64"][1][1] is ctypes.c_int64
    assert _lib.FUNCTIONS["pace_schedule_to_json"][1][2] is ctypes.c_size_t
    assert _lib.FUNCTIONS["pace_version_number"][0] is ctypes.c_uint32


def test_status_codes_match_header():
    codes = header_status_codes()
    assert codes["PACE_OK"] == 0
    for name, value in codes.items():
        assert getattr(_lib, name) == value
        assert errors.status_name(value) == name
        if value:
            cls = errors.ERROR_CLASSES[value]
            assert cls.code == value and cls.default_status == name
    assert errors.status_name(99) == "PACE_E_UNKNOWN"
    assert isinstance(errors.error_for(99), errors.UnknownStatusError)


def test_error_classes():
    for cls in (pace.ArgumentError, pace.SpecError, pace.BufferTooSmallError, pace.StateError,
                pace.VersionError, pace.NumericError, pace.NoMemoryError, pace.UnsupportedError,
                pace.InternalError):
        assert issubclass(cls, pace.PaceError)
        e = cls("something")
        assert e.status == cls.default_status and e.code == cls.code
        assert str(e) == "%s: something" % cls.default_status
        again = pickle.loads(pickle.dumps(e))
        assert type(again) is cls and again.status == e.status and again.message == e.message
    assert issubclass(pace.SpecError, ValueError)
    assert issubclass(pace.ArgumentError, ValueError)


# ---------------------------------------------------------------------------
# Errors from the library


@pytest.mark.parametrize("spec, path, fragment", [
    ({"phases": [{"shape": "linear", "steps": -5, "to": 0}]}, "phases[0].steps", "-5"),
    ({"phases": [{"shape": "linear", "steps": 10, "to": 0}, {"shape": "wiggle", "steps": 3}]},
     "phases[1].shape", "wiggle"),
    ({"phases": [{"shape": "constant", "steps": 10, "bogus": 1}]}, "phases[0].bogus", ""),
    ({"phases": [{"repeat": [{"shape": "linear", "steps": 5, "to": 0, "repeat": []}]}]},
     "phases[0].repeat[0].repeat", "nest"),
    ({"phases": [{"shape": "exponential", "steps": 10, "to": 0.1, "gamma": 0.9}]}, "phases[0]", ""),
    ({"preset": "nonsense"}, "preset", "nonsense"),
    ({"preset": "onecycle", "total_steps": 1000, "pct_start": 0.3, "colour": "red"}, "colour", ""),
    ({"version": 2, "phases": [{"shape": "constant"}]}, "version", "2"),
    ({"phases": [{"shape": "step", "gamma": 0.5, "milestones": [10, 5]}]}, "phases[0].milestones[1]", ""),
])
def test_spec_errors_name_the_json_path(spec, path, fragment):
    with pytest.raises(pace.SpecError) as info:
        pace.Schedule(spec)
    e = info.value
    assert e.status == "PACE_E_SPEC" and e.code == 2
    assert path in e.message, e.message
    assert fragment in e.message
    assert e.message.startswith("PACE_E_SPEC")
    assert path in str(e)


def test_invalid_json_text_is_a_spec_error():
    with pytest.raises(pace.SpecError, match="JSON"):
        pace.Schedule('{"phases": [}')
    with pytest.raises(pace.SpecError):
        pace.Schedule('{"a": 1} trailing')
    with pytest.raises(pace.SpecError, match="NUL"):
        pace.Schedule(b'{"phases": []}\0')
    with pytest.raises(pace.SpecError, match="non-finite"):
        pace.Schedule({"peak": float("nan"), "phases": [{"shape": "constant"}]})


def test_argument_errors():
    s = pace.Schedule(PRESET_SPECS["linear"])
    # Library-side checks, called directly (the wrapper checks first).
    out = ctypes.c_double()
    status = _lib.lib.pace_schedule_at(s._h(), -1, ctypes.byref(out))
    e = errors.error_for(status)
    assert isinstance(e, pace.ArgumentError) and e.status == "PACE_E_ARGUMENT"
    assert "step" in e.message and "-1" in e.message
    with pytest.raises(pace.ArgumentError, match="overflow"):
        s.values(start=2**63 - 10, count=100)
    with pytest.raises(pace.ArgumentError, match="schedule is NULL"):
        errors.check(_lib.lib.pace_schedule_at(None, 0, ctypes.byref(out)))
    # Binding-side checks.
    with pytest.raises(pace.ArgumentError, match=">= 0"):
        s.at(-1)
    with pytest.raises(pace.ArgumentError, match="int64"):
        s.at(2**63)
    with pytest.raises(pace.ArgumentError):
        s.values(start=-3)
    with pytest.raises(pace.ArgumentError):
        s.values(count=-1)
    with pytest.raises(TypeError):
        s.at(1.5)
    with pytest.raises(TypeError):
        s.at(True)
    with pytest.raises(TypeError):
        s.values(dtype=np.int32)
    assert s.at(np.int64(5)) == s.at(5)
    s.close()


def test_buffer_too_small_and_needed_pattern():
    with pace.Schedule(PRESET_SPECS["onecycle"]) as s:
        text = s.to_json()
        needed = ctypes.c_size_t(0)
        status = _lib.lib.pace_schedule_to_json(s._h(), None, 0, ctypes.byref(needed))
        assert status == _lib.PACE_E_BUFFER_TOO_SMALL
        assert needed.value == len(text.encode()) + 1
        buf = ctypes.create_string_buffer(needed.value - 1)
        status = _lib.lib.pace_schedule_to_json(s._h(), buf, needed.value - 1, ctypes.byref(needed))
        e = errors.error_for(status)
        assert isinstance(e, pace.BufferTooSmallError) and e.status == "PACE_E_BUFFER_TOO_SMALL"
        assert str(needed.value) in e.message
        buf = ctypes.create_string_buffer(needed.value)
        assert _lib.lib.pace_schedule_to_json(s._h(), buf, needed.value, ctypes.byref(needed)) == 0
        assert buf.value.decode() == text


def test_last_error_is_per_thread():
    barrier = threading.Barrier(2)
    results = {}

    def fail(name, spec):
        barrier.wait()
        for _ in range(200):
            try:
                pace.Schedule(spec)
            except pace.SpecError as e:
                results.setdefault(name, set()).add(e.message)

    a = threading.Thread(target=fail, args=("a", {"preset": "nonsense_a"}))
    b = threading.Thread(target=fail, args=("b", {"phases": [{"shape": "linear", "steps": -7, "to": 0}]}))
    a.start(); b.start(); a.join(); b.join()
    assert len(results["a"]) == 1 and "nonsense_a" in next(iter(results["a"]))
    assert len(results["b"]) == 1 and "phases[0].steps" in next(iter(results["b"]))


# ---------------------------------------------------------------------------
# Handles


def test_close_and_context_manager():
    s = pace.Schedule(PRESET_SPECS["linear"])
    assert not s.closed
    s.close()
    s.close()  # idempotent
    assert s.closed
    for call in (lambda: s.at(0), lambda: s.values(), lambda: s.to_json(), lambda: s.total_steps,
                 lambda: s.stepper()):
        with pytest.raises(ValueError, match="closed"):
            call()
    assert "closed" in repr(s)
    with pace.Schedule(PRESET_SPECS["cosine"]) as t:
        assert t.at(0) == 0.0
    assert t.closed
    with pytest.raises(ValueError):
        with s:
            pass


def test_del_frees_and_nothing_leaks():
    freed = []
    real_free = _lib.lib.pace_schedule_free

    class Spy:
        def __call__(self, handle):
            freed.append(ctypes.cast(handle, ctypes.c_void_p).value)
            return real_free(handle)

    _lib.lib.pace_schedule_free = Spy()
    try:
        s = pace.Schedule(PRESET_SPECS["step"])
        address = ctypes.cast(s._handle, ctypes.c_void_p).value
        ref = weakref.ref(s)
        del s
        gc.collect()
        assert ref() is None
        assert freed == [address]
    finally:
        _lib.lib.pace_schedule_free = real_free
    # Many create/free cycles in a row, handles reused without trouble.
    for _ in range(2000):
        pace.Schedule(PRESET_SPECS["wsd"]).at(10)


def test_repr_and_properties():
    s = pace.Schedule(PRESET_SPECS["wsd"])
    r = repr(s)
    assert "total_steps=1000" in r and "linear" not in r and "cosine" in r and "sqrt" in r
    assert s.total_steps == 1000
    open_ended = pace.Schedule(PRESET_SPECS["exponential"])
    assert open_ended.total_steps is None
    assert "open-ended" in repr(open_ended)
    with pytest.raises(pace.ArgumentError, match="open-ended"):
        open_ended.values()
    assert open_ended.values(count=10).shape == (10,)
    assert pace.Schedule(RAW_SPEC).total_steps == 10000
    onecycle = pace.Schedule({"preset": "onecycle", "total_steps": 1001, "pct_start": 0.3})
    assert onecycle.total_steps == 1001  # the steps torch's OneCycleLR takes


# ---------------------------------------------------------------------------
# Spec inputs


def test_spec_as_dict_text_bytes_and_paths(tmp_path):
    text = json.dumps(RAW_SPEC)
    path = tmp_path / "schedule.json"
    path.write_text(text)
    reference = pace.Schedule(RAW_SPEC).values()
    for spec in (text, "  \n" + text, text.encode(), path, str(path)):
        assert np.array_equal(pace.Schedule(spec).values(), reference)
    with pytest.raises(FileNotFoundError):
        pace.Schedule(str(tmp_path / "missing.json"))
    with pytest.raises(TypeError):
        pace.Schedule(42)


# ---------------------------------------------------------------------------
# Values, fills, stepper


@pytest.mark.parametrize("name", sorted(PRESET_SPECS))
def test_fill_matches_at_and_float32_is_rounded_float64(name):
    with pace.Schedule(PRESET_SPECS[name]) as s:
        n = s.total_steps or 1500
        v64 = s.values(0, n + 50)
        assert v64.dtype == np.float64 and v64.shape == (n + 50,)
        at = np.array([s.at(t) for t in range(n + 50)])
        assert np.array_equal(at.view(np.uint64), v64.view(np.uint64))
        v32 = s.values(0, n + 50, dtype=np.float32)
        assert v32.dtype == np.float32
        assert np.array_equal(v32.view(np.uint32), v64.astype(np.float32).view(np.uint32))
        # An offset fill is the same slice.
        assert np.array_equal(s.values(123, 77), v64[123:200])
        assert np.array_equal(s.values(7, 0), np.empty(0))
        assert np.all(np.isfinite(v64)) and np.all(v64 >= 0)


def test_values_default_count_is_the_rest():
    with pace.Schedule(PRESET_SPECS["linear"]) as s:
        assert s.values().shape == (1000,)
        assert np.array_equal(s.values(600), s.values()[600:])
        assert s.values(1500).shape == (0,)


def test_fill_into_existing_array():
    s = pace.Schedule(PRESET_SPECS["cosine"])
    out = np.zeros(300)
    assert s.fill(out, 10) is out
    assert np.array_equal(out, s.values(10, 300))
    out32 = np.zeros(300, dtype=np.float32)
    s.fill(out32, 10)
    assert np.array_equal(out32, s.values(10, 300, np.float32))
    with pytest.raises(ValueError):
        s.fill(np.zeros((2, 3)))
    with pytest.raises(ValueError):
        s.fill(np.zeros(10)[::2])
    with pytest.raises(TypeError):
        s.fill(np.zeros(10, dtype=np.int64))


@pytest.mark.parametrize("name", ["onecycle", "sgdr", "cyclic", "wsd", "timm_cosine", "exponential"])
@pytest.mark.parametrize("chunk", [1, 7, 256, 4096])
@pytest.mark.parametrize("start", [0, 13])
def test_stepper_equals_values(name, chunk, start):
    with pace.Schedule(PRESET_SPECS[name]) as s:
        n = 2500
        expected = s.values(start, n).tolist()
        st = s.stepper(start=start, chunk=chunk)
        assert st.step == start
        got = [st.next() for _ in range(n // 2)]
        assert st.step == start + n // 2
        got += [v for _, v in zip(range(n - n // 2), st)]
        assert st.step == start + n
        assert got == expected
        assert all(type(v) is float for v in got[:5])


def test_stepper_stop_and_seek():
    s = pace.Schedule(PRESET_SPECS["onecycle"])
    values = s.values()
    st = s.stepper(chunk=100, stop=s.total_steps)
    assert list(st) == values.tolist()
    with pytest.raises(StopIteration):
        st.next()
    st.seek(250)
    assert st.step == 250 and st.next() == values[250]
    st.seek(5)
    assert [st.next() for _ in range(3)] == values[5:8].tolist()
    st.seek(990)
    assert list(st) == values[990:].tolist()
    assert "step=1000" in repr(st)  # onecycle's total_steps: the 1000 steps given
    with pytest.raises(pace.ArgumentError):
        s.stepper(chunk=0)


def test_stepper_makes_no_library_call_per_step(monkeypatch):
    s = pace.Schedule(PRESET_SPECS["cosine"])
    calls = {"fill": 0}
    real_fill = _lib.lib.pace_schedule_fill_f64

    def counting_fill(*args):
        calls["fill"] += 1
        return real_fill(*args)

    def forbidden(*args):
        raise AssertionError("pace_schedule_at called per step")

    monkeypatch.setattr(_lib.lib, "pace_schedule_fill_f64", counting_fill)
    monkeypatch.setattr(_lib.lib, "pace_schedule_at", forbidden)
    st = s.stepper(chunk=512)
    for _ in range(5000):
        st.next()
    assert calls["fill"] == 10  # ceil(5000 / 512)


def test_schedule_is_shareable_across_threads():
    s = pace.Schedule(PRESET_SPECS["timm_cosine"])
    expected = s.values(0, 5000)
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda k: s.values(0, 5000), range(32)))
    assert all(np.array_equal(r, expected) for r in results)


def test_after_hold_and_zero():
    hold = pace.Schedule({"preset": "linear", "peak": 0.1, "total_steps": 100, "after": "hold"})
    zero = pace.Schedule({"peak": 0.1, "after": "zero", "phases": [{"shape": "linear", "steps": 100, "to": 0.5}]})
    assert hold.at(100) == hold.at(10**12) == 0.0
    assert zero.at(99) > 0.05 and zero.at(100) == 0.0


# ---------------------------------------------------------------------------
# Canonical spec


@pytest.mark.parametrize("name", sorted(PRESET_SPECS))
def test_to_dict_round_trip_gives_identical_values(name):
    with pace.Schedule(PRESET_SPECS[name]) as s:
        canonical = s.to_dict()
        assert "preset" not in canonical and canonical["version"] == 1
        assert isinstance(canonical["phases"], list) and canonical["phases"]
        n = (s.total_steps or 3000) + 100
        with pace.Schedule(canonical) as again:
            assert again.total_steps == s.total_steps
            assert np.array_equal(again.values(0, n).view(np.uint64), s.values(0, n).view(np.uint64))
            assert again.to_json() == s.to_json()  # canonical is a fixed point
        with pace.Schedule(s.to_json()) as from_text:
            assert np.array_equal(from_text.values(0, n), s.values(0, n))
        copy = pickle.loads(pickle.dumps(s))
        assert np.array_equal(copy.values(0, n), s.values(0, n))


def test_every_documented_preset_is_covered():
    spec_doc = (ROOT / "docs" / "schedule-spec.md").read_text()
    table = spec_doc.split("## Presets", 1)[1].split("## Errors", 1)[0]
    names = set()
    for row in table.splitlines():
        if row.startswith("| `"):
            names.update(re.findall(r"`(\w+)`", row.split("|")[1]))
    assert names == set(PRESET_SPECS), names ^ set(PRESET_SPECS)


# ---------------------------------------------------------------------------
# Finding the library (fresh interpreters)


def run_python(code, env_extra=None, cwd=None, pythonpath=BINDINGS):
    env = dict(os.environ)
    env.pop("PACE_LIBRARY", None)
    env["PYTHONPATH"] = str(pythonpath)
    if env_extra:
        env.update(env_extra)
    return subprocess.run([sys.executable, "-c", code], env=env, cwd=cwd or str(ROOT),
                          capture_output=True, text=True, timeout=120)


def test_pace_library_missing_file_is_a_clear_import_error(tmp_path):
    missing = tmp_path / "nowhere" / "libpace.so"
    r = run_python("import pace", {"PACE_LIBRARY": str(missing)})
    assert r.returncode != 0
    assert "ImportError" in r.stderr
    assert "PACE_LIBRARY" in r.stderr and str(missing) in r.stderr
    assert "no file" in r.stderr


def test_pace_library_not_a_library(tmp_path):
    bogus = tmp_path / "libpace.so"
    bogus.write_text("not an ELF file")
    r = run_python("import pace", {"PACE_LIBRARY": str(bogus)})
    assert r.returncode != 0
    assert "ImportError" in r.stderr and "could not load" in r.stderr and str(bogus) in r.stderr


def test_pace_library_env_is_used():
    lib = ROOT / "build" / "lib" / "libpace.so"
    r = run_python("import pace; print(pace.library_path)", {"PACE_LIBRARY": str(lib)})
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == str(lib)


def test_incompatible_version_is_an_import_error():
    # A library reporting 0.2.0: ctypes.CDLL is wrapped so that
    # pace_version_number returns 200; everything else is the real library.
    code = """
import ctypes
real_cdll = ctypes.CDLL
class FakeVersion:
    argtypes = None
    restype = None
    def __call__(self):
        return 200
class Wrapped:
    def __init__(self, path, *a, **k):
        self._lib = real_cdll(path, *a, **k)
    def __getattr__(self, name):
        if name == "pace_version_number":
            return FakeVersion()
        return getattr(self._lib, name)
ctypes.CDLL = Wrapped
import pace
"""
    r = run_python(code)
    assert r.returncode != 0
    assert "ImportError" in r.stderr
    assert "version 0.2.0" in r.stderr and "pace_version_number() = 200" in r.stderr
    assert "0.1.0" in r.stderr and str(ROOT / "build" / "lib" / "libpace.so") in r.stderr


def test_not_found_lists_every_place(tmp_path):
    pkg = tmp_path / "site"
    shutil.copytree(BINDINGS / "pace", pkg / "pace", ignore=shutil.ignore_patterns("__pycache__", "*.so"))
    work = tmp_path / "work"
    work.mkdir()
    r = run_python("import pace", cwd=str(work), pythonpath=pkg)
    assert r.returncode != 0
    assert "ImportError" in r.stderr and "cannot find libpace.so" in r.stderr
    assert str(pkg / "pace" / "libpace.so") in r.stderr
    assert str(pkg / "build" / "lib" / "libpace.so") in r.stderr
    assert str(work / "build" / "lib" / "libpace.so") in r.stderr
    assert "PACE_LIBRARY" in r.stderr


def test_copy_inside_the_package_comes_first(tmp_path):
    pkg = tmp_path / "site"
    shutil.copytree(BINDINGS / "pace", pkg / "pace", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy2(ROOT / "build" / "lib" / "libpace.so", pkg / "pace" / "libpace.so")
    r = run_python("import pace; print(pace.library_path); print(pace.Schedule({'preset': 'step', "
                   "'step_size': 2, 'gamma': 0.5}).at(5))", pythonpath=pkg)
    assert r.returncode == 0, r.stderr
    path, value = r.stdout.split()
    assert path == str(pkg / "pace" / "libpace.so")
    assert float(value) == 0.25
