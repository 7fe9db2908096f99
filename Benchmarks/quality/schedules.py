"""The schedules under test, as pace runtime configs.

Every schedule is a `pace.Runtime` config (played by
`pace.torch.PaceRuntimeScheduler`, absolute LRs) except AutoLRS, which is
driven through `pace.tune.AutoLRS`'s action protocol (train.py). All share
the warmup: WARMUP_FRACTION of the budget, linear from 0 (AutoLRS: the same
warmup to max_lr / 10).

Names (the table's rows):

  constant     warmup, then the peak
  linear       warmup, linear decay to 0
  cosine       warmup, cosine decay to 0 (the AlgoPerf baseline, which sets the targets)
  wsd          warmup, stable, 1-sqrt cooldown over the last 20% (Hagele et al. 2024)
  rex          warmup, REX profile (Chen et al. 2022)
  uba-0.5/1/4  warmup, UBA with phi = 0.5, 1, 4 (Tang et al. 2025; phi = 2 is cosine)
  power        Power scheduler (Shen et al. 2024): b = -0.51, tokens = samples, the power law
               crossing the peak at the end of the warmup, linear decay (the preset's default) over the last 10%
  offline      pace.refine of the gradient norms of this seed's linear run at the same peak
  online       linear, re-planned from the norms seen so far (pace.Runtime "refine")
  law          the schedule pace.laws' search finds for this budget and peak, from a
               multi-power law fitted to the workload's own short-budget runs (seed 0)
  autolrs      pace.tune.AutoLRS, its LR range [peak / 100, peak]
  curriculum   linear decay with a competence-based sampler (pace.data, sqrt pacing)
  wsd-ext      wsd planned for the short budget, extended with set_total_steps at half of it
  cosine-ext   cosine planned for the short budget, extended the same way (long budget only)
"""

from __future__ import annotations

WARMUP_FRACTION = 0.02
WSD_DECAY_FRACTION = 0.2
POWER_B = -0.51
POWER_DECAY_FRACTION = 0.1
UBA_PHIS = (0.5, 1.0, 4.0)

BASE = ["constant", "linear", "cosine", "wsd", "rex"] + ["uba-%g" % p for p in UBA_PHIS] + ["power"]
REFINED = ["offline", "online"]
SEARCHED = ["law"]
TUNED = ["autolrs"]
CURRICULUM = ["curriculum"]
EXTENDED = ["wsd-ext", "cosine-ext"]
ALL = BASE + REFINED + SEARCHED + TUNED + CURRICULUM + EXTENDED
BASELINE = "cosine"


def warmup_steps(budget: int) -> int:
    return max(1, int(round(WARMUP_FRACTION * budget)))


def spec(name: str, budget: int, peak: float, batch: int) -> dict:
    """The lr spec of a fixed-shape schedule (no refinement, search or tuner)."""
    w = warmup_steps(budget)
    if name in ("constant",):
        return {"preset": "constant_with_warmup", "peak": peak, "warmup_steps": w}
    if name in ("linear", "cosine", "rex", "curriculum"):
        return {"preset": "cosine" if name == "cosine" else ("rex" if name == "rex" else "linear"),
                "peak": peak, "warmup_steps": w, "total_steps": budget}
    if name == "wsd":
        return {"preset": "wsd", "peak": peak, "warmup_steps": w, "decay_type": "sqrt",
                "decay_steps": int(round(WSD_DECAY_FRACTION * budget)), "total_steps": budget}
    if name.startswith("uba-"):
        return {"preset": "uba", "peak": peak, "phi": float(name[4:]), "warmup_steps": w, "total_steps": budget}
    if name == "power":
        # lr(s) = min(peak, a (s c)^b), c = samples per step; a puts the crossing at the warmup's end.
        a = peak * (w * batch) ** (-POWER_B)
        return {"preset": "power", "peak": peak, "a": a, "b": POWER_B, "tokens_per_step": batch,
                "warmup_steps": w, "decay_steps": int(round(POWER_DECAY_FRACTION * budget)),
                "total_steps": budget}
    raise ValueError("no fixed spec for schedule %r" % (name,))


def runtime_config(name: str, budget: int, peak: float, batch: int, norm: str,
                   linear_norms=None, law_spec=None, short_budget=None) -> dict:
    """The pace.Runtime config of schedule `name` (not autolrs)."""
    import pace

    if name == "offline":
        if linear_norms is None:
            raise ValueError("offline refinement needs the linear run's gradient norms")
        multipliers, _ = pace.refine(linear_norms, norm=norm, smoothing=0.1)
        return {"channels": {"lr": pace.refine_spec(multipliers, peak, warmup_steps=warmup_steps(budget))}}
    if name == "online":
        return {"channels": {"lr": spec("linear", budget, peak, batch)},
                "refine": {"every": max(budget // 10, 1), "norm": norm, "smoothing": 0.1,
                           "min_history": max(budget // 5, 1)}}
    if name == "law":
        if law_spec is None:
            raise ValueError("the law schedule needs the searched spec")
        return {"channels": {"lr": law_spec}}
    if name in ("wsd-ext", "cosine-ext"):
        return {"channels": {"lr": spec(name[:-4], short_budget, peak, batch)}}
    return {"channels": {"lr": spec(name, budget, peak, batch)}}


def extension_step(short_budget: int) -> int:
    """The step at which an extended run learns its new budget (half of the short budget)."""
    return short_budget // 2


def needs_norms(name: str) -> bool:
    return name in ("linear", "online")
