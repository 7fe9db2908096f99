"""pace.torch.PaceLR: a Pace schedule as a torch.optim.lr_scheduler.LRScheduler
(the modes, OneCycle momentum and checkpoints are described in pace/torch.py,
the public module that re-exports it). Its per-step values come from one
look-ahead buffer (pace/_lookahead.py)."""

from __future__ import annotations

import json
import warnings
from typing import Any, Dict, List, Optional, Union

import torch
from torch.optim import lr_scheduler as _lrs

from . import _adapter_rules as _rules
from ._lookahead import LookAhead
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
    # The library fills the values of steps base .. base+n-1 into the
    # look-ahead buffer (pace/_lookahead.py), one call per chunk; _pace_base
    # and _pace_n mirror its range in slots for the fast step. For each group,
    # the chunk's lrs (value * scale, multiplied by numpy: the same float64
    # products as in Python) are converted once to a plain list of floats
    # (.tolist()). A fast step() only indexes that list and stores the float
    # into the group.

    def _set_schedule(self, schedule: Schedule) -> None:
        self._pace_schedule = schedule
        self._pace_spec = schedule.to_json()
        self._pace_peak = _spec_peak(json.loads(self._pace_spec))
        self._pace_window = LookAhead(schedule, self._pace_chunk)
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
        values = self._pace_window.buffer[: self._pace_n]
        self._pace_lrs = lrs = [(values if s == 1.0 else values * s).tolist() for s in self._pace_scales]
        self._pace_lr0 = lrs[0] if len(lrs) == 1 else None  # the fast step's list

    def _refill(self, t: int) -> None:
        """Fills the buffer with steps t .. t+chunk-1 (one library call)."""
        if t < 0:
            raise ValueError("PaceLR: step %d is negative (last_epoch = %d)" % (t, self.last_epoch))
        self._pace_n = len(self._pace_window.fill(t))
        self._pace_base = t
        self._build_lrs()

    def value(self, step: int) -> float:
        """The schedule's value at ``step`` (from the buffer when it holds it)."""
        i = step - self._pace_base
        if not 0 <= i < self._pace_n:
            self._refill(step)
            i = 0
        return float(self._pace_window.buffer[i])

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
