#!/usr/bin/env bash
# test_dialin.sh BUILD_DIR SOURCE_DIR - outstations that dial in to a listening master
# (`dnp3 master listen`, `dnp3 outstation --connect`), as on cellular links: the master
# identifies each by its link address, runs the start-up sequence, receives the integrity
# poll and unsolicited events; a refused address is turned away; both stop cleanly.
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/live.sh"
live_setup test_dialin "$1"

"$DNP3" master listen 127.0.0.1:0 --json --link-addr 1234 >"$WORK/master.log" 2>&1 &
MASTER=$!
PIDS+=($MASTER)
for _ in $(seq 100); do grep -q "listening on" "$WORK/master.log" && break; sleep 0.05; done
PORT=$(sed -n 's/.*listening on tcp [0-9.]*:\([0-9]*\) .*/\1/p' "$WORK/master.log")
[ -n "$PORT" ] || { echo "FAIL: the master did not start"; cat "$WORK/master.log"; exit 1; }

"$DNP3" outstation --connect "127.0.0.1:$PORT" --link-addr 1234 --simulate --sim-period 200 >"$WORK/os1.log" 2>&1 &
OS1=$!
PIDS+=($OS1)
"$DNP3" outstation --connect "127.0.0.1:$PORT" --link-addr 77 >"$WORK/os2.log" 2>&1 &
OS2=$!
PIDS+=($OS2)
for _ in $(seq 60); do grep -q '"unsolicited":true' "$WORK/master.log" && break; sleep 0.1; done

expect "outstation start-up line" "$WORK/os1.log" "dialling out over tcp 127.0.0.1:$PORT, link address 1234"
expect "identified" "$WORK/master.log" "outstation 1234 identified; start-up sequence"
expect "integrity poll value" "$WORK/master.log" '{"type":"analog_input","index":0,"value":138.2,'
expect "unsolicited events" "$WORK/master.log" '"event":true,"unsolicited":true'
expect "other address refused" "$WORK/master.log" "refused outstation 77 (only 1234 is served)"

kill -INT "$MASTER"
wait "$MASTER"
rc=$?
expect_rc "master exit status" 0 "$rc"
expect "master stopped" "$WORK/master.log" "SIGINT received, stopping"
kill -INT "$OS1" "$OS2"
wait "$OS1"
rc=$?
expect_rc "outstation exit status" 0 "$rc"

live_finish
