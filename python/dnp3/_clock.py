"""The two clocks the core is fed with, and the one timer each object needs."""
from __future__ import annotations

import asyncio
import time
from typing import Callable

from ._ffi import TSTAMP_NEVER


def now_ms() -> int:
    """Monotonic milliseconds (time.monotonic, the clock asyncio's loop uses)."""
    return int(time.monotonic() * 1000)


def utc_ms() -> int:
    """Wall-clock UTC milliseconds since 1970."""
    return int(time.time() * 1000)


class Timer:
    """One re-armable loop timer: `rearm(deadline_ms)` after every call into the core."""

    __slots__ = ("_loop", "_fire", "_handle", "_deadline")

    def __init__(self, loop: asyncio.AbstractEventLoop, fire: Callable[[], None]):
        self._loop = loop
        self._fire = fire
        self._handle: asyncio.TimerHandle | None = None
        self._deadline = TSTAMP_NEVER

    def rearm(self, deadline: int) -> None:
        if deadline == self._deadline and (self._handle is not None or deadline == TSTAMP_NEVER):
            return
        self.cancel()
        self._deadline = deadline
        if deadline == TSTAMP_NEVER:
            return
        # a hair late rather than early: the core runs what is due at `now`
        delay = max(0.0, (deadline - now_ms()) / 1000.0 + 0.0005)
        self._handle = self._loop.call_later(delay, self._run)

    def _run(self) -> None:
        self._handle = None
        self._deadline = TSTAMP_NEVER
        self._fire()

    def cancel(self) -> None:
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None
        self._deadline = TSTAMP_NEVER
