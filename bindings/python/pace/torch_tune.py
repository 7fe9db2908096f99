"""pace.torch.train_with_autolrs: a PyTorch training loop driven by AutoLRS
(pace.tune.AutoLRS; docs/autolrs.md)::

    import pace.torch

    def train_step():                      # one optimizer step, returns its loss
        x, y = next(batches)
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
        return loss

    tuner = pace.torch.train_with_autolrs(model, optimizer, train_step, total_steps=20000,
                                          config={"min_lr": 1e-4, "max_lr": 1e-1})
    tuner.history                          # per stage: tried LRs, forecasts, chosen LR

Checkpoints are in-memory deep copies of ``model.state_dict()`` and
``optimizer.state_dict()`` (one at a time: the stage's start), so memory is
about twice the model and optimizer state.
"""

from __future__ import annotations

import copy
from typing import Any, Callable, Dict, List, Optional

import torch

from .errors import ArgumentError, SpecError
from .tune import AutoLRS, ConfigLike, config_dict

__all__ = ["train_with_autolrs"]


def _loss_value(loss: Any) -> float:
    """A loss as a Python float (a 0-d or 1-element tensor, or a number)."""
    if isinstance(loss, torch.Tensor):
        if loss.numel() != 1:
            raise ArgumentError("train_step/val_loss must return a scalar loss, got a tensor of shape %s"
                                % (tuple(loss.shape),))
        return float(loss.detach().item())
    try:
        return float(loss)
    except (TypeError, ValueError):
        raise ArgumentError("train_step/val_loss must return a number or a scalar tensor, got %s"
                            % type(loss).__name__) from None


def _config_with_steps(config: Optional[ConfigLike], total_steps: int) -> Dict[str, Any]:
    out = config_dict({} if config is None else config)
    if "total_steps" in out and out["total_steps"] != total_steps:
        raise SpecError("total_steps: the config says %r but train_with_autolrs was given %r"
                        % (out["total_steps"], total_steps))
    out["total_steps"] = total_steps
    return out


class _Snapshot:
    """The model's and optimizer's state at the stage's start (deep copies:
    later steps never write into it, and restoring leaves it intact)."""

    def __init__(self, model: torch.nn.Module, optimizer: torch.optim.Optimizer):
        self.model = copy.deepcopy(model.state_dict())
        self.optimizer = copy.deepcopy(optimizer.state_dict())

    def restore(self, model: torch.nn.Module, optimizer: torch.optim.Optimizer) -> None:
        model.load_state_dict(self.model)
        # Optimizer.load_state_dict may keep the given tensors (no dtype or
        # device change): hand it a copy so that training cannot mutate ours.
        optimizer.load_state_dict(copy.deepcopy(self.optimizer))


def _set_lr(optimizer: torch.optim.Optimizer, lr: float) -> None:
    for group in optimizer.param_groups:
        if isinstance(group["lr"], torch.Tensor):
            group["lr"].fill_(lr)
        else:
            group["lr"] = lr


def _train(action: Dict[str, Any], train_step: Callable[[], Any],
           val_loss: Optional[Callable[[], Any]]) -> List[float]:
    """Runs one train action; returns the losses it asks for (none, each
    step's training loss, or one validation loss every ``every`` steps)."""
    steps, report, every = action["steps"], action["report"], max(action["every"], 1)
    losses: List[float] = []
    window: List[float] = []
    for i in range(1, steps + 1):
        loss = train_step()
        if report == "train":
            losses.append(_loss_value(loss))
        elif report == "val":
            if val_loss is None:
                window.append(_loss_value(loss))
            if i % every == 0:
                if val_loss is None:
                    losses.append(sum(window) / len(window))
                    window = []
                else:
                    with torch.no_grad():
                        losses.append(_loss_value(val_loss()))
    return losses


def train_with_autolrs(model: torch.nn.Module, optimizer: torch.optim.Optimizer, train_step: Callable[[], Any],
                       total_steps: int, config: Optional[ConfigLike] = None,
                       val_loss: Optional[Callable[[], Any]] = None, *,
                       on_action: Optional[Callable[[Dict[str, Any]], None]] = None) -> AutoLRS:
    """Trains for exactly ``total_steps`` optimizer steps (AutoLRS's trials
    included) with the learning rate AutoLRS picks, and returns the tuner
    (its ``history``, ``steps_used``; ``close()`` it or let it be collected).

    - ``train_step()`` takes one optimizer step (zero_grad, forward,
      backward, ``optimizer.step()``) and returns its loss (a number or a
      scalar tensor). It is called ``total_steps`` times in all.
    - ``config``: the AutoLRS config (``min_lr`` and ``max_lr`` required;
      docs/autolrs.md) as a dict or JSON text; ``total_steps`` is added (a
      different one in the config is an error).
    - ``val_loss()``: the validation loss (called under ``torch.no_grad()``;
      switch the model to eval mode and back inside if it matters), asked for
      every ``every`` steps once the tuner is in validation mode. Without it
      the mean training loss of those ``every`` steps is reported instead.
    - ``on_action(action)``: called with each action dict (as
      ``AutoLRS.next()`` returns it) before it is carried out, e.g. to log
      the stages or to tell trials (report "train"/"val") from the steps
      that continue the run (report "none").

    Checkpoint actions deep-copy ``model.state_dict()`` and
    ``optimizer.state_dict()``; restore actions load those copies back. Train
    actions set every parameter group's ``lr`` to the action's LR. The
    learning rate left in the optimizer is the last one trained with.
    """
    if isinstance(total_steps, bool) or not isinstance(total_steps, int) or total_steps < 1:
        raise SpecError("total_steps: must be an integer >= 1, got %r" % (total_steps,))
    if not callable(train_step):
        raise TypeError("train_step must be callable")
    for name, fn in (("val_loss", val_loss), ("on_action", on_action)):
        if fn is not None and not callable(fn):
            raise TypeError("%s must be callable or None" % name)
    tuner = AutoLRS(_config_with_steps(config, total_steps))
    snapshot: Optional[_Snapshot] = None
    try:
        while True:
            action = tuner.next()
            if on_action is not None:
                on_action(action)
            kind = action["action"]
            if kind == "done":
                return tuner
            if kind == "checkpoint":
                snapshot = _Snapshot(model, optimizer)
            elif kind == "restore":
                if snapshot is None:
                    raise RuntimeError("AutoLRS asked to restore before any checkpoint")
                snapshot.restore(model, optimizer)
            else:
                _set_lr(optimizer, action["lr"])
                losses = _train(action, train_step, val_loss)
                if action["report"] != "none":
                    tuner.report(losses)
    except BaseException:
        tuner.close()
        raise
