"""Fixtures: the built `dnp3` command (PATH, set by tests/scripts/test_python.sh) and a running
`dnp3 outstation` on 127.0.0.1 with an ephemeral port."""
import os
import re
import shutil
import subprocess
import sys
import time

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))


@pytest.fixture(scope="session")
def dnp3_cli():
    path = shutil.which("dnp3")
    if not path:
        pytest.skip("the dnp3 command is not on PATH")
    return path


def start_cli_outstation(dnp3_cli, *args):
    """Starts `dnp3 outstation ARGS` (default --listen 127.0.0.1:0); returns (process, port)."""
    args = args or ("--listen", "127.0.0.1:0")
    p = subprocess.Popen([dnp3_cli, "outstation", *args], stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        line = p.stdout.readline()
        m = re.search(r"listening on (?:tcp|tls|udp) [0-9.]+:(\d+),", line)
        if m:
            return p, int(m.group(1))
        if not line and p.poll() is not None:
            break
    p.kill()
    raise RuntimeError("dnp3 outstation did not start")


@pytest.fixture
def cli_outstation(dnp3_cli):
    """A fresh `dnp3 outstation` (the built-in substation profile); yields its port."""
    p, port = start_cli_outstation(dnp3_cli)
    yield port
    p.terminate()
    try:
        p.wait(5)
    except subprocess.TimeoutExpired:
        p.kill()
    p.stdout.close()
