"""One source for every fact (issue 19, part 3): the version, the status
names, the law kinds with their spellings and parameter names, the warmup
modes, fit methods, search families and the search's default warmup are
defined once (the header for the version, the library's own tables for the
rest: pace_names_json) and every binding reads them. Each test here fails
when a binding restates a fact differently, or restates it at all; plus the
binding's shared helpers: one (buf, cap, *needed) retry, one owned-handle
base, plain exception classes, no late imports."""

from __future__ import annotations

import ast
import ctypes
import json
import pickle
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import pace
from pace import _lib, _sized, errors, laws
from pace._handle import OwnedHandle

ROOT = Path(__file__).resolve().parents[2]
HEADER_TEXT = (ROOT / "include" / "pace.h").read_text()
PACKAGE = ROOT / "bindings" / "python" / "pace"
CPP_HEADER = ROOT / "bindings" / "cpp" / "pace.hpp"


def header_defines(prefix: str) -> dict:
    """`#define PREFIXNAME VALUE[u]` lines of include/pace.h as {NAME: int}."""
    return {m.group(1): int(m.group(2))
            for m in re.finditer(r"^#define %s(\w+) (\d+)u?\b" % prefix, HEADER_TEXT, re.M)}


def header_statuses() -> dict:
    body = re.search(r"typedef enum pace_status \{(.*?)\} pace_status;", HEADER_TEXT, re.S).group(1)
    return {m.group(1): int(m.group(2)) for m in re.finditer(r"\b(PACE_(?:OK|E_\w+))\s*=\s*(\d+)", body)}


def header_version() -> str:
    v = header_defines("PACE_VERSION_")
    return "%d.%d.%d" % (v["MAJOR"], v["MINOR"], v["PATCH"])


def names_from_library() -> dict:
    """pace_names_json read here with a plain two-call, not the binding's helper."""
    fn = _lib.lib.pace_names_json
    needed = ctypes.c_size_t(0)
    assert fn(None, 0, ctypes.byref(needed)) == header_statuses()["PACE_E_BUFFER_TOO_SMALL"]
    buf = ctypes.create_string_buffer(needed.value)
    assert fn(buf, needed.value, ctypes.byref(needed)) == 0
    return json.loads(buf.value.decode("utf-8"))


# ---------------------------------------------------------------------------
# The version: the header, the library, the binding, the wheel, the CLI


def test_version_is_the_headers_everywhere():
    version = header_version()
    number = header_defines("PACE_VERSION_")
    number = number["MAJOR"] * 10000 + number["MINOR"] * 100 + number["PATCH"]
    assert _lib.lib.pace_version_string().decode() == version
    assert _lib.lib.pace_version_number() == number
    assert pace.version() == version
    assert pace.__version__ == version
    assert _lib.EXPECTED_VERSION == number
    assert _lib.NAMES["version"] == version and _lib.NAMES["version_number"] == number
    assert pace.build_info_fields()["pace"] == version
    # The wheel's metadata (setup.py reads the header in a checkout).
    r = subprocess.run([sys.executable, "setup.py", "--version"], cwd=PACKAGE.parent, capture_output=True,
                       text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip().splitlines()[-1] == version


def test_cli_version_is_the_headers():
    cli = ROOT / "build" / "bin" / "pace"
    if not cli.is_file():
        pytest.skip("build/bin/pace is not built (make cli)")
    r = subprocess.run([str(cli), "--version"], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0
    assert r.stdout.split()[0] == header_version()


def test_version_is_written_once_in_the_sources():
    """No source restates the version string: the header defines it; the C
    API, the CLI and the binding compute it."""
    pattern = re.compile(r'"%s"' % re.escape(header_version()))
    offenders = []
    for path in [*(ROOT / "Sources").rglob("*.swift"), *PACKAGE.glob("*.py"), CPP_HEADER]:
        text = path.read_text()
        if pattern.search(text):
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []
    assert "PACE_VERSION_MAJOR" in (ROOT / "Sources" / "PaceCAPI" / "Status.swift").read_text()
    assert "PACE_VERSION_MAJOR" in (ROOT / "Sources" / "pace" / "PaceTool.swift").read_text()


# ---------------------------------------------------------------------------
# Status names and codes


def test_status_names_and_codes_agree_everywhere():
    header = header_statuses()
    assert len(header) >= 10 and header["PACE_OK"] == 0
    assert names_from_library()["status"] == header
    assert _lib.STATUS == header
    for name, code in header.items():
        assert getattr(_lib, name) == code, name
        assert _lib.lib.pace_status_name(code).decode() == name
        assert errors.status_name(code) == name
        if code:
            cls = errors.ERROR_CLASSES[code]
            assert cls.code == code and cls.default_status == name
    assert set(errors.ERROR_CLASSES) == {c for c in header.values() if c}
    assert _lib.lib.pace_status_name(max(header.values()) + 1).decode() == "PACE_E_UNKNOWN"


def test_exception_classes_are_plain_classes():
    for cls in errors.ERROR_CLASSES.values():
        assert type(cls) is type and cls.__module__ == "pace.errors"
        assert cls.__doc__ and cls.__doc__.startswith(cls.default_status)
        e = cls("boom", cls.default_status, cls.code)
        back = pickle.loads(pickle.dumps(e))
        assert type(back) is cls and back.status == e.status and back.code == e.code
    assert issubclass(errors.ArgumentError, ValueError) and issubclass(errors.SpecError, ValueError)
    assert issubclass(errors.NumericError, ArithmeticError) and issubclass(errors.NoMemoryError, MemoryError)
    assert "_status_error" not in vars(errors) and "type(" not in (PACKAGE / "errors.py").read_text()


# ---------------------------------------------------------------------------
# Law kinds, parameters, warmup modes, fit methods, search families


def test_law_vocabularies_match_the_header_codes():
    names = names_from_library()
    assert {k.lower(): v for k, v in header_defines("PACE_LAW_").items()} == {
        k: v["value"] for k, v in names["law_kinds"].items()}
    assert {k.lower(): v for k, v in header_defines("PACE_WARMUP_").items()} == names["warmup_modes"]
    assert {k.lower(): v for k, v in header_defines("PACE_FIT_").items()} == names["fit_methods"]
    assert {k.lower(): v for k, v in header_defines("PACE_FAMILY_").items()} == names["search_families"]
    assert names == _lib.NAMES


def test_the_binding_reads_the_law_vocabularies():
    names = _lib.NAMES
    assert laws.KINDS == {k: v["value"] for k, v in names["law_kinds"].items()}
    assert laws.FAMILIES == names["search_families"]
    assert {k: v for k, v in laws.WARMUP_MODES.items() if k is not None} == names["warmup_modes"]
    assert laws.WARMUP_MODES[None] == names["warmup_modes"]["default"]
    source = (PACKAGE / "laws.py").read_text()
    for restated in ('"multi_power": 1', '"annealing": 0', '"wsd": 1', '"raw": 3', '"lm": 0', '"gamma"]'):
        assert restated not in source, restated


def test_parameter_names_and_kinds_match_real_laws():
    """Each kind's names entry is what a law of that kind reports through
    pace_law_kind and pace_law_param_name."""
    for name, kind in _lib.NAMES["law_kinds"].items():
        params = [0.5] * len(kind["params"])
        with laws.Law.create(name, params) as law:
            assert law.kind == name
            assert list(law.params) == kind["params"]
            code = ctypes.c_uint32()
            assert _lib.lib.pace_law_kind(law._h(), ctypes.byref(code)) == 0
            assert code.value == kind["value"]
        assert kind["names"][0] == name and kind["warmup"] in _lib.NAMES["warmup_modes"]


@pytest.mark.parametrize("spelling", ["tissue", "momentum", "Tissue", "MPL", "multi-power", "multipower",
                                      "Multi_Power", "annealing"])
def test_every_spelling_the_library_accepts_python_accepts(spelling):
    kinds = {s: name for name, k in _lib.NAMES["law_kinds"].items() for s in k["names"]}
    expected = kinds[spelling.lower()]
    params = [0.5] * len(_lib.NAMES["law_kinds"][expected]["params"])
    with laws.Law.create(spelling, params) as law:
        assert law.kind == expected
    assert {"tissue", "momentum"} <= set(_lib.NAMES["law_kinds"]["annealing"]["names"])


def test_unknown_kind_names_the_accepted_spellings():
    with pytest.raises(pace.ArgumentError) as info:
        laws.Law.create("cosine", [1.0] * 5)
    assert "'tissue'" in str(info.value) and "'mpl'" in str(info.value)


def test_default_search_warmup_is_the_librarys_fraction():
    """The search's warmup when none is given is the fraction pace_names_json
    reports, as the library applies it (same spec, same loss)."""
    fraction = _lib.NAMES["defaults"]["search_warmup_fraction"]
    assert 0 < fraction < 1
    law = laws.Law.create("multi_power", [3.0405, 0.5247, 0.5079, 363.79, 2.0656, 0.5828, 0.6414])
    budget = 2000
    implicit = law.search(budget, 3e-4, families=["cosine"])
    explicit = law.search(budget, 3e-4, warmup=int(round(fraction * budget)), families=["cosine"])
    other = law.search(budget, 3e-4, warmup=int(round(fraction * budget)) + 50, families=["cosine"])
    assert implicit == explicit
    assert other["spec"] != implicit["spec"]
    law.close()


def test_cpp_wrapper_reads_the_same_names(tmp_path):
    cxx = shutil.which("g++") or shutil.which("c++")
    library = Path(_lib.library_path)
    if cxx is None:
        pytest.skip("no C++ compiler")
    (tmp_path / "names.cpp").write_text(
        '#include "pace.hpp"\n#include <cstdio>\n'
        'int main() { std::printf("%s\\n%s\\n", pace::names_json().c_str(), pace::version_string().c_str()); }\n')
    exe = tmp_path / "names"
    subprocess.run([cxx, "-std=c++17", "-Wall", "-Wextra", "-Werror", "-I", str(ROOT / "include"),
                    "-I", str(CPP_HEADER.parent), str(tmp_path / "names.cpp"), str(library),
                    "-Wl,-rpath," + str(library.parent), "-o", str(exe)], check=True)
    names, version = subprocess.run([str(exe)], capture_output=True, text=True, check=True).stdout.splitlines()
    assert json.loads(names) == _lib.NAMES
    assert version == header_version()


def test_cpp_wrapper_restates_no_default():
    text = CPP_HEADER.read_text()
    assert "9%" not in text and "0.09" not in text
    assert "pace_names_json" in text


# ---------------------------------------------------------------------------
# The binding's shared helpers


def fake_sized(text: bytes, grow_times: int = 0):
    """A (buf, cap, *needed) function in Python: needs len(text)+1 bytes,
    plus 1000 more on each call after the first, grow_times times (an output
    that grows between the size query and the fill)."""
    calls = []
    too_small = _lib.PACE_E_BUFFER_TOO_SMALL

    def fn(buf, cap, needed):
        calls.append(cap)
        extra = 1000 * min(len(calls) - 1, grow_times)
        size = len(text) + 1 + extra
        needed._obj.value = size
        if buf is None or cap < size:
            return too_small
        ctypes.memmove(buf, text + b"\0", len(text) + 1)
        return 0
    return fn, calls


def test_one_retry_helper_never_truncates():
    big = bytes(range(65, 91)) * 10000  # 260000 bytes, more than the old 64 KiB buffer
    fn, calls = fake_sized(big)
    assert _sized.read(fn) == big
    assert calls == [0, len(big) + 1]
    fn, calls = fake_sized(big, grow_times=2)
    assert _sized.read(fn) == big and len(calls) == 4
    fn, calls = fake_sized(b"short")
    assert _sized.read_str(fn, cap=4096) == "short" and calls == [4096]  # one call with a first buffer
    fn, calls = fake_sized(big, grow_times=10)
    with pytest.raises(pace.BufferTooSmallError):
        _sized.read(fn)


def test_one_retry_helper_in_the_sources():
    """create_string_buffer, the sign of a hand-written retry, appears only
    in _lib.call_sized (and in data.py, for a sampler state passed in)."""
    users = sorted(p.name for p in PACKAGE.glob("*.py") if "create_string_buffer" in p.read_text())
    assert users == ["_lib.py", "data.py"], users
    assert "create_string_buffer(data" in (PACKAGE / "data.py").read_text()


def test_a_long_canonical_spec_is_read_whole():
    spec = {"peak": 1.0, "phases": [{"shape": "linear", "steps": 10, "from": 1.0 - i / 5000,
                                     "to": 1.0 - (i + 1) / 5000} for i in range(3000)]}
    with pace.Schedule(spec) as s:
        text = s.to_json()
        assert len(text) > 65536
        assert len(json.loads(text)["phases"]) == 3000


def test_every_handle_class_uses_the_one_owned_handle_base():
    from pace import data, tune
    for cls in (pace.Schedule, pace.Runtime, pace.Engine, laws.Law, data.Sampler, tune.AutoLRS):
        assert issubclass(cls, OwnedHandle), cls
        assert "close" not in vars(cls) and "__del__" not in vars(cls), cls
    law = laws.Law.create("annealing", [3.0, 0.5, 0.5, 1.0, 0.999])
    with law:
        assert not law.closed
    assert law.closed
    with pytest.raises(ValueError, match="closed pace.laws.Law"):
        law.params
    law.close()  # idempotent


def test_one_look_ahead_buffer():
    """Stepper and PaceLR serve values from pace._lookahead.LookAhead; no
    other module allocates a per-chunk buffer of values."""
    from pace._lookahead import LookAhead
    with pace.Schedule({"preset": "cosine", "peak": 1.0, "total_steps": 100}) as s:
        window = LookAhead(s, 16)
        assert np.array_equal(window.fill(90, stop=100), s.values(90, 10))
        assert window.base == 90 and window.count == 10
        assert len(window.fill(100, stop=100)) == 0 and window.base == 90  # nothing left: no call
        assert window.value(3) == s.at(3) and window.base == 3
        stepper = s.stepper(start=5, chunk=7, stop=40)
        assert isinstance(stepper._window, LookAhead)
        assert list(stepper) == s.values(5, 35).tolist()
    sources = {p.name: p.read_text() for p in PACKAGE.glob("*.py")}
    users = sorted(n for n, t in sources.items() if "LookAhead(" in t and n != "_lookahead.py")
    assert users == ["_torch_lr.py", "schedule.py"], users
    assert all("np.empty(self.chunk" not in t and "np.empty(self._pace_chunk" not in t for t in sources.values())


def test_no_late_imports():
    """Imports sit at the top of each module; the only import inside a
    function is matplotlib in Schedule.plot (an optional framework that
    `import pace` must not load)."""
    late = []
    for path in sorted(PACKAGE.glob("*.py")):
        tree = ast.parse(path.read_text())
        for fn in ast.walk(tree):
            if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
                for node in ast.walk(fn):
                    if isinstance(node, (ast.Import, ast.ImportFrom)):
                        mods = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
                        if not all(m.split(".")[0] == "matplotlib" for m in mods):
                            late.append("%s:%d %s" % (path.name, node.lineno, mods))
    assert late == []


def test_torch_module_is_split_and_keeps_its_names():
    pt = pytest.importorskip("pace.torch")
    assert len((PACKAGE / "torch.py").read_text().splitlines()) < 150
    for name in ("PaceLR", "PaceRuntimeScheduler", "PaceBatchSampler", "train_with_autolrs"):
        assert name in pt.__all__ and hasattr(pt, name)
    assert pt.PaceLR.__module__ == "pace._torch_lr"
    assert pt.PaceRuntimeScheduler.__module__ == "pace._torch_runtime"
    for name in ("_torch_lr.py", "_torch_runtime.py"):
        assert len((PACKAGE / name).read_text().splitlines()) < 500
