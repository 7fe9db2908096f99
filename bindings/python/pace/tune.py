"""pace.tune: AutoLRS (Jin et al. 2021), the learning rate tuned on the fly by
Bayesian optimisation over short trials, as a state machine the trainer
drives (include/pace.h, "AutoLRS"; docs/autolrs.md)::

    import pace.tune
    t = pace.tune.AutoLRS({"min_lr": 1e-4, "max_lr": 1e-1, "total_steps": 20000})
    while True:
        a = t.next()
        if a["action"] == "done":
            break
        if a["action"] == "checkpoint":
            saved = copy_of_model_and_optimizer()
        elif a["action"] == "restore":
            load(saved)
        else:                                   # "train": a["steps"] steps at a["lr"]
            losses = [train_one_step(a["lr"]) for _ in range(a["steps"])]
            if a["report"] == "train":
                t.report(losses)                # every step's training loss
            elif a["report"] == "val":
                t.report(validation_losses)     # one every a["every"] steps

The library holds the whole algorithm (trials, forecasts, the Gaussian
process); this module checks arguments, converts the action struct to a
dict and the saved state to a ``state_dict``. For PyTorch,
``pace.torch.train_with_autolrs`` runs the loop above.
"""

from __future__ import annotations

import ctypes
import json
import math
import threading
from typing import Any, Dict, List, Mapping, Sequence, Union

import numpy as np

from . import _lib
from ._handle import OwnedHandle
from ._sized import read as _read
from .errors import ArgumentError, SpecError, StateError, check

__all__ = ["AutoLRS", "describe_stage", "ACTIONS", "REPORTS", "CONFIG_KEYS", "STATE_FORMAT"]


class AutoLRSStruct(ctypes.Structure):
    """Opaque ``struct pace_autolrs``."""


AUTOLRS_P = ctypes.POINTER(AutoLRSStruct)


class Action(ctypes.Structure):
    """``pace_autolrs_action``."""

    _fields_ = [("kind", ctypes.c_uint32), ("report", ctypes.c_uint32), ("lr", ctypes.c_double),
                ("steps", ctypes.c_int64), ("every", ctypes.c_int64)]


_st = _lib.c_status
_szp = ctypes.POINTER(ctypes.c_size_t)

#: The functions of include/pace.h's AutoLRS section (name -> (restype, argtypes)).
FUNCTIONS = {
    "pace_autolrs_create": (_st, [ctypes.c_char_p, ctypes.POINTER(AUTOLRS_P)]),
    "pace_autolrs_free": (None, [AUTOLRS_P]),
    "pace_autolrs_next": (_st, [AUTOLRS_P, ctypes.POINTER(Action)]),
    "pace_autolrs_report": (_st, [AUTOLRS_P, _lib.c_double_p, ctypes.c_int64]),
    "pace_autolrs_steps_used": (_st, [AUTOLRS_P, ctypes.POINTER(ctypes.c_int64)]),
    "pace_autolrs_history": (_st, [AUTOLRS_P, ctypes.c_char_p, ctypes.c_size_t, _szp]),
    "pace_autolrs_save": (_st, [AUTOLRS_P, ctypes.c_void_p, ctypes.c_size_t, _szp]),
    "pace_autolrs_load": (_st, [ctypes.c_void_p, ctypes.c_size_t, ctypes.POINTER(AUTOLRS_P)]),
}
_lib.FUNCTIONS.update(FUNCTIONS)
_lib.declare(_lib.lib, _lib.library_path)

#: PACE_AUTOLRS_* action kinds -> the "action" of next()'s dict.
ACTIONS = {1: "checkpoint", 2: "restore", 3: "train", 4: "done"}
#: PACE_AUTOLRS_REPORT_* -> the "report" of a train action.
REPORTS = {0: "none", 1: "train", 2: "val"}
#: The "format" of state_dict().
STATE_FORMAT = "pace-autolrs"

# Config keys (docs/autolrs.md) and what each must be: "lr" a finite number
# > 0, "count" an integer >= 1, "index" an integer >= 0, "seed" an integer in
# [0, 2^64 - 1]. The library checks the finer limits (tau_prime >= 16,
# candidates <= 100, tau_max >= tau, warmup_lr with warmup_steps, ...).
CONFIG_KEYS = {
    "min_lr": "lr", "max_lr": "lr", "total_steps": "count", "tau": "count", "tau_prime": "count",
    "candidates": "count", "tau_max": "count", "seed": "seed", "warmup_steps": "index",
    "warmup_lr": "lr", "val_every": "count",
}
_REQUIRED = ("min_lr", "max_lr", "total_steps")
_INT64_MAX = 2**63 - 1
_UINT64_MAX = 2**64 - 1

ConfigLike = Union[Mapping[str, Any], str, bytes]


def _check_field(key: str, value: Any) -> Union[int, float]:
    """The value of one config field (an integral float becomes an int), or
    SpecError naming the field."""
    kind = CONFIG_KEYS[key]
    number = not isinstance(value, bool) and isinstance(value, (int, float))
    if kind == "lr":
        if not number or not math.isfinite(value) or value <= 0:
            raise SpecError("%s: must be a finite number > 0, got %r" % (key, value))
        return float(value)
    if not number or (isinstance(value, float) and not (math.isfinite(value) and value.is_integer())):
        raise SpecError("%s: must be an integer, got %r" % (key, value))
    low = 1 if kind == "count" else 0
    if not low <= int(value) <= (_UINT64_MAX if kind == "seed" else _INT64_MAX):
        raise SpecError("%s: must be an integer >= %d, got %r" % (key, low, value))
    return int(value)


def config_dict(config: ConfigLike) -> Dict[str, Any]:
    """The config as a dict (JSON text parsed), not yet checked."""
    if isinstance(config, (bytes, bytearray)):
        config = bytes(config).decode("utf-8", "replace")
    if isinstance(config, str):
        try:
            config = json.loads(config)
        except ValueError as exc:
            raise SpecError("the config is not valid JSON: %s" % exc) from None
    if not isinstance(config, Mapping):
        raise TypeError("config must be a dict or JSON text of an object, got %s" % type(config).__name__)
    return dict(config)


def _config_text(config: ConfigLike) -> bytes:
    """The config as UTF-8 JSON after the binding's own checks: an object,
    only known keys, the required ones present, each of the right kind,
    min_lr < max_lr. The library checks again (and the relations between
    tau, tau_prime and tau_max)."""
    config = config_dict(config)
    for key in config:
        if key not in CONFIG_KEYS:
            raise SpecError("%s: unknown config key (known: %s)" % (key, ", ".join(CONFIG_KEYS)))
    for key in _REQUIRED:
        if key not in config:
            raise SpecError("%s: required" % key)
    checked = {key: _check_field(key, value) for key, value in config.items()}
    if checked["min_lr"] >= checked["max_lr"]:
        raise SpecError("max_lr: must be > min_lr (%r), got %r" % (checked["min_lr"], checked["max_lr"]))
    return json.dumps(checked, allow_nan=False).encode("utf-8")


def describe_stage(stage: Mapping[str, Any]) -> str:
    """One line for a stage of :attr:`AutoLRS.history`, e.g. ``stage 1 at
    step 640: 6 trials of 80 steps (lr -> forecast 3e-4 -> 0.49, ...);
    800 steps at lr 0.0135``."""
    head = "stage %d at step %d: " % (stage["stage"], stage["start_step"])
    tail = "%d steps at lr %.3g" % (stage["steps"], stage["lr"])
    if not stage["trial_steps"]:
        return head + "no search; " + tail
    tried = ", ".join("%.2g -> %.3g" % (lr, f) for lr, f in zip(stage["lrs"], stage["forecasts"]))
    return head + "%d %s trials of %d steps (lr -> forecast %s); %s" % (
        len(stage["lrs"]), stage["mode"], stage["trial_steps"], tried, tail)


def _load_state(state: bytes) -> "AutoLRS":
    """Unpickles an AutoLRS (see AutoLRS.__reduce__)."""
    return AutoLRS.load(state)


class AutoLRS(OwnedHandle):
    """The AutoLRS tuner (docs/autolrs.md). ``config`` is a dict or JSON
    text with ``min_lr``, ``max_lr`` (the log-uniform search range, > 0) and
    ``total_steps`` (optimizer steps of the whole run, trials included), and
    optionally ``tau`` (1000), ``tau_prime`` (100), ``candidates`` (10),
    ``tau_max`` (8000), ``seed`` (0), ``warmup_steps`` (0), ``warmup_lr``,
    ``val_every``. A bad config raises :class:`pace.SpecError` naming the
    field.

    Drive it with :meth:`next` and :meth:`report` until the action is
    ``"done"``. Each call costs O(1) except the one that ends a trial
    (forecast fit: O(tau') points) and chooses the next LR (Gaussian process
    over at most ``candidates`` points). Used by one thread at a time;
    pickles and deep-copies through :meth:`save` / :meth:`load`.
    """

    __slots__ = ("_handle", "_lock", "__weakref__")
    _free = "pace_autolrs_free"
    _kind = "pace.tune.AutoLRS"

    def __init__(self, config: ConfigLike):
        self._handle = None
        self._lock = threading.Lock()
        handle = AUTOLRS_P()
        check(_lib.lib.pace_autolrs_create(_config_text(config), ctypes.byref(handle)))
        if not handle:
            raise RuntimeError("pace_autolrs_create returned PACE_OK without a tuner")
        self._handle = handle

    @classmethod
    def _from_handle(cls, handle) -> "AutoLRS":
        self = cls.__new__(cls)
        self._lock = threading.Lock()
        self._handle = handle
        return self

    # -- the protocol ------------------------------------------------------------

    def next(self) -> Dict[str, Any]:
        """The next action: ``{"action": "checkpoint"}``, ``{"action":
        "restore"}``, ``{"action": "train", "lr": float, "steps": int,
        "report": "none" | "train" | "val", "every": int}`` or ``{"action":
        "done"}`` (then forever). After a train action whose report is not
        "none", call :meth:`report` first (else :class:`pace.ArgumentError`)."""
        a = Action()
        check(_lib.lib.pace_autolrs_next(self._h(), ctypes.byref(a)))
        kind = ACTIONS.get(a.kind)
        if kind is None:
            raise RuntimeError("pace_autolrs_next returned an unknown action kind %d" % a.kind)
        if kind != "train":
            return {"action": kind}
        report = REPORTS.get(a.report)
        if report is None:
            raise RuntimeError("pace_autolrs_next returned an unknown report kind %d" % a.report)
        return {"action": "train", "lr": float(a.lr), "steps": int(a.steps), "report": report,
                "every": int(a.every)}

    def report(self, losses: Union[Sequence[float], np.ndarray]) -> None:
        """The losses the last train action asked for: its ``steps``
        training losses (report "train"), or one validation loss per
        ``every`` steps (report "val"). NaN and infinite losses are allowed
        (the tuner treats them as a very large loss)."""
        try:
            arr = np.ascontiguousarray(losses, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise ArgumentError("losses must be a sequence of numbers: %s" % exc) from None
        if arr.ndim != 1 or arr.size == 0:
            raise ArgumentError("losses must be a non-empty 1-D sequence, got shape %s" % (arr.shape,))
        check(_lib.lib.pace_autolrs_report(self._h(), arr.ctypes.data_as(_lib.c_double_p), arr.size))

    @property
    def steps_used(self) -> int:
        """Optimizer steps handed out so far, trials and warmup included."""
        out = ctypes.c_int64()
        check(_lib.lib.pace_autolrs_steps_used(self._h(), ctypes.byref(out)))
        return int(out.value)

    @property
    def history(self) -> List[Dict[str, Any]]:
        """One dict per decided stage: ``stage`` (0, 1, ...), ``start_step``
        (steps used before it), ``mode`` ("train" or "val": what the trials
        forecast), ``trial_steps`` (0: a stage without search), ``steps``
        (of the exploitation), ``lrs`` and ``forecasts`` (the tried LRs and
        the loss forecast for each) and ``lr`` (the LR trained with).
        O(stages x candidates)."""
        text = _read(_lib.lib.pace_autolrs_history, self._h())
        return json.loads(text.decode("utf-8")) if text else []

    # -- state -------------------------------------------------------------------------

    def save(self) -> bytes:
        """The exact state (versioned, checksummed, carrying the config);
        :meth:`load` continues action for action."""
        return _read(_lib.lib.pace_autolrs_save, self._h(), text=False)

    @classmethod
    def load(cls, state: Union[bytes, bytearray, memoryview]) -> "AutoLRS":
        """A tuner restored from :meth:`save`'s bytes. Damaged or truncated
        state raises :class:`pace.StateError`; a newer format
        :class:`pace.VersionError`."""
        if not isinstance(state, (bytes, bytearray, memoryview)):
            raise TypeError("state must be bytes, got %s" % type(state).__name__)
        data = bytes(state)
        handle = AUTOLRS_P()
        check(_lib.lib.pace_autolrs_load(data, len(data), ctypes.byref(handle)))
        if not handle:
            raise RuntimeError("pace_autolrs_load returned PACE_OK without a tuner")
        return cls._from_handle(handle)

    def state_dict(self) -> Dict[str, Any]:
        """``{"format": "pace-autolrs", "state": bytes}``: store it next to
        the model's and optimizer's state_dict (torch.save, pickle)."""
        return {"format": STATE_FORMAT, "state": self.save()}

    @classmethod
    def from_state_dict(cls, state_dict: Mapping[str, Any]) -> "AutoLRS":
        """The tuner of a :meth:`state_dict`, continuing where it was
        (mid-stage included)."""
        if not isinstance(state_dict, Mapping):
            raise TypeError("state_dict must be a dict, got %s" % type(state_dict).__name__)
        if state_dict.get("format") != STATE_FORMAT or "state" not in state_dict:
            raise StateError("not an AutoLRS state_dict (format %r)" % (state_dict.get("format"),))
        return cls.load(state_dict["state"])

    def __reduce__(self):
        return (_load_state, (self.save(),))

    def __repr__(self) -> str:
        if self._handle is None:
            return "<pace.tune.AutoLRS (closed)>"
        try:
            return "<pace.tune.AutoLRS steps_used=%d stages=%d>" % (self.steps_used, len(self.history))
        except Exception:
            return "<pace.tune.AutoLRS>"
