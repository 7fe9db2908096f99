"""Shared helpers of the Python tests: the comparison used by every
conformance test, and the registry of the largest relative error seen per
(reference library, preset), printed at the end of the run by conftest.py."""

from __future__ import annotations

from collections import defaultdict
from typing import Dict, Optional, Sequence, Tuple

import numpy as np

import pace

# Default tolerance of the conformance tests: |ours - ref| <= REL * |ref|.
REL = 1e-12
# Absolute floor, as a multiple of the schedule's peak, used only where the
# reference is exactly 0 or below TINY in magnitude.
ABS_FLOOR = 1e-15
TINY = 1e-300
# Absolute allowance (times peak) for the cases where the reference formula
# itself cancels: `1 + cos(x)` near x = pi at the bottom of a cosine that
# decays to 0 (HF cosine_with_restarts, optax warmup_cosine, torch
# CosineAnnealingWarmRestarts) and torch OneCycleLR's linear anneal at its
# last step `(end - start) * pct + start`. There the reference and Pace are
# each within ~1e-12 relative of the exact value (checked against 50-digit
# mpmath), on either side, so their difference can exceed 1e-12 relative
# while staying below 1e-14 * peak in absolute terms.
CANCELLATION_ABS = 1e-14

DBL_EPS = float(np.finfo(np.float64).eps)  # 2.22e-16

# (library, preset) -> {"max_rel": over every case, "max_rel_pass": over the
# cases within tolerance, "cases", "steps", "failed", "tol"}
MAX_ERRORS: Dict[Tuple[str, str], Dict[str, float]] = defaultdict(
    lambda: {"max_rel": 0.0, "max_rel_pass": 0.0, "cases": 0, "steps": 0, "failed": 0, "tol": REL}
)


def exact_multiplier(spec: dict, t: int):
    """The multiplier of `spec` at step t in 50-digit arithmetic (mpmath),
    from its canonical expansion, for schedules made of plain phases of the
    interpolating shapes, `constant` and `exponential`; None for anything
    else (repeat blocks, tables, step, power...)."""
    import mpmath

    mpmath.mp.dps = 50
    canonical = pace.Schedule(spec).to_dict()
    start = mpmath.mpf(0)
    previous = mpmath.mpf(1)
    phases = []
    for item in canonical["phases"]:
        # A repeat block played once, unscaled (timm_cosine with cycle_limit 1), is its phases.
        once = {"cycles": 1, "period_mult": 1, "decay": 1, "floor": 0, "decay_per_step": 1}
        if "repeat" in item and all(item.get(k, v) == v for k, v in once.items()):
            phases += item["repeat"]
        else:
            phases.append(item)
    for i, ph in enumerate(phases):
        if "repeat" in ph:
            return None
        shape = ph["shape"]
        if shape not in ("linear", "cosine", "sqrt", "square", "polynomial", "rex", "uba", "constant", "exponential"):
            return None
        length = mpmath.mpf(ph["steps"]) if "steps" in ph else mpmath.inf
        offset = mpmath.mpf(ph.get("offset", 0))
        end = start + length - offset
        frm = mpmath.mpf(ph.get("from", previous))
        if t < end or i == len(phases) - 1:
            if t >= end:  # past the end: hold the end value
                u = length
            else:
                u = mpmath.mpf(t) - start + offset
            if shape == "constant":
                return frm
            to = mpmath.mpf(ph["to"])
            p = (u + (1 if ph.get("endpoint") == "inclusive" else 0)) / length
            p = min(max(p, mpmath.mpf(0)), mpmath.mpf(1))
            if shape == "exponential":
                return frm * (to / frm) ** p
            rising = frm < to and ph.get("mirror", True)
            x = 1 - p if rising else p

            def d(x):
                if shape == "linear":
                    return 1 - x
                if shape == "cosine":
                    c, e = mpmath.mpf(ph.get("cycles", 0.5)), mpmath.mpf(ph.get("exponent", 1))
                    return (mpmath.mpf(1) / 2 * (1 + mpmath.cos(2 * mpmath.pi * c * x))) ** e
                if shape == "sqrt":
                    return 1 - mpmath.sqrt(x)
                if shape == "square":
                    return 1 - x * x
                if shape == "polynomial":
                    return (1 - x) ** mpmath.mpf(ph.get("power", 1))
                if shape == "rex":
                    return (1 - x) / (1 - x / 2)
                phi = mpmath.mpf(ph["phi"])
                s_ = 1 + mpmath.cos(mpmath.pi * x)
                return 2 * s_ / (2 * phi + (2 - phi) * s_)

            if rising:
                return frm + (to - frm) * d(x)
            return to + (frm - to) * d(x)
        start = end
        previous = mpmath.mpf(ph["to"]) if "to" in ph else frm
    return None


def relative_errors(ours: np.ndarray, ref: np.ndarray) -> np.ndarray:
    """|ours - ref| / |ref| per step (0 where both are 0, inf where only ref is 0)."""
    ours = np.asarray(ours, dtype=np.float64)
    ref = np.asarray(ref, dtype=np.float64)
    diff = np.abs(ours - ref)
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = np.where(diff == 0, 0.0, diff / np.abs(ref))
    return rel


def assert_conforms(
    ours: Sequence[float],
    ref: Sequence[float],
    *,
    library: str,
    preset: str,
    case: str,
    peak: float,
    rel: float = REL,
    abs_peak: float = 0.0,
    start: int = 0,
    spec: Optional[dict] = None,
) -> float:
    """Checks |ours - ref| <= rel * |ref| at every step (absolute floor
    ABS_FLOOR * peak only where |ref| is 0 or below TINY), records the
    largest relative error under (library, preset), and fails with the first
    failing step, both values and the error. Returns the largest relative
    error over steps with a non-tiny reference."""
    ours = np.asarray(ours, dtype=np.float64)
    ref = np.asarray(ref, dtype=np.float64)
    assert ours.shape == ref.shape, (ours.shape, ref.shape)
    assert np.all(np.isfinite(ref)), "reference has non-finite values"
    assert np.all(np.isfinite(ours)), "ours has non-finite values at steps %s" % (
        np.nonzero(~np.isfinite(ours))[0][:10] + start)
    diff = np.abs(ours - ref)
    tiny = np.abs(ref) < TINY
    allowed = np.where(tiny, ABS_FLOOR * peak, np.maximum(rel * np.abs(ref), abs_peak * peak))
    bad = diff > allowed
    # Where the reference itself loses digits (1 + cos(x) near x = pi, an
    # exponent below 1 on a tiny value), Pace may be closer to the exact value
    # than the reference is to it: such a step passes when Pace's error
    # against the exact value (50-digit mpmath) is no larger than the
    # reference's plus the tolerance.
    if bad.any() and spec is not None:
        for i in np.nonzero(bad)[0]:
            exact = exact_multiplier(spec, int(i) + start)
            if exact is None:
                break
            exact = float(exact) * peak
            if abs(ours[i] - exact) <= abs(ref[i] - exact) + rel * abs(exact):
                bad[i] = False
    rels = relative_errors(ours, ref)
    finite_rel = np.where(tiny, 0.0, rels)
    max_rel = float(finite_rel.max()) if finite_rel.size else 0.0

    entry = MAX_ERRORS[(library, preset)]
    entry["max_rel"] = max(entry["max_rel"], max_rel)
    entry["cases"] += 1
    entry["steps"] += int(ours.size)
    entry["tol"] = max(entry["tol"], rel)
    if not bad.any():
        entry["max_rel_pass"] = max(entry["max_rel_pass"], max_rel)
    else:
        entry["failed"] += 1
        idx = np.nonzero(bad)[0]
        i = int(idx[0])
        worst = int(np.argmax(np.where(bad, finite_rel, -1.0)))
        lines = [
            "%s vs %s [%s]: %d of %d steps beyond tolerance (rel %.1e%s)"
            % (preset, library, case, idx.size, ours.size, rel,
               ", abs floor %.1e for ref < %.0e" % (ABS_FLOOR * peak, TINY)),
            "  first failing step %d: ours=%r ref=%r |diff|=%.3e rel=%.3e"
            % (i + start, float(ours[i]), float(ref[i]), float(diff[i]), float(rels[i])),
            "  worst step %d: ours=%r ref=%r rel=%.3e"
            % (worst + start, float(ours[worst]), float(ref[worst]), float(rels[worst])),
            "  failing steps (first 10): %s" % (idx[:10] + start).tolist(),
        ]
        if spec is not None:
            lines.append("  spec: %s" % spec)
        raise AssertionError("\n".join(lines))
    return max_rel


def ours_values(spec: dict, n: int, start: int = 0) -> np.ndarray:
    """Our values of steps start .. start+n-1 (float64, one library fill)."""
    with pace.Schedule(spec) as s:
        values = s.values(start, n)
        # The fill and the scalar path must agree bit for bit (pace.h).
        for t in sorted({start, start + n // 3, start + n // 2, start + n - 1}):
            assert s.at(t) == values[t - start]
        return values


def recursive_tolerance(n_updates: int, per_update: float = 2.0) -> float:
    """Tolerance for a reference that multiplies its previous value n times
    (each multiplication adds up to half an ulp of relative error, and the
    factor itself is rounded once): per_update * eps * n, never below REL."""
    return max(REL, per_update * DBL_EPS * max(n_updates, 1))
