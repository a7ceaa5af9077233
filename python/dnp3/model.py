"""Data classes and enums shared by the master and the outstation."""
from __future__ import annotations

import datetime as _dt
import enum
from dataclasses import dataclass
from typing import Union

from ._ffi import lib, string

UTC = _dt.timezone.utc


class PointType(str, enum.Enum):
    """The point types of an outstation database (names of ``dnp3 master poll --json``)."""

    BINARY_INPUT = "binary_input"
    DOUBLE_BIT_INPUT = "double_bit_input"
    BINARY_OUTPUT_STATUS = "binary_output_status"
    COUNTER = "counter"
    FROZEN_COUNTER = "frozen_counter"
    ANALOG_INPUT = "analog_input"
    ANALOG_OUTPUT_STATUS = "analog_output_status"
    OCTET_STRING = "octet_string"
    FROZEN_ANALOG_INPUT = "frozen_analog_input"


#: PointType -> dnp3_os_type (include/dnp3/outstation.h order)
OS_TYPE = {t: i for i, t in enumerate(PointType)}


class CommandStatus(enum.IntEnum):
    """Command status codes (IEEE 1815-2012 clause A.2); the name is what the API returns."""

    SUCCESS = 0
    TIMEOUT = 1
    NO_SELECT = 2
    FORMAT_ERROR = 3
    NOT_SUPPORTED = 4
    ALREADY_ACTIVE = 5
    HARDWARE_ERROR = 6
    LOCAL = 7
    TOO_MANY_OPS = 8
    NOT_AUTHORIZED = 9
    AUTOMATION_INHIBIT = 10
    PROCESSING_LIMITED = 11
    OUT_OF_RANGE = 12
    DOWNSTREAM_LOCAL = 13
    ALREADY_COMPLETE = 14
    BLOCKED = 15
    CANCELLED = 16
    BLOCKED_OTHER_MASTER = 17
    DOWNSTREAM_FAIL = 18
    NON_PARTICIPATING = 126
    UNDEFINED = 127


class Flag(enum.IntFlag):
    """Point flag bits (clause A.2); the meaning of 0x20 and 0x40 depends on the type."""

    ONLINE = 0x01
    RESTART = 0x02
    COMM_LOST = 0x04
    REMOTE_FORCED = 0x08
    LOCAL_FORCED = 0x10
    BIT5 = 0x20  # chatter filter / over range / rollover
    BIT6 = 0x40  # discontinuity / reference error
    STATE = 0x80


#: CROB control codes by name: TCC | operation type (g12v1 control code octet).
CROB_CODES = {
    "nul": 0x00,
    "pulse_on": 0x01,
    "pulse_off": 0x02,
    "latch_on": 0x03,
    "latch_off": 0x04,
    "close": 0x41,  # CLOSE with PULSE_ON, as `dnp3 master operate --code close`
    "trip": 0x81,  # TRIP with PULSE_ON
}
_CODE_NAMES = {v: k for k, v in CROB_CODES.items()}


def crob_code(code: Union[str, int]) -> int:
    """The control-code octet of a CROB code name ("trip", "latch-on", "latch_on", ...) or int."""
    if isinstance(code, int):
        return code & 0xFF
    try:
        return CROB_CODES[code.lower().replace("-", "_")]
    except KeyError:
        raise ValueError(f"unknown CROB code {code!r} (use {', '.join(CROB_CODES)} or an int)") from None


def crob_code_name(octet: int) -> str:
    """The name of a control-code octet (ignoring CLEAR/QUEUE bits), or its hex value."""
    return _CODE_NAMES.get(octet & 0xCF, f"0x{octet:02x}")


def crob_state(octet: int) -> bool | None:
    """On (True) / off (False) as the CLI's outstation decides it (Annex A.12), None if unknown."""
    tcc, op = octet & 0xC0, octet & 0x0F
    if tcc == 0x40:
        return True
    if tcc == 0x80:
        return False
    if tcc:
        return None
    return {1: True, 3: True, 2: False, 4: False}.get(op)


def status_name(status: int) -> str:
    return string(lib.dnp3_command_status_name(status))


def status_code(value) -> int:
    """A command status from a handler's return: None/True -> SUCCESS, a name, an int or enum."""
    if value is None or value is True:
        return 0
    if value is False:
        return int(CommandStatus.NOT_SUPPORTED)
    if isinstance(value, str):
        return int(CommandStatus[value.upper()])
    code = int(value)
    if not 0 <= code <= 127:
        raise ValueError(f"command status {code} is outside 0..127")
    return code


def from_utc_ms(ms: int) -> _dt.datetime:
    return _dt.datetime.fromtimestamp(ms / 1000.0, UTC)


@dataclass(slots=True)
class Point:
    """One measurement received by the master.

    ``type`` is the name of ``dnp3 master poll --json`` (``"analog_input"``, ...); ``value`` a
    bool for binary types, an int for double-bit states (0..3) and counters, a float for
    analogs, bytes for octet strings; ``flags`` the flag octet (None when the variation has
    none); ``time`` a timezone-aware UTC datetime or None; ``event`` whether it came from an
    event variation; ``unsolicited`` whether it arrived in an unsolicited response.
    """

    type: str
    index: int
    value: Union[bool, int, float, bytes]
    flags: int | None = None
    time: _dt.datetime | None = None
    event: bool = False
    group: int = 0
    variation: int = 0
    unsolicited: bool = False
