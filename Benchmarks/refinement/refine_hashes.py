"""Same bits of pace_refine: SHA-256 of its output over a fixed set of inputs.

Run against one build, it prints one line per case (name, SHA-256 of the
multipliers' bytes followed by the skipped count as int64); with --check it
compares them with refine_hashes.txt (written from main's library before the
speed work of issue 19 §5), so a change to the ranking, the median filter or
the closed form that moves any output bit shows up as a named case.

    python3 Benchmarks/refinement/refine_hashes.py [build/lib/libpace.so] [--check | --write]

abi-tests/python/test_refine_same_bits.py runs the check as a test.

The inputs are generated from PCG64's raw 64-bit stream (stable across numpy
versions, unlike the Generator's distribution methods). They cover: 10^6
noisy decaying norms (L2 and L1; smoothing 0, 0.001, 0.1, 0.5, 1), n = 1, 2,
3, 1000 (several smoothings), ties (norms on a coarse grid, all equal),
zeros and non-finite entries (filled from neighbours), norms spanning 10^400
(the closed form in logarithms), a cluster beside a far outlier (ranks whose
32-bit prefixes collide) and in-place refinement.
"""

from __future__ import annotations

import argparse
import ctypes
import hashlib
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
EXPECTED = HERE / "refine_hashes.txt"

L2, L1 = 0, 1


class Options(ctypes.Structure):
    _fields_ = [("struct_size", ctypes.c_uint32), ("norm", ctypes.c_uint32), ("smoothing", ctypes.c_double)]


def uniform(seed: int, n: int) -> np.ndarray:
    """n doubles in [0, 1) from PCG64's raw stream (53 high bits)."""
    raw = np.random.PCG64(seed).random_raw(n)
    return (raw >> np.uint64(11)).astype(np.float64) * 2.0**-53


def decaying(n: int, seed: int = 1) -> np.ndarray:
    """A decaying trend with +-20% noise (as Benchmarks/c/bench_runtime.c)."""
    i = np.arange(n, dtype=np.float64)
    return (1.0 + 2.0 / np.sqrt(1.0 + i * 1e-4)) * (0.8 + 0.4 * uniform(seed, n))


def cases():
    """(name, norms, kind, smoothing, in_place) for every case."""
    big = decaying(1_000_000)
    for kind, kname in ((L2, "l2"), (L1, "l1")):
        for s in (0.0, 0.001, 0.1, 0.5, 1.0):
            yield f"decay1e6-{kname}-s{s}", big, kind, s, False
    for n in (1, 2, 3, 1000):
        g = decaying(n, seed=n)
        for s in (0.0, 0.1, 0.5, 1.0):
            yield f"n{n}-l2-s{s}", g, L2, s, False
        yield f"n{n}-l1-s0.3", g, L1, 0.3, False
    # ties: a coarse grid (few distinct values), and all equal
    grid = np.round(decaying(200_000, seed=3) * 4.0) / 4.0
    for s in (0.0, 0.05, 0.3):
        yield f"grid2e5-l2-s{s}", grid, L2, s, False
    yield "grid1e6-l1-s0.1", np.round(big * 8.0) / 8.0, L1, 0.1, False
    yield "equal1e5-l2-s0.1", np.full(100_000, 1.5), L2, 0.1, False
    yield "equal7-l2-s1.0", np.full(7, 0.25), L2, 1.0, False
    # zeros (and a few non-finite / negative entries) filled from neighbours
    z = decaying(300_000, seed=4)
    u = uniform(5, z.shape[0])
    z[u < 0.05] = 0.0
    z[:10] = 0.0
    z[-3:] = 0.0
    z[1000:1010] = [np.inf, -1.0, np.nan, 0.0, -0.0, 0.0, np.inf, 2.0, 0.0, 0.0]
    for s in (0.0, 0.1):
        yield f"zeros3e5-l2-s{s}", z, L2, s, False
    yield "zeros3e5-l1-s0.02", z, L1, 0.02, False
    # norms spanning ~10^400 (the closed form in logarithms) and a cluster
    # beside a far outlier (32-bit key prefixes collide; full-key order)
    wide = 10.0 ** (400.0 * uniform(6, 100_000) - 200.0)
    yield "wide1e5-l2-s0.0", wide, L2, 0.0, False
    yield "wide1e5-l1-s0.1", wide, L1, 0.1, False
    cluster = 1.0 + 1e-12 * uniform(7, 200_000)
    cluster[12345] = 1e300
    cluster[54321] = 1e-300
    yield "cluster2e5-l2-s0.1", cluster, L2, 0.1, False
    yield "cluster2e5-l1-s0.0", cluster, L1, 0.0, False
    # in place (out == norms)
    yield "decay1e6-l2-s0.1-inplace", big, L2, 0.1, True
    yield "decay70000-l1-s0.2-inplace", decaying(70_000, seed=8), L1, 0.2, True


def run(lib, norms: np.ndarray, kind: int, smoothing: float, in_place: bool) -> bytes:
    g = np.ascontiguousarray(norms, dtype=np.float64).copy()
    out = g if in_place else np.empty_like(g)
    skipped = ctypes.c_int64(-1)
    opt = Options(ctypes.sizeof(Options), kind, smoothing)
    p = ctypes.POINTER(ctypes.c_double)
    status = lib.pace_refine_ex(g.ctypes.data_as(p), ctypes.c_int64(g.shape[0]), ctypes.byref(opt),
                                out.ctypes.data_as(p), ctypes.byref(skipped))
    if status != 0:
        raise RuntimeError(f"pace_refine_ex: status {status}")
    return out.tobytes() + np.int64(skipped.value).tobytes()


def hashes(lib: ctypes.CDLL) -> list[tuple[str, str]]:
    """(case name, SHA-256 hex digest) of every case, from a loaded libpace."""
    lib.pace_refine_ex.restype = ctypes.c_int
    return [(name, hashlib.sha256(run(lib, g, k, s, ip)).hexdigest()) for name, g, k, s, ip in cases()]


def expected() -> dict[str, str]:
    """The hashes of refine_hashes.txt, by case name."""
    return dict(line.split() for line in EXPECTED.read_text().splitlines() if line.strip())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("library", nargs="?", default=str(ROOT / "build" / "lib" / "libpace.so"))
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--check", action="store_true", help="compare with refine_hashes.txt")
    group.add_argument("--write", action="store_true", help="write refine_hashes.txt")
    args = parser.parse_args()
    got = hashes(ctypes.CDLL(args.library))
    if args.write:
        EXPECTED.write_text("".join(f"{name} {digest}\n" for name, digest in got))
        print(f"wrote {len(got)} hashes to {EXPECTED}")
        return 0
    if not args.check:
        for name, digest in got:
            print(name, digest)
        return 0
    pinned = expected()
    bad = [name for name, digest in got if pinned.get(name) != digest]
    missing = sorted(set(pinned) - {name for name, _ in got})
    for name in bad:
        print(f"CHANGED {name}")
    for name in missing:
        print(f"MISSING {name}")
    print(f"{len(got) - len(bad)}/{len(got)} cases bit-identical to {EXPECTED.name}")
    return 1 if bad or missing else 0


if __name__ == "__main__":
    sys.exit(main())
