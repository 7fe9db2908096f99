"""One refinement smoothing default (issue 19): RefineSettings.defaultSmoothing
in Swift, exported as pace_names_json's defaults.refine_smoothing, applied by
pace_refine with NULL options and by a runtime config's refine block without
"smoothing", and read (not restated) by the Python binding."""

from __future__ import annotations

import ctypes
from pathlib import Path

import numpy as np

import pace
from pace import _lib

ROOT = Path(__file__).resolve().parents[2]


def _norms(n: int = 4000) -> np.ndarray:
    rng = np.random.default_rng(7)
    return np.exp(rng.normal(0.0, 0.3, n)) * np.linspace(2.0, 1.0, n)


def test_the_default_is_exported_and_in_range():
    smoothing = _lib.NAMES["defaults"]["refine_smoothing"]
    assert 0 < smoothing <= 1


def test_null_options_python_default_and_exported_value_agree():
    g = _norms()
    smoothing = _lib.NAMES["defaults"]["refine_smoothing"]
    implicit, _ = pace.refine(g)
    explicit, _ = pace.refine(g, smoothing=smoothing)
    unsmoothed, _ = pace.refine(g, smoothing=0.0)
    out = np.empty(g.shape[0], dtype=np.float64)
    status = _lib.lib.pace_refine(g.ctypes.data_as(_lib.c_double_p), g.shape[0], None,
                                  out.ctypes.data_as(_lib.c_double_p))
    assert status == 0
    assert np.array_equal(implicit, explicit)
    assert np.array_equal(out, explicit)
    assert not np.array_equal(unsmoothed, explicit)  # the default does filter


def test_the_python_binding_does_not_restate_the_value():
    source = (ROOT / "bindings" / "python" / "pace" / "runtime.py").read_text()
    assert "smoothing: Optional[float] = None" in source
    assert "smoothing: float = 0.1" not in source
