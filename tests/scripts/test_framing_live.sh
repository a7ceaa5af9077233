#!/usr/bin/env bash
# test_framing_live.sh BUILD_DIR SOURCE_DIR - what a framing error (IEEE 1815-2012 clause 9.2.4:
# bad start octets, a bad header CRC, junk after a frame) does to a TCP connection, for both
# roles and both settings of --framing-error (issue 11; docs/link-transport.md):
#  - `dnp3 outstation` (default close): a raw master sends junk, the outstation closes;
#    with --framing-error resync (or framing_error: resync in --config) it skips the junk and
#    answers the READ that follows;
#  - `dnp3 master poll` against a raw outstation that puts junk and a frame with a bad header CRC
#    before its response: the default closes (the poll fails), resync finds the response.
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/live.sh"
live_setup test_framing_live "$1" python3
SRC=$(cd "$2" && pwd)
export PYTHONPATH="$SRC/tests/scripts"

# junk before a READ: bad start octets, a header with a bad CRC, then garbage after a good frame
os_client() { # os_client PORT -> prints "answered", "closed" or "silent"
    python3 - "$1" <<'EOF'
import sys
from rawmaster import Master, frame
m = Master(int(sys.argv[1]))
bad_crc = bytearray(frame(0xC0, 10, 1)); bad_crc[8] ^= 0xFF
m.send_raw(b"\x00\xff\x05\x63" + bytes(bad_crc))
m.request(0x01, bytes.fromhex("3C0106"))   # READ class 0
answers = 0
f = m.poll(2)
if isinstance(f, bytes) and f[1] == 0x81:
    answers += 1
    m.send_raw(b"junk after the frame")    # (a master waits for the answer before the next request)
    m.request(0x01, bytes.fromhex("3C0106"))
while True:
    if f != "closed": f = m.poll(2)
    if f == "closed": print("closed" if answers == 0 else "answered %d then closed" % answers); break
    if f is None: print("answered %d" % answers if answers else "silent"); break
    if isinstance(f, bytes) and f[1] == 0x81: answers += 1
EOF
}

start_outstation close --listen 127.0.0.1:0 --no-unsolicited
os_client "$PORT" >"$WORK/c1.out" 2>&1
expect "outstation default: closes on a framing error" "$WORK/c1.out" "closed"
expect_not "outstation default: nothing answered" "$WORK/c1.out" "answered"
expect "outstation default: the reason is logged" "$WORK/close.log" "framing"

start_outstation resync --listen 127.0.0.1:0 --no-unsolicited --framing-error resync
os_client "$PORT" >"$WORK/c2.out" 2>&1
expect "outstation resync: both READs answered, connection kept" "$WORK/c2.out" "answered 2"
expect_not "outstation resync: not closed" "$WORK/c2.out" "closed"

printf 'outstation:\n  framing_error: resync\n' >"$WORK/resync.yaml"
start_outstation yaml --listen 127.0.0.1:0 --no-unsolicited --config "$WORK/resync.yaml"
os_client "$PORT" >"$WORK/c3.out" 2>&1
expect "outstation framing_error: resync in the config file" "$WORK/c3.out" "answered 2"

"$DNP3" outstation --listen 127.0.0.1:0 --framing-error sometimes >"$WORK/bad.log" 2>&1
expect_rc "outstation: a bad --framing-error value is a usage error" 2 $?
expect "outstation: the usage error names the values" "$WORK/bad.log" "is not close or resync"

# a raw outstation: junk and a frame with a bad header CRC before its (empty) response
fake_outstation() { # fake_outstation PORTFILE
    python3 - "$1" <<'EOF'
import socket, sys
from rawmaster import frame
srv = socket.socket(); srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", 0)); srv.listen(1); srv.settimeout(10)
open(sys.argv[1], "w").write(str(srv.getsockname()[1]))
c, _ = srv.accept(); c.settimeout(5)
rx = b""
while len(rx) < 10 or len(rx) < 10 + (rx[2] - 5) + 2 * ((rx[2] - 5 + 15) // 16):
    d = c.recv(4096)
    if not d: sys.exit(1)
    rx += d
seq = rx[11] & 0x0F                          # application control of the request
bad_crc = bytearray(frame(0x44, 1, 10)); bad_crc[8] ^= 0xFF
resp = frame(0x44, 1, 10, bytes([0xC0, 0xC0 | seq, 0x81, 0x00, 0x00]))
c.sendall(b"\x00\xff\x05" + bytes(bad_crc) + resp)
try:
    while c.recv(4096): pass
except OSError: pass
EOF
}

for mode in close resync; do
    rm -f "$WORK/port"
    fake_outstation "$WORK/port" >"$WORK/fake_$mode.log" 2>&1 &
    PIDS+=($!)
    for _ in $(seq 100); do [ -s "$WORK/port" ] && break; sleep 0.05; done
    args=(--timeout 2000)
    [ "$mode" = resync ] && args+=(--framing-error resync)
    "$DNP3" master poll "127.0.0.1:$(cat "$WORK/port")" "${args[@]}" >"$WORK/m_$mode.log" 2>&1
    rc=$?
    if [ "$mode" = close ]; then
        if [ "$rc" -ne 0 ]; then ok; else bad "master default: the poll succeeded through a framing error"; fi
    else
        expect_rc "master resync: the poll succeeds past the junk" 0 "$rc"
    fi
done
"$DNP3" master poll 127.0.0.1:1 --framing-error maybe >"$WORK/mbad.log" 2>&1
expect_rc "master: a bad --framing-error value is a usage error" 2 $?

for f in c1.out c2.out m_close.log m_resync.log; do sed "s/^/    $f: /" "$WORK/$f" | head -5; done
live_finish
