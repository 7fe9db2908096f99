"""Fit time of the 25M protocol (3 curves: cosine_24000, constant_24000, wsdcon_9): Pace's CLI
(`pace fit`, each method, best and median of N runs, wall clock and CPU time) side by side
with our re-implementation of the study's recipe (reference_fit.py), in one run.

    python3 Benchmarks/laws/fit_speed.py [--pace PATH] [--repeat N] [--skip-reference]

Prints a markdown table (the "Fit time" section of results.md). The machine is shared: the
load average before and after is printed with the table, and CPU time (user + sys of the
fit's process) is reported next to wall time because it does not grow with other processes'
load the way wall time does.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
DATA = ROOT / "data" / "loss-curves" / "25M"
TRAIN = ["cosine_24000", "constant_24000", "wsdcon_9"]

# The first row is the default fit (`pace fit` with no method: each law's cross-validated default).
CONFIGS = [
    ("multi_power, default (auto: adam, warmup sum, delta 1e-2)", ["--law", "multi_power"]),
    ("multi_power, adam with the study's settings (warmup raw, delta 1e-3)",
     ["--law", "multi_power", "--method", "adam", "--warmup", "raw", "--huber-delta", "1e-3"]),
    ("multi_power, lm (the objective's minimiser)", ["--law", "multi_power", "--method", "lm"]),
    ("annealing, default (lm, lambda fitted, warmup sum, delta 1e-2)", ["--law", "annealing"]),
]


def find_cli(given):
    for p in [given, ROOT / "build" / "bin" / "pace", ROOT / ".build-release" / "release" / "pace-cli"]:
        if p and Path(p).is_file():
            return str(p)
    sys.exit("fit_speed.py: no pace CLI found; run `make cli` or pass --pace PATH")


def timed(cmd):
    """(stdout, wall seconds, CPU seconds of the child)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    r = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if r.returncode != 0:
        sys.exit("fit_speed.py: %s failed:\n%s" % (" ".join(cmd), r.stderr))
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return r.stdout, wall, cpu


def host():
    model = "unknown CPU"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        isa = subprocess.run([str(ROOT / "scripts" / "host-isa")], capture_output=True, text=True).stdout.strip()
    except OSError:
        isa = "?"
    return "%s, %d CPUs (%s), ISA %s" % (model, os.cpu_count(), platform.machine(), isa)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pace")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--skip-reference", action="store_true")
    a = ap.parse_args()
    cli = find_cli(a.pace)
    curves = []
    for n in TRAIN:
        curves += ["--curve", "%s:%s" % (DATA / (n + ".json"), DATA / (n + ".csv"))]
    load_before = os.getloadavg()[0]
    rows = []
    for name, args in CONFIGS:
        walls, cpus, objective = [], [], None
        for _ in range(a.repeat):
            out, wall, cpu = timed([cli, "fit", "--json"] + args + curves)
            walls.append(wall)
            cpus.append(cpu)
            objective = json.loads(out)["law"]["fit"]["objective"]
        rows.append((name, min(walls), statistics.median(walls), min(cpus), objective))
    ref = None
    if not a.skip_reference:
        out, wall, cpu = timed([sys.executable, str(HERE / "reference_fit.py"), "--json"])
        ref = json.loads(out)
        ref["cpu"] = cpu
    load_after = os.getloadavg()[0]

    lines = ["| fit of the 3 curves | wall, best of %d (s) | wall, median (s) | CPU, best (s) | objective | "
             "wall speed-up vs reference |" % a.repeat, "|---|---|---|---|---|---|"]
    if ref:
        lines.append("| reference recipe (our re-implementation: scipy L-BFGS-B grid + torch AdamW, %d threads) "
                     "| %.2f | | %.2f | %.4e | 1.0x |" % (ref["threads"], ref["seconds"], ref["cpu"], ref["objective"]))
    for name, best, median, cpu, objective in rows:
        speed = "%.0fx" % (ref["seconds"] / best) if ref else "n/a"
        lines.append("| Pace %s | %.3f | %.3f | %.3f | %.4e | %s |" % (name, best, median, cpu, objective, speed))
    text = "\n".join(lines)
    print("Host: %s; `%s`; load average %.1f before, %.1f after; %s." % (
        host(), Path(cli).name, load_before, load_after, time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())))
    print()
    print(text)


if __name__ == "__main__":
    main()
