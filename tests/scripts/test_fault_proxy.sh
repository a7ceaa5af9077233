#!/usr/bin/env bash
# test_fault_proxy.sh BUILD_DIR SOURCE_DIR - no event lost between real processes over a bad
# link (issue 6): `dnp3 outstation --simulate` generates events for a fixed number of steps and
# says how many; `dnp3 master watch --json` receives them through tests/tools/fault_proxy,
# which cuts and stalls the TCP connection at seeded random moments for the first seconds.
# Afterwards the set of distinct events the master printed (type, index, time, value) must
# equal the number generated; repeats after a cut are allowed (DNP3 reports unconfirmed
# events again), losses are not. FAULT_SEED and FAULT_STEPS override the defaults.
set -uo pipefail
BUILD=$1
DNP3=$BUILD/dnp3
PROXY=$BUILD/tests/fault_proxy
[ -x "$DNP3" ] && [ -x "$PROXY" ] || { echo "skip: $DNP3 or $PROXY not built"; exit 77; }
command -v python3 >/dev/null || { echo "skip: python3 not installed"; exit 77; }
WORK=$(mktemp -d)
PIDS=()
cleanup() {
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
    wait 2>/dev/null
    rm -rf "$WORK"
}
trap cleanup EXIT
SEED=${FAULT_SEED:-7}
STEPS=${FAULT_STEPS:-300}
fail=0

run() { # run NAME SIM_PERIOD_MS STEPS: one outstation, proxy and master; checks generated == received
    local name=$1 period=$2 STEPS=$3
    "$DNP3" outstation --listen 127.0.0.1:0 --simulate --sim-period "$period" --sim-steps "$STEPS" \
        --keep-alive 2000 >"$WORK/$name-os.log" 2>&1 &
    local os=$!
    PIDS+=($os)
    for _ in $(seq 100); do grep -q "listening on" "$WORK/$name-os.log" && break; sleep 0.05; done
    local osport
    osport=$(sed -n 's/.*listening on [a-z]* [0-9.]*:\([0-9]*\),.*/\1/p' "$WORK/$name-os.log" | head -1)
    local duration=$((STEPS * period))
    "$PROXY" --listen 0 --upstream "$osport" --seed "$SEED" --every-ms 300-1200 --stall-ms 900 \
        --duration-ms "$duration" >"$WORK/$name-proxy.log" 2>&1 &
    local proxy=$!
    PIDS+=($proxy)
    for _ in $(seq 100); do grep -q "listening on" "$WORK/$name-proxy.log" && break; sleep 0.05; done
    local pport
    pport=$(sed -n 's/.*listening on 127.0.0.1:\([0-9]*\)$/\1/p' "$WORK/$name-proxy.log" | head -1)
    "$DNP3" master watch "127.0.0.1:$pport" --json --event-period 1 --integrity-period 0 --timeout 1000 \
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
    if [ $? -ne 0 ]; then
        fail=1
        echo "FAIL: $name lost events (seed $SEED); outstation log tail:"
        tail -5 "$WORK/$name-os.log"
        tail -3 "$WORK/$name-master.err"
    fi
    grep -q "cut the connection" "$WORK/$name-proxy.log" || { echo "FAIL: $name: the proxy never cut"; fail=1; }
}

run fast 20 "$STEPS"
run slow 60 $((STEPS / 3))

[ "$fail" -eq 0 ] && echo "test_fault_proxy: 2 passed, 0 failed" || echo "test_fault_proxy: failed"
exit $fail
