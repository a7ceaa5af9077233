#!/usr/bin/env bash
# test_unsol_stall.sh BUILD_DIR SOURCE_DIR - unsolicited reporting never waits for the master's
# next frame (issue 11; IEEE 1815-2012 clause 4.6.6: a READ that arrives while an unsolicited
# confirm is awaited is answered after the confirm or its timeout). A raw master
# (tests/scripts/rawmaster.py) talks to a real `dnp3 outstation` and, after its READ is answered,
# sends nothing more:
#  1. the start-up null unsolicited response is left unconfirmed, READ class 0 is sent: the READ
#     is answered after the confirm timeout (5 s) and the null response follows on its own;
#  2. an unsolicited response with events is left unconfirmed, READ class 0 is sent while the
#     simulation still makes events, the simulation stops: the READ is answered after the
#     timeout and the events follow on their own.
# Before the fix both stalled until the master's next frame (the runtime asked the outstation
# for output once per wake-up and no timer was armed for the output that was due).
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/live.sh"
live_setup test_unsol_stall "$1" python3
SRC=$(cd "$2" && pwd)

run_master() { # run_master PORT SCENARIO: prints one line per observation
    PYTHONPATH="$SRC/tests/scripts" python3 - "$@" <<'EOF'
import sys, time
from rawmaster import Master, describe
port, scenario = int(sys.argv[1]), sys.argv[2]
m = Master(port)
t0 = time.monotonic()
def log(what): print("%.2f %s" % (time.monotonic() - t0, what), flush=True)
def next_frag(timeout, want=None):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        f = m.poll(end - time.monotonic())
        if f is None or f == "closed": return f
        if isinstance(f, tuple): continue
        log("got " + describe(f))
        if want is None or want(f): return f
    return None
is_unsol = lambda f: f[1] == 0x82
is_resp = lambda f: f[1] == 0x81
f = next_frag(3, is_unsol)
if not f: log("no start-up unsolicited response"); sys.exit(1)
if scenario == "null":
    m.request(0x01, bytes.fromhex("3C0106"))          # READ class 0, null response unconfirmed
    log("sent READ")
else:
    m.confirm(f[0] & 0x0F, True)
    m.request(0x14, bytes.fromhex("3C02063C03063C0406"))  # ENABLE_UNSOLICITED classes 1-3
    if not next_frag(3, is_resp): log("no answer to ENABLE_UNSOLICITED"); sys.exit(1)
    f = next_frag(5, lambda f: is_unsol(f) and len(f) > 4)
    if not f: log("no unsolicited events"); sys.exit(1)
    m.request(0x01, bytes.fromhex("3C0106"))          # READ class 0, events unconfirmed
    log("sent READ")
r = next_frag(9, is_resp)
if not r: log("READ not answered"); sys.exit(1)
log("READ answered")
u = next_frag(3, is_unsol)                            # nothing sent by us meanwhile
log("unsolicited after the READ: " + ("yes" if u else "no (stalled)"))
EOF
}

# 1. null unsolicited response outstanding
start_outstation null --listen 127.0.0.1:0
run_master "$PORT" null >"$WORK/m1.log" 2>&1
expect "null: READ answered" "$WORK/m1.log" "READ answered"
expect "null: the null response follows without a master frame" "$WORK/m1.log" "unsolicited after the READ: yes"
t=$(awk '/READ answered/ {print $1}' "$WORK/m1.log")
if awk -v t="${t:-0}" 'BEGIN { exit !(t >= 4.5 && t <= 7) }'; then ok; else bad "null: READ answered at ${t}s, want after the 5 s confirm timeout"; fi

# 2. unsolicited events outstanding, new events while the READ waits
start_outstation ev --listen 127.0.0.1:0 --simulate --sim-period 200 --sim-steps 10
run_master "$PORT" events >"$WORK/m2.log" 2>&1
expect "events: READ answered" "$WORK/m2.log" "READ answered"
expect "events: the events follow without a master frame" "$WORK/m2.log" "unsolicited after the READ: yes"

sed 's/^/    null: /' "$WORK/m1.log"
sed 's/^/    events: /' "$WORK/m2.log"
live_finish
