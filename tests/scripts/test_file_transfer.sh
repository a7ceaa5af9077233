#!/usr/bin/env bash
# test_file_transfer.sh BUILD_DIR SOURCE_DIR - DNP3 file transfer (group 70) between real processes
# on 127.0.0.1: `dnp3 outstation --file-root DIR` and `dnp3 master file ls|get|put|rm|info`.
# Downloads and uploads of 0, 1, 2030, 2031 octets and 1 MiB compared byte for byte; read-only
# unless --file-write; --file-max-size; an upload appears only complete; and every attempt to leave
# the root refused with PERMISSION_DENIED (1): "..", absolute names, a symbolic link to a file and
# one to a folder outside the root, NUL and control characters, a 256-octet name (the last three
# sent by a raw master, tests/scripts/rawmaster.py, since the CLI cannot send them).
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/live.sh"
live_setup test_file_transfer "$1" python3 cmp head mkfifo
SRC=$2

ROOT=$WORK/root
OUTSIDE=$WORK/outside
mkdir -p "$ROOT/sub" "$OUTSIDE"
echo "top secret" >"$OUTSIDE/secret"
ln -s "$OUTSIDE/secret" "$ROOT/link_out"
ln -s "$OUTSIDE" "$ROOT/linkdir"
for n in 0 1 2030 2031 1048576; do head -c "$n" /dev/urandom >"$ROOT/f$n.bin"; done
echo "in a folder" >"$ROOT/sub/inner.txt"

M() { "$DNP3" master file "$@"; }

# ---- read-only ----
start_outstation ro --listen 127.0.0.1:0 --no-unsolicited --file-root "$ROOT"
T=127.0.0.1:$PORT

M ls "$T" >"$WORK/ls.out" 2>"$WORK/ls.err"
expect_rc "ls" 0 $?
expect "ls lists a file" "$WORK/ls.out" " 1048576 f1048576.bin"
expect "ls lists a folder" "$WORK/ls.out" "sub"
M ls "$T" sub >"$WORK/ls2.out" 2>&1
expect "ls of a sub-folder" "$WORK/ls2.out" "inner.txt"

for n in 0 1 2030 2031 1048576; do
    M get "$T" "f$n.bin" "$WORK/got$n" >"$WORK/get$n.out" 2>&1
    expect_rc "get $n octets" 0 $?
    if cmp -s "$ROOT/f$n.bin" "$WORK/got$n"; then ok; else bad "get $n octets: content differs"; fi
done
[ ! -e "$WORK/got1.part" ] && ok || bad "a .part file was left behind"
expect_not "no progress bar when stdout is not a terminal" "$WORK/get1048576.out" "["
M get "$T" sub/inner.txt - >"$WORK/inner.out" 2>/dev/null
expect "get to stdout" "$WORK/inner.out" "in a folder"

M info "$T" f2031.bin >"$WORK/info.out" 2>&1
expect_rc "info" 0 $?
expect "info size" "$WORK/info.out" "size: 2031"
expect "info type" "$WORK/info.out" "type: file"

M get "$T" nothere "$WORK/x" >"$WORK/nf.out" 2>&1
expect_rc "get of a missing file" 1 $?
expect "missing file named" "$WORK/nf.out" "FILE_NOT_FOUND (3)"
[ ! -e "$WORK/x" ] && [ ! -e "$WORK/x.part" ] && ok || bad "a failed get left a file"

M put "$T" "$ROOT/f1.bin" up.bin >"$WORK/ro_put.out" 2>&1
expect_rc "put on a read-only root" 1 $?
expect "read-only put refused" "$WORK/ro_put.out" "PERMISSION_DENIED (1)"
M rm "$T" f1.bin >"$WORK/ro_rm.out" 2>&1
expect_rc "rm on a read-only root" 1 $?
[ -e "$ROOT/f1.bin" ] && ok || bad "a read-only root lost a file"

# a FIFO is not served (and must not block the outstation)
mkfifo "$ROOT/fifo"
M get "$T" fifo "$WORK/fifo.out" >"$WORK/fifo.log" 2>&1
expect_rc "get of a FIFO" 1 $?
expect "FIFO refused" "$WORK/fifo.log" "PERMISSION_DENIED (1)"
M info "$T" f1.bin >/dev/null 2>&1
expect_rc "still answering after the FIFO" 0 $?
rm -f "$ROOT/fifo"

# ---- traversal: every name that leaves the root ----
for name in ../outside/secret /etc/passwd sub/../../outside/secret link_out linkdir/secret ./f1.bin sub//inner.txt \
    .dnp3-partial-1-x; do
    M get "$T" "$name" "$WORK/trav" >"$WORK/trav.out" 2>&1
    rc=$?
    expect_rc "get '$name'" 1 $rc
    expect "get '$name' refused" "$WORK/trav.out" "PERMISSION_DENIED (1)"
    M info "$T" "$name" >"$WORK/trav.out" 2>&1
    expect "info '$name' refused" "$WORK/trav.out" "PERMISSION_DENIED (1)"
done
[ ! -e "$WORK/trav" ] && ok || bad "a traversal produced a file"

# raw OPEN_FILE requests: NUL, a control character, 256 octets -> g70v4 status
PYTHONPATH="$SRC/tests/scripts" python3 - "$PORT" >"$WORK/raw.out" 2>&1 <<'PY'
import struct, sys
from rawmaster import Master, frame
m = Master(int(sys.argv[1]))
def send_segmented(apdu):  # transport segments of at most 249 octets (clause 8)
    chunks = [apdu[i:i + 249] for i in range(0, len(apdu), 249)]
    for i, c in enumerate(chunks):
        th = (0x40 if i == 0 else 0) | (0x80 if i == len(chunks) - 1 else 0) | m.tseq
        m.tseq = (m.tseq + 1) & 0x3F
        m.send_raw(frame(0xC4, m.os_addr, m.addr, bytes([th]) + c))
def open_status(name):
    body = struct.pack("<HH6sHIIHHH", 26, len(name), b"\0" * 6, 0, 0, 0, 1, 0, 1) + name
    seq = m.aseq
    m.aseq = (m.aseq + 1) & 0x0F
    send_segmented(bytes([0xC0 | seq, 0x19, 70, 3, 0x5B, 1]) + struct.pack("<H", len(body)) + body)
    while True:
        f = m.poll(3)
        if not isinstance(f, bytes):
            return "none"
        if f[1] == 0x81:
            return "%d" % f[-1] if len(f) >= 23 and f[4:6] == b"\x46\x04" else "iin %s" % f[2:4].hex()
for label, name in (("nul", b"f1.bin\0x"), ("control", b"f1\x01.bin"), ("tab", b"f1\t.bin"), ("long", b"a" * 256),
                    ("ok", b"f1.bin")):
    print(label, open_status(name))
PY
expect "NUL in a name" "$WORK/raw.out" "nul 1"
expect "control character in a name" "$WORK/raw.out" "control 1"
expect "tab in a name" "$WORK/raw.out" "tab 1"
expect "256-octet name" "$WORK/raw.out" "long 1"
expect "a plain name opens" "$WORK/raw.out" "ok 0"
kill "$OSPID" 2>/dev/null
wait "$OSPID" 2>/dev/null

# ---- writable, with a size limit ----
start_outstation rw --listen 127.0.0.1:0 --no-unsolicited --file-root "$ROOT" --file-write --file-max-size 2000000
T=127.0.0.1:$PORT
for n in 0 1 2030 2031 1048576; do
    M put "$T" "$ROOT/f$n.bin" "up$n.bin" >"$WORK/put$n.out" 2>&1
    expect_rc "put $n octets" 0 $?
    if cmp -s "$ROOT/f$n.bin" "$ROOT/up$n.bin"; then ok; else bad "put $n octets: content differs"; fi
    expect "put $n verified" "$WORK/put$n.out" "verified"
done
M put "$T" "$ROOT/f1.bin" sub/up.bin >/dev/null 2>&1
expect_rc "put into a sub-folder" 0 $?
M put "$T" "$ROOT/f1.bin" ../outside/evil >"$WORK/evil.out" 2>&1
expect_rc "put outside the root" 1 $?
expect "put outside refused" "$WORK/evil.out" "PERMISSION_DENIED (1)"
M put "$T" "$ROOT/f1.bin" linkdir/evil >/dev/null 2>&1
expect_rc "put through a linked folder" 1 $?
M put "$T" "$ROOT/f1.bin" link_out >/dev/null 2>&1
expect_rc "put over a symbolic link" 1 $?
[ ! -e "$OUTSIDE/evil" ] && [ "$(cat "$OUTSIDE/secret")" = "top secret" ] && ok || bad "something escaped the root"
head -c 2000001 /dev/zero >"$WORK/big"
M put "$T" "$WORK/big" big.bin >"$WORK/big.out" 2>&1
expect_rc "put above --file-max-size" 1 $?
expect "size limit named" "$WORK/big.out" "BUFFER_OVERRUN (18)"
[ ! -e "$ROOT/big.bin" ] && ok || bad "an oversized upload appeared"
ls -a "$ROOT" | grep -q dnp3-partial && bad "a temporary file was left" || ok

M rm "$T" up1.bin >/dev/null 2>&1
expect_rc "rm" 0 $?
[ ! -e "$ROOT/up1.bin" ] && ok || bad "rm left the file"
M rm "$T" up1.bin >"$WORK/rm2.out" 2>&1
expect_rc "rm of a missing file" 1 $?
M rm "$T" link_out >/dev/null 2>&1
expect_rc "rm of a symbolic link" 1 $?
M rm "$T" ../outside/secret >/dev/null 2>&1
expect_rc "rm outside the root" 1 $?
[ -e "$ROOT/link_out" ] && [ -e "$OUTSIDE/secret" ] && ok || bad "rm removed what it must not"
M ls "$T" >"$WORK/ls3.out" 2>&1
expect_not "temporary names are not listed" "$WORK/ls3.out" "dnp3-partial"
kill "$OSPID" 2>/dev/null
wait "$OSPID" 2>/dev/null

# ---- AUTHENTICATE_FILE and the open-file timeout: `dnp3 master file --file-user`, then raw requests ----
printf 'correct horse\n' >"$WORK/file.pw"
start_outstation auth --listen 127.0.0.1:0 --no-unsolicited --file-root "$ROOT" --file-user op \
    --file-password-file "$WORK/file.pw" --file-timeout 500
M ls "127.0.0.1:$PORT" >"$WORK/auth_ls.out" 2>&1
expect_rc "a master without the key is refused" 1 $?
expect "refusal names PERMISSION_DENIED" "$WORK/auth_ls.out" "PERMISSION_DENIED (1)"
printf 'horse\n' >"$WORK/wrong.pw"
M get "127.0.0.1:$PORT" f1.bin "$WORK/auth_wrong.bin" --file-user op --file-password-file "$WORK/wrong.pw" \
    >"$WORK/auth_wrong.out" 2>&1
expect_rc "the wrong password: refused" 1 $?
expect "the wrong password: PERMISSION_DENIED" "$WORK/auth_wrong.out" "PERMISSION_DENIED (1)"
M get "127.0.0.1:$PORT" f1.bin "$WORK/auth_get.bin" --file-user op --file-password-file "$WORK/file.pw" \
    >"$WORK/auth_get.out" 2>&1
expect_rc "get with AUTHENTICATE_FILE" 0 $?
cmp -s "$ROOT/f1.bin" "$WORK/auth_get.bin" && ok || bad "get with AUTHENTICATE_FILE: not the same octets"
M ls "127.0.0.1:$PORT" --file-user op --file-password-file "$WORK/file.pw" >"$WORK/auth_ls2.out" 2>&1
expect_rc "ls with AUTHENTICATE_FILE" 0 $?
expect "ls with AUTHENTICATE_FILE: the files" "$WORK/auth_ls2.out" "f1.bin"
M get "127.0.0.1:$PORT" f1.bin --file-user op >"$WORK/auth_nopw.out" 2>&1
expect_rc "--file-user without --file-password-file: usage" 2 $?
PYTHONPATH="$SRC/tests/scripts" python3 - "$PORT" >"$WORK/auth.out" 2>&1 <<'PY'
import struct, sys, time
from rawmaster import Master
m = Master(int(sys.argv[1]))
def answer(fc, objects):
    seq = m.aseq
    m.aseq = (m.aseq + 1) & 0x0F
    m.send_apdu(bytes([0xC0 | seq, fc]) + objects)
    while True:
        f = m.poll(3)
        if not isinstance(f, bytes):
            return None
        if f[1] == 0x81:
            return f
def g70(var, body):
    return bytes([70, var, 0x5B, 1]) + struct.pack("<H", len(body)) + body
def authenticate(user, pw):
    body = struct.pack("<HHHHI", 12, len(user), 12 + len(user), len(pw), 0) + user + pw
    f = answer(0x1D, g70(2, body))
    return struct.unpack("<I", f[-4:])[0]
def open_read(name, key):
    body = struct.pack("<HH6sHIIHHH", 26, len(name), b"\0" * 6, 0, key, 0, 1, 64, 5) + name
    f = answer(0x19, g70(3, body))
    return struct.unpack("<I", f[10:14])[0], f[-1]
def read_block(handle, block):
    f = answer(0x01, g70(5, struct.pack("<II", handle, block)))
    return f[-1] if f[4:6] == b"\x46\x06" else "data"
print("wrong", authenticate(b"op", b"horse"))
key = authenticate(b"op", b"correct horse")
print("key", "nonzero" if key else "zero")
print("open-nokey", open_read(b"f1.bin", 0)[1])
handle, st = open_read(b"f1.bin", key)
print("open-key", st)
print("block0", read_block(handle, 0))
time.sleep(1.0)  # past --file-timeout 500
print("after-timeout", read_block(handle, 1))
PY
expect "wrong password: key 0" "$WORK/auth.out" "wrong 0"
expect "right password: a key" "$WORK/auth.out" "key nonzero"
expect "OPEN without the key: PERMISSION_DENIED" "$WORK/auth.out" "open-nokey 1"
expect "OPEN with the key" "$WORK/auth.out" "open-key 0"
expect "first block" "$WORK/auth.out" "block0 data"
expect "an idle handle expires: HANDLE_EXPIRED (17)" "$WORK/auth.out" "after-timeout 17"
"$DNP3" outstation --file-root "$ROOT" --file-user op >"$WORK/fu.out" 2>&1
expect_rc "--file-user without a password file" 2 $?

live_finish
