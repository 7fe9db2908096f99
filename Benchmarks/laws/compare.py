"""Pace's loss-curve laws on the 25M protocol, next to the study's published numbers and
our re-implementation of the study's fitting recipe (reference_fit.py), timed side by side.

    python3 Benchmarks/laws/compare.py [--pace PATH] [--repeat N] [--skip-reference] [--out FILE]

PATH is the `pace` CLI (default: build/bin/pace, else .build-release/release/pace-cli).
Prints markdown tables (protocol metrics; fit time; search throughput) and writes them to
Benchmarks/laws/results.md (or FILE).
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from mpl_reference import DATA, PUBLISHED, ROOT, TEST, TRAIN, curve, metrics  # noqa: E402

PAPER = dict(r2=0.9988, mae=0.00376, rmse=0.00465, prede=0.00110, worste=0.00409)


def find_cli(given):
    for p in [given, ROOT / "build" / "bin" / "pace", ROOT / ".build-release" / "release" / "pace-cli"]:
        if p and Path(p).is_file():
            return str(p)
    sys.exit("compare.py: no pace CLI found; run `make cli` or pass --pace PATH")


def run(cmd):
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit("compare.py: %s failed:\n%s" % (" ".join(cmd), r.stderr))
    return r.stdout


def curve_args():
    args = []
    for n in TRAIN:
        args += ["--curve", "%s:%s" % (DATA / (n + ".json"), DATA / (n + ".csv"))]
    return args


def fit(cli, law, extra, repeat):
    best, doc = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = run([cli, "fit", "--law", law, "--json"] + curve_args() + extra)
        best = min(best, time.perf_counter() - t0)
        doc = json.loads(out)
    return doc, best


def protocol(cli, law_doc):
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(law_doc, f)
        path = f.name
    per = {}
    for n in TEST:
        steps, loss = curve(n)
        out = json.loads(run([cli, "predict", path, str(DATA / (n + ".json")), "--steps",
                              ",".join(map(str, steps)), "--json"]))
        per[n] = metrics(loss, np.array(out["loss"]))
    os.unlink(path)
    return {k: float(np.mean([per[n][k] for n in TEST])) for k in PAPER}


def row(name, m, extra=""):
    return "| %s | %.5f | %.5f | %.5f | %.5f | %.5f |%s" % (
        name, m["r2"], m["mae"], m["rmse"], m["prede"], m["worste"], extra)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pace")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--skip-reference", action="store_true")
    ap.add_argument("--out", default=str(HERE / "results.md"))
    a = ap.parse_args()
    cli = find_cli(a.pace)
    lines = ["# Loss-curve laws: 25M protocol (fit cosine_24000, constant_24000, wsdcon_9; predict the other six)",
             "", "Machine: %s, %d CPUs; `%s`; %s." % (platform.machine(), os.cpu_count(), Path(cli).name,
                                                      time.strftime("%Y-%m-%d")), ""]

    # Fits.
    # The study's settings (warmup raw, Huber delta 1e-3) for both multi-power methods, so that
    # they compare with its recipe; the annealing law with lambda fixed, then fitted (its default).
    study = ["--warmup", "raw", "--huber-delta", "1e-3"]
    mpl, t_mpl = fit(cli, "multi_power", ["--method", "lm"] + study, a.repeat)
    adam, t_adam = fit(cli, "multi_power", ["--method", "adam"] + study, a.repeat)
    ann, t_ann = fit(cli, "annealing", ["--no-fit-lambda"], a.repeat)
    ann_l, t_ann_l = fit(cli, "annealing", ["--fit-lambda"], a.repeat)
    published = {"format": "pace-law", "version": 1, "law": "multi_power", "warmup": "raw", "params": PUBLISHED}

    ref = None
    if not a.skip_reference:
        ref = json.loads(run([sys.executable, str(HERE / "reference_fit.py"), "--json"]))
        ref_doc = {"format": "pace-law", "version": 1, "law": "multi_power", "warmup": "raw", "params": ref["params"]}

    lines += ["## Prediction of the six held-out curves (averages over the six, as the paper reports)", "",
              "| law / fit | R^2 | MAE | RMSE | PredE | WorstE | train objective |",
              "|---|---|---|---|---|---|---|"]
    lines.append(row("paper (published numbers)", PAPER, " |"))
    lines.append(row("published parameters, Pace's predictor", protocol(cli, published), " 2.90e-4 |"))
    if ref:
        lines.append(row("reference recipe (our re-implementation, torch)", protocol(cli, ref_doc),
                         " %.3e |" % ref["objective"]))
    lines.append(row("Pace multi_power, adam (the study's recipe)", protocol(cli, adam),
                     " %.3e |" % adam["fit"]["objective"]))
    lines.append(row("Pace multi_power, lm (default: the objective's minimiser)", protocol(cli, mpl),
                     " %.3e |" % mpl["fit"]["objective"]))
    lines.append(row("Pace annealing, lambda 0.999", protocol(cli, ann), " %.3e |" % ann["fit"]["objective"]))
    lines.append(row("Pace annealing, lambda fitted (%.5f)" % ann_l["params"]["lambda"], protocol(cli, ann_l),
                     " %.3e |" % ann_l["fit"]["objective"]))
    lines += ["", "Parameters:", ""]
    for name, doc in [("lm", mpl), ("adam", adam)] + ([("reference", {"params": ref["params"]})] if ref else []):
        lines.append("- %s: %s" % (name, ", ".join("%s %.5g" % kv for kv in doc["params"].items())))
    lines.append("- published: %s" % ", ".join("%s %.5g" % kv for kv in PUBLISHED.items()))

    lines += ["", "## Fit time (wall clock, best of %d for Pace; the whole fit of the three curves)" % a.repeat, "",
              "| fit | seconds | speed-up vs reference |", "|---|---|---|"]
    t_ref = ref["seconds"] if ref else float("nan")
    if ref:
        lines.append("| reference recipe (our re-implementation: scipy L-BFGS-B grid + torch AdamW, %d threads) | %.2f | 1.0x |"
                     % (ref["threads"], t_ref))
    for name, t in [("Pace multi_power, lm (135 surrogate + 3 full starts, to convergence)", t_mpl),
                    ("Pace multi_power, adam (the same recipe as the reference)", t_adam),
                    ("Pace annealing, lambda fixed (54 starts)", t_ann),
                    ("Pace annealing, lambda fitted", t_ann_l)]:
        lines.append("| %s | %.3f | %s |" % (name, t, ("%.1fx" % (t_ref / t)) if ref else "n/a"))

    # Search.
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(published, f)
        law_path = f.name
    s = json.loads(run([cli, "search", law_path, "--budget", "24000", "--peak", "3e-4", "--warmup", "2160",
                        "--free-form", "--iterations", "2000", "--json"]))
    os.unlink(law_path)
    lines += ["", "## Schedule search (published 25M law, T = 24000, peak 3e-4, warmup 2160)", "",
              "%d candidates in %.2f s: **%.0f candidates/s** (each an exact O(T) final-loss evaluation of a "
              "24000-step schedule)." % (s["evaluated"], s["seconds"], s["candidates_per_second"]), "",
              "| schedule | predicted final loss |", "|---|---|"]
    for fam in s["families"]:
        lines.append("| best %s | %.5f |" % (fam["summary"], fam["final_loss"]))
    for name, v in s["references"].items():
        lines.append("| %s | %.5f |" % (name, v))
    if "free_form" in s:
        lines.append("| free-form (projected gradient, %d iterations) | %.5f |" % (s["free_form"]["iterations"],
                                                                                 s["free_form"]["final_loss"]))
    text = "\n".join(lines) + "\n"
    print(text)
    Path(a.out).write_text(text + kept_sections(Path(a.out)))


def kept_sections(path):
    """The sections other scripts own in results.md (cv.py, search_throughput.py), between
    their `<!-- NAME: begin -->`/`<!-- cv:begin -->` and matching end markers, kept verbatim."""
    if not path.exists():
        return ""
    kept, inside = [], False
    for line in path.read_text().splitlines():
        marker = line.strip()
        if marker.startswith("<!--") and (marker.endswith("begin -->") or marker.endswith(":begin -->")):
            inside = True
        if inside:
            kept.append(line)
        if marker.startswith("<!--") and marker.endswith("end -->"):
            inside = False
            kept.append("")
    return ("\n" + "\n".join(kept)) if kept else ""


if __name__ == "__main__":
    main()
