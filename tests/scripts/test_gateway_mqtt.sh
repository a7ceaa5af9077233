#!/usr/bin/env bash
# test_gateway_mqtt.sh BUILD_DIR - `dnp3 master run` publishing to a real mosquitto broker (started
# on a free 127.0.0.1 port with a generated configuration in the scratch directory) and storing in
# SQLite at once: every generated event is published (QoS 1) and stored; the payload is JSON with
# value, flags, time, event, name, unit (names and units from the YAML); the latest value of a
# point is retained; PREFIX/status is "online", and "offline" from the last will after a SIGKILL.
. "$(dirname "${BASH_SOURCE[0]}")/live.sh"
live_setup test_gateway_mqtt "$1" python3 sqlite3 mosquitto_sub
find_mosquitto
MPORT=$(free_port)
start_broker mosquitto "$MPORT"
sub() { mosquitto_sub -h 127.0.0.1 -p "$MPORT" "$@"; }

start_outstation os --listen 127.0.0.1:0 --simulate --sim-period 40 --sim-steps 60 --seed 5
mosquitto_sub -h 127.0.0.1 -p "$MPORT" -q 1 -t 'plant/#' -v >"$WORK/all.log" 2>&1 &
PIDS+=($!)
sleep 0.3
cat >"$WORK/gw.yaml" <<EOF
outstations:
  - name: feeder
    target: 127.0.0.1:$PORT
    event_period_s: 1
    points:
      counter:
        - {index: 0, name: "Feeder \"A\" energy", unit: kWh}
store: {sqlite: $WORK/g.db}
mqtt: {host: 127.0.0.1, port: $MPORT, prefix: plant}
EOF
start_gateway gw
wait_for "$WORK/os.log" "simulation finished" 200 || bad "the simulation did not finish"
GEN=$(sim_generated os)
expect_published_stored "JSON" "$WORK/all.log" "$WORK/g.db" "$GEN"
# every payload is JSON with the six fields
python3 - "$WORK/all.log" >"$WORK/json.out" 2>&1 <<'EOF'
import json, sys
bad = 0
for line in open(sys.argv[1]):
    topic, _, payload = line.rstrip("\n").partition(" ")
    if topic.endswith("/status"):
        continue
    d = json.loads(payload)
    if sorted(d) != ["event", "flags", "name", "time", "unit", "value"]:
        bad += 1
        print("fields:", line)
    if len(topic.split("/")) != 4:
        bad += 1
        print("topic:", line)
print("bad", bad)
EOF
expect "payloads are JSON with value, flags, time, event, name, unit" "$WORK/json.out" "bad 0"
# the retained latest value, with the configured name and unit
sub -t plant/feeder/counter/0 -C 1 -W 3 >"$WORK/retained.log" 2>&1
expect "retained latest" "$WORK/retained.log" '"event":true,"name":"Feeder \"A\" energy","unit":"kWh"}'
LAST=$(sqlite3 "$WORK/g.db" "SELECT value FROM latest WHERE type = 'counter' AND idx = 0")
expect "the retained value is the latest" "$WORK/retained.log" "{\"value\":${LAST%.0},"
sub -t plant/status -C 1 -W 3 >"$WORK/status1.log" 2>&1
expect "status online" "$WORK/status1.log" "online"
sub -t plant/feeder/status -C 1 -W 3 >"$WORK/status2.log" 2>&1
expect "outstation status" "$WORK/status2.log" '{"connected":true,'

# SIGKILL: the broker publishes the last will
kill -KILL "$GW"
wait "$GW" 2>/dev/null
for ((i = 0; i < 30; i++)); do
    sub -t plant/status -C 1 -W 2 >"$WORK/status3.log" 2>&1
    grep -q offline "$WORK/status3.log" && break
    sleep 0.1
done
expect "last will: offline" "$WORK/status3.log" "offline"

# the broker goes away while events flow and comes back: nothing is confirmed meanwhile, so the
# database (which deduplicates) still gets every event, and publishing resumes
kill "$OSPID"
wait "$OSPID" 2>/dev/null
start_outstation os3 --listen 127.0.0.1:0 --simulate --sim-period 25 --sim-steps 160 --seed 9
"$DNP3" master run "127.0.0.1:$PORT" --sqlite "$WORK/g3.db" --mqtt "127.0.0.1:$MPORT" --mqtt-prefix p3 --name rtu3 \
    --event-period 1 --timeout 2000 >"$WORK/gw3.log" 2>&1 &
GW=$!
PIDS+=("$GW")
wait_for "$WORK/gw3.log" "connected to" || bad "third gateway did not connect"
sleep 1
kill "$BROKER"
wait "$BROKER" 2>/dev/null
sleep 1
start_broker mosquitto "$MPORT"
wait_for "$WORK/os3.log" "simulation finished" 200 || bad "the third simulation did not finish"
GEN=$(sim_generated os3)
wait_stored "$WORK/g3.db" "$GEN" 200
expect_rc "broker restart: every event stored (generated $GEN)" "$GEN" \
    "$(stored_events "$WORK/g3.db")"
expect "broker restart: the outage was seen" "$WORK/gw3.log" "store mqtt unavailable"
expect "broker restart: publishing resumed" "$WORK/gw3.log" "store mqtt is back"
sub -t p3/status -C 1 -W 3 >"$WORK/status5.log" 2>&1
expect "broker restart: online again" "$WORK/status5.log" "online"
kill -TERM "$GW"
wait "$GW"
expect_rc "SIGTERM (third gateway)" 0 $?

# a clean stop says offline too (command-line options this time)
"$DNP3" master run "127.0.0.1:$PORT" --mqtt "127.0.0.1:$MPORT" --mqtt-prefix clean --name f2 >"$WORK/gw2.log" 2>&1 &
GW=$!
PIDS+=("$GW")
wait_for "$WORK/gw2.log" "connected to" || bad "second gateway did not connect"
sleep 0.5
kill -TERM "$GW"
wait "$GW"
expect_rc "SIGTERM" 0 $?
sub -t clean/status -C 1 -W 3 >"$WORK/status4.log" 2>&1
expect "clean stop: offline" "$WORK/status4.log" "offline"

live_finish
