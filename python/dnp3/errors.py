"""Exceptions named after the library's errors and the master's task results."""
from __future__ import annotations

import builtins

from ._ffi import lib, string


class Dnp3Error(Exception):
    """Base of every error the package raises.

    ``name`` is the library's symbolic name: a ``DNP3_ERR_*`` code name for library errors, a
    task result name (``TIMEOUT``, ``REJECTED``, ...) for requests that failed, or a command
    status name (``NOT_SUPPORTED``, ...) for :class:`CommandError`.
    """

    def __init__(self, message: str, name: str = "", code: int | None = None):
        super().__init__(message)
        self.name = name
        self.code = code


class TimeoutError(Dnp3Error, builtins.TimeoutError):  # noqa: A001 - the library's name
    """No (complete) response within the response timeout (task result TIMEOUT)."""


class ConnectionError(Dnp3Error, builtins.ConnectionError):  # noqa: A001
    """The connection could not be made, or closed before the outstation answered."""


class TaskError(Dnp3Error):
    """A master request ended with a task result other than SUCCESS (``name`` holds it)."""


class CommandError(TaskError):
    """The outstation answered a command with a status other than SUCCESS.

    ``status`` is the command status name, e.g. ``"NOT_SUPPORTED"``.
    """

    def __init__(self, status: str, index: int | None = None):
        where = f" for index {index}" if index is not None else ""
        super().__init__(f"the outstation answered command status {status}{where}", status)
        self.status = status


class AuthError(TaskError):
    """Secure Authentication failed (wrong update key, unknown user, session keys refused)."""


class CallbackError(Dnp3Error):
    """Python code called from the C library raised; the original exception is ``__cause__``."""


def check(rc: int, what: str = "") -> int:
    """Returns rc when it is not a library error, else raises the matching Dnp3Error."""
    if rc >= 0:
        return rc
    name = string(lib.dnp3_err_name(rc))
    text = string(lib.dnp3_strerror(rc))
    raise Dnp3Error(f"{what + ': ' if what else ''}{text} ({name})", name, rc)
