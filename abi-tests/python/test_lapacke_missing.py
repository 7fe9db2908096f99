"""A missing LAPACKE is reported as such, by every path to a law fit.

LAPACKE is opened on the first fit (Sources/_CLAPACKE/LazyLAPACKE.c), not
when the library loads. Where it cannot be opened, a fit must fail with an
error that names LAPACKE, why it could not be loaded and how to install it,
never with a "did not converge" error:

- the Swift path (PaceLaws' ``LawFitter.fit``, which the ``pace fit``
  command calls directly, not through the C API): ``LawError.unsupported``,
  printed by ``pace fit``;
- the C API (``pace_law_fit``, ``pace_law_fit_runs``, ``pace_law_fit_interval``,
  here through the Python binding): ``PACE_E_UNSUPPORTED``
  (``pace.errors.UnsupportedError``).

Each case runs in a child process with ``PACE_LAPACKE`` (read at the first
use) naming a file that does not exist, or a library without LAPACKE's
functions (libm). The same fits succeed with the default LAPACKE.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
PACE = Path(os.environ.get("PACE_CLI", str(ROOT / "build" / "bin" / "pace")))
MISSING = "/nonexistent/liblapacke-missing.so.3"
HINT = "apt-get install liblapacke3) or set PACE_LAPACKE"
NOT_CONVERGED = ("converge", "no surrogate start", "no start gave")
CRASH_MARKS = ("Fatal error", "Stack dump", "Traceback", "Segmentation fault", "Illegal instruction")


def write_run_csv(path: Path) -> Path:
    """A run of 2000 steps logged every 10: linear warmup, constant, linear
    cooldown; the losses of an annealing law (L0 2.9, A 1.1, alpha 0.45,
    C 0.4, lambda 0.999) on those LRs."""
    t = np.arange(2000)
    lr = np.where(t < 100, 1e-3 * t / 100, 1e-3)
    lr = np.where(t > 1500, 1e-3 * (1 - 0.9 * (t - 1500) / 499), lr)
    s1 = np.concatenate([[0.0], np.cumsum(lr[1:])])
    m = np.zeros(2000)
    for k in range(1, 2000):
        m[k] = 0.999 * m[k - 1] + (lr[k - 1] - lr[k])
    s2 = np.cumsum(m)
    loss = 2.9 + 1.1 * np.maximum(s1, 1e-12) ** -0.45 - 0.4 * s2
    rows = ["step,lr,loss"] + ["%d,%.17g,%s" % (k, lr[k], "nan" if k == 0 else "%.17g" % loss[k])
                               for k in range(0, 2000, 10)]
    path.write_text("\n".join(rows) + "\n")
    return path


def cli(*args, env_lapacke=None):
    env = dict(os.environ)
    env.pop("PACE_LAPACKE", None)
    if env_lapacke is not None:
        env["PACE_LAPACKE"] = env_lapacke
    r = subprocess.run([str(PACE), *map(str, args)], capture_output=True, text=True, timeout=300, env=env)
    for mark in CRASH_MARKS:
        assert mark not in r.stderr and mark not in r.stdout, r.stderr
    return r


needs_cli = pytest.mark.skipif(not PACE.is_file(), reason="the CLI %s is not built (`make cli`)" % PACE)


@needs_cli
@pytest.mark.parametrize("law", ["annealing", "multi_power"])
def test_swift_fit_reports_a_missing_lapacke(tmp_path, law):
    csv = write_run_csv(tmp_path / "run.csv")
    r = cli("fit", "--law", law, "--curve", csv, "--json", env_lapacke=MISSING)
    assert r.returncode == 1, (r.returncode, r.stdout, r.stderr)
    assert "LawFitter.fit needs LAPACKE, which could not be loaded" in r.stderr, r.stderr
    assert "liblapacke-missing.so.3" in r.stderr and HINT in r.stderr and "PACE_LAPACKE" in r.stderr, r.stderr
    assert not any(word in r.stderr for word in NOT_CONVERGED), r.stderr


@needs_cli
def test_swift_fit_reports_a_library_without_lapacke(tmp_path):
    csv = write_run_csv(tmp_path / "run.csv")
    r = cli("fit", "--law", "annealing", "--curve", csv, "--json", env_lapacke="libm.so.6")
    assert r.returncode == 1, (r.returncode, r.stdout, r.stderr)
    assert "needs LAPACKE" in r.stderr and "libm.so.6 has no function LAPACKE_" in r.stderr, r.stderr
    assert HINT in r.stderr and not any(word in r.stderr for word in NOT_CONVERGED), r.stderr


@needs_cli
def test_swift_fit_works_with_lapacke(tmp_path):
    csv = write_run_csv(tmp_path / "run.csv")
    r = cli("fit", "--law", "annealing", "--curve", csv, "--json")
    assert r.returncode == 0, r.stderr
    assert "annealing" in r.stdout and "LAPACKE" not in r.stderr, (r.stdout[:500], r.stderr)


BINDING_CHILD = textwrap.dedent("""
    import sys
    import numpy as np
    import pace
    from pace.errors import UnsupportedError
    csv = open(sys.argv[1]).read()
    table = np.genfromtxt(sys.argv[1], delimiter=",", names=True)
    keep = np.isfinite(table["loss"])
    t = np.arange(2000)
    lrs = np.interp(t, table["step"], table["lr"])  # the rows' LRs are exact at their steps, linear between
    curve = (lrs, table["step"][keep].astype(np.int64), table["loss"][keep])
    calls = {
        "pace_law_fit": lambda: pace.laws.Law.fit("annealing", [curve]),
        "pace_law_fit_runs": lambda: pace.laws.Law.fit("annealing", [csv]),
        "pace_law_fit_interval": lambda: pace.laws.Law.fit("annealing", [curve, curve], interval=True),
    }
    for name, call in calls.items():
        try:
            call()
            print(name, "OK")
        except UnsupportedError as e:
            print(name, "UNSUPPORTED", str(e).replace("\\n", " "))
        except Exception as e:
            print(name, "OTHER", type(e).__name__, str(e).replace("\\n", " "))
""")


def binding(csv: Path, env_lapacke=None) -> dict:
    env = dict(os.environ)
    env.pop("PACE_LAPACKE", None)
    if env_lapacke is not None:
        env["PACE_LAPACKE"] = env_lapacke
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "bindings" / "python"), env.get("PYTHONPATH", "")])
    r = subprocess.run([sys.executable, "-c", BINDING_CHILD, str(csv)], capture_output=True, text=True, timeout=300,
                       env=env)
    assert r.returncode == 0, r.stderr
    return {line.split(" ", 1)[0]: line.split(" ", 1)[1] for line in r.stdout.splitlines()}


def test_c_api_fits_report_a_missing_lapacke(tmp_path):
    csv = write_run_csv(tmp_path / "run.csv")
    results = binding(csv, env_lapacke=MISSING)
    assert set(results) == {"pace_law_fit", "pace_law_fit_runs", "pace_law_fit_interval"}
    for name, result in results.items():
        assert result.startswith("UNSUPPORTED"), (name, result)
        assert "needs LAPACKE, which could not be loaded" in result and "liblapacke-missing.so.3" in result, result
        assert HINT in result and not any(word in result for word in NOT_CONVERGED), result


def test_c_api_fits_work_with_lapacke(tmp_path):
    csv = write_run_csv(tmp_path / "run.csv")
    results = binding(csv)
    assert all(result == "OK" for result in results.values()), results
