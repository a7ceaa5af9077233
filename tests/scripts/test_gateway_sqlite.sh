#!/usr/bin/env bash
# test_gateway_sqlite.sh BUILD_DIR - `dnp3 master run --sqlite` against a simulating
# `dnp3 outstation` on 127.0.0.1: every event the simulation generated is stored exactly once
# (nothing lost, no duplicates), latest/outstations are filled, SIGTERM exits 0, the YAML
# configuration works and its errors are FILE:LINE: path: message with exit status 2.
. "$(dirname "${BASH_SOURCE[0]}")/live.sh"
live_setup test_gateway_sqlite "$1" sqlite3

q() { sqlite3 "$WORK/g.db" "$1"; }

# wait_rows N: until the store holds N event rows (at most ~15 s)
wait_rows() {
    local i
    for ((i = 0; i < 150; i++)); do
        [ "$(q 'SELECT count(*) FROM measurements WHERE event' 2>/dev/null)" = "$1" ] && return 0
        sleep 0.1
    done
    return 1
}

# ---- the command line: no-loss comparison ----
start_outstation os --listen 127.0.0.1:0 --simulate --sim-period 40 --sim-steps 100 --seed 7
"$DNP3" master run "127.0.0.1:$PORT" --sqlite "$WORK/g.db" --name rtu1 --event-period 1 >"$WORK/gw.log" 2>&1 &
GW=$!
PIDS+=("$GW")
wait_for "$WORK/os.log" "simulation finished" 200 || bad "the simulation did not finish"
GEN=$(sim_generated os)
[ -n "$GEN" ] && [ "$GEN" -gt 50 ] || bad "too few events generated: '$GEN'"
if wait_rows "$GEN"; then ok; else bad "stored $(q 'SELECT count(*) FROM measurements WHERE event') events, generated $GEN"; fi
DUP=$(q "SELECT count(*) FROM (SELECT 1 FROM measurements WHERE event GROUP BY type, idx, time_ms, value, flags HAVING count(*) > 1)")
expect_rc "no duplicate events" 0 "$DUP"
expect_rc "static rows of the integrity poll" 1 "$([ "$(q 'SELECT count(*) FROM measurements WHERE NOT event')" -gt 0 ] && echo 1)"
expect_rc "every event has its outstation time" 0 "$(q 'SELECT count(*) FROM measurements WHERE event AND time_ms IS NULL')"
expect_rc "latest: one row per point" "$(q 'SELECT count(DISTINCT type || idx) FROM measurements')" "$(q 'SELECT count(*) FROM latest')"
expect_rc "outstations row" "rtu1|1" "$(q 'SELECT name, connected FROM outstations')"
expect_rc "schema_version" 2 "$(q 'SELECT version FROM schema_version')"
expect_rc "WAL" wal "$(q 'PRAGMA journal_mode')"
kill -TERM "$GW"
wait "$GW"
expect_rc "SIGTERM" 0 $?
expect "summary" "$WORK/gw.log" "confirms released, 0 batches refused"
expect_rc "disconnected on exit" "rtu1|0" "$(q 'SELECT name, connected FROM outstations')"
kill "$OSPID"
wait "$OSPID" 2>/dev/null

# ---- a UDP target: the same no-loss comparison over datagrams ----
rm -f "$WORK/g.db"*
start_outstation udp --udp 127.0.0.1:0 --simulate --sim-period 40 --sim-steps 60 --seed 9
UPORT=$(sed -n 's/.*listening on udp 127.0.0.1:\([0-9]*\),.*/\1/p' "$WORK/udp.log")
"$DNP3" master run "udp://127.0.0.1:$UPORT" --sqlite "$WORK/g.db" --name rtu-udp --event-period 1 >"$WORK/gwu.log" 2>&1 &
GW=$!
PIDS+=("$GW")
wait_for "$WORK/udp.log" "simulation finished" 200 || bad "the UDP simulation did not finish"
GEN=$(sim_generated udp)
if wait_rows "$GEN"; then ok; else bad "udp: stored $(q 'SELECT count(*) FROM measurements WHERE event') events, generated $GEN"; fi
expect_rc "udp: no duplicate events" 0 "$(q "SELECT count(*) FROM (SELECT 1 FROM measurements WHERE event GROUP BY type, idx, time_ms, value, flags HAVING count(*) > 1)")"
expect_rc "udp: outstations row" "rtu-udp|1" "$(q 'SELECT name, connected FROM outstations')"
kill -TERM "$GW"
wait "$GW"
expect_rc "udp: SIGTERM" 0 $?
kill "$OSPID"
wait "$OSPID" 2>/dev/null
"$DNP3" master run "tls://127.0.0.1:1" --sqlite "$WORK/x.db" >"$WORK/tls.out" 2>&1
expect_rc "a tls target without a certificate" 2 $?
expect "tls target: why" "$WORK/tls.out" "a tls:// target needs the gateway's certificate"

# ---- --config: two outstations, one gateway ----
start_outstation os2 --listen 127.0.0.1:0 --link-addr 20 --master-addr 2 --simulate --sim-period 50 --sim-steps 40 --seed 3
PORT2=$PORT
start_outstation os3 --listen 127.0.0.1:0 --simulate --sim-period 30 --sim-steps 60 --seed 4 --no-unsolicited
PORT3=$PORT
cat >"$WORK/gw.yaml" <<EOF
outstations:
  - name: feeder-7
    target: 127.0.0.1:$PORT2
    link_addr: 20
    master_addr: 2
    integrity_period_s: 60
    event_period_s: 1
    unsolicited: true
    points:
      counter:
        - {index: 0, name: "Feeder energy", unit: kWh}
  - name: pump-station
    target: tcp://127.0.0.1:$PORT3
    event_period_s: 1
    unsolicited: false
store:
  sqlite: $WORK/c.db
EOF
"$DNP3" master run --config "$WORK/gw.yaml" >"$WORK/gw2.log" 2>&1 &
GW=$!
PIDS+=("$GW")
wait_for "$WORK/os2.log" "simulation finished" 200 || bad "the second simulation did not finish"
wait_for "$WORK/os3.log" "simulation finished" 200 || bad "the third simulation did not finish"
GEN2=$(sed -n 's/.*simulation finished: \([0-9]*\) events generated.*/\1/p' "$WORK/os2.log")
GEN3=$(sed -n 's/.*simulation finished: \([0-9]*\) events generated.*/\1/p' "$WORK/os3.log")
cq() { sqlite3 "$WORK/c.db" "$1" 2>/dev/null; }
for ((i = 0; i < 100; i++)); do
    [ "$(cq "SELECT count(*) FROM measurements WHERE event AND outstation = 'feeder-7'")" = "$GEN2" ] &&
        [ "$(cq "SELECT count(*) FROM measurements WHERE event AND outstation = 'pump-station'")" = "$GEN3" ] && break
    sleep 0.1
done
expect_rc "config: all events of feeder-7 stored" "$GEN2" "$(cq "SELECT count(*) FROM measurements WHERE event AND outstation = 'feeder-7'")"
expect_rc "config: all events of pump-station stored (polled only)" "$GEN3" \
    "$(cq "SELECT count(*) FROM measurements WHERE event AND outstation = 'pump-station'")"
expect_rc "config: both outstations connected" "feeder-7|1 pump-station|1" \
    "$(cq "SELECT name, connected FROM outstations ORDER BY name" | tr '\n' ' ' | sed 's/ $//')"
expect_rc "config: point names and units" "counter|0|Feeder energy|kWh" \
    "$(cq "SELECT type, idx, name, unit FROM points WHERE outstation = 'feeder-7'")"
kill -INT "$GW"
wait "$GW"
expect_rc "SIGINT" 0 $?

# ---- configuration errors: FILE:LINE: path: message, exit 2 ----
bad_config() { # bad_config NAME EXPECTED-TEXT (YAML on stdin)
    cat >"$WORK/$1.yaml"
    "$DNP3" master run --config "$WORK/$1.yaml" >"$WORK/$1.out" 2>&1
    expect_rc "$1: exit status" 2 $?
    expect "$1" "$WORK/$1.out" "$2"
}
bad_config unknown_key "$WORK/unknown_key.yaml:3: outstations[0].colour: unknown key" <<EOF
outstations:
  - name: a
    colour: red
    target: 127.0.0.1:1
store: {sqlite: x.db}
EOF
bad_config twice "$WORK/twice.yaml:4: outstations: given twice" <<EOF
outstations:
  - {name: a, target: 127.0.0.1:1}
store: {sqlite: x.db}
outstations:
  - {name: b, target: 127.0.0.1:2}
EOF
bad_config bad_addr "$WORK/bad_addr.yaml:3: outstations[0].link_addr:" <<EOF
outstations:
  - {name: a, target: 127.0.0.1,
     link_addr: 70000}
store: {sqlite: x.db}
EOF
bad_config bad_target "$WORK/bad_target.yaml:2: outstations[0].target: expected HOST[:PORT], tcp://" <<EOF
outstations:
  - {name: a, target: "mqtt://127.0.0.1:1883"}
store: {sqlite: x.db}
EOF
bad_config bad_port "$WORK/bad_port.yaml:3: outstations[0].target: bad port" <<EOF
outstations:
  - name: a
    target: 127.0.0.1:99999
store: {sqlite: x.db}
EOF
bad_config twice "the name 'a' is used twice" <<EOF
outstations:
  - {name: a, target: 127.0.0.1}
  - {name: a, target: 127.0.0.2}
store: {sqlite: x.db}
EOF
bad_config bad_type "outstations[0].points.colour: unknown point type" <<EOF
outstations:
  - name: a
    target: 127.0.0.1
    points: {colour: [{index: 1}]}
store: {sqlite: x.db}
EOF
# no store given: the embedded default, ./dnp3.db (from the command line and from a file)
start_outstation osd --listen 127.0.0.1:0 --simulate --sim-period 100 --sim-steps 10
mkdir -p "$WORK/cli" "$WORK/yaml"
printf 'outstations:\n  - {name: d, target: 127.0.0.1:%s}\n' "$PORT" >"$WORK/yaml/gw.yaml"
(cd "$WORK/cli" && timeout -s INT 3 "$DNP3" master run "127.0.0.1:$PORT" --name d >"$WORK/cli.out" 2>&1)
(cd "$WORK/yaml" && timeout -s INT 3 "$DNP3" master run --config gw.yaml >"$WORK/yaml.out" 2>&1)
for w in cli yaml; do
    expect "no store ($w): says where" "$WORK/$w.out" "storing in sqlite dnp3.db"
    expect_rc "no store ($w): ./dnp3.db holds the outstation and its values" "d|1" \
        "$(sqlite3 "$WORK/$w/dnp3.db" "SELECT name, (SELECT count(*) > 0 FROM latest WHERE outstation = 'd') FROM outstations")"
done
"$DNP3" master run 127.0.0.1:1 --sqlite "$WORK/nodir/x.db" >"$WORK/baddb.out" 2>&1
expect_rc "unwritable SQLite file" 1 $?
expect "unwritable message" "$WORK/baddb.out" "cannot open"

live_finish
