"""pace.torch: a Pace schedule as a PyTorch learning-rate scheduler.

``PaceLR(optimizer, schedule)`` is a real subclass of
``torch.optim.lr_scheduler.LRScheduler`` and is used like any of them::

    import torch, pace.torch
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    sched = pace.torch.PaceLR(opt, {"preset": "cosine", "warmup_steps": 100,
                                    "total_steps": 10_000})
    for batch in data:
        loss(model, batch).backward()
        opt.step()
        sched.step()
        opt.zero_grad()

How the schedule sets each param group's lr (``mode``; the same rule for
``PaceLR`` and ``PaceRuntimeScheduler``, pace/_adapter_rules.py):

- ``"auto"`` (default): a spec that gives a ``peak`` sets the lrs itself
  (absolute), and every optimizer group's lr must equal that peak, else
  ``ValueError`` explaining the two modes below (a spec's peak is never
  ignored and an optimizer's lr never silently replaced); a spec without
  ``peak`` is a multiplier of the optimizer's lrs (relative, peak 1). A
  ``pace.Schedule`` passed in counts as giving a peak unless its peak is 1.
- ``"relative"``: the schedule gives the *shape*. With ``m(t) = value(t) /
  peak`` (``peak`` the spec's ``peak`` field, 1.0 when absent), group ``g``
  gets ``lr_g(t) = initial_lr_g * m(t)``, ``initial_lr_g`` being the group's
  lr when the scheduler was created (``group["initial_lr"]``, as for every
  PyTorch scheduler). It is computed as ``value(t) * (initial_lr_g /
  peak)``, so a group whose lr equals the spec's peak gets the schedule's
  values bit for bit. This is how PyTorch's own schedulers treat several
  groups with different lrs.
- ``"absolute"``: every group gets the schedule's value ``value(t)`` itself
  (the groups' initial lrs are ignored).

OneCycle momentum: with a ``{"preset": "onecycle", ...}`` spec (a dict, JSON
text or path) the scheduler also cycles each group's ``momentum`` (or Adam's
``betas[0]``) between ``max_momentum`` (0.95) and ``base_momentum`` (0.85)
on the lr's phase boundaries, as ``torch.optim.lr_scheduler.OneCycleLR``
does by default; ``cycle_momentum=False`` turns it off.

``t`` is ``last_epoch``: the constructor performs PyTorch's initial step and
sets the lrs of step 0; each ``step()`` (call it after ``optimizer.step()``)
advances to the next step. ``step()`` makes no library call: it serves
values from a buffer that the library fills ``chunk`` (4096) steps at a
time. When ``group["lr"]`` is a ``torch.Tensor`` it is updated in place with
``fill_`` (the same tensor object, so compiled optimizers do not recompile).

Checkpoints: ``state_dict()`` holds the step (``last_epoch``), ``base_lrs``,
``mode`` and the canonical spec (``spec``, fully expanded JSON).
``load_state_dict`` restores them into a new scheduler (made with a new
optimizer) so that the resumed run gets bit-identical lrs; it also writes the
restored step's lrs into the param groups. By default it raises
``ValueError`` when the saved spec or mode differs from this scheduler's
(resuming with another schedule is most likely a mistake); with
``strict=False`` it adopts the saved spec and mode instead.

This module imports torch; ``import pace`` does not.
"""

from __future__ import annotations

import json
import warnings
from typing import Any, Dict, List, Optional, Union

import numpy as np
import torch
from torch.optim import lr_scheduler as _lrs

from . import _adapter_rules as _rules
from . import _lib
from .schedule import Schedule, SpecLike

__all__ = ["PaceLR"]

_Tensor = torch.Tensor
_LRSchedulerBase = getattr(_lrs, "LRScheduler", None) or _lrs._LRScheduler  # torch < 2.0: _LRScheduler

_MODES = ("relative", "absolute")  # the modes a scheduler runs in ("auto" resolves to one)

# Attributes whose name starts with this are runtime-only (rebuilt from the
# spec and the base lrs): never in state_dict().
_RUNTIME_PREFIX = "_pace_"


def _as_schedule(schedule: Union[Schedule, SpecLike]) -> Schedule:
    if isinstance(schedule, Schedule):
        schedule._h()  # raises on a closed schedule
        return schedule
    return Schedule(schedule)


def _uses_beta1(optimizer: torch.optim.Optimizer, who: str) -> bool:
    """Whether OneCycle's momentum goes to ``betas[0]`` (Adam-type) rather
    than ``momentum``, decided as OneCycleLR does (from the defaults)."""
    defaults = optimizer.defaults
    if "momentum" not in defaults and "betas" not in defaults:
        raise ValueError("%s: the onecycle preset cycles momentum like OneCycleLR, but %s has neither "
                         "'momentum' nor 'betas'; pass cycle_momentum=False" % (who, type(optimizer).__name__))
    return "betas" in defaults


def _spec_peak(spec: Dict[str, Any]) -> float:
    peak = float(spec.get("peak", 1.0))
    if not peak > 0:  # the library rejects such specs; kept as a guard
        raise ValueError("the schedule's peak must be > 0, got %r" % peak)
    return peak


class PaceLR(_LRSchedulerBase):
    """Sets each param group's lr from a Pace schedule, per optimizer step.

    Args:
        optimizer: the ``torch.optim.Optimizer``.
        schedule: a ``pace.Schedule``, a spec dict, JSON text, or a path to a
            JSON file (docs/schedule-spec.md).
        last_epoch: as for every PyTorch scheduler: ``-1`` starts a run (the
            constructor sets the lrs of step 0); ``k >= 0`` resumes after step
            ``k`` (needs ``initial_lr`` in the groups) and sets step ``k+1``.
        mode: ``"auto"`` (default; see the module docs), ``"relative"``:
            ``lr_g(t) = initial_lr_g * value(t) / peak``; ``"absolute"``:
            ``lr_g(t) = value(t)`` for every group. :attr:`mode` is the
            resolved one.
        chunk: how many steps the library fills at a time (default 4096).
        cycle_momentum, base_momentum, max_momentum: OneCycleLR's momentum
            cycling for a ``onecycle`` preset spec (same defaults: True,
            0.85, 0.95); ignored for other specs.
    """

    # The attributes read or written by every step are slots: their access
    # stays fast even after the instance's __dict__ has been materialised
    # (state_dict() reads it, as PyTorch's does, and CPython then slows every
    # instance-dict attribute access down, about 2x per step here).
    __slots__ = ("last_epoch", "_step_count", "optimizer", "_pace_fast", "_pace_base", "_pace_n", "_pace_lr0",
                 "_pace_last", "_pace_last_step")

    # Slots that are part of the scheduler's state (state_dict / load_state_dict).
    _STATE_SLOTS = ("last_epoch", "_step_count")

    def __init__(self, optimizer: torch.optim.Optimizer, schedule: Union[Schedule, SpecLike],
                 last_epoch: int = -1, mode: str = "auto", chunk: int = 4096, cycle_momentum: bool = True,
                 base_momentum: float = _rules.BASE_MOMENTUM, max_momentum: float = _rules.MAX_MOMENTUM):
        _rules.check_mode(mode, "PaceLR")
        if isinstance(chunk, bool) or not isinstance(chunk, int) or chunk < 1:
            raise ValueError("chunk must be an integer >= 1, got %r" % (chunk,))
        if not isinstance(optimizer, torch.optim.Optimizer):
            raise TypeError("%s is not an Optimizer" % type(optimizer).__name__)
        self._pace_chunk = chunk
        self._pace_scales: List[float] = []
        self._pace_fast = False
        self._pace_last: Optional[list] = None
        self._pace_last_step = -2
        written = None if isinstance(schedule, Schedule) else _rules.user_spec(schedule)
        self._set_schedule(_as_schedule(schedule))
        peak_given = "peak" in written if written is not None else self._pace_peak != 1.0
        self.mode = _rules.resolve_mode("PaceLR", mode, peak_given, self._pace_peak,
                                        _rules.initial_lrs(optimizer.param_groups, last_epoch))
        self._pace_momentum: Optional[Schedule] = None
        if cycle_momentum and _rules.is_onecycle(written):
            self._pace_momentum = Schedule(_rules.onecycle_momentum_spec(written, base_momentum, max_momentum))
            self._pace_beta1 = _uses_beta1(optimizer, "PaceLR")
        # The base class records initial_lr / base_lrs, wraps optimizer.step
        # (to detect the step order) and performs the initial step, which
        # calls get_lr() for step last_epoch + 1.
        super().__init__(optimizer, last_epoch)
        self._update_scales()

    # -- the buffer -------------------------------------------------------------
    #
    # The library fills the values of steps base .. base+n-1 into a numpy
    # array, one call per chunk. For each group, the chunk's lrs (value *
    # scale, multiplied by numpy: the same float64 products as in Python) are
    # converted once to a plain list of floats (.tolist()). A fast step() only
    # indexes that list and stores the float into the group.

    def _set_schedule(self, schedule: Schedule) -> None:
        self._pace_schedule = schedule
        self._pace_spec = schedule.to_json()
        self._pace_peak = _spec_peak(json.loads(self._pace_spec))
        self._pace_buffer = np.empty(self._pace_chunk, dtype=np.float64)
        self._pace_base = 0
        self._pace_n = 0
        self._pace_lrs: List[List[float]] = []
        self._pace_lr0: Optional[List[float]] = None

    def _scales_for(self, base_lrs) -> List[float]:
        if self.mode == "absolute":
            return [1.0] * len(base_lrs)
        peak = self._pace_peak
        return [float(b) / peak for b in base_lrs]

    def _update_scales(self) -> None:
        scales = self._scales_for(self.base_lrs)
        if scales != self._pace_scales:
            self._pace_scales = scales
            self._build_lrs()  # from the chunk in the buffer (no library call)

    def _build_lrs(self) -> None:
        values = self._pace_buffer[: self._pace_n]
        self._pace_lrs = lrs = [(values if s == 1.0 else values * s).tolist() for s in self._pace_scales]
        self._pace_lr0 = lrs[0] if len(lrs) == 1 else None  # the fast step's list

    def _refill(self, t: int) -> None:
        """Fills the buffer with steps t .. t+chunk-1 (one library call)."""
        if t < 0:
            raise ValueError("PaceLR: step %d is negative (last_epoch = %d)" % (t, self.last_epoch))
        n = min(self._pace_chunk, _lib.INT64_MAX - t)
        self._pace_schedule.fill(self._pace_buffer[:n], t)
        self._pace_base = t
        self._pace_n = n
        self._build_lrs()

    def value(self, step: int) -> float:
        """The schedule's value at ``step`` (from the buffer when it holds it)."""
        i = step - self._pace_base
        if not 0 <= i < self._pace_n:
            self._refill(step)
            i = 0
        return float(self._pace_buffer[i])

    def multiplier(self, step: int) -> float:
        """``m(step) = value(step) / peak``."""
        return self.value(step) / self._pace_peak

    @property
    def schedule(self) -> Schedule:
        """The pace.Schedule being followed."""
        return self._pace_schedule

    @property
    def peak(self) -> float:
        """The spec's ``peak`` (the divisor of ``m(t)``)."""
        return self._pace_peak

    def _lrs_at(self, step: int) -> List[float]:
        v = self.value(step)
        return [v * s for s in self._scales_for(self.base_lrs)]

    def _write(self, row: List[float]) -> None:
        """Writes one lr per group (tensors in place, with fill_) and
        records them as the last lrs."""
        groups = self.optimizer.param_groups
        if len(groups) != len(row):
            raise ValueError("PaceLR: the optimizer has %d param groups but the scheduler was made for %d"
                             % (len(groups), len(row)))
        tensors = False
        for group, lr in zip(groups, row):
            current = group["lr"]
            if type(current) is not float and isinstance(current, _Tensor):
                current.fill_(lr)
                tensors = True
            else:
                group["lr"] = lr
        if tensors:  # copies, as PyTorch's get_last_lr
            row = [g["lr"].clone() if isinstance(g["lr"], _Tensor) else g["lr"] for g in groups]
        self._last_lr = row

    # `_last_lr` (what get_last_lr returns) is kept lazily: it is stored
    # (with the step it belongs to) only by the slow paths; after a fast step
    # the stored one belongs to an earlier step, and reading `_last_lr` takes
    # the lrs of step `last_epoch` from the buffer (the floats written).

    @property
    def _last_lr(self) -> list:
        last = self._pace_last
        if last is not None and self._pace_last_step == self.last_epoch:
            return last
        i = self.last_epoch - self._pace_base
        if 0 <= i < self._pace_n:
            return [lrs[i] for lrs in self._pace_lrs]
        return self._lrs_at(self.last_epoch)

    @_last_lr.setter
    def _last_lr(self, value: list) -> None:
        self._pace_last = value
        self._pace_last_step = self.last_epoch

    # -- LRScheduler API ------------------------------------------------------

    def get_lr(self) -> List[float]:
        """The lrs of step ``last_epoch`` (called by ``step()``; to read the
        current lrs use :meth:`get_last_lr`)."""
        if not getattr(self, "_get_lr_called_within_step", True):
            warnings.warn("To get the last learning rate computed by the scheduler, "
                          "please use `get_last_lr()`.", UserWarning, stacklevel=2)
        return self._lrs_at(self.last_epoch)

    def _get_closed_form_lr(self) -> List[float]:
        # Every Pace schedule is closed form: step(epoch) uses this.
        return self._lrs_at(self.last_epoch)

    def step(self, epoch: Optional[int] = None) -> None:
        """Advances one step (call it after ``optimizer.step()``) and writes
        the new lrs into the param groups. ``epoch`` (deprecated in PyTorch)
        jumps to that step instead."""
        if epoch is not None or not self._pace_fast:
            # The initial step and the first user step go through the base
            # class: it checks the order of optimizer.step() and
            # scheduler.step() (and warns like every PyTorch scheduler).
            self._slow_step(epoch)
            return
        # Fast path: no library call; one lookup and one store per group.
        self._step_count += 1
        t = self.last_epoch + 1
        self.last_epoch = t
        i = t - self._pace_base
        lrs = self._pace_lr0  # None when there are several groups
        if lrs is None or i < 0:  # several groups, or last_epoch set back by hand
            self._step_groups(t)
            return
        try:
            lr = lrs[i]
            (group,) = self.optimizer.param_groups
        except (IndexError, ValueError):  # the end of the chunk; a group count that changed
            self._step_groups(t)
            return
        if type(group["lr"]) is float:
            group["lr"] = lr
        else:
            self._step_groups(t)

    def _step_groups(self, t: int) -> None:
        """The lrs of step t (already counted) into every group: several
        groups, tensor lrs, the end of the chunk."""
        i = t - self._pace_base
        if not 0 <= i < self._pace_n:
            self._refill(t)
            i = 0
        groups = self.optimizer.param_groups
        lists = self._pace_lrs
        if len(groups) == len(lists):
            for group, lrs in zip(groups, lists):
                if type(group["lr"]) is not float:
                    break
                group["lr"] = lrs[i]
            else:
                return
        self._write([lrs[i] for lrs in lists])  # tensors, or a group count that changed

    def _slow_step(self, epoch: Optional[int]) -> None:
        groups = self.optimizer.param_groups
        tensors = [g["lr"] if isinstance(g["lr"], _Tensor) else None for g in groups]
        super().step(epoch)
        # Older PyTorch releases assign group["lr"] = new value; keep every
        # tensor lr the same object, updated in place.
        replaced = False
        for group, tensor in zip(groups, tensors):
            if tensor is not None and group["lr"] is not tensor:
                tensor.fill_(float(group["lr"]))
                group["lr"] = tensor
                replaced = True
        if replaced:
            self._last_lr = [g["lr"].clone() if isinstance(g["lr"], _Tensor) else g["lr"] for g in groups]
        self._update_scales()
        if self._pace_momentum is not None:
            self._write_momentum(self.last_epoch)
        self._pace_fast = self._step_count >= 2 and self._pace_momentum is None

    def _write_momentum(self, step: int) -> None:
        """OneCycle: each group's momentum (or betas[0]) at ``step``, as
        OneCycleLR writes it."""
        m = self._pace_momentum.at(max(step, 0))
        for group in self.optimizer.param_groups:
            if self._pace_beta1:
                group["betas"] = (m, *group["betas"][1:])
            else:
                group["momentum"] = m

    def get_last_lr(self) -> List[Union[float, torch.Tensor]]:
        """The lrs set by the last step, one per param group (tensors as
        copies)."""
        return self._last_lr

    def state_dict(self) -> Dict[str, Any]:
        """The scheduler's state: every attribute of the base class (the step
        ``last_epoch``, ``_step_count``, ``base_lrs``, ``_last_lr``, ...), plus
        ``mode`` and ``spec`` (the canonical JSON text of the schedule)."""
        state = {key: value for key, value in self.__dict__.items()
                 if key != "optimizer" and not key.startswith(_RUNTIME_PREFIX)}
        for key in self._STATE_SLOTS:
            state[key] = getattr(self, key)
        state["_last_lr"] = list(self._last_lr)
        state["spec"] = self._pace_spec
        state["mode"] = self.mode
        momentum = self._pace_momentum
        state["momentum_spec"] = None if momentum is None else momentum.to_json()
        return state

    def load_state_dict(self, state_dict: Dict[str, Any], strict: bool = True) -> None:
        """Restores a :meth:`state_dict`, then writes the lrs of the restored
        step into the param groups.

        ``strict=True`` (default): the saved canonical spec and mode must
        equal this scheduler's, else ``ValueError`` (nothing is changed).
        ``strict=False``: the saved spec and mode are adopted.
        """
        state = dict(state_dict)
        spec = state.pop("spec", None)
        mode = state.pop("mode", self.mode)
        momentum = self._pace_momentum
        momentum_spec = state.pop("momentum_spec", None if momentum is None else momentum.to_json())
        if momentum_spec != (None if momentum is None else momentum.to_json()):
            if strict:
                raise ValueError("PaceLR.load_state_dict: the saved momentum cycling (%s) differs from this "
                                 "scheduler's (%s); pass strict=False to adopt it"
                                 % (momentum_spec, None if momentum is None else momentum.to_json()))
            momentum = None if momentum_spec is None else Schedule(momentum_spec)
            if momentum is not None:
                self._pace_beta1 = _uses_beta1(self.optimizer, "PaceLR.load_state_dict")
        if spec is None:
            raise ValueError("PaceLR.load_state_dict: the state has no 'spec' (not a PaceLR state_dict)")
        if mode not in _MODES:
            raise ValueError("PaceLR.load_state_dict: unknown mode %r in the state" % (mode,))
        new_schedule = None
        if spec != self._pace_spec:
            if strict:
                raise ValueError(
                    "PaceLR.load_state_dict: the saved schedule differs from this scheduler's.\n"
                    "  saved: %s\n  this:  %s\nPass strict=False to adopt the saved schedule."
                    % (spec, self._pace_spec))
            new_schedule = Schedule(spec)
        if mode != self.mode and strict:
            raise ValueError("PaceLR.load_state_dict: the saved mode is %r, this scheduler's is %r; "
                             "pass strict=False to adopt it" % (mode, self.mode))
        base_lrs = state.get("base_lrs", self.base_lrs)
        if len(base_lrs) != len(self.optimizer.param_groups):
            raise ValueError("PaceLR.load_state_dict: the state has %d base_lrs but the optimizer has %d "
                             "param groups" % (len(base_lrs), len(self.optimizer.param_groups)))
        saved_last = state.pop("_last_lr", None)
        for key in [k for k in state if k.startswith(_RUNTIME_PREFIX)]:
            del state[key]
        self.mode = mode
        self._pace_momentum = momentum
        if new_schedule is not None:
            self._set_schedule(new_schedule)
            self._pace_scales = []
        for key, value in state.items():  # slots and instance attributes alike
            setattr(self, key, value)
        self._update_scales()
        if self.last_epoch >= 0:
            self._write(self._lrs_at(self.last_epoch))
            if momentum is not None:
                self._write_momentum(self.last_epoch)
        elif saved_last is not None:
            self._last_lr = saved_last
        self._pace_fast = self._step_count >= 2 and momentum is None

    def __repr__(self) -> str:
        return "<pace.torch.PaceLR mode=%s step=%d %r>" % (self.mode, self.last_epoch, self._pace_schedule)


# ---------------------------------------------------------------------------
# PaceRuntimeScheduler: a pace.Runtime (docs/runtime.md) driving an optimizer.

from .runtime import ConfigLike as _ConfigLike  # noqa: E402
from .runtime import Runtime as _Runtime  # noqa: E402

__all__.append("PaceRuntimeScheduler")

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


from .torch_data import PaceBatchSampler  # noqa: E402,F401  (pace.data in a DataLoader; pace/torch_data.py)
__all__.append("PaceBatchSampler")
from .torch_tune import train_with_autolrs  # noqa: E402,F401  (AutoLRS in a torch loop; pace/torch_tune.py)
__all__.append("train_with_autolrs")
