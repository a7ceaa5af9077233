"""Polls an outstation periodically and appends every point to a CSV file.

    python3 poll_to_csv.py HOST:PORT out.csv [--period S] [--count N]

The first poll is an integrity poll (static values), the next ones event polls (classes 1-3).
A failed poll is written as a comment line and the poller goes on.
"""
import argparse
import asyncio
import csv
import datetime

import dnp3


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("target")
    ap.add_argument("csv")
    ap.add_argument("--period", type=float, default=5.0)
    ap.add_argument("--count", type=int, default=0, help="stop after N polls (0 = never)")
    args = ap.parse_args()
    with open(args.csv, "a", newline="") as f:
        out = csv.writer(f)
        if f.tell() == 0:
            out.writerow(["polled_at", "type", "index", "value", "flags", "time", "event"])
        async with dnp3.Master(args.target) as m:
            n = 0
            while not args.count or n < args.count:
                classes = "0123" if n == 0 else "123"
                now = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="milliseconds")
                try:
                    for p in await m.poll(classes):
                        value = p.value.decode(errors="replace") if isinstance(p.value, bytes) else p.value
                        out.writerow([now, p.type, p.index, value, p.flags,
                                      p.time.isoformat() if p.time else "", int(p.event)])
                except dnp3.Dnp3Error as e:
                    f.write(f"# {now} poll failed: {e}\n")
                f.flush()
                n += 1
                if not args.count or n < args.count:
                    await asyncio.sleep(args.period)


if __name__ == "__main__":
    asyncio.run(main())
