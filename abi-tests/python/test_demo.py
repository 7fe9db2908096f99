"""`make demo`'s output: the demo (pace demo + scripts/demo_train.py) run
into a temporary folder; its index.html parsed, every chart it shows present
and well-formed SVG, rendered to PNG where rsvg-convert or cairosvg is
installed (only the rendering is skipped otherwise), one sentence each.

Skipped when build/bin/pace is missing (`make cli`)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACE = Path(os.environ.get("PACE_CLI", str(ROOT / "build" / "bin" / "pace")))
LIBRARY = os.environ.get("PACE_LIBRARY", str(ROOT / "build" / "lib" / "libpace.so"))
SVG = "{http://www.w3.org/2000/svg}"

if not PACE.is_file():
    pytest.skip("the CLI %s is not built (`make cli`): demo test skipped" % PACE, allow_module_level=True)


class Page(HTMLParser):
    """Collects the figures of the page: (img src, caption text)."""

    def __init__(self):
        super().__init__()
        self.figures = []
        self._in_caption = False
        self._caption = ""
        self._src = None

    def handle_starttag(self, tag, attrs):
        if tag == "figure":
            self._src, self._caption = None, ""
        elif tag == "img":
            self._src = dict(attrs).get("src")
        elif tag == "figcaption":
            self._in_caption = True

    def handle_endtag(self, tag):
        if tag == "figcaption":
            self._in_caption = False
        elif tag == "figure":
            self.figures.append((self._src, self._caption.strip()))

    def handle_data(self, data):
        if self._in_caption:
            self._caption += data


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    r = subprocess.run([str(PACE), "demo", "--output", str(out), "--steps", "2000"], capture_output=True,
                       text=True, timeout=600, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    env = dict(os.environ, PACE_LIBRARY=LIBRARY,
               PYTHONPATH=str(ROOT / "bindings" / "python") + os.pathsep + os.environ.get("PYTHONPATH", ""))
    t = subprocess.run([sys.executable, str(ROOT / "scripts" / "demo_train.py"), "--output", str(out),
                        "--pace", str(PACE)], capture_output=True, text=True, timeout=600, cwd=ROOT, env=env)
    assert t.returncode == 0, t.stderr
    return out, r.stdout + t.stdout


def figures(out):
    page = Page()
    page.feed((out / "index.html").read_text())
    return page.figures


def test_the_page_shows_every_chart_with_one_sentence(demo):
    out, _ = demo
    shown = figures(out)
    files = [src for src, _ in shown]
    expected = {"laws-heldout-24000.svg", "laws-heldout-72000.svg", "search-schedules.svg", "search-loss.svg",
                "schedules.svg", "wsd-cooldowns.svg", "train-lr.svg", "train-loss.svg"}
    assert expected <= set(files), files
    assert len(files) == len(set(files))
    for src, caption in shown:
        assert caption.endswith(".") and caption.count(". ") == 0, (src, caption)  # one sentence
    on_disk = {p.name for p in out.glob("*.svg")}
    assert on_disk <= set(files), "charts not on the page: %s" % (on_disk - set(files))


def test_every_chart_exists_and_is_svg(demo):
    out, _ = demo
    for src, _ in figures(out):
        path = out / src
        assert path.is_file(), src
        root = ET.parse(path).getroot()
        assert root.tag == SVG + "svg", src
        assert len(list(root.iter(SVG + "path"))) + len(list(root.iter(SVG + "polyline"))) > 0, src


def test_charts_render(demo, tmp_path):
    out, _ = demo
    rsvg = shutil.which("rsvg-convert")
    try:
        import cairosvg  # noqa: F401
    except ImportError:
        cairosvg = None
    if rsvg is None and cairosvg is None:
        pytest.skip("neither rsvg-convert nor cairosvg is installed: the SVGs are not rendered")
    for src, _ in figures(out):
        png = tmp_path / (src + ".png")
        if rsvg:
            subprocess.run([rsvg, "-o", str(png), str(out / src)], check=True, timeout=120)
        else:
            cairosvg.svg2png(url=str(out / src), write_to=str(png))
        data = png.read_bytes()
        assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 1000, src


def test_the_story_is_told(demo):
    out, text = demo
    assert "Its predictions of the six curves it never saw" in text
    for name in ("wsd_20000_24000", "cosine_72000", "constant_72000"):
        assert name in text
    assert "cosine to 0.1" in text and "WSD, 20% linear cooldown" in text and "searched: " in text
    assert "bit-identical" in text
    assert "refined from cosine's norms" in text
    assert "its prediction of the searched run, which it never saw: PredE" in text
    assert "AutoLRS (trials in the budget)" in text or "AutoLRS skipped" in text
    assert (out / "law.json").is_file() and (out / "searched.json").is_file()
    summary = (out / "summary.txt").read_text()
    assert "Search over" in summary and "Softmax regression" in summary
