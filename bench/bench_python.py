#!/usr/bin/env python3
"""bench_python.py [BUILD_DIR] - polls/s of a 1,000-point integrity poll from Python next to the
same poll from the `dnp3 master` command, against `dnp3 outstation`, measured in the same run.

Two outstations: `dnp3 outstation --points 1000` (1,000 points of every type: 8,000 points per
integrity poll) and one with 1,000 analog inputs only (a YAML database). For each:
  C command     `dnp3 master poll HOST:PORT --json` run N times (a process, a connection, a poll);
  Python 1-shot  connect, poll, close N times in one process (what the command does, without exec);
  Python         N polls on one connection (what a Python poller does).
Prints a table; a program that prints figures, not a test. Environment: DNP3_LIBRARY is set to
BUILD_DIR/libdnp3.so.1 unless given.
"""
import asyncio
import os
import re
import subprocess
import sys
import tempfile
import time

BUILD = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "build")
HERE = os.path.dirname(os.path.abspath(__file__))
os.environ.setdefault("DNP3_LIBRARY", os.path.join(BUILD, "libdnp3.so.1"))
sys.path.insert(0, os.path.join(HERE, "..", "python"))
import dnp3  # noqa: E402

DNP3 = os.path.join(BUILD, "dnp3")


def start(*args):
    p = subprocess.Popen([DNP3, "outstation", "--listen", "127.0.0.1:0", "--log-level", "error", *args],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    for line in p.stdout:
        m = re.search(r"listening on tcp [0-9.]+:(\d+),", line)
        if m:
            return p, int(m.group(1))
    raise SystemExit("dnp3 outstation did not start")


def bench_c(port, seconds):
    n, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        subprocess.run([DNP3, "master", "poll", f"127.0.0.1:{port}", "--json"], check=True,
                       stdout=subprocess.DEVNULL)
        n += 1
    return n / (time.perf_counter() - t0)


async def bench_py_oneshot(port, seconds):
    n, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        async with dnp3.Master(f"127.0.0.1:{port}") as m:
            pts = await m.poll()
        n += 1
    return n / (time.perf_counter() - t0), len(pts)


async def bench_py(port, seconds):
    async with dnp3.Master(f"127.0.0.1:{port}") as m:
        await m.poll()
        n, t0 = 0, time.perf_counter()
        while time.perf_counter() - t0 < seconds:
            pts = await m.poll()
            n += 1
        return n / (time.perf_counter() - t0), len(pts)


def main():
    seconds = float(os.environ.get("BENCH_SECONDS", "3"))
    print(f"dnp3 {dnp3.version()} ({dnp3.LIBRARY_PATH}), Python {sys.version.split()[0]}, {seconds:g} s per figure")
    with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as f:
        f.write("outstation:\n  unsolicited: false\npoints:\n  analog_input:\n    - {index: 999, value: 138.2}\n")
        yaml = f.name
    cases = [("--points 1000 (every type)", ["--points", "1000"]), ("1,000 analog inputs", ["--config", yaml])]
    print(f"{'outstation':28} {'points':>6} {'C command':>10} {'Py 1-shot':>10} {'Python':>10} {'1-shot/C':>9}"
          f" {'Python/C':>9}")
    try:
        for name, args in cases:
            p, port = start(*args)
            try:
                c = bench_c(port, seconds)
                one, npts = asyncio.run(bench_py_oneshot(port, seconds))
                py, _ = asyncio.run(bench_py(port, seconds))
            finally:
                p.terminate()
                p.wait()
            print(f"{name:28} {npts:6d} {c:10.1f} {one:10.1f} {py:10.1f} {one / c:9.2f} {py / c:9.2f}")
    finally:
        os.unlink(yaml)
    print("polls/s; C command = `dnp3 master poll --json` per poll (process + connection + poll);")
    print("Py 1-shot = connect + poll + close in one process; Python = polls on one connection")


if __name__ == "__main__":
    main()
