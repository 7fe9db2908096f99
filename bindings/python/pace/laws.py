"""pace.laws: loss-curve laws (the annealing law of Tissue et al. 2024 and the
multi-power law of Luo et al. 2025) through libpace (include/pace.h,
docs/laws.md)::

    from pace import laws
    law = laws.Law.fit("multi_power", [(spec, steps, losses), ...])
    law.params                      # {"L0": ..., "A": ..., ...}
    law.predict(other_spec, [1000, 2000])
    text = law.save(); laws.Law.load(text)
    best = law.search(budget=24000, peak=3e-4)

A schedule is a spec (dict, JSON text, or a path to a .json file) or a
per-step LR array (a sequence or numpy array of floats). Curves are
``(schedule, steps, losses)`` tuples or dicts with those keys.
"""

from __future__ import annotations

import ctypes
import json
import math
import os
import threading
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple, Union

import numpy as np

from . import _lib
from ._handle import OwnedHandle
from ._sized import read_str as _text
from .errors import ArgumentError, check
from .schedule import Schedule, _spec_bytes, _step_index

__all__ = ["Law", "s1", "s2", "loss_drop", "KINDS", "WARMUP_MODES", "FAMILIES"]

_lib_handle = _lib.lib


# Integer arguments: no bools, no floats, range-checked here because ctypes
# would wrap values beyond int64 silently (the check pace.Schedule uses).
_integer = _step_index


def _real(value: Any, what: str) -> float:
    """A real argument: an int or float (no bools, no strings); finite."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError("%s must be a number, got %s" % (what, type(value).__name__))
    x = float(value)
    if not math.isfinite(x):
        raise ArgumentError("%s must be finite, got %r" % (what, x))
    return x


def _integer_array(values: Any, what: str) -> np.ndarray:
    """Steps as a contiguous int64 array: integers, or floats holding
    integers; a fraction, a non-finite value, a bool or a value beyond int64
    is an error, never truncated or wrapped."""
    arr = np.asarray(list(values) if not isinstance(values, np.ndarray) else values)
    if arr.dtype.kind == "b":
        raise TypeError("%s must be integers, got bools" % what)
    if arr.dtype.kind == "u":
        if arr.size and int(arr.max()) > _lib.INT64_MAX:
            raise ArgumentError("%s must fit in int64, got %d" % (what, int(arr.max())))
    elif arr.dtype.kind == "f":
        if not np.all(np.isfinite(arr)) or np.any(arr != np.round(arr)):
            raise ArgumentError("%s must be integers, got a fraction or a non-finite value" % what)
        if arr.size and (arr.max() >= 2.0**63 or arr.min() < -(2.0**63)):
            raise ArgumentError("%s must fit in int64" % what)
    elif arr.dtype.kind == "O":
        return np.ascontiguousarray([_integer(v, what + " item") for v in arr.ravel()],
                                    dtype=np.int64).reshape(arr.shape)
    elif arr.dtype.kind != "i":
        raise TypeError("%s must be integers, got %s" % (what, arr.dtype))
    return np.ascontiguousarray(arr, dtype=np.int64)


class LawStruct(ctypes.Structure):
    """Opaque ``struct pace_law``."""


LAW_P = ctypes.POINTER(LawStruct)


class LRInput(ctypes.Structure):
    """``pace_lr_input``."""

    _fields_ = [("spec_json", ctypes.c_char_p), ("lrs", ctypes.POINTER(ctypes.c_double)),
                ("count", ctypes.c_int64), ("warmup_steps", ctypes.c_int64)]


class LawCurve(ctypes.Structure):
    """``pace_law_curve``."""

    _fields_ = [("lr", LRInput), ("steps", ctypes.POINTER(ctypes.c_int64)),
                ("losses", ctypes.POINTER(ctypes.c_double)), ("n", ctypes.c_int64)]


class FitOptions(ctypes.Structure):
    """``pace_fit_options``."""

    _fields_ = [("struct_size", ctypes.c_uint32), ("warmup", ctypes.c_uint32), ("method", ctypes.c_uint32),
                ("fit_lambda", ctypes.c_uint32), ("lambda_", ctypes.c_double), ("huber_delta", ctypes.c_double),
                ("max_iterations", ctypes.c_int64)]


class SearchOptions(ctypes.Structure):
    """``pace_search_options``."""

    _fields_ = [("struct_size", ctypes.c_uint32), ("families", ctypes.c_uint32), ("budget", ctypes.c_int64),
                ("peak", ctypes.c_double), ("warmup_steps", ctypes.c_int64)]


class RunLog(ctypes.Structure):
    """``pace_run_log``: a run as logged (CSV text, or rows of step, lr, loss)."""

    _fields_ = [("struct_size", ctypes.c_uint32), ("reserved", ctypes.c_uint32), ("csv", ctypes.c_char_p),
                ("steps", ctypes.POINTER(ctypes.c_int64)), ("lrs", ctypes.POINTER(ctypes.c_double)),
                ("losses", ctypes.POINTER(ctypes.c_double)), ("n", ctypes.c_int64), ("lr", LRInput)]


_st = _lib.c_status
_i64 = ctypes.c_int64
_u32 = ctypes.c_uint32
_dp = ctypes.POINTER(ctypes.c_double)
_szp = ctypes.POINTER(ctypes.c_size_t)
_LRP = ctypes.POINTER(LRInput)
_SOP = ctypes.POINTER(SearchOptions)

#: The functions of include/pace.h's laws section (name -> (restype, argtypes)).
FUNCTIONS = {
    "pace_law_fit": (_st, [_u32, ctypes.POINTER(LawCurve), _i64, ctypes.POINTER(FitOptions), ctypes.POINTER(LAW_P)]),
    "pace_law_create": (_st, [_u32, _dp, _i64, _u32, ctypes.POINTER(LAW_P)]),
    "pace_law_free": (None, [LAW_P]),
    "pace_law_kind": (_st, [LAW_P, ctypes.POINTER(_u32)]),
    "pace_law_params": (_st, [LAW_P, _dp, _i64, ctypes.POINTER(_i64)]),
    "pace_law_param_name": (_st, [LAW_P, _i64, ctypes.c_char_p, ctypes.c_size_t, _szp]),
    "pace_law_fit_report": (_st, [LAW_P, ctypes.c_char_p, ctypes.c_size_t, _szp]),
    "pace_law_predict": (_st, [LAW_P, _LRP, ctypes.POINTER(_i64), _i64, _dp]),
    "pace_law_final_loss": (_st, [LAW_P, _LRP, _dp]),
    "pace_law_save": (_st, [LAW_P, ctypes.c_char_p, ctypes.c_size_t, _szp]),
    "pace_law_load": (_st, [ctypes.c_char_p, ctypes.POINTER(LAW_P)]),
    "pace_law_fit_interval": (_st, [_u32, ctypes.POINTER(LawCurve), _i64, ctypes.POINTER(FitOptions),
                                    ctypes.POINTER(LAW_P)]),
    "pace_law_predict_interval": (_st, [LAW_P, _LRP, ctypes.POINTER(_i64), _i64, ctypes.c_double, _dp, _dp, _dp]),
    "pace_functional_s1": (_st, [_LRP, _u32, _dp, _i64]),
    "pace_functional_s2": (_st, [_LRP, _u32, ctypes.c_double, _dp, _i64]),
    "pace_functional_ld": (_st, [_LRP, _u32, ctypes.c_double, ctypes.c_double, ctypes.c_double, _dp, _i64]),
    "pace_law_search": (_st, [LAW_P, _SOP, ctypes.c_char_p, ctypes.c_size_t, _szp, _dp, ctypes.POINTER(_i64)]),
    "pace_law_search_free_form": (_st, [LAW_P, _SOP, _i64, _dp, _i64, _dp]),
    "pace_law_fit_runs": (_st, [_u32, ctypes.POINTER(RunLog), _i64, ctypes.POINTER(FitOptions), ctypes.POINTER(_i64),
                                ctypes.POINTER(LAW_P)]),
}
_lib.FUNCTIONS.update(FUNCTIONS)
_lib.declare(_lib.lib, _lib.library_path)

# The names and codes are the library's (pace_names_json): never restated here.
_NAMES = _lib.NAMES
KINDS = {name: kind["value"] for name, kind in _NAMES["law_kinds"].items()}
WARMUP_MODES = {None: _NAMES["warmup_modes"]["default"], **_NAMES["warmup_modes"]}
FAMILIES = dict(_NAMES["search_families"])
_METHODS = dict(_NAMES["fit_methods"])
# The method name whose code means "the law's cross-validated default" (PACE_FIT_AUTO).
_AUTO_METHOD = "auto"
_PARAMS = {name: list(kind["params"]) for name, kind in _NAMES["law_kinds"].items()}
# Every spelling the library accepts for a kind (lowercase) -> its code.
_KIND_NAMES = {spelling: kind["value"] for kind in _NAMES["law_kinds"].values() for spelling in kind["names"]}

# pace_law_search's text fits in this many bytes (include/pace.h).
_SEARCH_TEXT_BOUND = 4096

ScheduleLike = Union[Dict[str, Any], str, bytes, "os.PathLike[str]", Sequence[float], np.ndarray]


def _kind(kind: str) -> int:
    """The PACE_LAW_* code of a kind name: any spelling the library accepts
    (pace_names_json "names"), in any case."""
    code = _KIND_NAMES.get(str(kind).lower())
    if code is None:
        raise ArgumentError("kind must be one of %s, got %r" % (", ".join(repr(k) for k in _KIND_NAMES), kind))
    return code


def _warmup(mode: Optional[str]) -> int:
    if mode not in WARMUP_MODES:
        raise ArgumentError("warmup must be None, 'sum', 'peak' or 'raw', got %r" % (mode,))
    return WARMUP_MODES[mode]


class _Input:
    """A pace_lr_input and the buffers it points into (kept alive)."""

    def __init__(self, schedule: ScheduleLike, count: Optional[int] = None, warmup_steps: Optional[int] = None):
        self.spec = None
        self.array = None
        if isinstance(schedule, (np.ndarray, list, tuple)):
            self.array = np.ascontiguousarray(schedule, dtype=np.float64)
            if self.array.ndim != 1 or self.array.size == 0:
                raise ArgumentError("an LR array must be 1-D and non-empty")
            if count is not None and _integer(count, "count") != self.array.size:
                raise ArgumentError("count %d differs from the LR array's length %d" % (count, self.array.size))
            n = self.array.size
            lrs = self.array.ctypes.data_as(_dp)
        else:
            self.spec = _spec_bytes(schedule)
            n = 0 if count is None else _integer(count, "count")
            lrs = None
        w = -1 if warmup_steps is None else _integer(warmup_steps, "warmup_steps")
        self.struct = LRInput(self.spec, lrs, n, w)

    def count(self) -> int:
        if self.array is not None:
            return int(self.array.size)
        if self.struct.count > 0:
            return int(self.struct.count)
        with Schedule(self.spec) as s:
            if s.total_steps is None:
                raise ArgumentError("the schedule is open-ended: give count")
            return int(s.total_steps)


def _functional(fn, schedule, warmup, count, warmup_steps, *extra) -> np.ndarray:
    inp = _Input(schedule, count, warmup_steps)
    n = inp.count()
    out = np.empty(n, dtype=np.float64)
    check(fn(ctypes.byref(inp.struct), _warmup(warmup), *extra, out.ctypes.data_as(_dp), n))
    return out


def s1(schedule: ScheduleLike, warmup: Optional[str] = "raw", count: Optional[int] = None,
       warmup_steps: Optional[int] = None) -> np.ndarray:
    """S1(t) = sum_{i=1}^{t} eta_i at every step (warmup 'peak' counts the peak for warmup LRs)."""
    return _functional(_lib_handle.pace_functional_s1, schedule, warmup, count, warmup_steps)


def s2(schedule: ScheduleLike, lam: float = 0.999, warmup: Optional[str] = "raw", count: Optional[int] = None,
       warmup_steps: Optional[int] = None) -> np.ndarray:
    """The annealing area S2 with momentum ``lam`` at every step."""
    return _functional(_lib_handle.pace_functional_s2, schedule, warmup, count, warmup_steps, _real(lam, "lam"))


def loss_drop(schedule: ScheduleLike, C: float, beta: float, gamma: float, warmup: Optional[str] = "raw",
              count: Optional[int] = None, warmup_steps: Optional[int] = None) -> np.ndarray:
    """The multi-power law's LD(t) at every step, O(T) (exponential-sum kernel)."""
    return _functional(_lib_handle.pace_functional_ld, schedule, warmup, count, warmup_steps,
                       _real(C, "C"), _real(beta, "beta"), _real(gamma, "gamma"))


def _columns(c) -> Optional[Dict[str, Any]]:
    """The columns of a mapping (or a pandas DataFrame) by lower-case name;
    None for anything else."""
    if isinstance(c, (str, bytes, os.PathLike, tuple, list)) or not hasattr(c, "keys"):
        return None
    return {str(k).lower(): c[k] for k in c.keys()}


def _curve(c) -> Optional[Tuple[Any, np.ndarray, np.ndarray, Optional[int]]]:
    """A curve with a schedule: (schedule, steps, losses, warmup_steps);
    None for a run whose LRs are logged at its rows (or CSV)."""
    columns = _columns(c)
    if columns is not None:
        w = columns.get("warmup_steps")
        if "schedule" in columns:
            return (columns["schedule"], np.asarray(columns.get("steps", columns.get("step"))),
                    np.asarray(columns.get("losses", columns.get("loss"))), w)
        if "step" not in columns and "loss" in columns and "lr" in columns:
            losses = np.asarray(columns["loss"])  # per-step arrays: row i is step i
            return columns["lr"], np.arange(losses.size), losses, w
        return None
    if isinstance(c, (str, bytes, os.PathLike)):
        return None
    schedule, steps, losses = c[:3]
    return schedule, np.asarray(steps), np.asarray(losses), None


def _run(c) -> Tuple[RunLog, List[Any]]:
    """A run logged with its LRs at its rows, as a pace_run_log (and the
    buffers it points into): CSV text or bytes, a path to a CSV file, or
    columns step, loss and optionally lr (or learning_rate)."""
    columns = _columns(c)
    if columns is None:
        if isinstance(c, bytes):
            text = c
        elif isinstance(c, str) and "\n" in c:
            text = c.encode("utf-8")
        elif isinstance(c, (str, os.PathLike)):
            with open(c, "rb") as f:
                text = f.read()
        else:
            raise TypeError("a curve is (schedule, steps, losses), a dict or DataFrame of columns, CSV text "
                            "or a CSV path, got %s" % type(c).__name__)
        return RunLog(ctypes.sizeof(RunLog), 0, text, None, None, None, 0, LRInput(None, None, 0, -1)), [text]
    if "step" not in columns or "loss" not in columns:
        raise ArgumentError("a run's columns must include 'step' and 'loss' (and 'lr'), or 'lr' and 'loss' "
                            "per step, or 'schedule', 'steps' and 'losses'; got %s" % sorted(columns))
    steps = _integer_array(columns["step"], "step")
    losses = np.ascontiguousarray(columns["loss"], dtype=np.float64)
    lr = columns.get("lr", columns.get("learning_rate"))
    lrs = None if lr is None else np.ascontiguousarray(lr, dtype=np.float64)
    if steps.ndim != 1 or losses.shape != steps.shape or (lrs is not None and lrs.shape != steps.shape):
        raise ArgumentError("step, lr and loss must be 1-D of the same length, got %s, %s and %s"
                            % (steps.shape, None if lrs is None else lrs.shape, losses.shape))
    w = columns.get("warmup_steps")
    log = RunLog(ctypes.sizeof(RunLog), 0, None, steps.ctypes.data_as(ctypes.POINTER(ctypes.c_int64)),
                 None if lrs is None else lrs.ctypes.data_as(_dp), losses.ctypes.data_as(_dp), steps.size,
                 LRInput(None, None, 0, -1 if w is None else _integer(w, "warmup_steps")))
    return log, [steps, losses, lrs]


class Law(OwnedHandle):
    """A loss-curve law and its parameters (immutable; thread-safe). The
    handle is freed by :meth:`close`, by leaving a ``with`` block, or when the
    object is garbage-collected."""

    __slots__ = ("_handle", "_lock", "__weakref__")
    _free = "pace_law_free"
    _kind = "pace.laws.Law"

    def __init__(self, _handle=None):
        if _handle is None:
            raise TypeError("use Law.fit, Law.create or Law.load")
        self._handle = _handle
        self._lock = threading.Lock()

    # -- construction ----------------------------------------------------------

    @classmethod
    def fit(cls, kind: str, curves: Iterable, *, method: Optional[str] = None, warmup: Optional[str] = None,
            fit_lambda: bool = True, lam: Optional[float] = None, huber_delta: Optional[float] = None,
            max_iterations: Optional[int] = None, interval: bool = False) -> "Law":
        """Fits ``kind`` jointly to curves, each in the form a trainer has it:

        - ``(schedule, steps, losses)``: a spec or per-step LR array, and
          the losses logged at ``steps`` (or a dict with those keys);
        - ``{"lr": per_step_lrs, "loss": per_step_losses}``: per-step
          arrays, NaN where the loss was not logged;
        - ``{"step": ..., "lr": ..., "loss": ...}`` (or a pandas DataFrame
          with those columns, any case; ``learning_rate`` for ``lr``): rows
          logged every k steps or irregularly, the LR linear between rows
          and linear from 0 before the first (docs/laws.md);
        - a CSV file's path, or CSV text, with columns step, lr, loss.

        NaN losses (not logged) and losses at step 0 are skipped; a dict
        may add ``"warmup_steps"``.

        ``method`` ('lm', 'adam' or 'auto'), ``warmup`` ('raw', 'sum',
        'peak') and ``huber_delta``: None (default) is the law's
        cross-validated default fit, chosen by the library (multi_power:
        adam, or lm when the recipe leaves the law's domain; annealing: lm,
        lambda fitted; both warmup sum, delta 1e-2; docs/laws.md, "Choosing
        the default fit"). ``report`` names the method and warmup used.

        ``interval=True`` also calibrates a prediction interval (for
        :meth:`predict_interval`) by leave-one-curve-out cross-validation:
        one more fit per curve (needs >= 2 curves; docs/laws.md).

        Raises ArgumentError / SpecError for bad curves and NumericError
        (message: the parameters reached) when the fit does not converge."""
        keep = []
        items = []
        curves = list(curves)
        forms = [_curve(c) for c in curves]
        # Runs whose LRs are logged at their rows (or CSV) go through pace_law_fit_runs.
        logged = any(f is None for f in forms)
        if logged and interval:
            raise ArgumentError("interval=True needs curves with their schedule or per-step LRs, "
                                "not LRs logged at rows or CSV")
        for c, form in zip(curves, forms):
            if form is None:
                log, buffers = _run(c)
                keep.append(buffers)
                items.append(log)
                continue
            schedule, steps, losses, w = form
            steps = _integer_array(steps, "steps")
            losses = np.ascontiguousarray(losses, dtype=np.float64)
            if steps.ndim != 1 or steps.shape != losses.shape:
                raise ArgumentError("steps and losses must be 1-D of the same length, got %s and %s"
                                    % (steps.shape, losses.shape))
            inp = _Input(schedule, None, w)
            keep.append((inp, steps, losses))
            pointers = (steps.ctypes.data_as(ctypes.POINTER(ctypes.c_int64)), losses.ctypes.data_as(_dp))
            items.append(RunLog(ctypes.sizeof(RunLog), 0, None, pointers[0], None, pointers[1], steps.size, inp.struct)
                         if logged else LawCurve(inp.struct, pointers[0], pointers[1], steps.size))
        if not items:
            raise ArgumentError("no curves to fit")
        if method is None:
            method = _AUTO_METHOD
        if method not in _METHODS:
            raise ArgumentError("method must be None, %s, got %r" % (", ".join(repr(m) for m in _METHODS), method))
        opts = FitOptions(ctypes.sizeof(FitOptions), _warmup(warmup), _METHODS[method], 1 if fit_lambda else 0,
                          0.0 if lam is None else _real(lam, "lam"),
                          0.0 if huber_delta is None else _real(huber_delta, "huber_delta"),
                          0 if max_iterations is None else _integer(max_iterations, "max_iterations"))
        handle = LAW_P()
        if logged:
            skipped = ctypes.c_int64()
            check(_lib_handle.pace_law_fit_runs(_kind(kind), (RunLog * len(items))(*items), len(items),
                                                ctypes.byref(opts), ctypes.byref(skipped), ctypes.byref(handle)))
            return cls(handle)
        arr = (LawCurve * len(items))(*items)
        if not isinstance(interval, bool):
            raise TypeError("interval must be True or False, got %s" % type(interval).__name__)
        fit_fn = _lib_handle.pace_law_fit_interval if interval else _lib_handle.pace_law_fit
        check(fit_fn(_kind(kind), arr, len(items), ctypes.byref(opts), ctypes.byref(handle)))
        return cls(handle)

    @classmethod
    def create(cls, kind: str, params: Union[Dict[str, float], Sequence[float]], warmup: Optional[str] = None) -> "Law":
        """A law from parameters (a dict by name, or values in the law's order)."""
        k = _kind(kind)
        name = [n for n, v in KINDS.items() if v == k][0]
        if isinstance(params, dict):
            unknown = set(params) - set(_PARAMS[name])
            if unknown:
                raise ArgumentError("%s has no parameter %s" % (name, sorted(unknown)[0]))
            missing = [p for p in _PARAMS[name] if p not in params]
            if missing:
                raise ArgumentError("%s: parameter %s is missing" % (name, missing[0]))
            values = [_real(params[p], "params[%r]" % p) for p in _PARAMS[name]]
        else:
            values = [_real(v, "params[%d]" % i) for i, v in enumerate(params)]
        arr = (ctypes.c_double * len(values))(*values)
        handle = LAW_P()
        check(_lib_handle.pace_law_create(k, arr, len(values), _warmup(warmup), ctypes.byref(handle)))
        return cls(handle)

    @classmethod
    def load(cls, source: Union[str, bytes, "os.PathLike[str]"]) -> "Law":
        """Reads text written by :meth:`save` (or a path to a file holding it)."""
        if isinstance(source, bytes):
            data = source
        elif isinstance(source, str) and source.lstrip().startswith("{"):
            data = source.encode("utf-8")
        else:
            with open(source, "rb") as f:
                data = f.read()
        handle = LAW_P()
        check(_lib_handle.pace_law_load(data, ctypes.byref(handle)))
        return cls(handle)

    # -- reading ------------------------------------------------------------------

    @property
    def kind(self) -> str:
        k = ctypes.c_uint32()
        check(_lib_handle.pace_law_kind(self._h(), ctypes.byref(k)))
        return [n for n, v in KINDS.items() if v == k.value][0]

    @property
    def params(self) -> Dict[str, float]:
        count = ctypes.c_int64()
        names = _PARAMS[self.kind]
        out = (ctypes.c_double * len(names))()
        check(_lib_handle.pace_law_params(self._h(), out, len(names), ctypes.byref(count)))
        names = [_text(_lib_handle.pace_law_param_name, self._h(), i) for i in range(count.value)]
        return {n: out[i] for i, n in enumerate(names)}

    @property
    def report(self) -> Dict[str, Any]:
        """The fit report ({} for a law that was not fitted)."""
        return json.loads(_text(_lib_handle.pace_law_fit_report, self._h()))

    def save(self, path: Optional[Union[str, "os.PathLike[str]"]] = None) -> str:
        """The law as JSON text (format 'pace-law', version 2: with its length, a CRC-32 and the fit
        report, see docs/laws.md); also written to ``path`` if given."""
        text = _text(_lib_handle.pace_law_save, self._h())
        if path is not None:
            with open(path, "w") as f:
                f.write(text + "\n")
        return text

    def __repr__(self) -> str:
        if self._handle is None:
            return "<pace.laws.Law closed>"
        return "<pace.laws.Law %s %s>" % (self.kind, " ".join("%s=%.6g" % kv for kv in self.params.items()))

    # -- prediction -----------------------------------------------------------------

    def predict(self, schedule: ScheduleLike, steps: Iterable[int], count: Optional[int] = None,
                warmup_steps: Optional[int] = None, interval: Optional[float] = None):
        """Predicted losses at ``steps`` (each >= 1, inside the schedule).

        With ``interval=LEVEL`` (0 < LEVEL < 1): ``(loss, lower, upper)``, as
        :meth:`predict_interval`."""
        if interval is not None:
            return self.predict_interval(schedule, steps, level=interval, count=count, warmup_steps=warmup_steps)
        st = _integer_array(steps, "steps")
        inp = _Input(schedule, count, warmup_steps)
        out = np.empty(st.size, dtype=np.float64)
        check(_lib_handle.pace_law_predict(self._h(), ctypes.byref(inp.struct),
                                           st.ctypes.data_as(ctypes.POINTER(ctypes.c_int64)), st.size,
                                           out.ctypes.data_as(_dp)))
        return out

    def predict_interval(self, schedule: ScheduleLike, steps: Iterable[int], level: float = 0.9,
                         count: Optional[int] = None,
                         warmup_steps: Optional[int] = None) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(loss, lower, upper)`` at ``steps``: the prediction and its
        interval at ``level`` (0 < level < 1), calibrated by leave-one-curve-out
        cross-validation (``Law.fit(..., interval=True)``); lower <= loss <=
        upper. A law without a calibrated interval raises ArgumentError."""
        st = _integer_array(steps, "steps")
        inp = _Input(schedule, count, warmup_steps)
        out, lower, upper = (np.empty(st.size, dtype=np.float64) for _ in range(3))
        check(_lib_handle.pace_law_predict_interval(self._h(), ctypes.byref(inp.struct),
                                                    st.ctypes.data_as(ctypes.POINTER(ctypes.c_int64)), st.size,
                                                    _real(level, "level"), out.ctypes.data_as(_dp),
                                                    lower.ctypes.data_as(_dp), upper.ctypes.data_as(_dp)))
        return out, lower, upper

    @property
    def interval(self) -> Optional[Dict[str, Any]]:
        """The calibrated prediction interval as saved ({"method", "curves",
        "points", "log_residual_quantiles"}), or None."""
        return json.loads(self.save())["law"].get("interval")

    def final_loss(self, schedule: ScheduleLike, count: Optional[int] = None,
                   warmup_steps: Optional[int] = None) -> float:
        """The predicted loss at the schedule's last step (exact, O(T))."""
        inp = _Input(schedule, count, warmup_steps)
        out = ctypes.c_double()
        check(_lib_handle.pace_law_final_loss(self._h(), ctypes.byref(inp.struct), ctypes.byref(out)))
        return out.value

    # -- search -----------------------------------------------------------------------

    @staticmethod
    def _search_options(budget, peak, warmup, families) -> SearchOptions:
        bits = 0
        for f in families or []:
            if f not in FAMILIES:
                raise ArgumentError("unknown family %r (wsd, cosine, rex, uba, linear)" % (f,))
            bits |= FAMILIES[f]
        return SearchOptions(ctypes.sizeof(SearchOptions), bits, _integer(budget, "budget"), _real(peak, "peak"),
                             -1 if warmup is None else _integer(warmup, "warmup"))

    def search(self, budget: int, peak: float, warmup: Optional[int] = None,
               families: Optional[Sequence[str]] = None) -> Dict[str, Any]:
        """The family member with the lowest predicted final loss:
        {"spec": dict, "final_loss": float, "evaluated": int}."""
        opts = self._search_options(budget, peak, warmup, families)
        loss = ctypes.c_double()
        evaluated = ctypes.c_int64()
        # One search normally: the first buffer has the documented bound
        # (4096 bytes); a longer text is read again at its size, never cut.
        text = _text(_lib_handle.pace_law_search, self._h(), ctypes.byref(opts),
                     after=(ctypes.byref(loss), ctypes.byref(evaluated)), cap=_SEARCH_TEXT_BOUND)
        return {"spec": json.loads(text), "final_loss": loss.value, "evaluated": evaluated.value}

    def search_free_form(self, budget: int, peak: float, warmup: Optional[int] = None,
                         iterations: int = 2000) -> Tuple[np.ndarray, float]:
        """A non-increasing per-step schedule after the warmup minimising the
        predicted final loss (projected gradient): (rates, final_loss)."""
        opts = self._search_options(budget, peak, warmup, None)
        rates = np.empty(opts.budget, dtype=np.float64)
        loss = ctypes.c_double()
        check(_lib_handle.pace_law_search_free_form(self._h(), ctypes.byref(opts), _integer(iterations, "iterations"),
                                                    rates.ctypes.data_as(_dp), rates.size, ctypes.byref(loss)))
        return rates, loss.value
