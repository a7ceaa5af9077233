"""A Python master against a Python outstation in one event loop."""
import asyncio
import datetime
import os
import random

import pytest

import dnp3
import dnp3.master

POINTS = {"binary_input": 4, "binary_output_status": 2, "analog_input": 8, "analog_output_status": 2,
          "counter": 2}


def run(coro):
    return asyncio.run(coro)


async def pair(**master_args):
    o = dnp3.Outstation(listen="127.0.0.1:0", points=POINTS)
    await o.start()
    m = dnp3.Master(f"127.0.0.1:{o.port}", **master_args)
    await m.connect()
    return o, m


async def unpair(o, m):
    await m.close()
    await o.stop()


def test_poll_controls_timesync_events():
    async def main():
        o, m = await pair()
        try:
            o.on_crob = lambda index, code: "SUCCESS"
            o.on_analog = lambda index, value: None if value <= 100 else dnp3.CommandStatus.OUT_OF_RANGE
            pts = await m.poll()
            assert len(pts) == sum(POINTS.values())
            assert all(not p.event and p.time is None for p in pts)
            assert await m.operate_crob(1, "close") == "SUCCESS"
            assert await m.operate_analog(0, 12.5, mode="direct") == "SUCCESS"
            with pytest.raises(dnp3.CommandError) as info:
                await m.operate_analog(1, 1000.0)
            assert info.value.status == "OUT_OF_RANGE"
            o.update("analog_input", 7, 3.25)
            o.update("binary_input", 2, True)
            o.update("counter", 0, 5, mode="suppress")  # no event
            events = await m.poll("123")
            got = {(p.type, p.index, p.value) for p in events}
            assert got == {("binary_output_status", 1, True), ("analog_output_status", 0, 12.5),
                           ("analog_input", 7, 3.25), ("binary_input", 2, True)}
            assert all(p.event and isinstance(p.time, datetime.datetime) for p in events if p.type.startswith("analog"))
            assert await m.poll("123") == []
            # time sync moves the outstation's clock to the master's (the same here)
            await m.timesync()
            assert abs(o.clock_offset_ms) < 1000
            await m.timesync(lan=True)
            assert abs(o.clock_offset_ms) < 1000
            static = {(p.type, p.index): p.value for p in await m.poll("0")}
            assert static["counter", 0] == 5 and static["analog_input", 7] == 3.25
        finally:
            await unpair(o, m)
    run(main())


def test_async_handler_is_accepted_and_run():
    async def main():
        o, m = await pair()
        done = asyncio.Event()

        async def on_crob(index, code):
            await asyncio.sleep(0.01)
            done.set()

        o.on_crob = on_crob
        try:
            assert await m.operate_crob(0, "latch_on", mode="direct") == "SUCCESS"
            await asyncio.wait_for(done.wait(), 2)
        finally:
            await unpair(o, m)
    run(main())


def test_watch_startup_and_unsolicited():
    async def main():
        o, m = await pair()
        try:
            seen = []
            async for p in m.watch():
                seen.append(p)
                if len(seen) == sum(POINTS.values()):  # the start-up integrity poll
                    await asyncio.sleep(0.1)  # ENABLE_UNSOLICITED done
                    o.update("analog_input", 4, 77.0)
                if p.unsolicited:
                    assert (p.type, p.index, p.value, p.event) == ("analog_input", 4, 77.0, True)
                    break
            assert not any(p.unsolicited for p in seen[:-1])
            # the master is still usable after the watch ended
            assert len(await m.poll()) == sum(POINTS.values())
        finally:
            await unpair(o, m)
    run(main())


def test_exception_in_outstation_handler_is_a_clean_error():
    async def main():
        o, m = await pair()

        def broken(index, code):
            raise RuntimeError("handler bug")

        o.on_crob = broken
        o.on_analog = lambda index, value: "NO SUCH STATUS"  # a bad return value is an exception too
        try:
            with pytest.raises(dnp3.CommandError) as info:
                await m.operate_crob(0, "trip")
            assert info.value.status == "HARDWARE_ERROR"
            with pytest.raises(dnp3.CommandError):
                await m.operate_analog(0, 1.0, mode="direct")
            assert [type(e) for e in o.errors] == [RuntimeError, KeyError]
            o.on_crob = lambda index, code: "SUCCESS"
            assert await m.operate_crob(0, "trip") == "SUCCESS"
            assert len(await m.poll("0")) == sum(POINTS.values())
        finally:
            await unpair(o, m)
    run(main())


def test_exception_in_master_callback_fails_only_that_request(monkeypatch):
    async def main():
        o, m = await pair()
        try:
            real = dnp3.master.Point

            def exploding(*args):
                if args[0] == "analog_input" and args[1] == 3:
                    raise ValueError("conversion bug")
                return real(*args)

            monkeypatch.setattr(dnp3.master, "Point", exploding)
            with pytest.raises(dnp3.CallbackError) as info:
                await m.poll()
            assert isinstance(info.value.__cause__, ValueError)
            monkeypatch.setattr(dnp3.master, "Point", real)
            assert len(await m.poll()) == sum(POINTS.values())
        finally:
            await unpair(o, m)
    run(main())


def test_cancelled_polls_leave_the_master_usable():
    async def main():
        o, m = await pair()
        try:
            rnd = random.Random(7)
            for i in range(40):
                task = asyncio.create_task(m.poll())
                for _ in range(rnd.randrange(0, 4)):
                    await asyncio.sleep(0)
                task.cancel()
                try:
                    await task
                except asyncio.CancelledError:
                    pass
            o.update("analog_input", 0, 1.5)
            pts = await asyncio.wait_for(m.poll(), 5)
            assert len(pts) == sum(POINTS.values()) + 1  # the event and the static values, once
            assert await m.poll("123") == []
            # cancelled by a timeout in the middle of a poll to a silent peer, then usable again
            await o.stop()
        finally:
            await unpair(o, m)
    run(main())


def test_cancel_with_asyncio_timeout_then_poll_again():
    async def main():
        o, m = await pair(timeout=0.5)
        try:
            # pause the outstation: its reads are swallowed until resumed
            real = o._on_data
            held = []
            o._on_data = lambda p, data: held.append((p, data))
            with pytest.raises(asyncio.TimeoutError):
                await asyncio.wait_for(m.poll(), 0.1)
            o._on_data = real
            for p, data in held:
                real(p, data)  # the late response to the cancelled poll is dropped by the master
            assert len(await m.poll()) == sum(POINTS.values())
        finally:
            await unpair(o, m)
    run(main())


def _fds():
    return len(os.listdir("/proc/self/fd"))


def _rss_kb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def test_no_fd_or_memory_growth_over_10000_polls():
    async def main():
        o, m = await pair()
        try:
            n = sum(POINTS.values())
            for _ in range(500):  # warm up: caches, allocator pools
                await m.poll()
            fds, rss = _fds(), _rss_kb()
            for i in range(10000):
                if i % 1000 == 0:
                    o.update("analog_input", 0, float(i))
                pts = await m.poll()
                assert len(pts) in (n, n + 1)
            return fds, rss, _fds(), _rss_kb()
        finally:
            await unpair(o, m)

    fds0, rss0, fds1, rss1 = run(main())
    assert fds1 == fds0
    assert rss1 - rss0 < 4096, f"RSS grew by {rss1 - rss0} kB over 10,000 polls"


def test_connections_do_not_leak_fds():
    async def main():
        o = dnp3.Outstation(listen="127.0.0.1:0", points=POINTS)
        async with o:
            before = _fds()
            for _ in range(50):
                async with dnp3.Master(f"127.0.0.1:{o.port}") as m:
                    await m.poll()
            await asyncio.sleep(0.05)
            return before, _fds()
    before, after = run(main())
    assert after == before


def test_closed_masters_and_outstations_are_freed():
    import gc
    import weakref

    async def main():
        refs = []
        for _ in range(20):
            o, m = await pair()
            await m.poll()
            await unpair(o, m)
            refs += [weakref.ref(o), weakref.ref(m)]
            del o, m
        return refs

    refs = run(main())
    gc.collect()
    assert [r for r in refs if r() is not None] == []


def test_close_fails_queued_requests_at_once():
    async def main():
        writers = []
        silent = await asyncio.start_server(lambda r, w: writers.append(w), "127.0.0.1", 0)
        m = dnp3.Master(f"127.0.0.1:{silent.sockets[0].getsockname()[1]}", timeout=30)
        await m.connect()
        tasks = [asyncio.create_task(m.poll()) for _ in range(3)]
        await asyncio.sleep(0.05)
        await m.close()
        results = await asyncio.wait_for(asyncio.gather(*tasks, return_exceptions=True), 2)
        assert all(isinstance(r, dnp3.ConnectionError) for r in results), results
        for w in writers:
            w.close()
        silent.close()
        await silent.wait_closed()
    run(main())


def test_reconnect_after_close():
    async def main():
        o, m = await pair()
        try:
            await m.poll()
            await m.close()
            await m.connect()
            assert len(await m.poll()) == sum(POINTS.values())
        finally:
            await unpair(o, m)
    run(main())


def test_watch_reconnects_after_the_outstation_restarts():
    async def main():
        o = dnp3.Outstation(listen="127.0.0.1:0", points=POINTS)
        await o.start()
        port = o.port
        m = dnp3.Master(f"127.0.0.1:{port}")
        await m.connect()
        try:
            integrity = 0
            async for p in m.watch(reconnect=True):
                if not p.event and p.type == "counter" and p.index == 1:  # last static point
                    integrity += 1
                    if integrity == 1:  # the outstation goes away and comes back on the same port
                        await o.stop()
                        o = dnp3.Outstation(listen=f"127.0.0.1:{port}", points=POINTS)
                        await o.start()
                    else:
                        await asyncio.sleep(0.1)  # ENABLE_UNSOLICITED
                        o.update("analog_input", 2, 5.5)
                if p.unsolicited and p.type == "analog_input":
                    assert (p.index, p.value) == (2, 5.5)
                    break
            assert integrity == 2
        finally:
            await m.close()
            await o.stop()
    run(asyncio.wait_for(main(), 20))


def test_updates_inside_a_handler_are_sent_after_the_core_call():
    async def main():
        o, m = await pair()
        sent_inside = []

        def on_crob(index, code):
            real = o._active.transport.write
            o._active.transport.write = lambda data: sent_inside.append(data)
            try:
                o.update("binary_input", index, code == "close")
            finally:
                o._active.transport.write = real

        o.on_crob = on_crob
        o.on_analog = lambda index, value: 300  # not a status: HARDWARE_ERROR
        try:
            assert await m.operate_crob(3, "close", mode="direct") == "SUCCESS"
            assert sent_inside == []  # nothing written while the core was inside its read
            assert ("binary_input", 3, True) in {(p.type, p.index, p.value) for p in await m.poll("1")}
            with pytest.raises(dnp3.CommandError) as info:
                await m.operate_analog(0, 1.0, mode="direct")
            assert info.value.status == "HARDWARE_ERROR"
        finally:
            await unpair(o, m)
    run(main())
