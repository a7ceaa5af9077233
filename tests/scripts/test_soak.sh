#!/usr/bin/env bash
# test_soak.sh BUILD_DIR SOURCE_DIR - a bounded soak (issue 6): `dnp3 outstation --simulate` and
# `dnp3 master watch` run for SOAK_SECONDS (default 12; minutes by hand) through
# tests/tools/fault_proxy, which cuts the connection every 0.5-1.5 s. After a warm-up, the
# descriptors of both processes must not grow and their resident memory must stay within
# 1 MiB (skipped in the ASan build, whose allocator quarantine grows by design; there the
# leak check at exit does the job), and both must exit cleanly (status 0, no sanitizer report).
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/live.sh"
live_setup test_soak "$1"
[ -x "$BUILD/tests/fault_proxy" ] || { echo "skip: $BUILD/tests/fault_proxy not built"; exit 77; }
SECONDS_TOTAL=${SOAK_SECONDS:-12}

start_outstation os --listen 127.0.0.1:0 --simulate --sim-period 50 --keep-alive 2000
OS=$OSPID
start_proxy proxy "$PORT" --seed 11 --every-ms 500-1500 --stall-ms 300
"$DNP3" master watch "127.0.0.1:$PPORT" --json --event-period 1 --timeout 1000 >"$WORK/m.json" 2>"$WORK/m.err" &
M=$!
PIDS+=($M)

sleep 3 # warm-up: buffers, first reconnects
OS_FD0=$(fds "$OS"); OS_RSS0=$(rss_kb "$OS"); M_FD0=$(fds "$M"); M_RSS0=$(rss_kb "$M")
sleep "$SECONDS_TOTAL"
OS_FD1=$(fds "$OS"); OS_RSS1=$(rss_kb "$OS"); M_FD1=$(fds "$M"); M_RSS1=$(rss_kb "$M")
CONNECTS=$(grep -c "connected to" "$WORK/m.json")
echo "soak ${SECONDS_TOTAL}s: $CONNECTS master connections; outstation fds $OS_FD0 -> $OS_FD1, RSS $OS_RSS0 -> $OS_RSS1 KiB; master fds $M_FD0 -> $M_FD1, RSS $M_RSS0 -> $M_RSS1 KiB; $(grep -c '"event":true' "$WORK/m.json") events received"
if [ "$CONNECTS" -ge 3 ]; then ok; else bad "only $CONNECTS connections: the proxy did not cut"; fi
# one connection more or less may be in flight at either sample
if [ "$OS_FD1" -le $((OS_FD0 + 1)) ]; then ok; else bad "outstation descriptors grew $OS_FD0 -> $OS_FD1"; fi
if [ "$M_FD1" -le $((M_FD0 + 1)) ]; then ok; else bad "master descriptors grew $M_FD0 -> $M_FD1"; fi
if [ "$ASAN" = 0 ]; then
    if [ $((OS_RSS1 - OS_RSS0)) -lt 1024 ]; then ok; else bad "outstation RSS grew $OS_RSS0 -> $OS_RSS1 KiB"; fi
    if [ $((M_RSS1 - M_RSS0)) -lt 1024 ]; then ok; else bad "master RSS grew $M_RSS0 -> $M_RSS1 KiB"; fi
else
    echo "note: ASan build: resident-memory bounds not checked (the leak check at exit is)"
fi
kill -INT "$M"
wait "$M"
MRC=$?
kill -TERM "$OS"
wait "$OS"
ORC=$?
if [ "$MRC" = 0 ]; then ok; else bad "the master exited with $MRC"; cat "$WORK/m.err"; fi
if [ "$ORC" = 0 ]; then ok; else bad "the outstation exited with $ORC"; tail "$WORK/os.log"; fi
if grep -q "Sanitizer" "$WORK/m.err" "$WORK/os.log"; then bad "sanitizer report"; grep -A20 Sanitizer "$WORK/m.err" "$WORK/os.log" | head -40; else ok; fi

live_finish
