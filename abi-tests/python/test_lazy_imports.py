"""`import pace` imports none of the optional frameworks; the adapters are
separate modules (pace.torch, pace.optax) and Schedule.plot imports
matplotlib only when called."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

BINDINGS = Path(__file__).resolve().parents[2] / "bindings" / "python"


def test_import_pace_imports_no_framework():
    code = ("import sys, pace; pace.Schedule({'preset': 'linear', 'total_steps': 10}).values(); "
            "print(','.join(m for m in ('torch', 'jax', 'optax', 'matplotlib', 'transformers') "
            "if m in sys.modules))")
    env = dict(os.environ, PYTHONPATH=str(BINDINGS))
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == ""


def test_adapter_modules_are_in_the_package():
    for name in ("torch.py", "optax.py"):
        assert (BINDINGS / "pace" / name).is_file()
