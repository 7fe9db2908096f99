"""pace.data: which samples go into each batch (docs/data.md).

A :class:`Sampler` gives, for every optimizer step, the global batch of
sample indices in ``[0, N)`` and each data-parallel rank's contiguous slice
of it, as a pure function of (config, per-sample arrays, step)::

    import pace.data
    s = pace.data.Sampler({"size": 50_000, "global_batch": 256, "seed": 7,
                           "policy": {"kind": "uniform"}})
    idx = s.batch(step, rank=r, world_size=w)        # numpy int64, 256 // w indices

    # competence curriculum: the ceil(c(t) * N) easiest samples are eligible at step t
    s = pace.data.Sampler({"size": n, "global_batch": 64, "seed": 0,
                           "policy": {"kind": "competence", "pacing": "sqrt", "total_steps": 1000,
                                      "c0": 0.01}},
                          scores=difficulty)

    # PUDF: IRT difficulties from an artificial crowd, ability reported during training
    b = pace.data.irt_fit(crowd_responses)            # (models, items) of 0/1 -> item difficulties
    theta = pace.data.irt_ability(b_probe, right_or_wrong_pm1)
    s.report_ability(step, theta)

The library copies the arrays it needs at creation: ``scores`` (float64,
passed without a copy when it already is a C-contiguous float64 array) and
``domains`` (int32 ids in [0, 65535], likewise). ``state_dict()`` holds the
config and, for the ``ability`` policy, the reported abilities (versioned,
checksummed bytes); :meth:`Sampler.from_state_dict` needs the same arrays
again (their fingerprint is checked).

Every argument is checked before it reaches the library: steps, ranks and
world sizes must be Python or numpy integers (no bools, no floats) that fit
in int64; bad values raise :class:`pace.ArgumentError` (a ``ValueError``),
wrong types ``TypeError``, a rejected config :class:`pace.SpecError` naming
the JSON field. This module imports numpy only.
"""

from __future__ import annotations

import ctypes
import json
import math
import os
import threading
from typing import Any, Dict, Optional, Tuple, Union

import numpy as np

from . import _lib
from ._handle import OwnedHandle
from ._sized import read
from .errors import ArgumentError, SpecError, StateError, check
from .laws import _integer
from .schedule import _spec_bytes

__all__ = ["Sampler", "irt_fit", "irt_ability", "STATE_FORMAT"]

ConfigLike = Union[Dict[str, Any], str, bytes, "os.PathLike[str]"]

#: The ``format`` entry of :meth:`Sampler.state_dict`.
STATE_FORMAT = "pace.data.Sampler/1"

_INT32_MIN, _INT32_MAX = -(2**31), 2**31 - 1


# ---------------------------------------------------------------------------
# Argument checks


def _finite(value: Any, what: str) -> float:
    if isinstance(value, (bool, np.bool_)):
        raise TypeError("%s must be a number, got a bool" % what)
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise TypeError("%s must be a number, got %s" % (what, type(value).__name__)) from None
    if not math.isfinite(x):
        raise ArgumentError("%s must be a finite number, got %r" % (what, x))
    return x


def _config_bytes(config: Any) -> bytes:
    """UTF-8 JSON text of a config: a dict, JSON text (str/bytes) or a path
    to a .json file (pace.Schedule's reader, its messages naming the config)."""
    try:
        return _spec_bytes(config)
    except (SpecError, TypeError) as exc:
        raise type(exc)(str(exc).replace("the spec", "the sampler config").replace("spec must", "config must")) from None


def _config_size(data: bytes) -> int:
    """The config's ``size`` when it is a usable integer, else 0 (the library
    then names the field in its error)."""
    try:
        size = json.loads(data.decode("utf-8")).get("size")
    except (ValueError, UnicodeDecodeError, AttributeError):
        return 0
    if isinstance(size, int) and not isinstance(size, bool) and 0 <= size <= _lib.INT64_MAX:
        return size
    return 0


def _vector(values: Any, what: str) -> np.ndarray:
    arr = values if isinstance(values, np.ndarray) else np.asarray(values)
    if arr.ndim != 1:
        raise ArgumentError("%s must be one-dimensional, got shape %s" % (what, arr.shape))
    return arr


def _scores_array(scores: Any) -> np.ndarray:
    """scores as a C-contiguous float64 vector (no copy when it already is one)."""
    arr = _vector(scores, "scores")
    if arr.dtype.kind not in "fiu":
        raise TypeError("scores must be numbers (float64), got dtype %s" % arr.dtype)
    return np.ascontiguousarray(arr, dtype=np.float64)


def _domains_array(domains: Any) -> np.ndarray:
    """domains as a C-contiguous int32 vector (no copy when it already is
    one); other integer dtypes are range-checked before the cast."""
    arr = _vector(domains, "domains")
    if arr.dtype == np.int32:
        return np.ascontiguousarray(arr)
    if arr.dtype.kind not in "iu":
        raise TypeError("domains must be integers (int32 domain ids), got dtype %s" % arr.dtype)
    if arr.size and (int(arr.min()) < _INT32_MIN or int(arr.max()) > _INT32_MAX):
        raise ArgumentError("domains: ids must be in [0, 65535], got values in [%d, %d]"
                            % (int(arr.min()), int(arr.max())))
    return np.ascontiguousarray(arr, dtype=np.int32)


def _arrays(scores: Any, domains: Any, data: bytes):
    """(scores pointer, domains pointer, n, keep-alive arrays) for create/load."""
    s = None if scores is None else _scores_array(scores)
    d = None if domains is None else _domains_array(domains)
    if s is not None and d is not None and s.shape[0] != d.shape[0]:
        raise ArgumentError("scores and domains must have the same length, got %d and %d"
                            % (s.shape[0], d.shape[0]))
    if s is not None:
        n = int(s.shape[0])
    elif d is not None:
        n = int(d.shape[0])
    else:
        n = _config_size(data)
    sp = s.ctypes.data_as(_lib.c_double_p) if s is not None and n else None
    dp = d.ctypes.data_as(_lib.c_int32_p) if d is not None and n else None
    return sp, dp, n, (s, d)


# ---------------------------------------------------------------------------
# The sampler


class Sampler(OwnedHandle):
    """A batch sampler (include/pace.h, ``pace_sampler``; docs/data.md).

    ``config``: a dict, JSON text or a path to a JSON file with the keys
    ``size`` (N), ``global_batch`` (an int, or ``[[first_step, size], ...]``
    ramp-up segments), ``seed``, ``policy`` (``{"kind": "uniform" |
    "competence" | "ability" | "weighted" | "ordered", ...}``) and optionally
    ``mixture`` (``{"weights": [...]}``). ``scores``: the per-sample values
    the policy reads (difficulty, IRT difficulty, quality rating or ordering
    score), length N. ``domains``: per-sample domain ids for a mixture or
    per-domain budgets, length N.

    Queries are pure functions of the step and cost O(batch) (uniform:
    O(1) memory whatever N); only :meth:`report_ability` changes the
    sampler. Use one sampler from one thread at a time while reporting
    abilities; queries alone may run from several threads.
    """

    __slots__ = ("_handle", "_lock", "_size", "__weakref__")
    _free = "pace_sampler_free"
    _kind = "pace.data.Sampler"

    def __init__(self, config: ConfigLike, scores: Any = None, domains: Any = None):
        self._handle = None
        self._lock = threading.Lock()
        data = _config_bytes(config)
        sp, dp, n, keep = _arrays(scores, domains, data)
        handle = _lib.SAMPLER_P()
        check(_lib.lib.pace_sampler_create(data, sp, dp, n, ctypes.byref(handle)))
        del keep
        self._adopt(handle, n)

    def _adopt(self, handle, n: int) -> None:
        if not handle:
            raise RuntimeError("libpace returned PACE_OK without a sampler")
        self._handle = handle
        self._size = n

    @property
    def size(self) -> int:
        """N, the number of samples."""
        self._h()
        return self._size

    # -- queries ----------------------------------------------------------------

    def _int_query(self, fn, step: Any) -> int:
        n = _integer(step, "step")
        out = ctypes.c_int64()
        check(fn(self._h(), n, ctypes.byref(out)))
        return int(out.value)

    def global_batch_size(self, step: int) -> int:
        """The global batch size of ``step`` (the config's ``global_batch`` or its ramp-up)."""
        return self._int_query(_lib.lib.pace_sampler_global_batch_size, step)

    def first_offset(self, step: int) -> int:
        """The sample offset of ``step``'s first sample: the sum of the batch sizes of steps 0 .. step-1."""
        return self._int_query(_lib.lib.pace_sampler_first_offset, step)

    def eligible(self, step: int) -> int:
        """The size of the eligible pool at ``step`` (N for uniform and ordered)."""
        return self._int_query(_lib.lib.pace_sampler_eligible, step)

    def batch(self, step: int, rank: int = 0, world_size: int = 1) -> np.ndarray:
        """This rank's slice of the global batch of ``step``: a new int64
        array of ``global_batch_size(step) // world_size`` sample indices,
        the ``rank``-th contiguous slice (``0 <= rank < world_size``; the
        global batch must be divisible by ``world_size``). O(batch)."""
        step = _integer(step, "step")
        rank = _integer(rank, "rank")
        world_size = _integer(world_size, "world_size", minimum=1)
        if rank >= world_size:
            raise ArgumentError("rank must be in [0, world_size = %d), got %d" % (world_size, rank))
        handle = self._h()
        size = ctypes.c_int64()
        check(_lib.lib.pace_sampler_global_batch_size(handle, step, ctypes.byref(size)))
        cap = size.value // world_size if size.value % world_size == 0 else size.value
        out = np.empty(max(cap, 1), dtype=np.int64)
        count = ctypes.c_int64()
        check(_lib.lib.pace_sampler_batch(handle, step, rank, world_size, out.ctypes.data_as(_lib.c_int64_p),
                                          cap, ctypes.byref(count)))
        return out[: count.value]

    # -- ability ----------------------------------------------------------------

    def report_ability(self, step: int, theta: float) -> None:
        """Ability policy: records the ability ``theta`` (a finite number,
        e.g. from :func:`irt_ability` on a probe set) estimated at ``step``
        and applies PUDF's cap rule from that step on (a better ability
        raises the cap to it; otherwise the cap rises by 0.1). Steps must
        not decrease between reports."""
        step = _integer(step, "step")
        theta = _finite(theta, "theta")
        with self._lock:
            check(_lib.lib.pace_sampler_report_ability(self._h(), step, theta))

    # -- saved state --------------------------------------------------------------

    def save(self) -> bytes:
        """The sampler's state (config and reported abilities, not the
        arrays) as versioned, checksummed bytes."""
        return read(_lib.lib.pace_sampler_save, self._h(), text=False)

    @classmethod
    def load(cls, state: Union[bytes, bytearray, memoryview], scores: Any = None,
             domains: Any = None, size: Optional[int] = None) -> "Sampler":
        """A sampler from :meth:`save`'s bytes and the same arrays again
        (``size``: N, needed only when the policy has no array). Damaged
        bytes: :class:`pace.StateError`; a newer format:
        :class:`pace.VersionError`; other arrays: :class:`pace.StateError`."""
        if not isinstance(state, (bytes, bytearray, memoryview)):
            raise TypeError("state must be bytes, got %s" % type(state).__name__)
        data = bytes(state)
        sp, dp, n, keep = _arrays(scores, domains, b"")
        if scores is None and domains is None:
            if size is None:
                raise ArgumentError("size (N) is needed to load a sampler saved without arrays")
            n = _integer(size, "size")
        self = cls.__new__(cls)
        self._handle = None
        self._lock = threading.Lock()
        handle = _lib.SAMPLER_P()
        buf = ctypes.create_string_buffer(data, max(len(data), 1))
        check(_lib.lib.pace_sampler_load(buf, len(data), sp, dp, n, ctypes.byref(handle)))
        del keep
        self._adopt(handle, n)
        return self

    def state_dict(self) -> Dict[str, Any]:
        """``{"format": STATE_FORMAT, "size": N, "state": bytes}``: what
        :meth:`from_state_dict` needs besides the arrays (torch.save and
        pickle keep it as it is)."""
        return {"format": STATE_FORMAT, "size": self.size, "state": self.save()}

    @classmethod
    def from_state_dict(cls, d: Dict[str, Any], scores: Any = None, domains: Any = None) -> "Sampler":
        """The sampler of :meth:`state_dict`, with the same arrays again."""
        if not isinstance(d, dict):
            raise TypeError("state_dict must be a dict, got %s" % type(d).__name__)
        if d.get("format") != STATE_FORMAT:
            raise StateError("state_dict: format must be %r, got %r" % (STATE_FORMAT, d.get("format")))
        return cls.load(d.get("state", b""), scores=scores, domains=domains, size=d.get("size"))

    def __repr__(self) -> str:
        if self.closed:
            return "<pace.data.Sampler (closed)>"
        return "<pace.data.Sampler N=%d>" % self._size


# ---------------------------------------------------------------------------
# IRT


def irt_fit(responses: Any, return_abilities: bool = False
            ) -> Union[np.ndarray, Tuple[np.ndarray, np.ndarray]]:
    """1PL (Rasch) IRT fit of an artificial crowd's answers: ``responses`` is
    a (models, items) array of 0/1 (or bools), row m the answers of model m.
    Returns the MAP item difficulties (float64, one per item; N(0,1) priors
    on abilities and difficulties), and with ``return_abilities=True`` the
    pair ``(difficulties, abilities)`` (one ability per model).
    Deterministic."""
    arr = np.asarray(responses)
    if arr.ndim != 2:
        raise ArgumentError("responses must be two-dimensional (models x items), got shape %s" % (arr.shape,))
    if arr.dtype.kind not in "biuf":
        raise TypeError("responses must be 0/1 numbers or bools, got dtype %s" % arr.dtype)
    if arr.size and not np.isin(arr, (0, 1)).all():
        raise ArgumentError("responses must hold only 0 and 1")
    models, items = (int(x) for x in arr.shape)
    if models == 0 or items == 0:
        raise ArgumentError("responses must have at least one model and one item, got shape %s" % (arr.shape,))
    r = np.ascontiguousarray(arr, dtype=np.uint8)
    difficulties = np.empty(items, dtype=np.float64)
    abilities = np.empty(models, dtype=np.float64)
    check(_lib.lib.pace_irt_fit(r.ctypes.data_as(_lib.c_uint8_p), models, items,
                                difficulties.ctypes.data_as(_lib.c_double_p),
                                abilities.ctypes.data_as(_lib.c_double_p) if return_abilities else None))
    return (difficulties, abilities) if return_abilities else difficulties


def irt_ability(difficulties: Any, responses_pm1: Any) -> float:
    """PUDF's ability estimate: the MAP theta (N(0,1) prior) of a model whose
    answers to items of the given IRT ``difficulties`` are ``responses_pm1``
    (+1 right, -1 wrong; bools are taken as right/wrong)."""
    b = _vector(difficulties, "difficulties")
    if b.dtype.kind not in "fiu":
        raise TypeError("difficulties must be numbers, got dtype %s" % b.dtype)
    b = np.ascontiguousarray(b, dtype=np.float64)
    r = _vector(responses_pm1, "responses_pm1")
    if r.dtype.kind == "b":
        r = np.where(r, 1, -1)
    elif r.dtype.kind not in "fiu":
        raise TypeError("responses_pm1 must be +1/-1 numbers or bools, got dtype %s" % r.dtype)
    if r.shape[0] != b.shape[0]:
        raise ArgumentError("difficulties and responses_pm1 must have the same length, got %d and %d"
                            % (b.shape[0], r.shape[0]))
    if b.shape[0] == 0:
        raise ArgumentError("difficulties must not be empty")
    if not np.isin(r, (-1, 1)).all():
        raise ArgumentError("responses_pm1 must hold only +1 (right) and -1 (wrong)")
    if not np.isfinite(b).all():
        raise ArgumentError("difficulties must be finite numbers")
    r8 = np.ascontiguousarray(r, dtype=np.int8)
    out = ctypes.c_double()
    check(_lib.lib.pace_irt_ability(b.ctypes.data_as(_lib.c_double_p), r8.ctypes.data_as(_lib.c_int8_p),
                                    int(b.shape[0]), ctypes.byref(out)))
    return float(out.value)
