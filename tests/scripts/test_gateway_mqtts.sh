#!/usr/bin/env bash
# test_gateway_mqtts.sh BUILD_DIR - `dnp3 master run` publishing over MQTT over TLS to a real
# mosquitto broker that demands a client certificate (require_certificate, the certificate's CN as
# the user name), with a PKI made by the openssl command: every event is published and stored; the
# broker saw the gateway's certificate (user gw1); a command is accepted from the broker connection
# the certificate authenticates; after a broker restart the gateway comes back over TLS. Handshakes
# that must fail do, saying why (unknown CA, wrong name, no client certificate, TLS to a plain
# listener), and nothing is published then; every wrong file or option is a start-up error (exit 2)
# naming it; a password sent in clear text to a remote broker is warned about.
. "$(dirname "${BASH_SOURCE[0]}")/live.sh"
live_setup test_gateway_mqtts "$1" python3 sqlite3 openssl mosquitto_sub mosquitto_pub
find_mosquitto

P=$WORK/pki
mkdir -p "$P"
pki_ca ca "Plant Broker CA" && pki_ca ca2 "Someone Else CA" &&
    pki_leaf broker broker.test "DNS:broker.test,IP:127.0.0.1" ca 30 &&
    pki_leaf gw gw1 "DNS:gw1" ca 30 && pki_leaf hist historian "DNS:historian" ca 30 ||
    { echo "FAIL: could not make the test PKI"; exit 1; }

MPORT=$(free_port)
start_broker mosquitto "$MPORT" "cafile $P/ca.pem" "certfile $P/broker.pem" "keyfile $P/broker.key" \
    'require_certificate true' 'use_identity_as_username true' 'allow_anonymous false' 'log_type all'
# a second, plain listener for the "TLS to a plain port" case
PLAIN=$(free_port)
printf 'listener %s 127.0.0.1\n' "$PLAIN" >>"$WORK/mosquitto.conf"
kill "$BROKER" && wait "$BROKER" 2>/dev/null
start_broker mosquitto "$MPORT"
HIST=(-h 127.0.0.1 -p "$MPORT" --cafile "$P/ca.pem" --cert "$P/hist.pem" --key "$P/hist.key")

start_outstation os --listen 127.0.0.1:0 --simulate --sim-period 40 --sim-steps 60 --seed 5
mosquitto_sub "${HIST[@]}" -q 1 -t 'plant/#' -v >"$WORK/all.log" 2>&1 &
SUB=$!
PIDS+=("$SUB")
cat >"$WORK/gw.yaml" <<EOF
outstations:
  - name: feeder
    target: 127.0.0.1:$PORT
    event_period_s: 1
    commands: true
store: {sqlite: $WORK/g.db}
mqtt: {host: 127.0.0.1, port: $MPORT, prefix: plant, tls: true, ca: $P/ca.pem, certificate: $P/gw.pem,
       private_key: $P/gw.key}
EOF
start_gateway gw
wait_for "$WORK/os.log" "simulation finished" 200 || bad "the simulation did not finish"
GEN=$(sim_generated os)
expect_published_stored "over TLS" "$WORK/all.log" "$WORK/g.db" "$GEN"
expect "the gateway's status over TLS" "$WORK/all.log" "plant/status online"
# the broker took the gateway's certificate as its identity (CN gw1)
expect "the broker saw the gateway's client certificate" "$WORK/mosquitto.log" "u'gw1'"

# a command over the connection the certificate authenticates (no user name configured)
mosquitto_sub "${HIST[@]}" -q 1 -t 'plant/feeder/command/result' -C 1 -W 10 >"$WORK/result.txt" 2>&1 &
RSUB=$!
sleep 0.3
mosquitto_pub "${HIST[@]}" -q 1 -t plant/feeder/command -m '{"crob":0,"code":"trip","id":"t1"}'
wait "$RSUB"
expect "a command accepted on the certificate-authenticated connection" "$WORK/result.txt" '"ok":true,"result":"SUCCESS"'

# the broker restarts: the gateway is back over TLS (the same context, a new connection)
kill "$SUB" "$BROKER"
wait "$SUB" "$BROKER" 2>/dev/null
start_broker mosquitto "$MPORT"
# (the broker keeps nothing: "online" is there again only if the gateway published it anew)
for ((i = 0; i < 40; i++)); do
    [ "$(mosquitto_sub "${HIST[@]}" -t plant/status -C 1 -W 1 2>/dev/null)" = online ] && break
done
expect_rc "after the broker's restart: online again over TLS" online \
    "$(mosquitto_sub "${HIST[@]}" -t plant/status -C 1 -W 5 2>/dev/null)"
kill "$GW"
wait "$GW" 2>/dev/null

# handshakes that must fail: the gateway says why and publishes nothing
L0=$(wc -l <"$WORK/mosquitto.log")
# fails NAME WANT ARGS...: `dnp3 master run` with the --mqtt ARGS; its log must say WANT
fails() {
    local name=$1 want=$2
    shift 2
    run_until "$WORK/$name.log" "$want" "$DNP3" master run "127.0.0.1:$PORT" --sqlite "$WORK/$name.db" --mqtt "$@"
    expect "$name" "$WORK/$name.log" "$want"
}
fails unknown-ca "MQTT 127.0.0.1:$MPORT: the broker's certificate: " "mqtts://127.0.0.1:$MPORT" \
    --mqtt-ca "$P/ca2.pem" --mqtt-cert "$P/gw.pem" --mqtt-key "$P/gw.key"
fails wrong-name "the broker's certificate: hostname mismatch" "mqtts://localhost:$MPORT" \
    --mqtt-ca "$P/ca.pem" --mqtt-cert "$P/gw.pem" --mqtt-key "$P/gw.key"
# (TLS 1.3: the broker's refusal comes after the client's handshake is done, as an alert the gateway
# reads, or as a connection reset when its CONNECT crosses the alert: both say certificate required)
fails no-client-cert "certificate required" "mqtts://127.0.0.1:$MPORT" --mqtt-ca "$P/ca.pem"
fails tls-to-plain "MQTT 127.0.0.1:$PLAIN: TLS: " "mqtts://127.0.0.1:$PLAIN" --mqtt-ca "$P/ca.pem"
tail -n +$((L0 + 1)) "$WORK/mosquitto.log" >"$WORK/failed-handshakes.log"
expect_not "nothing published without a good handshake" "$WORK/failed-handshakes.log" "Received PUBLISH"
# the system's CA store does not know the test CA: refused as well
fails system-cas "the broker's certificate: " "mqtts://127.0.0.1:$MPORT" --mqtt-cert "$P/gw.pem" \
    --mqtt-key "$P/gw.key"

# start-up errors, exit 2, naming the file or the option
# refused NAME WANT ARGS...: `dnp3 master run ARGS` exits 2 saying WANT
refused() {
    local name=$1 want=$2
    shift 2
    timeout 5 "$DNP3" master run "$@" >"$WORK/$name.out" 2>&1
    expect_rc "$name: exit 2" 2 $?
    expect "$name: message" "$WORK/$name.out" "$want"
}
M=(127.0.0.1:1 --sqlite "$WORK/x.db" --mqtt)
refused missing-ca "the MQTT CA file '$P/none.pem': No such file" "${M[@]}" mqtts://127.0.0.1 --mqtt-ca "$P/none.pem"
refused ca-not-pem "the MQTT CA file '$P/gw.key' holds no PEM certificate" "${M[@]}" mqtts://127.0.0.1 \
    --mqtt-ca "$P/gw.key"
refused key-mismatch "the MQTT private key '$P/hist.key' does not belong to the certificate '$P/gw.pem'" \
    "${M[@]}" mqtts://127.0.0.1 --mqtt-cert "$P/gw.pem" --mqtt-key "$P/hist.key"
refused cert-without-key "a client certificate needs its private key" "${M[@]}" mqtts://127.0.0.1 \
    --mqtt-cert "$P/gw.pem"
refused plain-with-ca "not mqtt://" "${M[@]}" mqtt://127.0.0.1 --mqtt-ca "$P/ca.pem"
refused bad-scheme "expected HOST[:PORT], mqtt://HOST[:PORT] or mqtts://HOST[:PORT]" "${M[@]}" ws://127.0.0.1
refused bad-port "bad port" "${M[@]}" mqtts://127.0.0.1:70000
refused ca-without-mqtt "go with --mqtt" 127.0.0.1:1 --sqlite "$WORK/x.db" --mqtt-ca "$P/ca.pem"
printf 'outstations: [{name: a, target: 127.0.0.1:1}]\nmqtt: {host: 127.0.0.1, tls: false, ca: %s}\n' \
    "$P/ca.pem" >"$WORK/bad.yaml"
refused yaml-tls-false "bad.yaml:2:" --config "$WORK/bad.yaml"
printf 'outstations: [{name: a, target: 127.0.0.1:1}]\nmqtt: {host: 127.0.0.1, ca: %s}\n' "$P/gw.key" \
    >"$WORK/bad2.yaml"
refused yaml-ca-not-pem "the MQTT CA file '$P/gw.key'" --config "$WORK/bad2.yaml"

# url: and tls: in either order mean the same; contradictions and url: with host/port are refused
ymqtt() { printf 'outstations: [{name: a, target: 127.0.0.1:1}]\nmqtt: {%s}\n' "$2" >"$WORK/$1.yaml"; }
ymqtt tlsplain 'tls: true, url: "mqtt://127.0.0.1:1"'
refused yaml-tls-true-mqtt "tls: true contradicts mqtt://" --config "$WORK/tlsplain.yaml"
ymqtt tlsfalse 'url: "mqtts://127.0.0.1:1", tls: false'
refused yaml-tls-false-mqtts "tls: false contradicts mqtts://" --config "$WORK/tlsfalse.yaml"
ymqtt urlport 'port: 1884, url: "mqtt://127.0.0.1"'
refused yaml-port-and-url "give url or host and port" --config "$WORK/urlport.yaml"
ymqtt urlhost 'url: "127.0.0.1:1884", host: 127.0.0.1'
refused yaml-url-and-host "give url or host and port" --config "$WORK/urlhost.yaml"
# tls: true before a bare url: still TLS (the plain listener then fails the handshake)
ymqtt tlsfirst "tls: true, url: \"127.0.0.1:$PLAIN\", ca: $P/ca.pem"
run_until "$WORK/tlsfirst.log" "MQTT 127.0.0.1:$PLAIN: TLS: " "$DNP3" master run --config "$WORK/tlsfirst.yaml"
expect "tls: true before url: is TLS" "$WORK/tlsfirst.log" "MQTT 127.0.0.1:$PLAIN: TLS: "

# a password in clear text to a broker elsewhere: a warning (TEST-NET-1, nothing answers)
printf 'outstations: [{name: a, target: 127.0.0.1:1}]\nmqtt: {host: 192.0.2.1, username: u, password: p}\n' \
    >"$WORK/clear.yaml"
run_until "$WORK/clear.out" "crosses the network in clear text" "$DNP3" master run --config "$WORK/clear.yaml"
expect "clear-text password: warned" "$WORK/clear.out" "the MQTT password crosses the network in clear text"
live_finish
