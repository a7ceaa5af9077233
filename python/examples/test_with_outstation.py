"""A pytest fixture that starts a Python outstation for the tests of a SCADA client.

The outstation runs on its own event loop in a background thread (the tests here are plain
synchronous functions); everything that touches it runs on that loop's thread, through
`sim.call(...)`. Run: pytest test_with_outstation.py
"""
import asyncio
import threading

import pytest

import dnp3


class OutstationThread:
    """An outstation served by an event loop in a daemon thread."""

    def __init__(self, **kwargs):
        self.loop = asyncio.new_event_loop()
        self.outstation = dnp3.Outstation(listen="127.0.0.1:0", **kwargs)
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        asyncio.run_coroutine_threadsafe(self.outstation.start(), self.loop).result(10)
        return self

    def __exit__(self, *exc):
        asyncio.run_coroutine_threadsafe(self.outstation.stop(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()

    def call(self, fn, *args):
        """Runs fn(*args) on the outstation's loop and returns its result."""
        async def run():
            return fn(*args)
        return asyncio.run_coroutine_threadsafe(run(), self.loop).result(10)

    @property
    def target(self) -> str:
        return f"127.0.0.1:{self.outstation.port}"


@pytest.fixture
def rtu():
    with OutstationThread(points={"binary_input": 2, "analog_input": 4, "binary_output_status": 1}) as sim:
        sim.outstation.on_crob = lambda index, code: "SUCCESS" if index == 0 else "NOT_SUPPORTED"
        yield sim


def test_client_reads_values(rtu):
    rtu.call(rtu.outstation.update, "analog_input", 2, 11.5)
    points = {(p.type, p.index): p.value for p in dnp3.poll(rtu.target, "0")}
    assert points["analog_input", 2] == 11.5


def test_client_operates(rtu):
    assert dnp3.operate(rtu.target, crob=0, code="latch_on") == "SUCCESS"
    with pytest.raises(dnp3.CommandError):
        dnp3.operate(rtu.target, crob=1, code="latch_on")
    assert rtu.call(rtu.outstation.get, "binary_output_status", 0)[0] == 1.0
