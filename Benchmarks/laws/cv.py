"""Which fit settings predict curves the fit never saw? Cross-validation of the loss-curve law
fits on the bundled 25M curves (issue 17, part 2), through the Python binding (libpace.so).

    python3 Benchmarks/laws/cv.py [--quick] [--skip-grid] [--skip-interval] [--out FILE] [--cache FILE]

Two rotations over the nine 25M curves (data/loss-curves/25M), every curve predicted once per
rotation by a fit that did not see it:

- leave-one-schedule-out (LOSO): families constant {24k, 72k}, cosine {24k, 72k},
  wsd {wsd, wsdld 20000/24000}, wsdcon {3, 9, 18}; fit on three families, predict the fourth.
- leave-one-length-out (LOLO): lengths 16000 (wsdcon), 24000 (four curves), 72000 (two curves);
  fit on two lengths, predict the third (so 72k curves are predicted from 16k/24k ones, i.e. the
  extrapolation the study's protocol asks for, and 24k ones from the others).

Candidate settings (what `pace_fit_options` exposes): both laws; method lm / adam (adam is the
multi-power study's recipe, multi_power only); Huber delta 1e-4, 1e-3, 1e-2, 1e-1 on log residuals;
warmup convention raw / sum / peak; annealing: lambda fixed (0.999) or fitted. Also scored: each
law's library default (Law.fit with no options), which should equal its law's winner. Linear (instead
of log) residuals and the start grid are not options of the fit (the objective is always on log
residuals; the start grid is fixed): they are not varied here.

Score of a setting: PredE (mean |pred - obs| / obs) and R^2 per held-out curve, averaged over the
nine curves of each rotation; the winner has the lowest mean of the two rotations' PredE. Also
printed: the study's protocol (fit cosine_24000, constant_24000, wsdcon_9; predict the other six)
next to the study's published numbers.

Prediction intervals (`Law.fit(..., interval=True)`, leave-one-curve-out residuals): their
coverage measured by nested leave-one-curve-out CV on the nine curves (each curve predicted with
the interval calibrated on the other eight) and on the study's protocol, at levels 0.5 .. 0.95.

Writes its section of Benchmarks/laws/results.md (between the `cv:begin` / `cv:end` markers;
the rest of the file is left as it is). The 100M / 400M curves are a held-out test and are
never read here.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, os.environ.get("PACE_PYTHON_PATH", str(ROOT / "bindings" / "python")))
sys.path.insert(0, str(HERE))
from mpl_reference import DATA, TEST, TRAIN, curve, metrics  # noqa: E402

from pace import laws  # noqa: E402
from pace.errors import PaceError  # noqa: E402

NAMES = ["constant_24000", "constant_72000", "cosine_24000", "cosine_72000", "wsd_20000_24000",
         "wsdld_20000_24000", "wsdcon_3", "wsdcon_9", "wsdcon_18"]
FAMILIES = {"constant": ["constant_24000", "constant_72000"], "cosine": ["cosine_24000", "cosine_72000"],
            "wsd": ["wsd_20000_24000", "wsdld_20000_24000"], "wsdcon": ["wsdcon_3", "wsdcon_9", "wsdcon_18"]}
LENGTHS = {"16000": ["wsdcon_3", "wsdcon_9", "wsdcon_18"],
           "24000": ["constant_24000", "cosine_24000", "wsd_20000_24000", "wsdld_20000_24000"],
           "72000": ["constant_72000", "cosine_72000"]}
ROTATIONS = {"LOSO": FAMILIES, "LOLO": LENGTHS}
PAPER = dict(r2=0.9988, prede=0.00110)
LEVELS = [0.5, 0.8, 0.9, 0.95]
MARK_BEGIN, MARK_END = "<!-- cv:begin -->", "<!-- cv:end -->"


def observed(name):
    """(spec path, steps, losses) of a 25M curve, its steps inside the schedule."""
    steps, loss = curve(name)
    total = 16000 if name.startswith("wsdcon") else int(name.split("_")[-1])
    keep = (steps >= 1) & (steps < total)
    return str(DATA / (name + ".json")), steps[keep], loss[keep]


CURVES = {n: observed(n) for n in NAMES}


def settings(quick):
    """Every candidate: (label, law kind, keyword arguments of Law.fit), in the order they are
    run: the law defaults' neighbours first (delta 1e-3, each warmup), then the other deltas,
    so that a run cut short by --max-minutes has covered the main axes."""
    # The library's defaults as they are (Law.fit with no options), next to the settings they
    # were chosen from: a check that the default is the winner it claims to be.
    out = [("annealing library default", "annealing", {}), ("multi_power library default", "multi_power", {})]
    deltas = [1e-3] if quick else [1e-3, 1e-4, 1e-2, 1e-1]
    warmups = ["raw", "sum"] if quick else ["raw", "sum", "peak"]
    for delta in deltas:
        for warmup in warmups:
            for fit_lambda in [False, True]:
                out.append(("annealing lambda=%s warmup=%s delta=%g" % ("fitted" if fit_lambda else "0.999", warmup,
                                                                       delta), "annealing",
                            dict(warmup=warmup, huber_delta=delta, fit_lambda=fit_lambda)))
            for method in ["lm", "adam"]:
                out.append(("multi_power %s warmup=%s delta=%g" % (method, warmup, delta), "multi_power",
                            dict(method=method, warmup=warmup, huber_delta=delta)))
    return out


def predict_metrics(law, names):
    out = {}
    for n in names:
        spec, steps, loss = CURVES[n]
        m = metrics(loss, law.predict(spec, steps))
        out[n] = {k: float(v) for k, v in m.items()}
    return out


def fit(kind, names, kw, **extra):
    return laws.Law.fit(kind, [CURVES[n] for n in names], **kw, **extra)


def evaluate(kind, kw, log):
    """Per rotation: per held-out curve metrics (None where a fold's fit failed); the protocol."""
    result = {"folds": {}, "failures": [], "seconds": 0.0}
    t0 = time.perf_counter()
    for rotation, groups in ROTATIONS.items():
        per = {}
        for group, held in groups.items():
            train = [n for n in NAMES if n not in held]
            try:
                with fit(kind, train, kw) as law:
                    per.update(predict_metrics(law, held))
            except PaceError as e:
                result["failures"].append("%s %s: %s" % (rotation, group, str(e).splitlines()[0][:160]))
                per.update({n: None for n in held})
        result["folds"][rotation] = per
    try:
        with fit(kind, TRAIN, kw) as law:
            per = predict_metrics(law, TEST)
            result["protocol"] = {k: float(np.mean([per[n][k] for n in TEST])) for k in ("r2", "prede", "worste")}
    except PaceError as e:
        result["failures"].append("protocol: %s" % str(e).splitlines()[0][:160])
        result["protocol"] = None
    result["seconds"] = time.perf_counter() - t0
    log("%.1fs" % result["seconds"])
    return result


def summary(result):
    """Mean PredE / R^2 per rotation over its nine curves (inf / nan when a fold failed)."""
    s = {}
    for rotation, per in result["folds"].items():
        vals = list(per.values())
        if any(v is None for v in vals):
            s[rotation] = dict(prede=float("inf"), r2=float("nan"))
        else:
            s[rotation] = dict(prede=float(np.mean([v["prede"] for v in vals])),
                               r2=float(np.mean([v["r2"] for v in vals])))
    s["score"] = float(np.mean([s[r]["prede"] for r in ROTATIONS]))
    return s


def run_grid(quick, cache, log, max_minutes, only=None):
    """Runs the settings not in the cache (those whose label contains one of `only`, when given)."""
    done = json.loads(cache.read_text()) if cache.is_file() else {}
    t0 = time.perf_counter()
    for label, kind, kw in settings(quick):
        if only and not any(o in label for o in only):
            continue
        if label in done:
            continue
        if max_minutes < 0 or (max_minutes and time.perf_counter() - t0 > 60 * max_minutes):
            log("time budget spent: %s and the settings after it are not run" % label)
            break
        log("%-55s ... " % label, end="")
        done[label] = dict(kind=kind, kw=kw, result=evaluate(kind, kw, log))
        cache.write_text(json.dumps(done, indent=1))
    return {label: done[label] for label, _, _ in settings(quick)
            if label in done and (not only or any(o in label for o in only))}


def interval_coverage(kind, kw, log, nested=True):
    """Coverage of the law's prediction interval: nested leave-one-curve-out over the nine
    curves (81 fits; skipped with nested=False), and the study's protocol (calibrated on its
    three training curves: 4 fits)."""
    cov = {"nested": {lv: [] for lv in LEVELS}, "protocol": {lv: [] for lv in LEVELS},
           "width_nested": {lv: [] for lv in LEVELS}, "failures": []}

    def score(law, names, key):
        for n in names:
            spec, steps, loss = CURVES[n]
            for lv in LEVELS:
                pred, lo, hi = law.predict_interval(spec, steps, level=lv)
                cov[key][lv].append(float(np.mean((loss >= lo) & (loss <= hi))))
                if key == "nested":
                    cov["width_nested"][lv].append(float(np.mean((hi - lo) / pred)))

    t0 = time.perf_counter()
    for n in NAMES if nested else []:
        try:
            with fit(kind, [m for m in NAMES if m != n], kw, interval=True) as law:
                score(law, [n], "nested")
        except PaceError as e:
            cov["failures"].append("without %s: %s" % (n, str(e).splitlines()[0][:160]))
    with fit(kind, TRAIN, kw, interval=True) as law:
        score(law, TEST, "protocol")
        cov["calibration"] = json.loads(law.save())["law"]["interval"]
    cov["seconds"] = time.perf_counter() - t0
    log("interval coverage of %s %s: %.1fs" % (kind, kw, cov["seconds"]))
    return cov


def fmt(x, spec="%.5f"):
    return "failed" if not np.isfinite(x) else spec % x


def report(grid, intervals, winners, quick, only=None):
    lines = [MARK_BEGIN, "## Cross-validated choice of the default fit (issue 17, part 2; `Benchmarks/laws/cv.py`)", "",
             "Machine: %s, %d CPUs; %s; library `%s` through `pace.laws`.%s"
             % (platform.machine(), os.cpu_count(), time.strftime("%Y-%m-%d"), Path(laws._lib.library_path).name,
                " QUICK run (subset)." if quick else ""),
             "",
             "Every setting is fitted on some of the nine 25M curves and scored on the others. LOSO: leave one "
             "schedule family out (constant, cosine, wsd+wsdld, wsdcon x3). LOLO: leave one run length out "
             "(16k, 24k, 72k). PredE and R^2 are averaged over the nine held-out curves of each rotation; "
             "the score is the mean of the two rotations' PredE (lower is better). `protocol` is the study's "
             "split (fit 3, predict 6), shown next to the study's published numbers; it is not used to choose.",
             "Not varied because the fit does not expose them: linear (instead of log) residuals, the start grid.", ""]
    if grid:
        lines += ["| setting | LOSO PredE | LOSO R^2 | LOLO PredE | LOLO R^2 | score | protocol PredE | protocol R^2 | s |",
                  "|---|---|---|---|---|---|---|---|---|",
                  "| the study (published, protocol only) | | | | | | %.5f | %.5f | |" % (PAPER["prede"], PAPER["r2"])]
        ranked = sorted(grid.items(), key=lambda kv: summary(kv[1]["result"])["score"])
        for label, entry in ranked:
            r = entry["result"]
            s = summary(r)
            p = r["protocol"] or dict(prede=float("inf"), r2=float("nan"))
            name = ("**%s** (winner for its law)" % label) if label in winners else label
            lines.append("| %s | %s | %s | %s | %s | %s | %s | %s | %.0f |" % (
                name, fmt(s["LOSO"]["prede"]), fmt(s["LOSO"]["r2"]), fmt(s["LOLO"]["prede"]),
                fmt(s["LOLO"]["r2"]), fmt(s["score"]), fmt(p["prede"]), fmt(p["r2"]), r["seconds"]))
        missing = [label for label, _, _ in settings(quick)
                   if label not in grid and (not only or any(o in label for o in only))]
        if missing:
            lines += ["", "Not run in this run (time budget, `--max-minutes`): " + "; ".join(missing) + "."]
        fails = [(label, f) for label, e in grid.items() for f in e["result"]["failures"]]
        if fails:
            lines += ["", "Failed fits (the setting scores `failed` in that rotation):", ""]
            lines += ["- %s: %s" % lf for lf in fails]
        for winner in sorted(winners):
            lines += ["", "Per held-out curve PredE of %s:" % winner, "",
                      "| curve | LOSO | LOLO |", "|---|---|---|"]
            w = grid[winner]["result"]["folds"]
            for n in NAMES:
                lines.append("| %s | %s | %s |" % (n, *(fmt(w[r][n]["prede"]) if w[r][n] else "failed"
                                                       for r in ROTATIONS)))
    if intervals:
        lines += ["", "### Prediction intervals: measured coverage", "",
                  "Interval of `predict` (`Law.fit(..., interval=True)`): the law's prediction times exp of the "
                  "quantiles of leave-one-curve-out log residuals (docs/laws.md). Coverage = fraction of observed "
                  "points inside the interval; mean over the curves. Nested: each of the nine curves predicted by "
                  "a law fitted, and its interval calibrated, on the other eight. Protocol: calibrated on the three "
                  "training curves, scored on the six others.", "",
                  "| law / setting | level | nested coverage | nested mean width (relative) | protocol coverage |",
                  "|---|---|---|---|---|"]
        for label, cov in intervals.items():
            for lv in LEVELS:
                key = str(lv)
                nested = cov["nested"][key]
                lines.append("| %s | %.2f | %s | %s | %.3f |" % (
                    label, lv, "%.3f" % np.mean(nested) if nested else "n/a",
                    "%.4f" % np.mean(cov["width_nested"][key]) if nested else "n/a", np.mean(cov["protocol"][key])))
        lines.append("")
        for label, cov in intervals.items():
            q = np.array(cov["calibration"]["log_residual_quantiles"])
            p = np.linspace(0, 1, len(q))
            lo, hi = min(0.0, np.interp(0.05, p, q)), max(0.0, np.interp(0.95, p, q))
            lines.append("- %s, calibrated on the protocol's three training curves (%d points): the 90%% interval "
                         "is the prediction x [%.4f, %.4f]; the measurement took %.0f s." % (
                             label, cov["calibration"]["points"], np.exp(lo), np.exp(hi), cov["seconds"]))
            lines += ["- %s: %s" % (label, f) for f in cov["failures"]]
    lines.append(MARK_END)
    return "\n".join(lines) + "\n"


def write_section(path, text):
    old = path.read_text() if path.is_file() else ""
    if MARK_BEGIN in old and MARK_END in old:
        head, rest = old.split(MARK_BEGIN, 1)
        tail = rest.split(MARK_END, 1)[1].lstrip("\n")
        new = head + text + ("\n" + tail if tail else "")
    else:
        new = old.rstrip("\n") + ("\n\n" if old else "") + text
    path.write_text(new)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="a subset of the settings (delta 1e-3; raw/sum)")
    ap.add_argument("--skip-grid", action="store_true")
    ap.add_argument("--skip-interval", action="store_true")
    ap.add_argument("--out", default=str(HERE / "results.md"))
    ap.add_argument("--cache", default=None, help="JSON file keeping finished settings (resume); default: none")
    ap.add_argument("--nested-all", action="store_true",
                    help="nested interval coverage for multi_power too (81 fits of up to 8 curves; else annealing only)")
    ap.add_argument("--only", action="append", default=None, metavar="TEXT",
                    help="run only the settings whose label contains TEXT (repeatable), e.g. 'delta=0.01'")
    ap.add_argument("--max-minutes", type=float, default=0, help="start no new setting after this long (0: no limit; < 0: none, report the --cache only)")
    a = ap.parse_args()

    def log(msg, end="\n"):
        print(msg, end=end, file=sys.stderr, flush=True)

    cache = Path(a.cache) if a.cache else Path(os.devnull)
    grid = {} if a.skip_grid else run_grid(a.quick, cache if a.cache else _Memory(), log, a.max_minutes, a.only)
    winners = {}
    for kind in ("multi_power", "annealing"):
        mine = [k for k in grid if grid[k]["kind"] == kind and "library default" not in k]
        if mine:
            winners[kind] = min(mine, key=lambda k: summary(grid[k]["result"])["score"])
            log("winner for %s: %s (score %.5f)" % (kind, winners[kind], summary(grid[winners[kind]]["result"])["score"]))
    intervals = {}
    if not a.skip_interval:
        # Kept beside the --cache (finished laws are not recomputed).
        icache = Path(a.cache + ".intervals.json") if a.cache else _Memory()
        intervals = json.loads(icache.read_text()) if icache.is_file() else {}
        candidates = [("annealing (library default fit)", "annealing", {}),
                      ("multi_power (library default fit)", "multi_power", {})]
        for label, kind, kw in candidates:
            if label in intervals:
                continue
            nested = a.nested_all or kind == "annealing"
            cov = interval_coverage(kind, kw, log, nested=nested)
            for key in ("nested", "protocol", "width_nested"):
                cov[key] = {str(lv): v for lv, v in cov[key].items()}
            intervals[label] = cov
            icache.write_text(json.dumps(intervals, indent=1))
    text = report(grid, intervals, set(winners.values()), a.quick, a.only)
    print(text)
    write_section(Path(a.out), text)


class _Memory:
    """A cache that keeps nothing between runs (no --cache)."""

    def __init__(self):
        self.text = "{}"

    def is_file(self):
        return True

    def read_text(self):
        return self.text

    def write_text(self, text):
        self.text = text


if __name__ == "__main__":
    main()
