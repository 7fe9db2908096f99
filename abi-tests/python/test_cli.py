"""The command-line tool build/bin/pace (`make cli`): validate, show, plot,
demo, and its handling of bad input (exit status 1 and a clear message,
never a crash). Numbers printed by `pace show` are checked against the
Python binding (the same library), to the precision they are printed with.

Skipped when build/bin/pace is missing. Rendering the SVG to PNG uses
rsvg-convert or ImageMagick's convert when one is installed (skipped
otherwise)."""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest

import pace

ROOT = Path(__file__).resolve().parents[2]
PACE = Path(os.environ.get("PACE_CLI", str(ROOT / "build" / "bin" / "pace")))  # PACE_CLI: another build

if not PACE.is_file():
    pytest.skip("the CLI %s is not built (`make cli`): CLI tests skipped" % PACE, allow_module_level=True)

SVG = "{http://www.w3.org/2000/svg}"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

VALID = {"preset": "cosine", "peak": 3e-4, "warmup_steps": 100, "total_steps": 1000}
INVALID = {"phases": [{"shape": "linear", "steps": -5, "to": 0}]}
OPEN_ENDED = {"preset": "inverse_sqrt", "peak": 1e-3, "warmup_steps": 100}

SHOW_SPECS = {
    "cosine": VALID,
    "wsd": {"preset": "wsd", "peak": 3e-4, "warmup_steps": 100, "stable_steps": 600, "decay_steps": 300,
            "decay_type": "sqrt", "min_ratio": 0.01},
    "onecycle": {"preset": "onecycle", "peak": 0.1, "total_steps": 1234, "pct_start": 0.37},
    "step": {"peak": 0.5, "total_steps": 777, "phases": [{"shape": "step", "gamma": 0.5, "step_size": 100}]},
    "tiny": {"peak": 1e-7, "phases": [{"shape": "linear", "steps": 10, "from": 1, "to": 0.5}]},
}

# Marks of a crash or an uncaught error rather than a clean failure.
CRASH_MARKS = ("Fatal error", "Stack dump", "Traceback", "Segmentation fault", "panic", "Illegal instruction",
               "Assertion failed", "Current stack trace")


def run(*args, stdin=None, cwd=None):
    r = subprocess.run([str(PACE), *map(str, args)], input=stdin, capture_output=True, text=True,
                       timeout=120, cwd=cwd)
    assert r.returncode in (0, 1), "pace %s: exit status %d (crash?)\nstdout: %s\nstderr: %s" % (
        " ".join(map(str, args)), r.returncode, r.stdout[-2000:], r.stderr[-2000:])
    for mark in CRASH_MARKS:
        assert mark not in r.stderr and mark not in r.stdout, r.stderr
    return r


def write(tmp_path, name, spec):
    path = tmp_path / name
    path.write_text(spec if isinstance(spec, str) else json.dumps(spec))
    return path


# ---------------------------------------------------------------------------
# validate


def test_validate_valid_file(tmp_path):
    r = run("validate", write(tmp_path, "ok.json", VALID))
    assert r.returncode == 0, r.stderr
    assert r.stderr == ""


def test_validate_invalid_file_names_the_json_path(tmp_path):
    r = run("validate", write(tmp_path, "bad.json", INVALID))
    assert r.returncode == 1
    assert "phases[0].steps" in r.stderr
    assert "bad.json" in r.stderr


def test_validate_spec_as_json_text_and_stdin():
    assert run("validate", json.dumps(VALID)).returncode == 0
    r = run("validate", json.dumps(INVALID))
    assert r.returncode == 1 and "phases[0].steps" in r.stderr
    assert run("validate", "-", stdin=json.dumps(VALID)).returncode == 0
    r = run("validate", "-", stdin=json.dumps(INVALID))
    assert r.returncode == 1 and "phases[0].steps" in r.stderr


@pytest.mark.parametrize("spec, path", [
    ({"preset": "cosine", "total_steps": 100, "warmup_steps": 10, "bogus": 1}, "bogus"),
    ({"phases": [{"shape": "linear", "steps": 10, "to": 0}, {"shape": "nope", "steps": 5}]}, "phases[1].shape"),
    ({"peak": -1, "phases": [{"shape": "constant", "steps": 5}]}, "peak"),
])
def test_validate_names_other_paths(spec, path):
    r = run("validate", json.dumps(spec))
    assert r.returncode == 1 and path in r.stderr, r.stderr


def test_validate_several_specs_fails_if_one_is_invalid(tmp_path):
    ok = write(tmp_path, "ok.json", VALID)
    bad = write(tmp_path, "bad.json", INVALID)
    assert run("validate", ok, ok).returncode == 0
    r = run("validate", ok, bad)
    assert r.returncode == 1 and "phases[0].steps" in r.stderr


# ---------------------------------------------------------------------------
# show


def parse_number_and_tolerance(text):
    """A printed number and half a unit of its last printed digit."""
    m = re.fullmatch(r"([-+]?)(\d+)(?:\.(\d*))?(?:[eE]([-+]?\d+))?", text)
    assert m, "not a number: %r" % text
    decimals = len(m.group(3) or "")
    exponent = int(m.group(4) or 0)
    return float(text), 0.5 * 10.0 ** (exponent - decimals)


def parse_summary(stdout):
    """{"total steps": int or None, "peak": (value, tol, step), "final value":
    (value, tol, step), "area": (value, tol, first, end)} from `pace show`."""
    out = {}
    m = re.search(r"^total steps\s+(\S+)", stdout, re.M)
    assert m, stdout
    out["total steps"] = None if m.group(1) == "open-ended" else int(m.group(1))
    for key in ("peak", "final value"):
        m = re.search(r"^%s\s+(\S+) at step (\d+)" % key, stdout, re.M)
        assert m, "no %r line in:\n%s" % (key, stdout)
        value, tol = parse_number_and_tolerance(m.group(1))
        out[key] = (value, tol, int(m.group(2)))
    m = re.search(r"^area \(S1\)\s+(\S+) \(sum of the values of steps (\d+)\.\.<(\d+)\)", stdout, re.M)
    assert m, "no area line in:\n%s" % stdout
    value, tol = parse_number_and_tolerance(m.group(1))
    out["area"] = (value, tol, int(m.group(2)), int(m.group(3)))
    return out


def assert_close(printed, tol, exact, what):
    # 1e-9 relative, or the printed precision when that is coarser.
    allowed = max(1e-9 * abs(exact), tol * (1 + 1e-12))
    assert abs(printed - exact) <= allowed, "%s: printed %r, expected %r (allowed %.3g)" % (
        what, printed, exact, allowed)


@pytest.mark.parametrize("name", sorted(SHOW_SPECS))
def test_show_summary_matches_the_binding(name, tmp_path):
    spec = SHOW_SPECS[name]
    r = run("show", write(tmp_path, name + ".json", spec))
    assert r.returncode == 0, r.stderr
    summary = parse_summary(r.stdout)
    with pace.Schedule(spec) as s:
        values = s.values()
        assert summary["total steps"] == s.total_steps
    area, tol, first, end = summary["area"]
    assert (first, end) == (0, len(values))
    assert_close(area, tol, float(np.sum(values)), "area")
    peak, tol, step = summary["peak"]
    assert_close(peak, tol, float(values.max()), "peak")
    assert values[step] == values.max()
    final, tol, step = summary["final value"]
    assert step == len(values) - 1
    assert_close(final, tol, float(values[-1]), "final value")


def test_show_values_at_chosen_steps(tmp_path):
    r = run("show", json.dumps(VALID), "--steps", "0,1,99,100,500,999,1000,5000")
    assert r.returncode == 0, r.stderr
    rows = re.findall(r"^\s+(\d+)\s+(\S+)\s+(\S+)\s*$", r.stdout, re.M)
    got = {int(step): value for step, value, _ in rows}
    assert sorted(got) == [0, 1, 99, 100, 500, 999, 1000, 5000]
    with pace.Schedule(VALID) as s:
        for step, text in got.items():
            value, tol = parse_number_and_tolerance(text)
            assert_close(value, tol, s.at(step), "value at step %d" % step)


def test_show_open_ended_with_count():
    r = run("show", json.dumps(OPEN_ENDED), "--count", "2500")
    assert r.returncode == 0, r.stderr
    summary = parse_summary(r.stdout)
    assert summary["total steps"] is None
    with pace.Schedule(OPEN_ENDED) as s:
        values = s.values(0, 2500)
    area, tol, first, end = summary["area"]
    assert (first, end) == (0, 2500)
    assert_close(area, tol, float(np.sum(values)), "area")


def test_show_canonical_is_the_binding_canonical_text():
    r = run("show", json.dumps(VALID), "--canonical")
    assert r.returncode == 0, r.stderr
    m = re.search(r"^canonical: (\{.*\})$", r.stdout, re.M)
    assert m, r.stdout
    with pace.Schedule(VALID) as s:
        assert json.loads(m.group(1)) == s.to_dict()


def test_show_reads_stdin():
    r = run("show", "-", stdin=json.dumps(VALID))
    assert r.returncode == 0, r.stderr
    with pace.Schedule(VALID) as s:
        assert_close(*parse_summary(r.stdout)["area"][:2], float(np.sum(s.values())), "area")


# ---------------------------------------------------------------------------
# plot


def parse_svg(path):
    root = ET.parse(str(path)).getroot()  # raises on malformed XML
    assert root.tag == SVG + "svg"
    return root


def groups(root, cls):
    return [g for g in root.iter(SVG + "g") if g.get("class") == cls]


def tick_value(label):
    """The number a tick label stands for (`2500`, `10k`, `1.5M`, `3e-04`)."""
    scale = {"k": 1e3, "M": 1e6}.get(label[-1:], 1.0)
    return float(label[:-1] if scale != 1.0 else label) * scale


def ticks(root):
    """(x ticks, y ticks) as lists of (position, label): x ticks are the
    labels below the plot, centred; y ticks the labels right-aligned at its left."""
    (g,) = groups(root, "ticks")
    xs, ys = [], []
    for t in g.iter(SVG + "text"):
        if t.get("text-anchor") == "middle":
            xs.append((float(t.get("x")), t.text))
        elif t.get("text-anchor") == "end":
            ys.append((float(t.get("y")), t.text))
    return xs, ys


def check_plot(root, labels, log=False):
    series = [p for p in root.iter(SVG + "path") if p.get("class") == "series"]
    assert len(series) == len(labels)
    assert [p.get("data-label") for p in series] == labels
    for p in series:
        d = p.get("d")
        assert d.startswith("M") and "nan" not in d.lower() and "inf" not in d.lower()
        numbers = [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?", d)]
        assert len(numbers) >= 4 and all(math.isfinite(v) for v in numbers)
    (legend,) = groups(root, "legend")
    assert [t.text for t in legend.iter(SVG + "text")] == labels
    xs, ys = ticks(root)
    assert len(xs) >= 2 and len(ys) >= 2
    for positions, increasing in ((xs, True), (ys, False)):  # SVG y grows downwards
        values = [tick_value(label) for _, label in sorted(positions, reverse=not increasing)]
        assert all(a < b for a, b in zip(values, values[1:])), "tick labels not increasing: %s" % positions
    if log:
        assert all(v > 0 for v in (tick_value(label) for _, label in ys))
        assert any("log" in (t.text or "") for t in root.iter(SVG + "text"))


PLOT_SPECS = {
    "a": {"preset": "cosine", "peak": 3e-4, "warmup_steps": 100, "total_steps": 1000},
    "b": {"preset": "wsd", "peak": 3e-4, "warmup_steps": 100, "stable_steps": 500, "decay_steps": 300,
          "min_ratio": 0.01},
    "c": {"preset": "linear", "peak": 2e-4, "warmup_steps": 50, "total_steps": 800},
}


@pytest.mark.parametrize("log", [False, True], ids=["linear", "log"])
def test_plot_three_schedules(tmp_path, log):
    files = [write(tmp_path, name + ".json", spec) for name, spec in PLOT_SPECS.items()]
    out = tmp_path / "out.svg"
    r = run("plot", *files, "-o", out, *(["--log"] if log else []))
    assert r.returncode == 0, r.stderr
    check_plot(parse_svg(out), ["a", "b", "c"], log=log)


def test_plot_labels_title_count_and_stdin(tmp_path):
    out = tmp_path / "labelled.svg"
    r = run("plot", json.dumps(PLOT_SPECS["a"]), "-", "-o", out, "--labels", "cosine <1>,wsd & co",
            "--title", "Two <schedules>", "--count", "1500", stdin=json.dumps(PLOT_SPECS["b"]))
    assert r.returncode == 0, r.stderr
    root = parse_svg(out)  # the labels and title are escaped
    check_plot(root, ["cosine <1>", "wsd & co"])
    assert any(t.text == "Two <schedules>" for t in root.iter(SVG + "text"))
    xs, _ = ticks(root)
    assert max(tick_value(label) for _, label in xs) >= 1000  # drawn over 1500 steps


def test_plot_open_ended_with_count(tmp_path):
    out = tmp_path / "open.svg"
    r = run("plot", json.dumps(OPEN_ENDED), json.dumps(PLOT_SPECS["a"]), "-o", out, "--log")
    assert r.returncode == 0, r.stderr  # the finite schedule gives the count
    check_plot(parse_svg(out), ["inverse_sqrt", "cosine"], log=True)


def test_plot_tick_labels_are_distinct_for_values_between_1e_3_and_1e_2(tmp_path):
    out = tmp_path / "ticks.svg"
    r = run("plot", json.dumps({"preset": "linear", "peak": 2e-3, "warmup_steps": 5, "total_steps": 120}),
            "-o", out)
    assert r.returncode == 0, r.stderr
    _, ys = ticks(parse_svg(out))
    labels = [label for _, label in sorted(ys, reverse=True)]
    assert len(set(labels)) == len(labels), labels


def _svg_renderer():
    rsvg = shutil.which("rsvg-convert")
    if rsvg:
        return "rsvg-convert", lambda svg, png: [rsvg, "-o", str(png), str(svg)]
    for name in ("magick", "convert"):
        exe = shutil.which(name)
        if not exe:
            continue
        try:
            v = subprocess.run([exe, "-version"], capture_output=True, text=True, timeout=30)
        except (OSError, subprocess.SubprocessError):
            continue
        if v.returncode == 0 and v.stdout.startswith("Version: ImageMagick"):  # not a stand-in script
            return "ImageMagick " + name, lambda svg, png: [exe, str(svg), str(png)]
    return None, None


def test_svg_renders_to_png(tmp_path):
    name, command = _svg_renderer()
    if command is None:
        pytest.skip("neither rsvg-convert nor ImageMagick (convert/magick) is installed: SVG not rendered")
    files = [write(tmp_path, n + ".json", spec) for n, spec in PLOT_SPECS.items()]
    for log in (False, True):
        svg = tmp_path / ("chart-log.svg" if log else "chart.svg")
        assert run("plot", *files, "-o", svg, *(["--log"] if log else [])).returncode == 0
        png = svg.with_suffix(".png")
        r = subprocess.run(command(svg, png), capture_output=True, text=True, timeout=120)
        assert r.returncode == 0, "%s failed: %s" % (name, r.stderr)
        data = png.read_bytes()
        assert data.startswith(PNG_SIGNATURE) and len(data) > 1000, name
        width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
        assert width >= 100 and height >= 100


# ---------------------------------------------------------------------------
# demo


def test_demo_schedules_only_writes_two_charts_and_the_page(tmp_path):
    out = tmp_path / "demo"
    r = run("demo", "-o", out, "--steps", "1000", "--schedules-only")
    assert r.returncode == 0, r.stderr
    svgs = sorted(out.glob("*.svg"))
    assert [s.name for s in svgs] == ["schedules.svg", "wsd-cooldowns.svg"], svgs
    assert str(out / "index.html") in r.stdout
    page = (out / "index.html").read_text()
    for svg in svgs:
        assert 'src="%s"' % svg.name in page
        root = parse_svg(svg)
        series = [p for p in root.iter(SVG + "path") if p.get("class") == "series"]
        assert series and groups(root, "legend")
    # (the whole demo, law fit and training included: abi-tests/python/test_demo.py)


# ---------------------------------------------------------------------------
# bad input: exit status 1, a clear message, no crash


def test_missing_file(tmp_path):
    missing = tmp_path / "no-such-spec.json"
    for args in (("validate", missing), ("show", missing), ("plot", missing, "-o", tmp_path / "x.svg")):
        r = run(*args)
        assert r.returncode == 1, args
        assert "cannot open" in r.stderr and "no-such-spec.json" in r.stderr, r.stderr
    assert not (tmp_path / "x.svg").exists()


def test_open_ended_without_count(tmp_path):
    spec = json.dumps(OPEN_ENDED)
    r = run("show", spec)
    assert r.returncode == 1 and "open-ended" in r.stderr and "--count" in r.stderr, r.stderr
    r = run("plot", spec, "-o", tmp_path / "x.svg")
    assert r.returncode == 1 and "open-ended" in r.stderr and "--count" in r.stderr, r.stderr
    assert not (tmp_path / "x.svg").exists()


@pytest.mark.parametrize("args, fragment", [
    (("show", "{bad"), "invalid JSON"),
    (("show", "-"), "invalid JSON"),                     # empty stdin
    (("show", json.dumps(INVALID)), "phases[0].steps"),
    (("show", json.dumps(VALID), "--steps", "5,abc"), "--steps"),
    (("show", json.dumps(VALID), "--steps", "99999999999999999999"), "--steps"),
    (("show", json.dumps(OPEN_ENDED), "--count", "0"), "--count"),
    (("show", json.dumps(OPEN_ENDED), "--count=-3"), "--count"),
    (("plot", json.dumps(INVALID), "-o", "{tmp}/x.svg"), "phases[0].steps"),
    (("plot", json.dumps(VALID), "-o", "{tmp}/no/such/dir/x.svg"), r"cannot (write|create) {tmp}/no/such/dir/x\.svg"),
    (("plot", json.dumps(VALID), "-o", "{tmp}/x.svg", "--count", "0"), "--count"),
    (("demo", "-o", "{tmp}/demo", "--steps", "3"), "--steps"),
    (("show", "{tmp}"), "{tmp}"),                         # a directory
])
def test_bad_input_is_a_clear_error(tmp_path, args, fragment):
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    r = run(*args, stdin="")
    assert r.returncode == 1, (args, r.stdout, r.stderr)
    if fragment.startswith("cannot ("):  # a regular expression (the wording may name a temporary file)
        assert re.search(fragment.replace("{tmp}", re.escape(str(tmp_path))), r.stderr), r.stderr
    else:
        assert fragment.replace("{tmp}", str(tmp_path)) in r.stderr, r.stderr
    assert r.stderr.strip(), "no message"


def test_version_names_the_build():
    r = run("--version")
    assert r.returncode == 0
    # "0.1.0 (isa=...; cpu=...; features=...; swift=...; build=...)": the fields of pace_build_info
    text = r.stdout.strip()
    assert re.fullmatch(r"\d+\.\d+\.\d+ \(isa=[^;]+; cpu=[^;]+; features=[^;]*; swift=\d+\.\d+; "
                        r"build=(release|debug)\)", text), text
    if "PACE_LIBRARY" not in os.environ:  # the CLI and build/lib/libpace.so are built with the same flags
        assert text == "%s (%s)" % (pace.version(), pace.build_info().split("; ", 1)[1])


# ---------------------------------------------------------------------------
# every face: files recognised, errors with suggestions, laws from CSVs

MULTI_POWER = {"L0": 3.0, "A": 0.5, "alpha": 0.5, "B": 500.0, "C": 2.0, "beta": 0.5, "gamma": 0.6}
CURVE_SPEC = {"preset": "cosine", "peak": 3e-4, "warmup_steps": 50, "total_steps": 3000, "min_ratio": 0.1}


def loss_csv(tmp_path, name="run.csv", every=1, loss_every=60, gaps=True):
    """A CSV of a run under CURVE_SPEC: lr logged every `every` steps, the
    true law's loss every `loss_every` steps (some rows empty or NaN)."""
    law = pace.laws.Law.create("multi_power", MULTI_POWER)
    lrs = pace.Schedule(CURVE_SPEC).values(0, 3000)
    loss_steps = list(range(loss_every, 3000, loss_every))
    losses = dict(zip(loss_steps, law.predict(CURVE_SPEC, loss_steps)))
    lines = ["step,lr,loss,tokens"]
    for t in range(0, 3000, every):
        loss = losses.get(t)
        text = "" if loss is None else repr(float(loss))
        if gaps and loss is not None and t % (7 * loss_every) == 0:
            text = "nan"  # a loss that was not measured
        lines.append("%d,%r,%s,%d" % (t, float(lrs[t]), text, 1024 * t))
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n")
    return path, law


def test_help_lists_every_subcommand():
    source = (ROOT / "Sources" / "pace" / "PaceTool.swift").read_text()
    listed = re.search(r"subcommands:\s*\[([^\]]*)\]", source).group(1)
    types = re.findall(r"(\w+)\.self", listed)
    assert len(types) >= 8, listed
    sources = "\n".join(p.read_text() for p in (ROOT / "Sources" / "pace").glob("*.swift"))

    def command_name(type_name):  # commandName: "x" in the type's configuration, else kebab-case
        body = re.search(r"struct %s\b[^{]*\{(.*?)\n\}" % type_name, sources, re.S)
        named = body and re.search(r'commandName:\s*"([^"]+)"', body.group(1).split("func run")[0])
        return named.group(1) if named else re.sub(r"(?<!^)(?=[A-Z])", "-", type_name).lower()

    r = run("--help")
    assert r.returncode == 0
    section = r.stdout.split("SUBCOMMANDS:")[1].split("See 'pace help")[0]
    names = re.findall(r"^  ([a-z][a-z0-9-]*)(?:\s|$)", section, re.M)
    expected = [command_name(t) for t in types]
    assert sorted(names) == sorted(expected), (names, expected)
    for name in names:
        assert run(name, "--help").returncode == 0


@pytest.mark.parametrize("args", [("show",), ("fit", "--bogus"), ("plot", "--count"), ("nosuchcommand",),
                                  ("predict",), ("show", "{}", "--count", "x")])
def test_argument_errors_exit_1(args):
    r = run(*args)
    assert r.returncode == 1, (args, r.returncode, r.stderr)
    assert r.stderr.strip(), args


def test_json_syntax_error_gives_line_and_column(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text('{\n  "preset": "cosine",\n  "total_steps": 100,,\n}\n')
    r = run("validate", path)
    assert r.returncode == 1
    assert "line 3, column 22" in r.stderr, r.stderr
    config = tmp_path / "bad-config.json"
    config.write_text('{"channels": {\n "lr": {"preset": "cosine" "total_steps": 5}}}')
    r = run("show", config)
    assert r.returncode == 1 and "line 2, column 28" in r.stderr, r.stderr


@pytest.mark.parametrize("spec, fragment", [
    ({"preset": "cosine", "total_steps": 100, "min_lr": 0.1}, 'min_lr: unknown parameter for preset "cosine"; did you mean "min_ratio"?'),
    ({"preset": "cosin", "total_steps": 100}, 'did you mean "cosine"?'),
    ({"phases": [{"shape": "lineer", "steps": 5, "to": 0}]}, 'did you mean "linear"?'),
    ({"phases": [{"shape": "constant"}], "totl_steps": 5}, 'totl_steps: unknown field at the top level; did you mean "total_steps"?'),
    ({"channels": {"lr": {"preset": "constant"}}, "refine": {"evry": 10}}, 'refine.evry: unknown field in refine; did you mean "every"?'),
])
def test_unknown_names_suggest_the_nearest(spec, fragment):
    r = run("validate", json.dumps(spec))
    assert r.returncode == 1 and fragment in r.stderr, r.stderr


def test_validate_and_show_recognise_runtime_configs_and_checkpoints(tmp_path):
    config = {"channels": {"lr": {"peak": 1e-3, "phases": [{"shape": "linear", "steps": 10, "from": 0, "to": 1},
                                                           {"shape": "constant"}]},
                           "weight_decay": {"preset": "constant", "peak": 0.1}},
              "groups": [{"name": "embed", "scale": {"lr": 0.5}}, {"name": "rest"}]}
    path = write(tmp_path, "runtime.json", config)
    r = run("validate", path)
    assert r.returncode == 0 and "runtime config: 2 channel(s) (lr, weight_decay), 2 group(s)" in r.stdout, r.stdout
    rt = pace.Runtime(config)
    for _ in range(40):
        rt.step(1.0)
    rt.begin_decay(100, "linear", 0.0)
    for _ in range(7):
        rt.step(1.0)
    ckpt = tmp_path / "run.ckpt"
    rt.save_file(str(ckpt))
    r = run("validate", ckpt)
    assert r.returncode == 0 and "runtime checkpoint" in r.stdout and "step 47" in r.stdout, r.stdout
    r = run("show", ckpt)
    assert r.returncode == 0, r.stderr
    lr_line = next(line for line in r.stdout.splitlines() if line.strip().startswith("lr "))
    now = float(lr_line.split()[1])
    assert now == pytest.approx(rt.values()[1, 0], rel=1e-5)  # group "rest" (scale 1); printed with 6 digits
    assert "from step 40" in lr_line
    assert "embed (lr x5" in r.stdout and "rest" in r.stdout
    data = bytearray(ckpt.read_bytes())
    data[len(data) // 2] ^= 1
    damaged = tmp_path / "damaged.ckpt"
    damaged.write_bytes(bytes(data))
    r = run("validate", damaged)
    assert r.returncode == 1 and "runtime checkpoint rejected" in r.stderr and "PACE" not in r.stdout, r.stderr
    other = tmp_path / "other.state"
    other.write_bytes(b"PACE\x00SM\x00" + bytes(40))
    r = run("show", other)
    assert r.returncode == 1 and "another kind" in r.stderr, r.stderr


def test_validate_and_show_recognise_saved_laws(tmp_path):
    law = pace.laws.Law.create("multi_power", MULTI_POWER)
    path = tmp_path / "law.json"
    law.save(str(path))
    r = run("validate", path)
    assert r.returncode == 0 and "saved law: multi_power" in r.stdout, r.stdout
    r = run("show", path)
    assert r.returncode == 0
    printed = dict(line.split() for line in r.stdout.splitlines()[1:] if line.strip())
    for name, value in MULTI_POWER.items():
        assert float(printed[name]) == pytest.approx(value, rel=1e-5)


def test_fit_takes_a_csv_whose_lr_column_is_the_schedule(tmp_path):
    path, truth = loss_csv(tmp_path, every=1)
    out = tmp_path / "fitted.json"
    r = run("fit", "--curve", path, "--out", out)
    assert r.returncode == 0, r.stderr
    table = np.genfromtxt(path, delimiter=",", names=True)
    skipped = int(np.sum(~np.isfinite(table["loss"])))  # empty and NaN losses
    assert skipped == 3000 - 42 and "skipped %d row(s) without a finite loss" % skipped in r.stderr, r.stderr
    fitted = pace.laws.Law.load(out.read_text().strip())  # the file ends with a newline
    steps = list(range(100, 3000, 97))
    # The law fitted from the CSV predicts the true curve (compare: the binding's fit on the same points).
    table = np.genfromtxt(path, delimiter=",", names=True)
    keep = np.isfinite(table["loss"])
    reference = pace.laws.Law.fit("multi_power", [(CURVE_SPEC, table["step"][keep].astype(np.int64), table["loss"][keep])])
    ours = fitted.predict(CURVE_SPEC, steps)
    theirs = reference.predict(CURVE_SPEC, steps)
    true = truth.predict(CURVE_SPEC, steps)
    assert np.max(np.abs(ours - theirs) / theirs) < 1e-6
    assert np.max(np.abs(ours - true) / true) < 2e-3


def test_fit_interpolates_a_sparsely_logged_lr(tmp_path):
    sparse, _ = loss_csv(tmp_path, "sparse.csv", every=20, gaps=False)
    r = run("fit", "--curve", sparse, "--json")
    assert r.returncode == 0, r.stderr
    law = pace.laws.Law.load(r.stdout.strip())
    assert law.kind == "multi_power"


def test_fit_without_lr_column_says_how(tmp_path):
    path = tmp_path / "nolr.csv"
    path.write_text("step,loss\n10,4.0\n20,3.9\n")
    r = run("fit", "--curve", path)
    assert r.returncode == 1 and "no 'lr' column" in r.stderr, r.stderr


def test_fit_progress_only_on_request_or_terminal(tmp_path):
    path, _ = loss_csv(tmp_path, every=1, loss_every=150)
    quiet = run("fit", "--curve", path, "--json")
    assert quiet.returncode == 0 and "fitting" not in quiet.stderr, quiet.stderr
    shown = run("fit", "--curve", path, "--json", "--progress")
    assert shown.returncode == 0
    assert re.search(r"fitting multi_power to 1 curve\(s\), \d+ points \.\.\. done in [0-9.]+ s", shown.stderr), shown.stderr
    assert json.loads(shown.stdout)  # stdout stays clean JSON


def test_predict_scores_against_an_observed_csv(tmp_path):
    path, truth = loss_csv(tmp_path, every=1)
    law_path = tmp_path / "truth.json"
    off = dict(MULTI_POWER, L0=3.05)  # a slightly wrong law
    pace.laws.Law.create("multi_power", off).save(str(law_path))
    r = run("predict", law_path, "--observed", path, "--json")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    table = np.genfromtxt(path, delimiter=",", names=True)
    keep = np.isfinite(table["loss"])
    observed = table["loss"][keep]
    assert doc["steps"] == table["step"][keep].astype(int).tolist()
    predicted = pace.laws.Law.create("multi_power", off).predict(CURVE_SPEC, doc["steps"])
    np.testing.assert_allclose(doc["loss"], predicted, rtol=1e-12)
    pred_e = np.mean(np.abs(predicted - observed) / observed)
    r2 = 1 - np.sum((predicted - observed) ** 2) / np.sum((observed - observed.mean()) ** 2)
    assert doc["pred_e"] == pytest.approx(pred_e, rel=1e-9)
    assert doc["r2"] == pytest.approx(r2, rel=1e-9)
    text = run("predict", law_path, json.dumps(CURVE_SPEC), "--observed", path)  # the schedule from a spec
    assert text.returncode == 0 and "PredE" in text.stdout
    values = text.stdout.splitlines()[-1].split()
    assert float(values[0]) == pytest.approx(pred_e, rel=1e-5)
    assert float(values[2]) == pytest.approx(r2, rel=1e-5)


def test_plot_draws_observed_and_predicted_losses(tmp_path):
    path, truth = loss_csv(tmp_path, every=1)
    law_path = tmp_path / "truth.json"
    truth.save(str(law_path))
    out = tmp_path / "loss.svg"
    r = run("plot", "--observed", path, "--law", law_path, "-o", out)
    assert r.returncode == 0, r.stderr
    assert re.search(r"run: PredE [0-9.e+-]+, R2 ", r.stdout), r.stdout
    root = parse_svg(out)
    texts = [t.text for t in root.iter(SVG + "text")]
    assert "run observed" in texts and "run predicted" in texts, texts
    # The loss axis spans the losses (not 0 ... max): every tick within 10% of the data's range.
    _, ys = ticks(root)
    table = np.genfromtxt(path, delimiter=",", names=True)
    lo, hi = np.nanmin(table["loss"]), np.nanmax(table["loss"])
    assert min(tick_value(label) for _, label in ys) >= lo - 0.1 * (hi - lo), ys
    r = run("plot", "--law", law_path, "-o", out)
    assert r.returncode == 1 and "--observed" in r.stderr
