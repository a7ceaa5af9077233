"""dnp3.decode / decode_pcap (libdnp3decode.so.1, or `dnp3 decode --json` where the library is not
built) give exactly the command's records."""
import json
import os
import subprocess

import dnp3

FRAME = "05 64 05 C0 01 00 00 04 E9 21"
READ = bytes.fromhex("C0013C0206 3C0306 3C0406 3C0106".replace(" ", ""))


def cli(dnp3_cli, *args, stdin=None):
    r = subprocess.run([dnp3_cli, "decode", "--json", *args], input=stdin, capture_output=True, text=True)
    return [json.loads(line) for line in r.stdout.splitlines() if line.startswith("{")]


def test_backend_is_the_library_when_it_is_built():
    beside = os.path.join(os.path.dirname(os.environ["DNP3_LIBRARY"]), "libdnp3decode.so.1")
    assert dnp3.decode_backend() == ("library" if os.path.exists(beside) else "command")


def test_decode_equals_the_command(dnp3_cli):
    assert dnp3.decode(bytes.fromhex(FRAME.replace(" ", ""))) == cli(dnp3_cli, FRAME)
    assert dnp3.decode(FRAME) == cli(dnp3_cli, FRAME)
    apdu = dnp3.decode(READ, apdu=True)
    assert apdu == cli(dnp3_cli, "--apdu", READ.hex()) and apdu


def test_decode_reports_problems_as_records(dnp3_cli):
    bad = bytes.fromhex("056405C001000004E922")  # header CRC broken
    records = dnp3.decode(bad)
    assert records == cli(dnp3_cli, bad.hex()) and records


def test_decode_pcap_equals_the_command(dnp3_cli):
    path = os.path.join(os.environ.get("DNP3_SOURCE_DIR", ""), "tests", "data", "sample.pcap")
    if not os.path.exists(path):
        import pytest
        pytest.skip("tests/data/sample.pcap not found")
    records = dnp3.decode_pcap(path)
    assert records and records == cli(dnp3_cli, "--pcap", path)


def test_decode_pcap_of_a_missing_file():
    import pytest
    with pytest.raises(dnp3.Dnp3Error):
        dnp3.decode_pcap("/nonexistent/capture.pcap")
