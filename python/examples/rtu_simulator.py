"""An RTU for a factory acceptance test: two breakers, four feeder currents, one setpoint.

    python3 rtu_simulator.py [LISTEN]        (default 127.0.0.1:20000)
"""
import asyncio, random, sys
import dnp3

rtu = dnp3.Outstation(listen=sys.argv[1] if len(sys.argv) > 1 else "127.0.0.1:20000", link_addr=10,
                      points={"binary_input": 2, "binary_output_status": 2, "analog_input": 4,
                              "analog_output_status": 1})

def on_crob(index, code):            # CROB 0/1 trip or close breaker 0/1
    if index > 1 or code not in ("trip", "close"):
        return "NOT_SUPPORTED"
    rtu.update("binary_input", index, code == "close")   # the breaker follows (an event)

rtu.on_crob = on_crob
rtu.on_analog = lambda index, value: "SUCCESS" if 0 <= value <= 500 else "OUT_OF_RANGE"

async def main():
    async with rtu:                  # serving until the block ends
        print(f"RTU listening on port {rtu.port}", flush=True)
        while True:                  # feeder currents drift; the core decides what is an event
            for i in range(4):
                rtu.update("analog_input", i, round(random.uniform(180, 220), 1))
            await asyncio.sleep(1)

asyncio.run(main())
