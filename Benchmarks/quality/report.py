"""results.md and the SVG charts of the quality benchmark, from results.json.gz.

analyse() turns the runs into targets, times to target, AlgoPerf ratios,
profiles and benchmark scores (scoring.py), final-loss summaries at each
schedule's tuned peak and the claims under test; write_all() writes
results.md, profiles.svg and curves.svg. Cost: O(runs x evaluations).
"""

from __future__ import annotations

import gzip
import json
import math
from pathlib import Path

import numpy as np

import schedules as S
import scoring as C


# ---------------------------------------------------------------------------
# Results file


def _rounded(value):
    if isinstance(value, float):
        return float("%.6g" % value) if math.isfinite(value) else value
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_rounded(v) for v in value]
    return value


def save_results(results: dict, path: Path) -> None:
    """gzip JSON with floats rounded to 6 significant digits (misses stay Infinity)."""
    text = json.dumps(_rounded(results), separators=(",", ":"))
    with gzip.open(path, "wt", encoding="utf-8", compresslevel=9) as f:
        f.write(text)


def load_results(path: Path) -> dict:
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as f:
        return json.load(f)


# ---------------------------------------------------------------------------
# Analysis


def _index(runs: dict) -> dict:
    """{(workload, budget): {name: {seed: {gi: run}}}}"""
    out = {}
    for key, r in runs.items():
        w, b, name, seed, gi = key.split("|")
        out.setdefault((w, int(b)), {}).setdefault(name, {}).setdefault(int(seed), {})[int(gi)] = r
    return out


def workload_label(w, b, budgets) -> str:
    return "%s-%s" % (w, "short" if b == min(budgets[w]) else "long")


def applies(name: str, workload: str, budget: int, meta: dict) -> bool:
    """Whether a schedule runs on a workload by design: the curriculum needs per-sample data,
    the extended schedules exist only at the long budget."""
    if name in S.CURRICULUM:
        return bool(meta.get("workload_config", {}).get(workload, {}).get("curriculum", True))
    if name in S.EXTENDED:
        return budget != min(meta["budgets"][workload])
    return True


def _applicable(ratios: dict, t: dict) -> dict:
    return {s: {w: r for w, r in per.items() if w in t[s]} for s, per in ratios.items()}


def analyse(results: dict) -> dict:
    meta = results["meta"]
    idx = _index(results["runs"])
    budgets = {w: list(v) for w, v in meta["budgets"].items()}
    names = [s for s in S.ALL if any(s in per for per in idx.values())]
    a = {"targets": {}, "t_steps": {s: {} for s in names}, "t_seconds": {s: {} for s in names},
         "final": {s: {} for s in names}, "names": names, "workloads": [], "idx": idx, "budgets": budgets}
    for (w, b), per in sorted(idx.items(), key=lambda kv: (list(budgets).index(kv[0][0]), kv[0][1])):
        label = workload_label(w, b, budgets)
        a["workloads"].append(label)
        base = per[S.BASELINE]
        best = {}
        for seed, grid in base.items():
            for gi, r in grid.items():
                best.setdefault(gi, []).append(min(r["val"]) if r["val"] else math.inf)
        target, gi_t = C.set_target(best)
        a["targets"][label] = {"target": target, "grid_index": gi_t, "peak": meta["peaks"][w][gi_t],
                               "budget": b, "workload": w}
        for s in names:
            if not applies(s, w, b, meta):
                continue
            if s not in per:  # e.g. no law could be fitted: a miss
                a["t_steps"][s][label] = a["t_seconds"][s][label] = math.inf
                continue
            steps, secs, finals = {}, {}, {}
            for seed, grid in per[s].items():
                for gi, r in grid.items():
                    st, sec = C.time_to_target(r["eval_steps"], r["val"], target, r["seconds"])
                    steps.setdefault(seed, {})[gi] = st
                    secs.setdefault(seed, {})[gi] = sec
                    finals.setdefault(gi, []).append((seed, r["final_val"], r["final_train"]))
            a["t_steps"][s][label] = C.study_time(steps)
            a["t_seconds"][s][label] = C.study_time(secs)
            gi_f = C.tuned_index({gi: [v for _, v, _ in rows] for gi, rows in finals.items()})
            rows = sorted(finals[gi_f])
            a["final"][s][label] = {"grid_index": gi_f, "seeds": [r[0] for r in rows],
                                    "val": [r[1] for r in rows], "train": [r[2] for r in rows]}
    a["ratios_steps"] = _applicable(C.ratios(a["t_steps"]), a["t_steps"])
    a["ratios_seconds"] = _applicable(C.ratios(a["t_seconds"]), a["t_seconds"])
    # each schedule is scored over the workloads it applies to (curriculum: per-sample data;
    # the extended runs: long budgets)
    a["score_steps"] = {s: C.benchmark_score(a["ratios_steps"][s]) for s in names}
    a["score_seconds"] = {s: C.benchmark_score(a["ratios_seconds"][s]) for s in names}
    a["claims"] = claims(a)
    return a


# ---------------------------------------------------------------------------
# Claims under test


def _final_mean(a, s, label):
    f = a["final"].get(s, {}).get(label)
    return C.summary(f["val"])[0] if f else math.nan


def _compare(a, x, y, labels):
    """Per workload: (label, x's t, y's t, x's final val, y's final val); and the counts of
    workloads where x is at least as fast to target (both reach, or y misses) and has a
    lower or equal mean final validation loss (each schedule at its own tuned peak)."""
    rows, faster, lower, n = [], 0, 0, 0
    for label in labels:
        if label not in a["t_steps"].get(x, {}) or label not in a["t_steps"].get(y, {}):
            continue
        tx, ty = a["t_steps"][x][label], a["t_steps"][y][label]
        fx, fy = _final_mean(a, x, label), _final_mean(a, y, label)
        rows.append((label, tx, ty, fx, fy))
        n += 1
        faster += int(tx <= ty and math.isfinite(tx))
        lower += int(fx <= fy)
    return rows, faster, lower, n


def claims(a) -> list:
    labels = a["workloads"]
    longs = [l for l in labels if l.endswith("-long")]
    out = []

    def claim(title, pairs, scope):
        entries = []
        for x, y in pairs:
            rows, faster, lower, n = _compare(a, x, y, scope)
            if n:
                entries.append({"x": x, "y": y, "rows": rows, "faster": faster, "lower": lower, "n": n})
        out.append({"title": title, "entries": entries})

    claim("Linear decay >= cosine (Defazio et al. 2023)", [("linear", "cosine")], labels)
    claim("Refined >= linear decay (Defazio et al. 2023)", [("offline", "linear"), ("online", "linear")], labels)
    ubas = [s for s in a["names"] if s.startswith("uba-")]
    claim("UBA beats common schedules at a budget (Tang et al. 2025)",
          [(u, c) for u in ubas for c in ("cosine", "linear", "wsd")], labels)
    claim("WSD (1-sqrt cooldown) matches cosine at the same budget (Hagele et al. 2024)", [("wsd", "cosine")], labels)
    claim("WSD wins when the budget is extended (Hagele et al. 2024): both planned for the short budget, "
          "extended to the long one at half of it", [("wsd-ext", "cosine-ext"), ("wsd-ext", "wsd"),
                                                      ("cosine-ext", "cosine")], longs)
    claim("Law-searched schedules beat hand-picked ones", [("law", c) for c in ("cosine", "linear", "wsd")], labels)
    return out


# ---------------------------------------------------------------------------
# Writing


def _fmt_t(v):
    return "miss" if not math.isfinite(v) else ("%d" % v if v == int(v) else "%.3g" % v)


def _fmt_r(v):
    return "inf" if not math.isfinite(v) else "%.2f" % v


def _fmt_s(v):
    return "miss" if not math.isfinite(v) else "%.2f" % v


def markdown(results: dict, a: dict) -> str:
    meta = results["meta"]
    L = []
    L.append("# Schedule quality: results\n")
    L.append("Generated by `make quality%s` (`Benchmarks/quality/run.py`); regenerate the tables and charts "
             "with `python3 Benchmarks/quality/run.py --report Benchmarks/quality/results.json.gz`.\n"
             % (" QUALITY_ARGS=--quick" if meta.get("quick") else ""))
    L.append("- Machine: %s, %s CPUs visible, host ISA `%s`; library `%s`." % (
        meta["cpu"], meta["cpus"], meta["host_isa"], meta["pace_build"]))
    L.append("- Versions: Python %s, torch %s (CPU, 1 thread per run), numpy %s, scikit-learn %s." % (
        meta["python"], meta["torch"], meta["numpy"], meta["sklearn"]))
    L.append("- Run: started %s UTC, %d worker processes, took %.0f s (%.1f min); load average %s at the start, "
             "%s at the end (the machine was shared)." % (
                 meta["started_utc"], meta["workers"], meta["seconds"], meta["seconds"] / 60,
                 "/".join("%.1f" % x for x in meta["load_average_start"]),
                 "/".join("%.1f" % x for x in meta.get("load_average_end", [math.nan] * 3))))
    L.append("- Seeds %s (seed s: torch.manual_seed(s) for the initial weights, mini-batches from "
             "numpy default_rng(1000 + s), the same for every schedule); peak-LR grid: base x %s; %d runs.\n" % (
                 meta["seeds"], ", ".join("%g" % f for f in meta["grid_factors"]), len(results["runs"])))

    L.append("## Workloads, budgets and targets\n")
    L.append("Target: the median over seeds of the best validation loss of the tuned baseline (warmup + cosine "
             "at the grid point with the lowest such median).\n")
    L.append("| workload | budget (steps) | peak grid | target (val. loss, nats) | baseline's tuned peak |")
    L.append("|---|---|---|---|---|")
    for label in a["workloads"]:
        t = a["targets"][label]
        L.append("| %s | %d | %s | %.4f | %g |" % (label, t["budget"], ", ".join("%g" % p for p in meta["peaks"][t["workload"]]),
                                                   t["target"], t["peak"]))
    L.append("")

    order = sorted(a["names"], key=lambda s: (-a["score_steps"][s], s))
    L.append("## Benchmark score (AlgoPerf, r_max = 4; higher is better)\n")
    L.append("Time to target in steps (the primary measure: every schedule costs the same per step, and steps "
             "do not depend on the load of a shared machine) and in CPU seconds of training (evaluation "
             "excluded). t = median over seeds of the minimum over the 5 grid points; a miss is infinite.\n")
    L.append("Each schedule is scored over the workloads it applies to (the curriculum: the digits tasks; "
             "`wsd-ext`/`cosine-ext`: the long budgets).\n")
    L.append("| schedule | score (steps) | score (CPU s) | workloads reached |")
    L.append("|---|---|---|---|")
    for s in order:
        reached = sum(1 for v in a["t_steps"][s].values() if math.isfinite(v))
        L.append("| %s | %.3f | %.3f | %d of %d |" % (s, a["score_steps"][s], a["score_seconds"][s], reached,
                                                      len(a["t_steps"][s])))
    L.append("\n![performance profiles](profiles.svg)\n")

    L.append("## Time to target (steps; ratio to the best in brackets)\n")
    L.append("| schedule | " + " | ".join(a["workloads"]) + " |")
    L.append("|---" * (len(a["workloads"]) + 1) + "|")
    for s in order:
        cells = []
        for label in a["workloads"]:
            if label not in a["t_steps"][s]:
                cells.append("-")
                continue
            cells.append("%s (%s)" % (_fmt_t(a["t_steps"][s][label]), _fmt_r(a["ratios_steps"][s][label])))
        L.append("| %s | %s |" % (s, " | ".join(cells)))
    L.append("")
    L.append("Time to target in CPU seconds of training:\n")
    L.append("| schedule | " + " | ".join(a["workloads"]) + " |")
    L.append("|---" * (len(a["workloads"]) + 1) + "|")
    for s in order:
        L.append("| %s | %s |" % (s, " | ".join(_fmt_s(a["t_seconds"][s][l]) if l in a["t_seconds"][s] else "-"
                                                 for l in a["workloads"])))
    L.append("")

    L.append("## Final losses at each schedule's tuned peak\n")
    L.append("Each schedule at the grid point with the lowest median final validation loss; mean ± std over "
             "seeds of the final validation loss / final training loss (nats; `x` = grid factor).\n")
    L.append("| schedule | " + " | ".join(a["workloads"]) + " |")
    L.append("|---" * (len(a["workloads"]) + 1) + "|")
    for s in order:
        cells = []
        for label in a["workloads"]:
            f = a["final"][s].get(label)
            if f is None:
                cells.append("-")
                continue
            mv, sv, nv = C.summary(f["val"])
            mt, st, _ = C.summary(f["train"])
            cells.append("%.4f ± %.4f / %.4f (x%g)%s" % (mv, sv, mt, meta["grid_factors"][f["grid_index"]],
                                                         "" if nv == len(f["val"]) else " %d diverged" % (len(f["val"]) - nv)))
        L.append("| %s | %s |" % (s, " | ".join(cells)))
    L.append("\n![validation loss curves](curves.svg)\n")

    L.append("## Claims under test\n")
    L.append("For each pair x vs y and workload: t = steps to target (x / y) and the mean final validation "
             "loss (x / y), each at its own tuned peak. 'faster' counts workloads where x reaches the target "
             "no later than y; 'lower' where x's final validation loss is lower or equal.\n")
    for c in a["claims"]:
        L.append("### %s\n" % c["title"])
        if not c["entries"]:
            L.append("Not measured in this run.\n")
            continue
        for e in c["entries"]:
            L.append("- **%s vs %s**: faster on %d of %d workloads, lower final validation loss on %d of %d." % (
                e["x"], e["y"], e["faster"], e["n"], e["lower"], e["n"]))
            L.append("  " + "; ".join("%s: t %s/%s, val %.4f/%.4f" % (lab, _fmt_t(tx), _fmt_t(ty), fx, fy)
                                      for lab, tx, ty, fx, fy in e["rows"]))
        L.append("")

    errors = {k: r["error"] for k, r in results["runs"].items() if "error" in r}
    if errors:
        L.append("## Runs that failed (%d; counted as misses)\n" % len(errors))
        for k in sorted(errors)[:20]:
            L.append("- `%s`: %s" % (k, errors[k]))
        L.append("")
    if results.get("law"):
        L.append("## Law fits and searched schedules\n")
        for key, entry in results["law"].items():
            found = "; ".join("budget %s: %s" % (b, _spec_summary(v)) for b, v in entry["search"].items())
            L.append("- %s (grid x%g): %s. %s" % (key.split("|")[0], meta["grid_factors"][int(key.split("|")[1])],
                                                   entry["fit"], found))
        L.append("")
    return "\n".join(L) + "\n"


def _spec_summary(v) -> str:
    if "error" in v:
        return "search failed (%s)" % v["error"]
    spec = v["spec"]
    if "phases" in spec:
        parts = []
        for ph in spec["phases"]:
            length = ph.get("steps", "rest")
            parts.append("%s %s%s" % (ph["shape"], length, " to %g" % ph["to"] if "to" in ph else ""))
        body = "phases: " + ", ".join(parts)
    else:
        keys = [k for k in ("preset", "phi", "decay_steps", "decay_type", "min_ratio") if k in spec]
        body = ", ".join("%s %s" % (k, spec[k]) for k in keys) if keys else json.dumps(spec)[:120]
    return "%s (predicted final loss %.4f)" % (body, v["predicted_final_loss"])


def charts(a: dict, results: dict, folder: Path) -> None:
    import matplotlib

    matplotlib.use("svg")
    import matplotlib.pyplot as plt

    plt.rcParams["svg.hashsalt"] = "pace-quality"
    meta = results["meta"]
    taus = C.tau_grid()
    order = sorted(a["names"], key=lambda s: (-a["score_steps"][s], s))
    fig, ax = plt.subplots(figsize=(8, 5))
    cmap = plt.get_cmap("tab20")
    for i, s in enumerate(order):
        rho = C.profile(a["ratios_steps"][s], taus)
        ax.step(taus, rho, where="post", color=cmap(i % 20), label="%s (%.3f)" % (s, a["score_steps"][s]),
                linestyle="-" if i < 10 else "--")
    ax.set_xlabel("tau (ratio of steps to target to the best schedule's)")
    ax.set_ylabel("fraction of workloads within tau")
    ax.set_title("Performance profiles, %d workloads (score in brackets)" % len(a["workloads"]))
    ax.set_xlim(1, C.R_MAX)
    ax.set_ylim(-0.02, 1.02)
    ax.legend(fontsize=7, ncol=2, loc="lower right")
    fig.tight_layout()
    fig.savefig(folder / "profiles.svg", metadata={"Date": None})
    plt.close(fig)

    longs = [l for l in a["workloads"] if l.endswith("-long")] or a["workloads"]
    shown = [s for s in ("constant", "linear", "cosine", "wsd", "rex", "uba-1", "power", "offline", "online", "law",
                         "autolrs", "curriculum") if s in a["names"]]
    fig, axes = plt.subplots(1, len(longs), figsize=(4.2 * len(longs), 4), squeeze=False)
    for ax, label in zip(axes[0], longs):
        t = a["targets"][label]
        per = a["idx"][(t["workload"], t["budget"])]
        for i, s in enumerate(shown):
            if s not in per:
                continue
            gi = a["final"][s][label]["grid_index"]
            seed = min(per[s])
            r = per[s][seed].get(gi)
            if r is None:
                continue
            ax.plot(r["eval_steps"], r["val"], color=cmap(i % 20), label=s, lw=1)
        ax.axhline(t["target"], color="k", lw=0.8, ls=":", label="target")
        finite = [v for s in shown if s in per for r in per[s][min(per[s])].values() for v in r["val"][len(r["val"]) // 4:]
                  if math.isfinite(v)]
        if finite:
            lo = min(finite)
            ax.set_ylim(lo - 0.05 * abs(lo), lo + 3 * (t["target"] - lo) + 0.1 * abs(lo))
        ax.set_title("%s (%d steps)" % (label, t["budget"]))
        ax.set_xlabel("step")
        ax.set_ylabel("validation loss (nats)")
    axes[0][0].legend(fontsize=6)
    fig.suptitle("Validation loss, seed %d, each schedule at its tuned peak" % min(meta["seeds"]))
    fig.tight_layout()
    fig.savefig(folder / "curves.svg", metadata={"Date": None})
    plt.close(fig)


def write_all(results: dict, folder: Path) -> dict:
    a = analyse(results)
    (folder / "results.md").write_text(markdown(results, a))
    charts(a, results, folder)
    print("wrote %s, profiles.svg, curves.svg" % (folder / "results.md"), flush=True)
    return a
