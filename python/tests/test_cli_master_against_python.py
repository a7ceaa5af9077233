"""The real `dnp3 master` (poll, operate, watch) against a Python outstation."""
import asyncio
import json

import dnp3

POINTS = {"binary_input": 4, "double_bit_input": 2, "binary_output_status": 4, "counter": 2,
          "analog_input": 8, "analog_output_status": 2, "octet_string": 1}


async def cli(dnp3_cli, *args, timeout=10):
    p = await asyncio.create_subprocess_exec(dnp3_cli, "master", *args, stdout=asyncio.subprocess.PIPE,
                                             stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(p.communicate(), timeout)
    return p.returncode, out.decode(), err.decode()


def outstation():
    o = dnp3.Outstation(listen="127.0.0.1:0", points=POINTS, link_addr=10, master_addr=1)
    o.update("analog_input", 0, 138.2)
    o.update("binary_input", 1, True)
    o.update("double_bit_input", 0, 2)
    o.update("counter", 1, 4711)
    o.update("octet_string", 0, "RTU 1")
    return o


def test_polls_controls_and_events(dnp3_cli):
    async def main():
        o = outstation()
        seen = []

        def on_crob(index, code):
            seen.append((index, code))
            return "SUCCESS" if index < 4 else "NOT_SUPPORTED"

        o.on_crob = on_crob
        o.on_analog = lambda index, value: "OUT_OF_RANGE" if value > 100 else None
        async with o:
            target = f"127.0.0.1:{o.port}"
            rc, out, err = await cli(dnp3_cli, "poll", target, "--json")
            assert rc == 0, err
            doc = json.loads(out)
            pts = {(p["type"], p["index"]): p for p in doc["points"]}
            assert "DEVICE_RESTART" in doc["iin"]
            # the updates made before serving are events (class 1) and static values
            ai = [p for p in doc["points"] if p["type"] == "analog_input" and p["index"] == 0]
            assert [p["value"] for p in ai] == [138.2, 138.2] and ai[0]["time"] is not None
            assert pts["binary_input", 1]["value"] == 1
            assert pts["double_bit_input", 0]["value"] == 2
            assert pts["counter", 1]["value"] == 4711
            assert pts["octet_string", 0]["value"] == "RTU 1"
            assert len(pts) == sum(POINTS.values())  # every static point (and 5 events)
            assert len(doc["points"]) == sum(POINTS.values()) + 5

            rc, out, err = await cli(dnp3_cli, "operate", target, "--crob", "2", "--code", "trip")
            assert rc == 0 and "SUCCESS" in out, (out, err)
            assert seen == [(2, "trip")]  # called once: for the OPERATE, not the SELECT
            rc, out, err = await cli(dnp3_cli, "operate", target, "--crob", "5", "--code", "latch-on")
            assert rc == 1 and "NOT_SUPPORTED" in err
            rc, out, err = await cli(dnp3_cli, "operate", target, "--analog", "1", "--value", "150")
            assert rc == 1 and "OUT_OF_RANGE" in err
            rc, out, err = await cli(dnp3_cli, "operate", target, "--analog", "1", "--value", "42.5",
                                     "--mode", "direct")
            assert rc == 0, err

            o.update("analog_input", 3, -7.25)
            rc, out, err = await cli(dnp3_cli, "poll", target, "--class", "1", "--json")
            events = json.loads(out)["points"]
            assert {"type": "analog_input", "index": 3, "value": -7.25} in [
                {k: e[k] for k in ("type", "index", "value")} for e in events]
            # the echo of the outputs: binary output 2 off, analog output 1 = 42.5
            assert {(e["type"], e["index"], e["value"]) for e in events} >= {
                ("binary_output_status", 2, 0), ("analog_output_status", 1, 42.5)}
            rc, out, err = await cli(dnp3_cli, "poll", target, "--class", "1", "--json")
            assert json.loads(out)["points"] == []
            rc, out, err = await cli(dnp3_cli, "timesync", target)
            assert rc == 0, err
    asyncio.run(main())


def test_unsolicited_to_dnp3_master_watch(dnp3_cli):
    async def main():
        o = outstation()
        async with o:
            p = await asyncio.create_subprocess_exec(dnp3_cli, "master", "watch", f"127.0.0.1:{o.port}", "--json",
                                                     stdout=asyncio.subprocess.PIPE,
                                                     stderr=asyncio.subprocess.STDOUT)
            try:
                async def lines():
                    while True:
                        line = await asyncio.wait_for(p.stdout.readline(), 10)
                        assert line, "dnp3 master watch ended"
                        if line.startswith(b"{"):
                            yield json.loads(line)
                # start-up: integrity poll, then ENABLE_UNSOLICITED; changes are reported unsolicited
                async def changes():
                    value = 99.5
                    while True:
                        o.update("analog_input", 5, value)
                        value += 1
                        await asyncio.sleep(0.2)
                task = asyncio.create_task(changes())
                try:
                    async for d in lines():
                        if d["type"] == "analog_input" and d["index"] == 5 and d["unsolicited"]:
                            assert d["value"] >= 99.5 and d["event"] and d["time"] is not None
                            break
                finally:
                    task.cancel()
            finally:
                p.terminate()
                await p.wait()
    asyncio.run(main())
