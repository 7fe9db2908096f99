#!/usr/bin/env python3
"""The schedule-quality benchmark: which schedule, at this budget? (AlgoPerf's manner, on the CPU)

  python3 Benchmarks/quality/run.py            # the full run (about 30 min on 2 shared cores)
  python3 Benchmarks/quality/run.py --quick    # budgets / 4, 2 seeds (a few minutes)
  python3 Benchmarks/quality/run.py --report Benchmarks/quality/results.json.gz   # tables and charts only

Every (workload, budget, seed, peak-grid point) is one job that trains every
schedule in turn (linear before offline: refinement reads its norms); jobs
run in `--workers` processes with one torch thread each. Then a multi-power
law is fitted to each workload's short-budget runs (seed 0, per grid point),
pace.laws' search picks the `law` schedule for each budget, and those runs
follow. The results (every evaluation of every run, with the machine,
versions and seeds) go to results.json.gz (gzip JSON, 6 significant digits); report.py writes results.md and the
SVG charts from it.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from multiprocessing import get_context
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import schedules as S  # noqa: E402
import workloads as W  # noqa: E402

ROOT = W.ROOT
LAW_FIT_SCHEDULES = ("constant", "linear", "cosine", "wsd")
# The laws' fits start from language-model-sized LRs: the curves are fitted with every LR
# scaled to LAW_PEAK (lr * LAW_PEAK / peak; the laws depend on LR sums, so this only rescales
# A, B, C) and the searched spec is played with its peak set back to the grid's.
LAW_PEAK = 3e-4


def run_key(workload, budget, name, seed, gi) -> str:
    return "%s|%d|%s|%d|%d" % (workload, budget, name, seed, gi)


# ---------------------------------------------------------------------------
# Worker side

_SCORES = {}


def _worker_init():
    import torch

    torch.set_num_threads(1)


def job(workload, budget, budgets, seed, gi, peak, names, law_spec=None):
    """Every schedule in `names` for one (workload, budget, seed, grid point)."""
    import torch

    torch.set_num_threads(1)
    import train as T

    out = {}
    linear_norms = None
    started = time.perf_counter()
    for name in names:
        try:
            if name == "autolrs":
                r = T.train_autolrs(workload, budget, peak, seed, torch)
            else:
                scores = None
                if name == "curriculum":
                    if workload not in _SCORES:
                        _SCORES[workload] = W.difficulty(workload, torch)
                    scores = _SCORES[workload]
                r = T.train_runtime(workload, name, budget, peak, seed, torch, linear_norms=linear_norms,
                                    law_spec=law_spec, short_budget=budgets[0], scores=scores)
        except Exception as exc:  # recorded and reported (a miss), the other runs go on
            r = {"error": "%s: %s" % (type(exc).__name__, str(exc)[:300]), "eval_steps": [], "val": [],
                 "train": [], "seconds": [], "final_train": math.inf, "final_val": math.inf}
        if name == "linear":
            linear_norms = r.pop("norms", None)
        out[run_key(workload, budget, name, seed, gi)] = r
    return out, time.perf_counter() - started


def schedule_names(workload, budget, budgets, include) -> list:
    names = [n for n in S.BASE + S.REFINED + S.TUNED + S.CURRICULUM + S.EXTENDED if n in include]
    if not W.WORKLOADS[workload]["curriculum"]:
        names = [n for n in names if n not in S.CURRICULUM]
    if budget == budgets[0]:
        names = [n for n in names if n not in S.EXTENDED]
    if "offline" in names and "linear" not in names:
        names.insert(0, "linear")
    return names


# ---------------------------------------------------------------------------
# The law phase


def fit_law(workload, runs, budgets, peaks, gi):
    """A loss-curve law fitted to the short-budget training-loss curves (seed 0)
    of LAW_FIT_SCHEDULES at grid point gi: multi_power, else annealing.
    Tries multi_power (Levenberg-Marquardt, then Adam), then annealing.
    Returns (law or None, description)."""
    import pace
    from pace import laws

    short = budgets[0]
    batch = W.WORKLOADS[workload]["batch"]
    w = S.warmup_steps(short)
    curves = []
    for name in LAW_FIT_SCHEDULES:
        r = runs.get(run_key(workload, short, name, 0, gi))
        if r is None:
            continue
        # an evaluation after s optimizer steps is the loss after the step with index s - 1
        pts = [(s - 1, l) for s, l in zip(r["eval_steps"], r["train"]) if s > w and math.isfinite(l)]
        if len(pts) < 5 or len(pts) < len(r["eval_steps"]) // 2:
            continue
        # the LRs of every step (a constant schedule is open-ended: the law needs its values up to the budget)
        lrs = pace.Schedule(S.spec(name, short, peaks[gi], batch)).values(0, short) * (LAW_PEAK / peaks[gi])
        curves.append((lrs, [p[0] for p in pts], [p[1] for p in pts]))
    if len(curves) < 2:
        return None, "fewer than 2 usable curves (runs diverged or missing)"
    errors = []
    for kind, method in (("multi_power", "lm"), ("multi_power", "adam"), ("annealing", "lm")):
        try:
            law = laws.Law.fit(kind, curves, method=method)
            return law, "%s (%s) fitted to %d curves: %s" % (kind, method, len(curves), json.dumps(
                {k: round(v, 6) for k, v in law.params.items()}))
        except Exception as exc:  # a fit that does not converge: try the next law
            errors.append("%s (%s): %s" % (kind, method, str(exc)[:160]))
    return None, "; ".join(errors)


def law_specs(runs, workloads, budgets_of, peaks_of, grid):
    """{(workload, budget, gi): spec or None} and a log of the fits."""
    specs, log = {}, {}
    for workload in workloads:
        budgets, peaks = budgets_of[workload], peaks_of[workload]
        for gi in grid:
            law, note = fit_law(workload, runs, budgets, peaks, gi)
            entry = {"fit": note, "search": {}}
            for budget in budgets:
                spec = None
                if law is not None:
                    try:
                        found = law.search(budget=budget, peak=LAW_PEAK, warmup=S.warmup_steps(budget))
                        spec = dict(found["spec"], peak=peaks[gi])
                        entry["search"][str(budget)] = {"spec": spec, "predicted_final_loss": found["final_loss"],
                                                        "evaluated": found["evaluated"]}
                    except Exception as exc:
                        entry["search"][str(budget)] = {"error": str(exc)[:200]}
                specs[(workload, budget, gi)] = spec
            log["%s|%d" % (workload, gi)] = entry
    return specs, log


# ---------------------------------------------------------------------------
# Machine, versions


def machine_info() -> dict:
    import numpy
    import pace
    import sklearn
    import torch

    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        isa = subprocess.run([str(ROOT / "scripts" / "host-isa")], capture_output=True, text=True,
                             timeout=30).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        isa = "unknown"
    return {"cpu": cpu, "cpus": os.cpu_count(), "host_isa": isa, "pace_build": pace.build_info(),
            "python": sys.version.split()[0], "torch": torch.__version__, "numpy": numpy.__version__,
            "sklearn": sklearn.__version__, "platform": platform.platform(),
            "load_average_start": list(os.getloadavg())}


# ---------------------------------------------------------------------------
# Main


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="budgets / 4 and 2 seeds (a few minutes)")
    parser.add_argument("--workloads", default=",".join(W.WORKLOADS))
    parser.add_argument("--schedules", default=",".join(S.ALL))
    parser.add_argument("--seeds", type=int, default=None, help="seeds 0..n-1 (default 3; --quick 2)")
    parser.add_argument("--budget-scale", type=float, default=None, help="multiply every budget (--quick 0.25)")
    parser.add_argument("--grid", default=None, help="indices into the 5-point peak grid to run (default all)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", default=str(HERE / "results.json.gz"))
    parser.add_argument("--report", default=None, help="write results.md and charts from this results.json only")
    parser.add_argument("--no-report", action="store_true")
    args = parser.parse_args(argv)

    import report as R

    if args.report:
        R.write_all(R.load_results(Path(args.report)), Path(args.report).resolve().parent)
        return 0

    seeds = list(range(args.seeds if args.seeds is not None else (2 if args.quick else 3)))
    scale = args.budget_scale if args.budget_scale is not None else (0.25 if args.quick else 1.0)
    workloads = [w for w in args.workloads.split(",") if w]
    include = [s for s in args.schedules.split(",") if s]
    for w in workloads:
        if w not in W.WORKLOADS:
            parser.error("unknown workload %r (%s)" % (w, ", ".join(W.WORKLOADS)))
    for s in include:
        if s not in S.ALL:
            parser.error("unknown schedule %r (%s)" % (s, ", ".join(S.ALL)))
    if S.BASELINE not in include:
        parser.error("the baseline %r sets the targets: it must be included" % S.BASELINE)
    grid = list(range(len(W.GRID_FACTORS))) if args.grid is None else [int(g) for g in args.grid.split(",")]
    budgets_of = {w: [max(20, int(round(b * scale))) for b in W.WORKLOADS[w]["budgets"]] for w in workloads}
    peaks_of = {w: [W.WORKLOADS[w]["base_lr"] * f for f in W.GRID_FACTORS] for w in workloads}

    meta = machine_info()
    meta.update({"started_utc": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime()), "quick": args.quick,
                 "seeds": seeds, "grid": grid, "grid_factors": list(W.GRID_FACTORS), "budgets": budgets_of,
                 "peaks": peaks_of, "workers": args.workers, "schedules": include,
                 "workload_config": {w: W.WORKLOADS[w] for w in workloads},
                 "data": {w: W.data_source(w) for w in workloads}})
    print("quality benchmark: %s; %s; pace %s; torch %s" % (meta["cpu"], meta["host_isa"], meta["pace_build"],
                                                             meta["torch"]), flush=True)
    started = time.perf_counter()
    runs = {}
    ctx = get_context("spawn")

    def run_jobs(pool, jobs, label):
        done = 0
        futures = {pool.submit(job, *j): j for j in jobs}
        for f in as_completed(futures):
            out, seconds = f.result()
            runs.update(out)
            done += 1
            j = futures[f]
            elapsed = time.perf_counter() - started
            errors = sum(1 for r in out.values() if "error" in r)
            print("  [%s %3d/%d] %-6s budget %-5d seed %d peak %-8.3g %2d runs %5.1fs%s  (elapsed %4.0fs)"
                  % (label, done, len(jobs), j[0], j[1], j[3], j[5], len(out), seconds,
                     " %d FAILED" % errors if errors else "", elapsed), flush=True)

    phase1 = []
    for w in workloads:
        for b in budgets_of[w]:
            names = schedule_names(w, b, budgets_of[w], include)
            for seed in seeds:
                for gi in grid:
                    phase1.append((w, b, budgets_of[w], seed, gi, peaks_of[w][gi], names))
    cost = {"cnn": 2.0, "charlm": 1.5, "mlp": 1.0, "logreg": 0.5}
    phase1.sort(key=lambda j: -cost.get(j[0], 1) * j[1])
    law_log = {}
    # One pool for both phases: the workers load the library and binding once, at the start.
    with ProcessPoolExecutor(args.workers, mp_context=ctx, initializer=_worker_init) as pool:
        print("phase 1: %d jobs (%d runs)" % (len(phase1), sum(len(j[6]) for j in phase1)), flush=True)
        run_jobs(pool, phase1, "1")
        if "law" in include:
            specs, law_log = law_specs(runs, workloads, budgets_of, peaks_of, grid)
            phase2 = [(w, b, budgets_of[w], seed, gi, peaks_of[w][gi], ["law"], specs[(w, b, gi)])
                      for w in workloads for b in budgets_of[w] for seed in seeds for gi in grid
                      if specs.get((w, b, gi)) is not None]
            phase2.sort(key=lambda j: -cost.get(j[0], 1) * j[1])
            print("phase 2 (law-searched schedules): %d jobs" % len(phase2), flush=True)
            run_jobs(pool, phase2, "2")

    meta["seconds"] = time.perf_counter() - started
    meta["load_average_end"] = list(os.getloadavg())
    meta["finished_utc"] = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime())
    results = {"meta": meta, "law": law_log, "runs": runs}
    R.save_results(results, Path(args.out))
    print("wrote %s (%d runs) in %.0f s" % (args.out, len(runs), meta["seconds"]), flush=True)
    if not args.no_report:
        R.write_all(R.load_results(Path(args.out)), Path(args.out).resolve().parent)
    return 0


if __name__ == "__main__":
    sys.exit(main())
