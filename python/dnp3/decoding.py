"""Decoding DNP3 traffic with the C decoder: dnp3.decode(octets) and dnp3.decode_pcap(path)
return the records of `dnp3 decode --json` as dicts - one per application fragment, per link
frame without user data and per problem outside a fragment (problems are records, not
exceptions).

The decoder is libdnp3decode.so.1 (dnp3/decode.h), called through cffi and writing its JSON lines
into memory (open_memstream). Where that library is not installed (a libdnp3 built before it
existed), the functions fall back to running the `dnp3 decode --json` command (next to the loaded
libdnp3.so.1, or on PATH), with the same results. Nothing is decoded in Python.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from typing import Optional, Union

from ._ffi import LIBRARY_PATH, decode_lib, ffi, libc, new_config
from .errors import Dnp3Error


def backend() -> str:
    """'library' (libdnp3decode.so.1) or 'command' (`dnp3 decode --json`, the fallback)."""
    return "library" if decode_lib() is not None else "command"


def _records(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


def _with_library(call) -> list[dict]:
    buf = ffi.new("char **")
    size = ffi.new("size_t *")
    f = libc.open_memstream(buf, size)
    if f == ffi.NULL:
        raise MemoryError("open_memstream failed")
    try:
        rc = call(f)
    finally:
        libc.fclose(f)
        text = ffi.string(buf[0], size[0]).decode("utf-8", "replace") if buf[0] != ffi.NULL else ""
        libc.free(buf[0])
    return rc, _records(text)


def _options(lib, apdu: bool = False, port: int = 20000):
    o = new_config("dnp3_decode_options", lib.dnp3_decode_options_init_size)
    o.json = True
    o.apdu = apdu
    o.port = port
    return o


def _command() -> str:
    beside = os.path.join(os.path.dirname(os.path.abspath(LIBRARY_PATH)), "dnp3")
    if os.sep in LIBRARY_PATH and os.access(beside, os.X_OK):
        return beside
    found = shutil.which("dnp3")
    if not found:
        raise Dnp3Error("dnp3.decode needs libdnp3decode.so.1 or the dnp3 command", "DNP3_ERR_STATE")
    return found


def _run(args: list[str], stdin: Optional[bytes]) -> list[dict]:
    r = subprocess.run([_command(), "decode", "--json", *args], input=stdin, capture_output=True, timeout=60)
    if r.returncode == 2:
        raise Dnp3Error(f"dnp3 decode: {r.stderr.decode(errors='replace').strip()}", "DNP3_ERR_INVALID_ARG")
    # exit 1 = problems were reported: they are records of the output, not an exception
    return _records(r.stdout.decode())


def decode(data: Union[bytes, bytearray, memoryview, str], *, apdu: bool = False) -> list[dict]:
    """Decodes octets (bytes, or hex text such as ``"05 64 05 C0 ..."``) as link frames (or,
    with ``apdu=True``, one bare application fragment)."""
    raw = bytes.fromhex(data.replace(",", " ").replace("0x", "")) if isinstance(data, str) else bytes(data)
    lib = decode_lib()
    if lib is None:
        return _run(["--apdu"] if apdu else [], raw.hex().encode() + b"\n")
    o = _options(lib, apdu=apdu)
    rc, records = _with_library(lambda f: lib.dnp3_decode_octets(raw, len(raw), o, f))
    if rc < 0:
        raise Dnp3Error(f"dnp3_decode_octets failed ({rc})", "DNP3_ERR_INVALID_ARG", rc)
    return records


def decode_pcap(path: Union[str, os.PathLike], *, port: int = 20000) -> list[dict]:
    """Decodes the DNP3 traffic of a pcap/pcapng capture (TCP per direction, UDP) on ``port``."""
    lib = decode_lib()
    if lib is None:
        return _run(["--pcap", os.fspath(path), "--port", str(port)], None)
    o = _options(lib, port=port)
    err = ffi.new("char[]", 256)
    rc, records = _with_library(lambda f: lib.dnp3_decode_capture(os.fsencode(path), o, f, err, 256))
    if rc < 0:
        raise Dnp3Error(f"{os.fspath(path)}: {ffi.string(err).decode(errors='replace')}", "DNP3_ERR_IO", rc)
    return records
