#!/usr/bin/env bash
# test_gateway_sparkplug.sh BUILD_DIR - `dnp3 master run --mqtt-format sparkplug` against a real
# mosquitto broker, with what was published decoded by an independent decoder: protoc --decode
# with tools/cli/gateway/sparkplug_b.proto (the C encoder is protoc-c's; the decoder is protoc's).
# Checks: NBIRTH (seq 0, bdSeq), DBIRTH with the configured name, unit and datatypes, DDATA with the
# changes, seq 0..255 counting every message after NBIRTH, the last published value equal to the
# one stored in SQLite, DDEATH when the outstation goes, a broker restart (a new session: bdSeq + 1,
# NBIRTH seq 0, DBIRTH again), a rebirth request (NCMD), NDEATH as the last will after SIGKILL,
# NDEATH on a clean stop; DCMD writes to output metrics (encoded by protoc) become commands: a
# Boolean to binary_output_status/0 a CROB latch, a number to analog_output_status/0 an analog
# output, audited; a write to an input metric is refused with its reason.
. "$(dirname "${BASH_SOURCE[0]}")/live.sh"
live_setup test_gateway_sparkplug "$1" python3 sqlite3 mosquitto_sub mosquitto_pub protoc
find_mosquitto
PROTO_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../tools/cli/gateway" && pwd)

MPORT=$(free_port)
# persistence and queued QoS 0: a subscriber's session outlives the broker restart below, so that
# what the gateway publishes as soon as it is back (its NBIRTH) waits for the subscriber
start_broker mosquitto "$MPORT" 'allow_anonymous true' 'persistence true' "persistence_location $WORK/" \
    'queue_qos0_messages true'
sub() { mosquitto_sub -h 127.0.0.1 -p "$MPORT" "$@"; }

# decode FILE: each "TOPIC HEX" line of FILE (mosquitto_sub -F '%t %x') decoded by protoc, as
# one summary line: KIND DEVICE seq=N bdSeq=N NAME=VALUE... (NAME with spaces as _)
decode() {
    python3 - "$1" "$PROTO_DIR" <<'EOF'
import subprocess, sys, re
proto = sys.argv[2]
for line in open(sys.argv[1]):
    topic, _, hexp = line.strip().partition(" ")
    if not topic.startswith("spBv1.0/"):
        continue
    parts = topic.split("/")
    kind, device = parts[2], parts[4] if len(parts) > 4 else "-"
    text = subprocess.run(["protoc", "--decode=sparkplug_b.Payload", "-I" + proto, proto + "/sparkplug_b.proto"],
                          input=bytes.fromhex(hexp), capture_output=True, check=True).stdout.decode()
    seq = re.search(r"^seq: (\d+)$", text, re.M)
    out = [kind, device, "seq=" + (seq.group(1) if seq else "none")]
    for m in re.finditer(r"^metrics \{\n(.*?)^\}", text, re.M | re.S):
        body = m.group(1)
        name = re.search(r'^  name: "(.*)"$', body, re.M).group(1).replace(" ", "_")
        val = re.search(r"^  (int_value|long_value|double_value|boolean_value|string_value|is_null): (.*)$", body, re.M)
        dt = re.search(r"^  datatype: (\d+)$", body, re.M)
        unit = re.search(r'values \{\n\s*type: 12\n\s*string_value: "(.*)"', body)
        hist = "H" if "is_historical: true" in body else ""
        out.append("%s=%s:%s%s%s" % (name, val.group(2) if val else "?", dt.group(1) if dt else "?",
                                     ":" + unit.group(1) if unit else "", hist))
    print(" ".join(out))
EOF
}

start_outstation os --listen 127.0.0.1:0 --simulate --sim-period 40 --sim-steps 60 --seed 5
mosquitto_sub -h 127.0.0.1 -p "$MPORT" -t 'spBv1.0/#' -F '%t %x' -C 100000 >"$WORK/cap.txt" 2>&1 &
SUB=$!
PIDS+=("$SUB")
sleep 0.3
cat >"$WORK/gw.yaml" <<EOF
outstations:
  - name: feeder
    target: 127.0.0.1:$PORT
    event_period_s: 1
    commands: true
    points:
      counter:
        - {index: 0, name: "Feeder energy", unit: kWh}
store: {sqlite: $WORK/g.db}
mqtt: {host: 127.0.0.1, port: $MPORT, prefix: plant, format: sparkplug, node: gw1, username: gw}
EOF
start_gateway gw
wait_for "$WORK/os.log" "simulation finished" 200 || bad "the simulation did not finish"
GEN=$(sim_generated os)
wait_stored "$WORK/g.db" "$GEN" 100
sleep 0.5
decode "$WORK/cap.txt" >"$WORK/dec1.txt" 2>&1
head -c 3000 "$WORK/dec1.txt" >"$WORK/dec1.head"
expect "NBIRTH first, seq 0, bdSeq 0" <(head -1 "$WORK/dec1.txt") "NBIRTH - seq=0 bdSeq=0:4 Node_Control/Rebirth=false:11"
sed -n 2p "$WORK/dec1.txt" >"$WORK/dbirth.txt"
expect "DBIRTH second, seq 1" "$WORK/dbirth.txt" "DBIRTH feeder seq=1 "
expect "DBIRTH: the configured name, UInt32, unit" "$WORK/dbirth.txt" " Feeder_energy="
expect "DBIRTH: the configured name, UInt32, unit" "$WORK/dbirth.txt" ":7:kWh"
expect "DBIRTH: a binary input as Boolean" "$WORK/dbirth.txt" " binary_input/0="
grep -o ' analog_input/0=[^ ]*' "$WORK/dbirth.txt" | grep -q ':10$' && ok || bad "DBIRTH: analog_input/0 as Double"
grep -q "^DDATA feeder " "$WORK/dec1.txt" && ok || bad "no DDATA"
# seq counts every message after NBIRTH, modulo 256
python3 - "$WORK/dec1.txt" >"$WORK/seq.out" <<'EOF'
import sys
prev, bad = None, 0
for line in open(sys.argv[1]):
    kind, _, seq = line.split()[:3]
    if kind == "NDEATH":
        continue
    s = int(seq[4:])
    if kind == "NBIRTH":
        bad += s != 0
    elif prev is None or s != (prev + 1) % 256:
        bad += 1
        print("seq", prev, "->", s, line[:80])
    prev = s
print("seq bad", bad)
EOF
expect "seq increments by one per message" "$WORK/seq.out" "seq bad 0"
# the last published value of counter 0 is the one stored
LAST=$(sqlite3 "$WORK/g.db" "SELECT CAST(value AS INTEGER) FROM latest WHERE type = 'counter' AND idx = 0")
grep -o 'Feeder_energy=[0-9]*' "$WORK/dec1.txt" | tail -1 >"$WORK/last.txt"
expect "the last published value is the stored latest" "$WORK/last.txt" "Feeder_energy=$LAST"
# every event reached MQTT: events published in DDATA + those only in a DBIRTH >= generated
NDATA=$(grep '^DDATA' "$WORK/dec1.txt" | tr ' ' '\n' | grep -c '=')
[ "$NDATA" -gt 0 ] && [ "$NDATA" -ge $((GEN / 2)) ] && ok || bad "DDATA metrics $NDATA for $GEN events"

# a host application writes output metrics (DCMD): commands under the gateway's rules
printf '%s\n' 'metrics { name: "binary_output_status/0" datatype: 11 boolean_value: true }' \
    'metrics { name: "analog_output_status/0" datatype: 10 double_value: 138.5 }' \
    'metrics { name: "Feeder energy" datatype: 7 int_value: 5 }' |
    protoc --encode=sparkplug_b.Payload -I"$PROTO_DIR" "$PROTO_DIR/sparkplug_b.proto" >"$WORK/dcmd.bin"
mosquitto_pub -h 127.0.0.1 -p "$MPORT" -t spBv1.0/plant/DCMD/gw1/feeder -f "$WORK/dcmd.bin"
wait_for "$WORK/os.log" "control: OPERATE analog output 0 = 138.5" 200 || bad "DCMD: no analog OPERATE"
expect "DCMD: a Boolean to binary_output_status/0 is a CROB latch" "$WORK/os.log" "control: OPERATE CROB 0 NUL/LATCH_ON"
expect "DCMD: a write to an input metric is refused" "$WORK/gw.log" \
    "feeder: DCMD refused for metric 'Feeder energy': only a Boolean to a binary_output_status"
# (the outstation logs the OPERATE before it answers; the audit row follows the answer)
dcmd_ok() { sqlite3 "$WORK/g.db" "SELECT count(*) FROM commands WHERE who = 'Sparkplug DCMD' AND result = 'SUCCESS'"; }
for ((i = 0; i < 100; i++)); do
    [ "$(dcmd_ok)" = 2 ] && break
    sleep 0.1
done
expect_rc "DCMD: both commands audited" 2 "$(dcmd_ok)"

# the outstation goes: DDEATH
kill "$OSPID"
wait "$OSPID" 2>/dev/null
wait_for "$WORK/gw.log" "reconnecting" || bad "the gateway did not see the outstation go"
sleep 0.5
decode "$WORK/cap.txt" >"$WORK/dec2.txt" 2>&1
tail -1 "$WORK/dec2.txt" >"$WORK/ddeath.txt"
expect "DDEATH when the outstation disconnects" "$WORK/ddeath.txt" "DDEATH feeder seq="

# a broker restart: a new session, a new bdSeq, NBIRTH seq 0, DBIRTH of the (reconnected) outstation.
# The capture is a persistent session (client id cap2, QoS 1) opened before the restart: the broker
# keeps it across the restart and queues what the gateway publishes before the capture reconnects.
start_outstation os2 --listen 127.0.0.1:$PORT --simulate --sim-period 100 --sim-steps 200 --seed 7
wait_for "$WORK/gw.log" "connected to 127.0.0.1:$PORT" || bad "no reconnect to the outstation"
# (exec: $! is the subscriber itself; with its broker gone it ignores SIGTERM, hence -KILL below)
cap2() { exec mosquitto_sub -h 127.0.0.1 -p "$MPORT" -c -i cap2 -q 1 -t 'spBv1.0/#' -F '%t %x' -C 100000 >>"$WORK/cap2.txt" 2>&1; }
cap2 &
SUB2=$!
PIDS+=("$SUB2")
wait_for "$WORK/mosquitto.log" " as cap2 " || bad "the capture did not connect"
sleep 1
kill -KILL "$SUB2"
kill "$SUB" "$BROKER"
wait "$SUB" "$SUB2" "$BROKER" 2>/dev/null
sleep 1
start_broker mosquitto "$MPORT"
cap2 &
SUB=$!
PIDS+=("$SUB")
# births FILE: how many NBIRTH the capture holds, then 1 when a DBIRTH follows the last of them
births() { awk '/\/NBIRTH\// { n++; d = 0 } /\/DBIRTH\// { d = n > 0 } END { print n + 0, d + 0 }' "$1"; }
for ((i = 0; i < 150; i++)); do
    [ "$(births "$WORK/cap2.txt" | cut -d' ' -f2)" = 1 ] && break
    sleep 0.1
done
sleep 0.3
decode "$WORK/cap2.txt" >"$WORK/dec3.txt" 2>&1
# a new session: bdSeq grows by one for every CONNECT (1, or 2 when libmosquitto's own reconnect
# got through before the gateway reopened the connection itself)
BD=$(sed -n 's/^NBIRTH - seq=0 bdSeq=\([0-9]*\):4 .*/\1/p' "$WORK/dec3.txt" | tail -1)
[ -n "$BD" ] && [ "$BD" -ge 1 ] && [ "$BD" -le 3 ] && ok || bad "broker restart: NBIRTH seq 0 with a new bdSeq (got '$BD')"
N0=$(births "$WORK/cap2.txt" | cut -d' ' -f1)
grep -A1 '^NBIRTH' "$WORK/dec3.txt" | tail -n 1 >"$WORK/birth3.txt"
expect "broker restart: DBIRTH again, seq 1" "$WORK/birth3.txt" "DBIRTH feeder seq=1 "

# a host application asks for a rebirth (NCMD Node Control/Rebirth, encoded by protoc): NBIRTH again,
# seq 0, the same bdSeq (the same session), then the DBIRTH
printf 'metrics { name: "Node Control/Rebirth" datatype: 11 boolean_value: true }\n' |
    protoc --encode=sparkplug_b.Payload -I"$PROTO_DIR" "$PROTO_DIR/sparkplug_b.proto" >"$WORK/ncmd.bin"
mosquitto_pub -h 127.0.0.1 -p "$MPORT" -t spBv1.0/plant/NCMD/gw1 -f "$WORK/ncmd.bin"
for ((i = 0; i < 100; i++)); do
    [ "$(births "$WORK/cap2.txt")" = "$((N0 + 1)) 1" ] && break
    sleep 0.1
done
sleep 0.2
decode "$WORK/cap2.txt" >"$WORK/dec4.txt" 2>&1
expect_rc "rebirth: one more NBIRTH" $((N0 + 1)) "$(grep -c '^NBIRTH' "$WORK/dec4.txt")"
grep '^NBIRTH' "$WORK/dec4.txt" | tail -n 1 >"$WORK/rebirth.txt"
expect "rebirth: NBIRTH seq 0 with the session's bdSeq" "$WORK/rebirth.txt" "NBIRTH - seq=0 bdSeq=$BD:4"
grep -A1 '^NBIRTH' "$WORK/dec4.txt" | tail -n 1 >"$WORK/rebirth2.txt"
expect "rebirth: the DBIRTH follows, seq 1" "$WORK/rebirth2.txt" "DBIRTH feeder seq=1 "

# SIGKILL: the broker publishes the will, an NDEATH with the session's bdSeq (binary capture)
mosquitto_sub -h 127.0.0.1 -p "$MPORT" -t spBv1.0/plant/NDEATH/gw1 -C 1 -N -W 10 >"$WORK/ndeath.bin" 2>"$WORK/ndeath.err" &
NSUB=$!
sleep 0.3
kill -KILL "$GW"
wait "$GW" 2>/dev/null
wait "$NSUB"
protoc --decode=sparkplug_b.Payload -I"$PROTO_DIR" "$PROTO_DIR/sparkplug_b.proto" <"$WORK/ndeath.bin" >"$WORK/ndeath.txt" 2>&1
expect "NDEATH after SIGKILL: bdSeq" "$WORK/ndeath.txt" 'name: "bdSeq"'
expect "NDEATH after SIGKILL: the bdSeq of the last NBIRTH" "$WORK/ndeath.txt" "long_value: $BD"
expect_not "NDEATH has no seq" "$WORK/ndeath.txt" "seq:"

# a clean stop (command-line options) publishes NDEATH itself: the broker sends no will then
"$DNP3" master run "127.0.0.1:$PORT" --mqtt "127.0.0.1:$MPORT" --mqtt-format sparkplug --mqtt-group g2 \
    --mqtt-node n2 --name f2 >"$WORK/gw2.log" 2>&1 &
GW=$!
PIDS+=("$GW")
wait_for "$WORK/gw2.log" "connected to" || bad "second gateway did not connect"
sleep 1
mosquitto_sub -h 127.0.0.1 -p "$MPORT" -t spBv1.0/g2/NDEATH/n2 -C 1 -N -W 10 >"$WORK/ndeath2.bin" 2>/dev/null &
NSUB=$!
sleep 0.3
kill -TERM "$GW"
wait "$GW"
expect_rc "SIGTERM" 0 $?
wait "$NSUB"
protoc --decode=sparkplug_b.Payload -I"$PROTO_DIR" "$PROTO_DIR/sparkplug_b.proto" <"$WORK/ndeath2.bin" >"$WORK/ndeath2.txt" 2>&1
expect "clean stop: NDEATH with bdSeq 0" "$WORK/ndeath2.txt" "long_value: 0"
grep -q "^spBv1.0/g2/DBIRTH/n2/f2 " "$WORK/cap2.txt" && ok || bad "--mqtt-group/--mqtt-node: no DBIRTH on spBv1.0/g2/DBIRTH/n2/f2"

# configuration errors
printf 'outstations: [{name: a, target: 1.2.3.4}]\nmqtt: {host: h, format: xml}\n' >"$WORK/bad.yaml"
"$DNP3" master run --config "$WORK/bad.yaml" >"$WORK/bad.log" 2>&1
expect_rc "bad format: exit 2" 2 $?
expect "bad format: message" "$WORK/bad.log" "expected json or sparkplug"
"$DNP3" master run 127.0.0.1 --mqtt 127.0.0.1 --mqtt-node 'a/b' >"$WORK/bad2.log" 2>&1
expect_rc "bad node id: exit 2" 2 $?
live_finish
