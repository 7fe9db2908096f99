"""pace.torch.PaceRuntimeScheduler: a pace.Runtime (docs/runtime.md) driving an
optimizer's param groups (lr, momentum, betas, weight decay) per step, from
the gradient norms the loop passes in; re-exported by pace/torch.py."""

from __future__ import annotations

import warnings
from typing import Any, Dict, List, Optional, Union

import numpy as np
import torch

from . import _adapter_rules as _rules
from ._torch_lr import _LRSchedulerBase, _Tensor, _uses_beta1
from .runtime import ConfigLike as _ConfigLike
from .runtime import Runtime as _Runtime

__all__ = ["PaceRuntimeScheduler"]

_NAN = float("nan")
# Channel names written into the optimizer's param groups (others are only
# computed: read them with scheduler.values()).
_DRIVEN_CHANNELS = ("lr", "momentum", "beta1", "beta2", "weight_decay")


def _grad_norm_value(grad_norm: Any) -> float:
    if grad_norm is None:
        return _NAN
    if type(grad_norm) is float:
        return grad_norm
    if isinstance(grad_norm, _Tensor):
        if grad_norm.numel() != 1:
            raise ValueError("PaceRuntimeScheduler.step: grad_norm must be a scalar, got a tensor of shape %s"
                             % (tuple(grad_norm.shape),))
        return float(grad_norm.item())
    return float(grad_norm)


def _with_onecycle_momentum(optimizer: torch.optim.Optimizer, config: Dict[str, Any], base_momentum: float,
                            max_momentum: float) -> Dict[str, Any]:
    """``config`` with OneCycleLR's momentum channel added when its lr
    channel is a onecycle preset and no momentum/beta1 channel is given."""
    channels = config.get("channels")
    if not isinstance(channels, dict) or not _rules.is_onecycle(channels.get("lr")):
        return config
    if "momentum" in channels or "beta1" in channels:
        return config
    _uses_beta1(optimizer, "PaceRuntimeScheduler")
    momentum = _rules.onecycle_momentum_spec(channels["lr"], base_momentum, max_momentum)
    return dict(config, channels=dict(channels, momentum=momentum))


def _lr_channel(config: Optional[Dict[str, Any]], mapping: List[Optional[int]]):
    """(peak, whether the spec gives it, per optimizer group the runtime
    group's lr scale) of the config's lr channel; (1, False, None) when the
    config is not visible or has no lr channel."""
    channels = config.get("channels") if config is not None else None
    spec = channels.get("lr") if isinstance(channels, dict) else None
    if not isinstance(spec, dict):
        return 1.0, False, None
    peak = float(spec.get("peak", 1.0))
    groups = config.get("groups") if isinstance(config.get("groups"), list) else [{}]
    scales = []
    for g in mapping:
        entry = groups[g] if g is not None and g < len(groups) and isinstance(groups[g], dict) else {}
        scale = entry.get("scale", {})
        scales.append(float(scale.get("lr", 1.0)) if isinstance(scale, dict) else 1.0)
    return peak, "peak" in spec, scales


class PaceRuntimeScheduler(_LRSchedulerBase):
    """Drives an optimizer's param groups from a :class:`pace.Runtime`:
    lr and, when the runtime has channels of these names, momentum, Adam's
    betas and weight decay, per optimizer step, from the gradient norms the
    training loop passes in (online refinement, docs/runtime.md).

    A subclass of ``torch.optim.lr_scheduler.LRScheduler``::

        sched = pace.torch.PaceRuntimeScheduler(opt, {
            "channels": {"lr": {"preset": "linear", "peak": 0.1, "warmup_steps": 100, "total_steps": 5000},
                         "momentum": {"peak": 0.9, "phases": [{"shape": "constant"}]}},
            "refine": {"every": 250, "norm": "l2", "min_history": 500}})
        for batch in data:
            loss_fn(model, batch).backward()
            g = torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step(g)          # after optimizer.step(); g: NaN/None when not measured
            opt.zero_grad()

    Args:
        optimizer: the ``torch.optim.Optimizer``.
        config: a runtime config (dict, JSON text, or path to a JSON file) or
            a ``pace.Runtime`` (used as is, not closed by the scheduler; its
            current step is the scheduler's step).
        param_group_map: which runtime group drives each optimizer param
            group: a sequence with one entry per optimizer group, or a dict
            ``{optimizer group index: runtime group}``; an entry is a runtime
            group index, a runtime group name (when the runtime was made from
            a config), or None (that optimizer group is left alone).
            Default: group ``i`` -> runtime group ``i`` when the counts are
            equal, every group -> runtime group 0 when the runtime has one.

        mode: how the ``lr`` channel and the optimizer's lrs combine, the
            rule of :class:`PaceLR`: ``"auto"`` (default) plays an lr channel
            that gives a ``peak`` as absolute values and requires every
            driven group's lr to equal that peak (or the peak times the
            runtime group's lr scale), else ``ValueError`` explaining the
            modes; an lr channel without ``peak`` multiplies each group's
            initial lr (relative). ``"absolute"``: the runtime's values;
            ``"relative"``: ``initial_lr_g * value_g(t) / peak``. With a
            ``pace.Runtime`` passed in (its config is not visible here)
            ``"auto"`` means absolute and ``"relative"`` is refused.
        cycle_momentum, base_momentum, max_momentum: when the ``lr`` channel
            is a ``onecycle`` preset and the config has no ``momentum`` or
            ``beta1`` channel, a ``momentum`` channel is added that cycles
            like ``OneCycleLR``'s (same defaults: True, 0.85, 0.95).

    Channels written into each driven param group (the runtime's channel
    value times the group's scale; the lr as ``mode`` says):

    - ``lr`` -> ``group["lr"]`` (a tensor lr is updated in place);
    - ``momentum`` -> ``group["momentum"]`` (SGD, RMSprop), or ``betas[0]``
      for optimizers that have betas and no momentum (Adam, AdamW, ...), as
      PyTorch's ``OneCycleLR`` does;
    - ``beta1`` / ``beta2`` -> ``group["betas"][0]`` / ``[1]`` (the tuple is
      replaced; tensor betas are updated in place);
    - ``weight_decay`` -> ``group["weight_decay"]``.

    A driven channel the optimizer has no field for raises ``ValueError`` at
    construction. Other channels are computed but not written; read them with
    :meth:`values` (a ``(groups, channels)`` array) and :attr:`channels`.

    ``step(grad_norm=None)`` records the gradient norm of the step just taken
    (a float or a 0-d tensor, e.g. what ``clip_grad_norm_`` returns; None or
    NaN when not measured), advances the runtime one step, and writes the new
    step's values. (Unlike other schedulers its argument is not an epoch.)
    ``last_epoch`` is the runtime's step count. Events (``begin_decay``,
    ``rewarm``, ``set_total_steps``) go to :attr:`runtime` and take effect
    from the next ``step()``.

    Checkpoints: ``state_dict()`` holds the runtime's saved state (bytes:
    config, step, events, norm history, refinements) with ``last_epoch``,
    ``_step_count``, ``base_lrs``, ``_last_lr`` and the group map; it is
    plain data (``torch.save`` / ``torch.load(weights_only=True)``).
    ``load_state_dict`` restores the runtime and writes the restored step's
    values into the param groups, so a resumed run continues bit for bit. By
    default it raises ``ValueError`` when the saved runtime's channels or
    group count differ from this scheduler's; ``strict=False`` adopts them.
    """

    def __init__(self, optimizer: torch.optim.Optimizer, config: Union[_Runtime, _ConfigLike],
                 param_group_map: Any = None, mode: str = "auto", cycle_momentum: bool = True,
                 base_momentum: float = _rules.BASE_MOMENTUM, max_momentum: float = _rules.MAX_MOMENTUM):
        if not isinstance(optimizer, torch.optim.Optimizer):
            raise TypeError("%s is not an Optimizer" % type(optimizer).__name__)
        _rules.check_mode(mode, "PaceRuntimeScheduler")
        written = None
        if isinstance(config, _Runtime):
            config._h()  # raises on a closed runtime
            if mode == "relative":
                raise ValueError("PaceRuntimeScheduler: mode='relative' needs the lr channel's peak: pass the "
                                 "config (dict, JSON text or path) rather than a pace.Runtime")
            runtime, owns = config, False
        else:
            written = _rules.user_spec(config)
            if cycle_momentum and written is not None:
                config = _with_onecycle_momentum(optimizer, written, base_momentum, max_momentum)
            runtime, owns = _Runtime(config), True
        self._pace_ready = False
        self._pace_owns = owns
        self._pace_runtime = runtime
        try:
            self._pace_map = self._resolve_map(optimizer, runtime, param_group_map)
            self._pace_lr_peak, peak_given, scales = _lr_channel(written, self._pace_map)
            self.mode = "absolute" if written is None else _rules.resolve_mode(
                "PaceRuntimeScheduler", mode, peak_given, self._pace_lr_peak,
                [None if g is None else lr for g, lr in zip(self._pace_map, _rules.initial_lrs(
                    optimizer.param_groups, -1))], scales)
            self._pace_plan = self._make_plan(optimizer, runtime, self._pace_map,
                                              self._lr_factors([float(g["lr"]) for g in optimizer.param_groups]))
            # The base class records initial_lr / base_lrs, wraps
            # optimizer.step (to detect the call order) and performs the
            # initial step: our step() then writes the runtime's current
            # values without advancing it.
            super().__init__(optimizer, -1)
        except BaseException:
            if owns:
                runtime.close()
            raise

    # -- mapping ----------------------------------------------------------------

    @staticmethod
    def _resolve_map(optimizer: torch.optim.Optimizer, runtime: _Runtime, mapping: Any) -> List[Optional[int]]:
        n = len(optimizer.param_groups)
        groups = runtime.groups
        if mapping is None:
            if groups == n:
                return list(range(n))
            if groups == 1:
                return [0] * n
            raise ValueError(
                "PaceRuntimeScheduler: the optimizer has %d param groups and the runtime %d groups; "
                "pass param_group_map to say which runtime group drives each param group" % (n, groups))
        if isinstance(mapping, dict):
            for key in mapping:
                if isinstance(key, bool) or not isinstance(key, int) or not 0 <= key < n:
                    raise ValueError("PaceRuntimeScheduler: param_group_map key %r is not an optimizer param "
                                     "group index (0 .. %d)" % (key, n - 1))
            missing = [i for i in range(n) if i not in mapping]
            if missing:
                raise ValueError("PaceRuntimeScheduler: param_group_map does not say which runtime group drives "
                                 "optimizer param groups %s (map them to None to leave them alone)" % missing)
            entries = [mapping[i] for i in range(n)]
        else:
            entries = list(mapping)
            if len(entries) != n:
                raise ValueError("PaceRuntimeScheduler: param_group_map has %d entries but the optimizer has %d "
                                 "param groups" % (len(entries), n))
        names = runtime.group_names
        out: List[Optional[int]] = []
        for entry in entries:
            if entry is None:
                out.append(None)
            elif isinstance(entry, str):
                if entry not in names:
                    raise ValueError("PaceRuntimeScheduler: no runtime group named %r (groups: %s)"
                                     % (entry, ", ".join(names)))
                out.append(names.index(entry))
            elif isinstance(entry, bool) or not isinstance(entry, int) or not 0 <= entry < groups:
                raise ValueError("PaceRuntimeScheduler: param_group_map entry %r is not a runtime group "
                                 "(an index 0 .. %d, a name, or None)" % (entry, groups - 1))
            else:
                out.append(entry)
        return out

    def _lr_factors(self, initial_lrs: List[float]) -> Optional[List[float]]:
        """Relative mode: per optimizer group, ``initial_lr_g / peak``."""
        if self.mode != "relative":
            return None
        return [float(lr) / self._pace_lr_peak for lr in initial_lrs]

    @staticmethod
    def _make_plan(optimizer: torch.optim.Optimizer, runtime: _Runtime,
                   mapping: List[Optional[int]], lr_factors: Optional[List[float]] = None) -> List[list]:
        """Per optimizer group, the (key, value index, betas element or None,
        factor or None) to write from a flat group-major row of values."""
        channels = runtime.channels
        nc = len(channels)
        plan = []
        for index, (group, g) in enumerate(zip(optimizer.param_groups, mapping)):
            writes = []
            if g is not None:
                targets: Dict[Any, str] = {}
                for c, name in enumerate(channels):
                    if name not in _DRIVEN_CHANNELS:
                        continue
                    if name == "lr" or name == "weight_decay":
                        target = (name, None)
                    elif name == "momentum":
                        target = ("momentum", None) if "momentum" in group else ("betas", 0)
                    else:
                        target = ("betas", 0 if name == "beta1" else 1)
                    key = target[0]
                    if key not in group:
                        raise ValueError(
                            "PaceRuntimeScheduler: the runtime has a %r channel but %s param group %d has no "
                            "%r field" % (name, type(optimizer).__name__, index, key))
                    if target in targets:
                        raise ValueError("PaceRuntimeScheduler: channels %r and %r both set %s of param group %d"
                                         % (targets[target], name, "betas[%d]" % target[1] if target[1] is not None
                                            else key, index))
                    targets[target] = name
                    factor = lr_factors[index] if lr_factors is not None and name == "lr" else None
                    writes.append((key, g * nc + c, target[1], factor))
            plan.append(writes)
        return plan

    # -- writing ----------------------------------------------------------------

    def _apply(self, row: List[float]) -> None:
        groups = self.optimizer.param_groups
        plan = self._pace_plan
        if len(groups) != len(plan):
            raise ValueError("PaceRuntimeScheduler: the optimizer has %d param groups but the scheduler was made "
                             "for %d" % (len(groups), len(plan)))
        for group, writes in zip(groups, plan):
            for key, i, element, factor in writes:
                v = row[i] if factor is None else row[i] * factor
                if element is None:
                    current = group[key]
                    if type(current) is not float and isinstance(current, _Tensor):
                        current.fill_(v)
                    else:
                        group[key] = v
                else:
                    betas = group[key]
                    current = betas[element]
                    if isinstance(current, _Tensor):
                        current.fill_(v)
                    else:
                        group[key] = (v, betas[1]) if element == 0 else (betas[0], v)
        self._last_lr = [g["lr"].clone() if isinstance(g["lr"], _Tensor) else g["lr"] for g in groups]

    # -- LRScheduler API ----------------------------------------------------------

    def step(self, grad_norm: Any = None) -> None:  # type: ignore[override]
        """Records ``grad_norm`` (the global gradient norm of the step just
        taken; None or NaN when not measured), advances the runtime one step
        and writes the new step's values. Call it after ``optimizer.step()``."""
        if not self._pace_ready:
            # The base class's initial step: the runtime's current values.
            self._pace_ready = True
            self._step_count = 1
            self.last_epoch = self._pace_runtime.step_count
            self._apply(self._pace_runtime._values_list())
            return
        if (self._step_count == 1 and hasattr(self.optimizer.step, "_wrapped_by_lr_sched")
                and not getattr(self.optimizer, "_opt_called", False)):
            warnings.warn("Detected call of `lr_scheduler.step()` before `optimizer.step()`. "
                          "You should call them in the opposite order: `optimizer.step()` before "
                          "`lr_scheduler.step()`; otherwise the first values of the schedule are skipped.",
                          UserWarning, stacklevel=2)
        self._step_count += 1
        row = self._pace_runtime._step_list(_grad_norm_value(grad_norm))
        self.last_epoch += 1
        self._apply(row)

    def get_lr(self) -> List[float]:
        """The lrs of the current step, one per param group (from the
        runtime's values; a group not driven keeps its lr)."""
        row = self._pace_runtime._values_list()
        out = []
        for group, writes in zip(self.optimizer.param_groups, self._pace_plan):
            lr = [row[i] if f is None else row[i] * f for key, i, _, f in writes if key == "lr"]
            out.append(lr[0] if lr else group["lr"])
        return out

    @property
    def runtime(self) -> _Runtime:
        """The ``pace.Runtime`` being followed (for events:
        ``sched.runtime.begin_decay(1000)``)."""
        return self._pace_runtime

    @property
    def channels(self) -> tuple:
        """The runtime's channel names (the columns of :meth:`values`)."""
        return self._pace_runtime.channels

    def values(self) -> np.ndarray:
        """The current step's values, a new ``(groups, channels)`` array."""
        return self._pace_runtime.values()

    def state_dict(self) -> Dict[str, Any]:
        """Plain data: ``runtime`` (the runtime's saved bytes), ``last_epoch``,
        ``_step_count``, ``base_lrs``, ``_last_lr``, ``param_group_map``,
        ``channels`` and ``groups``."""
        return {
            "runtime": self._pace_runtime.save(),
            "last_epoch": self.last_epoch,
            "_step_count": self._step_count,
            "base_lrs": list(self.base_lrs),
            "_last_lr": list(self._last_lr),
            "param_group_map": list(self._pace_map),
            "channels": list(self._pace_runtime.channels),
            "groups": self._pace_runtime.groups,
            "mode": self.mode,
            "lr_peak": self._pace_lr_peak,
        }

    def load_state_dict(self, state_dict: Dict[str, Any], strict: bool = True) -> None:
        """Restores a :meth:`state_dict` and writes the restored step's values
        into the param groups. ``strict=True``: the saved runtime must have
        this scheduler's channels (same names, same order) and group count,
        else ``ValueError`` and nothing changes; ``strict=False`` adopts it
        (with the saved group map when the group count differs)."""
        if "runtime" not in state_dict:
            raise ValueError("PaceRuntimeScheduler.load_state_dict: the state has no 'runtime' "
                             "(not a PaceRuntimeScheduler state_dict)")
        runtime = _Runtime.load(state_dict["runtime"])
        try:
            old = self._pace_runtime
            same = runtime.channels == old.channels and runtime.groups == old.groups
            if not same and strict:
                raise ValueError(
                    "PaceRuntimeScheduler.load_state_dict: the saved runtime has channels [%s] and %d groups, "
                    "this scheduler's has [%s] and %d; pass strict=False to adopt it"
                    % (", ".join(runtime.channels), runtime.groups, ", ".join(old.channels), old.groups))
            mode = state_dict.get("mode", "absolute")  # states saved before modes existed: absolute
            if mode != self.mode and strict:
                raise ValueError("PaceRuntimeScheduler.load_state_dict: the saved mode is %r, this scheduler's "
                                 "is %r; pass strict=False to adopt it" % (mode, self.mode))
            mapping = self._pace_map
            if runtime.groups != old.groups:
                mapping = self._resolve_map(self.optimizer, runtime, state_dict.get("param_group_map"))
            base_lrs = list(state_dict.get("base_lrs", self.base_lrs))
            if len(base_lrs) != len(self.optimizer.param_groups):
                raise ValueError("PaceRuntimeScheduler.load_state_dict: the state has %d base_lrs but the "
                                 "optimizer has %d param groups" % (len(base_lrs), len(self.optimizer.param_groups)))
            saved_peak = float(state_dict.get("lr_peak", self._pace_lr_peak))
            self.mode, self._pace_lr_peak = mode, saved_peak
            plan = self._make_plan(self.optimizer, runtime, mapping, self._lr_factors(base_lrs))
        except BaseException:
            runtime.close()
            raise
        self._pace_runtime, self._pace_map, self._pace_plan = runtime, mapping, plan
        if self._pace_owns:
            old.close()
        self._pace_owns = True
        self.base_lrs = base_lrs
        self._step_count = int(state_dict.get("_step_count", 2))
        self.last_epoch = runtime.step_count
        self._pace_ready = True
        self._apply(runtime._values_list())

    def close(self) -> None:
        """Frees the runtime if the scheduler created it (also done when the
        scheduler is garbage-collected)."""
        if getattr(self, "_pace_owns", False):
            self._pace_runtime.close()

    def __repr__(self) -> str:
        return "<pace.torch.PaceRuntimeScheduler step=%d %r>" % (self.last_epoch, self._pace_runtime)
