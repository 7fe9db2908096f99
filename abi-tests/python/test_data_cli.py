"""`pace data` (build/bin/pace, `make cli`): the first batches and the
eligible pool it prints are those of pace.data.Sampler (the same library
code), the SVG is well formed, and bad input exits 1 with a message naming
the field, never a crash. Skipped when build/bin/pace is missing."""

from __future__ import annotations

import json
import re
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest

import pace.data

ROOT = Path(__file__).resolve().parents[2]
PACE = ROOT / "build" / "bin" / "pace"

if not PACE.is_file():
    pytest.skip("the CLI %s is not built (`make cli`): CLI tests skipped" % PACE, allow_module_level=True)

CRASH_MARKS = ("Fatal error", "Stack dump", "Traceback", "Segmentation fault", "Illegal instruction",
               "Current stack trace")

COMPETENCE = {"size": 500, "global_batch": 16, "seed": 3,
              "policy": {"kind": "competence", "pacing": "sqrt", "total_steps": 300, "c0": 0.05}}


def run(*args):
    r = subprocess.run([str(PACE), "data", *map(str, args)], capture_output=True, text=True, timeout=120)
    assert r.returncode in (0, 1), "exit status %d\n%s\n%s" % (r.returncode, r.stdout[-2000:], r.stderr[-2000:])
    for mark in CRASH_MARKS:
        assert mark not in r.stderr and mark not in r.stdout
    return r


def test_batches_and_pool_match_the_library(tmp_path):
    difficulty = np.random.default_rng(0).random(500)
    scores = tmp_path / "difficulty.txt"
    scores.write_text("\n".join(repr(float(x)) for x in difficulty))
    svg = tmp_path / "pacing.svg"
    r = run(json.dumps(COMPETENCE), "--scores", scores, "--batches", 4, "--show", 100, "--world-size", 2,
            "--steps", 400, "--rows", 9, "-o", svg)
    assert r.returncode == 0, r.stderr
    s = pace.data.Sampler(COMPETENCE, scores=difficulty)
    for t in range(4):
        m = re.search(r"^  step %d: offset (\d+), batch (\d+), eligible (\d+): ([\d ]+)$" % t, r.stdout, re.M)
        assert m, r.stdout
        assert [int(m.group(1)), int(m.group(2)), int(m.group(3))] == [s.first_offset(t), 16, s.eligible(t)]
        assert [int(x) for x in m.group(4).split()] == s.batch(t).tolist()
        for rank in range(2):
            m = re.search(r"^    rank %d/2: ([\d ]+)$" % rank, r.stdout.split("step %d:" % t)[1], re.M)
            assert [int(x) for x in m.group(1).split()] == s.batch(t, rank=rank, world_size=2).tolist()
    table = re.findall(r"^\s+(\d+)\s+(\d+)\s+\S+\s+(\d+)$", r.stdout.split("eligible pool over")[1], re.M)
    assert len(table) == 9
    for step, pool, offset in table:
        assert int(pool) == s.eligible(int(step)) and int(offset) == s.first_offset(int(step))
    root = ET.parse(svg).getroot()
    assert root.tag.endswith("svg")


def test_uniform_needs_no_arrays_and_elides_long_batches(tmp_path):
    config = tmp_path / "uniform.json"
    config.write_text(json.dumps({"size": 10**9, "global_batch": 4096, "seed": 1}))
    r = run(config, "--batches", 1, "--show", 5)
    assert r.returncode == 0, r.stderr
    head = pace.data.Sampler(json.loads(config.read_text())).batch(0)[:5].tolist()
    assert ("eligible 1000000000: %s ... (4091 more)" % " ".join(map(str, head))) in r.stdout


@pytest.mark.parametrize("args,needle", [
    (['{"size": 0, "global_batch": 1}'], "size"),
    (['{"size": 10, "global_batch": 3, "policy": {"kind": "nope"}}'], "policy.kind"),
    (['{"size": 10, "global_batch": 2, "policy": {"kind": "ordered"}}'], "scores"),
    (['{"size": 10, "global_batch": 4}', "--world-size", "3"], "world_size"),
    (['{"size": 10, "global_batch": 4}', "--steps", "1"], "--steps"),
    (["/nonexistent/config.json"], "nonexistent"),
    (["{not json"], "config"),
])
def test_bad_input_is_a_clear_error(args, needle):
    r = run(*args)
    assert r.returncode == 1
    assert needle in r.stderr, r.stderr


def test_bad_score_files(tmp_path):
    config = json.dumps({"size": 3, "global_batch": 1, "policy": {"kind": "ordered"}})
    bad = tmp_path / "bad.txt"
    bad.write_text("1.0 abc 2.0")
    r = run(config, "--scores", bad)
    assert r.returncode == 1 and "item 1" in r.stderr
    nan = tmp_path / "nan.txt"
    nan.write_text("1.0 nan 2.0")
    r = run(config, "--scores", nan)
    assert r.returncode == 1 and "scores[1]" in r.stderr
    short = tmp_path / "short.txt"
    short.write_text("1.0 2.0")
    r = run(config, "--scores", short)
    assert r.returncode == 1 and "size" in r.stderr
