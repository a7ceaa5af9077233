"""DNP3 (IEEE 1815) for asyncio on libdnp3's sans-I/O core.

    async with dnp3.Master("127.0.0.1:20000") as m:
        points = await m.poll()

    outstation = dnp3.Outstation(listen="127.0.0.1:20001", points={"analog_input": 8})
    async with outstation:
        outstation.update("analog_input", 0, 138.2)

See docs/python.md.
"""
from __future__ import annotations

import asyncio
from typing import Optional, Union

from ._ffi import LIBRARY_PATH, lib, string
from .decoding import backend as decode_backend, decode, decode_pcap
from .errors import (AuthError, CallbackError, CommandError, ConnectionError, Dnp3Error, TaskError,  # noqa: A004
                     TimeoutError)
from .master import Master
from .model import CommandStatus, Flag, Point, PointType
from .outstation import Outstation

__all__ = [
    "Master", "Outstation", "Point", "PointType", "CommandStatus", "Flag", "Dnp3Error", "TimeoutError",
    "ConnectionError", "TaskError", "CommandError", "CallbackError", "AuthError", "version", "poll", "operate",
    "decode", "decode_pcap", "decode_backend",
    "LIBRARY_PATH",
]


def version() -> str:
    """The C library's version (dnp3_version())."""
    return string(lib.dnp3_version())


def poll(target: str, classes: str = "0123", **master_args) -> list[Point]:
    """Synchronous helper for scripts: one poll of ``target`` (connects, polls, closes)."""

    async def run():
        async with Master(target, **master_args) as m:
            return await m.poll(classes)

    return asyncio.run(run())


def operate(target: str, *, crob: Optional[int] = None, code: Union[str, int] = "latch_on",
            analog: Optional[int] = None, value: float = 0.0, mode: str = "sbo", **master_args) -> str:
    """Synchronous helper: one CROB (``crob=INDEX, code=...``) or analog output
    (``analog=INDEX, value=...``). Returns "SUCCESS" or raises dnp3.CommandError."""
    if (crob is None) == (analog is None):
        raise ValueError("give exactly one of crob= or analog=")

    async def run():
        async with Master(target, **master_args) as m:
            if crob is not None:
                return await m.operate_crob(crob, code, mode=mode)
            return await m.operate_analog(analog, value, mode=mode)

    return asyncio.run(run())
