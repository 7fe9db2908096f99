"""pace.tune.AutoLRS through the real library (ctypes): the protocol, step
accounting, determinism, state_dict round trips, config errors, and the
learning rates chosen on a synthetic loss surface whose best LR is known."""

from __future__ import annotations

import copy
import ctypes
import json
import math
import os
import pickle
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import pace
import pace.tune
from pace import _lib

ROOT = Path(__file__).resolve().parents[2]
BEST_LR = 3e-3  # the synthetic surface's best learning rate


class Surface:
    """A trainer whose loss relaxes towards a floor that depends on the LR:
    each step L <- c(lr) + (L - c(lr)) * exp(-rate) (+ noise), with
    c(lr) = 1 + 0.5 * log10(lr / BEST_LR)^2, so the loss forecast after any
    number of steps is lowest at BEST_LR. LRs above ``nan_above`` give NaN
    losses (a diverged run). The state is the current loss and the noise
    generator's state."""

    def __init__(self, seed=0, noise=0.005, rate=0.02, nan_above=None):
        self.loss = 5.0
        self.rng = np.random.default_rng(seed)
        self.noise, self.rate, self.nan_above = noise, rate, nan_above
        self.steps = 0

    def step(self, lr):
        self.steps += 1
        if self.nan_above is not None and lr > self.nan_above:
            return float("nan")
        floor = 1.0 + 0.5 * math.log10(lr / BEST_LR) ** 2
        self.loss = floor + (self.loss - floor) * math.exp(-self.rate)
        return self.loss + self.noise * float(self.rng.standard_normal())

    def snapshot(self):
        return (self.loss, copy.deepcopy(self.rng))

    def load(self, snap):
        self.loss, rng = snap
        self.rng = copy.deepcopy(rng)


def drive(tuner, surface, limit=None, saved=None):
    """Runs the protocol (at most ``limit`` actions; ``saved``: the stage's
    checkpoint when starting mid-stage); returns the actions and the
    checkpoint."""
    actions = []
    while limit is None or len(actions) < limit:
        a = tuner.next()
        actions.append(a)
        if a["action"] == "done":
            break
        if a["action"] == "checkpoint":
            saved = surface.snapshot()
        elif a["action"] == "restore":
            surface.load(saved)
        else:
            losses = [surface.step(a["lr"]) for _ in range(a["steps"])]
            if a["report"] == "train":
                tuner.report(losses)
            elif a["report"] == "val":
                tuner.report(losses[a["every"] - 1::a["every"]])
    return actions, saved


def config(**over):
    c = {"min_lr": 1e-4, "max_lr": 1e-1, "total_steps": 3000, "tau": 200, "tau_prime": 20, "candidates": 6,
         "tau_max": 800, "seed": 0}
    c.update(over)
    return c


def train_steps(actions):
    return sum(a["steps"] for a in actions if a["action"] == "train")


def is_exploitation(a):
    """A train action that continues the run (warmup or a stage's
    exploitation): it reports nothing, or in validation mode the one
    validation loss at its end; trials report every step or every `every`."""
    return a["action"] == "train" and (a["report"] == "none" or (a["report"] == "val" and a["every"] == a["steps"]))


def exploit_lrs(actions):
    """The LR of each stage's exploitation."""
    return [a["lr"] for a in actions if is_exploitation(a)]


def test_module_is_importable_and_declared():
    assert "pace_autolrs_next" in _lib.FUNCTIONS
    assert pace.tune.AutoLRS.__module__ == "pace.tune"


def test_import_pace_tune_imports_no_framework():
    code = ("import sys, pace.tune; pace.tune.AutoLRS({'min_lr': 1e-3, 'max_lr': 1e-1, 'total_steps': 5}).next(); "
            "print(','.join(m for m in ('torch', 'jax', 'optax', 'matplotlib') if m in sys.modules))")
    env = dict(os.environ, PYTHONPATH=str(ROOT / "bindings" / "python"))
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == ""


def test_protocol_shape_and_step_accounting():
    with pace.tune.AutoLRS(config()) as t:
        actions, _ = drive(t, Surface())
        assert actions[-1] == {"action": "done"}
        assert t.next() == {"action": "done"}  # done stays done
        assert t.steps_used == 3000
    assert train_steps(actions) == 3000
    kinds = [a["action"] for a in actions]
    assert kinds.count("done") == 1
    assert "checkpoint" in kinds and "restore" in kinds
    first_checkpoint = kinds.index("checkpoint")
    assert "restore" not in kinds[:first_checkpoint]
    for a in actions:
        if a["action"] == "train":
            assert set(a) == {"action", "lr", "steps", "report", "every"}
            assert a["steps"] >= 1 and 1e-4 * (1 - 1e-12) <= a["lr"] <= 1e-1 * (1 + 1e-12)
            assert a["report"] in ("none", "train", "val")
        else:
            assert set(a) == {"action"}
    # trials report training losses; the first stage tries `candidates` LRs of tau' steps
    trials = [a for a in actions if a["action"] == "train" and a["report"] == "train"]
    assert trials and trials[0]["steps"] == 20
    assert len({a["lr"] for a in trials[:6]}) == 6


@pytest.mark.parametrize("total", [1, 7, 199, 1001, 5000])
def test_every_budget_is_spent_exactly(total):
    with pace.tune.AutoLRS(config(total_steps=total)) as t:
        actions, _ = drive(t, Surface())
        assert train_steps(actions) == total == t.steps_used


def test_warmup_is_a_train_action_counted_in_the_budget():
    with pace.tune.AutoLRS(config(warmup_steps=100, warmup_lr=1e-2)) as t:
        actions, _ = drive(t, Surface())
    assert train_steps(actions) == 3000
    trains = [a for a in actions if a["action"] == "train"]
    warm = [a for a in actions[: [a["action"] for a in actions].index("checkpoint")] if a["action"] == "train"]
    assert sum(a["steps"] for a in warm) == 100
    assert all(a["report"] == "none" and a["lr"] <= 1e-2 * (1 + 1e-12) for a in warm)
    assert trains[0] in warm


def test_deterministic_for_a_seed():
    runs = []
    for _ in range(2):
        with pace.tune.AutoLRS(config(seed=7)) as t:
            runs.append((drive(t, Surface(seed=1))[0], t.history))
    assert runs[0] == runs[1]


def test_chosen_lrs_approach_the_known_best():
    with pace.tune.AutoLRS(config(total_steps=6000, candidates=8)) as t:
        actions, _ = drive(t, Surface())
        history = t.history
    chosen = exploit_lrs(actions)
    assert len(chosen) >= 3
    assert len(history) == len(chosen)
    for lr in chosen:  # tried LRs are ~3 decades / 8 apart: the best within half a decade
        assert abs(math.log10(lr / BEST_LR)) < 0.5, (chosen, BEST_LR)


def test_nan_losses_do_not_crash_and_are_avoided():
    with pace.tune.AutoLRS(config()) as t:
        actions, _ = drive(t, Surface(nan_above=2e-2))
        assert t.steps_used == 3000
    for lr in exploit_lrs(actions):
        assert lr <= 2e-2


def test_report_protocol_errors():
    with pace.tune.AutoLRS(config()) as t:
        a = t.next()
        while a["action"] != "train" or a["report"] == "none":
            a = t.next()
        with pytest.raises(pace.PaceError):
            t.next()  # the trial's losses are owed first
        with pytest.raises(pace.PaceError):
            t.report([1.0] * (a["steps"] + 3))  # wrong count
        with pytest.raises(pace.ArgumentError):
            t.report([])
        with pytest.raises(pace.ArgumentError):
            t.report([[1.0, 2.0]])
        t.report([1.0] * a["steps"])
        a = t.next()
        assert a["action"] in ("restore", "train", "checkpoint")


def test_state_dict_mid_stage_continues_identically():
    with pace.tune.AutoLRS(config()) as t:
        surface = Surface(seed=3)
        head, saved = drive(t, surface, limit=9)  # inside the first stage's trials
        assert any(a["action"] == "restore" for a in head)
        sd = t.state_dict()
        assert sd["format"] == "pace-autolrs" and isinstance(sd["state"], bytes)
        twin_surface = Surface(seed=3)
        twin_surface.load(surface.snapshot())
        twin_surface.steps = surface.steps
        with pace.tune.AutoLRS.from_state_dict(pickle.loads(pickle.dumps(sd))) as twin:
            assert twin.steps_used == t.steps_used
            assert twin.history == t.history
            # the restore target (the stage's checkpoint) is the trainer's, not the tuner's
            rest_a = drive(t, surface, saved=saved)[0]
            rest_b = drive(twin, twin_surface, saved=saved)[0]
            assert rest_a == rest_b
            assert t.history == twin.history
            assert t.save() == twin.save()


def test_save_load_save_is_byte_identical_and_damage_is_rejected():
    with pace.tune.AutoLRS(config()) as t:
        drive(t, Surface(), limit=12)
        blob = t.save()
        with pace.tune.AutoLRS.load(blob) as u:
            assert u.save() == blob
        assert pickle.loads(pickle.dumps(t)).save() == blob
        assert copy.deepcopy(t).save() == blob
    for damaged in (blob[:-1], blob[: len(blob) // 2], b"", bytes(8)):
        with pytest.raises(pace.StateError):
            pace.tune.AutoLRS.load(damaged)
    for i in range(0, len(blob), max(1, len(blob) // 64)):
        flipped = bytearray(blob)
        flipped[i] ^= 0x40
        with pytest.raises((pace.StateError, pace.VersionError)):
            pace.tune.AutoLRS.load(bytes(flipped))
    with pytest.raises(pace.StateError):
        pace.tune.AutoLRS.from_state_dict({"format": "something-else", "state": blob})


@pytest.mark.parametrize("bad, field", [
    ({"max_lr": 1e-1, "total_steps": 10}, "min_lr"),
    ({"min_lr": 1e-4, "total_steps": 10}, "max_lr"),
    ({"min_lr": 1e-4, "max_lr": 1e-1}, "total_steps"),
    (config(min_lr=-1.0), "min_lr"),
    (config(min_lr=0.0), "min_lr"),
    (config(max_lr=1e-5), "max_lr"),
    (config(max_lr=float("inf")), "max_lr"),
    (config(total_steps=0), "total_steps"),
    (config(total_steps=-5), "total_steps"),
    (config(total_steps=10.5), "total_steps"),
    (config(tau=0), "tau"),
    (config(tau_prime=0), "tau_prime"),
    (config(tau_prime=5), "tau_prime"),
    (config(candidates=1000), "candidates"),
    (config(tau_max=100), "tau_max"),
    (config(warmup_steps=10), "warmup_lr"),
    (config(seed=2**64), "seed"),
    (config(candidates=0), "candidates"),
    (config(seed=-1), "seed"),
    (config(warmup_steps=-1), "warmup_steps"),
    (config(warmup_lr=float("nan")), "warmup_lr"),
    (config(val_every=0), "val_every"),
    (config(tau="1000"), "tau"),
    (config(candidates=True), "candidates"),
    (config(learning_rate=0.1), "learning_rate"),
])
def test_bad_configs_name_the_field(bad, field):
    with pytest.raises(pace.SpecError) as exc:
        pace.tune.AutoLRS(bad)
    assert field in str(exc.value)


@pytest.mark.parametrize("text, field", [
    ('{"max_lr": 0.1, "total_steps": 10}', "min_lr"),
    ('{"min_lr": 0.1, "max_lr": 0.01, "total_steps": 10}', "max_lr"),
    ('{"min_lr": 0.001, "max_lr": 0.1, "total_steps": -3}', "total_steps"),
    ('{"min_lr": 0.001, "max_lr": 0.1, "total_steps": 100, "tau": 0}', "tau"),
    ('{"min_lr": 0.001, "max_lr": 0.1, "total_steps": 100, "candidates": "x"}', "candidates"),
])
def test_the_library_itself_names_the_field(text, field):
    """The C entry point checks too (C and C++ callers have no binding)."""
    handle = pace.tune.AUTOLRS_P()
    status = _lib.lib.pace_autolrs_create(text.encode(), ctypes.byref(handle))
    assert status != _lib.PACE_OK and not handle
    assert field in _lib.lib.pace_last_error().decode()
    status = _lib.lib.pace_autolrs_create(b"{not json", ctypes.byref(handle))
    assert status != _lib.PACE_OK and not handle


def test_json_text_config_and_bad_json():
    with pace.tune.AutoLRS(json.dumps(config(total_steps=50))) as t:
        assert train_steps(drive(t, Surface())[0]) == 50
    with pytest.raises(pace.SpecError):
        pace.tune.AutoLRS("{min_lr: 1")
    with pytest.raises(TypeError):
        pace.tune.AutoLRS([1, 2])


def test_closed_tuner_raises():
    t = pace.tune.AutoLRS(config())
    t.close()
    with pytest.raises(ValueError):
        t.next()
    t.close()


def test_numpy_example_runs():
    r = subprocess.run([sys.executable, str(ROOT / "examples" / "python" / "autolrs_numpy.py"), "--steps", "1200",
                        "--tau", "160", "--tau-prime", "16", "--candidates", "4"],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert "1200 optimizer steps" in r.stdout and "final training loss" in r.stdout
    assert "stage 0 at step 0: 4 train trials of 16 steps" in r.stdout
