"""Version, names, errors and argument parsing (no network)."""
import os

import pytest

import dnp3
from dnp3.master import parse_target
from dnp3.model import crob_code, crob_code_name


def test_version_is_the_library_version():
    v = dnp3.version()
    assert v.count(".") == 2 and all(part.isdigit() for part in v.split("."))


def test_errors_are_a_hierarchy_with_library_names():
    assert issubclass(dnp3.TimeoutError, dnp3.Dnp3Error) and issubclass(dnp3.TimeoutError, TimeoutError)
    assert issubclass(dnp3.ConnectionError, ConnectionError)
    e = dnp3.CommandError("NOT_SUPPORTED", 3)
    assert e.status == e.name == "NOT_SUPPORTED" and "index 3" in str(e)
    assert isinstance(e, dnp3.TaskError)
    with pytest.raises(dnp3.Dnp3Error) as info:
        dnp3.errors.check(-10001, "x")
    assert info.value.name == "DNP3_ERR_INVALID_ARG" and info.value.code == -10001


def test_targets():
    assert parse_target("10.0.0.1") == ("tcp", "10.0.0.1", 20000)
    assert parse_target("tcp://h:1234") == ("tcp", "h", 1234)
    assert parse_target("tls://h") == ("tls", "h", 19999)
    assert parse_target("[::1]:5") == ("tcp", "::1", 5)
    with pytest.raises(ValueError):
        parse_target("serial://h:1")
    assert parse_target("udp://h:7") == ("udp", "h", 7)


def test_crob_codes():
    assert crob_code("trip") == 0x81 and crob_code("latch-on") == crob_code("LATCH_ON") == 3
    assert crob_code_name(0x81) == "trip" and crob_code_name(0x04) == "latch_off"
    with pytest.raises(ValueError):
        crob_code("explode")


def test_outstation_configuration_errors():
    with pytest.raises(ValueError):
        dnp3.Outstation("127.0.0.1:0", points={"no_such_type": 3})
    os_ = dnp3.Outstation("127.0.0.1:0", points={"analog_input": 2})
    with pytest.raises(dnp3.Dnp3Error) as info:
        os_.update("analog_input", 5, 1.0)
    assert info.value.name == "DNP3_ERR_INVALID_ARG"
    assert os_.update("analog_input", 1, 7.5) is True
    assert os_.get("analog_input", 1)[0] == 7.5
    assert os_.event_count("analog_input") == 1


def test_request_without_connection():
    async def run():
        m = dnp3.Master("127.0.0.1:1")
        with pytest.raises(dnp3.ConnectionError):
            await m.poll()
    import asyncio
    asyncio.run(run())


def _import_in_subprocess(env_library, pkg_parent):
    import subprocess
    import sys
    env = dict(os.environ, PYTHONPATH=pkg_parent)
    env.pop("DNP3_LIBRARY", None)
    if env_library:
        env["DNP3_LIBRARY"] = env_library
    return subprocess.run([sys.executable, "-c", "import dnp3; print(dnp3.LIBRARY_PATH)"], env=env,
                          capture_output=True, text=True, cwd="/")


def test_library_lookup(tmp_path):
    import shutil
    real = os.environ["DNP3_LIBRARY"]
    r = _import_in_subprocess(str(tmp_path / "nope.so.1"), os.path.dirname(os.path.dirname(dnp3.__file__)))
    assert r.returncode != 0 and "DNP3_LIBRARY" in r.stderr
    # a copy of the package with libdnp3.so.1 next to it, no DNP3_LIBRARY
    shutil.copytree(os.path.dirname(dnp3.__file__), tmp_path / "dnp3", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(real, tmp_path / "dnp3" / "libdnp3.so.1")
    r = _import_in_subprocess(None, str(tmp_path))
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == str(tmp_path / "dnp3" / "libdnp3.so.1")
