#!/usr/bin/env python3
"""Writes the fuzz targets' seed corpus (abi-tests/fuzz/corpus/<target>/) with the
Python binding and the built library: specs, runtime configs, checkpoints of
those runtimes at several points (refined, stretched, decayed), saved laws
(versions 2 and 1), sampler and tuner configs and states. Deterministic;
rerun after a saved format changes:

    python3 abi-tests/fuzz/seed_corpus.py
"""
import hashlib
import json
import sys
from pathlib import Path

root = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(root / "bindings" / "python"))
import pace  # noqa: E402
for module in ("pace.data", "pace.tune"):  # the sampler and the tuner, when the library has them
    try:
        __import__(module)
    except ImportError as exc:
        print("no state seeds from %s: %s" % (module, str(exc)[:120]))
from pace import laws  # noqa: E402

corpus = Path(__file__).resolve().parent / "corpus"


def put(target: str, data: bytes) -> None:
    folder = corpus / target
    folder.mkdir(parents=True, exist_ok=True)
    (folder / hashlib.sha1(data).hexdigest()[:16]).write_bytes(data)


SPECS = [
    {"preset": "cosine", "peak": 3e-4, "warmup_steps": 100, "total_steps": 10000},
    {"preset": "wsd", "warmup_steps": 10, "stable_steps": 100, "decay_steps": 50, "decay_type": "sqrt"},
    {"preset": "onecycle", "total_steps": 1000},
    {"preset": "sgdr", "t0": 100, "t_mult": 2},
    {"preset": "cyclic", "step_size_up": 20, "mode": "exp_range", "gamma": 0.999},
    {"preset": "multistep", "milestones": [30, 80], "gamma": 0.1},
    {"preset": "uba", "warmup_steps": 10, "total_steps": 1000, "phi": 2.5},
    {"preset": "infinite", "warmup_steps": 10, "cooldown_steps": 100, "constant_ratio": 0.3},
    {"phases": [{"shape": "linear", "steps": 10, "from": 0, "to": 1, "endpoint": "inclusive"},
                {"shape": "cosine", "steps": 90.5, "to": 0.1, "cycles": 0.5, "exponent": 2}]},
    {"phases": [{"shape": "table", "points": [[0, 1], [10.5, 0.5], [100, 0]], "interpolation": "linear"}]},
    {"phases": [{"shape": "table", "values": [1, 0.9, 0.8, 0.5]}], "after": "zero"},
    {"phases": [{"repeat": [{"shape": "cosine", "steps": 100, "from": 1, "to": 0.1}], "cycles": None,
                 "period_mult": 2, "decay": 0.5, "decay_mode": "peak", "floor": 0.01}]},
    {"phases": [{"shape": "exponential", "gamma": 1.001}]},
    {"phases": [{"shape": "inverse_sqrt", "timescale": 100}]},
    {"phases": [{"shape": "power", "a": 4.6, "b": -0.51, "tokens_per_step": 1e6}]},
    {"phases": [{"shape": "step", "step_size": 30, "gamma": 0.5, "steps": 200}, {"shape": "rex", "steps": 100, "to": 0}]},
    {"version": 1, "peak": 1, "after": "hold", "phases": [
        {"shape": "segment", "steps": 300, "spec": {"preset": "wsd", "peak": 1e-3, "warmup_steps": 10, "stable_steps": 500,
                                                    "decay_steps": 100}, "origin": 0, "rate": 1},
        {"shape": "segment", "steps": 120.5, "spec": {"preset": "linear", "total_steps": 997}, "origin": 10.25, "rate": 0.75},
        {"shape": "segment", "spec": {"phases": [{"shape": "sqrt", "steps": 50, "from": 0.5, "to": 0}]}}]},
    {"phases": [{"repeat": [{"shape": "segment", "steps": 40, "spec": {"phases": [{"shape": "segment", "spec":
        {"preset": "cyclic", "base_ratio": 0.1, "step_size_up": 5}, "origin": 3}]}}], "cycles": 3, "period_mult": 1.5}]},
]
for spec in SPECS:
    put("spec", json.dumps(spec).encode())
for path in sorted((root / "data").rglob("*.json"))[:20]:
    data = path.read_bytes()
    if len(data) < 20000:
        put("spec", data)

CONFIGS = [
    {"channels": {"lr": {"preset": "cosine", "peak": 1e-3, "warmup_steps": 10, "total_steps": 2000}},
     "refine": {"every": 50, "min_history": 50, "norm": "l2", "smoothing": 0.1}},
    {"channels": {"lr": {"preset": "linear", "peak": 0.1, "total_steps": 10000},
                  "momentum": {"peak": 0.95, "phases": [{"shape": "linear", "steps": 100, "from": 0.9, "to": 1}, {"shape": "constant"}]},
                  "weight_decay": {"peak": 0.1, "phases": [{"shape": "constant"}]}},
     "groups": [{"name": "embed", "scale": {"lr": 0.5, "weight_decay": 0}}, {"name": "rest"}],
     "refine": {"every": 100, "norm": "l1", "min_history": 200, "channel": "lr"}},
    {"version": 1, "channels": {"lr": {"preset": "wsd", "warmup_steps": 10, "stable_steps": 100, "decay_steps": 50}}},
]
for config in CONFIGS:
    put("config", json.dumps(config).encode())
    rt = pace.Runtime(config)
    for t in range(400):
        rt.step(1.0 + (t % 7) / 10 if t % 13 else float("nan"))
        if t in (0, 99, 399):
            put("checkpoint", rt.save())
    try:
        rt.set_total_steps(5000)
        put("checkpoint", rt.save())
    except pace.ArgumentError:  # nothing left to stretch (a WSD run past its decay)
        pass
    rt.begin_decay(30, "cosine", 0.05)
    put("checkpoint", rt.save())
# A refined runtime whose remaining run is played from knots.
rt = pace.Runtime({"channels": {"lr": {"preset": "cosine", "total_steps": 1000000}}, "refine": {"every": 100, "min_history": 100}})
for t in range(150):
    rt.step(1.0 + t * 1e-3)
put("checkpoint", rt.save())

law = laws.Law.create("multi_power", [3.0405, 0.5247, 0.5079, 363.79, 2.0656, 0.5828, 0.6414])
put("law", law.save().encode())
ann = laws.Law.create("annealing", [3.1, 0.6, 0.55, 0.3, 0.999], warmup="sum")
put("law", ann.save().encode())
put("law", json.dumps({"format": "pace-law", "version": 1, "law": "annealing", "warmup": "sum",
                       "params": ann.params}).encode())

SAMPLERS = [
    {"size": 50000, "global_batch": 256, "seed": 7, "policy": {"kind": "uniform"}},
    {"size": 1000000, "global_batch": [[0, 64], [1000, 256], [5000, 1024]], "seed": 1, "policy": {"kind": "uniform"}},
]
for config in SAMPLERS:
    put("sampler", b"\0" + json.dumps(config).encode())
    try:
        s = pace.data.Sampler(config)
        put("sampler", b"\1" + s.save())
    except Exception as exc:  # the sampler's API may still change: the config seed stays
        print("sampler state seed skipped:", exc)

TUNERS = [{"min_lr": 1e-4, "max_lr": 1e-1, "total_steps": 20000}, {"min_lr": 1e-5, "max_lr": 1e-2, "total_steps": 2000, "seed": 3}]
for config in TUNERS:
    put("autolrs", b"\0" + json.dumps(config).encode())
    try:
        t = pace.tune.AutoLRS(config)
        put("autolrs", b"\1" + t.save())
    except Exception as exc:
        print("tuner state seed skipped:", exc)

for folder in sorted(corpus.iterdir()):
    print(folder.name, len(list(folder.iterdir())), "seeds")
