"""DNP3 over UDP: the Python master and outstation against the dnp3 command and each other."""
import asyncio
import json

import dnp3
from conftest import start_cli_outstation


def test_python_master_to_dnp3_outstation_over_udp(dnp3_cli):
    p, port = start_cli_outstation(dnp3_cli, "--udp", "127.0.0.1:0")
    try:
        async def main():
            async with dnp3.Master(f"udp://127.0.0.1:{port}") as m:
                pts = await m.poll()
                assert len(pts) == 25
                assert await m.operate_crob(0, "trip") == "SUCCESS"
                assert any(p.event for p in await m.poll("1"))
        asyncio.run(main())
    finally:
        p.terminate()
        p.wait(5)
        p.stdout.close()


def test_dnp3_master_and_python_master_to_python_outstation_over_udp(dnp3_cli):
    async def main():
        o = dnp3.Outstation("udp://127.0.0.1:0", points={"analog_input": 2, "binary_output_status": 1})
        o.update("analog_input", 1, 4.5)
        o.on_crob = lambda index, code: None
        async with o:
            proc = await asyncio.create_subprocess_exec(dnp3_cli, "master", "poll", f"udp://127.0.0.1:{o.port}",
                                                        "--json", stdout=asyncio.subprocess.PIPE,
                                                        stderr=asyncio.subprocess.PIPE)
            out, err = await asyncio.wait_for(proc.communicate(), 10)
            assert proc.returncode == 0, err
            assert {"type": "analog_input", "index": 1, "value": 4.5, "flags": 1, "time": None} in \
                json.loads(out)["points"]
            async with dnp3.Master(f"udp://127.0.0.1:{o.port}") as m:
                assert [p.value for p in await m.poll("0") if p.type == "analog_input"] == [0.0, 4.5]
                assert await m.operate_crob(0, "latch_on") == "SUCCESS"
                for _ in range(200):
                    assert len(await m.poll("0")) == 3
    asyncio.run(main())
