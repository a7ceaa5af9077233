"""Decoding DNP3 traffic - a STOP-GAP that runs the `dnp3 decode --json` command.

The decoder belongs in C: a decoder library (header dnp3/decode.h, libdnp3decode.so.0) is being
written, and these functions will call it through cffi, with the same results, once it exists.
Until then they run the `dnp3` command found next to the loaded library (the build directory) or
on PATH, and parse its JSON lines: one dict per application fragment, per link frame without
user data and per problem outside a fragment, exactly as `dnp3 decode --json` prints them
(docs/decode.md). Nothing is decoded in Python.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from typing import Optional, Union

from ._ffi import LIBRARY_PATH
from .errors import Dnp3Error


def _command() -> str:
    beside = os.path.join(os.path.dirname(os.path.abspath(LIBRARY_PATH)), "dnp3")
    if os.sep in LIBRARY_PATH and os.access(beside, os.X_OK):
        return beside
    found = shutil.which("dnp3")
    if not found:
        raise Dnp3Error("dnp3.decode needs the dnp3 command (next to libdnp3.so.0 or on PATH) until the "
                        "decoder library exists", "DNP3_ERR_STATE")
    return found


def _run(args: list[str], stdin: Optional[bytes]) -> list[dict]:
    r = subprocess.run([_command(), "decode", "--json", *args], input=stdin, capture_output=True, timeout=60)
    if r.returncode == 2:
        raise Dnp3Error(f"dnp3 decode: {r.stderr.decode(errors='replace').strip()}", "DNP3_ERR_INVALID_ARG")
    # exit 1 = problems were reported: they are records of the output, not an exception
    return [json.loads(line) for line in r.stdout.decode().splitlines() if line.startswith("{")]


def decode(data: Union[bytes, bytearray, memoryview, str], *, apdu: bool = False) -> list[dict]:
    """Decodes octets (bytes, or hex text) as link frames (or, with ``apdu=True``, one bare
    application fragment); returns the records of ``dnp3 decode --json``."""
    text = data if isinstance(data, str) else bytes(data).hex()
    return _run(["--apdu"] if apdu else [], text.encode() + b"\n")


def decode_pcap(path: Union[str, os.PathLike], *, port: int = 20000) -> list[dict]:
    """Decodes the DNP3 traffic of a pcap/pcapng capture (TCP per direction, UDP) on ``port``."""
    return _run(["--pcap", os.fspath(path), "--port", str(port)], None)
