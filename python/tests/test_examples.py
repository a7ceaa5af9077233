"""python/examples run: the RTU simulator polled by the CSV poller, the pytest fixture example."""
import csv
import os
import re
import subprocess
import sys

import dnp3

EXAMPLES = os.path.join(os.path.dirname(__file__), "..", "examples")


def test_rtu_simulator_and_csv_poller(tmp_path):
    rtu = subprocess.Popen([sys.executable, os.path.join(EXAMPLES, "rtu_simulator.py"), "127.0.0.1:0"],
                           stdout=subprocess.PIPE, text=True)
    try:
        port = int(re.search(r"port (\d+)", rtu.stdout.readline()).group(1))
        target = f"127.0.0.1:{port}"
        assert dnp3.operate(target, crob=1, code="close") == "SUCCESS"
        out = tmp_path / "points.csv"
        subprocess.run([sys.executable, os.path.join(EXAMPLES, "poll_to_csv.py"), target, str(out), "--period",
                        "0.1", "--count", "2"], check=True, timeout=20)
        with out.open() as f:
            rows = list(csv.DictReader(line for line in f if not line.startswith("#")))
        assert {r["type"] for r in rows} >= {"binary_input", "analog_input", "binary_output_status"}
        closed = [r for r in rows if r["type"] == "binary_input" and r["index"] == "1" and r["event"] == "1"]
        assert closed and closed[0]["value"] == "True"
        currents = [float(r["value"]) for r in rows if r["type"] == "analog_input"]
        assert currents and all(180 <= c <= 220 for c in currents)
    finally:
        rtu.terminate()
        rtu.wait(5)
        rtu.stdout.close()


def test_pytest_fixture_example():
    r = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                        os.path.join(EXAMPLES, "test_with_outstation.py")], capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "2 passed" in r.stdout
