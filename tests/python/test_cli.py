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
PACE = ROOT / "build" / "bin" / "pace"

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


def test_demo_writes_four_charts(tmp_path):
    out = tmp_path / "demo"
    r = run("demo", "-o", out, "--steps", "1000")
    assert r.returncode == 0, r.stderr
    svgs = sorted(out.glob("*.svg"))
    assert len(svgs) == 4, svgs
    for svg in svgs:
        assert str(svg) in r.stdout, "path %s not printed" % svg
        root = parse_svg(svg)
        series = [p for p in root.iter(SVG + "path") if p.get("class") == "series"]
        assert series and groups(root, "legend")


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

