"""Secure Authentication v5: the Python master and outstation with the core's SA objects,
against the dnp3 command (--sa-user / --sa-update-key-file) and each other."""
import asyncio

import pytest

import dnp3
from conftest import start_cli_outstation

KEY1 = "000102030405060708090a0b0c0d0e0f"
KEY2 = "f0e0d0c0b0a090807060504030201000f0e0d0c0b0a090807060504030201000"
WRONG = "ffffffffffffffffffffffffffffffff"


@pytest.fixture
def keys(tmp_path):
    (tmp_path / "user1.key").write_text(KEY1 + "\n")
    (tmp_path / "user2.key").write_text(KEY2 + "\n")
    return tmp_path


def test_python_master_to_dnp3_outstation_with_sa(keys, dnp3_cli):
    p, port = start_cli_outstation(dnp3_cli, "--listen", "127.0.0.1:0", "--sa-user", "1", "--sa-update-key-file",
                                   str(keys / "user1.key"), "--sa-user", "2", "--sa-update-key-file",
                                   str(keys / "user2.key"))
    try:
        async def main():
            async with dnp3.Master(f"127.0.0.1:{port}", sa_user=2, sa_key=bytes.fromhex(KEY2)) as m:
                assert len(await m.poll()) == 25
                assert await m.operate_crob(0, "trip") == "SUCCESS"  # critical: challenged, answered
                assert ("KEYS_CHANGED", 2, 0) in m.sa_events
            # without SA the operate is refused; with a wrong key too
            async with dnp3.Master(f"127.0.0.1:{port}", timeout=2) as m:
                with pytest.raises(dnp3.TaskError):
                    await m.operate_crob(0, "close")
            async with dnp3.Master(f"127.0.0.1:{port}", sa_user=1, sa_key=WRONG, timeout=2) as m:
                with pytest.raises(dnp3.AuthError) as info:
                    await m.operate_crob(0, "close")
                assert info.value.name == "AUTH_FAILED" and "AUTHENTICATION_FAILED" in str(info.value)
        asyncio.run(main())
    finally:
        p.terminate()
        p.wait(5)
        p.stdout.close()


def test_dnp3_master_and_python_master_to_python_outstation_with_sa(keys, dnp3_cli):
    async def main():
        o = dnp3.Outstation("127.0.0.1:0", points={"binary_output_status": 2}, sa_users={1: KEY1})
        o.on_crob = lambda index, code: "SUCCESS"
        async with o:
            proc = await asyncio.create_subprocess_exec(
                dnp3_cli, "master", "operate", f"127.0.0.1:{o.port}", "--crob", "1", "--code", "latch-on",
                "--sa-user", "1", "--sa-update-key-file", str(keys / "user1.key"),
                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
            out, err = await asyncio.wait_for(proc.communicate(), 15)
            assert proc.returncode == 0, err
            assert "SUCCESS" in out.decode()
            async with dnp3.Master(f"127.0.0.1:{o.port}", sa_user=1, sa_key=KEY1) as m:
                assert await m.operate_crob(0, "latch_on", mode="direct") == "SUCCESS"
            assert o.get("binary_output_status", 0)[0] == 1.0 and o.get("binary_output_status", 1)[0] == 1.0
            assert any(kind == "AUTHENTICATED" for kind, _, _ in o.sa_events)
            async with dnp3.Master(f"127.0.0.1:{o.port}", sa_user=1, sa_key=WRONG, timeout=2) as m:
                with pytest.raises(dnp3.AuthError):
                    await m.operate_crob(0, "latch_off", mode="direct")
            assert o.get("binary_output_status", 0)[0] == 1.0  # not executed
    asyncio.run(main())


def test_bad_keys_are_refused():
    with pytest.raises(ValueError):
        dnp3.Master("127.0.0.1:1", sa_user=1, sa_key=b"short")
    with pytest.raises(ValueError):
        dnp3.Outstation("127.0.0.1:0", points={"binary_input": 1}, sa_users={1: "abcd"})
