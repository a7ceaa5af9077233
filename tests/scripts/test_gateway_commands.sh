#!/usr/bin/env bash
# test_gateway_commands.sh BUILD_DIR - commands from MQTT through `dnp3 master run` to a
# `dnp3 outstation --simulate`, with a real mosquitto that wants a login (password file made by
# mosquitto_passwd, allow_anonymous false): {"crob":0,"code":"trip"} trips the simulated breaker
# (select-before-operate; the outstation logs the OPERATE and reports the breaker's new state as an event), {"analog":0,"value":...} sets an
# analog output; every result is published on PREFIX/OUTSTATION/command/result and audited in the
# commands table (who, what, when, result). Refused, with the reason: commands disabled for the
# outstation, bad JSON, unknown point, a command status other than SUCCESS, an unknown outstation,
# and a gateway whose broker connection is not authenticated (a second, anonymous broker).
. "$(dirname "${BASH_SOURCE[0]}")/live.sh"
live_setup test_gateway_commands "$1" python3 sqlite3 mosquitto_sub mosquitto_pub mosquitto_passwd
find_mosquitto

MPORT=$(free_port)
touch "$WORK/passwd"
chmod 600 "$WORK/passwd"
mosquitto_passwd -b "$WORK/passwd" gateway 'gw-secret' 2>/dev/null
mosquitto_passwd -b "$WORK/passwd" operator 'op-secret' 2>/dev/null
start_broker broker "$MPORT" "allow_anonymous false" "password_file $WORK/passwd"
pub() { mosquitto_pub -h 127.0.0.1 -p "$MPORT" -u operator -P op-secret -q 1 "$@"; }

start_outstation os --listen 127.0.0.1:0 --simulate --sim-period 500
OSPORT=$PORT
start_outstation os2 --listen 127.0.0.1:0 --simulate --sim-period 500
OS2PORT=$PORT
cat >"$WORK/gw.yaml" <<EOF
outstations:
  - name: feeder
    target: 127.0.0.1:$OSPORT
    event_period_s: 1
    commands: true
  - name: quiet
    target: 127.0.0.1:$OS2PORT
    event_period_s: 1
store: {sqlite: $WORK/g.db}
mqtt: {host: 127.0.0.1, port: $MPORT, prefix: plant, username: gateway, password: gw-secret}
EOF
mosquitto_sub -h 127.0.0.1 -p "$MPORT" -u operator -P op-secret -q 1 -t 'plant/+/command/result' -v \
    >"$WORK/results.log" 2>&1 &
PIDS+=($!)
start_gateway gw
for ((i = 0; i < 100; i++)); do
    [ "$(grep -c 'connected to' "$WORK/gw.log")" -ge 2 ] && break
    sleep 0.05
done
# the integrity polls: the gateway learns the output points (stored in the same transaction)
for ((i = 0; i < 200; i++)); do
    [ "$(sqlite3 "$WORK/g.db" "SELECT count(DISTINCT type) FROM latest WHERE outstation = 'feeder' AND
        type IN ('binary_output_status', 'analog_output_status')" 2>/dev/null)" = 2 ] && break
    sleep 0.05
done

# send TOPIC JSON: publishes and waits for the next result line
n_results=0
send() {
    pub -t "plant/$1/command" -m "$2"
    n_results=$((n_results + 1))
    for ((i = 0; i < 100; i++)); do
        [ "$(wc -l <"$WORK/results.log")" -ge "$n_results" ] && break
        sleep 0.05
    done
    tail -1 "$WORK/results.log" >"$WORK/last.txt"
}

send feeder '{"crob":0,"code":"trip","client":"op-console-1","id":"c1"}'
expect "trip: SUCCESS" "$WORK/last.txt" 'plant/feeder/command/result {"ok":true,"result":"SUCCESS","command":"crob 0 trip","id":"c1",'
expect "trip: the outstation operated (after the SELECT, which it does not log)" "$WORK/os.log" \
    "control: OPERATE CROB 0 TRIP/PULSE_ON -> off/trip"
send feeder '{"analog":0,"value":138.5}'
expect "analog: SUCCESS" "$WORK/last.txt" '{"ok":true,"result":"SUCCESS","command":"analog 0 = 138.5"'
send feeder '{"analog":0,"value":99999}'
expect "analog out of range: the command status" "$WORK/last.txt" '"ok":false,"result":"command status OUT_OF_RANGE"'
send feeder '{"crob":0,"code":"trip"'
expect "bad JSON" "$WORK/last.txt" '"ok":false,"result":"refused: bad JSON'
send feeder '{"crob":0,"code":"explode"}'
expect "unknown code" "$WORK/last.txt" 'unknown code'
send feeder '{"crob":999,"code":"trip"}'
expect "unknown point" "$WORK/last.txt" '"result":"refused: unknown point'
send quiet '{"crob":0,"code":"trip"}'
expect "commands disabled" "$WORK/last.txt" 'plant/quiet/command/result {"ok":false,"result":"refused: commands disabled'
send nobody '{"crob":0,"code":"trip"}'
expect "unknown outstation" "$WORK/last.txt" '"result":"refused: unknown outstation"'
expect_not "the disabled outstation was not operated" "$WORK/os2.log" "OPERATE"

# the audit
sqlite3 -separator ' | ' "$WORK/g.db" \
    "SELECT outstation, who, command, type, idx, value, result, issued_ms > 0, completed_ms >= issued_ms FROM commands ORDER BY rowid" \
    >"$WORK/audit.txt"
expect "audit: the trip, who, when" "$WORK/audit.txt" "feeder | op-console-1 | crob 0 trip | crob | 0 |  | SUCCESS | 1 | 1"
expect "audit: the analog" "$WORK/audit.txt" "feeder | unknown | analog 0 = 138.5 | analog_output | 0 | 138.5 | SUCCESS | 1 | 1"
expect "audit: the refusal" "$WORK/audit.txt" "quiet | unknown | crob 0 trip | crob | 0 |  | refused: commands disabled"
expect_rc "audit: every command" 8 "$(wc -l <"$WORK/audit.txt")"
expect_rc "schema version 2" 2 "$(sqlite3 "$WORK/g.db" 'SELECT version FROM schema_version')"
# the breaker tripped: the outstation reported the event "CB-101 closed" (binary input 0) = 0
q() { sqlite3 "$WORK/g.db" "$1"; }
expect_rc "the breaker is open (binary input 0 event)" "0.0" \
    "$(q "SELECT value FROM measurements WHERE outstation = 'feeder' AND type = 'binary_input' AND idx = 0 AND event")"
kill -TERM "$GW"
wait "$GW"
expect_rc "SIGTERM" 0 $?

# a store of schema version 1 (before commands.who) is upgraded when the gateway opens it
sqlite3 "$WORK/v1.db" "CREATE TABLE commands(outstation TEXT NOT NULL, issued_ms BIGINT NOT NULL, command TEXT NOT NULL,
    type TEXT, idx INTEGER, value DOUBLE PRECISION, result TEXT, completed_ms BIGINT);
    INSERT INTO commands VALUES('old', 1, 'x', NULL, NULL, NULL, 'r', 2);
    CREATE TABLE schema_version(version INTEGER NOT NULL); INSERT INTO schema_version VALUES(1);"
"$DNP3" master run "127.0.0.1:$OSPORT" --sqlite "$WORK/v1.db" --name v1 >"$WORK/gwv1.log" 2>&1 &
GW=$!
PIDS+=("$GW")
wait_for "$WORK/gwv1.log" "connected to" || bad "the version 1 gateway did not connect"
kill -TERM "$GW"
wait "$GW"
expect_rc "version 1 store: upgraded to 2" 2 "$(sqlite3 "$WORK/v1.db" 'SELECT version FROM schema_version')"
expect_rc "version 1 store: commands.who added, the old row kept" "old|" \
    "$(sqlite3 "$WORK/v1.db" 'SELECT outstation, who FROM commands')"

# a gateway without a broker login refuses commands even where they are enabled
APORT=$(free_port)
start_broker anon "$APORT" "allow_anonymous true"
sed -e "s/port: $MPORT, prefix: plant, username: gateway, password: gw-secret/port: $APORT, prefix: plant/" \
    -e "s|$WORK/g.db|$WORK/g2.db|" "$WORK/gw.yaml" >"$WORK/gw2.yaml"
mosquitto_sub -h 127.0.0.1 -p "$APORT" -t 'plant/+/command/result' -C 1 -W 10 >"$WORK/anon.txt" 2>&1 &
ASUB=$!
start_gateway gw2
wait_for "$WORK/gw2.log" "connected to" || bad "second gateway did not connect"
sleep 0.5
mosquitto_pub -h 127.0.0.1 -p "$APORT" -q 1 -t plant/feeder/command -m '{"crob":0,"code":"close"}'
wait "$ASUB"
expect "unauthenticated broker connection: refused" "$WORK/anon.txt" '"result":"refused: unauthenticated broker connection'
kill -TERM "$GW"
wait "$GW"
expect "refusal audited" <(sqlite3 "$WORK/g2.db" "SELECT result FROM commands") "refused: unauthenticated"

# a wrong broker password: the broker's own refusal is what the log says
sed -e "s/password: gw-secret/password: not-it/" -e "s|$WORK/g.db|$WORK/g4.db|" "$WORK/gw.yaml" >"$WORK/gw4.yaml"
run_until "$WORK/gw4.log" "Connection Refused: not authorised" "$DNP3" master run --config "$WORK/gw4.yaml"
expect "wrong broker password: the CONNACK's reason" "$WORK/gw4.log" "Connection Refused: not authorised"

# mqtt commands: false (url and topic_prefix spelled as well): the gateway does not even subscribe
# to the command topic, although the outstation allows commands and the login is there
sed -e "s/mqtt: {host: 127.0.0.1, port: $MPORT, prefix: plant,/mqtt: {url: mqtt:\/\/127.0.0.1:$MPORT, topic_prefix: plant, commands: false,/" \
    -e "s|$WORK/g.db|$WORK/g3.db|" "$WORK/gw.yaml" >"$WORK/gw3.yaml"
grep -q "commands: false," "$WORK/gw3.yaml" || bad "gw3.yaml was not made"
OPS=$(grep -c "control: OPERATE" "$WORK/os.log")
start_gateway gw3
wait_for "$WORK/gw3.log" "connected to" || bad "third gateway did not connect"
sleep 0.5
mosquitto_sub -h 127.0.0.1 -p "$MPORT" -u operator -P op-secret -t 'plant/+/command/result' -C 1 -W 2 \
    >"$WORK/off.txt" 2>&1 &
OSUB=$!
sleep 0.3
pub -t plant/feeder/command -m '{"crob":0,"code":"trip","id":"off"}'
wait "$OSUB"
expect_not "commands: false: no result" "$WORK/off.txt" '"id":"off"'
kill -TERM "$GW"
wait "$GW"
expect_rc "commands: false: nothing audited" 0 "$(sqlite3 "$WORK/g3.db" "SELECT count(*) FROM commands")"
expect_rc "commands: false: the outstation operated nothing more" "$OPS" "$(grep -c "control: OPERATE" "$WORK/os.log")"
live_finish
