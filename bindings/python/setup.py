"""Wheel build of the Pace binding (setuptools; metadata in pyproject.toml).

Two things pyproject.toml cannot say:

- The version is the library's: ``PACE_VERSION`` (set by scripts/build-wheel
  from include/pace.h) or, in a checkout, PACE_VERSION_MAJOR/MINOR/PATCH of
  ../../include/pace.h.
- With a shared library inside the package (``pace/libpace.so``, put there
  by ``make wheel``) the wheel is a platform wheel: tag
  ``py3-none-<platform>`` (any Python 3, since the binding is ctypes and has
  no Python ABI; the platform of the library, e.g. ``linux_x86_64``, or
  ``PACE_WHEEL_PLATFORM`` when scripts/build-wheel derived a manylinux tag
  from the library's symbol versions). Without one it stays
  ``py3-none-any`` (pure Python, finds an installed library at import).
"""

import os
import re
from pathlib import Path

from setuptools import setup
from setuptools.dist import Distribution

try:
    from setuptools.command.bdist_wheel import bdist_wheel
except ImportError:  # setuptools < 70.1: the wheel package's command
    from wheel.bdist_wheel import bdist_wheel

HERE = Path(__file__).resolve().parent
LIBRARIES = ("libpace.so", "libpace.dylib", "pace.dll")
BUNDLED = any((HERE / "pace" / name).is_file() for name in LIBRARIES)


def header_version() -> str:
    """MAJOR.MINOR.PATCH of the library this binding is packaged with."""
    env = os.environ.get("PACE_VERSION")
    if env:
        return env
    header = HERE.parents[1] / "include" / "pace.h"
    text = header.read_text(encoding="utf-8")
    parts = [re.search(r"^#define PACE_VERSION_%s (\d+)" % key, text, re.M) for key in ("MAJOR", "MINOR", "PATCH")]
    if not all(parts):
        raise RuntimeError("%s does not define PACE_VERSION_MAJOR/MINOR/PATCH" % header)
    return ".".join(m.group(1) for m in parts)


class BinaryDistribution(Distribution):
    """Not pure when the package carries the shared library."""

    def has_ext_modules(self):
        return BUNDLED


class PlatformWheel(bdist_wheel):
    """``py3-none-<platform>`` for a bundled library (not ``cp3X-cp3X``)."""

    def finalize_options(self):
        super().finalize_options()
        self.root_is_pure = not BUNDLED

    def get_tag(self):
        python, abi, platform = super().get_tag()
        if not BUNDLED:
            return python, abi, platform
        return "py3", "none", os.environ.get("PACE_WHEEL_PLATFORM") or platform


setup(version=header_version(), distclass=BinaryDistribution, cmdclass={"bdist_wheel": PlatformWheel})
