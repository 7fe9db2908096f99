"""pace.torch.PaceBatchSampler: a pace.data.Sampler in a torch DataLoader,
on one process and on a real 2-process torch.distributed group (gloo, CPU,
launched by the test), then resumed on a different world size."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import pace  # noqa: E402
import pace.data  # noqa: E402
import pace.torch  # noqa: E402
from pace.torch import PaceBatchSampler  # noqa: E402

BINDINGS = Path(__file__).resolve().parents[2] / "bindings" / "python"

N, B = 100, 8
CONFIG = {"size": N, "global_batch": B, "seed": 21, "policy": {"kind": "uniform"}}


def test_exported_from_pace_torch_and_is_a_torch_sampler():
    from pace.torch_data import PaceBatchSampler as direct

    assert PaceBatchSampler is direct
    assert issubclass(PaceBatchSampler, torch.utils.data.Sampler)


def test_yields_the_samplers_batches_in_a_dataloader():
    s = pace.data.Sampler(CONFIG)
    bs = PaceBatchSampler(s, steps=15)
    assert (bs.rank, bs.world_size) == (0, 1)  # torch.distributed not initialised
    assert len(bs) == 15
    data = torch.utils.data.TensorDataset(torch.arange(N) * 10)
    loader = torch.utils.data.DataLoader(data, batch_sampler=bs)
    got = [x.tolist() for (x,) in loader]
    assert got == [(s.batch(t) * 10).tolist() for t in range(15)]
    assert bs.state_dict() == {"step": 15} and len(bs) == 0


def test_dataloader_with_workers_gets_the_same_batches():
    s = pace.data.Sampler(CONFIG)
    data = torch.utils.data.TensorDataset(torch.arange(N))
    loader = torch.utils.data.DataLoader(data, batch_sampler=PaceBatchSampler(s, steps=10), num_workers=2)
    assert [x.tolist() for (x,) in loader] == [s.batch(t).tolist() for t in range(10)]


def test_resume_from_the_step_alone():
    s = pace.data.Sampler(CONFIG)
    a = PaceBatchSampler(s, steps=30)
    it = iter(a)
    first = [next(it) for _ in range(7)]
    state = a.state_dict()
    b = PaceBatchSampler(pace.data.Sampler(CONFIG), steps=30)
    b.load_state_dict(state)
    rest = list(b)
    assert len(rest) == 23
    assert first + rest == [s.batch(t).tolist() for t in range(30)]
    c = PaceBatchSampler(s, start_step=7, steps=30)
    assert list(c) == rest


def test_ranks_and_bad_arguments():
    s = pace.data.Sampler(CONFIG)
    parts = [list(PaceBatchSampler(s, rank=r, world_size=4, steps=3)) for r in range(4)]
    for t in range(3):
        assert sum((p[t] for p in parts), []) == s.batch(t).tolist()
    with pytest.raises(pace.ArgumentError, match="rank"):
        PaceBatchSampler(s, rank=4, world_size=4)
    with pytest.raises(pace.ArgumentError, match="world_size"):
        PaceBatchSampler(s, rank=0, world_size=0)
    with pytest.raises(TypeError, match="start_step"):
        PaceBatchSampler(s, start_step=1.5)
    with pytest.raises(TypeError, match="pace.data.Sampler"):
        PaceBatchSampler(CONFIG)
    with pytest.raises(TypeError, match="length"):
        len(PaceBatchSampler(s))
    with pytest.raises(ValueError, match="step"):
        PaceBatchSampler(s).load_state_dict({})
    with pytest.raises(pace.ArgumentError, match="world_size"):  # 8 % 3 != 0
        next(iter(PaceBatchSampler(s, rank=0, world_size=3)))


WORKER = textwrap.dedent("""
    import json, sys
    import torch, torch.distributed as dist
    import pace.data, pace.torch

    init, rank, world, config, steps, out = sys.argv[1:7]
    rank, world, steps = int(rank), int(world), int(steps)
    dist.init_process_group("gloo", init_method=init, rank=rank, world_size=world)
    sampler = pace.data.Sampler(json.loads(config))
    bs = pace.torch.PaceBatchSampler(sampler, steps=steps)        # rank, world size from torch.distributed
    data = torch.utils.data.TensorDataset(torch.arange(sampler.size))
    mine = [x.tolist() for (x,) in torch.utils.data.DataLoader(data, batch_sampler=bs)]
    gathered = [None] * world
    dist.all_gather_object(gathered, {"rank": bs.rank, "world_size": bs.world_size, "batches": mine,
                                      "state": bs.state_dict()})
    if rank == 0:
        with open(out, "w") as f:
            json.dump(gathered, f)
    dist.barrier()
    dist.destroy_process_group()
""")


def test_two_process_gloo_group_then_resume_on_one_process(tmp_path):
    script = tmp_path / "worker.py"
    script.write_text(WORKER)
    out = tmp_path / "gathered.json"
    init = "file://" + str(tmp_path / "rendezvous")
    steps = 6
    env = dict(os.environ, PYTHONPATH=str(BINDINGS), OMP_NUM_THREADS="1")
    procs = [subprocess.Popen([sys.executable, str(script), init, str(r), "2", json.dumps(CONFIG), str(steps),
                               str(out)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for r in range(2)]
    for p in procs:
        try:
            _, err = p.communicate(timeout=240)
        except subprocess.TimeoutExpired:
            for q in procs:
                q.kill()
            pytest.fail("the gloo workers did not finish")
        assert p.returncode == 0, err[-3000:]
    gathered = json.loads(out.read_text())
    assert [g["rank"] for g in gathered] == [0, 1] and all(g["world_size"] == 2 for g in gathered)
    assert all(g["state"] == {"step": steps} for g in gathered)

    reference = pace.data.Sampler(CONFIG)
    seen = []
    for t in range(steps):
        r0, r1 = gathered[0]["batches"][t], gathered[1]["batches"][t]
        assert len(r0) == len(r1) == B // 2
        assert not set(r0) & set(r1)
        assert r0 + r1 == reference.batch(t).tolist()
        seen += r0 + r1

    # Simulated restart on one process, same global batch: continue from the saved step.
    resumed = PaceBatchSampler(pace.data.Sampler(CONFIG), rank=0, world_size=1, steps=-(-N // B) + 1)
    resumed.load_state_dict(gathered[0]["state"])
    for batch in resumed:
        seen += batch
    epoch = np.array(seen[:N])
    assert np.array_equal(np.sort(epoch), np.arange(N)), "a sample was repeated or skipped across the restart"
    assert len(seen) >= N


def test_the_example_resumes_with_the_same_batches():
    example = Path(__file__).resolve().parents[2] / "examples" / "python" / "data_pacing_torch.py"
    env = dict(os.environ, PYTHONPATH=str(BINDINGS), OMP_NUM_THREADS="1")
    r = subprocess.run([sys.executable, str(example), "--steps", "80", "--samples", "1000"], capture_output=True,
                       text=True, env=env, timeout=240)
    assert r.returncode == 0, r.stderr[-3000:]
    assert "resumed run drew exactly the uninterrupted run's 80 batches" in r.stdout
