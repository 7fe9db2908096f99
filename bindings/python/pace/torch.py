"""pace.torch: a Pace schedule as a PyTorch learning-rate scheduler.

``PaceLR(optimizer, schedule)`` is a real subclass of
``torch.optim.lr_scheduler.LRScheduler`` and is used like any of them::

    import torch, pace.torch
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    sched = pace.torch.PaceLR(opt, {"preset": "cosine", "warmup_steps": 100,
                                    "total_steps": 10_000})
    for batch in data:
        loss(model, batch).backward()
        opt.step()
        sched.step()
        opt.zero_grad()

How the schedule sets each param group's lr (``mode``; the same rule for
``PaceLR`` and ``PaceRuntimeScheduler``, pace/_adapter_rules.py):

- ``"auto"`` (default): a spec that gives a ``peak`` sets the lrs itself
  (absolute), and every optimizer group's lr must equal that peak, else
  ``ValueError`` explaining the two modes below (a spec's peak is never
  ignored and an optimizer's lr never silently replaced); a spec without
  ``peak`` is a multiplier of the optimizer's lrs (relative, peak 1). A
  ``pace.Schedule`` passed in counts as giving a peak unless its peak is 1.
- ``"relative"``: the schedule gives the *shape*. With ``m(t) = value(t) /
  peak`` (``peak`` the spec's ``peak`` field, 1.0 when absent), group ``g``
  gets ``lr_g(t) = initial_lr_g * m(t)``, ``initial_lr_g`` being the group's
  lr when the scheduler was created (``group["initial_lr"]``, as for every
  PyTorch scheduler). It is computed as ``value(t) * (initial_lr_g /
  peak)``, so a group whose lr equals the spec's peak gets the schedule's
  values bit for bit. This is how PyTorch's own schedulers treat several
  groups with different lrs.
- ``"absolute"``: every group gets the schedule's value ``value(t)`` itself
  (the groups' initial lrs are ignored).

OneCycle momentum: with a ``{"preset": "onecycle", ...}`` spec (a dict, JSON
text or path) the scheduler also cycles each group's ``momentum`` (or Adam's
``betas[0]``) between ``max_momentum`` (0.95) and ``base_momentum`` (0.85)
on the lr's phase boundaries, as ``torch.optim.lr_scheduler.OneCycleLR``
does by default; ``cycle_momentum=False`` turns it off.

``t`` is ``last_epoch``: the constructor performs PyTorch's initial step and
sets the lrs of step 0; each ``step()`` (call it after ``optimizer.step()``)
advances to the next step. ``step()`` makes no library call: it serves
values from a buffer that the library fills ``chunk`` (4096) steps at a
time. When ``group["lr"]`` is a ``torch.Tensor`` it is updated in place with
``fill_`` (the same tensor object, so compiled optimizers do not recompile).

Checkpoints: ``state_dict()`` holds the step (``last_epoch``), ``base_lrs``,
``mode`` and the canonical spec (``spec``, fully expanded JSON).
``load_state_dict`` restores them into a new scheduler (made with a new
optimizer) so that the resumed run gets bit-identical lrs; it also writes the
restored step's lrs into the param groups. By default it raises
``ValueError`` when the saved spec or mode differs from this scheduler's
(resuming with another schedule is most likely a mistake); with
``strict=False`` it adopts the saved spec and mode instead.

This module imports torch; ``import pace`` does not.
"""

from ._torch_lr import PaceLR
from ._torch_runtime import PaceRuntimeScheduler
from .torch_data import PaceBatchSampler  # pace.data in a DataLoader (pace/torch_data.py)
from .torch_tune import train_with_autolrs  # AutoLRS in a torch loop (pace/torch_tune.py)

__all__ = ["PaceLR", "PaceRuntimeScheduler", "PaceBatchSampler", "train_with_autolrs"]
