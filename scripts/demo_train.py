#!/usr/bin/env python3
"""The training part of `make demo`: a small real model trained with numpy
under the schedules of the story, through the Python binding (no torch).

The model is a softmax regression (64 features, 10 classes) on generated,
noisy data, trained by SGD with momentum for STEPS steps of 64 samples:

1. cosine to 0.1 of the peak (a plain pace.Schedule);
2. WSD whose cooldown starts by event: a pace.Runtime with an open-ended
   stable phase, and the trainer calls begin_decay() when it decides to
   stop (the last 20%); mid-run the runtime, the weights and the data order
   are checkpointed and the run is resumed from the files in a fresh
   runtime, checked bit for bit against the uninterrupted run;
3. the schedule a multi-power law predicts best for this budget: the law
   is fitted (`pace fit --curve CSV`, the CSVs' lr columns as schedules)
   to runs 1 and 2 of this model, and its prediction of run 3, a curve it
   never saw, is scored with `pace predict --observed` (when that fit
   fails, the shape searched under the 25M law of `pace demo` is used);
4. the schedule refined from run 1's gradient norms (pace.refine, Defazio
   et al. 2023);
5. AutoLRS (pace.tune, when the library has it): the tuner picks each
   stage's LR by Bayesian optimisation over short trials, which count
   against the same STEPS-step budget.

It writes each run's validation loss as a CSV (step, lr, loss), the played
schedules as specs, charts through `pace plot`, appends them to the demo's
manifest.tsv and summary.txt, and renders index.html with
`pace demo --page-only`.

    python3 scripts/demo_train.py --output build/demo --pace build/bin/pace
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

import pace

STEPS = 3000
WARMUP = STEPS * 9 // 100
PEAK = 3e-4
# Features are scaled by FEATURE_SCALE so that the step size that trains this
# model well is 3e-4, the LR scale of the bundled 25M runs whose law fits
# start from: for a linear model, features times s train exactly as the LR
# times s^2 (here 0.1 on unscaled features).
FEATURE_SCALE = (0.1 / PEAK) ** 0.5
BATCH = 64
FEATURES = 64
CLASSES = 10
MOMENTUM = 0.9
EVAL_EVERY = 25
COOLDOWN = STEPS // 5  # WSD: the last 20%
CHECKPOINT_AT = 1500


# -- data and model ---------------------------------------------------------------------


def make_data(seed: int = 0):
    """Gaussian classes with overlapping means and 10% flipped labels."""
    rng = np.random.default_rng(seed)
    means = rng.normal(0.0, 0.35, size=(CLASSES, FEATURES))
    def draw(n):
        y = rng.integers(0, CLASSES, size=n)
        x = (means[y] + rng.normal(0.0, 1.0, size=(n, FEATURES))) * FEATURE_SCALE
        flip = rng.random(n) < 0.1
        y[flip] = rng.integers(0, CLASSES, size=int(flip.sum()))
        return x, y
    return draw(40000), draw(10000)


def loss_and_grad(w, b, x, y):
    """Mean cross-entropy of softmax(x w + b) and its gradient."""
    z = x @ w + b
    z -= z.max(axis=1, keepdims=True)
    p = np.exp(z)
    p /= p.sum(axis=1, keepdims=True)
    n = x.shape[0]
    loss = -np.mean(np.log(p[np.arange(n), y] + 1e-300))
    p[np.arange(n), y] -= 1.0
    p /= n
    return loss, x.T @ p, p.sum(axis=0)


class Trainer:
    """SGD with momentum; the state a checkpoint must hold: weights, momentum
    buffers and the batch sampler's random state."""

    def __init__(self, data, seed: int = 1):
        (self.x, self.y), (self.vx, self.vy) = data
        self.w = np.zeros((FEATURES, CLASSES))
        self.b = np.zeros(CLASSES)
        self.mw = np.zeros_like(self.w)
        self.mb = np.zeros_like(self.b)
        self.rng = np.random.default_rng(seed)

    def step(self, lr: float) -> float:
        """One optimizer step at `lr`; returns the gradient's L2 norm."""
        idx = self.rng.integers(0, self.x.shape[0], size=BATCH)
        self.batch_loss, gw, gb = loss_and_grad(self.w, self.b, self.x[idx], self.y[idx])
        self.mw = MOMENTUM * self.mw + gw
        self.mb = MOMENTUM * self.mb + gb
        self.w -= lr * self.mw
        self.b -= lr * self.mb
        return float(np.sqrt(np.sum(gw * gw) + np.sum(gb * gb)))

    def val_loss(self) -> float:
        return float(loss_and_grad(self.w, self.b, self.vx, self.vy)[0])

    def snapshot(self) -> dict:
        return {"w": self.w.copy(), "b": self.b.copy(), "mw": self.mw.copy(), "mb": self.mb.copy(),
                "rng": json.dumps(self.rng.bit_generator.state)}

    def restore(self, snap: dict) -> None:
        self.w, self.b, self.mw, self.mb = (snap[k].copy() for k in ("w", "b", "mw", "mb"))
        self.rng.bit_generator.state = json.loads(snap["rng"])

    def save(self, path: Path) -> None:
        np.savez(path, w=self.w, b=self.b, mw=self.mw, mb=self.mb,
                 rng=np.array(json.dumps(self.rng.bit_generator.state)))

    def load(self, path: Path) -> None:
        z = np.load(path)
        self.w, self.b, self.mw, self.mb = z["w"], z["b"], z["mw"], z["mb"]
        self.rng = np.random.default_rng()
        self.rng.bit_generator.state = json.loads(str(z["rng"]))


# -- the runs -----------------------------------------------------------------------------


def run_schedule(data, spec) -> dict:
    """Trains under a schedule spec; returns the per-step LRs, norms and the validation curve."""
    schedule = pace.Schedule(spec)
    lrs = schedule.values(0, STEPS)
    t = Trainer(data)
    norms = np.empty(STEPS)
    curve = []
    for step in range(STEPS):
        norms[step] = t.step(float(lrs[step]))
        if (step + 1) % EVAL_EVERY == 0:
            curve.append((step + 1, t.val_loss()))
    return {"lrs": lrs, "norms": norms, "curve": curve, "final": t.val_loss()}


WSD_CONFIG = {"channels": {"lr": {"peak": PEAK, "phases": [
    {"shape": "linear", "steps": WARMUP, "from": 0, "to": 1}, {"shape": "constant"}]}}}


def wsd_by_event(data, start_step: int = 0, trainer: Trainer | None = None,
                 runtime: pace.Runtime | None = None, checkpoint: Path | None = None) -> dict:
    """WSD through a runtime: the stable phase has no end; at STEPS - COOLDOWN
    the trainer starts the cooldown (begin_decay). With `checkpoint`, saves
    the runtime and the trainer at CHECKPOINT_AT."""
    rt = runtime or pace.Runtime(WSD_CONFIG)
    t = trainer or Trainer(data)
    lr = float(rt.values()[0, 0])
    lrs, curve = [], []
    for step in range(start_step, STEPS):
        if step == STEPS - COOLDOWN:
            rt.begin_decay(COOLDOWN, "linear", 0.0)  # the event: "we stop at STEPS"
            lr = float(rt.values()[0, 0])
        if checkpoint is not None and step == CHECKPOINT_AT:
            rt.save_file(str(checkpoint) + ".runtime")
            t.save(Path(str(checkpoint) + ".npz"))
        lrs.append(lr)
        norm = t.step(lr)
        lr = float(rt.step(norm)[0, 0])
        if (step + 1) % EVAL_EVERY == 0:
            curve.append((step + 1, t.val_loss()))
    return {"lrs": np.array(lrs), "curve": curve, "final": t.val_loss(), "trainer": t}


def resume(data, checkpoint: Path) -> dict:
    """A fresh process's view: the runtime and the model from the files."""
    rt = pace.Runtime.load_file(str(checkpoint) + ".runtime")
    t = Trainer(data, seed=12345)  # a different seed: the file's random state must win
    t.load(Path(str(checkpoint) + ".npz"))
    assert rt.step_count == CHECKPOINT_AT
    return wsd_by_event(data, start_step=CHECKPOINT_AT, trainer=t, runtime=rt)


def autolrs(data) -> dict | None:
    """The AutoLRS protocol (docs/autolrs.md) driving the same trainer: every
    optimizer step, trials included, counts against STEPS."""
    try:
        import pace.tune
        tuner = pace.tune.AutoLRS({"min_lr": 1e-6, "max_lr": 1e-3, "total_steps": STEPS, "tau": 300,
                                   "tau_prime": 30, "candidates": 6, "tau_max": 2400, "seed": 0})
    except (ImportError, AttributeError, OSError) as e:  # a library without the tuner
        print("   (AutoLRS skipped: %s)" % e)
        return None
    t = Trainer(data)
    saved, lrs, taken = None, [], 0
    with tuner:
        while True:
            a = tuner.next()
            if a["action"] == "done":
                break
            if a["action"] == "checkpoint":
                saved = t.snapshot()
            elif a["action"] == "restore":
                t.restore(saved)
            else:
                losses = []
                for i in range(1, a["steps"] + 1):
                    t.step(a["lr"])
                    lrs.append(a["lr"])
                    if a["report"] == "train":
                        losses.append(float(t.batch_loss))  # the training loss of this step's batch
                    elif a["report"] == "val" and i % a["every"] == 0:
                        losses.append(t.val_loss())
                taken += a["steps"]
                if a["report"] != "none":
                    tuner.report(losses)
        stages = [h["lr"] for h in tuner.history]
    return {"final": t.val_loss(), "steps": taken, "stages": stages}


# -- output -------------------------------------------------------------------------------


def write_csv(path: Path, lrs, curve) -> None:
    lines = ["step,lr,loss"]
    losses = dict(curve)
    for step in range(STEPS):
        loss = losses.get(step)
        lines.append("%d,%r,%s" % (step, float(lrs[step]), "" if loss is None else repr(loss)))
    path.write_text("\n".join(lines) + "\n")


def table_spec(lrs) -> dict:
    """The schedule a run played, as a spec (a table of multipliers)."""
    peak = float(np.max(lrs))
    return {"peak": peak, "phases": [{"shape": "table", "values": [float(v) / peak for v in lrs]}]}


def plot(pace_cli: str, args, out: Path) -> None:
    r = subprocess.run([pace_cli, "plot", *map(str, args), "-o", str(out)], capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit("pace plot failed: " + r.stderr)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--output", default="build/demo")
    ap.add_argument("--pace", default="build/bin/pace", help="the pace CLI")
    args = ap.parse_args()
    out = Path(args.output)
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    data = make_data()

    print("4. A softmax regression (%d features, %d classes, numpy) trained %d steps under each schedule:"
          % (FEATURES, CLASSES, STEPS))
    cosine_spec = {"peak": PEAK, "total_steps": STEPS, "phases": [
        {"shape": "linear", "steps": WARMUP, "from": 0, "to": 1}, {"shape": "cosine", "from": 1, "to": 0.1}]}
    runs = {"cosine": run_schedule(data, cosine_spec)}

    checkpoint = out / "wsd-checkpoint"
    wsd = wsd_by_event(data, checkpoint=checkpoint)
    resumed = resume(data, checkpoint)
    same_lrs = np.array_equal(resumed["lrs"], wsd["lrs"][CHECKPOINT_AT:])
    same_model = np.array_equal(resumed["trainer"].w, wsd["trainer"].w)
    if not (same_lrs and same_model):
        sys.exit("the run resumed from the checkpoint differs from the uninterrupted run")
    runs["wsd (cooldown by event)"] = wsd

    # A law of this model, fitted to its own two runs through the CLI.
    for slug, r in (("cosine", runs["cosine"]), ("wsd", wsd)):
        write_csv(out / ("train-%s.csv" % slug), r["lrs"], r["curve"])
    model_law = out / "model-law.json"
    fit = subprocess.run([args.pace, "fit", "--curve", str(out / "train-cosine.csv"), "--curve",
                          str(out / "train-wsd.csv"), "--out", str(model_law)], capture_output=True, text=True)
    searched_note, law_lines = "", []
    if fit.returncode == 0:
        law = pace.laws.Law.load(model_law.read_text().strip())  # the file ends with a newline
        best = law.search(STEPS, PEAK, warmup=WARMUP, families=["wsd", "cosine", "rex", "uba"])
        spec = best["spec"]
        searched_note = " (law fitted to this model's cosine and WSD runs, %d candidates)" % best["evaluated"]
        law_lines.append("  the law fitted to the cosine and WSD runs predicts final loss %.5f for the searched "
                         "schedule" % best["final_loss"])
    else:  # the 25M law of `pace demo`
        law = pace.laws.Law.load((out / "law.json").read_text().strip())
        best = law.search(STEPS, PEAK, warmup=WARMUP, families=["wsd", "cosine", "rex", "uba"])
        spec = best["spec"]
        searched_note = " (under the 25M law; the fit to this model failed: %s)" % fit.stderr.strip()[-200:]
    runs["searched by the law"] = run_schedule(data, spec)
    write_csv(out / "train-searched.csv", runs["searched by the law"]["lrs"], runs["searched by the law"]["curve"])
    if fit.returncode == 0:
        scored = subprocess.run([args.pace, "predict", str(model_law), "--observed", str(out / "train-searched.csv"),
                                 "--json"], capture_output=True, text=True)
        if scored.returncode != 0:
            sys.exit("pace predict failed: " + scored.stderr)
        score = json.loads(scored.stdout)
        law_lines.append("  its prediction of the searched run, which it never saw: PredE %.5f, R2 %.4f"
                         % (score["pred_e"], score["r2"]))
        plot(args.pace, ["--observed", out / "train-searched.csv", "--law", model_law, "--title",
                         "The searched run: observed vs predicted by the model's own law"], out / "train-law.svg")

    multipliers, _ = pace.refine(runs["cosine"]["norms"], norm="l2", smoothing=0.1)
    refined = pace.refine_spec(multipliers, PEAK, warmup_steps=WARMUP)
    runs["refined from cosine's norms"] = run_schedule(data, refined)

    tuned = autolrs(data)
    summary = ["", "Softmax regression, %d steps of SGD with momentum (validation loss at the end):" % STEPS]
    files = []
    for name, r in runs.items():
        slug = name.split(" ")[0]
        csv = out / ("train-%s.csv" % slug)
        write_csv(csv, r["lrs"], r["curve"])
        spec_file = out / ("played-%s.json" % slug)
        spec_file.write_text(json.dumps(table_spec(r["lrs"])))
        files.append((name, csv, spec_file))
        line = "  %-32s %.5f" % (name, r["final"])
        print("  " + line)
        summary.append(line)
    if tuned is not None:
        line = "  %-32s %.5f" % ("AutoLRS (trials in the budget)", tuned["final"])
        print("  " + line)
        summary.append(line)
        detail = "  AutoLRS: %d optimizer steps, stage LRs %s" % (
            tuned["steps"], ", ".join("%.2e" % lr for lr in tuned["stages"] if isinstance(lr, float)))
        print("  " + detail)
        summary.append(detail)
    summary.append("  the WSD run resumed from its step-%d checkpoint: LRs and weights bit-identical" % CHECKPOINT_AT)
    print("    the WSD run resumed from its step-%d checkpoint: LRs and weights bit-identical" % CHECKPOINT_AT)
    for line in law_lines:
        print("  " + line)
        summary.append(line)

    labels = ",".join(name for name, _, _ in files)
    plot(args.pace, [*[f for _, _, f in files], "--labels", labels, "--title", "Schedules played (LR per step)"],
         out / "train-lr.svg")
    plot(args.pace, [*[a for _, c, _ in files for a in ("--observed", c)], "--title",
                     "Validation loss of the small model"], out / "train-loss.svg")
    entries = [
        ("train-lr.svg", "The schedules a real training run played",
         "Cosine, WSD whose cooldown the trainer started by an event, the law's searched shape%s and the "
         "schedule refined from the cosine run's gradient norms." % searched_note),
        ("train-loss.svg", "What they did to a small model",
         "Validation loss of a numpy softmax regression under each schedule; the WSD run was stopped at step "
         "%d, resumed from its checkpoint files and continued bit for bit." % CHECKPOINT_AT),
    ]
    if (out / "train-law.svg").is_file():
        entries.append(("train-law.svg", "A law of this model predicts a run it never saw",
                        "Fitted with pace fit to the cosine and WSD runs (their CSVs' lr columns are the schedules), "
                        "the law predicts the searched run's loss before it is trained."))
    with open(out / "manifest.tsv", "a") as f:
        for e in entries:
            f.write("\t".join(e) + "\n")
    with open(out / "summary.txt", "a") as f:
        f.write("\n".join(summary) + "\n")
    r = subprocess.run([args.pace, "demo", "--page-only", "--output", str(out)], capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit("pace demo --page-only failed: " + r.stderr)
    print("   (%.1f s)\n\n%s" % (time.perf_counter() - started, r.stdout.strip()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
