"""The docs restate no fact differently from the library (issue 19, part 3).

docs/c-api.md and README.md state facts the library exports: status names
and codes, the names JSON (version, law kinds with their spellings and
parameters, warmup modes, fit methods, search families, defaults), version
strings in examples, the sonames of the libraries loaded on first use, the
library's NEEDED entries and the names of the header's functions. The one
source of each is the library (``pace_names_json``, ``pace_status_name``,
``pace_version_string``, ``readelf -d``), the header, or
``Sources/_CLazyLibrary/include/_CLazyLibrary.h``. Each test here fails when
a doc states one of them differently. Also: the C++ wrapper names every
function of the header but the ones it lists as C-only.

The names JSON example of docs/c-api.md is generated, between the markers
``<!-- names-json:begin ... -->`` and ``<!-- names-json:end -->``; after a
change to the library's names, regenerate it (from the built library):

    python3 abi-tests/python/test_doc_facts.py --write
"""

from __future__ import annotations

import ctypes
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
C_API_DOC = ROOT / "docs" / "c-api.md"
README = ROOT / "README.md"
HEADER = ROOT / "include" / "pace.h"
LAZY_HEADER = ROOT / "Sources" / "_CLazyLibrary" / "include" / "_CLazyLibrary.h"

BEGIN = "<!-- names-json:begin (generated from pace_names_json by abi-tests/python/test_doc_facts.py --write: do not edit) -->"
END = "<!-- names-json:end -->"
WRITE_COMMAND = "python3 abi-tests/python/test_doc_facts.py --write"


def load_library() -> ctypes.CDLL:
    """The library the binding loads (build/lib/libpace.so or PACE_LIBRARY)."""
    sys.path.insert(0, str(ROOT / "bindings" / "python"))
    from pace import _lib  # noqa: E402  (the binding finds the library as every test does)
    return _lib.lib


def library_names(lib: ctypes.CDLL) -> dict:
    """pace_names_json with a plain two-call."""
    fn = lib.pace_names_json
    fn.restype = ctypes.c_int
    fn.argtypes = [ctypes.c_char_p, ctypes.c_size_t, ctypes.POINTER(ctypes.c_size_t)]
    needed = ctypes.c_size_t(0)
    fn(None, 0, ctypes.byref(needed))
    buf = ctypes.create_string_buffer(needed.value)
    assert fn(buf, needed.value, ctypes.byref(needed)) == 0
    return json.loads(buf.value.decode("utf-8"))


def render_names(names: dict) -> str:
    """The names JSON as the doc shows it: one top-level key a line, one law
    kind a line, each value compact; valid JSON, equal to the library's."""
    def compact(value) -> str:
        return json.dumps(value, separators=(", ", ": "))

    lines = []
    for key, value in names.items():
        if key == "law_kinds":
            kinds = ["    %s: %s" % (json.dumps(k), compact(v)) for k, v in value.items()]
            lines.append('  "law_kinds": {\n%s\n  }' % ",\n".join(kinds))
        else:
            lines.append("  %s: %s" % (json.dumps(key), compact(value)))
    return "{\n%s\n}" % ",\n".join(lines)


def generated_block(names: dict) -> str:
    return "%s\n```json\n%s\n```\n%s" % (BEGIN, render_names(names), END)


def doc_block(text: str) -> str:
    start = text.index(BEGIN)
    end = text.index(END, start) + len(END)
    return text[start:end]


def status_table(text: str) -> list:
    """(name, value) of each row of the '## Status codes' table, in order."""
    section = text.split("## Status codes", 1)[1].split("\n## ", 1)[0]
    return [(m.group(1), int(m.group(2)))
            for m in re.finditer(r"^\| `(PACE_\w+)` \| (\d+) \|", section, re.M)]


# ---------------------------------------------------------------------------


def test_names_json_example_is_the_librarys():
    lib = load_library()
    names = library_names(lib)
    block = doc_block(C_API_DOC.read_text(encoding="utf-8"))
    shown = json.loads(re.search(r"```json\n(.*?)```", block, re.S).group(1))
    assert shown == names, "docs/c-api.md's names JSON differs from pace_names_json: run " + WRITE_COMMAND
    assert block == generated_block(names), "docs/c-api.md's names JSON is not as generated: run " + WRITE_COMMAND


def test_status_table_is_the_librarys():
    lib = load_library()
    library = library_names(lib)["status"]
    rows = status_table(C_API_DOC.read_text(encoding="utf-8"))
    assert rows == sorted(library.items(), key=lambda item: item[1]), \
        "docs/c-api.md's status table (names, values, order) differs from pace_names_json's status"
    lib.pace_status_name.restype = ctypes.c_char_p
    for name, value in rows:
        assert lib.pace_status_name(value).decode() == name


def test_status_table_check_catches_a_difference():
    text = C_API_DOC.read_text(encoding="utf-8")
    rows = status_table(text)
    assert len(rows) >= 10
    renamed = text.replace("| `PACE_E_STATE` | 4 |", "| `PACE_E_STALE` | 4 |")
    assert status_table(renamed) != rows
    dropped = text.replace("| `PACE_E_INTERNAL` | 9 |", "| PACE_E_INTERNAL | 9 |")
    assert len(status_table(dropped)) == len(rows) - 1


def test_names_json_check_catches_a_difference():
    lib = load_library()
    names = library_names(lib)
    changed = json.loads(json.dumps(names))
    changed["fit_methods"]["new_method"] = 99
    assert generated_block(changed) != generated_block(names)
    assert json.loads(re.search(r"```json\n(.*?)```", generated_block(names), re.S).group(1)) == names


def test_version_strings_in_docs_are_the_librarys():
    """Every 'pace X.Y.Z' (build info) and '# X.Y.Z' (pace --version) example,
    and the names JSON's version, is the loaded library's version."""
    lib = load_library()
    lib.pace_version_string.restype = ctypes.c_char_p
    version = lib.pace_version_string().decode()
    header = dict(re.findall(r"^#define PACE_VERSION_(MAJOR|MINOR|PATCH) (\d+)", HEADER.read_text(), re.M))
    assert version == "%s.%s.%s" % (header["MAJOR"], header["MINOR"], header["PATCH"])
    found = []
    for doc in (C_API_DOC, README):
        text = doc.read_text(encoding="utf-8")
        found += [(doc.name, v) for v in re.findall(r"\bpace (\d+\.\d+\.\d+)\b", text)]
        found += [(doc.name, v) for v in re.findall(r"--version\s+# (\d+\.\d+\.\d+)", text)]
        found += [(doc.name, v) for v in re.findall(r'"version": ?"(\d+\.\d+\.\d+)"', text)]
    assert found, "no version string found in the docs (the patterns are stale)"
    assert [f for f in found if f[1] != version] == []


def test_lazy_library_sonames_in_docs_are_the_sources():
    """The sonames docs/c-api.md's table of lazily loaded libraries gives for
    LAPACKE and libnuma are those of _CLazyLibrary.h (the one place that
    names them)."""
    sonames = dict(re.findall(r'^#define PACE_(LAPACKE|NUMA)_SONAME "([^"]+)"', LAZY_HEADER.read_text(), re.M))
    assert set(sonames) == {"LAPACKE", "NUMA"}
    text = C_API_DOC.read_text(encoding="utf-8")
    table = text.split("| library (soname) |", 1)[1].split("\n\n", 1)[0]
    named = re.findall(r"^\| (LAPACKE|libnuma) `([^`]+)`", table, re.M)
    assert dict((k.upper().replace("LIBNUMA", "NUMA"), v) for k, v in named) == sonames


def test_needed_libraries_in_docs_are_the_librarys():
    """The NEEDED entries docs/c-api.md lists are the built library's
    (readelf -d build/lib/libpace.so)."""
    library = ROOT / "build" / "lib" / "libpace.so"
    readelf = shutil.which("readelf")
    if readelf is None or not library.is_file():
        pytest.skip("no readelf or no built library (make lib)")
    out = subprocess.run([readelf, "-d", str(library)], capture_output=True, text=True, check=True).stdout
    needed = re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", out)
    text = C_API_DOC.read_text(encoding="utf-8")
    sentence = re.search(r"`NEEDED`\s+entries(.*?)\)", text, re.S).group(1)
    listed = re.findall(r"`([^`]+\.so[.\d]*)`", sentence)
    assert sorted(listed) == sorted(needed), "docs/c-api.md lists %s, readelf -d gives %s" % (listed, needed)


def test_functions_named_in_the_c_api_doc_exist():
    """Every pace_* function docs/c-api.md names (in full) is the header's."""
    declared = set(re.findall(r"\b(pace_\w+)\s*\(", HEADER.read_text()))
    text = C_API_DOC.read_text(encoding="utf-8")
    named = set(re.findall(r"`(pace_[a-z0-9_]+)`", text))
    types = {"pace_status", "pace_schedule", "pace_runtime", "pace_law", "pace_engine", "pace_sampler",
             "pace_autolrs"}
    unknown = sorted(n for n in named - types if n not in declared)
    assert unknown == []


# Functions of pace.h that the C++ wrapper deliberately does not name
# (bindings/cpp/README.md says why).
CPP_C_ONLY = {"pace_refine"}


def test_cpp_wrapper_covers_every_header_function():
    """Every function of pace.h is named in bindings/cpp/pace.hpp (called, or
    passed as a function pointer), or listed as C-only; bindings/cpp/README.md
    lists every wrapper's C function."""
    declared = set(re.findall(r"\b(pace_\w+)\s*\(", HEADER.read_text()))
    hpp = set(re.findall(r"\b(pace_\w+)\b", (ROOT / "bindings" / "cpp" / "pace.hpp").read_text()))
    assert sorted(declared - hpp - CPP_C_ONLY) == [], "functions of pace.h without a C++ wrapper"
    assert CPP_C_ONLY <= declared and not (CPP_C_ONLY & hpp)
    readme = (ROOT / "bindings" / "cpp" / "README.md").read_text(encoding="utf-8")
    for name in CPP_C_ONLY:
        assert "`%s` is deliberately C-only" % name in readme


def main(argv: list) -> int:
    if argv[1:] != ["--write"]:
        print(__doc__)
        return 2
    names = library_names(load_library())
    text = C_API_DOC.read_text(encoding="utf-8")
    new = text.replace(doc_block(text), generated_block(names))
    if new != text:
        C_API_DOC.write_text(new, encoding="utf-8")
        print("docs/c-api.md: names JSON regenerated")
    else:
        print("docs/c-api.md: names JSON already current")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
