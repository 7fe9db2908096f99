"""Locating, loading and declaring libpace (the Pace C ABI, include/pace.h).

Search order (the first existing file is used; nothing is loaded twice):

1. ``PACE_LIBRARY`` (environment): the path of the shared library. When it is
   set, it is the only place looked at: a wrong path is an error rather than a
   silent fallback to another copy.
2. A copy inside this package: ``pace/libpace.so`` (what the wheel ships,
   with LAPACKE, libnuma and what they need in ``pace/_libs/``: libpace.so
   opens them from there itself, on first use, never at import).
3. The repository build: ``build/lib/libpace.so`` in the directory of this
   package file or any parent of it, then in the current working directory or
   any parent of it.
4. A system install (``make install PREFIX=...``): the directories of
   ``LD_LIBRARY_PATH``, ``<sys.prefix>/lib`` (a virtual environment or conda
   prefix), ``~/.local/lib``, ``/usr/local/lib``, ``/usr/lib/<multiarch>``,
   ``/usr/lib``, ``/lib``; then whatever the dynamic loader's cache knows
   (``ctypes.util.find_library("pace")``, i.e. ``ldconfig -p``).

At import the library's ``pace_version_number()`` is compared with
``EXPECTED_VERSION``; an incompatible or unloadable library raises
``ImportError`` naming what was found and every place that was searched.

Every function of ``include/pace.h`` gets its ``argtypes`` and ``restype``
here (``FUNCTIONS`` lists them; a test compares the list with the header).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import json
import os
import subprocess
import sys
import sysconfig
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

# PACE_VERSION_NUMBER of include/pace.h this binding was written against:
# major*10000 + minor*100 + patch.
EXPECTED_VERSION = 100  # 0.1.0

ENV_VAR = "PACE_LIBRARY"

if sys.platform == "darwin":
    LIBRARY_NAME = "libpace.dylib"
elif sys.platform == "win32":
    LIBRARY_NAME = "pace.dll"
else:
    LIBRARY_NAME = "libpace.so"

PACKAGE_DIR = Path(__file__).resolve().parent


def version_tuple(number: int) -> Tuple[int, int, int]:
    """(major, minor, patch) of a PACE_VERSION_NUMBER."""
    return number // 10000, (number // 100) % 100, number % 100


def format_version(number: int) -> str:
    return "%d.%d.%d" % version_tuple(number)


def is_compatible(found: int, expected: int = EXPECTED_VERSION) -> bool:
    """Whether a library of version ``found`` serves a binding written for
    ``expected``: same major; before 1.0 also the same minor (0.x releases may
    change the ABI); from 1.0 a minor at least the expected one. Patch
    releases never change the ABI."""
    fmaj, fmin, _ = version_tuple(found)
    emaj, emin, _ = version_tuple(expected)
    if fmaj != emaj:
        return False
    if emaj == 0:
        return fmin == emin
    return fmin >= emin


# --------------------------------------------------------------------------
# Search


def _walk_up(start: Path) -> List[Path]:
    """``start/build/lib/<lib>`` for start and each of its parents."""
    out = []
    for directory in [start, *start.parents]:
        out.append(directory / "build" / "lib" / LIBRARY_NAME)
    return out


def _system_dirs() -> List[Tuple[str, Path]]:
    """Where ``make install PREFIX=...`` puts the library, as (how, dir), in
    search order (see the module docs)."""
    dirs: List[Tuple[str, Path]] = []
    for entry in os.environ.get("LD_LIBRARY_PATH", "").split(os.pathsep):
        if entry:
            dirs.append(("LD_LIBRARY_PATH", Path(entry)))
    dirs.append(("sys.prefix", Path(sys.prefix) / "lib"))
    dirs.append(("user install", Path("~/.local/lib").expanduser()))
    dirs.append(("system install", Path("/usr/local/lib")))
    multiarch = sysconfig.get_config_var("MULTIARCH")
    if multiarch:
        dirs.append(("system install", Path("/usr/lib") / multiarch))
    dirs += [("system install", Path("/usr/lib")), ("system install", Path("/lib"))]
    return dirs


def _loader_cache() -> Optional[Path]:
    """The library the dynamic loader's cache names (``ldconfig -p``), if
    any, as a path."""
    try:
        name = ctypes.util.find_library("pace")
    except (OSError, ValueError):  # no ldconfig/gcc on this machine
        return None
    if not name:
        return None
    path = Path(name)
    if path.is_absolute():
        return path
    for how, directory in _system_dirs():
        if (directory / name).is_file():
            return directory / name
    try:
        listing = subprocess.run(["ldconfig", "-p"], capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    for line in listing.splitlines():
        if line.strip().startswith(name + " ") and "=>" in line:
            return Path(line.split("=>", 1)[1].strip())
    return None


def candidates() -> Tuple[List[Tuple[str, Path]], Optional[str]]:
    """The places to look, in order, as (how, path), and the value of
    PACE_LIBRARY (None when unset)."""
    env = os.environ.get(ENV_VAR)
    if env:
        return [("%s=%s" % (ENV_VAR, env), Path(env).expanduser())], env
    places: List[Tuple[str, Path]] = [("inside the package", PACKAGE_DIR / LIBRARY_NAME)]
    seen = {places[0][1]}
    for how, start in (("above the package", PACKAGE_DIR), ("above the working directory", Path.cwd())):
        for path in _walk_up(start):
            if path not in seen:
                seen.add(path)
                places.append((how, path))
    for how, directory in _system_dirs():
        path = directory / LIBRARY_NAME
        if path not in seen:
            seen.add(path)
            places.append((how, path))
    return places, None


def _describe(places: List[Tuple[str, Path]]) -> str:
    return "\n".join("  - %s (%s)" % (path, how) for how, path in places)


def find_and_load() -> Tuple[ctypes.CDLL, Path, int]:
    """Finds, loads and version-checks the library; ImportError otherwise."""
    places, env = candidates()
    hint = (
        "Install the wheel (`make wheel`, then `pip install build/dist/pace-*.whl`), build it with "
        "`make lib` in the Pace repository, install it with `make install PREFIX=...`, or set %s to "
        "its path." % (ENV_VAR,)
    )
    found = None
    for how, path in places:
        if path.is_file():
            found = (how, path)
            break
    if found is None and env is None:
        cached = _loader_cache()
        if cached is not None and cached.is_file():
            found = ("the dynamic loader's cache (ldconfig -p)", cached)
            places.append(found)
    if found is None:
        if env is not None:
            raise ImportError(
                "pace: %s is set to %r, but there is no file at %s. When %s is set no other "
                "place is searched (unset it to search the package directory and build/lib/%s "
                "of the repository). %s" % (ENV_VAR, env, places[0][1], ENV_VAR, LIBRARY_NAME, hint)
            )
        raise ImportError(
            "pace: cannot find %s. Looked in %s (unset) and then, in order:\n%s\n%s"
            % (LIBRARY_NAME, ENV_VAR, _describe(places), hint)
        )
    how, path = found
    searched = "Searched, in order:\n%s" % _describe(places[: places.index(found) + 1])
    try:
        lib = ctypes.CDLL(str(path))
    except OSError as exc:
        raise ImportError(
            "pace: found %s (%s) but could not load it: %s\n%s" % (path, how, exc, searched)
        ) from exc
    try:
        number_fn = lib.pace_version_number
    except AttributeError as exc:
        raise ImportError(
            "pace: %s (%s) was loaded but does not export pace_version_number: it is not a "
            "Pace library.\n%s" % (path, how, searched)
        ) from exc
    number_fn.argtypes = []
    number_fn.restype = ctypes.c_uint32
    number = int(number_fn())
    if not is_compatible(number):
        raise ImportError(
            "pace: %s (%s) is version %s (pace_version_number() = %d), but this binding needs "
            "a library compatible with %s (PACE_VERSION_NUMBER %d). Rebuild the library "
            "(`make lib`) or install the matching binding.\n%s"
            % (path, how, format_version(number), number, format_version(EXPECTED_VERSION),
               EXPECTED_VERSION, searched)
        )
    return lib, path, number


# --------------------------------------------------------------------------
# Declarations (include/pace.h)


class ScheduleStruct(ctypes.Structure):
    """Opaque ``struct pace_schedule``."""


SCHEDULE_P = ctypes.POINTER(ScheduleStruct)


class RuntimeStruct(ctypes.Structure):
    """Opaque ``struct pace_runtime``."""


RUNTIME_P = ctypes.POINTER(RuntimeStruct)


class RefineOptions(ctypes.Structure):
    """``pace_refine_options`` (set ``struct_size`` to ``ctypes.sizeof``)."""

    _fields_ = [("struct_size", ctypes.c_uint32), ("norm", ctypes.c_uint32), ("smoothing", ctypes.c_double)]


PACE_NORM_L2 = 0
PACE_NORM_L1 = 1

c_status = ctypes.c_int  # pace_status (a C enum)
c_int64 = ctypes.c_int64
c_size_t = ctypes.c_size_t
c_double_p = ctypes.POINTER(ctypes.c_double)
c_float_p = ctypes.POINTER(ctypes.c_float)

# name -> (restype, argtypes): every function declared in include/pace.h.
FUNCTIONS = {
    "pace_version_number": (ctypes.c_uint32, []),
    "pace_version_string": (ctypes.c_char_p, []),
    "pace_build_info": (ctypes.c_char_p, []),
    "pace_last_error": (ctypes.c_char_p, []),
    "pace_status_name": (ctypes.c_char_p, [c_status]),
    "pace_names_json": (c_status, [ctypes.c_char_p, c_size_t, ctypes.POINTER(c_size_t)]),
    "pace_schedule_parse": (c_status, [ctypes.c_char_p, ctypes.POINTER(SCHEDULE_P)]),
    "pace_schedule_free": (None, [SCHEDULE_P]),
    "pace_schedule_at": (c_status, [SCHEDULE_P, c_int64, c_double_p]),
    "pace_schedule_fill_f64": (c_status, [SCHEDULE_P, c_int64, c_int64, c_double_p]),
    "pace_schedule_fill_f32": (c_status, [SCHEDULE_P, c_int64, c_int64, c_float_p]),
    "pace_schedule_to_json": (c_status, [SCHEDULE_P, ctypes.c_char_p, c_size_t, ctypes.POINTER(c_size_t)]),
    "pace_schedule_total_steps": (c_status, [SCHEDULE_P, ctypes.POINTER(c_int64)]),
    # refinement from gradient norms
    "pace_refine": (c_status, [c_double_p, c_int64, ctypes.POINTER(RefineOptions), c_double_p]),
    "pace_refine_ex": (c_status, [c_double_p, c_int64, ctypes.POINTER(RefineOptions), c_double_p,
                                  ctypes.POINTER(c_int64)]),
    "pace_refine_spec": (c_status, [c_double_p, c_int64, ctypes.c_double, c_int64, ctypes.c_char_p, c_size_t,
                                    ctypes.POINTER(c_size_t)]),
    # the training-loop runtime
    "pace_runtime_create": (c_status, [ctypes.c_char_p, ctypes.POINTER(RUNTIME_P)]),
    "pace_runtime_free": (None, [RUNTIME_P]),
    "pace_runtime_shape": (c_status, [RUNTIME_P, ctypes.POINTER(c_int64), ctypes.POINTER(c_int64)]),
    "pace_runtime_channel_name": (c_status, [RUNTIME_P, c_int64, ctypes.c_char_p, c_size_t,
                                             ctypes.POINTER(c_size_t)]),
    "pace_runtime_group_name": (c_status, [RUNTIME_P, c_int64, ctypes.c_char_p, c_size_t,
                                           ctypes.POINTER(c_size_t)]),
    "pace_runtime_step": (c_status, [RUNTIME_P, ctypes.c_double, c_double_p, c_size_t]),
    "pace_runtime_values": (c_status, [RUNTIME_P, c_double_p, c_size_t]),
    "pace_runtime_step_count": (c_status, [RUNTIME_P, ctypes.POINTER(c_int64)]),
    "pace_runtime_begin_decay": (c_status, [RUNTIME_P, ctypes.c_char_p, c_int64, ctypes.c_char_p, ctypes.c_double]),
    "pace_runtime_rewarm": (c_status, [RUNTIME_P, ctypes.c_char_p, ctypes.c_char_p]),
    "pace_runtime_set_total_steps": (c_status, [RUNTIME_P, c_int64]),
    "pace_runtime_save": (c_status, [RUNTIME_P, ctypes.c_void_p, c_size_t, ctypes.POINTER(c_size_t)]),
    "pace_runtime_load": (c_status, [ctypes.c_void_p, c_size_t, ctypes.POINTER(RUNTIME_P)]),
    "pace_runtime_save_file": (c_status, [RUNTIME_P, ctypes.c_char_p]),
    "pace_runtime_load_file": (c_status, [ctypes.c_char_p, ctypes.POINTER(RUNTIME_P)]),
    "pace_runtime_event_count": (c_status, [RUNTIME_P, ctypes.POINTER(c_int64)]),
    "pace_runtime_events_json": (c_status, [RUNTIME_P, ctypes.c_char_p, c_size_t, ctypes.POINTER(c_size_t)]),
    "pace_runtime_cooldown_started": (c_status, [RUNTIME_P, ctypes.c_char_p, ctypes.POINTER(ctypes.c_int)]),
    "pace_runtime_played_values": (c_status, [RUNTIME_P, ctypes.c_char_p, c_int64, c_size_t, c_double_p]),
    "pace_runtime_played_spec": (c_status, [RUNTIME_P, ctypes.c_char_p, ctypes.c_char_p, c_size_t,
                                            ctypes.POINTER(c_size_t)]),
}


# The batch engine (include/pace.h, "batch engine"; pace.batch).
class EngineStruct(ctypes.Structure):
    """Opaque ``struct pace_engine``."""


ENGINE_P = ctypes.POINTER(EngineStruct)


class EngineOptions(ctypes.Structure):
    """``pace_engine_options`` (set ``struct_size`` to ``ctypes.sizeof``)."""

    _fields_ = [("struct_size", ctypes.c_uint32), ("numa", ctypes.c_uint32), ("threads", ctypes.c_int64)]


class EngineInfo(ctypes.Structure):
    """``pace_engine_info`` (set ``struct_size`` to ``ctypes.sizeof``)."""

    _fields_ = [("struct_size", ctypes.c_uint32), ("simulated", ctypes.c_uint32), ("libnuma", ctypes.c_uint32),
                ("pinned", ctypes.c_uint32), ("nodes", ctypes.c_int64), ("threads", ctypes.c_int64)]


PACE_NUMA_AUTO = 0
PACE_NUMA_OFF = 1
PACE_NUMA_REQUIRE = 2
PACE_THREADS_AUTO = -1
_SCHEDULE_PP = ctypes.POINTER(SCHEDULE_P)  # const pace_schedule *const *

FUNCTIONS.update({
    "pace_engine_create": (c_status, [ctypes.POINTER(EngineOptions), ctypes.POINTER(ENGINE_P)]),
    "pace_engine_free": (None, [ENGINE_P]),
    "pace_engine_get_info": (c_status, [ENGINE_P, ctypes.POINTER(EngineInfo)]),
    "pace_batch_fill_f64": (c_status, [ENGINE_P, _SCHEDULE_PP, c_int64, c_int64, c_int64, c_double_p, c_size_t]),
    "pace_batch_fill_f32": (c_status, [ENGINE_P, _SCHEDULE_PP, c_int64, c_int64, c_int64, c_float_p, c_size_t]),
    "pace_batch_reduce": (c_status, [ENGINE_P, _SCHEDULE_PP, c_int64, c_int64, c_int64, ctypes.c_double,
                                     c_double_p, c_double_p, c_double_p]),
})


# Data pacing (include/pace.h, "data pacing"; pace.data).
class SamplerStruct(ctypes.Structure):
    """Opaque ``struct pace_sampler``."""


SAMPLER_P = ctypes.POINTER(SamplerStruct)
c_int64_p = ctypes.POINTER(ctypes.c_int64)
c_int32_p = ctypes.POINTER(ctypes.c_int32)
c_int8_p = ctypes.POINTER(ctypes.c_int8)
c_uint8_p = ctypes.POINTER(ctypes.c_uint8)

FUNCTIONS.update({
    "pace_sampler_create": (c_status, [ctypes.c_char_p, c_double_p, c_int32_p, c_int64, ctypes.POINTER(SAMPLER_P)]),
    "pace_sampler_free": (None, [SAMPLER_P]),
    "pace_sampler_batch": (c_status, [SAMPLER_P, c_int64, c_int64, c_int64, c_int64_p, c_int64, c_int64_p]),
    "pace_sampler_global_batch_size": (c_status, [SAMPLER_P, c_int64, c_int64_p]),
    "pace_sampler_first_offset": (c_status, [SAMPLER_P, c_int64, c_int64_p]),
    "pace_sampler_eligible": (c_status, [SAMPLER_P, c_int64, c_int64_p]),
    "pace_sampler_report_ability": (c_status, [SAMPLER_P, c_int64, ctypes.c_double]),
    "pace_sampler_save": (c_status, [SAMPLER_P, ctypes.c_void_p, c_size_t, ctypes.POINTER(c_size_t)]),
    "pace_sampler_load": (c_status, [ctypes.c_void_p, c_size_t, c_double_p, c_int32_p, c_int64,
                                     ctypes.POINTER(SAMPLER_P)]),
    "pace_irt_fit": (c_status, [c_uint8_p, c_int64, c_int64, c_double_p, c_double_p]),
    "pace_irt_ability": (c_status, [c_double_p, c_int8_p, c_int64, c_double_p]),
})


def declare(lib: ctypes.CDLL, path: Path) -> None:
    missing = []
    for name, (restype, argtypes) in FUNCTIONS.items():
        try:
            fn = getattr(lib, name)
        except AttributeError:
            missing.append(name)
            continue
        fn.restype = restype
        fn.argtypes = argtypes
    if missing:
        raise ImportError(
            "pace: %s does not export %s, declared in include/pace.h; it is an incomplete or "
            "foreign build. Rebuild it with `make lib`." % (path, ", ".join(missing))
        )


lib, library_path, library_version_number = find_and_load()
declare(lib, library_path)
library_version = lib.pace_version_string().decode("utf-8", "replace")
library_build_info = lib.pace_build_info().decode("utf-8", "replace")

INT64_MAX = 2**63 - 1


# --------------------------------------------------------------------------
# The (buf, cap, *needed) pattern, and the library's names


def call_sized(fn, *args, after: Tuple[Any, ...] = (), cap: int = 0) -> Tuple[int, bytes]:
    """Calls ``fn(*args, buf, cap, &needed, *after)``, a function of
    include/pace.h's (buf, cap, *needed) pattern: first with a buffer of
    ``cap`` bytes (0: none, to learn the size), then, while ``*needed``
    exceeds the buffer (at most 4 times: the size may grow between calls),
    with a buffer of ``*needed`` bytes. Returns (PACE_OK, the ``*needed``
    bytes written; text keeps its NUL) or (the failing status, b"").

    The one implementation of the retry: pace._sized raises the binding's
    exceptions from it. A status is a size problem exactly when ``*needed``
    exceeds the capacity given, so no status code but PACE_OK (0, fixed by
    the ABI) is needed here."""
    needed = ctypes.c_size_t(0)
    buf = ctypes.create_string_buffer(cap) if cap > 0 else None
    status = fn(*args, buf, cap, ctypes.byref(needed), *after)
    for attempt in range(5):
        if status == PACE_OK:
            return status, b"" if buf is None else buf.raw[: min(needed.value, cap)]
        if needed.value <= cap or attempt == 4:
            return status, b""
        cap = needed.value
        buf = ctypes.create_string_buffer(cap)
        status = fn(*args, buf, cap, ctypes.byref(needed), *after)
    return status, b""


# pace_status PACE_OK: 0 by the ABI (docs/c-api.md); the other codes are read
# from the library below.
PACE_OK = 0


def _read_names() -> Dict[str, Any]:
    """pace_names_json: the library's status names, law kinds, warmup modes,
    fit methods, search families and defaults (include/pace.h, "names")."""
    status, data = call_sized(lib.pace_names_json)
    if status != PACE_OK:
        raise ImportError("pace: %s: pace_names_json failed (status %d): %s"
                          % (library_path, status, lib.pace_last_error().decode("utf-8", "replace")))
    return json.loads(data.rstrip(b"\0").decode("utf-8"))


#: The library's names (pace_names_json), read once at import: the bindings
#: take every status name, law kind, parameter name, warmup mode, fit method,
#: search family and default from here instead of restating them.
NAMES: Dict[str, Any] = _read_names()
#: pace_status values by name ("PACE_OK": 0, "PACE_E_ARGUMENT": 1, ...).
STATUS: Dict[str, int] = NAMES["status"]


def _status(name: str) -> int:
    try:
        return STATUS[name]
    except KeyError:
        raise ImportError("pace: %s names no status %s (pace_names_json)" % (library_path, name)) from None


PACE_E_ARGUMENT = _status("PACE_E_ARGUMENT")
PACE_E_SPEC = _status("PACE_E_SPEC")
PACE_E_BUFFER_TOO_SMALL = _status("PACE_E_BUFFER_TOO_SMALL")
PACE_E_STATE = _status("PACE_E_STATE")
PACE_E_VERSION = _status("PACE_E_VERSION")
PACE_E_NUMERIC = _status("PACE_E_NUMERIC")
PACE_E_NO_MEMORY = _status("PACE_E_NO_MEMORY")
PACE_E_UNSUPPORTED = _status("PACE_E_UNSUPPORTED")
PACE_E_INTERNAL = _status("PACE_E_INTERNAL")
