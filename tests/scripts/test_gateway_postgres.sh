#!/usr/bin/env bash
# test_gateway_postgres.sh BUILD_DIR - `dnp3 master run --postgres` against a throw-away PostgreSQL
# server (initdb + pg_ctl in the scratch directory, on a free 127.0.0.1 port, as an unprivileged
# user when run as root; stopped and removed afterwards) and a simulating `dnp3 outstation`: every
# generated event is stored exactly once although the server is stopped and started again while
# events flow (no confirm while the store is down: the outstation keeps its events).
. "$(dirname "${BASH_SOURCE[0]}")/live.sh"
live_setup test_gateway_postgres "$1" python3
PGBIN=$(pg_config --bindir 2>/dev/null)
[ -x "$PGBIN/initdb" ] || PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -x "$PGBIN/initdb" ] && [ -x "$PGBIN/pg_ctl" ] && [ -x "$PGBIN/postgres" ] ||
    { echo "skip: PostgreSQL server binaries (initdb, pg_ctl, postgres) not installed"; exit 77; }
command -v psql >/dev/null || { echo "skip: psql not installed"; exit 77; }

PGDIR=$WORK/pg
mkdir -p "$PGDIR"
AS=()
if [ "$(id -u)" -eq 0 ]; then # the server refuses to run as root
    chmod 755 "$WORK"
    chown nobody "$PGDIR"
    AS=(runuser -u nobody --)
fi
PGPORT=$(free_port)
pg() { (cd "$PGDIR" && "${AS[@]}" "$PGBIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/log" "$@" >>"$PGDIR/ctl.log" 2>&1); }
pg_start() {
    pg -w -t 20 -o "-p $PGPORT -k $PGDIR -c listen_addresses=127.0.0.1 -c fsync=off" start
}
pg_cleanup() {
    pg -m immediate stop
    live_cleanup
}
trap pg_cleanup EXIT

(cd "$PGDIR" && "${AS[@]}" "$PGBIN/initdb" -D "$PGDIR/data" -U postgres --auth=trust -E UTF8 --no-sync \
    >"$PGDIR/initdb.log" 2>&1) || { echo "FAIL: initdb"; cat "$PGDIR/initdb.log"; exit 1; }
pg_start || { echo "FAIL: PostgreSQL did not start"; cat "$PGDIR/log" "$PGDIR/ctl.log"; exit 1; }
CONN="host=127.0.0.1 port=$PGPORT user=postgres dbname=postgres"
q() { psql "$CONN" -Atqc "$1" 2>/dev/null; }

start_outstation os --listen 127.0.0.1:0 --simulate --sim-period 25 --sim-steps 240 --seed 11
"$DNP3" master run "127.0.0.1:$PORT" --postgres "$CONN" --name rtu --event-period 1 --timeout 2000 \
    >"$WORK/gw.log" 2>&1 &
GW=$!
PIDS+=("$GW")
wait_for "$WORK/gw.log" "connected to" || bad "the gateway did not connect"

# the store goes away while events flow, and comes back
sleep 1.5
pg -m fast -w stop || bad "PostgreSQL did not stop"
sleep 1.5
pg_start || bad "PostgreSQL did not start again"

wait_for "$WORK/os.log" "simulation finished" 300 || bad "the simulation did not finish"
GEN=$(sim_generated os)
for ((i = 0; i < 200; i++)); do
    [ "$(q 'SELECT count(*) FROM measurements WHERE event')" = "$GEN" ] && break
    sleep 0.1
done
STORED=$(q 'SELECT count(*) FROM measurements WHERE event')
echo "generated $GEN events, stored $STORED"
expect_rc "every generated event stored (generated $GEN)" "$GEN" "$STORED"
expect_rc "no duplicate events" 0 "$(q "SELECT count(*) FROM (SELECT 1 FROM measurements WHERE event GROUP BY type, idx, time_ms, value, flags HAVING count(*) > 1) d")"
expect "the outage was seen" "$WORK/gw.log" "store postgres unavailable"
expect "the store came back" "$WORK/gw.log" "store postgres is back"
expect_rc "latest: one row per point" "$(q 'SELECT count(DISTINCT (type, idx)) FROM measurements')" "$(q 'SELECT count(*) FROM latest')"
# latest keeps the newest: a row without a time stamp, or else the greatest time stored after it
# (the sink sends a batch's rows per point reduced to those two; docs/gateway.md)
expect_rc "latest: the newest value of every point" 0 "$(q "SELECT count(*) FROM latest l WHERE l.time_ms IS NOT NULL
    AND l.time_ms <> (SELECT max(m.time_ms) FROM measurements m WHERE m.type = l.type AND m.idx = l.idx
        AND m.received_ms >= COALESCE((SELECT max(u.received_ms) FROM measurements u WHERE u.type = l.type
            AND u.idx = l.idx AND u.time_ms IS NULL), 0))")"
expect_rc "latest: timed values only where events came last" 0 "$(q "SELECT count(*) FROM latest l WHERE l.value IS DISTINCT FROM
    (SELECT m.value FROM measurements m WHERE m.type = l.type AND m.idx = l.idx
        AND m.time_ms IS NOT DISTINCT FROM l.time_ms ORDER BY m.received_ms DESC LIMIT 1)")"
expect_rc "outstations row" "rtu|t" "$(q 'SELECT name, connected FROM outstations')"
expect_rc "schema_version" 2 "$(q 'SELECT version FROM schema_version')"
kill -TERM "$GW"
wait "$GW"
expect_rc "SIGTERM" 0 $?
expect_rc "disconnected on exit" "rtu|f" "$(q "SELECT name, connected FROM outstations WHERE name = 'rtu'")"
kill "$OSPID"
wait "$OSPID" 2>/dev/null

# the server is down when the gateway starts: it polls, confirms nothing, and stores once it is up
pg -m fast -w stop || bad "PostgreSQL did not stop"
start_outstation os2 --listen 127.0.0.1:0 --simulate --sim-period 25 --sim-steps 60 --seed 12
cat >"$WORK/gw2.yaml" <<EOF
outstations:
  - name: rtu2
    target: 127.0.0.1:$PORT
    event_period_s: 1
    timeout_ms: 2000
    points:
      counter:
        - {index: 1, name: "Pump energy", unit: kWh}
store:
  postgres: "$CONN"
EOF
"$DNP3" master run --config "$WORK/gw2.yaml" >"$WORK/gw2.log" 2>&1 &
GW=$!
PIDS+=("$GW")
wait_for "$WORK/gw2.log" "store postgres unavailable" || bad "the gateway did not report the server missing"
sleep 1
pg_start || bad "PostgreSQL did not start again"
wait_for "$WORK/os2.log" "simulation finished" 200 || bad "the second simulation did not finish"
GEN=$(sim_generated os2)
for ((i = 0; i < 200; i++)); do
    [ "$(q "SELECT count(*) FROM measurements WHERE event AND outstation = 'rtu2'")" = "$GEN" ] && break
    sleep 0.1
done
expect_rc "server late: every event stored (generated $GEN)" "$GEN" \
    "$(q "SELECT count(*) FROM measurements WHERE event AND outstation = 'rtu2'")"
kill -TERM "$GW"
wait "$GW"
expect_rc "SIGTERM (second gateway)" 0 $?
expect_rc "point names and units" "counter|1|Pump energy|kWh" \
    "$(q "SELECT type, idx, name, unit FROM points WHERE outstation = 'rtu2'")"

# --shard K/N: two gateways given one file of six outstations share them by the FNV-1a hash of the
# name (computed here independently), and both write into the one server
start_outstation os4 --listen 127.0.0.1:0 --max-masters 6 --simulate --sim-period 50
{
    echo "outstations:"
    for n in s1 s2 s3 s4 s5 s6; do echo "  - {name: $n, target: \"127.0.0.1:$PORT\", event_period_s: 1}"; done
    echo "store: {postgres: \"$CONN\"}"
} >"$WORK/fleet.yaml"
fnv_shard() { python3 -c 'import sys
h = 2166136261
for b in sys.argv[1].encode(): h = ((h ^ b) * 16777619) & 0xFFFFFFFF
print(h % int(sys.argv[2]))' "$1" "$2"; }
for k in 0 1; do
    "$DNP3" master run --config "$WORK/fleet.yaml" --shard "$k/2" >"$WORK/shard$k.log" 2>&1 &
    eval "SHARD$k=\$!"
    PIDS+=("$!")
done
for ((i = 0; i < 200; i++)); do
    [ "$(cat "$WORK/shard0.log" "$WORK/shard1.log" | grep -c ': connected to ')" -ge 6 ] && break
    sleep 0.05
done
N0=0
for n in s1 s2 s3 s4 s5 s6; do
    k=$(fnv_shard "$n" 2)
    [ "$k" = 0 ] && N0=$((N0 + 1))
    expect "$n runs in shard $k" "$WORK/shard$k.log" "$n: connected to"
    expect_not "$n does not run in shard $((1 - k))" "$WORK/shard$((1 - k)).log" "$n: connected to"
done
expect "shard 0's share announced" "$WORK/shard0.log" "shard 0/2: $N0 of 6 outstations"
expect "shard 1's share announced" "$WORK/shard1.log" "shard 1/2: $((6 - N0)) of 6 outstations"
for ((i = 0; i < 100; i++)); do
    [ "$(q "SELECT count(DISTINCT outstation) FROM measurements WHERE event AND outstation LIKE 's_'")" = 6 ] && break
    sleep 0.1
done
expect_rc "both shards store into one server: events of all six" 6 \
    "$(q "SELECT count(DISTINCT outstation) FROM measurements WHERE event AND outstation LIKE 's_'")"
expect_rc "six outstation rows, all connected" "6|6" \
    "$(q "SELECT count(*), count(*) FILTER (WHERE connected) FROM outstations WHERE name LIKE 's_'")"
expect_rc "the outstation serves six masters, not twelve" 6 "$(grep -c 'connection accepted from' "$WORK/os4.log")"
kill -TERM "$SHARD0" "$SHARD1"
wait "$SHARD0"
expect_rc "SIGTERM (shard 0)" 0 $?
wait "$SHARD1"
expect_rc "SIGTERM (shard 1)" 0 $?
kill "$OSPID"
wait "$OSPID" 2>/dev/null

# a command from MQTT audited in PostgreSQL (when a mosquitto broker is installed)
MOSQUITTO=$(command -v mosquitto || ls /usr/sbin/mosquitto 2>/dev/null)
if [ -x "$MOSQUITTO" ] && command -v mosquitto_pub >/dev/null && command -v mosquitto_sub >/dev/null; then
    MPORT=$(free_port)
    start_broker mosquitto "$MPORT"
    start_outstation os3 --listen 127.0.0.1:0 --simulate --sim-period 500
    cat >"$WORK/gw3.yaml" <<EOF
outstations:
  - {name: rtu3, target: "127.0.0.1:$PORT", event_period_s: 1, commands: true}
store: {postgres: "$CONN"}
mqtt: {host: 127.0.0.1, port: $MPORT, prefix: pgc, username: gateway}
EOF
    "$DNP3" master run --config "$WORK/gw3.yaml" >"$WORK/gw3.log" 2>&1 &
    GW=$!
    PIDS+=("$GW")
    for ((i = 0; i < 200; i++)); do
        [ "$(q "SELECT count(*) FROM latest WHERE outstation = 'rtu3' AND type = 'binary_output_status'")" = 3 ] && break
        sleep 0.05
    done
    mosquitto_sub -h 127.0.0.1 -p "$MPORT" -t pgc/rtu3/command/result -C 1 -W 10 >"$WORK/result.txt" 2>&1 &
    SUB=$!
    PIDS+=("$SUB")
    sleep 0.3
    mosquitto_pub -h 127.0.0.1 -p "$MPORT" -q 1 -t pgc/rtu3/command -m '{"crob":0,"code":"trip","client":"pg-test"}'
    wait "$SUB"
    expect "command: SUCCESS" "$WORK/result.txt" '{"ok":true,"result":"SUCCESS","command":"crob 0 trip"'
    kill -TERM "$GW"
    wait "$GW"
    expect_rc "command audited in PostgreSQL" "rtu3|pg-test|crob 0 trip|crob|0|SUCCESS|t" \
        "$(q "SELECT outstation, who, command, type, idx, result, completed_ms >= issued_ms FROM commands")"
fi

live_finish
