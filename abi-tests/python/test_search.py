"""Schedule search through the C API: every family's winner is numpy's minimum of the law's
definition over the same grid, and the winner is the same bits on any thread count."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import pace
from pace import laws

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "Benchmarks" / "laws"))
from mpl_reference import PUBLISHED  # noqa: E402
from search_throughput import final_loss_numpy  # noqa: E402  (the definition, vectorised over steps)

BUDGET, PEAK, WARMUP = 2400, 3e-4, 216
FINE_RATIOS = [round(0.0025 * i, 4) for i in range(121)]  # cosine, rex, linear: 0 ... 0.3


def decay_spec(shape: str, final_ratio: float) -> dict:
    """A family member as the search writes it: numpy.linspace(0, peak, W), then the decay."""
    return {"version": 1, "peak": PEAK, "total_steps": BUDGET, "phases": [
        {"shape": "linear", "steps": WARMUP - 1, "from": 0, "to": 1},
        {"shape": "constant", "steps": 1, "from": 1},
        {"shape": shape, "from": 1, "to": final_ratio}]}


@pytest.mark.parametrize("family", ["cosine", "rex", "linear"])
def test_the_winner_is_numpys_minimum_of_the_definition(family):
    law = laws.Law.create("multi_power", PUBLISHED)
    best = law.search(BUDGET, PEAK, warmup=WARMUP, families=[family])
    assert best["evaluated"] == len(FINE_RATIOS)
    losses = []
    for r in FINE_RATIOS:
        with pace.Schedule(decay_spec(family, r)) as s:
            losses.append(final_loss_numpy(PUBLISHED, s.values(0, BUDGET)))
    first_lowest = int(np.argmin(losses))
    assert best["final_loss"] == pytest.approx(losses[first_lowest], rel=1e-12, abs=0)
    assert best["spec"] == decay_spec(family, FINE_RATIOS[first_lowest])
    predicted = law.predict(best["spec"], [BUDGET - 1])[0]
    assert best["final_loss"] == pytest.approx(predicted, rel=1e-12, abs=0)


def _search_on(cpus: int) -> dict:
    """The default search (every family) in a process limited to `cpus` CPUs."""
    code = ("import json, os, sys; os.sched_setaffinity(0, sorted(os.sched_getaffinity(0))[:%d]); "
            "from pace import laws; law = laws.Law.create('multi_power', %r); "
            "r = law.search(%d, %r, warmup=%d); print(json.dumps([r['spec'], r['final_loss'].hex(), r['evaluated']]))"
            % (cpus, PUBLISHED, BUDGET, PEAK, WARMUP))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env=dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path)))
    spec, loss, evaluated = json.loads(out.stdout)
    return dict(spec=spec, final_loss=float.fromhex(loss), evaluated=evaluated)


def test_the_winner_is_the_same_bits_on_one_cpu_and_on_every_cpu():
    cpus = len(os.sched_getaffinity(0))
    one, every = _search_on(1), _search_on(cpus)
    assert one["evaluated"] == every["evaluated"] > 2500
    assert one["spec"] == every["spec"]
    assert one["final_loss"].hex() == every["final_loss"].hex()
    with pace.Schedule(one["spec"]) as s:
        assert one["final_loss"] == pytest.approx(final_loss_numpy(PUBLISHED, s.values(0, BUDGET)), rel=1e-12, abs=0)
