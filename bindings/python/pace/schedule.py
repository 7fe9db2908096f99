"""pace.Schedule: a parsed schedule spec (docs/schedule-spec.md), evaluated
by libpace in float64, and pace.Stepper, its chunked per-step reader."""

from __future__ import annotations

import ctypes
import itertools
import json
import operator
import os
import threading
import weakref
from pathlib import Path
from typing import Any, Dict, Iterator, Optional, Union

import numpy as np

from . import _lib
from ._handle import OwnedHandle
from ._lookahead import LookAhead
from ._sized import read_str
from .errors import ArgumentError, SpecError, check

__all__ = ["Schedule", "Stepper"]

SpecLike = Union[Dict[str, Any], str, bytes, "os.PathLike[str]"]


def _step_index(value: Any, what: str, minimum: int = 0) -> int:
    """An integer step or count (no bools, no floats), at least ``minimum``;
    range-checked here because ctypes would wrap values beyond int64
    silently."""
    if isinstance(value, bool):
        raise TypeError("%s must be an integer, got a bool" % what)
    try:
        n = operator.index(value)
    except TypeError:
        raise TypeError("%s must be an integer, got %s" % (what, type(value).__name__)) from None
    if n < minimum:
        raise ArgumentError("%s must be >= %d, got %d" % (what, minimum, n))
    if n > _lib.INT64_MAX:
        raise ArgumentError("%s must fit in int64, got %d" % (what, n))
    return n


def _spec_bytes(spec: Any) -> bytes:
    """UTF-8 JSON text for a dict, a JSON string/bytes, or a path to a .json file."""
    if isinstance(spec, dict):
        try:
            text = json.dumps(spec, allow_nan=False, ensure_ascii=False)
        except ValueError as exc:  # NaN / Infinity: not JSON, and never a valid spec
            raise SpecError("the spec contains a non-finite number: %s" % exc) from None
        except TypeError as exc:
            raise TypeError("the spec dict is not JSON-serialisable: %s" % exc) from None
        data = text.encode("utf-8")
    elif isinstance(spec, (bytes, bytearray, memoryview)):
        data = bytes(spec)
    elif isinstance(spec, str):
        if spec.lstrip()[:1] in ("{", "["):
            data = spec.encode("utf-8")
        else:
            data = Path(spec).read_bytes()
    elif isinstance(spec, os.PathLike):
        data = Path(spec).read_bytes()
    else:
        raise TypeError(
            "spec must be a dict, a JSON string, or a path to a .json file; got %s" % type(spec).__name__
        )
    if b"\0" in data:
        raise SpecError("the spec text contains a NUL byte")
    return data


class Schedule(OwnedHandle):
    """An immutable schedule ``value(t) = peak * m(t)`` (docs/schedule-spec.md).

    ``spec`` is a dict, JSON text, or a path (str or pathlib.Path) to a JSON
    file. Invalid specs raise :class:`pace.SpecError` whose message names the
    JSON path. Values are pure functions of the step (int >= 0), computed by
    the library in float64.

    The handle is freed by :meth:`close`, by leaving a ``with`` block, or when
    the object is garbage-collected. A schedule may be read from several
    threads at once; do not close it while another thread uses it.
    """

    __slots__ = ("_handle", "_total_steps", "_lock", "__weakref__")
    _free = "pace_schedule_free"
    _kind = "pace.Schedule"

    def __init__(self, spec: SpecLike):
        self._handle = None
        self._lock = threading.Lock()
        data = _spec_bytes(spec)
        handle = _lib.SCHEDULE_P()
        check(_lib.lib.pace_schedule_parse(data, ctypes.byref(handle)))
        if not handle:
            raise RuntimeError("pace_schedule_parse returned PACE_OK without a schedule")
        self._handle = handle
        total = ctypes.c_int64()
        try:
            check(_lib.lib.pace_schedule_total_steps(handle, ctypes.byref(total)))
        except BaseException:
            self.close()
            raise
        self._total_steps = None if total.value < 0 else int(total.value)

    # -- evaluation -----------------------------------------------------------

    @property
    def total_steps(self) -> Optional[int]:
        """First step past the last phase (the ceiling of its end), or None
        when the schedule is open-ended."""
        self._h()
        return self._total_steps

    def at(self, step: int) -> float:
        """The value at optimizer step ``step`` (>= 0), in float64."""
        n = _step_index(step, "step")
        out = ctypes.c_double()
        check(_lib.lib.pace_schedule_at(self._h(), n, ctypes.byref(out)))
        return out.value

    __call__ = at

    def _default_count(self, start: int) -> int:
        if self._total_steps is None:
            raise ArgumentError(
                "the schedule is open-ended (no total_steps): give count to values()"
            )
        return max(self._total_steps - start, 0)

    def values(self, start: int = 0, count: Optional[int] = None, dtype: Any = np.float64) -> np.ndarray:
        """Values of steps ``start .. start+count-1`` as a new numpy array,
        written by the library (pace_schedule_fill_f64 / _f32).

        ``count`` defaults to the rest of the schedule, ``total_steps - start``
        (so ``values()`` is the whole schedule); an open-ended schedule needs
        an explicit count. ``dtype`` is numpy.float64 (bit-identical to
        :meth:`at`) or numpy.float32 (each float64 value rounded once)."""
        start = _step_index(start, "start")
        self._h()
        if count is None:
            count = self._default_count(start)
        count = _step_index(count, "count")
        dt = np.dtype(dtype)
        if dt not in (np.dtype(np.float64), np.dtype(np.float32)):
            raise TypeError("dtype must be numpy.float64 or numpy.float32, got %s" % dt)
        out = np.empty(count, dtype=dt)
        return self.fill(out, start)

    def fill(self, out: np.ndarray, start: int = 0) -> np.ndarray:
        """Writes the values of steps ``start .. start+len(out)-1`` into an
        existing writable, C-contiguous 1-D float64 or float32 array; returns it."""
        start = _step_index(start, "start")
        if not isinstance(out, np.ndarray):
            raise TypeError("out must be a numpy array, got %s" % type(out).__name__)
        if out.ndim != 1 or not out.flags.c_contiguous or not out.flags.writeable:
            raise ValueError("out must be a writable, C-contiguous, 1-D array")
        count = int(out.shape[0])
        handle = self._h()
        if out.dtype == np.float64:
            ptr = out.ctypes.data_as(_lib.c_double_p) if count else None
            check(_lib.lib.pace_schedule_fill_f64(handle, start, count, ptr))
        elif out.dtype == np.float32:
            ptr = out.ctypes.data_as(_lib.c_float_p) if count else None
            check(_lib.lib.pace_schedule_fill_f32(handle, start, count, ptr))
        else:
            raise TypeError("out must have dtype float64 or float32, got %s" % out.dtype)
        return out

    def stepper(self, start: int = 0, chunk: int = 4096, stop: Optional[int] = None) -> "Stepper":
        """A per-step reader: ``next()`` returns the value of step ``.step``
        and advances it, served from a buffer the library fills ``chunk``
        values at a time (no library call per step)."""
        return Stepper(self, start=start, chunk=chunk, stop=stop)

    # -- plotting ---------------------------------------------------------------

    def plot(self, ax: Any = None, start: int = 0, count: Optional[int] = None,
             label: Optional[str] = None, **kwargs: Any) -> Any:
        """Draws the values of steps ``start .. start+count-1`` (default: to
        the end of the schedule; an open-ended schedule needs ``count``) as a
        line on a matplotlib Axes and returns the Axes.

        ``ax`` defaults to ``matplotlib.pyplot.gca()``; ``label`` names the
        line (for ``ax.legend()``); other keyword arguments go to
        ``ax.plot``. The axis labels are set to "step" and "value" unless the
        Axes already has labels. Needs matplotlib (ImportError otherwise)."""
        try:
            import matplotlib  # noqa: F401
        except ImportError as exc:
            raise ImportError(
                "pace.Schedule.plot needs matplotlib, which is not installed: "
                "`pip install matplotlib` (or use Schedule.values() with another plotting library)"
            ) from exc
        values = self.values(start, count)
        if ax is None:
            import matplotlib.pyplot as plt

            ax = plt.gca()
        steps = np.arange(start, start + values.shape[0], dtype=np.int64)
        if label is not None:
            kwargs["label"] = label
        ax.plot(steps, values, **kwargs)
        if not ax.get_xlabel():
            ax.set_xlabel("step")
        if not ax.get_ylabel():
            ax.set_ylabel("value")
        return ax

    # -- spec -------------------------------------------------------------------

    def to_json(self) -> str:
        """The canonical, fully expanded spec (presets expanded, every default
        written out); parsing it gives bit-identical values."""
        return read_str(_lib.lib.pace_schedule_to_json, self._h())

    def to_dict(self) -> Dict[str, Any]:
        """The canonical spec as a dict (``Schedule(s.to_dict())`` gives the
        same values, bit for bit)."""
        return json.loads(self.to_json())

    def __reduce__(self):
        return (self.__class__, (self.to_json(),))

    def __repr__(self) -> str:
        if self._handle is None:
            return "<pace.Schedule (closed)>"
        try:
            spec = self.to_dict()
            phases = spec.get("phases", [])
            shapes = []
            for item in phases:
                if "repeat" in item:
                    shapes.append("repeat[%s]" % ",".join(p.get("shape", "?") for p in item["repeat"]))
                else:
                    shapes.append(item.get("shape", "?"))
            total = "open-ended" if self._total_steps is None else str(self._total_steps)
            return "<pace.Schedule peak=%r total_steps=%s phases=[%s]>" % (
                spec.get("peak", 1), total, ", ".join(shapes))
        except Exception:
            return "<pace.Schedule>"


def _stepper_chunks(ref: "weakref.ref[Stepper]") -> Iterator[Iterator[float]]:
    """The chunks of a Stepper, as list iterators, for itertools.chain. Holds
    only a weak reference to the stepper (no reference cycle)."""
    while True:
        self = ref()
        if self is None:
            return
        pending = self._pending
        if pending is not None:
            self._pending = None
            base, values = pending
        else:
            base, values = self._base + len(self._values), None
        if values is None:
            try:
                filled = self._window.fill(base, self.stop)
            except BaseException:
                self._dead = True
                self._pending = (base, None)  # a later seek() or retry starts here again
                raise
            if not len(filled):  # stop (or step 2^63 - 1) reached
                self._dead = True
                return
            values = filled.tolist()
        self._base = base
        self._values = values
        self._it = it = iter(values)
        del self
        yield it


class Stepper:
    """Serves a schedule's values one step at a time from a buffer that the
    library fills ``chunk`` values at a time.

    ``next()`` returns the value of step ``step`` and advances one step;
    ``for v in stepper`` does the same. ``step`` is the step whose value
    comes next (it starts at ``start``). Iteration stops at ``stop`` when
    given; otherwise it runs forever (past ``total_steps`` the schedule's
    ``after`` value). :meth:`seek` moves to any step (e.g. when resuming from
    a checkpoint), also in the middle of a ``for`` loop over the stepper.

    Per step there is no library call and no Python-level code: ``next`` is
    the ``__next__`` of an ``itertools.chain`` over the chunks (each a list
    of floats, from ``tolist()``), and iterating the stepper iterates that
    chain. The library fill and the conversion happen once per chunk.
    (After the stepper has stopped at ``stop``, a ``seek`` starts a new chain:
    read ``stepper.next`` again if you kept it in a local variable.)
    """

    __slots__ = ("chunk", "stop", "next", "_window", "_values", "_base", "_it", "_pending",
                 "_dead", "_chain", "__weakref__")

    def __init__(self, schedule: Schedule, start: int = 0, chunk: int = 4096, stop: Optional[int] = None):
        if not isinstance(schedule, Schedule):
            raise TypeError("schedule must be a pace.Schedule")
        schedule._h()
        self.chunk = _step_index(chunk, "chunk")
        if self.chunk < 1:
            raise ArgumentError("chunk must be >= 1, got 0")
        self.stop = None if stop is None else _step_index(stop, "stop")
        self._window = LookAhead(schedule, self.chunk)
        start = _step_index(start, "start")
        self._values: list = []
        self._base = start
        self._it = iter(self._values)
        self._pending = None
        self._new_chain()

    @property
    def schedule(self) -> Schedule:
        """The schedule served (assignable: the next chunk is filled from the new one)."""
        return self._window.schedule

    @schedule.setter
    def schedule(self, schedule: Schedule) -> None:
        self._window.schedule = schedule

    def _new_chain(self) -> None:
        self._dead = False
        self._chain = chain = itertools.chain.from_iterable(_stepper_chunks(weakref.ref(self)))
        self.next = chain.__next__  # type: ignore[misc]

    @property
    def step(self) -> int:
        return self._base + len(self._values) - self._it.__length_hint__()

    def seek(self, step: int) -> None:
        """Makes ``step`` the next step served."""
        step = _step_index(step, "step")
        values = self._values
        i = step - self._base
        old = self._it
        if values and 0 <= i < len(values):
            rest = values[i:]
            self._pending = (step, rest)
        else:
            rest = []
            self._pending = (step, None)
        # `step` reads the sought step at once; the chain, finding the current
        # chunk's iterator exhausted, asks for the pending chunk next.
        self._base = step
        self._values = rest
        self._it = iter(rest)
        for _ in old:
            pass
        if self._dead:
            self._new_chain()

    def __next__(self) -> float:
        return self.next()

    def __iter__(self) -> Iterator[float]:
        """Iterates from the current step (to ``stop``); ``next()``, ``seek()``
        and ``step`` stay consistent with the loop."""
        return self._chain

    def __repr__(self) -> str:
        stop = "" if self.stop is None else " stop=%d" % self.stop
        return "<pace.Stepper step=%d chunk=%d%s>" % (self.step, self.chunk, stop)
