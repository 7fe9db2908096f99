"""pace.torch.train_with_autolrs on a small real torch model: every optimizer
step is counted, train actions set the LR, restores really restore the
checkpointed model and optimizer, and the final model is exactly what an
independent replay of the same actions gives."""

from __future__ import annotations

import copy
import subprocess
import sys
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")

import pace  # noqa: E402
import pace.torch  # noqa: E402
import pace.tune  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
CONFIG = {"min_lr": 1e-4, "max_lr": 1e-1, "tau": 160, "tau_prime": 16, "candidates": 4, "tau_max": 640, "seed": 0}
TOTAL = 700


class Task:
    """A 8-16-1 MLP regressed on fixed data with SGD + momentum (so the
    optimizer has state to checkpoint). Batch k is a pure function of the
    call count k, so a replay sees the same batches."""

    def __init__(self):
        torch.manual_seed(0)
        g = torch.Generator().manual_seed(1)
        self.x = torch.randn(256, 8, generator=g)
        self.y = torch.sin(self.x.sum(1, keepdim=True))
        self.model = torch.nn.Sequential(torch.nn.Linear(8, 16), torch.nn.Tanh(), torch.nn.Linear(16, 1))
        self.optimizer = torch.optim.SGD(self.model.parameters(), lr=0.0, momentum=0.9)
        self.calls = 0
        self.lrs = []

    def train_step(self):
        idx = torch.arange(self.calls * 16, self.calls * 16 + 16) % 256
        self.calls += 1
        self.lrs.append(self.optimizer.param_groups[0]["lr"])
        self.optimizer.zero_grad(set_to_none=True)
        loss = torch.nn.functional.mse_loss(self.model(self.x[idx]), self.y[idx])
        loss.backward()
        self.optimizer.step()
        return loss

    def val_loss(self):
        return torch.nn.functional.mse_loss(self.model(self.x), self.y)

    def state(self):
        return (copy.deepcopy(self.model.state_dict()), copy.deepcopy(self.optimizer.state_dict()["state"]))


def same_state(a, b):
    (ma, oa), (mb, ob) = a, b
    if ma.keys() != mb.keys() or any(not torch.equal(ma[k], mb[k]) for k in ma):
        return False
    if oa.keys() != ob.keys():
        return False
    for k in oa:
        for name, v in oa[k].items():
            w = ob[k][name]
            if isinstance(v, torch.Tensor) and not torch.equal(v, w):
                return False
    return True


@pytest.fixture
def spied():
    """Runs train_with_autolrs recording, at every action, the model and
    optimizer state left by the previous action, and the action."""
    task = Task()
    record = []
    tuner = pace.torch.train_with_autolrs(task.model, task.optimizer, task.train_step, TOTAL, dict(CONFIG),
                                          val_loss=task.val_loss,
                                          on_action=lambda a: record.append((task.state(), a)))
    yield task, tuner, record
    tuner.close()


def test_optimizer_steps_equal_total_steps(spied):
    task, tuner, record = spied
    assert task.calls == TOTAL
    assert tuner.steps_used == TOTAL
    assert sum(a["steps"] for _, a in record if a["action"] == "train") == TOTAL
    assert record[-1][1] == {"action": "done"}


def test_train_actions_set_the_lr(spied):
    task, _, record = spied
    expected = [a["lr"] for _, a in record if a["action"] == "train" for _ in range(a["steps"])]
    assert task.lrs == expected


def test_restores_restore_the_checkpoint(spied):
    _, _, record = spied
    checkpoint = None
    restores = 0
    for i, (before, action) in enumerate(record):
        if action["action"] == "checkpoint":
            checkpoint = before
        elif action["action"] == "restore":
            after = record[i + 1][0]  # the state the restore left
            assert not same_state(before, checkpoint)  # the trial moved the model...
            assert same_state(after, checkpoint)  # ...and the restore brought it back exactly
            restores += 1
    assert restores >= 6


def test_final_model_equals_a_replay_of_the_actions(spied):
    task, _, record = spied
    replay = Task()
    saved = None
    for _, a in record:
        if a["action"] == "checkpoint":
            saved = (copy.deepcopy(replay.model.state_dict()), copy.deepcopy(replay.optimizer.state_dict()))
        elif a["action"] == "restore":
            replay.model.load_state_dict(saved[0])
            replay.optimizer.load_state_dict(copy.deepcopy(saved[1]))
        elif a["action"] == "train":
            for group in replay.optimizer.param_groups:
                group["lr"] = a["lr"]
            for _ in range(a["steps"]):
                replay.train_step()
    assert replay.calls == TOTAL
    assert same_state(replay.state(), task.state())


def test_val_losses_are_asked_in_validation_mode():
    task = Task()
    asked = []

    def val_loss():
        asked.append(task.calls)
        return task.val_loss()

    actions = []
    cfg = dict(CONFIG, tau=32, tau_prime=16, tau_max=32, val_every=4)
    tuner = pace.torch.train_with_autolrs(task.model, task.optimizer, task.train_step, 600, cfg, val_loss=val_loss,
                                          on_action=actions.append)
    tuner.close()
    val_actions = [a for a in actions if a["action"] == "train" and a["report"] == "val"]
    assert val_actions, "the tuner never reached validation mode"
    assert len(asked) == sum(a["steps"] // a["every"] for a in val_actions)
    assert task.calls == 600


def test_argument_errors():
    task = Task()
    with pytest.raises(pace.SpecError, match="total_steps"):
        pace.torch.train_with_autolrs(task.model, task.optimizer, task.train_step, 0, CONFIG)
    with pytest.raises(pace.SpecError, match="total_steps"):
        pace.torch.train_with_autolrs(task.model, task.optimizer, task.train_step, 10, dict(CONFIG, total_steps=5))
    with pytest.raises(pace.SpecError, match="max_lr"):
        pace.torch.train_with_autolrs(task.model, task.optimizer, task.train_step, 10, {"min_lr": 1e-3})
    with pytest.raises(pace.ArgumentError, match="scalar"):
        pace.torch.train_with_autolrs(task.model, task.optimizer, lambda: torch.ones(3), TOTAL, CONFIG)
    assert task.calls == 0


def test_torch_example_runs():
    r = subprocess.run([sys.executable, str(ROOT / "examples" / "python" / "autolrs_torch.py"), "--steps", "800",
                        "--tau", "160", "--tau-prime", "16", "--candidates", "4"],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert "800 optimizer steps (tuner: 800" in r.stdout and "final training loss" in r.stdout
