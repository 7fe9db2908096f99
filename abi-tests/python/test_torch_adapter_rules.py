"""pace.torch adapters that never surprise (issue 16, part 2).

- A spec's ``peak`` is never ignored silently: with the default
  ``mode="auto"`` a peak that differs from the optimizer's lr is an error
  that explains both modes, in ``PaceLR`` and ``PaceRuntimeScheduler`` alike,
  and the two adapters give the same lrs in every mode.
- The ``onecycle`` preset through either adapter cycles momentum (SGD) or
  Adam's ``betas[0]`` like ``torch.optim.lr_scheduler.OneCycleLR``, step by
  step (same defaults, ``cycle_momentum=False`` switch), and resumes.
- ``{"preset": "onecycle", "total_steps": N}`` has ``total_steps == N``: a
  stepper stopped there gives exactly the N lrs torch's OneCycleLR gives.
"""

from __future__ import annotations

import numpy as np
import pytest

import pace
from pace_testutil import assert_conforms

torch = pytest.importorskip("torch", reason="PyTorch is not installed: pace.torch adapter tests skipped")
import pace.torch as pt  # noqa: E402
from torch.optim import lr_scheduler as lrs  # noqa: E402

N = 300


def params():
    return [torch.nn.Parameter(torch.zeros(3, dtype=torch.float64))]


def run(opt, sched, n, runtime=False):
    """The param groups' (lr, momentum or betas[0]) at steps 0 .. n-1."""
    rows = []
    for t in range(n):
        rows.append([(g["lr"], g["betas"][0] if "betas" in g else g.get("momentum")) for g in opt.param_groups])
        if t < n - 1:
            opt.step()
            sched.step()
    return np.array(rows, dtype=np.float64)  # (steps, groups, 2)


# ---------------------------------------------------------------------------
# peak and the optimizer's lrs


COSINE = {"preset": "cosine", "peak": 3e-4, "warmup_steps": 10, "total_steps": N}
SHAPE = {"preset": "cosine", "warmup_steps": 10, "total_steps": N}  # no peak: a multiplier


def test_the_issues_case_is_an_error_explaining_both_modes_in_both_adapters():
    spec = {"preset": "constant", "peak": 3e-4}
    for make in (lambda o: pt.PaceLR(o, spec), lambda o: pt.PaceRuntimeScheduler(o, {"channels": {"lr": spec}})):
        opt = torch.optim.AdamW(params(), lr=1e-3)
        with pytest.raises(ValueError) as err:
            make(opt)
        text = str(err.value)
        assert "peak is 0.0003" in text and "lr 0.001" in text
        assert "mode='absolute'" in text and "mode='relative'" in text and "drop 'peak'" in text
        assert opt.param_groups[0]["lr"] == 1e-3  # nothing changed


@pytest.mark.parametrize("spec, lr, mode, expected", [
    (COSINE, 3e-4, "auto", "absolute"),      # peak given and the optimizer agrees
    (SHAPE, 1e-3, "auto", "relative"),       # no peak: the spec multiplies the optimizer's lr
    (COSINE, 1e-3, "absolute", "absolute"),  # asked for
    (COSINE, 1e-3, "relative", "relative"),
])
def test_both_adapters_agree_in_every_mode(spec, lr, mode, expected):
    opt_a = torch.optim.SGD(params(), lr=lr)
    a = pt.PaceLR(opt_a, spec, mode=mode)
    opt_b = torch.optim.SGD(params(), lr=lr)
    b = pt.PaceRuntimeScheduler(opt_b, {"channels": {"lr": spec}}, mode=mode)
    assert a.mode == b.mode == expected
    got_a, got_b = run(opt_a, a, N), run(opt_b, b, N)
    np.testing.assert_array_equal(got_a[:, 0, 0], got_b[:, 0, 0])
    values = pace.Schedule(spec).values(0, N)
    peak = spec.get("peak", 1.0)
    want = values if expected == "absolute" else values * (lr / peak)
    np.testing.assert_array_equal(got_a[:, 0, 0], want)


def test_relative_groups_keep_their_ratio_and_runtime_group_scales_count():
    opt = torch.optim.SGD([{"params": params(), "lr": 0.1}, {"params": params(), "lr": 0.01}], lr=0.1)
    sched = pt.PaceLR(opt, SHAPE)
    got = run(opt, sched, 50)
    m = pace.Schedule(SHAPE).values(0, 50)
    np.testing.assert_array_equal(got[:, 0, 0], m * 0.1)
    np.testing.assert_array_equal(got[:, 1, 0], m * 0.01)
    # A runtime group whose lr scale is 0.5: the optimizer may hold the peak or the peak x scale.
    config = {"channels": {"lr": COSINE}, "groups": [{"name": "a"}, {"name": "b", "scale": {"lr": 0.5}}]}
    for lrs_ in ((3e-4, 3e-4), (3e-4, 1.5e-4)):
        opt = torch.optim.SGD([{"params": params(), "lr": lrs_[0]}, {"params": params(), "lr": lrs_[1]}])
        pt.PaceRuntimeScheduler(opt, config)
        assert opt.param_groups[1]["lr"] == pace.Schedule(COSINE).at(0) * 0.5
    opt = torch.optim.SGD([{"params": params(), "lr": 3e-4}, {"params": params(), "lr": 1e-4}])
    with pytest.raises(ValueError, match=r"(?s)group 1 has lr 0.0001.*0.00015"):
        pt.PaceRuntimeScheduler(opt, config)


def test_a_schedule_object_counts_as_giving_its_peak():
    opt = torch.optim.SGD(params(), lr=0.1)
    with pytest.raises(ValueError, match="mode="):
        pt.PaceLR(opt, pace.Schedule(COSINE))
    assert pt.PaceLR(opt, pace.Schedule(SHAPE)).mode == "relative"  # peak 1: a multiplier


def test_a_runtime_object_is_absolute_and_refuses_relative():
    opt = torch.optim.SGD(params(), lr=0.5)
    rt = pace.Runtime({"channels": {"lr": COSINE}})
    sched = pt.PaceRuntimeScheduler(opt, rt)
    assert sched.mode == "absolute" and opt.param_groups[0]["lr"] == pace.Schedule(COSINE).at(0)
    with pytest.raises(ValueError, match="relative.*config"):
        pt.PaceRuntimeScheduler(torch.optim.SGD(params(), lr=0.5), rt, mode="relative")
    with pytest.raises(ValueError, match="mode must be"):
        pt.PaceLR(opt, COSINE, mode="shape")


def test_modes_survive_a_checkpoint_and_a_different_mode_is_refused():
    for make in (lambda o, m: pt.PaceLR(o, COSINE, mode=m),
                 lambda o, m: pt.PaceRuntimeScheduler(o, {"channels": {"lr": COSINE}}, mode=m)):
        opt = torch.optim.SGD(params(), lr=1e-3)
        sched = make(opt, "relative")
        full = run(opt, sched, 40)
        state = sched.state_dict()
        opt2 = torch.optim.SGD(params(), lr=1e-3)
        resumed = make(opt2, "relative")
        resumed.load_state_dict(state)
        assert opt2.param_groups[0]["lr"] == full[39, 0, 0]
        other = make(torch.optim.SGD(params(), lr=1e-3), "absolute")
        with pytest.raises(ValueError, match="mode"):
            other.load_state_dict(state)


# ---------------------------------------------------------------------------
# OneCycle momentum, against torch's OneCycleLR


ONECYCLE = [  # max_lr, total, pct, anneal, three_phase, base_momentum, max_momentum
    (0.1, N, 0.3, "cos", False, 0.85, 0.95),
    (0.01, 257, 0.25, "linear", False, 0.8, 0.9),
    (0.1, N, 0.2, "cos", True, 0.85, 0.95),
    (0.05, 1000, 0.333, "cos", False, 0.5, 0.99),
]


def onecycle_spec(max_lr, total, pct, anneal, three):
    return {"preset": "onecycle", "peak": max_lr, "total_steps": total, "pct_start": pct, "anneal": anneal,
            "three_phase": three}


def torch_reference(make_opt, max_lr, total, pct, anneal, three, base, top, cycle=True):
    opt = make_opt()
    sched = lrs.OneCycleLR(opt, max_lr=max_lr, total_steps=total, pct_start=pct, anneal_strategy=anneal,
                           three_phase=three, base_momentum=base, max_momentum=top, cycle_momentum=cycle)
    return run(opt, sched, total)


OPTIMIZERS = {
    "sgd": lambda lr=0.1: torch.optim.SGD(params(), lr=lr, momentum=0.9),
    "adam": lambda lr=0.1: torch.optim.Adam(params(), lr=lr, betas=(0.9, 0.999)),
}


@pytest.mark.parametrize("case", ONECYCLE)
@pytest.mark.parametrize("opt_name", sorted(OPTIMIZERS))
@pytest.mark.parametrize("adapter", ["PaceLR", "PaceRuntimeScheduler"])
def test_onecycle_cycles_momentum_like_torch_step_by_step(adapter, opt_name, case):
    max_lr, total, pct, anneal, three, base, top = case
    make_opt = lambda: OPTIMIZERS[opt_name](max_lr)  # noqa: E731
    ref = torch_reference(make_opt, max_lr, total, pct, anneal, three, base, top)
    spec = onecycle_spec(max_lr, total, pct, anneal, three)
    opt = make_opt()
    if adapter == "PaceLR":
        sched = pt.PaceLR(opt, spec, base_momentum=base, max_momentum=top)
    else:
        sched = pt.PaceRuntimeScheduler(opt, {"channels": {"lr": spec}}, base_momentum=base, max_momentum=top)
        assert sched.channels == ("lr", "momentum")
    ours = run(opt, sched, total)
    case_name = "%s %s %s" % (adapter, opt_name, spec)
    assert_conforms(ours[:, 0, 0], ref[:, 0, 0], library="torch", preset="OneCycleLR lr (adapter)", case=case_name,
                    peak=max_lr, spec=spec)
    assert_conforms(ours[:, 0, 1], ref[:, 0, 1], library="torch", preset="OneCycleLR momentum", case=case_name,
                    peak=top)
    if opt_name == "adam":
        assert all(g["betas"][1] == 0.999 and isinstance(g["betas"], tuple) for g in opt.param_groups)


@pytest.mark.parametrize("adapter", ["PaceLR", "PaceRuntimeScheduler"])
def test_cycle_momentum_false_leaves_momentum_alone_like_torch(adapter):
    spec = onecycle_spec(0.1, N, 0.3, "cos", False)
    ref = torch_reference(OPTIMIZERS["sgd"], 0.1, N, 0.3, "cos", False, 0.85, 0.95, cycle=False)
    opt = OPTIMIZERS["sgd"]()
    sched = (pt.PaceLR(opt, spec, cycle_momentum=False) if adapter == "PaceLR"
             else pt.PaceRuntimeScheduler(opt, {"channels": {"lr": spec}}, cycle_momentum=False))
    ours = run(opt, sched, N)
    assert (ours[:, 0, 1] == 0.9).all() and (ref[:, 0, 1] == 0.9).all()
    assert_conforms(ours[:, 0, 0], ref[:, 0, 0], library="torch", preset="OneCycleLR lr (adapter)",
                    case="cycle_momentum=False", peak=0.1, spec=spec)


def test_momentum_cycling_needs_a_momentum_like_torch():
    spec = onecycle_spec(0.1, N, 0.3, "cos", False)
    with pytest.raises(ValueError):
        lrs.OneCycleLR(torch.optim.Adagrad(params(), lr=0.1), max_lr=0.1, total_steps=N)
    for make in (lambda o: pt.PaceLR(o, spec), lambda o: pt.PaceRuntimeScheduler(o, {"channels": {"lr": spec}})):
        with pytest.raises(ValueError, match="cycle_momentum=False"):
            make(torch.optim.Adagrad(params(), lr=0.1))
        make(torch.optim.SGD(params(), lr=0.1))  # SGD has a momentum (0 here): cycled, as torch does
    # An explicit momentum channel wins: none is added.
    config = {"channels": {"lr": spec, "momentum": {"peak": 0.9, "phases": [{"shape": "constant"}]}}}
    opt = OPTIMIZERS["sgd"]()
    sched = pt.PaceRuntimeScheduler(opt, config)
    assert sched.channels == ("lr", "momentum") and opt.param_groups[0]["momentum"] == 0.9


def test_onecycle_momentum_resumes_bit_for_bit():
    spec = onecycle_spec(0.1, N, 0.3, "cos", False)
    opt = OPTIMIZERS["adam"]()
    full = run(opt, pt.PaceLR(opt, spec), N)
    opt = OPTIMIZERS["adam"]()
    sched = pt.PaceLR(opt, spec)
    first = run(opt, sched, 120)
    opt.step()
    sched.step()
    state = sched.state_dict()
    assert state["momentum_spec"] is not None
    opt2 = OPTIMIZERS["adam"]()
    resumed = pt.PaceLR(opt2, spec)
    resumed.load_state_dict(state)
    rest = run(opt2, resumed, N - 120)
    np.testing.assert_array_equal(np.concatenate([first, rest]), full)
    plain = pt.PaceLR(OPTIMIZERS["adam"](), spec, cycle_momentum=False)
    with pytest.raises(ValueError, match="momentum"):
        plain.load_state_dict(state)


# ---------------------------------------------------------------------------
# total_steps of the onecycle preset


@pytest.mark.parametrize("total, three", [(1000, False), (997, True), (2, False)])
def test_onecycle_total_steps_is_the_number_given_and_a_stepper_plays_torchs_run(total, three):
    pct = 0.3 if total > 2 else 0.9
    spec = onecycle_spec(0.1, total, pct, "cos", three)
    s = pace.Schedule(spec)
    assert s.total_steps == total
    played = list(s.stepper(stop=s.total_steps))
    assert len(played) == total
    ref = torch_reference(OPTIMIZERS["sgd"], 0.1, total, pct, "cos", three, 0.85, 0.95)
    assert_conforms(played, ref[:, 0, 0], library="torch", preset="OneCycleLR", case="stepper %s" % spec,
                    peak=0.1, spec=spec)
