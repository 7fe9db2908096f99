"""Pace: learning-rate (and any hyper-parameter) schedules for training loops.

A pure-ctypes binding of libpace (include/pace.h). A schedule is one JSON
spec (docs/schedule-spec.md), evaluated by the library as a pure function of
the optimizer step, in float64::

    import pace
    with pace.Schedule({"preset": "onecycle", "peak": 0.1, "total_steps": 1000}) as s:
        lr0 = s.at(0)                 # one step
        lrs = s.values()              # every step, as a numpy array
        for lr in s.stepper(stop=1000):   # per step, filled in chunks
            ...

Adapters, in modules of their own (``import pace`` imports none of these
frameworks): ``pace.torch.PaceLR`` (a torch.optim.lr_scheduler.LRScheduler),
``pace.optax.schedule`` (an optax schedule, jit-compatible), and
``Schedule.plot`` (matplotlib, imported when called).

The shared library is found through the environment variable PACE_LIBRARY,
then a copy inside this package (pace/libpace.so), then build/lib/libpace.so
of the repository (searched upwards from this package and from the working
directory); see pace._lib.
"""

from ._lib import EXPECTED_VERSION, format_version
from ._lib import library_path as _library_path
from ._lib import library_build_info, library_version, library_version_number
from .errors import (
    ArgumentError,
    BufferTooSmallError,
    InternalError,
    NoMemoryError,
    NumericError,
    PaceError,
    SpecError,
    StateError,
    UnknownStatusError,
    UnsupportedError,
    VersionError,
)
from .schedule import Schedule, Stepper
from .batch import BatchReduction, Engine, batch, batch_reduce  # the batch engine (pace.batch)
from .runtime import Runtime, refine, refine_spec  # training-loop runtime, refinement (pace.runtime)
from . import laws  # loss-curve laws (pace.laws)
from . import tune  # AutoLRS, the learning rate tuned on the fly (pace.tune)

#: The binding's version: the header version it was written against
#: (EXPECTED_VERSION, the one place the binding states it; the wheel's
#: metadata is read from include/pace.h by setup.py).
__version__ = format_version(EXPECTED_VERSION)

#: Path of the loaded shared library (str).
library_path = str(_library_path)


def version() -> str:
    """The loaded library's version string (pace_version_string())."""
    return library_version


def build_info() -> str:
    """Which build of the library is loaded (pace_build_info()), e.g.
    ``"pace 0.1.0; isa=x86-64-v4; cpu=skylake-avx512; features=avx512f,avx512dq,avx512bw,avx512vl,avx2,fma; swift=6.3; build=release"``:
    "pace VERSION" then "; "-separated key=value fields (see include/pace.h).
    ``build_info_fields()`` parses it."""
    return library_build_info


def build_info_fields() -> dict:
    """pace_build_info() as a dict: {"pace": VERSION, "isa": ..., "cpu": ..., ...}."""
    head, *rest = library_build_info.split("; ")
    fields = {"pace": head.partition(" ")[2]}
    for item in rest:
        key, _, value = item.partition("=")
        fields[key] = value
    return fields


__all__ = [
    "Schedule",
    "Stepper",
    "PaceError",
    "ArgumentError",
    "SpecError",
    "BufferTooSmallError",
    "StateError",
    "VersionError",
    "NumericError",
    "NoMemoryError",
    "UnsupportedError",
    "InternalError",
    "UnknownStatusError",
    "EXPECTED_VERSION",
    "library_path",
    "library_version",
    "library_build_info",
    "build_info",
    "build_info_fields",
    "library_version_number",
    "version",
    "__version__",
]
