"""The rules the PyTorch adapters share (pace.torch): how a spec's ``peak``
and the optimizer's learning rates combine (``mode``), and the momentum
schedule that goes with the ``onecycle`` preset (torch's OneCycleLR).

No torch import here: the rules are plain Python over spec dicts and floats.

Modes (one rule for ``PaceLR`` and ``PaceRuntimeScheduler``):

- ``"absolute"``: each param group's lr is the schedule's value (times the
  runtime group's scale); the optimizer's own lr is not used.
- ``"relative"``: each group's lr is ``initial_lr_g * value(t) / peak``: the
  schedule gives the shape, the optimizer the size.
- ``"auto"`` (default): a spec that gives a ``peak`` is absolute, and every
  optimizer group's lr must equal that peak (or the peak times the runtime
  group's lr scale), else ``ValueError`` naming both modes; a spec without a
  ``peak`` (peak 1) is a multiplier of the optimizer's lrs (relative). So a
  spec's peak is never ignored, and an optimizer lr never silently replaced.
"""

from __future__ import annotations

import json
import math
from typing import Any, Dict, List, Optional, Sequence

from .schedule import _spec_bytes

MODES = ("auto", "relative", "absolute")

# torch.optim.lr_scheduler.OneCycleLR's momentum defaults.
BASE_MOMENTUM = 0.85
MAX_MOMENTUM = 0.95


def check_mode(mode: Any, who: str) -> str:
    if mode not in MODES:
        raise ValueError("%s: mode must be 'auto', 'relative' or 'absolute', got %r" % (who, mode))
    return mode


def user_spec(spec_like: Any) -> Optional[Dict[str, Any]]:
    """The spec as the user wrote it (a dict, JSON text or a path), parsed;
    None for anything else (a pace.Schedule, a pace.Runtime) or text that is
    not a JSON object (the library reports that error itself)."""
    if isinstance(spec_like, dict):
        return spec_like
    try:
        parsed = json.loads(_spec_bytes(spec_like).decode("utf-8"))
    except (TypeError, ValueError, OSError):
        return None
    return parsed if isinstance(parsed, dict) else None


def _same(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-12, abs_tol=0.0)


def _fmt(x: float) -> str:
    return "%.6g" % x


def resolve_mode(who: str, mode: str, peak_given: bool, peak: float, initial_lrs: Sequence[float],
                 scales: Optional[Sequence[float]] = None) -> str:
    """The mode to run (``"relative"`` or ``"absolute"``) for ``mode`` as
    asked: ``"auto"`` follows the module's rule and raises ``ValueError``
    (explaining both modes) when the spec's peak and an optimizer lr
    disagree. ``scales``: per optimizer group, the runtime group's lr scale
    (None: 1). O(groups)."""
    if mode != "auto":
        return mode
    if not peak_given:
        return "relative"
    for g, lr in enumerate(initial_lrs):
        scale = 1.0 if scales is None or scales[g] is None else float(scales[g])
        if lr is None or _same(float(lr), peak) or _same(float(lr), peak * scale):
            continue
        size = "" if scale == 1.0 else " (or %s, the peak times the group's lr scale %s)" % (
            _fmt(peak * scale), _fmt(scale))
        raise ValueError(
            "%s: the spec's peak is %s but optimizer param group %d has lr %s; Pace does not pick one "
            "silently. Choose:\n"
            "  mode='absolute': train at the schedule's values (peak %s); the optimizer's lr is not used;\n"
            "  mode='relative': train at the schedule's shape times each group's lr, lr_g * value(t) / peak "
            "(group %d peaks at %s);\n"
            "or make them agree: create the optimizer with lr=%s%s, or drop 'peak' from the spec so that it "
            "multiplies the optimizer's lrs."
            % (who, _fmt(peak), g, _fmt(float(lr)), _fmt(peak), g, _fmt(float(lr)), _fmt(peak), size))
    return "absolute"


def initial_lrs(param_groups: List[Dict[str, Any]], last_epoch: int) -> List[float]:
    """Each group's lr at the start of the run, as PyTorch's schedulers take
    it: ``initial_lr`` (required when resuming, ``last_epoch >= 0``; kept
    from an earlier scheduler of the same optimizer, as in SequentialLR),
    else the group's current lr."""
    out = []
    for g, group in enumerate(param_groups):
        if last_epoch >= 0:
            if "initial_lr" not in group:
                raise KeyError("param 'initial_lr' is not specified in param_groups[%d] when resuming an "
                               "optimizer" % g)
            out.append(float(group["initial_lr"]))
        else:
            out.append(float(group.get("initial_lr", group["lr"])))
    return out


# ---------------------------------------------------------------------------
# OneCycle momentum


def is_onecycle(spec: Optional[Dict[str, Any]]) -> bool:
    return spec is not None and spec.get("preset") == "onecycle"


def onecycle_momentum_spec(spec: Dict[str, Any], base_momentum: float = BASE_MOMENTUM,
                           max_momentum: float = MAX_MOMENTUM) -> Dict[str, Any]:
    """The momentum schedule OneCycleLR plays next to the lr of the
    ``onecycle`` preset ``spec``: the same phase boundaries (``pct_start * T
    - 1``, with ``three_phase`` also ``2 * pct_start * T - 2``, and ``T - 1``)
    and anneal, from ``max_momentum`` down to ``base_momentum`` while the lr
    rises and back up while it falls (three phases: then held at
    ``max_momentum``), and the last value held at step ``T - 1``. Values are
    absolute (peak 1). Raises ValueError on momenta outside [0, 1]."""
    for name, x in (("base_momentum", base_momentum), ("max_momentum", max_momentum)):
        if isinstance(x, bool) or not isinstance(x, (int, float)) or not 0 <= x <= 1:
            raise ValueError("%s must be a number in [0, 1], got %r" % (name, x))
    total = float(spec["total_steps"])
    pct = float(spec.get("pct_start", 0.3))
    shape = "cosine" if spec.get("anneal", "cos") == "cos" else "linear"
    hi, lo = float(max_momentum), float(base_momentum)
    if spec.get("three_phase", False):
        ends, values = [pct * total - 1, 2 * pct * total - 2, total - 1], [hi, lo, hi, hi]
    else:
        ends, values = [pct * total - 1, total - 1], [hi, lo, hi]
    phases = []
    start = 0.0
    for i, end in enumerate(ends):
        phases.append({"shape": shape, "steps": end - start, "from": values[i], "to": values[i + 1],
                       "mirror": False})
        start = end
    phases.append({"shape": "constant", "steps": 1, "from": values[-1]})
    return {"peak": 1, "total_steps": spec["total_steps"], "phases": phases}
