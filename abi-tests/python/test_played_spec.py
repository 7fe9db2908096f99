"""pace.Runtime.played_spec (docs/runtime.md, "Introspection"; the "segment"
shape of docs/schedule-spec.md): the schedule a run actually played, as a spec.

The reference is the runtime itself: the values pace.Runtime.step returned
during the run (at an event's step, pace.Runtime.values after the event).
The played spec, compiled with pace.Schedule, must give every one of them bit
for bit (and the values played after it was taken), through at() and the
fills; a law's predictions on it equal those on the played values; and
`pace plot` draws it.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import numpy as np
import pytest

import pace
from pace import laws

from test_runtime_introspection import after_event, eventful_run, run

ROOT = Path(__file__).resolve().parents[2]
PACE = Path(os.environ.get("PACE_CLI", str(ROOT / "build" / "bin" / "pace")))  # PACE_CLI: another build


def bits(values):
    return np.asarray(values, dtype=np.float64).view(np.uint64)


def test_the_played_spec_gives_every_value_played():
    rt, lr, momentum = eventful_run()
    for channel, want in (("lr", lr), ("momentum", momentum)):
        s = rt.played_schedule(channel)
        got = s.values(0, len(want))
        assert np.array_equal(bits(got), bits(want)), channel
        assert all(s.at(t) == want[t] for t in range(0, len(want), 37))
    spec = json.loads(rt.played_spec())
    assert spec["peak"] == 1
    assert [p["shape"] for p in spec["phases"]] == ["segment"] * 4  # base, set_total_steps, begin_decay, rewarm
    assert "steps" not in spec["phases"][-1]  # the schedule in force, open-ended


def test_the_played_spec_also_gives_the_values_played_next():
    rt, lr, momentum = eventful_run()
    lr, momentum = list(lr), list(momentum)
    s = rt.played_schedule()
    run(rt, 500, lr, momentum)
    assert np.array_equal(bits(s.values(0, len(lr))), bits(lr))


def test_a_peak_change_and_a_stretch_are_exact():
    rt = pace.Runtime({"channels": {"lr": {"preset": "linear", "peak": 0.01, "total_steps": 997}}})
    lr = [float(rt.values()[0, 0])]

    def steps(n):
        for _ in range(n):
            lr.append(float(rt.step(1.0)[0, 0]))

    steps(123)
    rt.set_total_steps(3001)
    lr[-1] = float(rt.values()[0, 0])
    steps(400)
    rt.rewarm({"preset": "cosine", "peak": 0.0371, "warmup_steps": 13, "total_steps": 333})
    lr[-1] = float(rt.values()[0, 0])
    steps(500)
    assert np.array_equal(bits(rt.played_schedule().values(0, len(lr))), bits(lr))
    # Against numpy: the rewarm's cosine, 13 steps after it began (HF's formula).
    t0 = 523 + 13
    k = np.arange(t0, t0 + 100) - t0
    ref = 0.0371 * 0.5 * (1 + np.cos(np.pi * k / (333 - 13)))
    np.testing.assert_allclose(rt.played_schedule().values(t0, 100), ref, rtol=1e-14)


def test_resume_from_a_checkpoint_keeps_the_played_spec(tmp_path):
    rt, lr, momentum = eventful_run()
    lr, momentum = list(lr), list(momentum)
    path = tmp_path / "run.ckpt"
    rt.save_file(path)
    loaded = pace.Runtime.load_file(path)
    assert loaded.played_spec() == rt.played_spec()
    assert loaded.played_spec("momentum") == rt.played_spec("momentum")
    run(loaded, 40, lr, momentum)
    loaded.begin_decay(30, shape="linear", to=0.0, channel="momentum")
    after_event(loaded, lr, momentum)
    run(loaded, 60, lr, momentum)
    assert np.array_equal(bits(loaded.played_schedule("lr").values(0, len(lr))), bits(lr))
    assert np.array_equal(bits(loaded.played_schedule("momentum").values(0, len(momentum))), bits(momentum))


def test_a_refined_channel_after_a_second_replan_is_refused():
    rt = pace.Runtime({"channels": {"lr": {"preset": "cosine", "peak": 1e-3, "warmup_steps": 10, "total_steps": 3000}},
                       "refine": {"every": 200, "min_history": 300}})
    lr = [float(rt.values()[0, 0])] + [float(rt.step(1 + (t % 13) / 50)[0, 0]) for t in range(450)]
    assert np.array_equal(bits(rt.played_schedule().values(0, len(lr))), bits(lr))
    for t in range(150):
        rt.step(1.0)
    with pytest.raises(pace.ArgumentError, match="re-planned online"):
        rt.played_spec()
    with pytest.raises(pace.ArgumentError):
        rt.played_spec("nope")


def test_a_law_predicts_on_the_played_spec():
    rt, lr, _ = eventful_run()
    law = laws.Law.create("multi_power", {"L0": 3.0, "A": 0.6, "alpha": 0.5, "B": 300.0, "C": 2.0,
                                          "beta": 0.6, "gamma": 0.6})
    steps = np.arange(1, len(lr), 7)
    on_spec = law.predict(rt.played_spec(), steps, count=len(lr))
    on_values = law.predict(np.asarray(lr), steps)
    np.testing.assert_array_equal(on_spec, on_values)


@pytest.mark.skipif(not PACE.is_file(), reason="the CLI is not built (`make cli`)")
def test_pace_plot_draws_the_played_spec(tmp_path):
    rt, _, _ = eventful_run()
    spec = tmp_path / "played.json"
    spec.write_text(rt.played_spec())
    out = tmp_path / "played.svg"
    res = subprocess.run([str(PACE), "plot", str(spec), "--count", "800", "-o", str(out)], capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    assert out.read_text().lstrip().startswith("<")
    # A checkpoint: plot draws the schedule its lr channel played; show summarises and prints it.
    ckpt = tmp_path / "run.ckpt"
    rt.save_file(ckpt)
    res = subprocess.run([str(PACE), "plot", str(ckpt), "--count", "800", "-o", str(out)], capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    res = subprocess.run([str(PACE), "show", str(ckpt), "--played"], capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    line = next(l for l in res.stdout.splitlines() if "played spec of lr:" in l)
    assert json.loads(line.split("played spec of lr: ", 1)[1]) == json.loads(rt.played_spec())
