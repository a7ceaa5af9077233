#!/usr/bin/env bash
# test_decode.sh BUILD_DIR SOURCE_DIR
#
# Tests of `dnp3 decode` (tools/cli/cmd_decode.c and the decode printers):
# golden frames of docs/protocol-notes.md §10 decoded layer by layer with exact key
# lines, bad input (CRC, length, truncation, transport, object headers) with
# the offsets it must name and exit status 1, usage errors with exit status 2,
# --json output that parses, and the captures in tests/data (TCP session, TCP
# reassembly edge cases, UDP over IPv6).
#
# Exit status: 0 pass, 1 fail.
set -uo pipefail

BUILD_DIR=${1:?usage: test_decode.sh BUILD_DIR SOURCE_DIR}
SOURCE_DIR=${2:?usage: test_decode.sh BUILD_DIR SOURCE_DIR}
DNP3="$BUILD_DIR/dnp3"
DATA="$SOURCE_DIR/tests/data"
if [ ! -x "$DNP3" ]; then
  echo "FAIL: $DNP3 not built"
  exit 1
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/dnp3-decode.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
OUT="$WORK/out"   # stdout of the last run
ERR="$WORK/err"   # stderr of the last run
ALL="$WORK/all"   # both, for the text checks
fails=0
checks=0

fail() {
  echo "FAIL: $*"
  fails=$((fails + 1))
}

# run EXPECTED_STATUS ARGS... : runs dnp3, stdout in $OUT, stderr in $ERR, both in $ALL
run() {
  local want=$1
  shift
  "$DNP3" "$@" >"$OUT" 2>"$ERR"
  local rc=$?
  cat "$OUT" "$ERR" >"$ALL"
  checks=$((checks + 1))
  if [ "$rc" -ne "$want" ]; then
    fail "dnp3 $* exited $rc, expected $want; output:"
    sed 's/^/    /' "$ALL" | head -40
  fi
}

# run_stdin EXPECTED_STATUS INPUT ARGS...
run_stdin() {
  local want=$1 input=$2
  shift 2
  printf '%s' "$input" | "$DNP3" "$@" >"$OUT" 2>"$ERR"
  local rc=$?
  cat "$OUT" "$ERR" >"$ALL"
  checks=$((checks + 1))
  if [ "$rc" -ne "$want" ]; then
    fail "echo '$input' | dnp3 $* exited $rc, expected $want"
    sed 's/^/    /' "$ALL" | head -40
  fi
}

# has LINE... : every line must appear verbatim (grep -F -x) in $OUT
has() {
  local l
  for l in "$@"; do
    checks=$((checks + 1))
    if ! grep -qFx -- "$l" "$ALL"; then
      fail "missing line: $l"
      echo "  output was:"
      sed 's/^/    /' "$ALL" | head -60
    fi
  done
}

# contains TEXT... : every text must appear somewhere in $OUT
contains() {
  local t
  for t in "$@"; do
    checks=$((checks + 1))
    if ! grep -qF -- "$t" "$ALL"; then
      fail "missing text: $t"
      sed 's/^/    /' "$ALL" | head -60
    fi
  done
}

# lacks TEXT : TEXT must not appear in $OUT
lacks() {
  checks=$((checks + 1))
  if grep -qF -- "$1" "$ALL"; then
    fail "unexpected text: $1"
    grep -F -- "$1" "$ALL" | head -5 | sed 's/^/    /'
  fi
}

count_is() { # count_is N TEXT : TEXT occurs on exactly N lines
  local n
  n=$(grep -cF -- "$2" "$ALL")
  checks=$((checks + 1))
  [ "$n" -eq "$1" ] || fail "'$2' on $n lines, expected $1"
}

HAVE_PY=0
command -v python3 >/dev/null 2>&1 && HAVE_PY=1
json_ok() { # every line of $OUT is a JSON object
  [ "$HAVE_PY" = 1 ] || return 0
  checks=$((checks + 1))
  if ! python3 -c 'import json,sys
for l in sys.stdin:
    o = json.loads(l)
    assert isinstance(o, dict), l' <"$OUT" 2>"$WORK/json.err"; then
    fail "output is not JSON lines: $(cat "$WORK/json.err")"
    sed 's/^/    /' "$OUT" | head -20
  fi
}
# json_eq PYTHON_EXPR EXPECTED : evaluates EXPR with L = list of parsed lines
json_eq() {
  [ "$HAVE_PY" = 1 ] || return 0
  checks=$((checks + 1))
  local got
  got=$(python3 -c 'import json,sys
L = [json.loads(l) for l in sys.stdin]
print(json.dumps(eval(sys.argv[1]), sort_keys=True))' "$1" <"$OUT" 2>&1)
  [ "$got" = "$2" ] || fail "JSON $1 = $got, expected $2"
}

# ---------------------------------------------------------------- link layer
echo "== link frames (docs/protocol-notes.md §10.1)"
run 0 decode 05 64 05 C0 01 00 00 04 E9 21
has "offset 0: link frame, length 5, control 0xC0 (DIR=1 PRM=1 FCB=0 FCV=0) RESET_LINK_STATES, dest 1, src 1024, header CRC 0x21E9 OK"
count_is 1 "link frame"

run 0 decode 0x05,0x64,0x05,0x00,0x00,0x04,0x01,0x00,0x19,0xA6 "05 64 05 10 00 04 01 00 8B 0C"
has "offset 0: link frame, length 5, control 0x00 (DIR=0 PRM=0 DFC=0) ACK, dest 1024, src 1, header CRC 0xA619 OK" \
    "offset 10: link frame, length 5, control 0x10 (DIR=0 PRM=0 DFC=1) ACK, dest 1024, src 1, header CRC 0x0C8B OK"

run 0 decode 056405C900040100 9881 05 64 05 0B 01 00 00 04 64 40
has "offset 0: link frame, length 5, control 0xC9 (DIR=1 PRM=1 FCB=0 FCV=0) REQUEST_LINK_STATUS, dest 1024, src 1, header CRC 0x8198 OK" \
    "offset 10: link frame, length 5, control 0x0B (DIR=0 PRM=0 DFC=0) LINK_STATUS, dest 1, src 1024, header CRC 0x4064 OK"

# --------------------------------------------------------- D1: integrity poll
echo "== D1 integrity poll (confirmed user data)"
D1="05 64 14 F3 01 00 00 04 0A 3B C0 C3 01 3C 02 06 3C 03 06 3C 04 06 3C 01 06 9A 12"
run 0 decode $D1
has "offset 0: link frame, length 20, control 0xF3 (DIR=1 PRM=1 FCB=1 FCV=1) CONFIRMED_USER_DATA, dest 1, src 1024, header CRC 0x3B0A OK" \
    "  data: 15 octets in 1 block, CRC 0x129A OK" \
    "  transport 0xC0: FIR=1 FIN=1 SEQ=0" \
    "application fragment: master->outstation, src 1024, dest 1, 14 octets" \
    "  control 0xC3: FIR=1 FIN=1 CON=0 UNS=0 SEQ=3" \
    "  function 0x01 READ" \
    "  g60v2 Class 1 Data: qualifier 0x06 (no prefix, no range: all objects)" \
    "  g60v1 Class 0 Data: qualifier 0x06 (no prefix, no range: all objects)"
# the same on stdin, with comments and separators
run_stdin 0 "# D1
05 64 14 F3 01 00 00 04 0A 3B | C0 C3 01 3C 02 06 3C 03 06 3C 04 06 3C 01 06 | 9A 12
" decode
has "  function 0x01 READ"

echo "== D1 with a bad body CRC (9A FF), followed by a good frame"
run 1 decode 05 64 14 F3 01 00 00 04 0A 3B C0 C3 01 3C 02 06 3C 03 06 3C 04 06 3C 01 06 9A FF 05 64 05 C0 01 00 00 04 E9 21
contains "error: offset 25: data block 1 CRC 0xFF9A, expected 0x129A (frame at offset 0" "[DNP3_ERR_LINK_BAD_BODY_CRC]"
has "offset 27: link frame, length 5, control 0xC0 (DIR=1 PRM=1 FCB=0 FCV=0) RESET_LINK_STATES, dest 1, src 1024, header CRC 0x21E9 OK"
lacks "function 0x01 READ"
contains "1 problem reported"

echo "== L10 bad header CRC, L11 bad LENGTH, garbage, truncation"
run 1 decode 05 64 05 C0 01 00 00 04 E9 20
has "error: offset 8: link header CRC 0x20E9, expected 0x21E9 (frame at offset 0) [DNP3_ERR_LINK_BAD_HEADER_CRC]"
run 1 decode 05 64 04 C0 01 00 00 04 E9 21
has "error: offset 2: link LENGTH 4 is below 5 (frame at offset 0) [DNP3_ERR_LINK_BAD_LENGTH]"
run 1 decode AA BB 05 64 05 C0 01 00 00 04 E9 21 05 64 14 F3 01 00 00 04 0A 3B C0 C3
has "error: offset 0: 2 octets skipped (not part of a link frame)" \
    "offset 2: link frame, length 5, control 0xC0 (DIR=1 PRM=1 FCB=0 FCV=0) RESET_LINK_STATES, dest 1, src 1024, header CRC 0x21E9 OK" \
    "error: offset 12: input ends inside a link frame: the frame needs 27 octets, 12 present [DNP3_ERR_LINK_TRUNCATED]"
contains "2 problems reported"

# -------------------------------------------------- D4: multi-block response
echo "== D4 multi-block response"
run 0 decode 05 64 53 73 00 04 01 00 03 FC C1 E3 81 96 00 02 01 28 01 00 00 00 01 02 01 28 05 24 \
  01 00 01 00 01 02 01 28 01 00 02 00 01 02 01 28 B4 77 01 00 03 00 01 20 02 28 01 00 00 00 01 00 00 20 A5 25 \
  02 28 01 00 01 00 01 00 00 01 01 01 00 00 03 00 2F AC 00 1E 02 01 00 00 01 00 01 00 00 01 00 00 16 ED
has "offset 0: link frame, length 83, control 0x73 (DIR=0 PRM=1 FCB=1 FCV=1) CONFIRMED_USER_DATA, dest 1024, src 1, header CRC 0xFC03 OK" \
    "  data: 78 octets in 5 blocks, CRC 0x2405 OK, 0x77B4 OK, 0x25A5 OK, 0xAC2F OK, 0xED16 OK" \
    "  transport 0xC1: FIR=1 FIN=1 SEQ=1" \
    "  control 0xE3: FIR=1 FIN=1 CON=1 UNS=0 SEQ=3" \
    "  function 0x81 RESPONSE" \
    "  IIN1 0x96 IIN2 0x00: CLASS_1_EVENTS CLASS_2_EVENTS NEED_TIME DEVICE_RESTART" \
    "  g2v1 Binary Input Event - Without Time: qualifier 0x28 (2-octet index prefix, 16-bit count), count 1" \
    "    index 3: value 0, flags 0x01 (ONLINE)" \
    "  g1v1 Binary Input - Packed Format: qualifier 0x01 (no prefix, 16-bit start/stop), range 0..3 (4 objects)" \
    "  g30v2 Analog Input - 16-bit With Flag: qualifier 0x01 (no prefix, 16-bit start/stop), range 0..1 (2 objects)"
count_is 4 "g2v1 Binary Input Event"
count_is 2 "g32v2 Analog Input Event - 16-bit Without Time"

# ------------------------------------------------------- D7: CROB and echo
echo "== D7 DIRECT_OPERATE CROB + response"
D7Q="05 64 1A C4 02 00 01 00 A5 E9 FF C9 05 0C 01 28 01 00 00 00 01 01 01 00 00 00 72 EF 00 00 00 00 00 FF FF"
D7R="05 64 1C 44 01 00 02 00 E2 59 C3 C9 81 00 00 0C 01 28 01 00 00 00 01 01 01 00 7A 65 00 00 00 00 00 00 00 FF FF"
run 0 decode $D7Q $D7R
has "  transport 0xFF: FIR=1 FIN=1 SEQ=63" \
    "application fragment: master->outstation, src 1, dest 2, 20 octets" \
    "  function 0x05 DIRECT_OPERATE" \
    "  g12v1 Binary Command - Control Relay Output Block: qualifier 0x28 (2-octet index prefix, 16-bit count), count 1" \
    "application fragment: outstation->master, src 2, dest 1, 22 octets" \
    "  IIN1 0x00 IIN2 0x00: (none)" \
    "offset 35: link frame, length 28, control 0x44 (DIR=0 PRM=1 FCB=0 FCV=0) UNCONFIRMED_USER_DATA, dest 1, src 2, header CRC 0x59E2 OK"
count_is 2 "    index 0: code 0x01 PULSE_ON, count 1, on 1 ms, off 0 ms, status SUCCESS"

echo "== D7 as JSON"
run 0 decode --json $D7Q $D7R
json_ok
json_eq 'len(L)' '2'
json_eq '[l["direction"] for l in L]' '["master->outstation", "outstation->master"]'
json_eq '[(l["src"], l["dest"], l["function"], l["function_code"], l["seq"]) for l in L]' '[[1, 2, "DIRECT_OPERATE", 5, 9], [2, 1, "RESPONSE", 129, 9]]'
json_eq 'L[0]["objects"][0]["points"][0]' '{"clear": false, "code": 1, "count": 1, "index": 0, "off_ms": 0, "on_ms": 1, "op": "PULSE_ON", "queue": false, "status": "SUCCESS", "status_code": 0, "tcc": "NUL"}'
json_eq '(L[1]["iin"], L[1]["objects"][0]["qualifier"], L[1]["objects"][0]["count"])' '[[], 40, 1]'

# ------------------------------------------- D8: unsolicited event + confirm
echo "== D8 unsolicited event with absolute time + confirm"
run 0 decode 05 64 16 44 01 00 02 00 89 E5 C4 FA 82 00 00 02 02 17 01 01 81 A7 75 D8 32 4C 81 3E 01 A1 C9 \
  05 64 08 C4 02 00 01 00 D3 B7 C0 DA 00 6A 3D
has "  control 0xFA: FIR=1 FIN=1 CON=1 UNS=1 SEQ=10" \
    "  function 0x82 UNSOLICITED_RESPONSE" \
    "    index 1: value 1, flags 0x81 (ONLINE|STATE), time 2015-03-19T16:23:08.967Z" \
    "  control 0xDA: FIR=1 FIN=1 CON=0 UNS=1 SEQ=10" \
    "  function 0x00 CONFIRM"

echo "== built frames B1 (g30v1 = 42), B6 (g52v2), B7 (g50v1)"
run 0 decode 05 64 16 44 01 00 00 04 14 27 C0 C0 81 80 00 1E 01 01 00 00 00 00 01 2A 00 00 12 83 00 FF FF
has "    index 0: value 42, flags 0x01 (ONLINE)" "  IIN1 0x80 IIN2 0x00: DEVICE_RESTART"
run 0 decode 05 64 10 44 01 00 00 04 CD 4C C0 C0 81 80 00 34 02 07 01 FE CA FB AB
has "  g52v2 Time Delay - Fine (ms): qualifier 0x07 (no prefix, 8-bit count), count 1" \
    "    object 1: delay 51966 ms"
run 0 decode 05 64 12 C4 00 04 01 00 30 DD C1 C1 02 32 01 07 01 C0 24 0E DA 77 01 61 7F
has "    object 1: time 2021-02-25T16:38:16.000Z"

# ------------------------------------------------------- transport (10.4)
echo "== transport reassembly (PE samples)"
# fragment.hex: FIR seq 0 + FIN seq 1 -> one APDU; READ g1v0 by index list
FRAG="05 64 0C C4 01 00 00 00 B2 5B 40 C0 01 01 00 17 03 DF 7B 05 64 09 C4 01 00 00 00 3B A3 81 41 43 42 7E 80"
run 0 decode $FRAG
has "  transport 0x40: FIR=1 FIN=0 SEQ=0" "  transport 0x81: FIR=0 FIN=1 SEQ=1" \
    "application fragment: master->outstation, src 0, dest 1, 9 octets" \
    "  g1v0 Binary Input - Any Variation: qualifier 0x17 (1-octet index prefix, 8-bit count), count 3" \
    "    index 65" "    index 67" "    index 66"
count_is 1 "application fragment"
# FIN-only segment without FIR
run 1 decode 05 64 09 C4 01 00 00 00 3B A3 81 41 43 42 7E 80
has "error: offset 10: transport segment 0x81 (FIR=0 FIN=1 SEQ=1) from 0 to 1: no fragment in progress for a segment without FIR [NO_FIR]"

# ------------------------------------------------------ --apdu (bare APDUs)
echo "== --apdu"
run 0 decode --apdu C0 01 3C 02 06 3C 03 06 3C 04 06 3C 01 06
has "application fragment: master->outstation, 14 octets" "  function 0x01 READ"
run 0 decode --apdu "C0 81 80 00 01 02 01 01 00 03 00 81 01 81"
has "  g1v2 Binary Input - With Flags: qualifier 0x01 (no prefix, 16-bit start/stop), range 1..3 (3 objects)" \
    "    index 1: value 1, flags 0x81 (ONLINE|STATE)" \
    "    index 2: value 0, flags 0x01 (ONLINE)"
run 0 decode --apdu C0 81 80 04 0C 01 17 01 03 01 01 01 00 00 00 01 00 00 00 04
has "  IIN1 0x80 IIN2 0x04: DEVICE_RESTART PARAMETER_ERROR" \
    "    index 3: code 0x01 PULSE_ON, count 1, on 1 ms, off 1 ms, status NOT_SUPPORTED"
# CTO + relative time, octet string, device attributes, g120 by field
run 0 decode --apdu E0 81 80 00 33 01 07 01 C0 24 0E DA 77 01 02 03 17 01 05 01 64 00 \
  6E 05 17 01 03 48 65 6C 6C 6F 00 F7 00 00 00 01 05 52 54 55 2D 31 00 F0 00 00 00 02 02 00 08
has "    index 5: value 0, flags 0x01 (ONLINE), time 2021-02-25T16:38:16.100Z (CTO + 100 ms)" \
    '    index 3: 5 octets: 48 65 6C 6C 6F "Hello"' \
    '  g0v247 Device Attribute (user-assigned device name): qualifier 0x00 (no prefix, 8-bit start/stop), range 0..0 (1 object)' \
    '    index 0: VSTR, 5 octets: "RTU-1"' \
    '    index 0: UINT, 2 octets: 2048'
run 0 decode --apdu C0 83 00 00 78 0C 5B 01 0C 00 01 00 00 00 07 00 04 00 DE AD BE EF
has "    object 1: KSQ 1, user 7, outstation challenge (4 octets) DE AD BE EF"

echo "== file transfer (g70) and Secure Authentication (g120) objects by field"
run 0 decode --apdu C0 19 46 03 5B 01 22 00 1A 00 08 00 C0 24 0E DA 77 01 A4 01 00 00 00 00 00 00 00 00 02 00 00 02 07 00 63 6F 6E 66 2E 74 78 74
has '    object 1: file name "conf.txt", mode WRITE (2), permissions 0644 (rw-r--r--), file size 0, created 2021-02-25T16:38:16.000Z, authentication key 0x00000000, maximum block size 512, request ID 7'
run 0 decode --apdu C0 81 00 00 46 04 5B 01 0D 00 01 00 00 00 00 00 00 00 00 02 07 00 00
has "    object 1: handle 0x00000001, file size 0, maximum block size 512, request ID 7, status SUCCESS (0)"
run 0 decode --apdu C1 02 46 05 5B 01 0B 00 01 00 00 00 00 00 00 80 61 62 63
has '    object 1: handle 0x00000001, block 0, LAST, data (3 octets) 61 62 63 "abc"'
# READ of a file block: handle and block number in a READ (IEEE 1815-2012 file transfer)
run 0 decode --apdu C2 01 46 05 5B 01 08 00 78 56 34 12 05 00 00 00
has "    object 1: handle 0x12345678, block 5, data (0 octets)"
run 0 decode --apdu C1 81 00 00 46 06 5B 01 0C 00 01 00 00 00 02 00 00 00 10 6F 6F 70
has '    object 1: handle 0x00000001, block 2, status NOT_OPENED (16), text "oop"'
run 0 decode --apdu C0 81 00 00 46 07 5B 01 1C 00 14 00 08 00 01 00 03 00 00 00 C0 24 0E DA 77 01 A4 01 07 00 63 6F 6E 66 2E 74 78 74
has '    object 1: file name "conf.txt", type SIMPLE_FILE (1), file size 3, created 2021-02-25T16:38:16.000Z, permissions 0644 (rw-r--r--), request ID 7'
run 0 decode --apdu C0 81 00 00 46 08 5B 01 05 00 2A 2E 74 78 74
has '    object 1: file specification "*.txt"'
run 0 decode --apdu C0 1D 46 02 5B 01 12 00 0C 00 04 00 10 00 02 00 00 00 00 00 75 73 65 72 70 77
has '    object 1: user name "user", password "pw", authentication key 0x00000000'
run 1 decode --apdu C0 19 46 03 5B 01 1A 00 1A 00 08 00 C0 24 0E DA 77 01 A4 01 00 00 00 00 00 00 00 00 02 00 00 02 07 00
has "  error: offset 8: g70v3 object 1 (26 octets): a string offset/size points outside the object"
run 0 decode --json --apdu C1 02 46 05 5B 01 0B 00 01 00 00 00 00 00 00 80 61 62 63
json_eq 'L[0]["objects"][0]["points"]' '[{"block": 0, "data": "616263", "data_text": "abc", "handle": 1, "last": true, "length": 11, "position": 1}]'
run 0 decode --json --apdu C0 19 46 03 5B 01 22 00 1A 00 08 00 C0 24 0E DA 77 01 A4 01 00 00 00 00 00 00 00 00 02 00 00 02 07 00 63 6F 6E 66 2E 74 78 74
json_eq '[(p["file_name"], p["mode"], p["mode_code"], p["permissions"], p["permissions_text"], p["created"]) for p in L[0]["objects"][0]["points"]]' '[["conf.txt", "WRITE", 2, 420, "rw-r--r--", "2021-02-25T16:38:16.000Z"]]'
# g120: challenge and error (AUTH_RESPONSE), key status, aggressive mode request + MAC
run 0 decode --apdu C0 83 00 00 78 01 5B 01 0C 00 03 00 00 00 01 00 04 01 73 74 65 76 \
  78 07 5B 01 12 00 05 00 00 00 01 00 00 00 01 C0 24 0E DA 77 01 62 61 64
has "    object 1: CSQ 3, user 1, MAC algorithm HMAC_SHA256_16 (4), reason CRITICAL (1), challenge (4 octets) 73 74 65 76" \
    '    object 1: CSQ 5, user 1, association 0, error AUTHENTICATION_FAILED (1), time 2021-02-25T16:38:16.000Z, text "bad"'
run 0 decode --apdu C0 83 00 00 78 05 5B 01 1F 00 02 00 00 00 01 00 01 01 04 04 00 73 74 65 76 \
  26 27 61 D7 33 36 0E 63 38 E3 CA 1E 7D 24 F9 65
has "    object 1: KSQ 2, user 1, key wrap AES128 (1), key status OK (1), MAC algorithm HMAC_SHA256_16 (4), challenge (4 octets) 73 74 65 76, MAC (16 octets) 26 27 61 D7 33 36 0E 63 38 E3 CA 1E 7D 24 F9 65"
run 0 decode --apdu C0 05 78 03 07 01 09 00 00 00 01 00 0C 01 28 01 00 01 00 03 01 64 00 00 00 64 00 00 00 00 \
  78 09 5B 01 10 00 BA 8D B4 4D 5E 72 CD 0A D4 18 E5 E4 15 25 68 67
has "    object 1: CSQ 9, user 1" \
    "    index 1: code 0x03 LATCH_ON, count 1, on 100 ms, off 100 ms, status SUCCESS" \
    "    object 1: MAC (16 octets) BA 8D B4 4D 5E 72 CD 0A D4 18 E5 E4 15 25 68 67"
run 0 decode --json --apdu C0 83 00 00 78 01 5B 01 0C 00 03 00 00 00 01 00 04 01 73 74 65 76
json_eq 'L[0]["objects"][0]["points"]' '[{"challenge": "73746576", "csq": 3, "length": 12, "mac_algorithm": "HMAC_SHA256_16", "mac_algorithm_code": 4, "position": 1, "reason": "CRITICAL", "reason_code": 1, "user": 1}]'
# security statistics (g121, g122) name the statistic of their index
run 0 decode --apdu C0 81 00 00 79 01 00 00 01 01 01 00 05 00 00 00 01 01 00 09 00 00 00 7A 02 17 01 11 01 01 00 03 00 00 00 C0 24 0E DA 77 01
has "    index 0: association 1, count 5 (UNEXPECTED_MESSAGES), flags 0x01 (ONLINE)" \
    "    index 17: association 1, count 3 (REKEYS_DUE_TO_RESTARTS), flags 0x01 (ONLINE), time 2021-02-25T16:38:16.000Z"
run 0 decode --json --apdu C0 81 00 00 79 01 00 11 11 01 01 00 05 00 00 00
json_eq 'L[0]["objects"][0]["points"]' '[{"association": 1, "flags": ["ONLINE"], "flags_value": 1, "index": 17, "statistic": "REKEYS_DUE_TO_RESTARTS", "value": 5}]'
# a challenge of 2 octets does not fit g120v1 (at least 4): reported, shown as hex
run 1 decode --apdu C0 83 00 00 78 01 5B 01 0A 00 03 00 00 00 01 00 04 01 73 74
has "    object 1: 10 octets: 03 00 00 00 01 00 04 01 73 74" \
    "  error: offset 10: g120v1 object 1 (10 octets): a length field or a field size does not fit the object"

echo "== --apdu errors name the offset"
run 1 decode --apdu C0 81 00 00 1E 01 01 05 00 03 00
has "  error: offset 7: object header g30v1: qualifier 0x01 range 5..3 (stop < start) [DNP3_ERR_APP_BAD_RANGE]"
run 1 decode --apdu C0 01 C8 00 06
has "  error: offset 2: object header g200v0: unknown group/variation [DNP3_ERR_APP_UNKNOWN_OBJECT]"
run 1 decode --apdu C0 81 80 00 1E 01 00 00 05 01 2A 00
has "  error: offset 9: object header g30v1: qualifier 0x00: 6 objects need 30 octets, 3 left [DNP3_ERR_APP_TRUNCATED]"
run 1 decode --apdu 80 01 3C 02 06
has "  error: offset 0: application control 0x80: a request must have FIR=1 and FIN=1 [DNP3_ERR_APP_BAD_HEADER]"
run 1 decode --apdu C0 0D 3C 02 06
has "  error: offset 2: function COLD_RESTART takes no objects, but 3 octets follow [DNP3_ERR_APP_UNEXPECTED_DATA]"
run 1 decode --apdu E0 81 80 00 02 03 17 01 05 01 64 00
has "  error: offset 9: g2v3 index 5: relative time without a preceding CTO (g51) in this fragment"
# in a link frame, the message names the input offset and the fragment offset
run 1 decode 05 64 11 44 01 00 00 04 2A F9 C0 C0 81 00 00 1E 01 01 05 00 03 00 56 BE
has "  error: offset 18 (fragment offset 7): object header g30v1: qualifier 0x01 range 5..3 (stop < start) [DNP3_ERR_APP_BAD_RANGE]"
run 1 decode --json --apdu C0 81 00 00 1E 01 01 05 00 03 00
json_ok
json_eq 'L[0]["errors"]' '[{"message": "object header g30v1: qualifier 0x01 range 5..3 (stop < start) [DNP3_ERR_APP_BAD_RANGE]", "offset": 7}]'

# ----------------------------------------------------------- usage errors
echo "== usage errors (exit 2)"
run 2 decode --no-such-option 05 64
contains "unknown option '--no-such-option'"
run 2 decode 05 6G
contains "hex argument 2"
contains "'G' is not a hex digit"
run 2 decode 056
contains "odd number of digits"
run 2 decode --pcap "$WORK/does-not-exist.pcap"
contains "cannot open $WORK/does-not-exist.pcap: No such file or directory"
run 2 decode --pcap
run 2 decode --pcap "$DATA/sample.pcap" --port 0
run 2 decode --level bogus 05 64
run_stdin 2 "" decode
contains "no octets to decode"
printf 'not a capture at all\n' >"$WORK/bad.pcap"
run 2 decode --pcap "$WORK/bad.pcap"
contains "not a pcap or pcapng capture"
run 2 no-such-command
contains "unknown command 'no-such-command'"
run 2
run 0 --help
contains "decode"
run 0 help decode
contains "usage: dnp3 decode"
run 0 --version
contains "dnp3 "

# --------------------------------------------------------------- captures
echo "== sample.pcap"
run 0 decode --pcap "$DATA/sample.pcap"
count_is 17 "packet "
count_is 15 "application fragment"
lacks "error"
has "packet 4, 2024-05-14T09:30:00.062Z, TCP 10.0.0.2:20000 -> 10.0.0.1:50000, 383 octets" \
    "  transport 0x41: FIR=1 FIN=0 SEQ=1" "  transport 0x82: FIR=0 FIN=1 SEQ=2" \
    "application fragment: outstation->master, src 1024, dest 1, 319 octets" \
    "  g30v1 Analog Input - 32-bit With Flag: qualifier 0x01 (no prefix, 16-bit start/stop), range 0..39 (40 objects)" \
    "    index 39: value 1975, flags 0x01 (ONLINE)" \
    "    index 40: value 49.98, flags 0x01 (ONLINE)" \
    "    index 41: value -3.5, flags 0x21 (ONLINE|OVER_RANGE)" \
    "    index 1: value DETERMINED_ON, flags 0x81 (ONLINE|STATE_MSB)" \
    '    index 0: 12 octets: 53 75 62 73 74 61 74 69 6F 6E 20 41 "Substation A"' \
    "    object 1: time 2024-05-14T09:30:00.700Z" \
    "    index 1: value 0, flags 0x01 (ONLINE), time 2024-05-14T09:30:00.950Z (CTO + 250 ms)" \
    "    index 5: value 1234, flags 0x01 (ONLINE), time 2024-05-14T09:30:00.812Z" \
    "  control 0xF0: FIR=1 FIN=1 CON=1 UNS=1 SEQ=0" \
    "  function 0x03 SELECT" "  function 0x04 OPERATE" \
    "    index 7: value 0 (DEVICE_RESTART)" \
    "offset 600: link frame, length 5, control 0x0B (DIR=0 PRM=0 DFC=0) LINK_STATUS, dest 1, src 1024, header CRC 0x4064 OK"
count_is 4 "    index 3: code 0x41 CLOSE PULSE_ON, count 1, on 500 ms, off 0 ms, status SUCCESS"

run 0 decode --pcap "$DATA/sample.pcap" --level app
lacks "link frame"
lacks "transport 0x"
lacks "index 0:"
count_is 15 "application fragment"

run 0 decode --pcap "$DATA/sample.pcap" --json
json_ok
json_eq 'len(L)' '17'
json_eq '[l.get("function") for l in L]' '["UNSOLICITED_RESPONSE", "CONFIRM", "READ", "RESPONSE", "WRITE", "RESPONSE", "READ", "RESPONSE", "CONFIRM", "SELECT", "RESPONSE", "OPERATE", "RESPONSE", "UNSOLICITED_RESPONSE", "CONFIRM", null, null]'
json_eq '[l["direction"] for l in L[:4]]' '["outstation->master", "master->outstation", "master->outstation", "outstation->master"]'
json_eq '(L[3]["packet"], L[3]["flow"], L[3]["transport"], L[3]["timestamp"], L[3]["length"])' '[4, "10.0.0.2:20000 -> 10.0.0.1:50000", "TCP", "2024-05-14T09:30:00.062Z", 319]'
json_eq '[(o["group"], o["variation"]) for o in L[3]["objects"]]' '[[1, 2], [3, 2], [10, 2], [20, 1], [21, 1], [30, 1], [30, 5], [40, 1], [110, 12]]'
json_eq 'L[3]["objects"][6]["points"]' '[{"flags": ["ONLINE"], "flags_value": 1, "index": 40, "value": 49.98}, {"flags": ["ONLINE", "OVER_RANGE"], "flags_value": 33, "index": 41, "value": -3.5}]'
json_eq 'L[7]["objects"][1]["points"][1]' '{"flags": ["ONLINE"], "flags_value": 1, "index": 1, "relative_ms": 250, "time": "2024-05-14T09:30:00.950Z", "value": 0}'
json_eq 'L[13]["iin"]' '["CLASS_1_EVENTS"]'
json_eq 'L[16]["link"]' '{"control": 11, "dfc": false, "function": "LINK_STATUS", "prm": false}'
json_eq '[l for l in L if "errors" in l]' '[]'

echo "== a capture given without --pcap is recognised by its magic number"
run 0 decode "$DATA/sample.pcap"
count_is 15 "application fragment"
lacks "error"
run 1 decode "$DATA/udp_ipv6.pcapng" --json # pcapng
json_eq '[(l.get("transport"), l.get("function")) for l in L]' '[["UDP", "DIRECT_OPERATE"], ["UDP", "RESPONSE"], ["UDP", null]]'
run 1 decode "$DATA/sample.pcap" --port 20001
contains "no TCP or UDP packets on port 20001"
run 2 decode "$DATA/sample.pcap" "$DATA/tcp_edge.pcap"
contains "give one capture"
run 2 decode --pcap "$DATA/sample.pcap" "$DATA/tcp_edge.pcap"
contains "give one capture"
run 2 decode "$DATA/sample.pcap" 05 64
contains "give either a capture or hex, not both"
run 2 decode --apdu "$DATA/sample.pcap"
contains "--apdu does not apply to a capture"
run 2 decode "$DATA/README.md"
contains "is not a hex digit" "is a file, but not a pcap or pcapng capture"
run 2 decode "$WORK/no-such-capture.pcap"
contains "is not a hex digit"

echo "== sample.pcap on another port finds nothing"
run 1 decode --pcap "$DATA/sample.pcap" --port 20001
contains "no TCP or UDP packets on port 20001"

echo "== tcp_edge.pcap: out of order, retransmission, gap"
run 1 decode --pcap "$DATA/tcp_edge.pcap"
count_is 2 "  function 0x01 READ" # the integrity poll once (not again for the retransmission), the class 0 poll
has "packet 4, 2024-05-14T09:30:00.012Z, TCP 192.168.1.10:50001 -> 192.168.1.20:20000 (out of order: 12 octets ahead, held), 15 octets" \
    "packet 6, 2024-05-14T09:30:00.213Z, TCP 192.168.1.10:50001 -> 192.168.1.20:20000 (retransmission: 27 octets already seen), 27 octets" \
    "error: packet 9, 192.168.1.20:20000 -> 192.168.1.10:50001, offset 8: 12 octets missing from the capture (stream gap)" \
    "    index 0: value 1, flags 0x81 (ONLINE|STATE)" \
    "    index 1: value 0, flags 0x01 (ONLINE)" \
    "offset 51: link frame, length 5, control 0x0B (DIR=0 PRM=0 DFC=0) LINK_STATUS, dest 1, src 1024, header CRC 0x4064 OK"
count_is 3 "application fragment" # the response cut by the gap is lost
contains "3 problems reported"
# the gap is reported before the packets that follow it
gap_line=$(grep -nF "stream gap" "$OUT" | cut -d: -f1)
p10_line=$(grep -n "^packet 10, " "$OUT" | cut -d: -f1)
checks=$((checks + 1))
[ -n "$gap_line" ] && [ -n "$p10_line" ] && [ "$gap_line" -lt "$p10_line" ] || fail "gap not reported before packet 10"

# captures written by tests/scripts/tcp_pcap.py (one TCP connection, master 10.0.0.1:50000,
# outstation 10.0.0.2:20000; sequence and ACK numbers computed as a real stack sends them)
if [ "$HAVE_PY" = 1 ]; then
  tcp_pcap() { python3 "$SOURCE_DIR/tests/scripts/tcp_pcap.py" "$WORK/$1"; }

  echo "== FIN: the end of a connection is not a stream gap"
  tcp_pcap fin.pcap <<EOF
c S
s SA
c A
c PA $D7Q
s PA $D7R
c FA
s FA
c A
EOF
  run 0 decode --pcap "$WORK/fin.pcap"
  lacks "stream gap"
  count_is 2 "application fragment"
  # FIN carried by the last data segment, FINs retransmitted, ACKs after them
  tcp_pcap fin2.pcap <<EOF
c S
s SA
c A
c FPA $D7Q
s PA $D7R
s FA
s FA isn=5037
c A
c FA isn=1035
c A
EOF
  run 0 decode --pcap "$WORK/fin2.pcap"
  count_is 2 "application fragment"
  # a FIN that arrives before the data it follows waits for it
  tcp_pcap fin3.pcap <<EOF
c S
s SA
c FA isn=1036
c PA isn=1001 $D7Q
s A
EOF
  run 0 decode --pcap "$WORK/fin3.pcap"
  count_is 1 "application fragment"

  echo "== RST: the connection ends; the next one on the same ports starts afresh"
  tcp_pcap rst.pcap <<EOF
c S
s SA
c A
c PA $D7Q
s PA $D7R
s RA
c PA isn=90000 $D7Q
s PA isn=70000 $D7R
c A
EOF
  run 0 decode --pcap "$WORK/rst.pcap"
  has "packet 6: TCP RST on 10.0.0.2:20000 -> 10.0.0.1:50000: the connection ends in both directions"
  count_is 4 "application fragment"
  lacks "stream gap"
  # a RST inside a frame: the frame cannot be completed any more
  tcp_pcap rst2.pcap <<EOF
c S
s SA
c A
c PA 05 64 1A C4 02 00 01 00 A5 E9
c R
EOF
  run 1 decode --pcap "$WORK/rst2.pcap"
  has "error: packet 5, 10.0.0.1:50000 -> 10.0.0.2:20000, offset 0: input ends inside a link frame: the frame needs 35 octets, 10 present [DNP3_ERR_LINK_TRUNCATED]"

  echo "== a capture without packets says so"
  tcp_pcap empty.pcap </dev/null
  run 1 decode "$WORK/empty.pcap"
  contains "the capture holds no packets"
  lacks "see --port"

  echo "== octets that are no frame before a stream gap are reported, as with hex input"
  tcp_pcap gap.pcap <<EOF
c S
s SA
c A
c PA AA BB CC
c PA lost=12 $D7Q
s A
EOF
  run 1 decode --pcap "$WORK/gap.pcap"
  has "error: packet 6, 10.0.0.1:50000 -> 10.0.0.2:20000, offset 0: 3 octets skipped (not part of a link frame)" \
      "error: packet 6, 10.0.0.1:50000 -> 10.0.0.2:20000, offset 3: 12 octets missing from the capture (stream gap)" \
      "offset 15: link frame, length 26, control 0xC4 (DIR=1 PRM=1 FCB=0 FCV=0) UNCONFIRMED_USER_DATA, dest 2, src 1, header CRC 0xE9A5 OK"
  contains "2 problems reported"
  run 1 decode AA BB CC
  has "error: offset 0: 3 octets skipped (not part of a link frame)"
fi

echo "== udp_ipv6.pcapng: UDP datagrams over IPv6, Linux cooked v2"
run 1 decode --pcap "$DATA/udp_ipv6.pcapng"
has "packet 1, 2024-05-14T09:31:40.000Z, UDP [2001:db8::1]:50002 -> [2001:db8::2]:20000, 35 octets" \
    "error: packet 3, [2001:db8::1]:50002 -> [2001:db8::2]:20000, offset 0: datagram ends inside a link frame: the frame needs 35 octets, 30 present [DNP3_ERR_LINK_TRUNCATED]"
count_is 2 "    index 0: code 0x01 PULSE_ON, count 1, on 1 ms, off 0 ms, status SUCCESS"
run 1 decode --pcap "$DATA/udp_ipv6.pcapng" --json
json_ok
json_eq '[(l.get("transport"), l.get("function")) for l in L]' '[["UDP", "DIRECT_OPERATE"], ["UDP", "RESPONSE"], ["UDP", null]]'

if [ "$HAVE_PY" = 0 ]; then echo "note: python3 not found, JSON checks skipped"; fi
if [ "$fails" -ne 0 ]; then
  echo "test_decode: $fails of $checks checks FAILED"
  exit 1
fi
echo "test_decode: all $checks checks passed"
