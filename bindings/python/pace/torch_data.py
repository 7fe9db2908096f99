"""pace.torch_data: a pace.data.Sampler as a PyTorch batch sampler.

``PaceBatchSampler(sampler)`` yields, step after step, this rank's slice of
the global batch as a list of sample indices, for
``torch.utils.data.DataLoader(dataset, batch_sampler=...)``::

    import pace.data, pace.torch
    s = pace.data.Sampler({"size": len(dataset), "global_batch": 256, "seed": 0,
                           "policy": {"kind": "uniform"}})
    bs = pace.torch.PaceBatchSampler(s, steps=10_000)     # rank, world size from torch.distributed
    loader = torch.utils.data.DataLoader(dataset, batch_sampler=bs, num_workers=4)
    for step, (x, y) in enumerate(loader, start=bs.start_step):
        ...

Rank and world size default to ``torch.distributed`` when it is initialised
(else 0 and 1). The batches are a pure function of the step, so resuming needs
nothing but the step: ``load_state_dict({"step": n})`` (or ``start_step=n``)
continues with step n, on any world size that divides the global batch,
without repeating or skipping a sample. ``state_dict()`` holds the next step
this object will yield; a DataLoader with workers draws batches ahead of the
training loop (``prefetch_factor * num_workers`` of them), so save the step
your loop has trained instead (``{"step": trained_steps}``). The sampler's own
state (the abilities reported to an ``ability`` policy) is saved with
``sampler.state_dict()``.

Also exported as ``pace.torch.PaceBatchSampler``. This module imports torch.
"""

from __future__ import annotations

from typing import Any, Dict, Iterator, List, Optional

import torch
from torch.utils.data import Sampler as _TorchSampler

from .data import Sampler, _integer
from .errors import ArgumentError

__all__ = ["PaceBatchSampler"]


def _distributed_default(value: Optional[int], what: str) -> int:
    if value is not None:
        return _integer(value, what, minimum=1 if what == "world_size" else 0)
    dist = torch.distributed
    if dist.is_available() and dist.is_initialized():
        return int(dist.get_world_size() if what == "world_size" else dist.get_rank())
    return 1 if what == "world_size" else 0


class PaceBatchSampler(_TorchSampler):
    """A ``torch.utils.data.Sampler`` of index lists: step ``t`` yields
    ``sampler.batch(t, rank, world_size).tolist()``, for steps
    ``start_step, start_step + 1, ...`` up to ``steps`` (exclusive; None:
    without end, and ``len()`` raises TypeError).

    ``sampler``: a :class:`pace.data.Sampler`. ``rank``, ``world_size``:
    this process's data-parallel rank and the number of ranks (default:
    ``torch.distributed``'s when initialised, else 0 and 1). Every step's
    global batch must be divisible by ``world_size``."""

    def __init__(self, sampler: Sampler, rank: Optional[int] = None, world_size: Optional[int] = None,
                 start_step: int = 0, steps: Optional[int] = None):
        if not isinstance(sampler, Sampler):
            raise TypeError("sampler must be a pace.data.Sampler, got %s" % type(sampler).__name__)
        self.sampler = sampler
        self.world_size = _distributed_default(world_size, "world_size")
        self.rank = _distributed_default(rank, "rank")
        if self.rank >= self.world_size:
            raise ArgumentError("rank must be in [0, world_size = %d), got %d" % (self.world_size, self.rank))
        self.start_step = _integer(start_step, "start_step")
        self.steps = None if steps is None else _integer(steps, "steps")
        self._next = self.start_step

    @property
    def step(self) -> int:
        """The next step this object yields."""
        return self._next

    def __iter__(self) -> Iterator[List[int]]:
        """Yields the batches from the current step on (a new ``iter()``
        continues where the last one stopped)."""
        while self.steps is None or self._next < self.steps:
            step = self._next
            indices = self.sampler.batch(step, self.rank, self.world_size).tolist()
            self._next = step + 1
            yield indices

    def __len__(self) -> int:
        """Steps left to yield, ``steps - step``."""
        if self.steps is None:
            raise TypeError("PaceBatchSampler without steps has no length")
        return max(self.steps - self._next, 0)

    def state_dict(self) -> Dict[str, Any]:
        """``{"step": next step}``: all a resumed run needs (with the same sampler config)."""
        return {"step": self._next}

    def load_state_dict(self, state: Dict[str, Any]) -> None:
        """Continues from ``state["step"]`` (on this object's rank and world size)."""
        if not isinstance(state, dict) or "step" not in state:
            raise ValueError("state must be a dict with a 'step', got %r" % (state,))
        self._next = _integer(state["step"], "step")
        self.start_step = self._next

    def __repr__(self) -> str:
        return "PaceBatchSampler(rank=%d, world_size=%d, step=%d, steps=%s)" % (
            self.rank, self.world_size, self._next, self.steps)
