"""An asyncio DNP3 master: one connection, one outstation, on the library's sans-I/O master.

The protocol (scheduling, sequence numbers, confirms, timeouts, parsing) runs in the C core
(dnp3_channel_* + dnp3_master_*); this module only moves octets between an asyncio transport
and the channel, feeds the monotonic clock and keeps one timer armed at the core's deadline.
"""
from __future__ import annotations

import asyncio
import collections
import itertools
import logging
import ssl as _ssl
import struct
import weakref
from typing import AsyncIterator, Optional, Union

from . import errors
from ._clock import Timer, now_ms, utc_ms
from ._ffi import aligned, ffi, lib, new_config, string
from .errors import CallbackError, CommandError, Dnp3Error, TaskError
from .model import Point, crob_code, from_utc_ms, status_name

log = logging.getLogger("dnp3.master")

ERR_LINK_CLOSED = -10902
ERR_BUFFER_TOO_SMALL = -10003
TIME_ABSOLUTE = 1

# dnp3_task_result
_SUCCESS, _TIMEOUT, _COMMAND_STATUS, _DISCONNECTED, _START_TIMEOUT, _AUTH_FAILED = 0, 1, 8, 12, 13, 17

_MODES = {"sbo": 0, "select_operate": 0, "direct": 1, "direct_noack": 2, "direct-noack": 2}

# point types reported to Python (the same set `dnp3 master poll` prints)
_POINT_TYPES = {}
for _t in (1, 2, 3, 5, 6, 7, 8, 10, 15, 16):
    _POINT_TYPES[_t] = string(lib.dnp3_point_type_name(_t))
_BOOL_TYPES = {1, 3}
_INT_TYPES = {2, 5, 6, 16}
_OCTETS = 15
_VT_F32 = 6
_pack_f32 = struct.Struct("<f")


def _f32(v: float) -> float:
    """The shortest decimal that is the same single-precision value (138.2, not 138.1999969...)."""
    for digits in (6, 7, 8):
        c = float(f"{v:.{digits}g}")
        if _pack_f32.pack(c) == _pack_f32.pack(v):
            return c
    return v


def parse_target(target: str, default_port: int = 20000) -> tuple[str, str, int]:
    """'tcp://h:p', 'udp://h:p', 'tls://h:p', 'h:p' or 'h' -> (scheme, host, port)."""
    scheme = "tcp"
    if "://" in target:
        scheme, target = target.split("://", 1)
        if scheme not in ("tcp", "udp", "tls"):
            raise ValueError(f"unsupported target scheme {scheme!r} (tcp://, udp:// or tls://)")
    host, sep, port = target.rpartition(":")
    if not sep:
        host, port = target, ""
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    return scheme, host or "127.0.0.1", int(port) if port else (19999 if scheme == "tls" else default_port)


def _classes_mask(classes: Union[str, int]) -> int:
    if isinstance(classes, int):
        return classes & 0x0F
    mask = 0
    for c in classes:
        if c not in "0123":
            raise ValueError(f"classes must be digits 0-3, not {classes!r}")
        mask |= 1 << int(c)
    if not mask:
        raise ValueError("no class given")
    return mask


class _Request:
    __slots__ = ("kind", "future", "points", "error", "index")

    def __init__(self, kind: str, future: asyncio.Future, index: Optional[int] = None):
        self.kind = kind
        self.future = future
        self.points: list[Point] = []
        self.error: Optional[BaseException] = None
        self.index = index


# ---- callbacks from the core: module-level, the master found through ctx (ffi.new_handle) ----


def _guard(master: "Master", exc: BaseException) -> None:
    """An exception inside a callback never crosses C: it is kept for the request it belongs to."""
    req = master._current()
    if req is not None and req.error is None:
        req.error = exc
    else:
        master.errors.append(exc)
        log.error("exception in a master callback", exc_info=exc)


@ffi.callback("void(void *, dnp3_master_assoc *, const dnp3_rx_info *)")
def _cb_fragment_begin(ctx, a, info):
    m = ffi.from_handle(ctx)
    try:
        m._unsolicited = bool(info.unsolicited)
        m.iin = info.iin
        # where this fragment's points go: the running request (solicited, of a user task), the
        # watchers (automatic tasks - kinds 1..6, e.g. the core's own polls - are not requests)
        req = m._current() if not 1 <= info.task <= 6 else None
        m._sink = req.points if req is not None else None
        m._fast = m._sink is not None and not m._watchers
    except BaseException as e:  # noqa: BLE001 - must not propagate into C
        _guard(m, e)


@ffi.callback("void(void *, dnp3_master_assoc *, const dnp3_measurement *)")
def _cb_measurement(ctx, a, meas):
    m = ffi.from_handle(ctx)
    try:
        t = meas.type
        name = _POINT_TYPES.get(t)
        if name is None:
            return
        if t in _BOOL_TYPES:
            value = meas.value != 0
        elif t in _INT_TYPES:
            value = int(meas.value)
        elif t == _OCTETS:
            value = ffi.buffer(meas.octets, meas.octets_len)[:] if meas.octets != ffi.NULL else b""
        else:
            value = meas.value
            if meas.point.vtype == _VT_F32:
                value = _f32(value)
        p = Point(name, meas.index, value, meas.flags if meas.has_flags else None,
                  from_utc_ms(meas.time) if meas.time_kind == TIME_ABSOLUTE else None,
                  meas.event, meas.group, meas.variation, m._unsolicited)
        if m._fast:
            m._sink.append(p)
            return
        if m._sink is not None:
            m._sink.append(p)
        for q in m._watchers:
            q.put_nowait(p)
    except BaseException as e:  # noqa: BLE001
        _guard(m, e)


@ffi.callback("bool(void *, dnp3_time48 *)")
def _cb_utc_now(ctx, out):
    try:
        out[0] = utc_ms()
        return True
    except BaseException:  # noqa: BLE001
        return False


@ffi.callback("void(void *, dnp3_master_assoc *, const dnp3_task_info *)")
def _cb_task(ctx, a, info):
    # ctx is the request id; the master is the association's user pointer
    m = _MASTERS.get(int(ffi.cast("uintptr_t", lib.dnp3_master_assoc_user(a))))
    if m is None:
        return
    try:
        m._on_task_done(int(ffi.cast("uintptr_t", ctx)), info)
    except BaseException as e:  # noqa: BLE001
        m.errors.append(e)
        log.error("exception in the task callback", exc_info=e)


# id -> master, for the task callback; weak: a master that is no longer used can be freed
_MASTERS: "weakref.WeakValueDictionary[int, Master]" = weakref.WeakValueDictionary()
_ids = itertools.count(1)


class _Protocol(asyncio.Protocol):
    def __init__(self, master: "Master"):
        self.m = master

    def connection_made(self, transport):
        self.m._on_connected(transport)

    def data_received(self, data):
        self.m._on_data(data)

    def connection_lost(self, exc):
        self.m._on_lost(self, exc)


class _UdpProtocol(asyncio.DatagramProtocol):
    def __init__(self, master: "Master"):
        self.m = master

    def connection_made(self, transport):
        self.m._on_connected(transport)

    def datagram_received(self, data, addr):
        self.m._on_data(data)  # one datagram = whole frames (DNP3_CHANNEL_DATAGRAM)

    def error_received(self, exc):
        log.warning("UDP %s:%s: %s", self.m.host, self.m.port, exc)

    def connection_lost(self, exc):
        self.m._on_lost(self, exc)


class Master:
    """A DNP3 master for one outstation over TCP, UDP or TLS (``ssl=``), driven by asyncio.

    ``target`` is ``"host:port"``, ``"tcp://host:port"``, ``"udp://host:port"`` or
    ``"tls://host:port"``. ``sa_user`` / ``sa_key`` (16 or 32 octets, or their hex digits) add
    Secure Authentication v5: session keys are set up before the first request and challenges
    are answered by the core (libdnp3crypto.so.1 is loaded then). ``timeout``
    is the response timeout in seconds (the core's ``response_timeout_ms``). Use it as an async
    context manager; requests may be issued concurrently from several tasks, they are queued
    by the core and run one at a time.

    Nothing runs automatically (like the one-shot ``dnp3 master`` commands): :meth:`watch`
    runs the start-up sequence and periodic polls when asked.
    """

    def __init__(self, target: str, *, link_addr: int = 10, master_addr: int = 1, timeout: float = 5.0,
                 connect_timeout: Optional[float] = None, ssl: Optional[_ssl.SSLContext] = None,
                 queue_len: int = 16, sa_user: Optional[int] = None, sa_key: Union[bytes, str, None] = None):
        self.target = target
        self.scheme, self.host, self.port = parse_target(target)
        if self.scheme == "tls" and ssl is None:
            ssl = _ssl.create_default_context()
        self.ssl = ssl
        self.link_addr = link_addr
        self.master_addr = master_addr
        self.timeout = timeout
        self.connect_timeout = connect_timeout if connect_timeout is not None else timeout
        #: exceptions raised in callbacks that belonged to no request
        self.errors: list[BaseException] = []
        #: IIN of the last response (IIN1 in bits 0..7, IIN2 in bits 8..15)
        self.iin = 0
        self._unsolicited = False
        self._sink: Optional[list] = None  # the points list of the fragment being received
        self._fast = False
        self._requests: dict[int, _Request] = {}
        self._order: collections.deque[int] = collections.deque()
        self._watchers: list[asyncio.Queue] = []
        self._transport: Optional[asyncio.Transport] = None
        self._protocol: Optional[_Protocol] = None
        self._loop: Optional[asyncio.AbstractEventLoop] = None
        self._timer: Optional[Timer] = None
        self._closed_fut: Optional[asyncio.Future] = None
        self._id = next(_ids)
        self._handle = ffi.new_handle(self)
        #: Secure Authentication events: (kind, user, g120v7 error code)
        self.sa_events: list[tuple[str, int, int]] = []
        self._sa_failure: Optional[str] = None
        self._build(queue_len)
        if sa_key is not None:
            from . import sa
            sa.attach_master(self, self._a, sa_user or 1, sa_key, self._handle)

    # ---- construction ----

    def _build(self, queue_len: int) -> None:
        now = now_ms()
        cc = new_config("dnp3_channel_config", lib.dnp3_channel_config_init_size)
        cc.is_master = True
        cc.local_addr = self.master_addr
        cc.remote_addr = self.link_addr
        cc.keep_alive_ms = 0
        cc.mode = 2 if self.scheme == "udp" else 0  # DNP3_CHANNEL_DATAGRAM / STREAM
        mc = new_config("dnp3_master_config", lib.dnp3_master_config_init_size)
        mc.user_queue_len = queue_len
        h = mc.handler
        h.fragment_begin = _cb_fragment_begin
        h.measurement = _cb_measurement
        h.utc_now = _cb_utc_now
        h.ctx = self._handle
        field = ffi.new("const char **")
        if lib.dnp3_master_config_check(mc, field) != 0:
            raise Dnp3Error(f"invalid master configuration: {string(field[0])}", "DNP3_ERR_CONFIG")
        msize = lib.dnp3_master_memory_size(mc)
        self._mmem, mptr = aligned(msize)
        cc.on_fragment = ffi.addressof(lib, "dnp3_master_on_fragment")
        cc.ctx = mptr
        csize = lib.dnp3_channel_memory_size(cc)
        if not csize:
            raise Dnp3Error("invalid channel configuration", "DNP3_ERR_CONFIG")
        self._cmem, cptr = aligned(csize)
        self._ch = lib.dnp3_channel_init(cptr, csize, cc, now)
        self._m = lib.dnp3_master_init(mptr, msize, mc, self._ch, now)
        if self._ch == ffi.NULL or self._m == ffi.NULL:
            raise Dnp3Error("the master could not be built", "DNP3_ERR_CONFIG")
        ac = new_config("dnp3_assoc_config", lib.dnp3_assoc_config_init_size)
        ac.address = self.link_addr
        ac.user = ffi.cast("void *", self._id)
        ac.response_timeout_ms = int(self.timeout * 1000)
        ac.startup_disable_unsol = ac.startup_integrity = ac.startup_enable_unsol = 0
        ac.clear_restart = False
        ac.restart_reruns_startup = False
        ac.integrity_on_overflow = False
        ac.event_poll_on_iin = 0
        ac.time_sync = 0
        if lib.dnp3_assoc_config_check(ac, field) != 0:
            raise Dnp3Error(f"invalid association configuration: {string(field[0])}", "DNP3_ERR_CONFIG")
        self._a = lib.dnp3_master_add_assoc(self._m, ac, now)
        if self._a == ffi.NULL:
            raise Dnp3Error("the association could not be added", "DNP3_ERR_CONFIG")
        self._txcap = 8192
        self._txbuf = ffi.new("uint8_t[]", self._txcap)
        _MASTERS[self._id] = self

    # ---- connection ----

    @property
    def iin_names(self) -> list[str]:
        """The IIN bits of the last response by name, as ``dnp3 master poll --json`` prints them."""
        return [string(lib.dnp3_iin_bit_name(b)) for b in range(16) if self.iin & (1 << b)]

    @property
    def connected(self) -> bool:
        """True while the TCP (TLS) connection is up."""
        return self._transport is not None

    async def connect(self) -> None:
        """Connects to the outstation; raises dnp3.ConnectionError on failure."""
        if self._transport is not None:
            return
        self._loop = asyncio.get_running_loop()
        self._timer = Timer(self._loop, self._on_timer)
        try:
            if self.scheme == "udp":
                await self._loop.create_datagram_endpoint(lambda: _UdpProtocol(self),
                                                          remote_addr=(self.host, self.port))
                return
            await asyncio.wait_for(
                self._loop.create_connection(lambda: _Protocol(self), self.host, self.port, ssl=self.ssl,
                                             server_hostname=self.host if self.ssl else None),
                self.connect_timeout)
        except asyncio.TimeoutError:
            raise errors.ConnectionError(f"cannot connect to {self.host}:{self.port}: timed out",
                                         "DNP3_ERR_IO_TIMED_OUT") from None
        except OSError as e:
            raise errors.ConnectionError(f"cannot connect to {self.host}:{self.port}: {e.strerror or e}",
                                         "DNP3_ERR_IO_CONNECTION_REFUSED") from e

    async def close(self) -> None:
        """Closes the connection; requests still running fail with dnp3.ConnectionError."""
        t = self._transport
        if t is None:
            return
        self._disconnect()
        t.close()
        if self._closed_fut is not None and not self._closed_fut.done():
            try:
                await asyncio.wait_for(asyncio.shield(self._closed_fut), 1.0)
            except asyncio.TimeoutError:  # pragma: no cover
                t.abort()

    async def __aenter__(self) -> "Master":
        await self.connect()
        return self

    async def __aexit__(self, *exc) -> None:
        await self.close()

    def _on_connected(self, transport) -> None:
        self._transport = transport
        self._send = transport.sendto if self.scheme == "udp" else transport.write
        self._closed_fut = self._loop.create_future()
        now = now_ms()
        lib.dnp3_channel_reset(self._ch, now)
        errors.check(lib.dnp3_master_on_connect(self._m, now), "on_connect")
        self._service()

    def _on_lost(self, protocol, exc) -> None:
        if self._closed_fut is not None and not self._closed_fut.done():
            self._closed_fut.set_result(None)
        if self._transport is not None:
            self._disconnect()

    def _disconnect(self) -> None:
        self._transport = None
        if self._timer is not None:
            self._timer.cancel()
        lib.dnp3_master_on_disconnect(self._m, now_ms())  # running tasks end DISCONNECTED
        # queued requests would wait in the core for a connect that may never come: they fail
        # now (the core's later end of those tasks is ignored, as for a cancelled request)
        for req in self._requests.values():
            if not req.future.done():
                req.future.set_exception(errors.ConnectionError(
                    f"{req.kind}: the connection closed before the request was answered", "DISCONNECTED"))
        for q in self._watchers:
            q.put_nowait(errors.ConnectionError("the connection to the outstation closed", "DISCONNECTED"))

    # ---- the sans-I/O loop ----

    def _on_data(self, data: bytes) -> None:
        rc = lib.dnp3_channel_read(self._ch, data, len(data), now_ms())
        if rc == ERR_LINK_CLOSED:
            log.warning("framing error from %s:%s: closing the connection", self.host, self.port)
            t = self._transport
            self._disconnect()
            t.close()
            return
        self._service()

    def _on_timer(self) -> None:
        if self._transport is None:
            return
        now = now_ms()
        if lib.dnp3_channel_handle_expiry(self._ch, now) == ERR_LINK_CLOSED:
            t = self._transport
            self._disconnect()
            t.close()
            return
        self._drain()  # a full channel queue: drain before the master retries
        lib.dnp3_master_handle_expiry(self._m, now)
        self._service()

    def _service(self) -> None:
        """After every call into the core: send what is queued, re-arm the one timer."""
        if self._transport is None:
            return
        self._drain()
        e1 = lib.dnp3_channel_get_expiry(self._ch)
        e2 = lib.dnp3_master_get_expiry(self._m)
        self._timer.rearm(e1 if e1 < e2 else e2)

    def _drain(self) -> None:
        send = self._send
        while True:
            n = lib.dnp3_channel_write(self._ch, self._txbuf, self._txcap)
            if n > 0:
                send(ffi.buffer(self._txbuf, n)[:])  # one chunk = one write / one datagram
            elif n == ERR_BUFFER_TOO_SMALL:
                self._txcap = lib.dnp3_channel_pending(self._ch)
                self._txbuf = ffi.new("uint8_t[]", self._txcap)
            else:
                return

    # ---- requests ----

    def _current(self) -> Optional[_Request]:
        if self._unsolicited or not self._order:
            return None
        return self._requests.get(self._order[0])

    async def _submit(self, kind: str, start, index: Optional[int] = None):
        if self._transport is None:
            raise errors.ConnectionError("not connected (use `async with Master(...)` or await connect())",
                                         "DNP3_ERR_IO_NOT_CONNECTED")
        if self._sa_failure is not None:  # until session keys are set up again
            from . import sa
            if not sa.master_keys_ok(self._sa):
                raise errors.AuthError(f"{kind}: {self._sa_failure}", "AUTH_FAILED")
        rid = next(_ids)
        req = _Request(kind, self._loop.create_future(), index)
        rc = start(_cb_task, ffi.cast("void *", rid), now_ms())
        if rc < 0:
            errors.check(rc, kind)
        self._requests[rid] = req
        self._order.append(rid)
        self._service()
        # on cancellation the task stays queued in the core; its end is then simply ignored
        return await req.future

    def _on_sa_event(self, kind: str, user: int, error: int, function: int) -> None:
        """A failed session key exchange fails the waiting requests at once (as `dnp3 master`
        does), instead of leaving them to the task start timeout."""
        from . import sa
        if kind == "KEYS_CHANGED":
            self._sa_failure = None
            return
        fatal = kind == "KEY_CHANGE_FAILED" or (kind == "ERROR_RECEIVED" and function == 0
                                                and not sa.master_keys_ok(self._sa))
        if not fatal:
            return
        why = string(lib.dnp3_sa_error_name(error)) if error else "the session key change was not confirmed"
        self._sa_failure = f"Secure Authentication failed for user {user}: {why} (wrong update key?)"
        for req in self._requests.values():
            if not req.future.done():
                req.future.set_exception(errors.AuthError(f"{req.kind}: {self._sa_failure}", "AUTH_FAILED"))

    def _on_task_done(self, rid: int, info) -> None:
        req = self._requests.pop(rid, None)
        try:
            self._order.remove(rid)
        except ValueError:
            pass
        if req is None or req.future.done():
            return
        result = info.result
        if req.error is not None:
            err = CallbackError(f"{req.kind}: a Python callback raised {req.error!r}", "CALLBACK")
            err.__cause__ = req.error
            req.future.set_exception(err)
        elif result == _SUCCESS:
            if req.kind == "restart":
                req.future.set_result(info.restart_delay_ms / 1000.0)
            elif req.kind == "command":
                req.future.set_result("SUCCESS")
            else:
                req.future.set_result(req.points)
        elif result == _COMMAND_STATUS:
            statuses = [info.statuses[i] for i in range(info.n_statuses)]
            bad = next((s for s in statuses if s != 0), statuses[0] if statuses else 127)
            req.future.set_exception(CommandError(status_name(bad), req.index))
        else:
            name = string(lib.dnp3_task_result_name(result))
            text = string(lib.dnp3_task_result_str(result))
            fc = string(lib.dnp3_fc_name(info.function)) if info.function else req.kind
            msg = f"{req.kind} failed: {text}"
            if result == _TIMEOUT:
                exc: Dnp3Error = errors.TimeoutError(
                    f"timeout after {int(self.timeout * 1000)} ms waiting for the outstation's response ({fc})",
                    name)
            elif result == _DISCONNECTED:
                exc = errors.ConnectionError("the connection closed before the outstation answered", name)
            elif result == _AUTH_FAILED:
                exc = errors.AuthError(msg, name)
            elif result == _START_TIMEOUT:
                exc = errors.TimeoutError(msg, name)
            else:
                if info.have_iin and info.iin & 0xFF00:
                    bits = [string(lib.dnp3_iin_bit_name(b)) for b in range(8, 16) if info.iin & (1 << b)]
                    msg += " (IIN2 " + " ".join(bits) + ")"
                exc = TaskError(msg, name)
            req.future.set_exception(exc)

    # ---- the API ----

    async def poll(self, classes: Union[str, int] = "0123") -> list[Point]:
        """READ of class data: ``"0123"`` (default) is an integrity poll, ``"123"`` an event poll.

        Returns the points of the response in the order received. Events the outstation asked
        to have confirmed are confirmed by the core.
        """
        mask = _classes_mask(classes)
        return await self._submit("poll", lambda cb, ctx, now: lib.dnp3_master_read_class(self._a, mask, cb, ctx, now))

    async def operate_crob(self, index: int, code: Union[str, int] = "latch_on", *, mode: str = "sbo",
                           count: int = 1, on_ms: int = 100, off_ms: int = 100) -> str:
        """Sends one CROB (g12v1): code ``trip``, ``close``, ``latch_on``, ``latch_off``,
        ``pulse_on``, ``pulse_off`` (hyphens accepted) or the control-code octet.

        ``mode`` is ``"sbo"`` (select-before-operate, default), ``"direct"`` or
        ``"direct_noack"``. Returns ``"SUCCESS"``; raises dnp3.CommandError for any other status.
        """
        cmd = ffi.new("dnp3_command *")
        cmd.group, cmd.variation, cmd.index = 12, 1, index
        cmd.crob.code = crob_code(code)
        cmd.crob.count, cmd.crob.on_ms, cmd.crob.off_ms = count, on_ms, off_ms
        return await self._operate(cmd, mode, index)

    async def operate_analog(self, index: int, value: float, *, mode: str = "sbo",
                             variation: Optional[int] = None) -> str:
        """Sends one analog output block (g41v1..v4; by default v1 for whole numbers, v3
        otherwise). Returns ``"SUCCESS"``; raises dnp3.CommandError for any other status."""
        if variation is None:
            variation = 1 if float(value).is_integer() and abs(value) < 2 ** 31 else 3
        cmd = ffi.new("dnp3_command *")
        cmd.group, cmd.variation, cmd.index, cmd.value = 41, variation, index, value
        return await self._operate(cmd, mode, index)

    async def _operate(self, cmd, mode: str, index: int) -> str:
        try:
            m = _MODES[mode.lower()]
        except KeyError:
            raise ValueError(f"mode must be sbo, direct or direct_noack, not {mode!r}") from None
        return await self._submit(
            "command", lambda cb, ctx, now: lib.dnp3_master_operate(self._a, m, 0, cmd, 1, cb, ctx, now), index)

    async def timesync(self, *, lan: bool = False) -> None:
        """Synchronises the outstation's clock: non-LAN procedure (DELAY_MEASURE, WRITE g50v1)
        or, with ``lan=True``, RECORD_CURRENT_TIME then WRITE g50v3."""
        mode = 1 if lan else 2
        await self._submit("timesync", lambda cb, ctx, now: lib.dnp3_master_time_sync(self._a, mode, cb, ctx, now))

    async def restart(self, *, warm: bool = False) -> float:
        """COLD_RESTART (or WARM_RESTART); returns the delay the outstation announces, in seconds."""
        return await self._submit("restart", lambda cb, ctx, now: lib.dnp3_master_restart(self._a, warm, cb, ctx, now))

    async def set_unsolicited(self, enable: bool, classes: str = "123") -> None:
        """ENABLE_UNSOLICITED / DISABLE_UNSOLICITED for classes 1..3."""
        mask = _classes_mask(classes) & 0x0E
        await self._submit("unsolicited",
                           lambda cb, ctx, now: lib.dnp3_master_set_unsolicited(self._a, enable, mask, cb, ctx, now))

    async def _reconnect(self, retry_max: float) -> None:
        delay = 0.5
        while self._transport is None:
            log.info("reconnecting to %s:%s in %.1f s", self.host, self.port, delay)
            await asyncio.sleep(delay)
            try:
                await self.connect()
            except errors.ConnectionError as e:
                log.info("%s", e)
                delay = min(delay * 2, retry_max)

    async def watch(self, *, integrity_period: Optional[float] = None, event_period: Optional[float] = None,
                    startup: bool = True, reconnect: bool = False,
                    retry_max: float = 30.0) -> AsyncIterator[Point]:
        """Yields every point as it arrives: the start-up sequence (DISABLE_UNSOLICITED,
        integrity poll, ENABLE_UNSOLICITED), periodic polls when asked (seconds) and
        unsolicited data, until the consumer stops iterating. When the connection closes it
        raises dnp3.ConnectionError, or with ``reconnect=True`` connects again (back-off from
        0.5 s doubling up to ``retry_max``) and runs the start-up sequence again."""
        q: asyncio.Queue = asyncio.Queue()
        self._watchers.append(q)
        tasks: list[asyncio.Task] = []

        async def periodic(period: float, classes: str):
            while True:
                await asyncio.sleep(period)
                try:
                    await self.poll(classes)
                except Dnp3Error as e:
                    log.warning("periodic poll %s failed: %s", classes, e)

        async def start():
            try:
                await self.set_unsolicited(False)
                await self.poll("0123")
                await self.set_unsolicited(True)
            except Dnp3Error as e:
                log.warning("start-up sequence failed: %s", e)

        try:
            if startup:
                tasks.append(asyncio.create_task(start()))
            if integrity_period:
                tasks.append(asyncio.create_task(periodic(integrity_period, "0123")))
            if event_period:
                tasks.append(asyncio.create_task(periodic(event_period, "123")))
            while True:
                item = await q.get()
                if isinstance(item, BaseException):
                    if not reconnect:
                        raise item
                    await self._reconnect(retry_max)
                    if startup:
                        tasks.append(asyncio.create_task(start()))
                    continue
                yield item
        finally:
            for t in tasks:
                t.cancel()
            self._watchers.remove(q)
