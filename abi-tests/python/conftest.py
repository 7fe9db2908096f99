"""pytest configuration of the Python tests.

The tests import the package from bindings/python (put first on sys.path
here, so no install is needed), which loads the real build/lib/libpace.so of
this repository through ctypes (or the library named by PACE_LIBRARY).
Build it first with `make lib`.

At the end of the run the largest relative error observed per reference
library and preset is printed (see pace_testutil.MAX_ERRORS).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BINDINGS = ROOT / "bindings" / "python"
HERE = Path(__file__).resolve().parent

for p in (str(HERE), str(BINDINGS)):
    if p in sys.path:
        sys.path.remove(p)
    sys.path.insert(0, p)

# JAX: stay on the CPU and quiet, whatever accelerators the machine has.
os.environ.setdefault("JAX_PLATFORMS", "cpu")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

LIBRARY = ROOT / "build" / "lib" / "libpace.so"


def pytest_report_header(config):
    env = os.environ.get("PACE_LIBRARY")
    where = "PACE_LIBRARY=%s" % env if env else str(LIBRARY)
    try:
        import pace

        return "pace binding %s from %s; libpace %s loaded from %s" % (
            pace.__version__, Path(pace.__file__).parent, pace.version(), pace.library_path)
    except ImportError as exc:  # reported again, in full, by every test module
        return "pace: import failed (%s): %s" % (where, str(exc).splitlines()[0])


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    try:
        from pace_testutil import MAX_ERRORS
    except ImportError:
        return
    if not MAX_ERRORS:
        return
    tr = terminalreporter
    tr.section("conformance: max relative error |ours - ref| / |ref| per preset")
    tr.write_line("%-8s %-48s %5s %6s %9s %9s %7s %s" % (
        "library", "preset / form", "cases", "steps", "max rel", "(passing)", "tol", "failed"))
    for (library, preset), e in sorted(MAX_ERRORS.items()):
        tr.write_line("%-8s %-48s %5d %6d %9.2e %9.2e %7.1e %s" % (
            library, preset, e["cases"], e["steps"], e["max_rel"], e["max_rel_pass"], e["tol"],
            int(e["failed"]) if e["failed"] else "-"))
