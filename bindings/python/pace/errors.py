"""Exceptions: one class per pace_status of include/pace.h.

Every failing library call raises a :class:`PaceError` subclass whose
``status`` is the status name (``"PACE_E_SPEC"``, ...), ``code`` its number,
and ``message`` the library's text from ``pace_last_error()`` (for a spec
error it names the JSON path, e.g. ``phases[2].steps: must be a number > 0,
got -5``). Argument checks done by the binding itself raise the same classes.
The codes are the library's (pace_names_json, read by pace._lib).
"""

from __future__ import annotations

from typing import Dict, Optional, Type

from . import _lib

__all__ = [
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
]


class PaceError(Exception):
    """A Pace call failed. ``status``: status name; ``code``: its value;
    ``message``: the library's message (pace_last_error)."""

    code: int = -1
    default_status = "PACE_E_UNKNOWN"

    def __init__(self, message: str, status: Optional[str] = None, code: Optional[int] = None):
        self.message = message
        self.status = status if status is not None else self.default_status
        if code is not None:
            self.code = code
        super().__init__(message)

    def __str__(self) -> str:
        # The library already prefixes its messages with the status name.
        if self.message.startswith(self.status):
            return self.message
        return "%s: %s" % (self.status, self.message)

    def __reduce__(self):
        return (self.__class__, (self.message, self.status, self.code))


class ArgumentError(PaceError, ValueError):
    """PACE_E_ARGUMENT: NULL pointer, negative step or count, bad enum, non-finite number."""

    default_status = "PACE_E_ARGUMENT"
    code = _lib.PACE_E_ARGUMENT


class SpecError(PaceError, ValueError):
    """PACE_E_SPEC: the schedule spec was rejected; the message names the JSON path."""

    default_status = "PACE_E_SPEC"
    code = _lib.PACE_E_SPEC


class BufferTooSmallError(PaceError):
    """PACE_E_BUFFER_TOO_SMALL."""

    default_status = "PACE_E_BUFFER_TOO_SMALL"
    code = _lib.PACE_E_BUFFER_TOO_SMALL


class StateError(PaceError):
    """PACE_E_STATE: saved state truncated, corrupted, or of another kind."""

    default_status = "PACE_E_STATE"
    code = _lib.PACE_E_STATE


class VersionError(PaceError):
    """PACE_E_VERSION: saved state or caller built for an incompatible version."""

    default_status = "PACE_E_VERSION"
    code = _lib.PACE_E_VERSION


class NumericError(PaceError, ArithmeticError):
    """PACE_E_NUMERIC: a fit or solve did not converge or produced non-finite values."""

    default_status = "PACE_E_NUMERIC"
    code = _lib.PACE_E_NUMERIC


class NoMemoryError(PaceError, MemoryError):
    """PACE_E_NO_MEMORY."""

    default_status = "PACE_E_NO_MEMORY"
    code = _lib.PACE_E_NO_MEMORY


class UnsupportedError(PaceError):
    """PACE_E_UNSUPPORTED."""

    default_status = "PACE_E_UNSUPPORTED"
    code = _lib.PACE_E_UNSUPPORTED


class InternalError(PaceError):
    """PACE_E_INTERNAL."""

    default_status = "PACE_E_INTERNAL"
    code = _lib.PACE_E_INTERNAL


class UnknownStatusError(PaceError):
    """A status this binding does not know (a newer library)."""


ERROR_CLASSES: Dict[int, Type[PaceError]] = {
    cls.code: cls
    for cls in (
        ArgumentError,
        SpecError,
        BufferTooSmallError,
        StateError,
        VersionError,
        NumericError,
        NoMemoryError,
        UnsupportedError,
        InternalError,
    )
}


def status_name(code: int) -> str:
    name = _lib.lib.pace_status_name(int(code))
    return name.decode("utf-8", "replace") if name else "PACE_E_UNKNOWN"


def error_for(code: int) -> PaceError:
    """The exception for a failed call that returned ``code``, with the
    calling thread's pace_last_error() message (read immediately)."""
    raw = _lib.lib.pace_last_error()
    message = raw.decode("utf-8", "replace") if raw else ""
    name = status_name(code)
    cls = ERROR_CLASSES.get(int(code), UnknownStatusError)
    if not message:
        message = "%s (no message from the library)" % name
    return cls(message, name, int(code))


def check(code: int) -> None:
    """Raises the matching PaceError unless ``code`` is PACE_OK."""
    if code != _lib.PACE_OK:
        raise error_for(code)
