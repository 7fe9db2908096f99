"""The (buf, cap, *needed) pattern of include/pace.h with the binding's
exceptions: the one way every module reads a variable-size output (texts,
saved states). The retry itself is ``_lib.call_sized``."""

from __future__ import annotations

from typing import Any, Tuple

from . import _lib
from .errors import check


def read(fn, *args, text: bool = True, after: Tuple[Any, ...] = (), cap: int = 0) -> bytes:
    """What ``fn(*args, buf, cap, &needed, *after)`` writes: text without its
    NUL, or (``text=False``) the ``*needed`` bytes. ``cap``: the first
    buffer's size (0: ask the size first; give the documented bound for a
    call too costly to make twice). A failing status raises its PaceError."""
    status, data = _lib.call_sized(fn, *args, after=after, cap=cap)
    check(status)
    return data.split(b"\0", 1)[0] if text else data


def read_str(fn, *args, after: Tuple[Any, ...] = (), cap: int = 0) -> str:
    """The UTF-8 text ``fn`` writes, as a str (see :func:`read`)."""
    return read(fn, *args, after=after, cap=cap).decode("utf-8")
