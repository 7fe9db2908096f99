"""pace.Runtime: the training-loop runtime of libpace (include/pace.h, "the
training-loop runtime"; docs/runtime.md), and pace.refine / pace.refine_spec,
the offline refinement of a schedule from gradient norms (Defazio et al.
2023; include/pace.h, "refinement")::

    import pace
    rt = pace.Runtime({"channels": {"lr": {"preset": "cosine", "peak": 3e-4, "total_steps": 1000},
                                    "weight_decay": {"peak": 0.1, "phases": [{"shape": "constant"}]}},
                       "groups": [{"name": "embed", "scale": {"weight_decay": 0}}, {"name": "rest"}]})
    v = rt.values()                  # (groups x channels) values of step 0
    for batch in data:
        ...                          # forward, backward, g = clip_grad_norm_(...)
        v = rt.step(g)               # record g, advance, values of the new step
    blob = rt.save(); rt2 = pace.Runtime.load(blob)   # exact, checksummed

    multipliers, skipped = pace.refine(previous_run_norms, norm="l2")
    spec = pace.refine_spec(multipliers, peak=0.1, warmup_steps=100)
"""

from __future__ import annotations

import ctypes
import json
import math
import os
import threading
from typing import Any, Dict, List, Optional, Tuple, Union

import numpy as np

from . import _lib
from ._handle import OwnedHandle
from ._sized import read as _read
from .errors import ArgumentError, check, error_for
from .schedule import Schedule, SpecLike, _spec_bytes, _step_index

__all__ = ["Runtime", "refine", "refine_spec"]

ConfigLike = Union[Dict[str, Any], str, bytes, "os.PathLike[str]"]

_NAN = float("nan")
_NORMS = {"l2": _lib.PACE_NORM_L2, "l1": _lib.PACE_NORM_L1}


_text = _read  # the text a (..., buf, cap, *needed) function writes, without its NUL (pace._sized)


def _channel_arg(channel: Optional[str]) -> Optional[bytes]:
    if channel is None:
        return None
    if not isinstance(channel, str):
        raise TypeError("channel must be a str or None, got %s" % type(channel).__name__)
    data = channel.encode("utf-8")
    if b"\0" in data:
        raise ArgumentError("the channel name contains a NUL byte")
    return data


def _finite(value: Any, what: str) -> float:
    x = float(value)
    if not math.isfinite(x):
        raise ArgumentError("%s must be a finite number, got %r" % (what, x))
    return x


def _norm_value(value: Any) -> float:
    """A gradient norm as a float: None means not measured (NaN)."""
    return _NAN if value is None else float(value)


def _path_bytes(path: Union[str, "os.PathLike[str]"]) -> bytes:
    data = os.fsencode(path)
    if b"\0" in data:
        raise ArgumentError("the path contains a NUL byte")
    return data


def _load_state(state: bytes, *_legacy) -> "Runtime":
    """Unpickles a Runtime (see Runtime.__reduce__)."""
    return Runtime.load(state)


class Runtime(OwnedHandle):
    """The training-loop runtime (docs/runtime.md): the optimizer step,
    scheduled hyper-parameters ("channels": ``lr``, ``momentum``,
    ``weight_decay``, any name), parameter groups with a scale per channel,
    the gradient-norm history, the run's events and online refinement; saved
    and restored exactly.

    ``config`` is a dict, JSON text, or a path (str or pathlib.Path) to a
    JSON file. A bad config raises :class:`pace.SpecError` naming its JSON
    path.

    Values are laid out as a ``(groups, channels)`` float64 array:
    ``values[g, c] = channel_c(step) * scale[g][c]``; :attr:`channels` lists
    the channel names in that order.

    Cost: :meth:`step` is one library call into a buffer allocated once. The
    array it returns is a read-only view of that buffer, overwritten by the
    next :meth:`step` (``.copy()`` it to keep it); :meth:`values` returns a
    new array.

    A runtime is used by one thread at a time. The handle is freed by
    :meth:`close`, by leaving a ``with`` block, or when the object is
    garbage-collected. Runtimes pickle (and ``copy.deepcopy``) through
    :meth:`save` / :meth:`load`.
    """

    __slots__ = ("_handle", "_lock", "_nchannels", "_ngroups", "_channels", "_group_names", "_buf", "_ptr",
                 "_cap", "_view", "_step_fn", "__weakref__")
    _free = "pace_runtime_free"
    _kind = "pace.Runtime"

    def __init__(self, config: ConfigLike):
        self._handle = None
        self._lock = threading.Lock()
        data = _spec_bytes(config)
        handle = _lib.RUNTIME_P()
        check(_lib.lib.pace_runtime_create(data, ctypes.byref(handle)))
        if not handle:
            raise RuntimeError("pace_runtime_create returned PACE_OK without a runtime")
        self._adopt(handle)

    @classmethod
    def _from_handle(cls, handle) -> "Runtime":
        self = cls.__new__(cls)
        self._handle = None
        self._lock = threading.Lock()
        self._adopt(handle)
        return self

    def _adopt(self, handle) -> None:
        self._handle = handle
        try:
            channels = ctypes.c_int64()
            groups = ctypes.c_int64()
            check(_lib.lib.pace_runtime_shape(handle, ctypes.byref(channels), ctypes.byref(groups)))
            self._nchannels = int(channels.value)
            self._ngroups = int(groups.value)
            self._channels = tuple(
                _text(_lib.lib.pace_runtime_channel_name, handle, i).decode("utf-8")
                for i in range(self._nchannels))
            self._group_names = tuple(
                _text(_lib.lib.pace_runtime_group_name, handle, i).decode("utf-8")
                for i in range(self._ngroups))
            n = self._nchannels * self._ngroups
            self._cap = n
            self._buf = (ctypes.c_double * n)()
            self._ptr = ctypes.cast(self._buf, _lib.c_double_p)
            view = np.frombuffer(self._buf, dtype=np.float64).reshape(self._ngroups, self._nchannels)
            view.flags.writeable = False
            self._view = view
            self._step_fn = _lib.lib.pace_runtime_step
        except BaseException:
            self.close()
            raise

    # -- lifetime -------------------------------------------------------------


    # -- shape ------------------------------------------------------------------

    @property
    def channels(self) -> Tuple[str, ...]:
        """The channel names, in config order (the columns of the values)."""
        return self._channels

    @property
    def groups(self) -> int:
        """The number of parameter groups (the rows of the values)."""
        return self._ngroups

    @property
    def group_names(self) -> Tuple[str, ...]:
        """The groups' names, in config order (the rows of the values):
        ``"default"`` for the implicit single group, ``"group<i>"`` for an
        unnamed one. Saved state carries them."""
        return self._group_names

    @property
    def shape(self) -> Tuple[int, int]:
        """``(groups, channels)``: the shape of :meth:`values`."""
        return (self._ngroups, self._nchannels)

    def channel_index(self, name: str) -> int:
        """The column of channel ``name`` (KeyError when there is none)."""
        try:
            return self._channels.index(name)
        except ValueError:
            raise KeyError("no channel named %r (channels: %s)" % (name, ", ".join(self._channels))) from None

    # -- stepping ---------------------------------------------------------------

    @property
    def step_count(self) -> int:
        """Steps taken so far; the current values are those of this step."""
        out = ctypes.c_int64()
        check(_lib.lib.pace_runtime_step_count(self._h(), ctypes.byref(out)))
        return int(out.value)

    def values(self) -> np.ndarray:
        """The current step's values as a new ``(groups, channels)`` float64
        array (no advance)."""
        out = np.empty((self._ngroups, self._nchannels), dtype=np.float64)
        check(_lib.lib.pace_runtime_values(self._h(), out.ctypes.data_as(_lib.c_double_p), self._cap))
        return out

    def step(self, grad_norm: float = _NAN) -> np.ndarray:
        """Records the gradient norm of the current step (NaN, the default,
        when it was not measured: it is filled from its neighbours by
        refinement), advances one step, and returns the new step's values as
        a ``(groups, channels)`` array.

        The array is a read-only view of the runtime's buffer: the next
        ``step`` overwrites it (``.copy()`` it to keep it). ``grad_norm`` may
        be any number ``float()`` accepts (a 0-d tensor: this synchronises
        with its device) or None (not measured)."""
        handle = self._handle
        if handle is None:
            raise ValueError("operation on a closed pace.Runtime")
        status = self._step_fn(handle, grad_norm if type(grad_norm) is float else _norm_value(grad_norm),
                               self._ptr, self._cap)
        if status:
            raise error_for(status)
        return self._view

    def _step_list(self, grad_norm: float) -> List[float]:
        """As :meth:`step`, returning the values as a flat, group-major list
        of Python floats (used by the torch adapter)."""
        handle = self._handle
        if handle is None:
            raise ValueError("operation on a closed pace.Runtime")
        status = self._step_fn(handle, grad_norm, self._ptr, self._cap)
        if status:
            raise error_for(status)
        return self._buf[:]

    def _values_list(self) -> List[float]:
        check(_lib.lib.pace_runtime_values(self._h(), self._ptr, self._cap))
        return self._buf[:]

    # -- events -------------------------------------------------------------------

    def begin_decay(self, decay_steps: int, shape: str = "sqrt", to: float = 0.0,
                    channel: Optional[str] = None) -> None:
        """Starts a cooldown at the current step: over ``decay_steps`` steps
        from the current value to ``to`` x the channel's peak along ``shape``
        (linear, cosine, sqrt, square, polynomial, rex, exponential), then
        holds. ``channel`` None: the ``lr`` channel (or the first). Earlier
        values never change."""
        n = _step_index(decay_steps, "decay_steps")
        if not isinstance(shape, str):
            raise TypeError("shape must be a str, got %s" % type(shape).__name__)
        shape_bytes = shape.encode("utf-8")
        if b"\0" in shape_bytes:
            raise ArgumentError("the shape name contains a NUL byte")
        check(_lib.lib.pace_runtime_begin_decay(self._h(), _channel_arg(channel), n, shape_bytes,
                                                _finite(to, "to")))

    def rewarm(self, spec: SpecLike, channel: Optional[str] = None) -> None:
        """Continual pre-training: from the current step, the channel plays
        ``spec`` (a schedule spec: dict, JSON text or path) from its step 0.
        Earlier values and the norm history are kept."""
        check(_lib.lib.pace_runtime_rewarm(self._h(), _channel_arg(channel), _spec_bytes(spec)))

    def set_total_steps(self, total_steps: int) -> None:
        """Extends or shortens the run to ``total_steps`` (> the current
        step): the rest of every channel that has an end is stretched or
        compressed in time to end there (docs/runtime.md); earlier values and
        the current value never change; open-ended channels are unchanged."""
        check(_lib.lib.pace_runtime_set_total_steps(self._h(), _step_index(total_steps, "total_steps")))

    # -- introspection (docs/runtime.md, "Introspection") ---------------------------

    def events(self) -> List[Dict[str, Any]]:
        """The events applied so far, in order, as dicts: ``kind``
        (``begin_decay``, ``rewarm``, ``set_total_steps``), ``step``,
        ``channel`` (name; None for set_total_steps) and the call's parameters
        (``decay_steps``, ``shape``, ``to`` | ``spec`` | ``total_steps``).
        Online re-plans are not events. The log survives save and load."""
        return json.loads(_text(_lib.lib.pace_runtime_events_json, self._h()).decode("utf-8"))

    def cooldown_started(self, channel: Optional[str] = None) -> bool:
        """Whether a :meth:`begin_decay` of the channel (default ``lr``, or
        the first) was applied and no :meth:`rewarm` of it came later."""
        out = ctypes.c_int(0)
        check(_lib.lib.pace_runtime_cooldown_started(self._h(), _channel_arg(channel), ctypes.byref(out)))
        return bool(out.value)

    def played_values(self, channel: Optional[str] = None, start: int = 0,
                      stop: Optional[int] = None) -> np.ndarray:
        """The values the channel (default ``lr``, or the first) played,
        before group scales, at steps ``start .. stop - 1`` (``stop`` default:
        the current step + 1), bit-identical to what :meth:`step` returned
        (at an event's step: the value after the event). A channel refined
        online keeps the values before its first possible re-plan and from
        its segment in force on; other steps raise ArgumentError."""
        first = _step_index(start, "start")
        end = self.step_count + 1 if stop is None else _step_index(stop, "stop")
        if end < first:
            raise ArgumentError("stop %d is before start %d" % (end, first))
        out = np.empty(end - first, dtype=np.float64)
        check(_lib.lib.pace_runtime_played_values(self._h(), _channel_arg(channel), first, end - first,
                                                  out.ctypes.data_as(_lib.c_double_p)))
        return out

    def played_spec(self, channel: Optional[str] = None) -> str:
        """The schedule the channel (default ``lr``, or the first) played, as
        canonical spec JSON text: peak 1 and one ``segment`` phase per piece
        of its timeline (the base schedule, then one per event on it; the
        last, open-ended, is the schedule in force). ``pace.Schedule(text)``
        gives every value :meth:`played_values` gives, bit for bit, and those
        the runtime plays next if no event comes; feed it to
        ``pace.laws.Law.predict`` or plot it. Its size is O(events) whatever
        the run's length, and it survives save and load. A channel refined
        online after its first possible re-plan raises ArgumentError (the
        re-plans are not kept)."""
        return _text(_lib.lib.pace_runtime_played_spec, self._h(), _channel_arg(channel)).decode("utf-8")

    def played_schedule(self, channel: Optional[str] = None) -> "Schedule":
        """:meth:`played_spec` compiled: a :class:`pace.Schedule`."""
        return Schedule(self.played_spec(channel))

    # -- checkpoints --------------------------------------------------------------

    def save(self) -> bytes:
        """The exact state (versioned, checksummed, carrying the config and
        every schedule) as bytes; :meth:`load` continues bit for bit."""
        return _read(_lib.lib.pace_runtime_save, self._h(), text=False)

    @classmethod
    def load(cls, state: Union[bytes, bytearray, memoryview]) -> "Runtime":
        """A runtime restored from :meth:`save`'s bytes. Damaged or truncated
        state raises :class:`pace.StateError`; a newer format
        :class:`pace.VersionError`."""
        if not isinstance(state, (bytes, bytearray, memoryview)):
            raise TypeError("state must be bytes, got %s" % type(state).__name__)
        data = bytes(state)
        handle = _lib.RUNTIME_P()
        check(_lib.lib.pace_runtime_load(data, len(data), ctypes.byref(handle)))
        if not handle:
            raise RuntimeError("pace_runtime_load returned PACE_OK without a runtime")
        return cls._from_handle(handle)

    def save_file(self, path: Union[str, "os.PathLike[str]"]) -> None:
        """Saves to ``path`` atomically (temporary file in the same folder,
        fsync, rename): a crash mid-save leaves the previous file intact."""
        check(_lib.lib.pace_runtime_save_file(self._h(), _path_bytes(path)))

    @classmethod
    def load_file(cls, path: Union[str, "os.PathLike[str]"]) -> "Runtime":
        """A runtime restored from a file written by :meth:`save_file`."""
        handle = _lib.RUNTIME_P()
        check(_lib.lib.pace_runtime_load_file(_path_bytes(path), ctypes.byref(handle)))
        if not handle:
            raise RuntimeError("pace_runtime_load_file returned PACE_OK without a runtime")
        return cls._from_handle(handle)

    def __reduce__(self):
        return (_load_state, (self.save(),))

    def __repr__(self) -> str:
        if self._handle is None:
            return "<pace.Runtime (closed)>"
        try:
            return "<pace.Runtime step=%d channels=[%s] groups=%d>" % (
                self.step_count, ", ".join(self._channels), self._ngroups)
        except Exception:
            return "<pace.Runtime>"


# ---------------------------------------------------------------------------
# Offline refinement


def _as_f64(values: Any, what: str) -> np.ndarray:
    try:
        arr = np.ascontiguousarray(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError("%s must be a sequence of numbers: %s" % (what, exc)) from None
    if arr.ndim != 1:
        raise ValueError("%s must be one-dimensional, got shape %s" % (what, arr.shape))
    return arr


def refine(norms: Any, norm: str = "l2", smoothing: Optional[float] = None) -> Tuple[np.ndarray, int]:
    """Refines a schedule from the per-step gradient norms of a previous run
    (Defazio et al. 2023): ``eta_t ∝ w_t * sum_{s>t} w_s`` with ``w = g^-2``
    (``norm="l2"``: L2 norms, SGD) or ``w = g^-1`` (``norm="l1"``: L1
    norms, Adam-type), after a median filter of width ``2*floor(smoothing*n/2)+1``
    (reflect-padded on the right, clamped on the left, as the reference
    code); ``smoothing=0`` disables it, ``None`` takes the library's default
    (``NAMES["defaults"]["refine_smoothing"]``).

    Returns ``(multipliers, skipped)``: a float64 array of ``len(norms)``
    multipliers (max 1, last 0) and how many norms were not finite and
    positive (NaN, inf, <= 0) and were filled from their neighbours. Scale
    the multipliers by the peak LR, or turn them into a schedule spec with
    :func:`refine_spec`."""
    g = _as_f64(norms, "norms")
    n = int(g.shape[0])
    if n < 1:
        raise ArgumentError("refine needs at least one gradient norm")
    if norm not in _NORMS:
        raise ArgumentError("norm must be 'l2' or 'l1', got %r" % (norm,))
    if smoothing is None:
        smoothing = _lib.NAMES["defaults"]["refine_smoothing"]
    opt = _lib.RefineOptions(ctypes.sizeof(_lib.RefineOptions), _NORMS[norm], _finite(smoothing, "smoothing"))
    out = np.empty(n, dtype=np.float64)
    skipped = ctypes.c_int64(0)
    check(_lib.lib.pace_refine_ex(g.ctypes.data_as(_lib.c_double_p), n, ctypes.byref(opt),
                                  out.ctypes.data_as(_lib.c_double_p), ctypes.byref(skipped)))
    return out, int(skipped.value)


def refine_spec(multipliers: Any, peak: float, warmup_steps: int = 0) -> Dict[str, Any]:
    """A schedule spec (dict) that plays ``multipliers`` (e.g. from
    :func:`refine`) as a ``table`` scaled by ``peak``, after an optional
    linear warmup of ``warmup_steps`` steps from 0 to the table's value at
    the warmup's end (which replaces the table's first values). Pass it to
    :class:`pace.Schedule`, a runtime channel, or :class:`pace.torch.PaceLR`."""
    m = _as_f64(multipliers, "multipliers")
    n = int(m.shape[0])
    if n < 1:
        raise ArgumentError("refine_spec needs at least one multiplier")
    w = _step_index(warmup_steps, "warmup_steps")
    text = _text(_lib.lib.pace_refine_spec, m.ctypes.data_as(_lib.c_double_p), n, _finite(peak, "peak"), w)
    return json.loads(text.decode("utf-8"))
