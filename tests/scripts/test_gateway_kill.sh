#!/usr/bin/env bash
# test_gateway_kill.sh BUILD_DIR [SOURCE_DIR] - `dnp3 master run --sqlite` is SIGKILLed at random
# moments (seed: GATEWAY_KILL_SEED, default 1815) while a simulating outstation produces events (unsolicited and polled), and restarted each
# time; afterwards the store holds every generated event exactly once: an event is confirmed only
# after its batch committed, so a kill before the commit leaves it in the outstation, which reports
# it again; a kill after the commit but before the confirm went out makes the outstation report it
# twice, and the unique key on its time stamp stores it once (so duplicates of these time-stamped
# events cannot be stored at all: the count stored = generated is the check).
# Then the link is hurt instead: tests/tools/fault_proxy between the gateway and a second simulating
# outstation cuts and stalls the connection at seeded moments while events flow; once the faults
# stop, the store again holds every generated event exactly once.
# What it does not show: the SQLite commit runs inside the fragment's callback, before the runtime
# writes anything to the socket, so even an immediate confirm would leave after the commit here; the
# deferred confirm is what keeps events when the store fails (test_gateway_postgres.sh stops the
# server mid-stream).
. "$(dirname "${BASH_SOURCE[0]}")/live.sh"
live_setup test_gateway_kill "$1" sqlite3
SEED=${GATEWAY_KILL_SEED:-1815}
RANDOM=$SEED
echo "seed $SEED (rerun with: GATEWAY_KILL_SEED=$SEED $0 BUILD_DIR)"

q() { sqlite3 "$WORK/g.db" "$1"; }

# 200 steps of 25 ms: about 5 s of events
start_outstation os --listen 127.0.0.1:0 --simulate --sim-period 25 --sim-steps 200 --seed "$SEED"

run_gateway() { # run_gateway [LOG]
    "$DNP3" master run "127.0.0.1:$PORT" --sqlite "$WORK/g.db" --name rtu --event-period 1 --timeout 2000 \
        >>"${1:-$WORK/gw.log}" 2>&1 &
    GW=$!
    PIDS+=("$GW")
}

kills=0
while ! grep -qF "simulation finished" "$WORK/os.log"; do
    run_gateway
    # alive for 150..650 ms, then killed without warning
    sleep "0.$((150 + RANDOM % 500))"
    kill -KILL "$GW" 2>/dev/null && kills=$((kills + 1))
    wait "$GW" 2>/dev/null
    sleep "0.0$((RANDOM % 10))"
done
echo "gateway killed $kills times while events flowed"
[ "$kills" -ge 3 ] && ok || bad "only $kills kills"

GEN=$(sim_generated os)
run_gateway "$WORK/gw-last.log"
# up (signal handlers installed, connected) before anything is asked of it; under ASan start-up
# takes long enough for an early SIGTERM to find the default action (exit 143)
wait_for "$WORK/gw-last.log" "connected to" 200 || bad "the last gateway did not connect"
for ((i = 0; i < 150; i++)); do
    [ "$(q 'SELECT count(*) FROM measurements WHERE event' 2>/dev/null)" = "$GEN" ] && break
    sleep 0.1
done
STORED=$(q 'SELECT count(*) FROM measurements WHERE event')
echo "generated $GEN events, stored $STORED"
expect_rc "every generated event stored (generated $GEN)" "$GEN" "$STORED"
expect_rc "the database is intact" ok "$(q 'PRAGMA integrity_check')"
kill -TERM "$GW"
wait "$GW"
expect_rc "SIGTERM after the kills" 0 $?

# ---- the link between gateway and outstation cut and stalled (fault proxy), the gateway alive ----
start_outstation os2 --listen 127.0.0.1:0 --simulate --sim-period 25 --sim-steps 200 --seed "$((SEED + 1))"
start_proxy proxy "$PORT" --seed "$SEED" --every-ms 300-1200 --stall-ms 900 --duration-ms 5000
"$DNP3" master run "127.0.0.1:$PPORT" --sqlite "$WORK/f.db" --name rtu2 --event-period 1 --timeout 1000 \
    >"$WORK/gw-faults.log" 2>&1 &
GW=$!
PIDS+=("$GW")
wait_for "$WORK/os2.log" "simulation finished" 300 || bad "the second simulation did not finish"
GEN=$(sim_generated os2)
wait_stored "$WORK/f.db" "$GEN" 200
FAULTS=$(grep -cE "^fault_proxy: (cut|stall)" "$WORK/proxy.log")
STORED=$(stored_events "$WORK/f.db")
echo "fault proxy: $FAULTS faults; generated $GEN events, stored $STORED"
[ "$FAULTS" -ge 2 ] && ok || bad "the proxy hurt the link only $FAULTS times"
expect_rc "faults: every generated event stored (generated $GEN)" "$GEN" "$STORED"
kill -TERM "$GW"
wait "$GW"
expect_rc "SIGTERM after the faults" 0 $?

live_finish
