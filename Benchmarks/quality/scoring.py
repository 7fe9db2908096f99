"""AlgoPerf's scoring (Dahl et al. 2023; algorithms.md section 12), on steps.

A "workload" here is a (task, budget) pair. For schedule s and workload w:

  t_{s,w}  = median over seeds ("studies") of the minimum over the peak-LR grid
             ("trials") of the time to reach the workload's validation target;
             a miss counts as infinity;
  r_{s,w}  = t_{s,w} / min_s t_{s,w}, and r > r_max counts as infinity;
  rho_s(tau) = |{w : r_{s,w} <= tau}| / n       (the performance profile);
  B_s      = (1 / (r_max - 1)) * integral_1^{r_max} rho_s(tau) dtau   (trapezoid rule, r_max = 4).

Targets: the baseline (warmup + cosine, AlgoPerf's baseline schedule) is run
at every grid point and seed; the grid point with the lowest median (over
seeds) best validation loss is the tuned baseline, and the target is that
median. Everything is pure numpy on lists: O(runs) time.
"""

from __future__ import annotations

import math
from typing import Dict, Iterable, Mapping, Sequence

import numpy as np

R_MAX = 4.0
PROFILE_POINTS = 1001


def time_to_target(eval_steps: Sequence[float], val: Sequence[float], target: float,
                   seconds: Sequence[float] = None):
    """(steps, seconds) of the first evaluation whose validation loss is at
    or below `target`; (inf, inf) when none is. O(evaluations)."""
    for i, v in enumerate(val):
        if v <= target:
            return float(eval_steps[i]), (float(seconds[i]) if seconds is not None else math.nan)
    return math.inf, math.inf


def median(values: Iterable[float]) -> float:
    """The median, with infinities (misses) ordered last; inf when the list is empty."""
    a = np.asarray(list(values), dtype=np.float64)
    return float(np.median(a)) if a.size else math.inf


def set_target(best_val: Mapping[int, Sequence[float]]) -> tuple:
    """(target, tuned grid index) from the baseline's best validation loss
    per grid index and seed: the grid index with the lowest median, and that median."""
    medians = {gi: median(v) for gi, v in best_val.items()}
    gi = min(medians, key=lambda k: (medians[k], k))
    return medians[gi], gi


def study_time(times: Mapping[int, Mapping[int, float]]) -> float:
    """t_{s,w}: `times[seed][grid index]` -> median over seeds of the min over the grid."""
    return median(min(per_seed.values(), default=math.inf) for per_seed in times.values())


def ratios(t: Mapping[str, Mapping[str, float]], r_max: float = R_MAX) -> Dict[str, Dict[str, float]]:
    """r_{s,w} from t[s][w]; a workload no schedule reaches gives inf for all;
    ratios above r_max become inf (AlgoPerf's code)."""
    workloads = sorted({w for per in t.values() for w in per})
    best = {w: min((t[s].get(w, math.inf) for s in t), default=math.inf) for w in workloads}
    out = {}
    for s in t:
        out[s] = {}
        for w in workloads:
            v = t[s].get(w, math.inf)
            r = v / best[w] if math.isfinite(v) and math.isfinite(best[w]) and best[w] > 0 else math.inf
            if best[w] == 0 and v == 0:
                r = 1.0
            out[s][w] = r if r <= r_max else math.inf
    return out


def profile(r: Mapping[str, float], taus: np.ndarray) -> np.ndarray:
    """rho(tau) for one schedule's ratios {workload: r}: the fraction of workloads with r <= tau."""
    values = np.asarray(list(r.values()), dtype=np.float64)
    if values.size == 0:
        return np.zeros_like(taus)
    return (values[None, :] <= taus[:, None]).mean(axis=1)


def tau_grid(r_max: float = R_MAX, points: int = PROFILE_POINTS) -> np.ndarray:
    return np.linspace(1.0, r_max, points)


def benchmark_score(r: Mapping[str, float], r_max: float = R_MAX, points: int = PROFILE_POINTS) -> float:
    """B_s: the profile's area over [1, r_max] divided by (r_max - 1), in [0, 1]."""
    taus = tau_grid(r_max, points)
    rho = profile(r, taus)
    area = float(np.sum((rho[1:] + rho[:-1]) * np.diff(taus)) / 2.0)
    return area / (r_max - 1.0)


def scores(t: Mapping[str, Mapping[str, float]], r_max: float = R_MAX) -> Dict[str, float]:
    """Benchmark score per schedule."""
    r = ratios(t, r_max)
    return {s: benchmark_score(r[s], r_max) for s in r}


def summary(values: Sequence[float]) -> tuple:
    """(mean, std (ddof 1), count of finite values) over the finite values."""
    a = np.asarray([v for v in values if math.isfinite(v)], dtype=np.float64)
    if a.size == 0:
        return math.inf, math.nan, 0
    return float(a.mean()), float(a.std(ddof=1)) if a.size > 1 else 0.0, int(a.size)


def paired_wins(a: Sequence[float], b: Sequence[float]) -> int:
    """How many pairs (same seed) have a < b (lower is better); ties and double misses are not wins."""
    return sum(1 for x, y in zip(a, b) if x < y)


def tuned_index(per_grid: Mapping[int, Sequence[float]]) -> int:
    """The grid index with the lowest median value (ties: the smaller index)."""
    return min(per_grid, key=lambda k: (median(per_grid[k]), k))


__all__ = ["R_MAX", "time_to_target", "median", "set_target", "study_time", "ratios", "profile", "tau_grid",
           "benchmark_score", "scores", "summary", "paired_wins", "tuned_index"]
