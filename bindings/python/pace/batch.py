"""The NUMA-aware batch engine of libpace (include/pace.h, docs/engine.md):
many schedules x many steps on every core::

    import pace
    m = pace.batch([spec_a, spec_b, schedule_c], start=0, count=100_000)   # (3, 100000) float64
    r = pace.batch_reduce(candidates, 0, 100_000, lam=0.999)               # final, s1, s2 per schedule
    best = r.s1.argmax()

    with pace.Engine(threads=2) as engine:          # an explicit engine: threads, NUMA mode, info
        engine.info                                 # {'nodes': 1, 'threads': 2, 'pinned': 2, ...}
        engine.batch(schedules, 0, 1000, dtype=np.float32)

Row i of ``batch`` is bit-identical to ``Schedule(spec_i).values(start, count)``
whatever the thread count or NUMA topology; ``batch_reduce`` never builds the
matrix (each worker streams chunks through its own scratch) and its sums run
in step order, bit-identical to a plain loop.

``pace.batch`` and ``pace.batch_reduce`` use one engine per ``threads``
value, created on first use and kept (``threads=None``: one worker per CPU
of the process's affinity mask). An engine reads ``PACE_NUMA`` (``off``: one
node, no pinning) and ``PACE_NUMA_SIMULATE`` (a testing aid, e.g.
``"0-0,1-1"``: two nodes of one CPU each) from the environment when it is
created. An engine's workers live in the process that created it: in a
forked child its calls raise :class:`pace.UnsupportedError`, and
``pace.batch`` starts new engines there.

(The package attribute ``pace.batch`` is the function; this module is
``sys.modules["pace.batch"]``, and ``from pace.batch import Engine`` works.)
"""

from __future__ import annotations

import ctypes
import os
import threading
from typing import Any, Dict, Iterable, List, NamedTuple, Optional

import numpy as np

from . import _lib
from ._handle import OwnedHandle
from .errors import ArgumentError, check
from .schedule import Schedule, _step_index

__all__ = ["Engine", "BatchReduction", "batch", "batch_reduce"]

NUMA_MODES = {"auto": _lib.PACE_NUMA_AUTO, "off": _lib.PACE_NUMA_OFF, "require": _lib.PACE_NUMA_REQUIRE}


class BatchReduction(NamedTuple):
    """Per schedule (arrays of float64, one element per schedule): ``final``
    the value at the last step, ``s1`` the sum of the values, ``s2`` the
    annealing area with momentum ``lam`` (pace_batch_reduce)."""

    final: np.ndarray
    s1: np.ndarray
    s2: np.ndarray


def _threads_value(threads: Optional[int]) -> int:
    if threads is None:
        return _lib.PACE_THREADS_AUTO
    if isinstance(threads, bool) or not isinstance(threads, (int, np.integer)):
        raise TypeError("threads must be an int or None, got %s" % type(threads).__name__)
    threads = int(threads)
    if not -(2**63) <= threads < 2**63:
        raise ArgumentError("threads must fit in int64, got %d" % threads)
    return threads


class _Handles:
    """The library handles of a batch's schedules, kept alive for the call:
    pace.Schedule objects are used as they are; specs are parsed into
    temporary schedules, closed by close()."""

    def __init__(self, items: Any):
        if isinstance(items, (Schedule, dict, str, bytes)):
            raise TypeError("give a sequence of schedules or specs (a list), not one %s" % type(items).__name__)
        self.schedules: List[Schedule] = []
        self.owned: List[Schedule] = []
        try:
            for item in items:
                if isinstance(item, Schedule):
                    self.schedules.append(item)
                else:
                    s = Schedule(item)
                    self.owned.append(s)
                    self.schedules.append(s)
            handles = [s._h() for s in self.schedules]
        except BaseException:
            self.close()
            raise
        self.n = len(handles)
        self.array = (_lib.SCHEDULE_P * max(self.n, 1))(*handles)

    def pointer(self):
        return ctypes.cast(self.array, ctypes.POINTER(_lib.SCHEDULE_P))

    def close(self) -> None:
        for s in self.owned:
            s.close()
        self.owned = []

    def __enter__(self) -> "_Handles":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class Engine(OwnedHandle):
    """A libpace batch engine: worker threads grouped per NUMA node, pinned
    to their node's CPUs, with scratch memory on their node.

    ``threads``: worker threads (>= 1), or None for one per CPU of the
    process's affinity mask. ``numa``: ``"auto"`` (libnuma's nodes; one node
    when it reports none), ``"off"`` (one node, no pinning) or ``"require"``
    (:class:`pace.UnsupportedError` without NUMA support). Calls on one engine
    from several threads are serialised by the library. Environment
    variables (PACE_NUMA, PACE_NUMA_SIMULATE) are read here, at creation."""

    __slots__ = ("_handle", "_lock", "__weakref__")
    _free = "pace_engine_free"
    _kind = "pace.Engine"

    def __init__(self, threads: Optional[int] = None, numa: str = "auto"):
        self._handle = None
        self._lock = threading.Lock()
        if numa not in NUMA_MODES:
            raise ArgumentError("numa must be one of %s, got %r" % (", ".join(sorted(NUMA_MODES)), numa))
        options = _lib.EngineOptions(ctypes.sizeof(_lib.EngineOptions), NUMA_MODES[numa], _threads_value(threads))
        handle = _lib.ENGINE_P()
        check(_lib.lib.pace_engine_create(ctypes.byref(options), ctypes.byref(handle)))
        self._handle = handle


    @property
    def info(self) -> Dict[str, Any]:
        """``nodes`` (with workers), ``threads``, ``pinned`` (workers pinned to
        their node's CPUs), ``simulated`` (PACE_NUMA_SIMULATE) and
        ``libnuma`` (libnuma reported the nodes)."""
        out = _lib.EngineInfo()
        out.struct_size = ctypes.sizeof(_lib.EngineInfo)
        check(_lib.lib.pace_engine_get_info(self._h(), ctypes.byref(out)))
        return {"nodes": int(out.nodes), "threads": int(out.threads), "pinned": int(out.pinned),
                "simulated": bool(out.simulated), "libnuma": bool(out.libnuma)}

    def __repr__(self) -> str:
        if self._handle is None:
            return "<pace.Engine (closed)>"
        i = self.info
        return "<pace.Engine threads=%d nodes=%d%s>" % (i["threads"], i["nodes"], " simulated" if i["simulated"] else "")

    def batch(self, schedules: Iterable[Any], start: int, count: int, dtype: Any = np.float64,
              out: Optional[np.ndarray] = None) -> np.ndarray:
        """Values of steps ``start .. start+count-1`` of every schedule (a
        pace.Schedule or a spec) as a ``(len(schedules), count)`` array, row
        i bit-identical to ``schedules[i].values(start, count)``. ``dtype``:
        numpy.float64 or numpy.float32 (each value rounded once). ``out``: an
        existing writable C-contiguous array of that shape and dtype."""
        start = _step_index(start, "start")
        count = _step_index(count, "count")
        with _Handles(schedules) as h:
            if out is None:
                dt = np.dtype(dtype)
                if dt not in (np.dtype(np.float64), np.dtype(np.float32)):
                    raise TypeError("dtype must be numpy.float64 or numpy.float32, got %s" % dt)
                if h.n * count > 2**62:
                    raise ArgumentError("%d x %d values do not fit in memory" % (h.n, count))
                out = np.empty((h.n, count), dtype=dt)
            else:
                if not isinstance(out, np.ndarray):
                    raise TypeError("out must be a numpy array, got %s" % type(out).__name__)
                if out.shape != (h.n, count) or not out.flags.c_contiguous or not out.flags.writeable:
                    raise ValueError("out must be a writable, C-contiguous array of shape (%d, %d), got %s"
                                     % (h.n, count, out.shape))
            if out.dtype == np.float64:
                fn, ptr_type = _lib.lib.pace_batch_fill_f64, _lib.c_double_p
            elif out.dtype == np.float32:
                fn, ptr_type = _lib.lib.pace_batch_fill_f32, _lib.c_float_p
            else:
                raise TypeError("out must have dtype float64 or float32, got %s" % out.dtype)
            ptr = out.ctypes.data_as(ptr_type) if out.size else None
            check(fn(self._h(), h.pointer(), h.n, start, count, ptr, out.size))
        return out

    def batch_reduce(self, schedules: Iterable[Any], start: int, count: int, lam: float = 0.999) -> BatchReduction:
        """Per schedule over steps ``start .. start+count-1`` (count >= 1),
        without building the matrix: the final value, S1 (the sum) and S2
        (momentum ``lam`` in [0, 1)), as float64 arrays."""
        start = _step_index(start, "start")
        count = _step_index(count, "count")
        if isinstance(lam, bool) or not isinstance(lam, (int, float, np.floating, np.integer)):
            raise TypeError("lam must be a number, got %s" % type(lam).__name__)
        with _Handles(schedules) as h:
            final = np.empty(h.n)
            s1 = np.empty(h.n)
            s2 = np.empty(h.n)
            ptrs = [a.ctypes.data_as(_lib.c_double_p) if h.n else None for a in (final, s1, s2)]
            check(_lib.lib.pace_batch_reduce(self._h(), h.pointer(), h.n, start, count, float(lam), *ptrs))
        return BatchReduction(final, s1, s2)


_engines: Dict[int, Engine] = {}
_engines_pid = os.getpid()
_engines_lock = threading.Lock()


def _engine(threads: Optional[int]) -> Engine:
    global _engines_pid
    key = _threads_value(threads)
    with _engines_lock:
        if _engines_pid != os.getpid():
            # A forked child: the parent's workers are not here (the library
            # refuses to use those engines); start new ones.
            _engines.clear()
            _engines_pid = os.getpid()
        engine = _engines.get(key)
        if engine is None or engine.closed:
            engine = Engine(threads)
            _engines[key] = engine
        return engine


def batch(specs_or_schedules: Iterable[Any], start: int, count: int, dtype: Any = np.float64,
          threads: Optional[int] = None) -> np.ndarray:
    """Values of steps ``start .. start+count-1`` of every schedule (a
    pace.Schedule or a spec: dict, JSON text, path) as a new
    ``(len(specs_or_schedules), count)`` numpy array, computed in parallel by
    libpace (pace_batch_fill_f64 / _f32); row i is bit-identical to
    ``Schedule(spec_i).values(start, count, dtype)``. ``threads``: worker
    threads (None: every CPU of the process's affinity mask)."""
    return _engine(threads).batch(specs_or_schedules, start, count, dtype=dtype)


def batch_reduce(specs_or_schedules: Iterable[Any], start: int, count: int, lam: float = 0.999,
                 threads: Optional[int] = None) -> BatchReduction:
    """Per schedule over steps ``start .. start+count-1`` (count >= 1),
    without building the matrix (pace_batch_reduce): ``final`` (the last
    value), ``s1`` (the sum of the values) and ``s2`` (the annealing area
    ``sum_{k>=2} m_k``, ``m_k = lam m_{k-1} + (eta_{k-1} - eta_k)``), each a
    float64 array with one element per schedule."""
    return _engine(threads).batch_reduce(specs_or_schedules, start, count, lam=lam)
