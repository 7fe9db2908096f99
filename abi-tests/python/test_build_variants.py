"""The two builds of the library: host ISA (build/lib/libpace.so) and the
portable baseline (build/lib/baseline/libpace.so).

pace_build_info() names the ISA each was compiled for; both compute the same
schedules to RTOL relative. Bit identity is not promised: kernels may use FMA
(one rounding for a*b+c) where the ISA has it. (With the kernels of
2026-11-29 the two builds gave bit-identical values for every spec here.) Each library is loaded in its own subprocess through PACE_LIBRARY
(a process loads one libpace.so: the soname is the same).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import pace

ROOT = Path(__file__).resolve().parents[2]
HOST = ROOT / "build" / "lib" / "libpace.so"
BASELINE = ROOT / "build" / "lib" / "baseline" / "libpace.so"

# Relative agreement required of the two builds.
RTOL = 1e-14

SPECS = [
    {"preset": "cosine", "peak": 3e-4, "warmup_steps": 5000, "total_steps": 100000},
    {"preset": "wsd", "peak": 3e-4, "warmup_steps": 5000, "decay_steps": 20000, "total_steps": 100000,
     "decay_type": "sqrt"},
    {"preset": "rex", "peak": 3e-4, "total_steps": 100000},
    {"preset": "uba", "peak": 3e-4, "total_steps": 100000, "phi": 1},
    {"preset": "exponential", "peak": 3e-4, "gamma": 0.9999},
    {"preset": "inverse_sqrt", "peak": 1e-3, "warmup_steps": 100, "timescale": 300},
    {"preset": "onecycle", "peak": 0.1, "total_steps": 100000, "pct_start": 0.3},
]

CHILD = r"""
import json, sys
import numpy as np
import pace
specs = json.loads(sys.argv[1])
out = {"info": pace.build_info(), "fields": pace.build_info_fields(), "path": pace.library_path,
       "values": [np.asarray(pace.Schedule(s).values(0, 100000)).tolist() for s in specs]}
print(json.dumps(out))
"""


def host_has_avx2_fma() -> bool:
    return host_isa_level() in ("v3", "v4")


def host_isa_level() -> str:
    """v4, v3 or baseline: what the Makefile builds build/lib/libpace.so for."""
    return subprocess.run([str(ROOT / "scripts" / "host-isa")], capture_output=True, text=True,
                          check=True).stdout.strip()


def expected_host_isa() -> str:
    return "x86-64-" + host_isa_level()


def load_in_child(library: Path) -> dict:
    env = dict(os.environ, PACE_LIBRARY=str(library),
               PYTHONPATH=os.pathsep.join([str(ROOT / "bindings" / "python"), os.environ.get("PYTHONPATH", "")]))
    proc = subprocess.run([sys.executable, "-c", CHILD, json.dumps(SPECS)], env=env, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_build_info_format():
    info = pace.build_info()
    assert info == pace._lib.lib.pace_build_info().decode()
    assert info.startswith("pace %s; isa=" % pace.version()), info
    fields = pace.build_info_fields()
    assert fields["pace"] == pace.version()
    assert list(fields)[:6] == ["pace", "isa", "cpu", "features", "swift", "build"], fields
    assert fields["isa"] and fields["build"] in ("release", "debug"), fields


def test_build_info_is_declared_like_the_header():
    header = (ROOT / "include" / "pace.h").read_text()
    assert "const char *pace_build_info(void);" in header
    assert "pace_build_info" in pace._lib.FUNCTIONS


@pytest.mark.skipif(not BASELINE.is_file(), reason="build/lib/baseline/libpace.so not built (make baseline)")
@pytest.mark.skipif(not host_has_avx2_fma(), reason="host without AVX2+FMA: both builds are the baseline")
def test_host_and_baseline_name_their_isa_and_agree():
    host, base = load_in_child(HOST), load_in_child(BASELINE)
    assert Path(host["path"]).resolve() == HOST.resolve()
    assert Path(base["path"]).resolve() == BASELINE.resolve()
    assert host["fields"]["isa"] == expected_host_isa(), host["info"]
    assert base["fields"]["isa"] == "x86-64", base["info"]
    assert "avx2" in host["fields"]["features"] and "fma" in host["fields"]["features"]
    assert "avx2" not in base["fields"]["features"]
    for spec, a, b in zip(SPECS, host["values"], base["values"]):
        a, b = np.asarray(a), np.asarray(b)
        assert a.shape == b.shape == (100000,)
        rel = np.abs(a - b) / np.maximum(np.abs(b), np.finfo(float).tiny)
        assert rel.max() <= RTOL, "%s: builds differ by %.3g relative (at step %d)" % (
            spec["preset"], rel.max(), int(rel.argmax()))
