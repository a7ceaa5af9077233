#!/usr/bin/env bash
# test_capture_oracle.sh BUILD_DIR SOURCE_DIR - Wireshark's DNP3 dissector judges a real
# session: tshark captures the loopback traffic of `dnp3 outstation` and `dnp3 master`
# (TCP and UDP: poll, select-before-operate, event poll with confirm, time sync, watch with
# unsolicited data), then every captured frame must decode as DNP3 with good CRCs and
# no malformed or warning expert info, and `dnp3 decode` reads the capture without a problem
# (connections opened and closed, so FINs must not count as missing octets). Skips (77)
# without tshark or capture rights.
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/live.sh"
live_setup test_capture_oracle "$1" tshark

start_outstation tcp --listen 127.0.0.1:0 --simulate --sim-period 100
TCP_PORT=$PORT
start_outstation udp --udp 127.0.0.1:0
UDP_PORT=$PORT
printf '000102030405060708090a0b0c0d0e0f\n' >"$WORK/user1.key"
start_outstation sa --listen 127.0.0.1:0 --sa-user 1 --sa-update-key-file "$WORK/user1.key"
SA_PORT=$PORT

PCAP=$WORK/session.pcapng
# each port with its own transport: another test running beside this one may use one of these
# numbers as the ephemeral port of an unrelated TCP connection (a UDP port's number is free in TCP)
tshark -i lo -f "tcp port $TCP_PORT or udp port $UDP_PORT or tcp port $SA_PORT" -w "$PCAP" -q >"$WORK/tshark.log" 2>&1 &
TSHARK=$!
PIDS+=($TSHARK)
for _ in $(seq 100); do grep -q "Capturing on" "$WORK/tshark.log" && break; sleep 0.05; done
if ! grep -q "Capturing on" "$WORK/tshark.log"; then
    echo "skip: tshark cannot capture on lo here: $(head -2 "$WORK/tshark.log")"
    exit 77
fi
sleep 0.3

M="$DNP3 master"
$M poll "127.0.0.1:$TCP_PORT" >/dev/null
$M operate "127.0.0.1:$TCP_PORT" --crob 0 --code trip >/dev/null
$M operate "127.0.0.1:$TCP_PORT" --analog 0 --value 139.5 --mode direct >/dev/null
$M poll "127.0.0.1:$TCP_PORT" --class 123 >/dev/null
$M timesync "127.0.0.1:$TCP_PORT" >/dev/null
$M timesync "127.0.0.1:$TCP_PORT" --lan >/dev/null
timeout -s INT 2 $M watch "127.0.0.1:$TCP_PORT" >/dev/null
$M poll "udp://127.0.0.1:$UDP_PORT" >/dev/null
$M operate "udp://127.0.0.1:$UDP_PORT" --crob 2 --code latch-on >/dev/null
# Secure Authentication: session keys, challenge of the SELECT and OPERATE, replies (only
# `dnp3 decode` judges this port: Wireshark 4.0 does not decode the objects of AUTH messages)
$M operate "127.0.0.1:$SA_PORT" --crob 0 --code trip --sa-user 1 --sa-update-key-file "$WORK/user1.key" >/dev/null
sleep 0.5
kill -INT "$TSHARK"
wait "$TSHARK" 2>/dev/null

# Flagged: malformed, any DNP3 warning, a TCP/UDP payload that is not DNP3. A TCP-analysis warning
# alone ("ACKed unseen segment", "previous segment not captured") is the capture missing a packet
# on a loaded machine, not something we sent, so it does not count by itself.
FLAGGED='_ws.malformed || (_ws.expert.severity >= warning && (dnp3 || !tcp.analysis.flags)) || (tcp.len > 0 && !dnp3) || (udp && !dnp3)'
tshark -r "$PCAP" -Y "($FLAGGED) && !tcp.port == $SA_PORT" >/dev/null 2>&1 ||
    bad "tshark refuses the display filter (an always-empty result would hide every flag)"
BAD=$(tshark -r "$PCAP" -d "tcp.port==$TCP_PORT,dnp3" -d "udp.port==$UDP_PORT,dnp3" \
    -Y "($FLAGGED) && !tcp.port == $SA_PORT" 2>/dev/null | wc -l)
FRAMES=$(tshark -r "$PCAP" -d "tcp.port==$TCP_PORT,dnp3" -d "udp.port==$UDP_PORT,dnp3" -Y dnp3 2>/dev/null | wc -l)
BADCRC=$(tshark -r "$PCAP" -d "tcp.port==$TCP_PORT,dnp3" -d "udp.port==$UDP_PORT,dnp3" \
    -Y 'dnp.hdr.CRC.status != 1 || dnp.data_chunk.CRC.status != 1' 2>/dev/null | wc -l)
UNSOL=$(tshark -r "$PCAP" -d "tcp.port==$TCP_PORT,dnp3" -Y 'dnp3.al.func == 0x82' 2>/dev/null | wc -l)
OPER=$(tshark -r "$PCAP" -d "tcp.port==$TCP_PORT,dnp3" -Y 'dnp3.al.func == 0x04' 2>/dev/null | wc -l)

echo "captured DNP3 packets: $FRAMES, flagged: $BAD, bad CRC: $BADCRC, unsolicited: $UNSOL, OPERATE: $OPER"
if [ "$BAD" -ne 0 ]; then
    echo "FAIL: tshark flags packets:"
    tshark -r "$PCAP" -d "tcp.port==$TCP_PORT,dnp3" -d "udp.port==$UDP_PORT,dnp3" \
        -Y "($FLAGGED) && !tcp.port == $SA_PORT" -V | head -80
    bad "tshark flags $BAD packets"
else
    ok
fi
[ "$BADCRC" -eq 0 ] && ok || bad "$BADCRC packets with a bad CRC"
[ "$FRAMES" -ge 30 ] && ok || bad "only $FRAMES DNP3 packets captured"
[ "$UNSOL" -ge 1 ] && ok || bad "no unsolicited response captured"
[ "$OPER" -ge 1 ] && ok || bad "no OPERATE captured"

# `dnp3 decode` reads the same capture (named without --pcap: recognised as pcapng by its magic
# number). Every master command above is its own TCP connection, opened with SYN and closed with
# FIN: nothing is missing, so the decoder must report no problem and find the same OPERATE.
for port in "$TCP_PORT" "$UDP_PORT"; do
    if $DNP3 decode "$PCAP" --port "$port" >"$WORK/decode.$port" 2>&1; then
        ok
    else
        bad "dnp3 decode $PCAP --port $port reports problems:"
        grep -m 10 "error" "$WORK/decode.$port"
    fi
done
DOPER=$(grep -c "function 0x04 OPERATE" "$WORK/decode.$TCP_PORT")
[ "$DOPER" -eq "$OPER" ] && ok || bad "dnp3 decode finds $DOPER OPERATE requests, tshark $OPER"
# the SA exchange by field: key status request and reply, key change, challenges and replies
if $DNP3 decode "$PCAP" --port "$SA_PORT" --level objects >"$WORK/decode.sa" 2>&1; then
    ok
else
    bad "dnp3 decode $PCAP --port $SA_PORT reports problems:"
    grep -m 10 "error" "$WORK/decode.sa"
fi
for want in "object 1: user 1" "key status NOT_INIT (2)" "key status OK (1)" "wrapped key data (" \
            "MAC algorithm HMAC_SHA256_16 (4), reason CRITICAL (1), challenge (" "MAC (16 octets)"; do
    grep -qF "$want" "$WORK/decode.sa" && ok || bad "dnp3 decode of the SA exchange lacks '$want'"
done
live_finish
