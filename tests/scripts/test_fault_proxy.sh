#!/usr/bin/env bash
# test_fault_proxy.sh BUILD_DIR SOURCE_DIR - no event lost between real processes over a bad
# link (issue 6): `dnp3 outstation --simulate` generates events for a fixed number of steps and
# says how many; `dnp3 master watch --json` receives them through tests/tools/fault_proxy,
# which cuts and stalls the TCP connection at seeded random moments for the first seconds.
# Afterwards the set of distinct events the master printed (type, index, time, value) must
# equal the number generated; repeats after a cut are allowed (DNP3 reports unconfirmed
# events again), losses are not. FAULT_SEED and FAULT_STEPS override the defaults.
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/live.sh"
live_setup test_fault_proxy "$1" python3
[ -x "$BUILD/tests/fault_proxy" ] || { echo "skip: $BUILD/tests/fault_proxy not built"; exit 77; }
SEED=${FAULT_SEED:-7}
STEPS=${FAULT_STEPS:-300}

run() { # run NAME SIM_PERIOD_MS STEPS: one outstation, proxy and master; checks generated == received
    local name=$1 period=$2 STEPS=$3
    start_outstation "$name-os" --listen 127.0.0.1:0 --simulate --sim-period "$period" --sim-steps "$STEPS" \
        --keep-alive 2000
    local os=$OSPID duration=$((STEPS * period))
    start_proxy "$name-proxy" "$PORT" --seed "$SEED" --every-ms 300-1200 --stall-ms 900 --duration-ms "$duration"
    local proxy=$PROXYPID
    "$DNP3" master watch "127.0.0.1:$PPORT" --json --event-period 1 --integrity-period 0 --timeout 1000 \
        >"$WORK/$name-master.json" 2>"$WORK/$name-master.err" &
    local master=$!
    PIDS+=($master)
    for _ in $(seq $((duration / 100 + 100))); do grep -q "simulation finished" "$WORK/$name-os.log" && break; sleep 0.1; done
    sleep 6 # the faults have stopped: the master reconnects and collects what is left
    kill -INT "$master"
    wait "$master" 2>/dev/null
    kill -TERM "$proxy" "$os"
    wait "$proxy" "$os" 2>/dev/null
    local generated
    generated=$(sed -n 's/.*simulation finished: \([0-9]*\) events generated.*/\1/p' "$WORK/$name-os.log")
    python3 - "$WORK/$name-master.json" "${generated:-0}" "$name" "$(tail -1 "$WORK/$name-proxy.log")" <<'EOF'
import json, sys
path, generated, name, proxy = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
seen, repeats = set(), 0
for line in open(path):
    line = line.strip()
    if not line.startswith("{"):
        continue
    o = json.loads(line)
    if not o.get("event"):
        continue
    key = (o["type"], o["index"], o["time"], o["value"])
    if key in seen:
        repeats += 1
    seen.add(key)
print(f"{name}: {generated} events generated, {len(seen)} distinct events received, {repeats} repeats; {proxy}")
sys.exit(0 if generated > 0 and len(seen) == generated else 1)
EOF
    if [ $? -eq 0 ]; then
        ok
    else
        bad "$name lost events (seed $SEED); outstation log tail:"
        tail -5 "$WORK/$name-os.log"
        tail -3 "$WORK/$name-master.err"
    fi
    expect "$name: the proxy cut" "$WORK/$name-proxy.log" "cut the connection"
}

run fast 20 "$STEPS"
run slow 60 $((STEPS / 3))

live_finish
