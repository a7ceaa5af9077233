"""An asyncio DNP3 outstation (TCP server, or TLS with ``ssl=``) on the library's sans-I/O core.

The database, events, confirms, select/operate and unsolicited reporting run in the C core
(dnp3_outstation_* with the built-in link layer); this module accepts the connection, feeds
octets and the monotonic clock, sends what the core produces and keeps one timer armed.
"""
from __future__ import annotations

import asyncio
import inspect
import logging
import ssl as _ssl
from typing import Any, Awaitable, Callable, Mapping, Optional, Union

from . import errors
from ._clock import Timer, now_ms, utc_ms
from ._ffi import aligned, ffi, lib, new_config
from .errors import Dnp3Error
from .model import OS_TYPE, CommandStatus, Flag, PointType, crob_code_name, crob_state, status_code

log = logging.getLogger("dnp3.outstation")

ERR_LINK_CLOSED = -10902
ERR_BUFFER_TOO_SMALL = -10003
_SELECT, _OPERATE, _DIRECT, _DIRECT_NR = 0, 1, 2, 3
_HARDWARE_ERROR = int(CommandStatus.HARDWARE_ERROR)
_NOT_SUPPORTED = int(CommandStatus.NOT_SUPPORTED)
_EVENT_MODES = {"detect": 0, "force": 1, "suppress": 2}
# analogs are reported as floats by default (g30v5/g32v7, g40v3/g42v7): Python values are floats
_FLOAT_VARIATIONS = {5: (5, 7), 6: (3, 7), 8: (7, 7)}

#: on_crob(index, code) / on_analog(index, value): a status name, CommandStatus, None (SUCCESS)
#: or an awaitable (run as a task; the command is answered SUCCESS, i.e. accepted).
CrobHandler = Callable[[int, str], Union[str, int, None, Awaitable[Any]]]
AnalogHandler = Callable[[int, float], Union[str, int, None, Awaitable[Any]]]


def _os(ctx) -> "Outstation":
    return ffi.from_handle(ctx)


# error=: what cffi returns should anything escape the wrappers below (it cannot: they catch
# BaseException) - never SUCCESS by accident
@ffi.callback("dnp3_command_status(void *, dnp3_control_mode, uint16_t, const dnp3_crob *)", error=6)
def _cb_crob(ctx, mode, index, crob):
    os_ = _os(ctx)
    try:
        return os_._control("crob", mode, index, crob.code)
    except BaseException as e:  # noqa: BLE001 - never into C
        return os_._failed(e, "on_crob")


@ffi.callback("dnp3_command_status(void *, dnp3_control_mode, uint16_t, double, uint8_t)", error=6)
def _cb_analog(ctx, mode, index, value, variation):
    os_ = _os(ctx)
    try:
        return os_._control("analog", mode, index, value)
    except BaseException as e:  # noqa: BLE001
        return os_._failed(e, "on_analog")


@ffi.callback("bool(void *, dnp3_time48)", error=False)
def _cb_write_time(ctx, utc):
    os_ = _os(ctx)
    try:
        os_.clock_offset_ms = int(utc) - utc_ms()
        return True
    except BaseException as e:  # noqa: BLE001
        os_._failed(e, "write_time")
        return False


@ffi.callback("dnp3_time48(void *)")
def _cb_utc_now(ctx):
    try:
        return (utc_ms() + _os(ctx).clock_offset_ms) & 0xFFFFFFFFFFFF
    except BaseException:  # noqa: BLE001
        return 0


class _UdpPeer:
    """The 'transport' of a UDP session: answers go to the address of the last request."""

    def __init__(self, transport: asyncio.DatagramTransport):
        self.udp = transport
        self.addr = None

    def write(self, data: bytes) -> None:
        if self.addr is not None:
            self.udp.sendto(data, self.addr)

    def close(self) -> None:
        pass


class _UdpProtocol(asyncio.DatagramProtocol):
    def __init__(self, outstation: "Outstation"):
        self.os = outstation
        self.transport: Optional[_UdpPeer] = None

    def connection_made(self, transport):
        self.transport = _UdpPeer(transport)

    def datagram_received(self, data, addr):
        self.transport.addr = addr
        if self.os._active is None:  # online from the first request: its source gets the answers
            self.os._on_connected(self)
        self.os._on_data(self, data)

    def error_received(self, exc):
        log.warning("UDP: %s", exc)


class _Protocol(asyncio.Protocol):
    def __init__(self, outstation: "Outstation"):
        self.os = outstation
        self.transport: Optional[asyncio.Transport] = None

    def connection_made(self, transport):
        self.transport = transport
        self.os._on_connected(self)

    def data_received(self, data):
        self.os._on_data(self, data)

    def connection_lost(self, exc):
        self.os._on_lost(self)


def _type(t: Union[str, PointType]) -> int:
    try:
        return OS_TYPE[PointType(t)]
    except ValueError:
        raise ValueError(f"unknown point type {t!r} (use {', '.join(p.value for p in PointType)})") from None


class Outstation:
    """A DNP3 outstation serving one master at a time on ``listen`` (``"host:port"``, port 0 =
    any free port; :attr:`port` tells which; ``"udp://host:port"`` serves DNP3 over UDP: online
    from the first datagram, answers and unsolicited responses go to the address of the last one).

    ``points`` maps point type names to a count, or to a dict with ``count``, ``event_class``
    (0..3, default 1; 0 = no events), ``deadband`` and ``event_buffer``. A second master that
    connects replaces the first (as ``dnp3 outstation --accept replace``).

    Controls: set :attr:`on_crob` / :attr:`on_analog`. They are called for OPERATE and
    DIRECT_OPERATE (a SELECT is accepted when a handler is set) and return the command status
    (a name such as ``"SUCCESS"``, a :class:`dnp3.CommandStatus` or None for SUCCESS). With
    ``echo_outputs`` (default) a successful CROB sets binary_output_status[index] and an analog
    output sets analog_output_status[index], when those points exist. An exception raised by a
    handler is logged, kept in :attr:`errors` and answered HARDWARE_ERROR; it never reaches C.

    ``sa_users`` ({user number: update key}) demands Secure Authentication v5 for critical
    requests (the default list of the standard: operate, write, restart, ...).
    """

    def __init__(self, listen: str = "127.0.0.1:20000", points: Optional[Mapping[str, Any]] = None, *,
                 link_addr: int = 10, master_addr: int = 1, unsolicited: bool = True, event_buffer: int = 100,
                 ssl: Optional[_ssl.SSLContext] = None, echo_outputs: bool = True,
                 keep_alive: float = 60.0, attributes: Optional[Mapping[str, str]] = None,
                 sa_users: Optional[Mapping[int, Union[bytes, str]]] = None):
        self.udp = listen.startswith("udp://")
        listen = listen.split("://", 1)[-1]
        host, sep, port = listen.rpartition(":")
        if not sep:
            host, port = listen, "20000"
        self.host = host.strip("[]") or "0.0.0.0"
        self.port = int(port)
        self.ssl = ssl
        self.link_addr = link_addr
        self.master_addr = master_addr
        self.echo_outputs = echo_outputs
        self.on_crob: Optional[CrobHandler] = None
        self.on_analog: Optional[AnalogHandler] = None
        #: exceptions raised by handlers (the master got HARDWARE_ERROR for them)
        self.errors: list[BaseException] = []
        #: offset of the outstation's clock from the system's, set by a master's time sync
        self.clock_offset_ms = 0
        self.counts: dict[str, int] = {}
        self._server: Optional[asyncio.AbstractServer] = None
        self._active: Optional[_Protocol] = None
        self._loop: Optional[asyncio.AbstractEventLoop] = None
        self._timer: Optional[Timer] = None
        self._tasks: set[asyncio.Task] = set()
        self._in_callback = False
        self._handle = ffi.new_handle(self)
        self._keep = []  # C strings referenced by the configuration
        #: Secure Authentication events: (kind, user, g120v7 error code)
        self.sa_events: list[tuple[str, int, int]] = []
        self._build(points or {}, unsolicited, event_buffer, keep_alive, attributes or {})
        if sa_users:
            from . import sa
            sa.attach_outstation(self, self._os, sa_users, self._handle)

    def _build(self, points, unsolicited, event_buffer, keep_alive, attributes) -> None:
        c = new_config("dnp3_outstation_config", lib.dnp3_outstation_config_init_size)
        c.link_addr = self.link_addr
        c.master_addr = self.master_addr
        c.unsolicited = unsolicited
        c.link_layer = True
        c.link_mode = 2 if self.udp else 0  # DNP3_CHANNEL_DATAGRAM / STREAM
        c.keep_alive_ms = int(keep_alive * 1000)
        for name, spec in points.items():
            t = _type(name)
            if isinstance(spec, int):
                spec = {"count": spec}
            tc = c.types[t]
            tc.count = spec["count"]
            tc.event_class = spec.get("event_class", 1)
            tc.event_buffer = spec.get("event_buffer", event_buffer)
            tc.deadband = spec.get("deadband", 0.0)
            tc.in_class0 = spec.get("in_class0", True)
            sv, ev = _FLOAT_VARIATIONS.get(t, (0, 0))
            tc.static_variation = spec.get("static_variation", sv)
            tc.event_variation = spec.get("event_variation", ev)
            self.counts[PointType(name).value] = tc.count
        for key, value in attributes.items():
            s = ffi.new("char[]", value.encode())
            self._keep.append(s)
            setattr(c.attr, key, s)
        cb = new_config("dnp3_outstation_callbacks")
        cb.ctx = self._handle
        cb.crob = _cb_crob
        cb.analog_output = _cb_analog
        cb.write_time = _cb_write_time
        cb.utc_now = _cb_utc_now
        size = lib.dnp3_outstation_memory_size(c)
        if not size:
            raise Dnp3Error("invalid outstation configuration (counts, classes, event buffers)", "DNP3_ERR_CONFIG")
        self._mem, ptr = aligned(size)
        self._os = lib.dnp3_outstation_init(ptr, size, c, cb, now_ms())
        if self._os == ffi.NULL:
            raise Dnp3Error("the outstation could not be built", "DNP3_ERR_CONFIG")
        lib.dnp3_outstation_set_online(self._os, False, now_ms())  # no master until one connects
        self._txcap = lib.dnp3_outstation_write_size(self._os)
        self._txbuf = ffi.new("uint8_t[]", self._txcap)

    # ---- database ----

    def update(self, type: Union[str, PointType], index: int, value: Union[bool, int, float, bytes, str],
               flags: int = Flag.ONLINE, time: Optional[int] = None, mode: str = "detect") -> bool:
        """Sets a point (value, flags, time in UTC ms, default now) and records an event as the core
        decides (``mode`` ``"detect"``, ``"force"`` or ``"suppress"``). Returns True if an event
        was recorded. Octet strings take bytes or str."""
        t = _type(type)
        stamp = (utc_ms() + self.clock_offset_ms) if time is None else int(time)
        m = _EVENT_MODES[mode]
        if t == OS_TYPE[PointType.OCTET_STRING]:
            data = value.encode() if isinstance(value, str) else bytes(value)
            rc = lib.dnp3_outstation_update_octets(self._os, index, data, len(data), stamp, m)
        else:
            rc = lib.dnp3_outstation_update(self._os, t, index, float(value), int(flags), stamp, m)
        errors.check(rc, f"update {type}[{index}]")
        self._service()
        return rc == 1

    def get(self, type: Union[str, PointType], index: int) -> tuple[float, int, int]:
        """Returns (value, flags, time in UTC ms) of a point as the database holds it."""
        v = ffi.new("double *")
        f = ffi.new("uint8_t *")
        tm = ffi.new("dnp3_time48 *")
        errors.check(lib.dnp3_outstation_get(self._os, _type(type), index, v, f, tm), f"get {type}[{index}]")
        return v[0], f[0], tm[0]

    def event_count(self, type: Union[str, PointType]) -> int:
        """Buffered events of a type."""
        return lib.dnp3_outstation_event_count(self._os, _type(type))

    # ---- controls ----

    def _failed(self, exc: BaseException, where: str) -> int:
        self.errors.append(exc)
        log.error("exception in %s: answered HARDWARE_ERROR", where, exc_info=exc)
        return _HARDWARE_ERROR

    def _control(self, kind: str, mode: int, index: int, arg) -> int:
        handler = self.on_crob if kind == "crob" else self.on_analog
        if handler is None:
            return _NOT_SUPPORTED
        if mode == _SELECT:
            return 0
        # inside the core's call: updates made by the handler are sent when that call returns
        self._in_callback = True
        try:
            result = handler(index, crob_code_name(arg) if kind == "crob" else arg)
        finally:
            self._in_callback = False
        if inspect.isawaitable(result):
            task = asyncio.ensure_future(result)
            self._tasks.add(task)
            task.add_done_callback(self._task_done)
            status = 0  # accepted
        else:
            status = status_code(result)
        if status == 0 and self.echo_outputs:
            self._echo(kind, index, arg)
        return status

    def _echo(self, kind: str, index: int, arg) -> None:
        if kind == "crob":
            on = crob_state(arg)
            if on is not None and index < self.counts.get("binary_output_status", 0):
                lib.dnp3_outstation_update(self._os, OS_TYPE[PointType.BINARY_OUTPUT_STATUS], index, float(on),
                                           Flag.ONLINE, utc_ms() + self.clock_offset_ms, 0)
        elif index < self.counts.get("analog_output_status", 0):
            lib.dnp3_outstation_update(self._os, OS_TYPE[PointType.ANALOG_OUTPUT_STATUS], index, float(arg),
                                       Flag.ONLINE, utc_ms() + self.clock_offset_ms, 0)

    def _task_done(self, task: asyncio.Task) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            self._failed(task.exception(), "an async control handler")

    # ---- serving ----

    async def start(self) -> None:
        """Starts listening (the outstation is served by the running loop until stop())."""
        if self._server is not None:
            return
        self._loop = asyncio.get_running_loop()
        self._timer = Timer(self._loop, self._on_timer)
        if self.udp:
            try:
                t, p = await self._loop.create_datagram_endpoint(lambda: _UdpProtocol(self),
                                                                 local_addr=(self.host, self.port))
            except OSError as e:
                raise errors.ConnectionError(f"cannot listen on udp {self.host}:{self.port}: {e.strerror or e}",
                                             "DNP3_ERR_IO_ADDR_IN_USE") from e
            self._server = t
            self.port = t.get_extra_info("sockname")[1]
            self._service()
            return
        try:
            self._server = await self._loop.create_server(lambda: _Protocol(self), self.host, self.port,
                                                          ssl=self.ssl, reuse_address=True)
        except OSError as e:
            raise errors.ConnectionError(f"cannot listen on {self.host}:{self.port}: {e.strerror or e}",
                                         "DNP3_ERR_IO_ADDR_IN_USE") from e
        self.port = self._server.sockets[0].getsockname()[1]
        self._service()  # arm the timer for what the core has pending already
        log.info("listening on %s:%d, link address %d", self.host, self.port, self.link_addr)

    async def stop(self) -> None:
        """Stops listening and closes the master's connection."""
        if self._server is None:
            return
        self._server.close()
        if self._active is not None:
            p = self._active
            self._go_offline()
            p.transport.close()
        if not self.udp:
            await self._server.wait_closed()
        self._server = None
        if self._timer is not None:
            self._timer.cancel()
        for t in list(self._tasks):
            t.cancel()

    async def serve_forever(self) -> None:
        """Starts (if needed) and serves until cancelled."""
        await self.start()
        try:
            await asyncio.Event().wait()
        finally:
            await self.stop()

    async def __aenter__(self) -> "Outstation":
        await self.start()
        return self

    async def __aexit__(self, *exc) -> None:
        await self.stop()

    @property
    def connected(self) -> bool:
        """True while a master is connected."""
        return self._active is not None

    def _on_connected(self, p: _Protocol) -> None:
        if self._active is not None:  # a second master replaces the first
            old = self._active
            self._go_offline()
            old.transport.close()
        self._active = p
        lib.dnp3_outstation_set_online(self._os, True, now_ms())
        self._service()

    def _on_lost(self, p: _Protocol) -> None:
        if p is self._active:
            self._go_offline()

    def _go_offline(self) -> None:
        self._active = None
        lib.dnp3_outstation_set_online(self._os, False, now_ms())
        self._service()

    def _on_data(self, p: _Protocol, data: bytes) -> None:
        if p is not self._active:
            return
        if lib.dnp3_outstation_read(self._os, data, len(data), now_ms()) == ERR_LINK_CLOSED:
            log.warning("framing error: closing the master's connection")
            self._go_offline()
            p.transport.close()
            return
        self._service()

    def _on_timer(self) -> None:
        if lib.dnp3_outstation_handle_expiry(self._os, now_ms()) == ERR_LINK_CLOSED and self._active is not None:
            p = self._active
            log.warning("keep-alive unanswered: closing the master's connection")
            self._go_offline()
            p.transport.close()
            return
        self._service()

    def _service(self) -> None:
        """After every call into the core: send what is ready, re-arm the one timer."""
        if self._in_callback:
            return
        now = now_ms()
        p = self._active
        while True:
            n = lib.dnp3_outstation_write(self._os, self._txbuf, self._txcap, now)
            if n <= 0:
                break
            if p is not None:  # offline: nothing can be sent (the core resets on reconnect)
                p.transport.write(ffi.buffer(self._txbuf, n)[:])
        if self._timer is not None and self._server is not None:
            self._timer.rearm(lib.dnp3_outstation_get_expiry(self._os))
