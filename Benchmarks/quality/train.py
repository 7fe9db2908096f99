"""One training run of the quality benchmark: a workload, a schedule, a
budget, a peak LR and a seed.

The run evaluates the validation loss (and the training loss on the fixed
subset) at N_EVAL evenly spaced steps, and records the CPU seconds of
training (evaluation excluded, as AlgoPerf excludes it) up to each of them,
so that the time to any target can be read afterwards (scoring.py). Cost:
O(budget) steps plus N_EVAL evaluations; memory O(N_EVAL) besides the
gradient norms of the runs that refinement needs (O(budget) floats).
"""

from __future__ import annotations

import copy
import math
import time

import numpy as np

import schedules as S
import workloads as W

N_EVAL = 20


def eval_steps(budget: int, n_eval: int = N_EVAL) -> list:
    """The steps (counted from 1: after that many optimizer steps) at which a run is evaluated."""
    return sorted({max(1, int(round(k * budget / n_eval))) for k in range(1, n_eval + 1)})


def _norms(params, kind: str, torch) -> float:
    grads = [p.grad for p in params if p.grad is not None]
    if kind == "l2":
        return float(torch.linalg.vector_norm(torch.stack([torch.linalg.vector_norm(g) for g in grads])))
    return float(sum(float(g.abs().sum()) for g in grads))


class Recorder:
    """Evaluations at the planned steps, with the training CPU seconds spent so far."""

    def __init__(self, workload, model, budget, torch):
        self.workload, self.model, self.torch = workload, model, torch
        self.pending = eval_steps(budget)
        self.steps, self.val, self.train, self.seconds = [], [], [], []
        self.cpu = 0.0
        self.final_train = None
        self.started = time.process_time()

    def pause(self):
        self.cpu += time.process_time() - self.started

    def resume(self):
        self.started = time.process_time()

    def due(self, counted: int) -> bool:
        return bool(self.pending) and counted >= self.pending[0]

    def record(self, counted: int, diverged: bool = False, final: bool = False):
        """Evaluates now (after `counted` steps): the training loss on the fixed subset (the
        curve), the validation loss, and at the last evaluation (`final`) also the training
        loss on the whole training set."""
        self.pause()
        while self.pending and self.pending[0] <= counted:
            self.pending.pop(0)
        tr, va = (math.inf, math.inf) if diverged else W.evaluate(self.workload, self.model, self.torch, full=False)
        if final:
            full = math.inf if diverged else W.evaluate(self.workload, self.model, self.torch, full=True)[0]
            self.final_train = full if math.isfinite(full) else math.inf
        if not (math.isfinite(tr) and math.isfinite(va)):
            tr, va = math.inf, math.inf
        self.steps.append(counted)
        self.train.append(tr)
        self.val.append(va)
        self.seconds.append(self.cpu)
        self.resume()

    def result(self) -> dict:
        return {"eval_steps": self.steps, "val": self.val, "train": self.train, "seconds": self.seconds,
                "final_train": self.final_train if self.final_train is not None else
                (self.train[-1] if self.train else math.inf),
                "final_val": self.val[-1] if self.val else math.inf}


def _setup(workload, seed, torch):
    torch.manual_seed(seed)
    model = W.make_model(workload, torch)
    params = list(model.parameters())
    return model, params, W.make_optimizer(workload, params, torch)


def train_runtime(workload: str, name: str, budget: int, peak: float, seed: int, torch,
                  linear_norms=None, law_spec=None, short_budget=None, scores=None) -> dict:
    """A run whose LR comes from a pace.Runtime (every schedule but autolrs)."""
    import pace.torch as pt

    cfg = W.WORKLOADS[workload]
    model, params, opt = _setup(workload, seed, torch)
    config = S.runtime_config(name, budget, peak, cfg["batch"], cfg["norm"], linear_norms, law_spec, short_budget)
    sched = pt.PaceRuntimeScheduler(opt, config, mode="absolute")
    batches = W.Batches(workload, seed, budget, torch)
    sampler = None
    if name == "curriculum":
        import pace.data

        sampler = pace.data.Sampler({"size": len(scores), "global_batch": cfg["batch"], "seed": seed,
                                     "policy": {"kind": "competence", "pacing": "sqrt",
                                                "total_steps": max(budget // 2, 1), "c0": 0.1}}, scores=scores)
    keep_norms = S.needs_norms(name)
    norms = np.empty(budget) if keep_norms else None
    lrs = np.empty(budget)
    rec = Recorder(workload, model, budget, torch)
    extend_at = S.extension_step(short_budget) if name.endswith("-ext") else None
    for t in range(budget):
        if extend_at is not None and t == extend_at:
            sched.runtime.set_total_steps(budget)
        lrs[t] = opt.param_groups[0]["lr"]
        x, y = batches.batch(t, sampler.batch(t) if sampler is not None else None)
        loss = W.objective(workload, model, model(x), y, torch)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        g = _norms(params, cfg["norm"], torch) if keep_norms else None
        if norms is not None:
            norms[t] = g
        opt.step()
        sched.step(g)
        if not math.isfinite(loss.item()):
            rec.record(t + 1, diverged=True)
            break
        if rec.due(t + 1):
            rec.record(t + 1, final=(t + 1 == budget))
    rec.pause()
    out = rec.result()
    out["lr"] = lrs[:: max(budget // 100, 1)].tolist()
    if norms is not None and name == "linear":
        out["norms"] = norms.tolist()
    return out


def autolrs_config(budget: int, peak: float, seed: int) -> dict:
    """AutoLRS sized for a budget: first stage tau = budget/8 exploitation steps,
    4 candidates of tau/4 (>= 16) steps each, tau doubling up to budget/4; LR range
    [peak/100, peak]; the common warmup to peak/10."""
    tau = max(budget // 8, 16)
    return {"min_lr": peak / 100, "max_lr": peak, "total_steps": budget, "tau": tau,
            "tau_prime": max(tau // 4, 16), "candidates": 4, "tau_max": max(budget // 4, tau), "seed": seed,
            "val_every": max(max(tau // 4, 16) // 4, 1),
            "warmup_steps": S.warmup_steps(budget), "warmup_lr": peak / 10}


def train_autolrs(workload: str, budget: int, peak: float, seed: int, torch) -> dict:
    """A run driven by pace.tune.AutoLRS. Every step counts, trials included.
    Evaluations happen only on the kept trajectory (warmup and exploitation
    phases); an evaluation step that falls inside a trial is taken at the next
    kept step."""
    import pace.tune

    model, params, opt = _setup(workload, seed, torch)
    tuner = pace.tune.AutoLRS(autolrs_config(budget, peak, seed))
    batches = W.Batches(workload, seed, budget, torch)
    rec = Recorder(workload, model, budget, torch)
    saved = None
    counted = 0
    lrs = []
    diverged = False
    while True:
        a = tuner.next()
        kind = a["action"]
        if kind == "done":
            break
        if kind == "checkpoint":
            saved = (copy.deepcopy(model.state_dict()), copy.deepcopy(opt.state_dict()))
            continue
        if kind == "restore":
            model.load_state_dict(saved[0])
            opt.load_state_dict(saved[1])
            diverged = False
            continue
        for g in opt.param_groups:
            g["lr"] = a["lr"]
        losses = []
        for i in range(a["steps"]):
            x, y = batches.batch(min(counted, budget - 1))
            loss = W.objective(workload, model, model(x), y, torch)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            counted += 1
            lrs.append(a["lr"])
            value = loss.item()
            if not math.isfinite(value):
                diverged = True
            if a["report"] == "train":
                losses.append(value)
            elif a["report"] == "val" and (i + 1) % a["every"] == 0:
                rec.pause()
                losses.append(math.inf if diverged else W.evaluate(workload, model, torch)[1])
                rec.resume()
            elif a["report"] == "none" and rec.due(counted):
                rec.record(counted, diverged, final=(counted == budget))
        if a["report"] != "none":
            tuner.report(losses)
    if not rec.steps or rec.steps[-1] != counted:
        rec.record(counted, diverged, final=True)
    rec.pause()
    out = rec.result()
    out["lr"] = lrs[:: max(budget // 100, 1)]
    return out
