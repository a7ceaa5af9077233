#!/usr/bin/env bash
# test_freeze_live.sh BUILD_DIR SOURCE_DIR - freezes between the real `dnp3 outstation` and
# `dnp3 master freeze` on 127.0.0.1: analog inputs into frozen analog inputs (g31, with the time
# of the freeze), counters into frozen counters and FREEZE_CLEAR, FREEZE_AT_TIME schedules
# repeating every interval, frozen analog events (g33), and the refusals (FREEZE_CLEAR of analogs,
# an outstation without frozen analog inputs).
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/live.sh"
live_setup test_freeze_live "$1"

cat >"$WORK/os.yaml" <<'YAML'
outstation:
  unsolicited: false
points:
  counter:
    - {index: 0, name: "Feeder 1 energy kWh", class: 3, value: 1000}
    - {index: 1, name: "Feeder 2 energy kWh", class: 3, value: 2000}
  frozen_counter:
    - {index: 0, name: "Feeder 1 energy kWh (frozen)", class: 3, value: 0}
    - {index: 1, name: "Feeder 2 energy kWh (frozen)", class: 3, value: 0}
  analog_input:
    - {index: 0, name: "Bus 1 voltage kV", class: 2, value: 138.25}
    - {index: 1, name: "Line 1 current A", class: 2, value: 412.5}
    - {index: 2, name: "Oil temperature C", class: 2, value: 61.5, simulate: {min: 50, max: 70, step: 20}}
  frozen_analog_input:
    - {index: 0, name: "Bus 1 voltage kV (frozen)", class: 2, value: 0}
    - {index: 1, name: "Line 1 current A (frozen)", class: 2, value: 0}
    - {index: 2, name: "Oil temperature C (frozen)", class: 2, value: 0}
YAML
start_outstation os --listen 127.0.0.1:0 --config "$WORK/os.yaml" --simulate --sim-period 100
T="127.0.0.1:$PORT"

# frozen values of one type from a class 0 poll: "index=value@time" lines
frozen() {
    python3 -c '
import json, sys
for p in json.load(open(sys.argv[1]))["points"]:
    if p["type"] == sys.argv[2]:
        print("%d=%s@%s" % (p["index"], p["value"], p["time"]))' "$1" "$2"
}

"$DNP3" master poll "$T" --class 0 --json >"$WORK/p0.json" 2>&1
expect_rc "poll before any freeze" 0 $?
expect "never frozen: value 0 (static g31v7: no time)" <(frozen "$WORK/p0.json" frozen_analog_input) "0=0@None"

before=$(date +%s%3N)
"$DNP3" master freeze "$T" --type analog --range 0-1 >"$WORK/f1.out" 2>&1
expect_rc "freeze analog inputs 0..1" 0 $?
after=$(date +%s%3N)
expect "freeze reported" "$WORK/f1.out" "freeze of analog inputs 0..1 done"
"$DNP3" master poll "$T" --class 0 --json >"$WORK/p1.json" 2>&1
frozen "$WORK/p1.json" frozen_analog_input >"$WORK/p1.fa"
expect "frozen analog 0 = analog 0" "$WORK/p1.fa" "0=138.25@None"
expect "frozen analog 1 = analog 1" "$WORK/p1.fa" "1=412.5@None"
expect "frozen analog 2 not frozen" "$WORK/p1.fa" "2=0@None"

# frozen analog events (g33v7, with the time of the freeze) of the class 2 poll in FILE
fa_events() {
    python3 -c '
import json, sys
for p in json.load(open(sys.argv[1]))["points"]:
    if p["type"] == "frozen_analog_input":
        print("%d=%s@%s" % (p["index"], p["value"], p["time"]))' "$1"
}
"$DNP3" master poll "$T" --class 2 --json >"$WORK/e1.json" 2>&1
fa_events "$WORK/e1.json" >"$WORK/e1.fa"
expect_rc "two frozen analog events (g33) in class 2" 2 "$(wc -l <"$WORK/e1.fa")"
t=$(sed -n 's/^0=138.25@//p' "$WORK/e1.fa")
if [ -n "$t" ] && [ "$t" -ge "$before" ] && [ "$t" -le "$after" ]; then ok; else
    bad "time of freeze '$t' not within [$before, $after]"; cat "$WORK/e1.fa"; fi

"$DNP3" master freeze "$T" --type counter --clear >"$WORK/f2.out" 2>&1
expect_rc "freeze and clear counters" 0 $?
expect "freeze and clear reported" "$WORK/f2.out" "freeze and clear of counters (all) done"
"$DNP3" master poll "$T" --class 0 --json >"$WORK/p2.json" 2>&1
expect "frozen counter 1 = 2000" <(frozen "$WORK/p2.json" frozen_counter) "1=2000@None"
expect "counter 1 cleared" <(frozen "$WORK/p2.json" counter) "1=0@"

"$DNP3" master freeze "$T" --type analog --clear >"$WORK/f3.out" 2>"$WORK/f3.err"
expect_rc "freeze and clear of analogs refused by the CLI" 2 $?
expect "named" "$WORK/f3.err" "analog inputs cannot be cleared"
for r in 5-2 2- " 4" 0-65536; do
    "$DNP3" master freeze "$T" --range "$r" >/dev/null 2>"$WORK/f3r.err"
    expect_rc "--range '$r' refused" 2 $?
done
expect "range refusal named" "$WORK/f3r.err" "--range: '0-65536' is not START-STOP"

# FREEZE_AT_TIME: now, then every 400 ms. Analog input 2 drifts every 100 ms, so each freeze
# of it is a new frozen value: its g33 events come 400 ms apart.
"$DNP3" master poll "$T" --class 2 --json >/dev/null 2>&1 # confirm what is buffered
"$DNP3" master freeze "$T" --type analog --at now --every 400 >"$WORK/f4.out" 2>&1
expect_rc "freeze at time, every 400 ms" 0 $?
expect "schedule reported" "$WORK/f4.out" "freeze of analog inputs (all) scheduled"
sleep 1.5
"$DNP3" master poll "$T" --class 2 --json >"$WORK/e4.json" 2>&1
fa_events "$WORK/e4.json" | sed -n 's/^2=.*@//p' >"$WORK/e4.times"
python3 - "$WORK/e4.times" <<'PY'
import sys
t = [int(x) for x in open(sys.argv[1]).read().split()]
gaps = [b - a for a, b in zip(t, t[1:])]
ok = len(t) >= 3 and all(350 <= g <= 800 for g in gaps)
print("freezes of analog 2 at", t, "gaps", gaps)
sys.exit(0 if ok else 1)
PY
expect_rc "scheduled freezes every 400 ms (g33 event times)" 0 $?

# an outstation without frozen analog inputs: OBJECT_UNKNOWN, named by the master
cat >"$WORK/plain.yaml" <<'YAML'
points:
  analog_input:
    - {index: 0, name: "Bus 1 voltage kV", value: 138.25}
YAML
start_outstation plain --listen 127.0.0.1:0 --config "$WORK/plain.yaml"
"$DNP3" master freeze "127.0.0.1:$PORT" --type analog >"$WORK/f5.out" 2>"$WORK/f5.err"
expect_rc "g30 freeze without frozen analog inputs" 1 $?
expect "refusal named" "$WORK/f5.err" "OBJECT_UNKNOWN"
live_finish
