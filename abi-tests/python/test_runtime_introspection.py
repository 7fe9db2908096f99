"""pace.Runtime introspection (docs/runtime.md, "Introspection"): the event
log, cooldown state and played values.

The reference for played values is the runtime itself: the values pace.Runtime.step
returned during the run (and, at an event's step, pace.Runtime.values after
the event); the segments before the first event are also checked against
pace.Schedule of the base spec, and a cooldown against numpy's closed form.
"""

from __future__ import annotations

import numpy as np
import pytest

import pace
from pace import laws

BASE = {"preset": "wsd", "peak": 1e-3, "warmup_steps": 50, "total_steps": 2000, "decay_steps": 400}
CONFIG = {"channels": {"lr": BASE,
                       "momentum": {"peak": 0.95, "phases": [{"shape": "cosine", "steps": 600, "to": 0.85}]}},
          "groups": [{"name": "embed", "scale": {"lr": 0.5}}, {"name": "rest"}]}
REWARM = {"peak": 5e-4, "phases": [{"shape": "linear", "steps": 40, "from": 0.1, "to": 1},
                                    {"shape": "cosine", "steps": 200, "to": 0}]}


def run(rt, n, lr, momentum):
    """Steps n times, appending the 'rest' group's lr and momentum."""
    for _ in range(n):
        v = rt.step(1.0)
        lr.append(float(v[1, 0]))
        momentum.append(float(v[1, 1]))


def after_event(rt, lr, momentum):
    v = rt.values()
    lr[-1] = float(v[1, 0])
    momentum[-1] = float(v[1, 1])


def eventful_run():
    rt = pace.Runtime(CONFIG)
    v = rt.values()
    lr, momentum = [float(v[1, 0])], [float(v[1, 1])]
    run(rt, 300, lr, momentum)
    rt.set_total_steps(1500)
    after_event(rt, lr, momentum)
    run(rt, 200, lr, momentum)
    rt.begin_decay(120, shape="sqrt", to=0.1)
    after_event(rt, lr, momentum)
    run(rt, 150, lr, momentum)
    rt.rewarm(REWARM)
    after_event(rt, lr, momentum)
    run(rt, 100, lr, momentum)
    rt.begin_decay(10, shape="linear", to=0.5, channel="momentum")
    after_event(rt, lr, momentum)
    run(rt, 30, lr, momentum)
    return rt, np.array(lr), np.array(momentum)


def test_events_are_logged_with_their_steps_and_parameters():
    rt, _, _ = eventful_run()
    events = rt.events()
    assert [e["kind"] for e in events] == ["set_total_steps", "begin_decay", "rewarm", "begin_decay"]
    assert [e["step"] for e in events] == [300, 500, 650, 750]
    assert [e["channel"] for e in events] == [None, "lr", "lr", "momentum"]
    assert events[0]["total_steps"] == 1500
    assert events[1]["decay_steps"] == 120 and events[1]["shape"] == "sqrt" and events[1]["to"] == 0.1
    assert pace.Schedule(events[2]["spec"]).values(0, 240).tolist() == pace.Schedule(REWARM).values(0, 240).tolist()


def test_refused_events_are_not_logged():
    rt = pace.Runtime(CONFIG)
    with pytest.raises(pace.ArgumentError):
        rt.begin_decay(0)
    with pytest.raises(pace.PaceError):
        rt.rewarm("{")
    assert rt.events() == []


def test_cooldown_started():
    rt = pace.Runtime(CONFIG)
    assert not rt.cooldown_started()
    for _ in range(100):
        rt.step()
    rt.begin_decay(50, shape="linear", to=0.0)
    assert rt.cooldown_started() and rt.cooldown_started("lr")
    assert not rt.cooldown_started("momentum")
    rt.rewarm({"preset": "constant"}, channel="lr")
    assert not rt.cooldown_started()
    with pytest.raises(pace.ArgumentError):
        rt.cooldown_started("nope")


def test_events_survive_save_and_load():
    rt, lr, momentum = eventful_run()
    blob = rt.save()
    loaded = pace.Runtime.load(blob)
    assert loaded.events() == rt.events()
    assert loaded.save() == blob
    assert loaded.cooldown_started("momentum") and not loaded.cooldown_started("lr")  # lr was rewarmed
    np.testing.assert_array_equal(loaded.played_values(), lr)
    np.testing.assert_array_equal(loaded.played_values("momentum"), momentum)


def test_played_values_equal_every_step_of_a_run_with_events():
    rt, lr, momentum = eventful_run()
    played = rt.played_values()
    assert played.shape == (rt.step_count + 1,)
    np.testing.assert_array_equal(played, lr)                  # bit for bit
    np.testing.assert_array_equal(rt.played_values("momentum"), momentum)
    # before the first event: the base schedule
    np.testing.assert_array_equal(played[:300], pace.Schedule(BASE).values(0, 300))
    # the sqrt cooldown begun at step 500 (from the current value to 0.1 x peak over 120 steps)
    u = np.arange(120) / 120.0
    start = played[500] / 1e-3
    np.testing.assert_allclose(played[500:620], 1e-3 * (0.1 + (start - 0.1) * (1 - np.sqrt(u))), rtol=1e-12)
    np.testing.assert_array_equal(rt.played_values(start=480, stop=580), lr[480:580])
    with pytest.raises(pace.ArgumentError):
        rt.played_values(stop=rt.step_count + 2)


def test_refined_channel_keeps_only_exact_ranges():
    rt = pace.Runtime({"channels": {"lr": {"preset": "cosine", "peak": 1e-3, "warmup_steps": 10,
                                           "total_steps": 3000}},
                       "refine": {"every": 200, "norm": "l2", "smoothing": 0.1, "min_history": 300}})
    lr = [float(rt.values()[0, 0])]
    for t in range(900):
        lr.append(float(rt.step(1 + (t % 13) / 50)[0, 0]))
    np.testing.assert_array_equal(rt.played_values(stop=300), lr[:300])
    with pytest.raises(pace.ArgumentError, match="re-planned online"):
        rt.played_values()


def test_a_law_fits_the_played_schedule():
    """Losses from a known multi-power law over the played LRs of a run with
    events; fitting the law to (played values, losses) finds them again."""
    rt, _, _ = eventful_run()
    for _ in range(300):
        rt.step(1.0)
    played = rt.played_values()
    truth = laws.Law.create("multi_power", {"L0": 3.0, "A": 0.6, "alpha": 0.5, "B": 300.0, "C": 2.0,
                                            "beta": 0.6, "gamma": 0.6})
    steps = np.arange(1, played.size, 5)
    losses = truth.predict(played, steps)
    # Fitting a known law back: the minimiser (lm) in the law's own warmup convention (raw).
    fitted = laws.Law.fit("multi_power", [(played, steps, losses)], method="lm", warmup="raw")
    np.testing.assert_allclose(fitted.predict(played, steps), losses, rtol=1e-3)
