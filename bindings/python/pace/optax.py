"""pace.optax: a Pace schedule as an optax schedule (``count -> value``).

::

    import optax, pace.optax
    lr = pace.optax.schedule({"preset": "cosine", "peak": 3e-4, "warmup_steps": 100,
                              "total_steps": 10_000})
    opt = optax.adam(learning_rate=lr)          # or inject_hyperparams(...)(learning_rate=lr)

The values of steps ``0 .. N`` are computed once, by one library fill, and
stored as a ``jax.numpy`` array; the returned function indexes it with the
count clipped to ``[0, N]``, so it works under ``jax.jit``, with traced
counts, and with scalar or array counts (elementwise). ``N`` is the
schedule's ``total_steps``; the last entry is the library's value at step
``N``, i.e. the schedule's value past its end (``after``), so every count
``>= N`` gets it, exactly as the library would.

Open-ended schedules (no ``total_steps``) need ``horizon``: the table then
covers steps ``0 .. horizon`` and counts past ``horizon`` are held at the
value of step ``horizon``. ``horizon`` also overrides ``N`` for a finite
schedule (a horizon below ``total_steps`` truncates the schedule there).

The table's dtype is float64 when JAX's x64 mode is enabled (checked when
``schedule`` is called), else float32 (each float64 value rounded once);
``dtype`` chooses explicitly.

This module imports jax; ``import pace`` does not.
"""

from __future__ import annotations

import operator
from typing import Any, Callable, Optional, Union

import jax
import jax.numpy as jnp
import numpy as np

from .errors import ArgumentError
from .schedule import Schedule, SpecLike

__all__ = ["schedule", "PaceSchedule"]

# A table larger than this many steps is refused (memory: 8 bytes a step in float64).
MAX_TABLE = 1 << 31


class PaceSchedule:
    """The optax schedule returned by :func:`schedule`: ``self(count)`` is
    the value at ``count`` (clipped to ``[0, N]``). ``table`` holds the values
    of steps ``0 .. N`` (jax array), ``spec`` the canonical spec."""

    __slots__ = ("table", "horizon", "spec", "__weakref__")

    def __init__(self, table, horizon: int, spec: str):
        self.table = table
        self.horizon = horizon
        self.spec = spec

    def __call__(self, count):
        count = jnp.asarray(count)
        if not jnp.issubdtype(count.dtype, jnp.integer):
            # optax counts are integers; a float count is taken at its floor.
            count = jnp.floor(count).astype(jnp.int32 if self.horizon < 2**31 - 1 else jnp.int64)
        index = jnp.clip(count, 0, self.horizon)
        return jnp.take(self.table, index, mode="clip")

    def __repr__(self) -> str:
        return "<pace.optax schedule: %d steps, %s>" % (self.horizon, self.table.dtype)


def _x64_enabled() -> bool:
    return jax.dtypes.canonicalize_dtype(np.float64) == np.dtype(np.float64)


def schedule(spec: Union[Schedule, SpecLike], horizon: Optional[int] = None,
             dtype: Any = None) -> Callable[[Any], Any]:
    """An optax-compatible schedule (``count -> value``) of a Pace spec.

    Args:
        spec: a ``pace.Schedule``, a spec dict, JSON text or a path.
        horizon: number of steps to tabulate, ``N``; required for an
            open-ended schedule, default ``total_steps`` otherwise.
        dtype: ``float32`` or ``float64``; default float64 when
            ``jax_enable_x64`` is on, else float32.
    """
    sched = spec if isinstance(spec, Schedule) else Schedule(spec)
    total = sched.total_steps
    if horizon is None:
        if total is None:
            raise ArgumentError(
                "pace.optax.schedule: the schedule is open-ended (no total_steps): give "
                "horizon=N, the number of steps to precompute (counts past N get the value of step N)")
        n = total
    else:
        if isinstance(horizon, bool):
            raise TypeError("horizon must be an integer, got a bool")
        try:
            n = operator.index(horizon)
        except TypeError:
            raise TypeError("horizon must be an integer, got %s" % type(horizon).__name__) from None
        if n < 1:
            raise ArgumentError("horizon must be >= 1, got %d" % n)
    if n + 1 > MAX_TABLE:
        raise ArgumentError("pace.optax.schedule: %d steps is too many to tabulate (at most %d); "
                            "give a smaller horizon" % (n, MAX_TABLE - 1))
    if dtype is None:
        dt = np.dtype(np.float64) if _x64_enabled() else np.dtype(np.float32)
    else:
        dt = np.dtype(dtype)
        if dt not in (np.dtype(np.float64), np.dtype(np.float32)):
            raise TypeError("dtype must be float32 or float64, got %s" % dt)
        if dt == np.float64 and not _x64_enabled():
            raise ValueError("dtype float64 needs JAX's x64 mode (jax.config.update('jax_enable_x64', True))")
    # Steps 0 .. n: one library fill; the last entry is the value past the end.
    values = sched.values(0, n + 1, dtype=dt)
    table = jnp.asarray(values, dtype=dt)
    return PaceSchedule(table, n, sched.to_json())
