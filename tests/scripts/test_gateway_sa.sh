#!/usr/bin/env bash
# test_gateway_sa.sh BUILD_DIR - `dnp3 master run` towards an outstation that demands Secure
# Authentication v5 (`dnp3 outstation --sa-user 1 --sa-update-key-file K --simulate`): with the
# user's update key in the outstation's security: section (a file name relative to the
# configuration file) the gateway changes session keys, stores every event, and a trip from MQTT
# (a critical request) is authenticated and operated; with a wrong key the failure is logged with
# its reason and nothing is operated; a missing key file stops the gateway at start-up naming the
# YAML line (exit 2); --sa-update-key-file does the same for one target on the command line.
. "$(dirname "${BASH_SOURCE[0]}")/live.sh"
live_setup test_gateway_sa "$1" sqlite3 mosquitto_sub mosquitto_pub
find_mosquitto
MPORT=$(free_port)
start_broker mosquitto "$MPORT"

mkdir -p "$WORK/etc/keys"
printf '000102030405060708090a0b0c0d0e0f\n' >"$WORK/etc/keys/user1.key"
printf 'ffeeddccbbaa99887766554433221100\n' >"$WORK/etc/keys/wrong.key"
start_outstation os --listen 127.0.0.1:0 --sa-user 1 --sa-update-key-file "$WORK/etc/keys/user1.key" \
    --simulate --sim-period 40 --sim-steps 60 --seed 3

# gw_yaml NAME KEY DB: $WORK/etc/NAME.yaml with the outstation's SA user 1 and the key keys/KEY
gw_yaml() {
    cat >"$WORK/etc/$1.yaml" <<EOF
outstations:
  - name: feeder
    target: 127.0.0.1:$PORT
    event_period_s: 1
    commands: true
    security:
      secure_authentication:
        user: 1
        update_key_file: keys/$2
store: {sqlite: $3}
mqtt: {host: 127.0.0.1, port: $MPORT, prefix: plant, username: gateway}
EOF
}
gw_yaml gw user1.key "$WORK/g.db"
"$DNP3" master run --config "$WORK/etc/gw.yaml" >"$WORK/gw.log" 2>&1 &
GW=$!
PIDS+=("$GW")
wait_for "$WORK/os.log" "simulation finished" 200 || bad "the simulation did not finish"
GEN=$(sim_generated os)
wait_stored "$WORK/g.db" "$GEN" 100
expect_rc "with SA: every event stored (generated $GEN)" "$GEN" \
    "$(stored_events "$WORK/g.db")"
expect "the gateway changed session keys" "$WORK/gw.log" "feeder: security: session keys changed, user 1"

# a trip from MQTT: a critical request, authenticated by the outstation, then operated
result() { # result ID: the command result for ID, published within 10 s
    mosquitto_sub -h 127.0.0.1 -p "$MPORT" -t 'plant/feeder/command/result' -C 1 -W 10 >"$WORK/$1.txt" 2>&1 &
    local sub=$!
    sleep 0.3
    mosquitto_pub -h 127.0.0.1 -p "$MPORT" -q 1 -t plant/feeder/command -m "{\"crob\":0,\"code\":\"trip\",\"id\":\"$1\"}"
    wait "$sub"
}
result t1
expect "trip with SA: SUCCESS" "$WORK/t1.txt" '"ok":true,"result":"SUCCESS"'
expect "the outstation authenticated the gateway" "$WORK/os.log" "security: authenticated, user 1"
expect "the outstation operated" "$WORK/os.log" "control: OPERATE CROB 0 TRIP"
kill -TERM "$GW"
wait "$GW"
expect_rc "SIGTERM" 0 $?

# the wrong key: the key change fails, logged with the reason; a trip is not operated
OPS=$(grep -c "control: OPERATE" "$WORK/os.log")
gw_yaml wrong wrong.key "$WORK/w.db"
"$DNP3" master run --config "$WORK/etc/wrong.yaml" >"$WORK/wrong.log" 2>&1 &
GW=$!
PIDS+=("$GW")
wait_for "$WORK/wrong.log" "(wrong update key?)" 200 || bad "the wrong key was not reported"
result t2
expect "wrong key: the trip is answered, not ok" "$WORK/t2.txt" '"ok":false'
expect_rc "wrong key: nothing operated" "$OPS" "$(grep -c "control: OPERATE" "$WORK/os.log")"
kill -TERM "$GW"
wait "$GW"

# a missing key file: a start-up error naming the YAML line, exit 2
gw_yaml missing none.key "$WORK/m.db"
"$DNP3" master run --config "$WORK/etc/missing.yaml" >"$WORK/missing.out" 2>&1
expect_rc "missing key file: exit 2" 2 $?
expect "missing key file: names the line" "$WORK/missing.out" \
    "missing.yaml:9: outstations[0].security.secure_authentication.update_key_file $WORK/etc/keys/none.key: cannot open"
# security: without a key file, and a per-outstation tls: section, are refused
printf 'outstations:\n  - {name: a, target: 127.0.0.1:1, security: {secure_authentication: {user: 2}}}\n' \
    >"$WORK/etc/nokey.yaml"
"$DNP3" master run --config "$WORK/etc/nokey.yaml" >"$WORK/nokey.out" 2>&1
expect_rc "no update_key_file: exit 2" 2 $?
expect "no update_key_file: message" "$WORK/nokey.out" "needs the user's update_key_file"

# one target on the command line: --sa-update-key-file
timeout -s INT 4 "$DNP3" master run "127.0.0.1:$PORT" --sa-user 1 --sa-update-key-file "$WORK/etc/keys/user1.key" \
    --sqlite "$WORK/c.db" --name feeder >"$WORK/cli.log" 2>&1
expect "command line: session keys changed" "$WORK/cli.log" "feeder: security: session keys changed, user 1"
live_finish
