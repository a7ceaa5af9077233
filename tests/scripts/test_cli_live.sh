#!/usr/bin/env bash
# test_cli_live.sh BUILD_DIR SOURCE_DIR - the real `dnp3 outstation` and `dnp3 master`
# processes talking over TCP and UDP on 127.0.0.1: polls return the substation's values,
# a trip opens the breaker and produces timestamped events, failures are named with the
# right exit status, a config error names file:line:field, SIGTERM exits 0.
# Ports are ephemeral (port 0, read back from the outstation's start-up line).
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/live.sh"
live_setup test_cli_live "$1"
SRC=$2

# ---- TCP ----
start_outstation tcp --listen 127.0.0.1:0
TCP_PORT=$PORT
OS_PID=$OSPID
expect "start-up line" "$WORK/tcp.log" "link address 10, master address 1, 25 points (substation profile)"

"$DNP3" master poll "127.0.0.1:$TCP_PORT" --json >"$WORK/poll.json" 2>"$WORK/poll.err"
expect_rc "poll" 0 $?
expect "poll: bus voltage" "$WORK/poll.json" '{"type":"analog_input","index":0,"value":138.2,"flags":1,"time":null}'
expect "poll: breaker closed" "$WORK/poll.json" '{"type":"double_bit_input","index":0,"value":2,"flags":129,"time":null}'
expect "poll: station name" "$WORK/poll.json" '{"type":"octet_string","index":0,"value":"SUBSTATION 7 NORTH"'
expect "poll: restart IIN" "$WORK/poll.json" '"iin":["DEVICE_RESTART"]'
if command -v python3 >/dev/null; then
    python3 -c 'import json,sys; d=json.load(sys.stdin); assert len(d["points"]) == 25, len(d["points"])' <"$WORK/poll.json"
    expect_rc "poll: JSON parses with 25 points" 0 $?
fi

"$DNP3" master operate "127.0.0.1:$TCP_PORT" --crob 0 --code trip >"$WORK/trip.out" 2>&1
expect_rc "trip" 0 $?
expect "trip result" "$WORK/trip.out" "CROB 0 TRIP/PULSE_ON (select-before-operate): SUCCESS"
expect "outstation saw the operate" "$WORK/tcp.log" "control: OPERATE CROB 0 TRIP/PULSE_ON -> off/trip (CB-101 trip/close)"

"$DNP3" master poll "127.0.0.1:$TCP_PORT" --class 1 --json >"$WORK/events.json" 2>&1
expect_rc "event poll" 0 $?
expect "event: breaker open (binary input)" "$WORK/events.json" '{"type":"binary_input","index":0,"value":0,"flags":1,"time":1'
expect "event: breaker open (double-bit)" "$WORK/events.json" '{"type":"double_bit_input","index":0,"value":1,"flags":65,"time":1'
"$DNP3" master poll "127.0.0.1:$TCP_PORT" --class 1 --json >"$WORK/events2.json" 2>&1
expect "confirmed events are not reported twice" "$WORK/events2.json" '"points":[]'

"$DNP3" master operate "127.0.0.1:$TCP_PORT" --crob 9 --code latch-on >"$WORK/ns.out" 2>"$WORK/ns.err"
expect_rc "unwired CROB" 1 $?
expect "unwired CROB status" "$WORK/ns.err" "command status NOT_SUPPORTED with IIN2 PARAMETER_ERROR"

"$DNP3" master operate "127.0.0.1:$TCP_PORT" --analog 0 --value 150 --mode direct >"$WORK/oor.out" 2>"$WORK/oor.err"
expect_rc "setpoint out of range" 1 $?
expect "setpoint status" "$WORK/oor.err" "command status OUT_OF_RANGE"
"$DNP3" master operate "127.0.0.1:$TCP_PORT" --analog 0 --value 139.5 >"$WORK/sp.out" 2>&1
expect_rc "setpoint" 0 $?
"$DNP3" master poll "127.0.0.1:$TCP_PORT" --class 0 --json >"$WORK/sp.json" 2>&1
expect "setpoint reached the status point" "$WORK/sp.json" '{"type":"analog_output_status","index":0,"value":139.5'

"$DNP3" master timesync "127.0.0.1:$TCP_PORT" >"$WORK/ts.out" 2>&1
expect_rc "timesync non-LAN" 0 $?
expect "timesync" "$WORK/ts.out" "time synchronised (non-LAN procedure)"
"$DNP3" master timesync "127.0.0.1:$TCP_PORT" --lan >"$WORK/ts2.out" 2>&1
expect_rc "timesync LAN" 0 $?
"$DNP3" master restart "127.0.0.1:$TCP_PORT" >"$WORK/rs.out" 2>&1
expect_rc "cold restart" 0 $?
expect "restart delay" "$WORK/rs.out" "cold restart accepted"

# a wrong outstation address gets no answer: a named timeout
"$DNP3" master poll "127.0.0.1:$TCP_PORT" --link-addr 11 --timeout 300 >"$WORK/to.out" 2>"$WORK/to.err"
expect_rc "wrong address" 1 $?
expect "wrong address: timeout" "$WORK/to.err" "timeout after 300 ms waiting for the outstation's response (READ)"

# ---- failures and usage ----
"$DNP3" master poll 127.0.0.1:1 >"$WORK/cr.out" 2>"$WORK/cr.err"
expect_rc "connection refused" 1 $?
expect "connection refused message" "$WORK/cr.err" "cannot connect to 127.0.0.1:1: connection refused"
"$DNP3" master operate "127.0.0.1:$TCP_PORT" --crob 0 >/dev/null 2>"$WORK/u1.err"
expect_rc "usage: --crob without --code" 2 $?
"$DNP3" master poll >/dev/null 2>&1
expect_rc "usage: no target" 2 $?
"$DNP3" outstation --points 0 >/dev/null 2>&1
expect_rc "usage: --points 0" 2 $?
printf 'points:\n  analog_input:\n    - {index: 0, class: 7}\n' >"$WORK/bad.yaml"
"$DNP3" outstation --config "$WORK/bad.yaml" >/dev/null 2>"$WORK/cfg.err"
expect_rc "config error" 2 $?
expect "config error names file, line and field" "$WORK/cfg.err" "bad.yaml:3: points.analog_input[0].class: 7 is out of range 0..3"

# ---- a YAML database served for real ----
start_outstation yaml --listen 127.0.0.1:0 --config "$SRC/examples/substation.yaml"
"$DNP3" master poll "127.0.0.1:$PORT" --json >"$WORK/yaml.json" 2>&1
expect_rc "poll of the YAML database" 0 $?
expect "YAML value" "$WORK/yaml.json" '{"type":"analog_input","index":1,"value":47,'

# ---- command events g13 / g43 (issue 11): the operate's outcome reported by a class poll ----
start_outstation cmdev --listen 127.0.0.1:0 --command-events 2
"$DNP3" master operate "127.0.0.1:$PORT" --crob 0 --code trip >/dev/null 2>&1
expect_rc "operate with command events" 0 $?
"$DNP3" master operate "127.0.0.1:$PORT" --analog 0 --value 139.5 --mode direct >/dev/null 2>&1
"$DNP3" master poll "127.0.0.1:$PORT" --class 2 --json >"$WORK/cmdev.json" 2>&1
expect_rc "command event poll" 0 $?
expect "binary output command event (trip: state 0, SUCCESS)" "$WORK/cmdev.json" '{"type":"binary_output_command","index":0,"value":0,"flags":null,"time":1'
expect "analog output command event" "$WORK/cmdev.json" '{"type":"analog_output_command","index":0,"value":139.5,"flags":null,"time":1'
expect "command status in the JSON" "$WORK/cmdev.json" '"status":0}'

# ---- UDP ----
start_outstation udp --udp 127.0.0.1:0
UDP_PORT=$PORT
"$DNP3" master poll "udp://127.0.0.1:$UDP_PORT" --json >"$WORK/udp.json" 2>&1
expect_rc "UDP poll" 0 $?
expect "UDP poll value" "$WORK/udp.json" '{"type":"analog_input","index":0,"value":138.2'
"$DNP3" master operate "udp://127.0.0.1:$UDP_PORT" --crob 2 --code latch-on --mode direct >"$WORK/udpop.out" 2>&1
expect_rc "UDP operate" 0 $?
"$DNP3" master poll "udp://127.0.0.1:$UDP_PORT" --class 1 --json >"$WORK/udpev.json" 2>&1
expect "UDP: pump running event" "$WORK/udpev.json" '{"type":"binary_input","index":2,"value":1,"flags":129,"time":1'

# ---- watch: start-up sequence and unsolicited events from a simulating outstation ----
start_outstation sim --listen 127.0.0.1:0 --simulate --sim-period 200
timeout -s INT 3 "$DNP3" master watch "127.0.0.1:$PORT" --json >"$WORK/watch.jsonl" 2>"$WORK/watch.err"
expect "watch: start-up integrity poll" "$WORK/watch.jsonl" '"type":"octet_string","index":0,"value":"SUBSTATION 7 NORTH"'
expect "watch: unsolicited events" "$WORK/watch.jsonl" '"event":true,"unsolicited":true'

# ---- clean shutdown ----
kill -TERM "$OS_PID"
wait "$OS_PID"
expect_rc "SIGTERM exit status" 0 $?
expect "shutdown message" "$WORK/tcp.log" "SIGTERM received, shutting down"

live_finish
