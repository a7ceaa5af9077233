"""The Python master against the real `dnp3 outstation` (built-in substation profile)."""
import asyncio
import datetime
import json
import subprocess

import pytest

import dnp3


def run(coro):
    return asyncio.run(coro)


def by_key(points):
    return {(p.type, p.index): p for p in points}


def test_integrity_poll_equals_the_cli_json(cli_outstation, dnp3_cli):
    points = dnp3.poll(f"127.0.0.1:{cli_outstation}")
    out = subprocess.run([dnp3_cli, "master", "poll", f"127.0.0.1:{cli_outstation}", "--json"], check=True,
                         capture_output=True, text=True).stdout
    cli = json.loads(out)["points"]
    assert len(points) == len(cli) == 25
    for p, c in zip(points, cli):
        assert (p.type, p.index, p.flags) == (c["type"], c["index"], c["flags"])
        value = p.value.decode() if isinstance(p.value, bytes) else p.value
        assert value == c["value"], (p, c)
        assert p.time is None and c["time"] is None
    pts = by_key(points)
    assert pts["analog_input", 0].value == 138.2
    assert pts["double_bit_input", 0].value == 2
    assert pts["octet_string", 0].value == b"SUBSTATION 7 NORTH"


def test_sbo_crob_analog_timesync_and_events(cli_outstation):
    async def main():
        async with dnp3.Master(f"tcp://127.0.0.1:{cli_outstation}", link_addr=10, master_addr=1) as m:
            await m.poll()
            assert m.iin & 0x80  # DEVICE_RESTART
            assert await m.operate_crob(0, "trip") == "SUCCESS"
            events = await m.poll(classes="1")
            ev = by_key(events)
            assert ev["binary_input", 0].value is False and ev["binary_input", 0].event
            assert ev["double_bit_input", 0].value == 1
            t = ev["binary_input", 0].time
            assert t.tzinfo is not None
            assert abs((datetime.datetime.now(datetime.timezone.utc) - t).total_seconds()) < 60
            assert await m.poll(classes="1") == []  # confirmed: not reported twice

            with pytest.raises(dnp3.CommandError) as info:
                await m.operate_crob(9, "latch_on")
            assert info.value.status == "NOT_SUPPORTED"
            with pytest.raises(dnp3.CommandError) as info:
                await m.operate_analog(0, 150, mode="direct")
            assert info.value.status == "OUT_OF_RANGE"
            assert await m.operate_analog(0, 139.5) == "SUCCESS"
            static = by_key(await m.poll("0"))
            assert static["analog_output_status", 0].value == 139.5
            await m.timesync()
            await m.timesync(lan=True)
            assert await m.restart() >= 0
            assert await m.operate_crob(0, "close", mode="direct") == "SUCCESS"
    run(main())


def test_sync_operate_helper(cli_outstation):
    assert dnp3.operate(f"127.0.0.1:{cli_outstation}", crob=0, code="trip") == "SUCCESS"
    with pytest.raises(dnp3.CommandError):
        dnp3.operate(f"127.0.0.1:{cli_outstation}", analog=0, value=150.0)


def test_connection_refused_and_timeout():
    async def main():
        # a port nobody listens on: take a free one and close it
        srv = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
        port = srv.sockets[0].getsockname()[1]
        srv.close()
        await srv.wait_closed()
        with pytest.raises(dnp3.ConnectionError):
            async with dnp3.Master(f"127.0.0.1:{port}"):
                pass

        # a server that accepts and never answers: the core's response timeout
        writers = []
        silent = await asyncio.start_server(lambda r, w: writers.append(w), "127.0.0.1", 0)
        port = silent.sockets[0].getsockname()[1]
        async with dnp3.Master(f"127.0.0.1:{port}", timeout=0.3) as m:
            with pytest.raises(dnp3.TimeoutError) as info:
                await m.poll()
            assert info.value.name == "TIMEOUT" and "READ" in str(info.value)
        for w in writers:
            w.close()
        silent.close()
        await silent.wait_closed()
    run(main())


def test_multi_fragment_integrity_poll_equals_the_cli_json(dnp3_cli):
    from conftest import start_cli_outstation
    p, port = start_cli_outstation(dnp3_cli, "--listen", "127.0.0.1:0", "--points", "1000")
    try:
        async def main():
            async with dnp3.Master(f"127.0.0.1:{port}") as m:
                pts = await m.poll()
                return pts, m.iin_names
        points, iin = asyncio.run(main())
        out = subprocess.run([dnp3_cli, "master", "poll", f"127.0.0.1:{port}", "--json"], check=True,
                             capture_output=True, text=True).stdout
        doc = json.loads(out)
        assert iin == doc["iin"]
        assert len(points) == len(doc["points"]) == 9000
        mine = [(q.type, q.index, q.value.decode() if isinstance(q.value, bytes) else q.value, q.flags)
                for q in points]
        theirs = [(c["type"], c["index"], c["value"], c["flags"]) for c in doc["points"]]
        assert mine == theirs
    finally:
        p.terminate()
        p.wait(5)
        p.stdout.close()
