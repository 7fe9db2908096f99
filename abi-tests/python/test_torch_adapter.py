"""pace.torch.PaceLR against the PyTorch schedulers it replaces.

The lr of step t is optimizer.param_groups[i]["lr"] read before the t-th
scheduler.step() (the lr that update t uses), for 1000 steps, with a real SGD
loop (optimizer.step() then scheduler.step()). Tolerances are those of
test_conformance_torch.py: PyTorch's CosineAnnealingLR, LinearLR and StepLR
compute each lr from the previous one (recursive get_lr), so they are
compared with the documented looser tolerance for recursive forms, and with
the tight 1e-12 against their closed forms.
"""

from __future__ import annotations

import copy
import io
import json
import math
import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="PyTorch is not installed: pace.torch adapter tests skipped")
from torch.optim import lr_scheduler as sched  # noqa: E402

import pace  # noqa: E402
import pace.torch as pace_torch  # noqa: E402
from pace import _lib  # noqa: E402
from pace_testutil import (  # noqa: E402
    CANCELLATION_ABS,
    assert_conforms,
    recursive_tolerance,
)
LIB = "PaceLR"
N = 1000
# As test_conformance_torch.RECURSIVE_COSINE_REL: CosineAnnealingLR's recursive
# get_lr drifts from the closed form by up to ~1e-13 relative over 1000 steps.
RECURSIVE_COSINE_REL = 1e-11


def run(make_scheduler, lrs, n=N, momentum=0.0, dtype=torch.float64):
    """Runs an SGD loop of n steps on one parameter per group; returns the
    lrs (steps x groups) read before every scheduler.step(), the scheduler
    and the optimizer. `lrs` are the groups' initial lrs."""
    params = [torch.nn.Parameter(torch.ones(2, dtype=dtype)) for _ in lrs]
    opt = torch.optim.SGD([{"params": [p], "lr": lr} for p, lr in zip(params, lrs)], lr=lrs[0],
                          momentum=momentum)
    scheduler = make_scheduler(opt)
    out = np.empty((n, len(lrs)), dtype=np.float64)
    for t in range(n):
        out[t] = [float(g["lr"]) for g in opt.param_groups]
        for p in params:
            p.grad = torch.full_like(p, 0.5)
        opt.step()
        scheduler.step()
    return out, scheduler, opt


def torch_closed_form(make, lr, n):
    """PyTorch's closed form (_get_closed_form_lr) at steps 0..n-1."""
    param = torch.nn.Parameter(torch.zeros(1, dtype=torch.float64))
    opt = torch.optim.SGD([param], lr=lr)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scheduler = make(opt)
        if not hasattr(scheduler, "_get_closed_form_lr"):
            pytest.skip("%s has no _get_closed_form_lr in this PyTorch" % type(scheduler).__name__)
        out = np.empty(n)
        for t in range(n):
            scheduler.last_epoch = t
            out[t] = scheduler._get_closed_form_lr()[0]
    return out


def test_is_a_real_lr_scheduler():
    opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.1)
    s = pace_torch.PaceLR(opt, {"preset": "linear", "total_steps": 10})
    base = getattr(sched, "LRScheduler", None) or sched._LRScheduler
    assert isinstance(s, base)
    # The constructor performs PyTorch's initial step: step 0, initial_lr recorded.
    assert s.last_epoch == 0 and s._step_count == 1
    assert opt.param_groups[0]["initial_lr"] == 0.1
    assert s.base_lrs == [0.1]
    assert s.get_last_lr() == [0.1] == [opt.param_groups[0]["lr"]]


# ---------------------------------------------------------------------------
# Same lrs as the scheduler it replaces


@pytest.mark.parametrize("lr, t_max, eta_ratio", [(0.1, 1000, 0.0), (3e-4, 1000, 0.1), (1.0, 1500, 0.01)])
def test_cosine_annealing(lr, t_max, eta_ratio):
    ref, _, _ = run(lambda o: sched.CosineAnnealingLR(o, T_max=t_max, eta_min=eta_ratio * lr), [lr])
    # The schedule gives the shape (peak 1): lr = initial lr * m(t).
    spec = {"phases": [{"shape": "cosine", "steps": t_max, "from": 1, "to": eta_ratio}]}
    ours, _, _ = run(lambda o: pace_torch.PaceLR(o, spec), [lr])
    assert_conforms(ours[:, 0], ref[:, 0], library=LIB, preset="CosineAnnealingLR (recursive get_lr)",
                    case=str(spec), peak=lr, rel=RECURSIVE_COSINE_REL, spec=spec)
    closed = torch_closed_form(lambda o: sched.CosineAnnealingLR(o, T_max=t_max, eta_min=eta_ratio * lr), lr, N)
    # PyTorch's closed form cancels (1 + cos(x) near x = pi) at the last steps of a
    # decay to 0: the documented allowance pace_testutil.CANCELLATION_ABS applies.
    assert_conforms(ours[:, 0], closed, library=LIB, preset="CosineAnnealingLR", case=str(spec), peak=lr,
                    spec=spec, abs_peak=CANCELLATION_ABS)


@pytest.mark.parametrize("max_lr, pct, anneal, three", [(0.1, 0.3, "cos", False), (0.01, 0.25, "linear", False),
                                                         (1.0, 0.333, "cos", True)])
def test_onecycle(max_lr, pct, anneal, three):
    make_ref = lambda o: sched.OneCycleLR(o, max_lr=max_lr, total_steps=N, pct_start=pct,  # noqa: E731
                                          anneal_strategy=anneal, three_phase=three, cycle_momentum=False)
    ref, _, _ = run(make_ref, [max_lr])
    spec = {"preset": "onecycle", "peak": max_lr, "total_steps": N, "pct_start": pct, "anneal": anneal,
            "three_phase": three}
    # The optimizer's lr is max_lr = the spec's peak: PaceLR gives the schedule's values bit for bit.
    ours, _, _ = run(lambda o: pace_torch.PaceLR(o, spec), [max_lr])
    with pace.Schedule(spec) as s:
        assert ours[:, 0].tolist() == s.values(0, N).tolist()
    assert_conforms(ours[:, 0], ref[:, 0], library=LIB, preset="OneCycleLR", case=str(spec), peak=max_lr,
                    spec=spec, abs_peak=CANCELLATION_ABS)


@pytest.mark.parametrize("start, end, total_iters", [(0.1, 1.0, 500), (1.0, 0.01, 1000), (0.5, 0.05, 777)])
def test_linear_lr(start, end, total_iters):
    lr = 0.1
    make = lambda o: sched.LinearLR(o, start_factor=start, end_factor=end, total_iters=total_iters)  # noqa: E731
    ref, _, _ = run(make, [lr])
    spec = {"phases": [{"shape": "linear", "steps": total_iters, "from": start, "to": end}]}
    ours, _, _ = run(lambda o: pace_torch.PaceLR(o, spec), [lr])
    assert_conforms(ours[:, 0], ref[:, 0], library=LIB, preset="LinearLR (recursive get_lr)", case=str(spec),
                    peak=lr, rel=recursive_tolerance(32 * total_iters), spec=spec)
    assert_conforms(ours[:, 0], torch_closed_form(make, lr, N), library=LIB, preset="LinearLR", case=str(spec),
                    peak=lr, spec=spec)


@pytest.mark.parametrize("size, gamma", [(100, 0.5), (33, 0.9), (1, 0.999)])
def test_step_lr(size, gamma):
    lr = 0.1
    make = lambda o: sched.StepLR(o, step_size=size, gamma=gamma)  # noqa: E731
    ref, _, _ = run(make, [lr])
    spec = {"preset": "step", "peak": lr, "step_size": size, "gamma": gamma}
    ours, _, _ = run(lambda o: pace_torch.PaceLR(o, spec), [lr])
    assert_conforms(ours[:, 0], ref[:, 0], library=LIB, preset="StepLR (recursive get_lr)", case=str(spec),
                    peak=lr, rel=recursive_tolerance(N // size), spec=spec)
    assert_conforms(ours[:, 0], torch_closed_form(make, lr, N), library=LIB, preset="StepLR", case=str(spec),
                    peak=lr, spec=spec)


@pytest.mark.parametrize("peak", [1.0, 0.1, 3e-4])
def test_param_groups_with_different_lrs(peak):
    """Each group's initial lr scales m(t) = value / peak, as CosineAnnealingLR
    scales each group's base lr; the spec's peak does not matter."""
    lrs = [0.1, 0.01, 3e-4]
    ref, _, _ = run(lambda o: sched.CosineAnnealingLR(o, T_max=N), lrs, momentum=0.9)
    spec = {"peak": peak, "phases": [{"shape": "cosine", "steps": N, "from": 1, "to": 0}]}
    ours, s, opt = run(lambda o: pace_torch.PaceLR(o, spec, mode="relative"), lrs, momentum=0.9)
    assert s.base_lrs == lrs
    for i, lr in enumerate(lrs):
        assert_conforms(ours[:, i], ref[:, i], library=LIB, preset="CosineAnnealingLR, 3 groups (recursive)",
                        case="group %d %s" % (i, spec), peak=lr, rel=RECURSIVE_COSINE_REL, spec=spec)
    # lr_g(t) = value(t) * (initial_lr_g / peak), exactly.
    with pace.Schedule(spec) as sc:
        values = sc.values(0, N)
    for i, lr in enumerate(lrs):
        assert ours[:, i].tolist() == (values * (lr / peak)).tolist()
    assert s.get_last_lr() == [g["lr"] for g in opt.param_groups]


def test_absolute_mode_gives_every_group_the_value():
    spec = {"preset": "cosine", "peak": 3e-4, "warmup_steps": 100, "total_steps": N}
    ours, s, _ = run(lambda o: pace_torch.PaceLR(o, spec, mode="absolute"), [0.1, 1.0])
    with pace.Schedule(spec) as sc:
        values = sc.values(0, N)
    assert ours[:, 0].tolist() == values.tolist() and ours[:, 1].tolist() == values.tolist()
    with pytest.raises(ValueError, match="mode"):
        pace_torch.PaceLR(torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.1), spec, mode="abs")


def test_spec_forms(tmp_path):
    spec = {"preset": "linear", "peak": 0.1, "warmup_steps": 10, "total_steps": 100}
    path = tmp_path / "s.json"
    path.write_text(json.dumps(spec))
    schedule = pace.Schedule(spec)
    expected = schedule.values(0, 120).tolist()
    for form in (schedule, spec, json.dumps(spec), str(path), path):
        ours, s, _ = run(lambda o: pace_torch.PaceLR(o, form), [0.1], n=120)
        assert ours[:, 0].tolist() == expected, form
    assert not schedule.closed  # a given Schedule is used, not closed
    with pytest.raises(pace.SpecError, match=r"phases\[0\]\.steps"):
        pace_torch.PaceLR(torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.1),
                          {"phases": [{"shape": "linear", "steps": -5, "to": 0}]})


def test_past_the_end_holds_the_after_value():
    spec = {"preset": "linear", "peak": 0.1, "total_steps": 50}
    ours, _, _ = run(lambda o: pace_torch.PaceLR(o, spec), [0.1], n=80)
    assert ours[49, 0] > 0 and np.all(ours[50:, 0] == 0.0)


# ---------------------------------------------------------------------------
# Tensor lr


def test_tensor_lr_is_updated_in_place():
    lr = torch.tensor(0.1)
    param = torch.nn.Parameter(torch.ones(3))
    opt = torch.optim.SGD([param], lr=lr)
    spec = {"phases": [{"shape": "cosine", "steps": 100, "to": 0}]}
    s = pace_torch.PaceLR(opt, spec)
    group_lr = opt.param_groups[0]["lr"]
    assert group_lr is lr
    assert isinstance(opt.param_groups[0]["initial_lr"], torch.Tensor)
    assert opt.param_groups[0]["initial_lr"] is not lr
    with pace.Schedule(spec) as sc:
        m = sc.values(0, 150)
    initial = float(torch.tensor(0.1))  # float32 0.1
    seen = []
    for t in range(150):
        assert opt.param_groups[0]["lr"] is lr  # the same tensor object, every step
        seen.append(lr.item())
        assert float(s.get_last_lr()[0]) == lr.item()
        assert s.get_last_lr()[0] is not lr  # copies, as in PyTorch
        param.grad = torch.ones_like(param)
        opt.step()
        s.step()
    expected = torch.tensor(m * initial, dtype=torch.float32).tolist()  # lr_t = m(t) * initial, rounded to float32
    assert seen == expected
    assert lr.dtype == torch.float32 and lr.dim() == 0


def test_tensor_lr_resume():
    spec = {"preset": "onecycle", "peak": 0.1, "total_steps": 200}
    lr = torch.tensor(0.1, dtype=torch.float64)
    opt = torch.optim.SGD([torch.nn.Parameter(torch.ones(1))], lr=lr)
    s = pace_torch.PaceLR(opt, spec)
    for _ in range(50):
        opt.step()
        s.step()
    state = s.state_dict()
    lr2 = torch.tensor(0.1, dtype=torch.float64)
    opt2 = torch.optim.SGD([torch.nn.Parameter(torch.ones(1))], lr=lr2)
    s2 = pace_torch.PaceLR(opt2, spec)
    s2.load_state_dict(state)
    assert opt2.param_groups[0]["lr"] is lr2 and lr2.item() == lr.item()
    for _ in range(20):
        opt.step(), s.step(), opt2.step(), s2.step()
        assert lr2.item() == lr.item()


# ---------------------------------------------------------------------------
# Checkpoint / resume


def _fresh(spec, lrs):
    params = [torch.nn.Parameter(torch.linspace(-1, 1, 4, dtype=torch.float64) * (i + 1)) for i in range(len(lrs))]
    opt = torch.optim.SGD([{"params": [p], "lr": lr} for p, lr in zip(params, lrs)], lr=lrs[0], momentum=0.9)
    return params, opt


def _train(params, opt, s, steps, record):
    for _ in range(steps):
        record.append([g["lr"] for g in opt.param_groups])
        loss = sum(((p - 0.3) ** 2).sum() for p in params)
        opt.zero_grad()
        loss.backward()
        opt.step()
        s.step()


@pytest.mark.parametrize("spec", [
    {"preset": "cosine", "peak": 3e-4, "warmup_steps": 100, "total_steps": 1000},
    {"preset": "onecycle", "peak": 0.1, "total_steps": 1000, "pct_start": 0.3},
    {"preset": "sgdr", "peak": 0.1, "t0": 50, "t_mult": 2},
])
def test_resume_is_bit_identical(spec):
    lrs = [0.1, 0.02]
    # Run A: uninterrupted.
    params, opt = _fresh(spec, lrs)
    s = pace_torch.PaceLR(opt, spec, chunk=256, mode="relative")
    lrs_a = []
    _train(params, opt, s, N, lrs_a)
    final_a = [p.detach().clone() for p in params]
    # Run B: saved at step 337 (through torch.save / torch.load), resumed
    # with a new optimizer and a new PaceLR.
    params, opt = _fresh(spec, lrs)
    s = pace_torch.PaceLR(opt, spec, chunk=256, mode="relative")
    lrs_b = []
    _train(params, opt, s, 337, lrs_b)
    buf = io.BytesIO()
    torch.save({"params": [p.detach().clone() for p in params], "opt": opt.state_dict(),
                "sched": s.state_dict()}, buf)
    assert s.state_dict()["last_epoch"] == 337
    assert json.loads(s.state_dict()["spec"]) == pace.Schedule(spec).to_dict()
    del params, opt, s
    buf.seek(0)
    ckpt = torch.load(buf, weights_only=False)
    params, opt = _fresh(spec, [0.5, 0.5])  # different lrs: the checkpoint restores them
    with torch.no_grad():
        for p, saved in zip(params, ckpt["params"]):
            p.copy_(saved)
    # The canonical text is the same schedule; onecycle's momentum cycling needs the preset itself.
    source = spec if spec.get("preset") == "onecycle" else pace.Schedule(spec).to_json()
    s = pace_torch.PaceLR(opt, source, mode="relative")
    opt.load_state_dict(ckpt["opt"])
    s.load_state_dict(ckpt["sched"])
    assert s.last_epoch == 337 and s.base_lrs == lrs
    _train(params, opt, s, N - 337, lrs_b)
    assert lrs_b == lrs_a  # bit-identical, every step, every group
    assert all(torch.equal(a, b.detach()) for a, b in zip(final_a, params))


def test_resume_without_optimizer_state_sets_the_lrs():
    spec = {"preset": "cosine", "peak": 0.1, "warmup_steps": 10, "total_steps": 500}
    _, opt = _fresh(spec, [0.1])
    s = pace_torch.PaceLR(opt, spec)
    for _ in range(123):
        opt.step()
        s.step()
    state = copy.deepcopy(s.state_dict())
    _, opt2 = _fresh(spec, [0.1])
    s2 = pace_torch.PaceLR(opt2, spec)
    s2.load_state_dict(state)
    assert opt2.param_groups[0]["lr"] == opt.param_groups[0]["lr"]
    assert s2.get_last_lr() == s.get_last_lr()
    for _ in range(10):
        opt.step(), s.step(), opt2.step(), s2.step()
    assert opt2.param_groups[0]["lr"] == opt.param_groups[0]["lr"]


def test_load_state_dict_checks_or_adopts_the_spec():
    a = {"preset": "cosine", "peak": 0.1, "total_steps": 500}
    b = {"preset": "linear", "peak": 0.1, "total_steps": 500}
    _, opt = _fresh(a, [0.1])
    s = pace_torch.PaceLR(opt, a)
    for _ in range(40):
        opt.step()
        s.step()
    state = s.state_dict()
    _, opt2 = _fresh(b, [0.1])
    s2 = pace_torch.PaceLR(opt2, b)
    with pytest.raises(ValueError, match="saved schedule differs"):
        s2.load_state_dict(state)
    assert s2.last_epoch == 0  # unchanged
    s2.load_state_dict(state, strict=False)  # adopts the saved spec
    assert s2.schedule.to_json() == s.schedule.to_json()
    for _ in range(30):
        opt.step(), s.step(), opt2.step(), s2.step()
        assert opt2.param_groups[0]["lr"] == opt.param_groups[0]["lr"]
    assert state["mode"] == "absolute"  # auto: the spec's peak is the optimizer's lr
    with pytest.raises(ValueError, match="mode"):
        pace_torch.PaceLR(opt2, a, mode="relative").load_state_dict(state)
    with pytest.raises(ValueError, match="spec"):
        s2.load_state_dict({"last_epoch": 3})


def test_last_epoch_constructor_and_step_with_epoch():
    spec = {"preset": "onecycle", "peak": 0.1, "total_steps": 300}
    values = pace.Schedule(spec).values(0, 300)
    opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.1)
    opt.param_groups[0]["initial_lr"] = 0.1
    s = pace_torch.PaceLR(opt, spec, last_epoch=99)  # resumes after step 99: sets step 100
    assert s.last_epoch == 100 and opt.param_groups[0]["lr"] == values[100]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # step(epoch) is deprecated in PyTorch
        s.step(250)
    assert s.last_epoch == 250 and opt.param_groups[0]["lr"] == values[250]
    opt.step()
    s.step()
    assert opt.param_groups[0]["lr"] == values[251]


# ---------------------------------------------------------------------------
# Conventions: no step-order warnings, no library call per step


def test_sgd_loop_has_no_warnings():
    param = torch.nn.Parameter(torch.ones(4))
    opt = torch.optim.SGD([param], lr=0.1, momentum=0.9)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        s = pace_torch.PaceLR(opt, {"preset": "cosine", "warmup_steps": 10, "total_steps": 100})
        for _ in range(100):
            opt.zero_grad()
            (param ** 2).sum().backward()
            opt.step()
            s.step()
        s.get_last_lr()
    assert [str(w.message) for w in caught] == []


def test_wrong_step_order_warns_like_pytorch():
    opt = torch.optim.SGD([torch.nn.Parameter(torch.ones(1))], lr=0.1)
    s = pace_torch.PaceLR(opt, {"preset": "cosine", "total_steps": 100})
    with pytest.warns(UserWarning, match="before `optimizer.step\\(\\)`"):
        s.step()
    with pytest.warns(UserWarning, match="get_last_lr"):
        s.get_lr()


def test_no_library_call_per_step(monkeypatch):
    calls = {"fill": 0}
    real_fill = _lib.lib.pace_schedule_fill_f64

    def counting_fill(*args):
        calls["fill"] += 1
        return real_fill(*args)

    def forbidden(*args):
        raise AssertionError("pace_schedule_at called per step")

    monkeypatch.setattr(_lib.lib, "pace_schedule_fill_f64", counting_fill)
    monkeypatch.setattr(_lib.lib, "pace_schedule_at", forbidden)
    opt = torch.optim.SGD([torch.nn.Parameter(torch.ones(1))], lr=0.1)
    s = pace_torch.PaceLR(opt, {"preset": "cosine", "total_steps": 100000}, chunk=4096)
    for _ in range(10000):
        opt.step()
        s.step()
    assert s.last_epoch == 10000
    assert calls["fill"] == math.ceil(10001 / 4096)


def test_added_param_group_is_an_error():
    opt = torch.optim.SGD([torch.nn.Parameter(torch.ones(1))], lr=0.1)
    s = pace_torch.PaceLR(opt, {"preset": "cosine", "total_steps": 100})
    opt.step()
    s.step()
    opt.add_param_group({"params": [torch.nn.Parameter(torch.ones(1))], "lr": 0.2})
    opt.step()
    with pytest.raises(ValueError, match="param groups"):
        s.step()


def test_last_epoch_set_by_hand_is_followed():
    spec = {"preset": "cosine", "peak": 0.1, "warmup_steps": 10, "total_steps": 10000}
    values = pace.Schedule(spec).values(0, 10000)
    opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.1)
    s = pace_torch.PaceLR(opt, spec, chunk=100)
    for _ in range(250):
        opt.step()
        s.step()
    for target in (5, 0, 7000, 6999, 250):  # back, to the start, far ahead, inside the chunk
        s.last_epoch = target
        s.step()
        assert s.last_epoch == target + 1
        assert opt.param_groups[0]["lr"] == values[target + 1]
        assert s.get_last_lr() == [values[target + 1]]


def test_state_dict_holds_no_runtime_objects():
    opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.1)
    s = pace_torch.PaceLR(opt, {"preset": "cosine", "total_steps": 100})
    for _ in range(20):
        opt.step()
        s.step()
    state = s.state_dict()
    assert not [k for k in state if k.startswith("_pace_")]
    assert "optimizer" not in state
    assert state["last_epoch"] == 20 and state["_last_lr"] == [opt.param_groups[0]["lr"]]
    assert state["mode"] == "relative" and json.loads(state["spec"])["total_steps"] == 100
    # Plain data only: it survives a JSON round trip.
    assert json.loads(json.dumps(state)) == state


def test_get_last_lr_follows_every_step_with_several_groups():
    lrs = [0.1, 0.05, 0.02, 0.01]
    spec = {"preset": "onecycle", "peak": 0.1, "total_steps": 500}
    _, s, opt = run(lambda o: pace_torch.PaceLR(o, spec, chunk=64, mode="relative"), lrs, n=300)
    assert s.get_last_lr() == [g["lr"] for g in opt.param_groups]
    values = pace.Schedule(spec).values(0, 301)
    assert s.get_last_lr() == [values[300] * (lr / 0.1) for lr in lrs]


def test_deepcopy_and_sequential_lr():
    spec = {"preset": "cosine", "peak": 0.1, "total_steps": 20}
    values = pace.Schedule(spec).values(0, 20)
    opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.1)
    warmup = sched.LinearLR(opt, start_factor=0.1, total_iters=5)
    body = pace_torch.PaceLR(opt, spec)
    seq = sched.SequentialLR(opt, [warmup, body], milestones=[5])
    seen = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SequentialLR passes epoch= to its schedulers
        for _ in range(15):
            seen.append(opt.param_groups[0]["lr"])
            opt.step()
            seq.step()
    assert seen[5:] == values[:10].tolist()  # the PaceLR part restarts at its step 0
    twin = copy.deepcopy(body)
    assert twin.last_epoch == body.last_epoch and twin.get_last_lr() == body.get_last_lr()
    assert twin.optimizer is not body.optimizer
