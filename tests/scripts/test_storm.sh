#!/usr/bin/env bash
# test_storm.sh BUILD_DIR SOURCE_DIR - connection storms and half-open connections against a
# real `dnp3 outstation` on 127.0.0.1 while `dnp3 master watch` is served (issue 6):
#  - with --accept reject: 300 connections opened and closed at once, 100 held open and silent
#    (half-open), 100 that send garbage; the master's session is never interrupted and keeps
#    receiving data; afterwards the outstation's descriptors are back to their count before the
#    storm and its resident memory grew by less than 2 MiB (not checked in the ASan build, whose
#    allocator quarantine grows by design; there the outstation is stopped with SIGINT at the end
#    and must exit cleanly without a leak report);
#  - with the default --accept replace: a newcomer takes the outstation over (the IP-networking
#    practice) and the master reconnects and is served again; descriptors stay flat;
#  - a half-open connection (connected, silent) holding a reject-policy outstation is dropped when
#    the link keep-alive goes unanswered, and a master can connect again.
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/live.sh"
live_setup test_storm "$1" python3
lines() { wc -l <"$1"; }

storm() { # storm PORT: opens/closes 300, holds 100 silent, 100 with garbage; holds for 2 s
    python3 - "$1" <<'EOF'
import socket, sys, time
port = int(sys.argv[1])
held = []
def conn():
    s = socket.socket()
    s.settimeout(2)
    try:
        s.connect(("127.0.0.1", port))
        return s
    except OSError:
        s.close()
        return None
for _ in range(300):
    s = conn()
    if s: s.close()
for _ in range(100):
    s = conn()
    if s: held.append(s)
for _ in range(100):
    s = conn()
    if s:
        try: s.sendall(b"GET / HTTP/1.0\r\n\r\n" + bytes(range(256)))
        except OSError: pass
        held.append(s)
time.sleep(2)
for s in held: s.close()
EOF
}

# ---- reject policy: the master keeps its session
start_outstation reject --listen 127.0.0.1:0 --accept reject --simulate --sim-period 100
"$DNP3" master watch "127.0.0.1:$PORT" --json --event-period 1 >"$WORK/m1.json" 2>&1 &
M1=$!
PIDS+=($M1)
sleep 2
FD0=$(fds "$OSPID")
RSS0=$(rss_kb "$OSPID")
BEFORE=$(lines "$WORK/m1.json")
storm "$PORT"
sleep 2
AFTER=$(lines "$WORK/m1.json")
FD1=$(fds "$OSPID")
RSS1=$(rss_kb "$OSPID")
REJECTED=$(grep -c "connection rejected from" "$WORK/reject.log")
echo "reject policy: $REJECTED connections rejected; master output $BEFORE -> $AFTER lines; outstation fds $FD0 -> $FD1, RSS $RSS0 -> $RSS1 KiB"
if [ "$(grep -c "connected to" "$WORK/m1.json")" -eq 1 ]; then ok; else bad "the master's session was interrupted"; fi
if [ "$AFTER" -gt "$BEFORE" ]; then ok; else bad "the master received nothing during and after the storm"; fi
if [ "$REJECTED" -ge 400 ]; then ok; else bad "only $REJECTED connections rejected"; fi
if [ "$FD1" -le "$FD0" ]; then ok; else bad "descriptors grew from $FD0 to $FD1"; fi
if [ "$ASAN" = 1 ]; then
    echo "note: ASan build: resident-memory bound not checked (the leak check at exit is)"
elif [ $((RSS1 - RSS0)) -lt 2048 ]; then ok; else bad "resident memory grew from $RSS0 to $RSS1 KiB"; fi
kill -0 "$OSPID" 2>/dev/null && ok || bad "the outstation died"
kill -INT "$OSPID"
wait "$OSPID"
RC=$?
if [ "$RC" -eq 0 ] && ! grep -q "Sanitizer" "$WORK/reject.log"; then ok; else bad "the outstation did not exit cleanly after the storm (status $RC)"; grep -A20 Sanitizer "$WORK/reject.log" | head -30; fi

# ---- replace policy: a newcomer takes over, the master comes back
start_outstation replace --listen 127.0.0.1:0 --keep-alive 1000 --simulate --sim-period 100
RPID=$OSPID
"$DNP3" master watch "127.0.0.1:$PORT" --json --event-period 1 >"$WORK/m2.json" 2>&1 &
MPID=$!
PIDS+=("$MPID")
sleep 1.5
FDR0=$(fds "$RPID")
storm "$PORT"
sleep 3
FDR1=$(fds "$RPID")
echo "replace policy: outstation fds $FDR0 -> $FDR1 after a storm"
if grep -q "replaced by a new connection" "$WORK/replace.log"; then ok; else bad "the newcomers did not replace the master"; fi
if [ "$(grep -c "connected to" "$WORK/m2.json")" -ge 2 ]; then ok; else bad "the master did not reconnect"; fi
# a master whose connection is replaced while it writes gets EPIPE, not a fatal SIGPIPE (the
# runtime ignores SIGPIPE; before, the master vanished without a word now and then)
if kill -0 "$MPID" 2>/dev/null; then ok; else bad "the master died during the storm"; tail -3 "$WORK/m2.json"; fi
# Served again: new output after its last connection, waited for up to 15 s (the master's
# reconnect backoff and a loaded ASan build can both delay the first poll by seconds).
N1=$(lines "$WORK/m2.json")
for _ in $(seq 150); do
    [ "$(lines "$WORK/m2.json")" -gt "$N1" ] && break
    sleep 0.1
done
N2=$(lines "$WORK/m2.json")
if [ "$N2" -gt "$N1" ]; then ok; else bad "the master is not served after reconnecting"; tail -5 "$WORK/m2.json"; fi
if [ "$FDR1" -le $((FDR0 + 1)) ]; then ok; else bad "descriptors grew from $FDR0 to $FDR1 (replace policy)"; fi
kill -0 "$RPID" 2>/dev/null && ok || bad "the outstation died (replace policy)"

# ---- a half-open connection holds a reject-policy outstation until the keep-alive drops it
start_outstation halfopen --listen 127.0.0.1:0 --accept reject --keep-alive 1000
python3 - "$PORT" <<'EOF' &
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
time.sleep(6)   # silent, never answers the outstation's REQUEST_LINK_STATUS
s.close()
EOF
PIDS+=($!)
wait_for "$WORK/halfopen.log" "connection accepted from" 100 # the silent client holds the outstation first
"$DNP3" master poll "127.0.0.1:$PORT" --timeout 1000 >"$WORK/blocked.out" 2>&1
BLOCKED=$?
sleep 2.5
"$DNP3" master poll "127.0.0.1:$PORT" --timeout 2000 >"$WORK/after-keepalive.out" 2>&1
AFTER_KA=$?
if [ "$BLOCKED" -ne 0 ] && grep -q "a master is already connected" "$WORK/halfopen.log"; then ok; else bad "the half-open connection did not hold the outstation"; fi
if grep -q "link keep-alive not answered" "$WORK/halfopen.log"; then ok; else bad "the half-open connection was not dropped by the keep-alive"; fi
if [ "$AFTER_KA" -eq 0 ]; then ok; else bad "no master could connect after the keep-alive dropped the half-open connection"; fi

live_finish
