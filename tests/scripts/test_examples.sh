#!/usr/bin/env bash
# test_examples.sh BUILD_DIR SOURCE_DIR - the programs of examples/ run for real:
#   1. examples/outstation (on its own addresses) polled and operated by `dnp3 master`: its
#      points and timer-driven values come back, a CROB moves binary input 0, SIGINT stops it;
#   2. examples/master against `dnp3 outstation` (the substation profile) and against
#      examples/outstation: every point printed, select-before-operate, exit status;
#   3. examples/bare-metal's host build on a pseudo-terminal, which `dnp3 master` opens as a
#      serial port (serial:PATH): it polls the 900 points and operates CROB 0.
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/live.sh"
live_setup test_examples "$1" python3
EXB=$BUILD/examples
for p in example_outstation example_master example_bare_metal; do
    [ -x "$EXB/$p" ] || { echo "skip: $EXB/$p not built"; exit 77; }
done
npoints() { python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["points"]))' "$1" 2>/dev/null; }
# point FILE TYPE INDEX: the value of that point in a `dnp3 master poll --json` output (last one wins)
point() {
    python3 -c 'import json,sys
v=[p["value"] for p in json.load(open(sys.argv[1]))["points"] if p["type"]==sys.argv[2] and p["index"]==int(sys.argv[3])]
print(v[-1] if v else "none")' "$1" "$2" "$3" 2>/dev/null
}
# stop_int PID: SIGINT to our child PID, then its exit status (124 if still running after 5 s: killed)
stop_int() {
    local i state
    kill -INT "$1"
    for ((i = 0; i < 100; i++)); do
        state=$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null)
        [ -z "$state" ] || [ "$state" = Z ] && break
        sleep 0.05
    done
    if [ -n "$state" ] && [ "$state" != Z ]; then
        kill -KILL "$1"
        wait "$1" 2>/dev/null
        return 124
    fi
    wait "$1"
}
expect_eq() { # expect_eq DESCRIPTION WANT GOT
    if [ "$2" = "$3" ]; then ok; else bad "$1: got '$3', want '$2'"; fi
}

# ---- 0. each example's folder builds on its own: <dnp3/...> is its only include path ----
SRC=$2
SAN=()
[ "$ASAN" = 1 ] && SAN=(-fsanitize=address,undefined) # the libraries of the sanitizer build need its runtime
if command -v cc >/dev/null && pkg-config --exists libuv 2>/dev/null; then
    for e in outstation master; do
        # shellcheck disable=SC2046
        cc "${SAN[@]}" -std=c11 -Wall -Wextra -Werror -I "$SRC/include" -I "$BUILD/include" "$SRC/examples/$e/$e.c" "$BUILD/libdnp3io.a" \
            "$BUILD/libdnp3.a" $(pkg-config --libs libuv) -lssl -lcrypto -o "$WORK/standalone_$e" >"$WORK/cc_$e.log" 2>&1
        expect_rc "standalone build of examples/$e" 0 $?
    done
    cc "${SAN[@]}" -std=c11 -Wall -Wextra -Werror -I "$SRC/include" -I "$BUILD/include" "$SRC/examples/bare-metal/app.c" \
        "$SRC/examples/bare-metal/port_posix.c" "$BUILD/libdnp3.a" -o "$WORK/standalone_bm" >"$WORK/cc_bm.log" 2>&1
    expect_rc "standalone build of examples/bare-metal (host port)" 0 $?
fi

# ---- 1. examples/outstation ----
"$EXB/example_outstation" --listen 127.0.0.1:0 --link-addr 7 --master-addr 3 >"$WORK/os.log" 2>&1 &
EXOS=$!
PIDS+=("$EXOS")
wait_for "$WORK/os.log" "listening on" || { echo "FAIL: example_outstation did not start"; cat "$WORK/os.log"; exit 1; }
P=$(listen_port "$WORK/os.log")
expect "outstation start-up line" "$WORK/os.log" "link address 7, master address 3"
M=("$DNP3" master)
A=(--link-addr 7 --master-addr 3)

"${M[@]}" poll "127.0.0.1:$P" "${A[@]}" --json >"$WORK/p1.json" 2>"$WORK/p1.err"
expect_rc "outstation: integrity poll" 0 $?
expect_eq "outstation: 10 points" 10 "$(npoints "$WORK/p1.json")"
expect_eq "outstation: binary input 0 starts off" 0 "$(point "$WORK/p1.json" binary_input 0)"
sleep 1.3 # the 1 s timer has moved analog input 0 and counter 0 by now
"${M[@]}" poll "127.0.0.1:$P" "${A[@]}" --class 0 --json >"$WORK/p2.json" 2>&1
expect_rc "outstation: static poll" 0 $?
v=$(point "$WORK/p2.json" analog_input 0)
case $v in 10[0-9]) ok ;; *) bad "outstation: analog input 0 from the timer: got '$v', want 100..109" ;; esac
v=$(point "$WORK/p2.json" counter 0)
if [ "$v" != none ] && [ "$v" -ge 1 ] 2>/dev/null; then ok; else bad "outstation: counter 0 counts: got '$v'"; fi
"${M[@]}" poll "127.0.0.1:$P" "${A[@]}" --class 1 --json >"$WORK/p3.json" 2>&1
expect "outstation: timer values come as class 1 events" "$WORK/p3.json" '{"type":"analog_input","index":0,"value":10'

"${M[@]}" operate "127.0.0.1:$P" "${A[@]}" --crob 0 --code latch-on >"$WORK/op1.out" 2>&1
expect_rc "outstation: CROB 0 latch on" 0 $?
expect "outstation: CROB result" "$WORK/op1.out" "CROB 0 LATCH_ON (select-before-operate): SUCCESS"
"${M[@]}" poll "127.0.0.1:$P" "${A[@]}" --class 0 --json >"$WORK/p4.json" 2>&1
expect_eq "outstation: CROB moved binary input 0 on" 1 "$(point "$WORK/p4.json" binary_input 0)"
expect_eq "outstation: binary output status 0 follows" 1 "$(point "$WORK/p4.json" binary_output_status 0)"
"${M[@]}" operate "127.0.0.1:$P" "${A[@]}" --crob 0 --code trip >/dev/null 2>&1
expect_rc "outstation: CROB 0 trip" 0 $?
"${M[@]}" poll "127.0.0.1:$P" "${A[@]}" --class 0 --json >"$WORK/p5.json" 2>&1
expect_eq "outstation: trip moved binary input 0 off" 0 "$(point "$WORK/p5.json" binary_input 0)"
"${M[@]}" operate "127.0.0.1:$P" "${A[@]}" --crob 5 --code latch-on >/dev/null 2>"$WORK/op3.err"
expect_rc "outstation: CROB 5 is not wired" 1 $?
expect "outstation: NOT_SUPPORTED" "$WORK/op3.err" "NOT_SUPPORTED"
expect "outstation: logged the operate" "$WORK/os.log" "outstation: CROB 0 on -> binary input 0 = 1"

# ---- 2. examples/master ----
"$EXB/example_master" "127.0.0.1:$P" "${A[@]}" --crob 0 --code on >"$WORK/m1.out" 2>&1
expect_rc "master vs example outstation" 0 $?
expect "master: poll" "$WORK/m1.out" "integrity poll: SUCCESS"
expect "master: command" "$WORK/m1.out" "CROB 0 code 0x03 (select-before-operate): SUCCESS, command status SUCCESS"
stop_int "$EXOS"
expect_rc "outstation: SIGINT exits 0" 0 $?
expect "outstation: stop message" "$WORK/os.log" "outstation: signal 2, stopping"

start_outstation sub --listen 127.0.0.1:0
"$EXB/example_master" "127.0.0.1:$PORT" --crob 0 --code off >"$WORK/m2.out" 2>&1
expect_rc "master vs dnp3 outstation" 0 $?
expect "master: analog printed" "$WORK/m2.out" "analog_input             0  138.2  flags 0x01"
expect "master: double-bit printed" "$WORK/m2.out" "double_bit_input         0  2  flags 0x81"
expect "master: octet string printed" "$WORK/m2.out" 'octet_string             0  "SUBSTATION 7 NORTH"'
expect "master: SBO result" "$WORK/m2.out" "CROB 0 code 0x04 (select-before-operate): SUCCESS, command status SUCCESS"
expect "dnp3 outstation saw the OPERATE of select-before-operate" "$WORK/sub.log" "control: OPERATE CROB 0 NUL/LATCH_OFF"
n=$(grep -cE '^(binary_input|double_bit_input|binary_output_status|counter|frozen_counter|analog_input|analog_output_status|octet_string) ' "$WORK/m2.out")
expect_eq "master: the substation's 25 points printed" 25 "$n"
"$EXB/example_master" "127.0.0.1:$PORT" --crob 9 >"$WORK/m3.out" 2>&1
expect_rc "master: unwired CROB exits 1" 1 $?
expect "master: status named" "$WORK/m3.out" "command status NOT_SUPPORTED"
"$EXB/example_master" "127.0.0.1:1" >"$WORK/m4.out" 2>&1
expect_rc "master: connection refused exits 1" 1 $?

# ---- 3. examples/bare-metal on a pty ----
"$EXB/example_bare_metal" --link "$WORK/tty" >"$WORK/bm.log" 2>&1 &
BM=$!
PIDS+=("$BM")
wait_for "$WORK/bm.log" "outstation on pty" || { echo "FAIL: example_bare_metal did not start"; cat "$WORK/bm.log"; exit 1; }
# dnp3 master opens the pty as it would a serial port (termios, 9600 baud, the transmit gate)
LINE="serial:$WORK/tty"

"${M[@]}" poll "$LINE" --json >"$WORK/b1.json" 2>"$WORK/b1.err"
expect_rc "bare-metal: integrity poll over the pty" 0 $?
expect_eq "bare-metal: 100 points of each of the 9 types" 900 "$(npoints "$WORK/b1.json")"
expect_eq "bare-metal: analog input 98 (i / 2, sent as g30v1 integers)" 49 "$(point "$WORK/b1.json" analog_input 98)"
expect_eq "bare-metal: counter 5" 1005 "$(point "$WORK/b1.json" counter 5)"
expect_eq "bare-metal: binary input 3" 1 "$(point "$WORK/b1.json" binary_input 3)"
expect_eq "bare-metal: octet string 42" ok "$(point "$WORK/b1.json" octet_string 42)"
"${M[@]}" operate "$LINE" --crob 0 --code latch-on >"$WORK/b2.out" 2>&1
expect_rc "bare-metal: CROB 0 latch on" 0 $?
expect "bare-metal: CROB result" "$WORK/b2.out" "CROB 0 LATCH_ON (select-before-operate): SUCCESS"
sleep 1 # a 1 s sample has been taken by now
"${M[@]}" poll "$LINE" --class 1 --json >"$WORK/b3.json" 2>&1
expect_rc "bare-metal: event poll" 0 $?
expect "bare-metal: binary input 0 event" "$WORK/b3.json" '{"type":"binary_input","index":0,"value":1,'
expect "bare-metal: counter 0 events from the 1 s sample" "$WORK/b3.json" '{"type":"counter","index":0,"value":100'
"${M[@]}" poll "$LINE" --class 0 --json >"$WORK/b4.json" 2>&1
expect_eq "bare-metal: CROB moved binary input 0 on" 1 "$(point "$WORK/b4.json" binary_input 0)"
stop_int "$BM"
expect_rc "bare-metal: SIGINT exits 0" 0 $?
expect "bare-metal: stopped" "$WORK/bm.log" "bare-metal: stopped"
live_finish
