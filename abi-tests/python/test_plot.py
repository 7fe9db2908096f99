"""Schedule.plot (matplotlib, Agg backend): skipped when matplotlib is not
installed, except the test of the error raised without it."""

from __future__ import annotations

import sys

import numpy as np
import pytest

import pace

SPEC = {"preset": "cosine", "peak": 3e-4, "warmup_steps": 100, "total_steps": 1000}
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def test_without_matplotlib_the_error_says_so(monkeypatch):
    # A None entry in sys.modules makes `import matplotlib` raise ImportError.
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pace.Schedule(SPEC) as s:
        with pytest.raises(ImportError, match="needs matplotlib.*pip install matplotlib"):
            s.plot()


@pytest.fixture
def plt():
    matplotlib = pytest.importorskip("matplotlib", reason="matplotlib is not installed: Schedule.plot not tested")
    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as pyplot

    yield pyplot
    pyplot.close("all")


def test_plot_on_given_axes_and_save_png(plt, tmp_path):
    fig, ax = plt.subplots()
    with pace.Schedule(SPEC) as s:
        out = s.plot(ax=ax, label="cosine", color="C3", linewidth=2)
        assert out is ax
        line = ax.get_lines()[-1]
        assert line.get_label() == "cosine" and line.get_linewidth() == 2
        x, y = line.get_data()
        assert np.array_equal(x, np.arange(1000)) and np.array_equal(y, s.values())
        # a part of it, on the same axes
        s.plot(ax=ax, start=200, count=300, label="part")
        x, y = ax.get_lines()[-1].get_data()
        assert np.array_equal(x, np.arange(200, 500)) and np.array_equal(y, s.values(200, 300))
    assert ax.get_xlabel() == "step" and ax.get_ylabel() == "value"
    ax.legend()
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["cosine", "part"]
    path = tmp_path / "schedule.png"
    fig.savefig(path, format="png")
    data = path.read_bytes()
    assert data.startswith(PNG_SIGNATURE) and len(data) > 1000


def test_plot_defaults_to_current_axes_and_keeps_labels(plt):
    fig, ax = plt.subplots()
    ax.set_ylabel("learning rate")
    with pace.Schedule({"preset": "inverse_sqrt", "warmup_steps": 10}) as s:
        with pytest.raises(pace.ArgumentError, match="open-ended"):
            s.plot()
        out = s.plot(count=50)
    assert out is ax and len(ax.get_lines()) == 1
    assert ax.get_ylabel() == "learning rate"
