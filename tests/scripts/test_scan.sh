#!/usr/bin/env bash
# test_scan.sh BUILD_DIR SOURCE_DIR - `dnp3 scan` against real processes on 127.0.0.1:
# outstations with and without Secure Authentication (TCP and UDP, non-default link
# addresses, one that announces itself and one that must be found by a sweep), a TLS
# outstation and a TLS server that does not ask for client certificates, a closed port, a
# silent listener and a non-DNP3 server. Checks the verdicts, the JSON, the exit status, and
# that the scanned outstations only ever received READ, AUTH_REQUEST and CONFIRM.
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/live.sh"
live_setup test_scan "$1" python3
# a python listener: KIND silent|banner; prints its port
start_listener() {
    python3 - "$1" >"$WORK/$1.port" 2>/dev/null <<'EOF' &
import socket, sys, time
kind = sys.argv[1]
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(8)
print(s.getsockname()[1], flush=True)
held = []
s.settimeout(60)
while True:
    try:
        c, _ = s.accept()
    except Exception:
        break
    if kind == "banner":
        c.sendall(b"SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n")
    held.append(c)
EOF
    PIDS+=($!)
    for _ in $(seq 100); do [ -s "$WORK/$1.port" ] && break; sleep 0.05; done
    cat "$WORK/$1.port"
}
SCAN=("$DNP3" scan --timeout 700)
printf '000102030405060708090a0b0c0d0e0f\n' >"$WORK/user1.key"

start_outstation plain --listen 127.0.0.1:0 --link-addr 77 --decode app
P_PLAIN=$PORT
start_outstation sa --listen 127.0.0.1:0 --link-addr 9 --sa-user 1 --sa-update-key-file "$WORK/user1.key" --decode app
P_SA=$PORT
start_outstation udp --udp 127.0.0.1:0 --link-addr 5
P_UDP=$PORT
start_outstation quiet --listen 127.0.0.1:0 --link-addr 14 --no-unsolicited --no-self-addr
P_QUIET=$PORT
P_SILENT=$(start_listener silent)
P_BANNER=$(start_listener banner)
P_CLOSED=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

# ---- an unauthenticated outstation: found, described, warned about (exit 1)
"${SCAN[@]}" "127.0.0.1:$P_PLAIN" --no-tls >"$WORK/plain.out" 2>&1
expect_rc "plain outstation" 1 $?
expect "plain: address" "$WORK/plain.out" "link address:      77 (announced in its unsolicited response); it talks to master address 1"
expect "plain: manufacturer" "$WORK/plain.out" "manufacturer:      libdnp3"
expect "plain: model" "$WORK/plain.out" "product and model: dnp3 outstation simulator"
expect "plain: IIN" "$WORK/plain.out" "DEVICE_RESTART"
expect "plain: SA" "$WORK/plain.out" "not supported (the key-status request was refused with NO_FUNC_CODE_SUPPORT)"
expect "plain: verdict" "$WORK/plain.out" "verdict:           DNP3 outstation at link address 77 (libdnp3 dnp3 outstation simulator); Secure Authentication NOT active"
expect "plain: warning" "$WORK/plain.out" "WARNING: unauthenticated DNP3 endpoint accepting connections: anyone who can reach 127.0.0.1:$P_PLAIN can operate its points"

# ---- a second scan: the outstation does not announce itself again; it answers at 0xFFFC
"${SCAN[@]}" "127.0.0.1:$P_PLAIN" --no-tls >"$WORK/plain2.out" 2>&1
expect "second scan: self address" "$WORK/plain2.out" "link address:      77 (answered a link-status request to 0xFFFC)"

# ---- JSON
"${SCAN[@]}" "127.0.0.1:$P_PLAIN" "127.0.0.1:$P_CLOSED" --no-tls --json >"$WORK/plain.json" 2>&1
expect_rc "JSON scan" 1 $?
if python3 - "$WORK/plain.json" <<'EOF'; then ok; else bad "JSON content"; cat "$WORK/plain.json"; fi
import json, sys
a = json.load(open(sys.argv[1]))
assert len(a) == 2, a
p, c = a
assert p["dnp3"] is True and p["outstation_address"] == 77, p
assert p["found_by"] == "self_address", p
assert p["secure_authentication"]["state"] == "not_supported", p
assert p["attributes"]["252"] == "libdnp3" and "DEVICE_RESTART" in p["iin_bits"], p
assert p["warning"] and "unauthenticated" in p["warning"], p
assert c["reachable"] is False and c["dnp3"] is False and c["warning"] is None, c
assert c["outstation_address"] is None, c
EOF

# ---- Secure Authentication active: no warning (exit 0)
"${SCAN[@]}" "127.0.0.1:$P_SA" --no-tls >"$WORK/sa.out" 2>&1
expect_rc "SA outstation" 0 $?
expect "SA: address" "$WORK/sa.out" "link address:      9 "
expect "SA: state" "$WORK/sa.out" "active (key status of user 1: NOT_INIT)"
expect "SA: version attribute (g0v209)" "$WORK/sa.out" "SA version:        5"
expect "SA: statistics attribute (g0v210)" "$WORK/sa.out" "SA statistics:     18"
expect "SA: verdict" "$WORK/sa.out" "Secure Authentication active"
expect_not "SA: no warning" "$WORK/sa.out" "WARNING"
"${SCAN[@]}" "127.0.0.1:$P_SA" --no-tls --sa-user 7 >"$WORK/sa7.out" 2>&1
expect "SA: unknown user still shows SA" "$WORK/sa7.out" "active (the key-status request was answered with error UNKNOWN_USER)"

# ---- UDP
"${SCAN[@]}" "udp://127.0.0.1:$P_UDP" --no-tls >"$WORK/udp.out" 2>&1
expect_rc "UDP outstation" 1 $?
expect "UDP: header" "$WORK/udp.out" "127.0.0.1:$P_UDP (udp)"
expect "UDP: address" "$WORK/udp.out" "link address:      5 "
expect "UDP: warning" "$WORK/udp.out" "WARNING: unauthenticated DNP3"

# ---- an outstation that does not announce itself: silent, then found by a sweep or --addr
"${SCAN[@]}" "127.0.0.1:$P_QUIET" --no-tls >"$WORK/quiet.out" 2>&1
expect_rc "quiet outstation without a sweep" 0 $?
expect "quiet: silent" "$WORK/quiet.out" "no DNP3 answer: open but silent (give --addr N or --sweep A-B if it is an outstation)"
"${SCAN[@]}" "127.0.0.1:$P_QUIET" --no-tls --sweep 1-30 >"$WORK/sweep.out" 2>&1
expect "sweep: address" "$WORK/sweep.out" "link address:      14 (answered the address sweep)"
expect "sweep: attributes" "$WORK/sweep.out" "manufacturer:      libdnp3"
"${SCAN[@]}" "127.0.0.1:$P_QUIET" --no-tls --addr 14 >"$WORK/addr.out" 2>&1
expect "--addr: address" "$WORK/addr.out" "link address:      14 (given with --addr)"

# ---- not DNP3
"${SCAN[@]}" "127.0.0.1:$P_CLOSED" --no-tls >"$WORK/closed.out" 2>&1
expect_rc "closed port" 0 $?
expect "closed port: verdict" "$WORK/closed.out" "closed: Connection refused"
"${SCAN[@]}" "127.0.0.1:$P_SILENT" --no-tls >"$WORK/silent.out" 2>&1
expect "silent listener" "$WORK/silent.out" "no DNP3 answer: open but silent"
"${SCAN[@]}" "127.0.0.1:$P_BANNER" --no-tls >"$WORK/banner.out" 2>&1
expect_rc "SSH-like server" 0 $?
expect "SSH-like server: verdict" "$WORK/banner.out" "not DNP3: 32 octets came back, none of them a valid DNP3 frame"

# ---- TLS on the TLS port: a DNP3-over-TLS outstation demanding client certificates, and a
#      TLS server that does not ask for one
if command -v openssl >/dev/null; then
    P=$WORK/pki
    mkdir -p "$P"
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$P/ca.key" -out "$P/ca.pem" \
        -days 30 -subj "/CN=Scan Test CA" 2>/dev/null
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$P/os.key" -out "$P/os.pem" \
        -days 30 -subj "/CN=rtu-9" 2>/dev/null
    start_outstation tls --tls-listen 127.0.0.1:0 --tls-cert "$P/os.pem" --tls-key "$P/os.key" --tls-ca "$P/ca.pem"
    P_TLS=$PORT
    "${SCAN[@]}" "127.0.0.1:$P_PLAIN" --tls-port "$P_TLS" >"$WORK/tls.out" 2>&1
    expect "TLS: outstation" "$WORK/tls.out" "certificate /CN=rtu-9 issued by /CN=rtu-9"
    expect "TLS: mutual authentication" "$WORK/tls.out" "demands a client certificate (mutual authentication)"
    expect "TLS: version" "$WORK/tls.out" "TLSv1.3"
    expect "TLS: the handshake is logged as failed by the outstation" "$WORK/tls.log" "TLS handshake failed with"
    P_S=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    openssl s_server -accept "$P_S" -cert "$P/os.pem" -key "$P/os.key" -quiet >/dev/null 2>&1 </dev/null &
    PIDS+=($!)
    for _ in $(seq 50); do (exec 3<>"/dev/tcp/127.0.0.1/$P_S") 2>/dev/null && break; sleep 0.1; done
    "${SCAN[@]}" "127.0.0.1:$P_PLAIN" --tls-port "$P_S" >"$WORK/tls2.out" 2>&1
    expect "TLS without client certificates" "$WORK/tls2.out" "does not ask for a client certificate"
    "${SCAN[@]}" "127.0.0.1:$P_PLAIN" --tls-port "$P_BANNER" >"$WORK/tls3.out" 2>&1
    expect "not TLS on the TLS port" "$WORK/tls3.out" "open but not TLS"
    "${SCAN[@]}" "127.0.0.1:$P_PLAIN" --tls-port "$P_CLOSED" >"$WORK/tls4.out" 2>&1
    expect "no TLS" "$WORK/tls4.out" "none (Connection refused)"
else
    echo "note: openssl command missing; TLS checks skipped"
fi

# ---- several targets at once, usage errors
"${SCAN[@]}" "127.0.0.1:$P_SA" "127.0.0.1:$P_PLAIN" --no-tls >"$WORK/two.out" 2>&1
expect_rc "two targets, one warning" 1 $?
"$DNP3" scan >"$WORK/usage1.out" 2>&1
expect_rc "no target" 2 $?
"$DNP3" scan 127.0.0.1 --sweep 9-2 >"$WORK/usage2.out" 2>&1
expect_rc "bad sweep" 2 $?
expect "bad sweep: message" "$WORK/usage2.out" "--sweep: '9-2' is not A-B"
"$DNP3" scan --help >"$WORK/help.out" 2>&1
expect "help says read-only" "$WORK/help.out" "READ-ONLY"

# ---- read-only: the scanned outstations only ever saw READ, AUTH_REQUEST and CONFIRM
sleep 0.2
for name in plain sa; do
    FCS=$(grep -E "function 0x[0-9A-F]{2} " "$WORK/$name.log" | grep -B0 "" | sed -n 's/.*function \(0x[0-9A-F]*\) .*/\1/p' | sort -u | tr '\n' ' ')
    REQS=$(grep -A2 "master->outstation" "$WORK/$name.log" | sed -n 's/.*function \(0x[0-9A-F]*\) .*/\1/p' | sort -u | tr '\n' ' ')
    case " $REQS" in
        *" 0x01 "*) ok ;;
        *) bad "$name: no READ seen by the outstation (requests: $REQS; all: $FCS)" ;;
    esac
    extra=$(tr ' ' '\n' <<<"$REQS" | grep -vE '^(0x00|0x01|0x20|)$' || true)
    if [ -z "$extra" ]; then ok; else bad "$name: the scan sent function codes $extra"; fi
    expect_not "$name: no control" "$WORK/$name.log" "control:"
done

live_finish
