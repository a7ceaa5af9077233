#!/usr/bin/env bash
# test_sessions_live.sh BUILD_DIR SOURCE_DIR - one `dnp3 outstation` serving several masters at
# once (docs/outstation-cli.md "Several masters"): two TCP masters and a UDP master watch the same
# outstation, each in a session of its own on the one point database; a trip made by another
# master reaches every one of them as its own unsolicited event, which each confirms (reported
# once); a master leaving does not disturb the others; the session limit refuses one more with a
# log line; a read-only session (sessions: section) is refused a control with NOT_AUTHORIZED
# while another session operates; a transport no session accepts is refused; over TLS the
# certificate's common name chooses the session (tls_names); each session accepts only its
# Secure Authentication users (sa_users).
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/live.sh"
live_setup test_sessions_live "$1" python3 openssl

# ---- three masters, --max-masters 3, TCP twice and UDP ----
start_outstation multi --listen 127.0.0.1:0 --listen 127.0.0.1:0 --udp 127.0.0.1:0 --max-masters 3
read -r P1 P2 P3 < <(sed -n 's/.*listening on tcp 127.0.0.1:\([0-9]*\), tcp 127.0.0.1:\([0-9]*\), udp 127.0.0.1:\([0-9]*\),.*/\1 \2 \3/p' "$WORK/multi.log")
[ -n "${P3:-}" ] || { echo "FAIL: no start-up line"; cat "$WORK/multi.log"; exit 1; }
expect "start-up line names three sessions" "$WORK/multi.log" "3 sessions of "

"$DNP3" master watch "127.0.0.1:$P1" --json --master-addr 1 >"$WORK/m1.log" 2>&1 &
M1=$!
PIDS+=("$M1")
"$DNP3" master watch "127.0.0.1:$P2" --json --master-addr 2 >"$WORK/m2.log" 2>&1 &
M2=$!
PIDS+=("$M2")
"$DNP3" master watch "udp://127.0.0.1:$P3" --json --master-addr 3 >"$WORK/m3.log" 2>&1 &
M3=$!
PIDS+=("$M3")
for m in m1 m2 m3; do wait_for "$WORK/$m.log" '"type":"octet_string"' 200; done
for m in m1 m2 m3; do expect "$m: integrity poll (station name)" "$WORK/$m.log" '"value":"SUBSTATION 7 NORTH"'; done
expect "udp master has a session" "$WORK/multi.log" "over udp takes session"

# the fourth master finds every session taken
"$DNP3" master poll "127.0.0.1:$P1" --master-addr 4 --timeout 2000 >"$WORK/m4.log" 2>&1
rc=$?
[ "$rc" -ne 0 ] && ok || bad "a fourth master was served (rc $rc)"
wait_for "$WORK/multi.log" "refused: every session it may take is in use (3 sessions)"
expect "the limit refuses with a log line" "$WORK/multi.log" "refused: every session it may take is in use (3 sessions)"

# one master leaves; another takes its session and trips the breaker
kill "$M1"
wait "$M1" 2>/dev/null
wait_for "$WORK/multi.log" "is free again"
"$DNP3" master operate "127.0.0.1:$P1" --crob 0 --code trip --master-addr 5 >"$WORK/trip.out" 2>&1
expect_rc "trip through the freed session" 0 $?
expect "trip result" "$WORK/trip.out" "SUCCESS"
for m in m2 m3; do
    wait_for "$WORK/$m.log" '"type":"binary_input","index":0,"value":0' 200
    n=$(grep -c '"type":"binary_input","index":0,"value":0,"flags":1,"time":1[0-9]*,"event":true' "$WORK/$m.log")
    [ "$n" = 1 ] && ok || bad "$m: the trip event $n times (want once: confirmed, not repeated)"
    expect "$m: breaker open (double-bit event)" "$WORK/$m.log" '"type":"double_bit_input","index":0,"value":1,"flags":65'
done
# both copies carry the same time (one update, recorded once per session)
t2=$(sed -n 's/.*"type":"binary_input","index":0,"value":0,"flags":1,"time":\([0-9]*\),"event":true.*/\1/p' "$WORK/m2.log")
t3=$(sed -n 's/.*"type":"binary_input","index":0,"value":0,"flags":1,"time":\([0-9]*\),"event":true.*/\1/p' "$WORK/m3.log")
[ -n "$t2" ] && [ "$t2" = "$t3" ] && ok || bad "event times differ: '$t2' '$t3'"
sleep 1 # past a confirm timeout: a copy not confirmed would be sent again
for m in m2 m3; do
    n=$(grep -c '"type":"binary_input","index":0,"value":0,"flags":1,"time":1[0-9]*,"event":true' "$WORK/$m.log")
    [ "$n" = 1 ] && ok || bad "$m: trip event repeated ($n)"
done
expect_not "masters still there" "$WORK/m2.log" "connection to"
kill -TERM "$M2" "$M3" "$OSPID"
wait "$OSPID"
expect_rc "outstation exits 0 on SIGTERM" 0 $?
expect "the UDP session ends with the listener" "$WORK/multi.log" "the listener stopped"

# ---- sessions: a read-only historian over UDP, SCADA over TCP ----
# a breaker (status and control) and the sessions given: the configuration of the tests below
breaker_yaml() { # breaker_yaml FILE SESSION-LINES...
    local f=$1
    shift
    printf 'points:\n  binary_input:\n    - {index: 0, name: breaker closed, value: true, class: 1}\n' >"$f"
    printf '  binary_output_status:\n    - {index: 0, name: breaker control}\n' >>"$f"
    printf 'controls:\n  - {crob: 0, name: breaker, binary_input: 0, binary_output_status: 0}\n' >>"$f"
    printf 'sessions:\n' >>"$f"
    printf '  - %s\n' "$@" >>"$f"
}
breaker_yaml "$WORK/sessions.yaml" "{name: scada, transports: [tcp]}" \
    "{name: historian, transports: [udp], read_only: true, classes: [2, 3]}"
start_outstation cfg --config "$WORK/sessions.yaml" --listen 127.0.0.1:0 --udp 127.0.0.1:0
read -r T U < <(sed -n 's/.*listening on tcp 127.0.0.1:\([0-9]*\), udp 127.0.0.1:\([0-9]*\),.*/\1 \2/p' "$WORK/cfg.log")
expect "historian listed read-only" "$WORK/cfg.log" "session 2 (historian): classes 2 3, read-only"
"$DNP3" master operate "udp://127.0.0.1:$U" --crob 0 --code latch-on --mode direct >"$WORK/ro.out" 2>&1
rc=$?
[ "$rc" -ne 0 ] && ok || bad "the read-only session operated (rc $rc)"
expect "read-only: NOT_AUTHORIZED" "$WORK/ro.out" "NOT_AUTHORIZED"
"$DNP3" master operate "127.0.0.1:$T" --crob 0 --code latch-on --mode direct >"$WORK/rw.out" 2>&1
expect_rc "scada operates" 0 $?
expect "scada: SUCCESS" "$WORK/rw.out" "SUCCESS"
expect "only the scada control reached the application" "$WORK/cfg.log" "control: DIRECT_OPERATE CROB 0"
n=$(grep -c "control: DIRECT_OPERATE CROB 0" "$WORK/cfg.log")
[ "$n" = 1 ] && ok || bad "controls executed: $n (want 1)"
kill -TERM "$OSPID"
wait "$OSPID"

# ---- UDP: a master that has gone frees its session at the unanswered keep-alive ----
start_outstation udp1 --udp 127.0.0.1:0 --listen 127.0.0.1:0 --max-masters 1 --keep-alive 300
U=$(sed -n 's/.*listening on udp 127.0.0.1:\([0-9]*\),.*/\1/p' "$WORK/udp1.log")
# stray datagrams (a scan, junk, a frame with a bad header CRC) from three ports take no session
python3 - "$U" <<'PY'
import socket, sys
for junk in (b"hello", b"\x05\x64\x05\xc4\x0a\x00\x01\x00\x00\x00", b""):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.sendto(junk, ("127.0.0.1", int(sys.argv[1])))
    s.close()
PY
"$DNP3" master poll "udp://127.0.0.1:$U" >"$WORK/u1.out" 2>&1
expect_rc "first UDP master polls (the junk took no session)" 0 $?
n=$(grep -c "takes session" "$WORK/udp1.log")
[ "$n" = 1 ] && ok || bad "$n sessions taken (want 1: the master's only)"
"$DNP3" master poll "udp://127.0.0.1:$U" --timeout 500 >"$WORK/u2.out" 2>&1
[ $? -ne 0 ] && ok || bad "a second UDP master was served while the session was held"
wait_for "$WORK/udp1.log" "link keep-alive not answered" 100
expect "the session ends at the keep-alive" "$WORK/udp1.log" "link keep-alive not answered"
wait_for "$WORK/udp1.log" "is free again" 40
"$DNP3" master poll "udp://127.0.0.1:$U" >"$WORK/u3.out" 2>&1
expect_rc "the freed session serves the next UDP master" 0 $?
kill -TERM "$OSPID"
wait "$OSPID"

# ---- a transport no session takes ----
cat >"$WORK/tcponly.yaml" <<'YAML'
points:
  binary_input:
    - {index: 0}
sessions:
  - {name: scada, transports: [tcp]}
YAML
start_outstation tcponly --config "$WORK/tcponly.yaml" --listen 127.0.0.1:0 --udp 127.0.0.1:0
read -r T U < <(sed -n 's/.*listening on tcp 127.0.0.1:\([0-9]*\), udp 127.0.0.1:\([0-9]*\),.*/\1 \2/p' "$WORK/tcponly.log")
"$DNP3" master poll "udp://127.0.0.1:$U" --timeout 1000 >"$WORK/udp.out" 2>&1
[ $? -ne 0 ] && ok || bad "a UDP master was served by a tcp-only session"
wait_for "$WORK/tcponly.log" "no session accepts it"
expect "refused: no session accepts it" "$WORK/tcponly.log" "over udp refused: no session accepts it"
expect "refused once, not per datagram" "$WORK/tcponly.log" "datagrams refused from"
kill -TERM "$OSPID"
wait "$OSPID"

# ---- TLS: the certificate's name chooses the session ----
P=$WORK/pki
mkdir -p "$P"
pki_ca ca "Utility CA" && pki_leaf os rtu-7 "IP:127.0.0.1" ca 30 && pki_leaf scada scada-a "DNS:scada-a" ca 30 &&
    pki_leaf laptop laptop "DNS:laptop" ca 30 && pki_leaf intruder intruder "DNS:intruder" ca 30 ||
    { echo "FAIL: could not make the test PKI"; exit 1; }
breaker_yaml "$WORK/tls.yaml" "{name: scada, tls_names: [scada-a]}" \
    "{name: engineering, tls_names: [laptop], read_only: true}"
start_outstation tls --config "$WORK/tls.yaml" --tls-listen 127.0.0.1:0 --tls-cert "$P/os.pem" --tls-key "$P/os.key" \
    --tls-ca "$P/ca.pem"
mtls() { echo --tls-cert "$P/$1.pem" --tls-key "$P/$1.key" --tls-ca "$P/ca.pem"; }
# shellcheck disable=SC2046
"$DNP3" master operate "tls://127.0.0.1:$PORT" $(mtls laptop) --crob 0 --code latch-off --mode direct >"$WORK/tl.out" 2>&1
[ $? -ne 0 ] && ok || bad "the read-only TLS session operated"
expect "laptop: NOT_AUTHORIZED" "$WORK/tl.out" "NOT_AUTHORIZED"
expect "laptop took the engineering session" "$WORK/tls.log" "over tls (CN=laptop) takes session 2 (engineering)"
# shellcheck disable=SC2046
"$DNP3" master operate "tls://127.0.0.1:$PORT" $(mtls scada) --crob 0 --code latch-off --mode direct >"$WORK/ts.out" 2>&1
expect_rc "scada-a operates over TLS" 0 $?
expect "scada-a took the scada session" "$WORK/tls.log" "over tls (CN=scada-a) takes session 1 (scada)"
# shellcheck disable=SC2046
"$DNP3" master poll "tls://127.0.0.1:$PORT" $(mtls intruder) --timeout 1500 >"$WORK/ti.out" 2>&1
[ $? -ne 0 ] && ok || bad "a certificate no session names was served"
wait_for "$WORK/tls.log" "(CN=intruder) refused"
expect "intruder refused" "$WORK/tls.log" "over tls (CN=intruder) refused: no session accepts it"
kill -TERM "$OSPID"
wait "$OSPID"

# ---- Secure Authentication users per session ----
printf '000102030405060708090a0b0c0d0e0f\n' >"$WORK/u1.key"
printf '101112131415161718191a1b1c1d1e1f\n' >"$WORK/u2.key"
breaker_yaml "$WORK/sa.yaml" "{name: control-room, transports: [tcp], sa_users: [1]}" \
    "{name: maintenance, transports: [udp], sa_users: [2]}"
start_outstation sa --config "$WORK/sa.yaml" --listen 127.0.0.1:0 --udp 127.0.0.1:0 \
    --sa-user 1 --sa-update-key-file "$WORK/u1.key" --sa-user 2 --sa-update-key-file "$WORK/u2.key"
read -r T U < <(sed -n 's/.*listening on tcp 127.0.0.1:\([0-9]*\), udp 127.0.0.1:\([0-9]*\),.*/\1 \2/p' "$WORK/sa.log")
expect "SA in every session" "$WORK/sa.log" "Secure Authentication v5 demanded for critical requests in every session"
"$DNP3" master operate "127.0.0.1:$T" --sa-user 2 --sa-update-key-file "$WORK/u2.key" --crob 0 --code latch-off \
    --mode direct --timeout 2000 >"$WORK/sa_wrong.out" 2>&1
[ $? -ne 0 ] && ok || bad "user 2 operated in the session of user 1"
"$DNP3" master operate "127.0.0.1:$T" --sa-user 1 --sa-update-key-file "$WORK/u1.key" --crob 0 --code latch-off \
    --mode direct >"$WORK/sa_1.out" 2>&1
expect_rc "user 1 operates over TCP" 0 $?
"$DNP3" master operate "udp://127.0.0.1:$U" --sa-user 2 --sa-update-key-file "$WORK/u2.key" --crob 0 --code latch-on \
    --mode direct >"$WORK/sa_2.out" 2>&1
expect_rc "user 2 operates over UDP" 0 $?
n=$(grep -c "control: DIRECT_OPERATE CROB 0" "$WORK/sa.log")
[ "$n" = 2 ] && ok || bad "controls executed: $n (want 2)"
kill -TERM "$OSPID"
wait "$OSPID"

# ---- usage errors ----
"$DNP3" outstation --max-masters 2 --udp-peer 127.0.0.1:1 --udp 127.0.0.1:0 >"$WORK/e1.out" 2>&1
expect_rc "--udp-peer with several masters" 2 $?
"$DNP3" outstation --max-masters 17 >"$WORK/e2.out" 2>&1
expect_rc "--max-masters 17" 2 $?
"$DNP3" outstation --config "$WORK/tcponly.yaml" --max-masters 2 >"$WORK/e3.out" 2>&1
expect_rc "--max-masters with sessions:" 2 $?
printf 'sessions:\n  - {name: x, transports: [serial9]}\n' >"$WORK/bad.yaml"
"$DNP3" outstation --config "$WORK/bad.yaml" >"$WORK/e4.out" 2>&1
expect_rc "bad transport" 2 $?
expect "bad transport names file:line" "$WORK/e4.out" "bad.yaml:2"

live_finish
