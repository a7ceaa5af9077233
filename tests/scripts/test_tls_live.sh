#!/usr/bin/env bash
# test_tls_live.sh BUILD_DIR SOURCE_DIR - DNP3 over TLS (IEC 62351-3, port 19999) with
# the real processes on 127.0.0.1 and a PKI made by the openssl command: `dnp3 outstation
# --tls-listen` serves `dnp3 master ... tls://` (poll, select-before-operate, TLS 1.2 and
# 1.3, pinned self-signed certificate, Secure Authentication inside TLS); real handshakes
# that must fail do (unknown CA on either side, expired certificate, wrong name, plain
# DNP3 on the TLS port, a silent client hitting the handshake timeout) with a clear
# message and without reaching the outstation; every misconfigured file is a start-up
# error (exit 2) naming it; the outstation keeps serving afterwards. Wireshark, given the
# key log, decrypts the session and judges the DNP3 inside.
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/live.sh"
live_setup test_tls_live "$1" openssl sqlite3

# ---- PKI: two CAs, outstation and master certificates, an expired one, a self-signed one
P=$WORK/pki
mkdir -p "$P"
pki_ca ca "Utility SCADA CA" && pki_ca ca2 "Someone Else CA" &&
pki_leaf os outstation.test "DNS:outstation.test,IP:127.0.0.1" ca 30 &&
pki_leaf m master.test "DNS:master.test" ca 30 &&
pki_leaf m_other master.test "DNS:master.test" ca2 30 &&
pki_leaf m_exp master.test "DNS:master.test" ca -1 &&
pki_key self && openssl req -x509 -new -key "$P/self.key" -out "$P/self.pem" -days 30 -subj "/CN=rtu-7" \
    -addext "subjectAltName=DNS:rtu-7" 2>/dev/null ||
    { echo "FAIL: could not make the test PKI"; exit 1; }
printf '000102030405060708090a0b0c0d0e0f\n' >"$WORK/user1.key"

OS_TLS=(--tls-cert "$P/os.pem" --tls-key "$P/os.key" --tls-ca "$P/ca.pem")
M_TLS=(--tls-cert "$P/m.pem" --tls-key "$P/m.key" --tls-ca "$P/ca.pem")

start_outstation os --tls-listen 127.0.0.1:0 "${OS_TLS[@]}" --tls-handshake-timeout 400
OS=$WORK/os.log
CAP_PORT=$PORT
T=tls://127.0.0.1:$PORT
expect "start-up line" "$OS" "listening on tls 127.0.0.1:$PORT"

# Wireshark watches the whole session with the key log (skipped where capture is not allowed)
PCAP=$WORK/tls.pcapng
KEYLOG=$WORK/keys.log
CAPTURE=0
if command -v tshark >/dev/null; then
    tshark -i lo -f "tcp port $PORT" -w "$PCAP" >"$WORK/tshark.log" 2>&1 &
    TSHARK=$!
    PIDS+=($TSHARK)
    for _ in $(seq 100); do grep -q "Capturing on" "$WORK/tshark.log" && break; sleep 0.05; done
    grep -q "Capturing on" "$WORK/tshark.log" && CAPTURE=1 && sleep 0.5
fi

# ---- sessions that work
SSLKEYLOGFILE=$KEYLOG "$DNP3" master poll "$T" "${M_TLS[@]}" >"$WORK/poll.out" 2>"$WORK/poll.err"
expect_rc "poll over TLS" 0 $?
expect "poll over TLS: points" "$WORK/poll.out" "binary_input"
expect "key-log warning" "$WORK/poll.err" "warning: SSLKEYLOGFILE is set"
expect "outstation logs the TLS session" "$OS" "TLSv1.3 TLS_AES_256_GCM_SHA384, peer certificate CN=master.test"
SSLKEYLOGFILE=$KEYLOG "$DNP3" master operate "$T" --crob 0 --code trip "${M_TLS[@]}" >"$WORK/op.out" 2>&1
expect_rc "select-before-operate over TLS" 0 $?
expect "operate over TLS: status" "$WORK/op.out" "SUCCESS"
expect "operate over TLS reaches the outstation" "$OS" "control: OPERATE CROB 0 TRIP"
"$DNP3" master poll "$T" "${M_TLS[@]}" --tls-max-version 1.2 >"$WORK/tls12.out" 2>&1
expect_rc "poll over TLS 1.2" 0 $?
expect "TLS 1.2 with an ECDHE AEAD suite" "$OS" "TLSv1.2 ECDHE-ECDSA-AES128-GCM-SHA256"
"$DNP3" master poll tls://localhost:$PORT "${M_TLS[@]}" --tls-peer-name outstation.test >"$WORK/name.out" 2>&1
expect_rc "poll with --tls-peer-name" 0 $?

# ---- handshakes that must fail (none of them reaches the outstation's application)
CONTROLS_BEFORE=$(grep -c "control:" "$OS")
"$DNP3" master operate "$T" --crob 1 --code trip --tls-cert "$P/m.pem" --tls-key "$P/m.key" \
    --tls-ca "$P/ca2.pem" >"$WORK/wrongca.out" 2>&1
expect_rc "master trusting another CA" 1 $?
expect "master trusting another CA: message" "$WORK/wrongca.out" "TLS handshake with 127.0.0.1:$PORT failed: peer certificate rejected: "
"$DNP3" master operate "$T" --crob 1 --code trip --tls-cert "$P/m_other.pem" --tls-key "$P/m_other.key" \
    --tls-ca "$P/ca.pem" >"$WORK/otherca.out" 2>&1
expect_rc "master certificate from another CA" 1 $?
expect "master certificate from another CA: master message" "$WORK/otherca.out" "alert unknown ca"
expect "master certificate from another CA: outstation log" "$OS" "peer certificate rejected: unable to get local issuer certificate"
"$DNP3" master poll tls://localhost:$PORT "${M_TLS[@]}" >"$WORK/wrongname.out" 2>&1
expect_rc "wrong name" 1 $?
expect "wrong name: message" "$WORK/wrongname.out" "peer certificate rejected: hostname mismatch"
"$DNP3" master poll "$T" "${M_TLS[@]}" --tls-peer-cert "$P/self.pem" >"$WORK/pinmismatch.out" 2>&1
expect_rc "pinned certificate mismatch" 1 $?
expect "pinned certificate mismatch: message" "$WORK/pinmismatch.out" "it is not the pinned certificate"
# an expired master certificate (a client that does not check its own, like openssl s_client)
timeout 5 openssl s_client -connect "127.0.0.1:$PORT" -cert "$P/m_exp.pem" -key "$P/m_exp.key" \
    -CAfile "$P/ca.pem" </dev/null >"$WORK/sclient.out" 2>&1
sleep 0.2
expect "expired master certificate: outstation log" "$OS" "peer certificate rejected: certificate has expired"
# a plain-TCP master on the TLS port
"$DNP3" master poll "127.0.0.1:$PORT" --timeout 1000 >"$WORK/plain.out" 2>&1
expect_rc "plain DNP3 on the TLS port" 1 $?
# a client that connects and says nothing
( exec 3<>"/dev/tcp/127.0.0.1/$PORT"; sleep 1 ) 2>/dev/null
expect "handshake timeout" "$OS" "TLS handshake timed out"
CONTROLS_AFTER=$(grep -c "control:" "$OS")
if [ "$CONTROLS_BEFORE" = "$CONTROLS_AFTER" ]; then ok; else bad "a failed handshake reached the control callback"; fi
expect_not "no session for a failed handshake" "$OS" "connection accepted from 127.0.0.1:$(sed -n 's/.*TLS handshake failed with 127.0.0.1:\([0-9]*\).*/\1/p' "$OS" | head -1)"
# still serving its master
"$DNP3" master poll "$T" "${M_TLS[@]}" >"$WORK/after.out" 2>&1
expect_rc "poll after the failures" 0 $?

# ---- start-up errors name the file (exit 2)
startup() { # startup NAME WANT ARGS...
    local name=$1 want=$2
    shift 2
    timeout 5 "$DNP3" "$@" >"$WORK/$name.out" 2>&1
    expect_rc "start-up error: $name" 2 $?
    expect "start-up error: $name: message" "$WORK/$name.out" "$want"
}
startup missing-key "cannot read the private key file '$P/nope.key': No such file or directory" \
    outstation --tls-listen 127.0.0.1:0 --tls-cert "$P/os.pem" --tls-key "$P/nope.key" --tls-ca "$P/ca.pem"
startup key-mismatch "the private key '$P/m.key' does not match the certificate '$P/os.pem'" \
    outstation --tls-listen 127.0.0.1:0 --tls-cert "$P/os.pem" --tls-key "$P/m.key" --tls-ca "$P/ca.pem"
startup not-pem "the certificate file '$WORK/user1.key' holds no PEM certificate" \
    outstation --tls-listen 127.0.0.1:0 --tls-cert "$WORK/user1.key" --tls-key "$P/os.key" --tls-ca "$P/ca.pem"
startup expired "the certificate '$P/m_exp.pem' expired on" \
    master poll "$T" --tls-cert "$P/m_exp.pem" --tls-key "$P/m_exp.key" --tls-ca "$P/ca.pem"
startup no-trust "TLS needs a CA file or a pinned peer certificate" \
    master poll "$T" --tls-cert "$P/m.pem" --tls-key "$P/m.key"
startup unreadable-ca "cannot read the CA file '$P/nope.pem'" \
    master poll "$T" --tls-cert "$P/m.pem" --tls-key "$P/m.key" --tls-ca "$P/nope.pem"
startup tls-opts-without-tls "the --tls-* options need --tls-listen" \
    outstation --listen 127.0.0.1:0 --tls-cert "$P/os.pem"
startup tls-without-opts "a tls:// target needs --tls-cert FILE" master poll "$T"

# ---- a pinned self-signed outstation certificate; Secure Authentication inside TLS
start_outstation pinned --tls-listen 127.0.0.1:0 --tls-cert "$P/self.pem" --tls-key "$P/self.key" \
    --tls-ca "$P/ca.pem" --sa-user 1 --sa-update-key-file "$WORK/user1.key"
PT=tls://127.0.0.1:$PORT
PIN_TLS=(--tls-cert "$P/m.pem" --tls-key "$P/m.key" --tls-peer-cert "$P/self.pem" --tls-peer-name rtu-7)
"$DNP3" master poll "$PT" "${PIN_TLS[@]}" >"$WORK/pin.out" 2>&1
expect_rc "pinned self-signed certificate" 0 $?
"$DNP3" master operate "$PT" --crob 0 --code trip --mode direct "${PIN_TLS[@]}" >"$WORK/tls-nosa.out" 2>&1
expect_rc "TLS without SA where SA is demanded" 1 $?
expect "TLS without SA: message" "$WORK/tls-nosa.out" "demands Secure Authentication"
"$DNP3" master operate "$PT" --crob 0 --code trip "${PIN_TLS[@]}" --sa-update-key-file "$WORK/user1.key" >"$WORK/tls-sa.out" 2>&1
expect_rc "SA inside TLS" 0 $?
expect "SA inside TLS: status" "$WORK/tls-sa.out" "SUCCESS"
expect "SA inside TLS reaches the outstation" "$WORK/pinned.log" "control: OPERATE CROB 0 TRIP"

# ---- an outstation dialling in over TLS to `dnp3 master listen`; one from another CA is refused
"$DNP3" master listen 127.0.0.1:0 "${M_TLS[@]}" >"$WORK/listen.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 100); do grep -q "listening on" "$WORK/listen.log" && break; sleep 0.05; done
LPORT=$(sed -n 's/.*listening on tls [0-9.]*:\([0-9]*\) .*/\1/p' "$WORK/listen.log" | head -1)
if [ -n "$LPORT" ]; then ok; else bad "master listen over TLS did not start"; cat "$WORK/listen.log"; fi
"$DNP3" outstation --connect "tls://127.0.0.1:$LPORT" --link-addr 33 --tls-cert "$P/m_other.pem" \
    --tls-key "$P/m_other.key" --tls-ca "$P/ca.pem" --tls-peer-name master.test >"$WORK/rogue.log" 2>&1 &
ROGUE=$!
PIDS+=($ROGUE)
"$DNP3" outstation --connect "tls://127.0.0.1:$LPORT" --link-addr 21 "${OS_TLS[@]}" --tls-peer-name master.test \
    >"$WORK/dialer.log" 2>&1 &
PIDS+=($!)
wait_for "$WORK/listen.log" "binary_input" 200
wait_for "$WORK/listen.log" "TLS handshake failed with" 200 # the rogue's attempt may come after the good one
kill "$ROGUE" 2>/dev/null
expect "dial-in over TLS: identified" "$WORK/listen.log" "outstation 21 identified"
expect "dial-in over TLS: measurements" "$WORK/listen.log" "binary_input"
expect "dial-in over TLS: the rogue outstation is refused" "$WORK/listen.log" "TLS handshake failed with"
expect_not "dial-in over TLS: the rogue outstation is never served" "$WORK/listen.log" "outstation 33"
expect "dial-in over TLS: the dialler logs its session" "$WORK/dialer.log" "peer certificate CN=master.test"

# ---- the same from a configuration file: security.tls and security.secure_authentication
mkdir -p "$WORK/cfg/keys"
cp "$WORK/user1.key" "$WORK/cfg/keys/jim.key"
cat >"$WORK/cfg/rtu.yaml" <<EOF
outstation: {link_addr: 10, master_addr: 1}
points:
  binary_input:
    - {index: 0, name: "CB-101 closed", value: 1}
controls:
  - {crob: 0, name: "CB-101", binary_input: 0}
security:
  secure_authentication:
    users:
      - {number: 1, update_key_file: keys/jim.key, name: jim}
    mac: hmac-sha256-8
  tls:
    listen: 127.0.0.1:0
    certificate: $P/os.pem
    private_key: $P/os.key
    ca: $P/ca.pem
EOF
start_outstation cfg --config "$WORK/cfg/rtu.yaml"
expect "config: TLS listener" "$WORK/cfg.log" "listening on tls 127.0.0.1:"
expect "config: SA demanded" "$WORK/cfg.log" "Secure Authentication v5 demanded for critical requests (1 user)"
"$DNP3" master operate "tls://127.0.0.1:$PORT" --crob 0 --code trip "${M_TLS[@]}" \
    --sa-update-key-file "$WORK/user1.key" >"$WORK/cfg-op.out" 2>&1
expect_rc "config: SA operate over TLS" 0 $?
"$DNP3" master operate "tls://127.0.0.1:$PORT" --crob 0 --code trip --mode direct "${M_TLS[@]}" >"$WORK/cfg-nosa.out" 2>&1
expect_rc "config: operate without SA is refused" 1 $?
sed 's/hmac-sha256-8/hmac-md5/' "$WORK/cfg/rtu.yaml" >"$WORK/cfg/bad-mac.yaml"
startup config-bad-mac "bad-mac.yaml:11: security.secure_authentication.mac: expected hmac-sha256-16" \
    outstation --config "$WORK/cfg/bad-mac.yaml"
sed 's#keys/jim.key#keys/nope.key#' "$WORK/cfg/rtu.yaml" >"$WORK/cfg/no-key.yaml"
startup config-missing-key "no-key.yaml:10: security.secure_authentication.users[0].update_key_file $WORK/cfg/keys/nope.key: cannot open" \
    outstation --config "$WORK/cfg/no-key.yaml"
sed 's#certificate: .*#certificate: /nonexistent.pem#' "$WORK/cfg/rtu.yaml" >"$WORK/cfg/no-cert.yaml"
startup config-missing-cert "cannot read the certificate file '/nonexistent.pem'" outstation --config "$WORK/cfg/no-cert.yaml"
startup config-and-options "TLS is set in $WORK/cfg/rtu.yaml" outstation --config "$WORK/cfg/rtu.yaml" --listen 127.0.0.1:0

# ---- Wireshark decrypts the TLS session and judges the DNP3 inside
if [ "$CAPTURE" = 1 ]; then
    sleep 0.3
    kill -INT "$TSHARK"
    wait "$TSHARK" 2>/dev/null
    TS=(tshark -r "$PCAP" -o "tls.keylog_file:$KEYLOG" -d "tcp.port==$CAP_PORT,tls" -d "tls.port==$CAP_PORT,dnp3")
    DNP=$("${TS[@]}" -Y dnp3 2>/dev/null | wc -l)
    OPER=$("${TS[@]}" -Y 'dnp3.al.func == 0x04' 2>/dev/null | wc -l)
    FLAGGED=$("${TS[@]}" -Y 'dnp3 && (_ws.malformed || _ws.expert.severity >= warning || dnp.hdr.CRC.status != 1)' 2>/dev/null | wc -l)
    echo "tshark: $DNP DNP3 packets decrypted from TLS, $OPER OPERATE, $FLAGGED flagged"
    if [ "$DNP" -ge 6 ]; then ok; else bad "tshark decrypted only $DNP DNP3 packets"; fi
    if [ "$OPER" -ge 1 ]; then ok; else bad "tshark saw no OPERATE inside TLS"; fi
    if [ "$FLAGGED" -eq 0 ]; then ok; else bad "tshark flags $FLAGGED DNP3 packets inside TLS"; fi
else
    echo "note: tshark cannot capture here; the Wireshark checks were skipped"
fi


# ---- `dnp3 master run` stores what it polls over TLS (command line, then the tls: section)
T=tls://127.0.0.1:$CAP_PORT
gateway() { # gateway NAME ARGS...: runs `dnp3 master run ARGS` until its store has rows, then stops it
    local name=$1 i
    shift
    "$DNP3" master run "$@" >"$WORK/$name.log" 2>&1 &
    local pid=$!
    PIDS+=("$pid")
    for ((i = 0; i < 100; i++)); do
        [ "$(sqlite3 "$WORK/$name.db" 'SELECT count(*) FROM latest' 2>/dev/null || echo 0)" -gt 0 ] && break
        sleep 0.1
    done
    sleep 0.3
    kill -TERM "$pid"
    wait "$pid"
}
gateway gw_tls "$T" --sqlite "$WORK/gw_tls.db" --name rtu-tls "${M_TLS[@]}"
expect_rc "run over TLS exits 0" 0 $?
n=$(sqlite3 "$WORK/gw_tls.db" "SELECT count(*) FROM latest WHERE outstation = 'rtu-tls'")
[ "${n:-0}" -ge 20 ] && ok || bad "run over TLS stored ${n:-0} points"
printf 'outstations:\n  - {name: rtu-yaml, target: "%s"}\nstore:\n  sqlite: %s\ntls:\n  certificate: %s\n  private_key: %s\n  ca: %s\n' \
    "$T" "$WORK/gw_yaml.db" "$P/m.pem" "$P/m.key" "$P/ca.pem" >"$WORK/gw_tls.yaml"
gateway gw_yaml --config "$WORK/gw_tls.yaml"
expect_rc "run over TLS from --config exits 0" 0 $?
n=$(sqlite3 "$WORK/gw_yaml.db" "SELECT count(*) FROM latest WHERE outstation = 'rtu-yaml'")
[ "${n:-0}" -ge 20 ] && ok || bad "run over TLS (config) stored ${n:-0} points"
"$DNP3" master run "$T" --sqlite "$WORK/gw_none.db" >"$WORK/gw_none.out" 2>&1
expect_rc "run: a tls:// target without a certificate" 2 $?
expect "run: says what is missing" "$WORK/gw_none.out" "a tls:// target needs the gateway's certificate"
"$DNP3" master run "$T" --sqlite "$WORK/gw_bad.db" --tls-cert /nonexistent.pem --tls-key "$P/m.key" \
    --tls-ca "$P/ca.pem" >"$WORK/gw_bad.out" 2>&1
expect_rc "run: an unreadable certificate" 2 $?
expect "run: names the file" "$WORK/gw_bad.out" "/nonexistent.pem"

live_finish
