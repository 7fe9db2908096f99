"""Conformance of Pace's Hugging Face presets with transformers'
get_*_schedule functions (transformers/optimization.py), step for step in
float64, for every step below the preset's total.

The reference is built by the real transformers function on an SGD optimizer
over one dummy parameter; the lr of step t is base_lr * lr_lambdas[0](t),
which is exactly what LambdaLR.get_lr computes (closed form: no recursion, so
the tight tolerance 1e-12 applies everywhere). One case per preset is also
checked by stepping the scheduler.

timm's CosineLRScheduler (timm_cosine) is checked here as well when timm is
importable.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="PyTorch is not installed (transformers' schedulers need it)")
transformers = pytest.importorskip("transformers", reason="transformers is not installed: HF conformance skipped")
from transformers import optimization as hfopt  # noqa: E402

from pace_testutil import CANCELLATION_ABS, assert_conforms, ours_values  # noqa: E402

LIB = "hf"


def make_optimizer(lr):
    param = torch.nn.Parameter(torch.zeros(1, dtype=torch.float64))
    return torch.optim.SGD([param], lr=lr)


def hf_lambda_lrs(factory, lr, n, **kwargs):
    """base_lr * lr_lambdas[0](t) for t in 0..n-1, from the real scheduler."""
    opt = make_optimizer(lr)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scheduler = factory(opt, **kwargs)
    base_lr = scheduler.base_lrs[0]
    assert base_lr == lr
    lam = scheduler.lr_lambdas[0]
    return np.array([base_lr * lam(t) for t in range(n)], dtype=np.float64)


def hf_stepped_lrs(factory, lr, n, **kwargs):
    """The lr read from the optimizer before each scheduler.step()."""
    opt = make_optimizer(lr)
    out = np.empty(n)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scheduler = factory(opt, **kwargs)
        for t in range(n):
            out[t] = opt.param_groups[0]["lr"]
            opt.step()
            scheduler.step()
    return out


def check(spec, factory, peak, n, preset, stepped=False, **kwargs):
    ours = ours_values(spec, n)
    ref = hf_lambda_lrs(factory, peak, n, **kwargs)
    # cosine_with_restarts: HF's 1 + cos((c * progress) % 1) cancels at each cycle's end (see
    # pace_testutil.CANCELLATION_ABS); every other HF preset is held to 1e-12 relative.
    abs_peak = CANCELLATION_ABS if preset == "cosine_with_restarts" else 0.0
    assert_conforms(ours, ref, library=LIB, preset=preset, case=str(spec), peak=peak, spec=spec, abs_peak=abs_peak)
    if stepped:
        assert_conforms(ours, hf_stepped_lrs(factory, peak, n, **kwargs), library=LIB, preset=preset,
                        case="stepped " + str(spec), peak=peak, spec=spec, abs_peak=abs_peak)


# ---------------------------------------------------------------------------


@pytest.mark.parametrize("peak, warmup", [(3e-4, 100), (0.1, 0), (1.0, 1), (3e-4, 999)])
@pytest.mark.parametrize("preset", ["constant_with_warmup", "constant"])
def test_constant_with_warmup(preset, peak, warmup):
    spec = {"preset": preset, "peak": peak, "warmup_steps": warmup}
    check(spec, hfopt.get_constant_schedule_with_warmup, peak, 1500, preset,
          stepped=warmup == 100, num_warmup_steps=warmup)


@pytest.mark.parametrize("peak, warmup, total", [(3e-4, 100, 1000), (0.1, 0, 1000), (1.0, 10, 1500), (3e-4, 1, 1200)])
def test_linear(peak, warmup, total):
    spec = {"preset": "linear", "peak": peak, "warmup_steps": warmup, "total_steps": total}
    check(spec, hfopt.get_linear_schedule_with_warmup, peak, total, "linear", stepped=warmup == 100,
          num_warmup_steps=warmup, num_training_steps=total)


COSINE = [
    # (peak, warmup, total, num_cycles)
    (3e-4, 100, 1000, 0.5),
    (0.1, 0, 1000, 0.5),
    (1.0, 50, 1050, 1.0),
    (3e-4, 100, 1300, 2.0),
    (0.1, 0, 1200, 1.0),
    (0.1, 37, 1237, 0.75),
]


@pytest.mark.parametrize("peak, warmup, total, cycles", COSINE)
def test_cosine(peak, warmup, total, cycles):
    spec = {"preset": "cosine", "peak": peak, "warmup_steps": warmup, "total_steps": total, "cycles": cycles}
    check(spec, hfopt.get_cosine_schedule_with_warmup, peak, total, "cosine", stepped=warmup == 100,
          num_warmup_steps=warmup, num_training_steps=total, num_cycles=cycles)


COSINE_MIN_LR = [
    # (peak, warmup, total, num_cycles, min_lr_rate)
    (3e-4, 100, 1000, 0.5, 0.1),
    (0.1, 0, 1000, 0.5, 0.01),
    (1.0, 50, 1250, 1.0, 0.05),
    (3e-4, 20, 1020, 2.0, 0.3),
]


@pytest.mark.parametrize("peak, warmup, total, cycles, rate", COSINE_MIN_LR)
def test_cosine_with_min_lr(peak, warmup, total, cycles, rate):
    spec = {"preset": "cosine", "peak": peak, "warmup_steps": warmup, "total_steps": total, "cycles": cycles,
            "min_ratio": rate}
    check(spec, hfopt.get_cosine_with_min_lr_schedule_with_warmup, peak, total, "cosine (cosine_with_min_lr)",
          stepped=warmup == 100, num_warmup_steps=warmup, num_training_steps=total, num_cycles=cycles,
          min_lr_rate=rate)


def test_cosine_with_min_lr_given_as_min_lr():
    peak, warmup, total, min_lr = 3e-4, 100, 1000, 3e-6
    spec = {"preset": "cosine", "peak": peak, "warmup_steps": warmup, "total_steps": total, "min_ratio": min_lr / peak}
    check(spec, hfopt.get_cosine_with_min_lr_schedule_with_warmup, peak, total, "cosine (cosine_with_min_lr)",
          num_warmup_steps=warmup, num_training_steps=total, min_lr=min_lr)


RESTARTS = [
    # (peak, warmup, total, num_cycles)
    (3e-4, 100, 1000, 1),
    (0.1, 100, 1000, 3),      # cycles of 300
    (1.0, 0, 1000, 3),        # cycles of 333.33...: non-integer boundaries
    (0.1, 37, 1237, 3),
    (3e-4, 0, 1200, 7),       # cycles of 171.43...
    (0.1, 10, 1010, 4),
    # Near the end of a cycle 1 + cos(pi x) cancels, and HF's
    # x = (cycles * progress) % 1 and Pace's (u - k L) / L differ by an ulp:
    # fail at 1e-12 (~1.9e-11 at step 768, ~1.2e-11 at step 822), both
    # equally far from the exact value. Left failing: reported.
    (3e-4, 37, 951, 5),
    (0.1, 0, 1439, 7),
]


@pytest.mark.parametrize("peak, warmup, total, cycles", RESTARTS)
def test_cosine_with_restarts(peak, warmup, total, cycles):
    spec = {"preset": "cosine_with_restarts", "peak": peak, "warmup_steps": warmup, "total_steps": total,
            "cycles": cycles}
    check(spec, hfopt.get_cosine_with_hard_restarts_schedule_with_warmup, peak, total, "cosine_with_restarts",
          stepped=warmup == 100, num_warmup_steps=warmup, num_training_steps=total, num_cycles=cycles)


POLYNOMIAL = [
    # (peak, warmup, total, lr_end or None for HF's default 1e-7, power)
    (3e-4, 100, 1000, None, 1.0),
    (1e-3, 100, 1000, 1e-5, 2.0),
    (0.1, 0, 1200, 1e-4, 0.5),
    (1.0, 50, 1050, 0.0, 3.0),
    (3e-4, 10, 1010, 3e-6, 1.0),
]


@pytest.mark.parametrize("peak, warmup, total, lr_end, power", POLYNOMIAL)
def test_polynomial(peak, warmup, total, lr_end, power):
    spec = {"preset": "polynomial", "peak": peak, "warmup_steps": warmup, "total_steps": total, "power": power}
    kwargs = {"num_warmup_steps": warmup, "num_training_steps": total, "power": power}
    if lr_end is not None:
        spec["end_ratio"] = lr_end / peak
        kwargs["lr_end"] = lr_end
    check(spec, hfopt.get_polynomial_decay_schedule_with_warmup, peak, total, "polynomial",
          stepped=warmup == 100, **kwargs)


INVERSE_SQRT = [
    # (peak, warmup, timescale or None for HF's default)
    (1e-3, 100, None),       # timescale = warmup
    (0.1, 0, None),          # timescale = 10000
    (1e-3, 100, 500),
    (1.0, 250, 40),
    (3e-4, 0, 1),
]


@pytest.mark.parametrize("peak, warmup, timescale", INVERSE_SQRT)
def test_inverse_sqrt(peak, warmup, timescale):
    spec = {"preset": "inverse_sqrt", "peak": peak, "warmup_steps": warmup}
    kwargs = {"num_warmup_steps": warmup}
    if timescale is not None:
        spec["timescale"] = timescale
        kwargs["timescale"] = timescale
    check(spec, hfopt.get_inverse_sqrt_schedule, peak, 3000, "inverse_sqrt", stepped=warmup == 100, **kwargs)


WSD_SHAPES = [(w, d) for w in ("linear", "cosine", "1-sqrt") for d in ("linear", "cosine", "1-sqrt")]


@pytest.mark.parametrize("warmup_type, decay_type", WSD_SHAPES)
@pytest.mark.parametrize("peak, warmup, stable, decay, min_ratio", [
    (3e-4, 100, 600, 300, 0.0),
    (0.1, 100, 500, 400, 0.1),
    (1.0, 0, 700, 333, 0.01),
    (0.1, 37, 0, 1000, 0.05),
])
def test_wsd(peak, warmup, stable, decay, min_ratio, warmup_type, decay_type):
    spec = {"preset": "wsd", "peak": peak, "warmup_steps": warmup, "stable_steps": stable, "decay_steps": decay,
            "warmup_type": warmup_type, "decay_type": decay_type, "min_ratio": min_ratio}
    total = warmup + stable + decay
    check(spec, hfopt.get_wsd_schedule, peak, total, "wsd", stepped=warmup == 100 and stable == 600,
          num_warmup_steps=warmup, num_stable_steps=stable, num_decay_steps=decay, warmup_type=warmup_type,
          decay_type=decay_type, min_lr_ratio=min_ratio)


def test_wsd_total_steps_form():
    peak = 3e-4
    spec = {"preset": "wsd", "peak": peak, "warmup_steps": 100, "decay_steps": 300, "total_steps": 1200,
            "decay_type": "linear"}
    check(spec, hfopt.get_wsd_schedule, peak, 1200, "wsd", num_warmup_steps=100, num_decay_steps=300,
          num_training_steps=1200, decay_type="linear")


# ---------------------------------------------------------------------------
# timm CosineLRScheduler (only when timm is importable; never installed here)


TIMM = [
    # (peak, t_initial, lr_min_ratio, warmup_t, warmup_lr_init_ratio, warmup_prefix, cycle_mul, cycle_decay, cycle_limit, steps)
    (0.1, 1000, 0.0, 0, 0.0, False, 1.0, 1.0, 1, 1000),
    (0.1, 1000, 0.01, 50, 0.001, False, 1.0, 1.0, 1, 1000),
    (3e-4, 900, 0.01, 100, 0.0, True, 1.0, 1.0, 1, 1000),
    (0.1, 300, 0.01, 20, 0.001, False, 2.0, 0.5, 3, 2100),
    (1.0, 250, 0.0, 0, 0.0, False, 1.0, 0.8, 4, 1000),
]


@pytest.mark.parametrize("peak, t_initial, lr_min, warmup_t, warmup_init, prefix, mul, cdecay, limit, n", TIMM)
def test_timm_cosine(peak, t_initial, lr_min, warmup_t, warmup_init, prefix, mul, cdecay, limit, n):
    timm_scheduler = pytest.importorskip("timm.scheduler", reason="timm is not installed: timm_cosine conformance skipped")
    spec = {"preset": "timm_cosine", "peak": peak, "t_initial": t_initial, "lr_min_ratio": lr_min,
            "warmup_t": warmup_t, "warmup_lr_init_ratio": warmup_init, "warmup_prefix": prefix,
            "cycle_mul": mul, "cycle_decay": cdecay, "cycle_limit": limit}
    opt = make_optimizer(peak)
    s = timm_scheduler.CosineLRScheduler(opt, t_initial=t_initial, lr_min=lr_min * peak, warmup_t=warmup_t,
                                         warmup_lr_init=warmup_init * peak, warmup_prefix=prefix,
                                         cycle_mul=mul, cycle_decay=cdecay, cycle_limit=limit, t_in_epochs=False)
    ref = np.array([s._get_lr(t)[0] for t in range(n)], dtype=np.float64)
    ours = ours_values(spec, n)
    assert_conforms(ours, ref, library="timm", preset="timm_cosine", case=str(spec), peak=peak, spec=spec)
