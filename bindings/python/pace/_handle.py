"""The lifetime of one library handle, shared by Schedule, Runtime and Engine."""

from __future__ import annotations

from . import _lib

_lib_handle = _lib.lib  # kept so that __del__ works during interpreter shutdown


class OwnedHandle:
    """Owns `self._handle` (guarded by `self._lock`): `close()` frees it once
    with the C function named by `_free`; the context manager and `__del__`
    call `close()`. Subclasses set `_free` and `_kind` and declare the slots
    `_handle` and `_lock`."""

    __slots__ = ()
    _free = ""  # the C function freeing the handle, e.g. "pace_schedule_free"
    _kind = ""  # the name used in errors, e.g. "pace.Schedule"

    def _h(self):
        handle = self._handle
        if handle is None:
            raise ValueError("operation on a closed %s" % self._kind)
        return handle

    @property
    def closed(self) -> bool:
        return self._handle is None

    def close(self) -> None:
        """Frees the library handle. Idempotent; later calls raise ValueError."""
        lock = getattr(self, "_lock", None)
        if lock is None:
            return
        with lock:
            handle, self._handle = self._handle, None
        if handle is not None and _lib_handle is not None:
            getattr(_lib_handle, self._free)(handle)

    def __enter__(self):
        self._h()
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:  # interpreter shutdown: modules may be gone
            pass
