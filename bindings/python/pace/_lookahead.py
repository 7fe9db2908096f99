"""The look-ahead buffer: a schedule's values of steps ``base .. base+count-1``,
filled by the library ``chunk`` values at a time (one library call per
chunk). pace.Stepper and pace.torch.PaceLR serve their per-step values from
it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

import numpy as np

from . import _lib

if TYPE_CHECKING:  # the type only; schedule.py imports this module
    from .schedule import Schedule


class LookAhead:
    """A float64 buffer of ``chunk`` values (8 bytes each) and the steps it
    holds. Memory: O(chunk), whatever the run's length."""

    __slots__ = ("schedule", "chunk", "buffer", "base", "count")

    def __init__(self, schedule: "Schedule", chunk: int):
        self.schedule = schedule
        self.chunk = chunk
        self.buffer = np.empty(chunk, dtype=np.float64)
        self.base = 0
        self.count = 0

    def fill(self, start: int, stop: Optional[int] = None) -> np.ndarray:
        """Fills steps ``start ..`` up to ``chunk`` of them, ending before
        ``stop`` (when given) and at 2^63 - 1 at the latest, in one library
        call, and returns them: a view of the buffer, overwritten by the next
        fill. No step left: an empty array and no call (the buffer keeps the
        steps it held)."""
        n = min(self.chunk, _lib.INT64_MAX - start)
        if stop is not None:
            n = min(n, stop - start)
        if n <= 0:
            return self.buffer[:0]
        values = self.schedule.fill(self.buffer[:n], start)
        self.base = start
        self.count = n
        return values

    def value(self, step: int) -> float:
        """The value of ``step``, from the buffer (filled from ``step`` when
        it does not hold it)."""
        i = step - self.base
        if not 0 <= i < self.count:
            self.fill(step)
            i = 0
        return float(self.buffer[i])
