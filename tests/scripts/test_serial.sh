#!/usr/bin/env bash
# test_serial.sh BUILD_DIR SOURCE_DIR - DNP3 over serial lines (docs/serial.md) with real
# `dnp3 outstation --serial` and `dnp3 master serial:...` processes on pseudo-terminals joined by
# tests/tools/serial_bus (a simulated RS-485 line that paces octets at the baud rate, can add
# noise and drops, and counts collisions):
#   (a) one outstation on a 2-end line: an integrity poll equals, point for point, a TCP poll of
#       the same profile; a command works; a poll with link-layer confirmed user data;
#   (b) multi-drop: three outstations (10, 11, 12) and one master on a 4-end line with noise and
#       drops: the master polls them in turn and every simulated event reaches it;
#   (c) one-shot polls of the three in turn; an outstation ignores frames for other addresses;
#   (d) unsolicited responses of the three reach the master with tx-idle collision avoidance on,
#       and the line carried no collision;
#   (e) bad serial options are usage errors (exit 2), a missing device is named (exit 1);
#   (f) the bare-metal example's POSIX port on a serial line, polled by `dnp3 master`.
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/live.sh"
live_setup test_serial "$1" python3
SRC=$2
BUS=$BUILD/tests/serial_bus
[ -x "$BUS" ] || { echo "skip: $BUS not built"; exit 77; }

# start_bus NAME ARGS...: a serial_bus with its counters in $WORK/NAME.stats; sets BUSPID and ENDS.
start_bus() {
    local name=$1
    shift
    "$BUS" --stats "$WORK/$name.stats" "$@" >"$WORK/$name.out" 2>"$WORK/$name.err" &
    BUSPID=$!
    PIDS+=("$BUSPID")
    wait_for "$WORK/$name.out" ready || { echo "FAIL: serial_bus $name did not start"; exit 1; }
    mapfile -t ENDS < <(grep -v '^ready$' "$WORK/$name.out")
}
# stop_bus NAME: SIGTERM and wait; $WORK/NAME.stats then holds the final counters.
stop_bus() {
    kill "$BUSPID" 2>/dev/null
    wait "$BUSPID" 2>/dev/null
}
stat_of() { sed -n "s/.*\\b$2 \\([0-9]*\\).*/\\1/p" "$WORK/$1.stats"; } # stat_of BUS COUNTER

# start_serial_os NAME ARGS...: `dnp3 outstation ARGS` (with --serial) logging to $WORK/NAME.log;
# waits until its port is open; sets OSPID.
start_serial_os() {
    local name=$1
    shift
    "$DNP3" outstation "$@" >"$WORK/$name.log" 2>&1 &
    OSPID=$!
    PIDS+=("$OSPID")
    wait_for "$WORK/$name.log" "opened serial port" || { echo "FAIL: $name did not open its port"; cat "$WORK/$name.log"; exit 1; }
}
stop_pid() { kill "$1" 2>/dev/null; wait "$1" 2>/dev/null; }

# unique_events FILE ADDR: distinct event lines of outstation ADDR in a multi-drop watch output.
unique_events() { grep "^\[outstation $2\] .*  event" "$1" | sed 's/ (unsolicited)$//' | sort -u | wc -l; }
generated() { sed -n 's/.*simulation finished: \([0-9]*\) events generated.*/\1/p' "$1"; }

# ---- (a) one outstation, point for point against TCP ----
start_bus a --ends 2 --baud 38400
start_serial_os a_os --serial "${ENDS[0]}" --baud 38400 --no-unsolicited
A_OS=$OSPID
expect "(a) start-up line" "$WORK/a_os.log" "serving serial port ${ENDS[0]} (38400 baud 8N1), link address 10"
start_outstation a_tcp --listen 127.0.0.1:0 --no-unsolicited
A_TCP=$OSPID
"$DNP3" master poll "serial:${ENDS[1]}?baud=38400&parity=none&data_bits=8&stop_bits=1" --json >"$WORK/a_serial.json" 2>"$WORK/a_serial.err"
expect_rc "(a) serial integrity poll" 0 $?
"$DNP3" master poll "127.0.0.1:$PORT" --json >"$WORK/a_tcp.json" 2>"$WORK/a_tcp.err"
expect_rc "(a) TCP integrity poll" 0 $?
python3 - "$WORK/a_serial.json" "$WORK/a_tcp.json" <<'EOF'
import json, sys
s, t = (json.load(open(p)) for p in sys.argv[1:3])
assert len(s["points"]) == 25, len(s["points"])
assert s == t, "serial and TCP polls differ"
EOF
expect_rc "(a) serial poll == TCP poll, 25 points" 0 $?
expect "(a) station name over serial" "$WORK/a_serial.json" '"value":"SUBSTATION 7 NORTH"'
"$DNP3" master operate "serial:${ENDS[1]}?baud=38400" --crob 0 --code trip >"$WORK/a_trip.out" 2>&1
expect_rc "(a) trip over serial" 0 $?
expect "(a) trip result" "$WORK/a_trip.out" "CROB 0 TRIP/PULSE_ON (select-before-operate): SUCCESS"
# link-layer confirmed user data over the line: the master's request frames are acknowledged
"$DNP3" master poll "serial:${ENDS[1]}?baud=38400" --link-confirm --char-timeout 50 --decode link \
    >"$WORK/a_confirmed.out" 2>&1
expect_rc "(a) poll with --link-confirm over serial" 0 $?
expect "(a) confirmed: the outstation acknowledges" "$WORK/a_confirmed.out" "ACK"
expect "(a) confirmed: the request as CONFIRMED_USER_DATA" "$WORK/a_confirmed.out" "CONFIRMED_USER_DATA"
stop_pid "$A_OS"
stop_pid "$A_TCP"
stop_bus a
expect "(a) no collision" "$WORK/a.stats" "collisions 0"

# ---- (c) three outstations, one-shot polls in turn; frames for others are ignored ----
start_bus c --ends 4 --baud 19200
C_PIDS=()
for i in 0 1 2; do
    start_serial_os "c_os$i" --serial "${ENDS[$i]}" --baud 19200 --link-addr $((10 + i)) --points 5 --no-unsolicited
    C_PIDS+=("$OSPID")
done
"$DNP3" master poll "serial:${ENDS[3]}?baud=19200" --link-addr 10,11,12 --timeout 2000 >"$WORK/c_poll.out" 2>"$WORK/c_poll.err"
expect_rc "(c) one command polls 10, 11 and 12" 0 $?
for a in 10 11 12; do expect "(c) outstation $a answered" "$WORK/c_poll.out" "outstation $a"; done
n=$(grep -c '^45 points$' "$WORK/c_poll.out")
if [ "$n" = 3 ]; then ok; else bad "(c) three polls of 45 points, got $n"; cat "$WORK/c_poll.out" "$WORK/c_poll.err" | head; fi
"$DNP3" master poll "serial:${ENDS[3]}?baud=19200" --link-addr 11 --json >"$WORK/c_one.json" 2>&1
expect_rc "(c) poll of outstation 11 alone" 0 $?
for p in "${C_PIDS[@]}"; do stop_pid "$p"; done
ign=$(sed -n 's/.*, \([0-9]*\) frames ignored (other addresses).*/\1/p' "$WORK/c_os0.log")
rx=$(sed -n 's/.*link: \([0-9]*\) fragments received.*/\1/p' "$WORK/c_os0.log")
# outstation 10 saw the three requests to 11 and 12 and let them be
if [ "${ign:-0}" -ge 3 ] && [ "${rx:-0}" = 1 ]; then ok; else bad "(c) outstation 10: $rx fragments, $ign frames ignored"; cat "$WORK/c_os0.log"; fi
stop_bus c
expect "(c) no collision" "$WORK/c.stats" "collisions 0"

# ---- (b) multi-drop under noise: every event reaches the master ----
# (every octet has a 1 in 1000 chance of being hit: a 300-octet response is lost one time in
# four and retried at the next poll; small outstations keep the responses short)
start_bus b --ends 4 --baud 19200 --noise 0.0005 --drop 0.0005 --seed 7
B_PIDS=()
for i in 0 1 2; do
    a=$((10 + i))
    start_serial_os "b_os$i" --serial "${ENDS[$i]}" --baud 19200 --link-addr $a --points 2 --no-unsolicited \
        --simulate --sim-period $((400 + 50 * i)) --sim-steps 12 --seed $a
    B_PIDS+=("$OSPID")
done
"$DNP3" master watch "serial:${ENDS[3]}?baud=19200" --link-addr 10,11,12 --timeout 1000 \
    --integrity-period 0 --event-period 1 >"$WORK/b_watch.out" 2>&1 &
B_M=$!
PIDS+=("$B_M")
for i in 0 1 2; do wait_for "$WORK/b_os$i.log" "simulation finished" 200; done
# the last events go at the next event polls (retried after noise): wait until all are in, 15 s at most
for ((t = 0; t < 150; t++)); do
    done_all=1
    for i in 0 1 2; do
        [ "$(unique_events "$WORK/b_watch.out" $((10 + i)))" -ge "$(generated "$WORK/b_os$i.log")" ] || done_all=0
    done
    [ $done_all = 1 ] && break
    sleep 0.1
done
stop_pid "$B_M"
for p in "${B_PIDS[@]}"; do stop_pid "$p"; done
stop_bus b
for i in 0 1 2; do
    a=$((10 + i))
    g=$(generated "$WORK/b_os$i.log")
    u=$(unique_events "$WORK/b_watch.out" $a)
    echo "(b) outstation $a: $g events generated, $u distinct events received"
    if [ -n "$g" ] && [ "$g" -gt 0 ] && [ "$u" = "$g" ]; then ok; else bad "(b) outstation $a: $u of ${g:-?} events"; fi
done
echo "(b) line: $(cat "$WORK/b.stats")"
c=$(stat_of b corrupted)
d=$(stat_of b dropped)
if [ $((${c:-0} + ${d:-0})) -gt 0 ]; then ok; else bad "(b) the line should have corrupted or dropped octets"; fi

# ---- (d) unsolicited responses on a shared line, tx-idle collision avoidance ----
# The master watches first (as in the field: the outstations boot on a watched line), with a short
# idle time so its confirms go before any outstation's next transmission; its start-up sequence to
# each outstation is retried (5 s) until they are up, then their events come unsolicited. The waits
# leave a margin for a loaded machine: a station hears another one's first octet only when the bus
# process and its own loop have run (docs/serial.md: collisions are rare, not impossible: two
# stations whose waits end within that delay of each other do collide). A fast line keeps that
# delay (an octet's time and the loops') small.
# run_d: one run of the scenario; the line's counters in $WORK/d.stats.
run_d() {
    start_bus d --ends 4 --baud 115200 --trace 1
    "$DNP3" master watch "serial:${ENDS[3]}?baud=115200&tx_idle=5&tx_backoff=0" --link-addr 10,11,12 --timeout 1000 \
        --integrity-period 0 --event-period 0 >"$WORK/d_watch.out" 2>&1 &
    D_M=$!
    PIDS+=("$D_M")
    wait_for "$WORK/d_watch.out" "connected to"
    D_PIDS=()
    for i in 0 1 2; do
        a=$((10 + i))
        start_serial_os "d_os$i" --serial "${ENDS[$i]}" --baud 115200 --link-addr $a --points 2 \
            --simulate --sim-period $((600 + 50 * i)) --sim-steps 16 --seed $a --tx-idle 30 --tx-backoff 150
        D_PIDS+=("$OSPID")
    done
    for i in 0 1 2; do wait_for "$WORK/d_os$i.log" "simulation finished" 300; done
    for ((t = 0; t < 100; t++)); do
        done_all=1
        for i in 0 1 2; do
            [ "$(unique_events "$WORK/d_watch.out" $((10 + i)))" -ge "$(generated "$WORK/d_os$i.log")" ] || done_all=0
        done
        [ $done_all = 1 ] && break
        sleep 0.1
    done
    stop_pid "$D_M"
    for p in "${D_PIDS[@]}"; do stop_pid "$p"; done
    stop_bus d
}
run_d
for try in 2 3; do
    grep -qF "collisions 0" "$WORK/d.stats" && break
    # two waits that end within the time a station needs to hear the other's first octet still
    # collide (rare; on a loaded machine the bus tool, scheduled late, also reads two ends' octets
    # in one turn and stamps them alike): say so, and run the scenario again (up to three runs)
    echo "note: (d) run $((try - 1)): $(cat "$WORK/d.stats"); the collision:"
    grep -B3 -m1 "collision:" "$WORK/d.err"
    run_d
done
for i in 0 1 2; do
    a=$((10 + i))
    g=$(generated "$WORK/d_os$i.log")
    u=$(unique_events "$WORK/d_watch.out" $a)
    n=$(grep -c "^\[outstation $a\] .*event (unsolicited)$" "$WORK/d_watch.out")
    echo "(d) outstation $a: $g events generated, $u distinct received, $n lines unsolicited"
    if [ -n "$g" ] && [ "$g" -gt 0 ] && [ "$u" = "$g" ] && [ "$n" -gt 0 ]; then ok; else bad "(d) outstation $a: $u of ${g:-?} events, $n unsolicited"; fi
done
echo "(d) line: $(cat "$WORK/d.stats")"
expect "(d) tx-idle: no collision on the shared line" "$WORK/d.stats" "collisions 0"
grep -q "collision:" "$WORK/d.err" && grep -B6 "collision:" "$WORK/d.err" | head -20

# ---- (e) bad options, missing device ----
usage_error() { # usage_error DESCRIPTION MESSAGE ARGS...
    local what=$1 msg=$2
    shift 2
    "$DNP3" "$@" >"$WORK/e.out" 2>"$WORK/e.err"
    expect_rc "(e) $what" 2 $?
    expect "(e) $what: message" "$WORK/e.err" "$msg"
}
usage_error "baud 12345" "--baud: '12345' is not a standard serial speed" outstation --serial /dev/null --baud 12345
usage_error "parity mark" "--parity: 'mark' is not none, even or odd" outstation --serial /dev/null --parity mark
usage_error "data bits 9" "--data-bits: '9' is not 7 or 8" outstation --serial /dev/null --data-bits 9
usage_error "stop bits 3" "--stop-bits: '3' is not 1 or 2" outstation --serial /dev/null --stop-bits 3
usage_error "serial and TCP" "--serial cannot be combined" outstation --serial /dev/null --listen 127.0.0.1:0
usage_error "serial and several masters" "--serial serves the master of its line" outstation --serial /dev/null --max-masters 2
usage_error "--serial without a path" "--serial needs a value" outstation --serial
usage_error "target baud" "baud: '12345' is not a standard serial speed" master poll "serial:/dev/null?baud=12345"
usage_error "target parity" "parity: 'mark' is not none, even or odd" master poll "serial:/dev/null?parity=mark"
usage_error "target without a path" "has no device path" master poll "serial:?baud=9600"
usage_error "target unknown key" "unknown key 'speed'" master poll "serial:/dev/null?speed=9600"
usage_error "link address list" "--link-addr: '10,,11' is not N[,N...]" master poll serial:/dev/null --link-addr 10,,11
"$DNP3" outstation --serial "$WORK/no-such-tty" >"$WORK/e.out" 2>"$WORK/e.err"
expect_rc "(e) outstation: missing device" 1 $?
expect "(e) outstation: missing device named" "$WORK/e.err" "cannot open serial port $WORK/no-such-tty: No such file or directory"
"$DNP3" master poll "serial:$WORK/no-such-tty" >"$WORK/e.out" 2>"$WORK/e.err"
expect_rc "(e) master: missing device" 1 $?
expect "(e) master: missing device named" "$WORK/e.err" "cannot open serial port $WORK/no-such-tty: No such file or directory"

# ---- (f) the bare-metal example on a serial line ----
BM=$BUILD/examples/example_bare_metal
if [ -x "$BM" ]; then
    start_bus f --ends 2 --baud 115200
    "$BM" --serial "${ENDS[0]}" --baud 115200 >"$WORK/f_bare.log" 2>&1 &
    F_B=$!
    PIDS+=("$F_B")
    wait_for "$WORK/f_bare.log" "outstation on serial port" || { bad "(f) example_bare_metal --serial did not start"; cat "$WORK/f_bare.log"; }
    "$DNP3" master poll "serial:${ENDS[1]}?baud=115200" --timeout 3000 --json >"$WORK/f_poll.json" 2>"$WORK/f_poll.err"
    expect_rc "(f) dnp3 master polls the bare-metal outstation over a serial line" 0 $?
    n=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["points"]))' "$WORK/f_poll.json" 2>/dev/null)
    if [ "$n" = 900 ]; then ok; else bad "(f) 900 points, got ${n:-none}"; cat "$WORK/f_poll.err"; fi
    stop_pid "$F_B"
    stop_bus f
else
    echo "note: $BM not built: the bare-metal part is not run"
fi

live_finish
