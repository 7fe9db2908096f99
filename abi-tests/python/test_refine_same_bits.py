"""pace_refine gives the same bits as before the speed work of issue 19 §5.

The cases and their SHA-256 hashes are Benchmarks/refinement/refine_hashes.py
and refine_hashes.txt (written from main's library before the change; the
same on the portable and the x86-64-v3 build): 10^6 noisy decaying norms
(L2, L1; smoothing 0 ... 1), n = 1, 2, 3, 1000, ties, zeros and non-finite
norms, norms spanning 10^400, a cluster beside far outliers, in place.
A deliberate change of refinement's output rewrites them with
`python3 Benchmarks/refinement/refine_hashes.py --write`."""

from __future__ import annotations

import ctypes
import importlib.util
from pathlib import Path

import pytest

from pace import _lib

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("refine_hashes", ROOT / "Benchmarks" / "refinement" / "refine_hashes.py")
refine_hashes = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(refine_hashes)



@pytest.fixture(scope="module")
def got() -> dict[str, str]:
    """Every case's hash from the library under test (once per module: ~2 s),
    through a CDLL of its own (the binding's argtypes name its own structs)."""
    return dict(refine_hashes.hashes(ctypes.CDLL(_lib.lib._name)))


@pytest.mark.parametrize("case", sorted(refine_hashes.expected()))
def test_refine_output_is_bit_identical(case, got):
    assert got.get(case) == refine_hashes.expected()[case]
