#!/usr/bin/env bash
# test_link_confirm.sh BUILD_DIR - link-layer confirmed user data (IEEE 1815-2012 clause 9.2.6;
# docs/link-transport.md) between real processes over TCP on 127.0.0.1:
#  - `dnp3 outstation --link-confirm` and `dnp3 master poll --link-confirm`: both sides send
#    RESET_LINK_STATES, then every data frame as CONFIRMED_USER_DATA (FCV=1, FCB 1 then 0)
#    answered by an ACK (seen with --decode link); the poll prints the outstation's values;
#  - a confirmed master against an outstation that sends unconfirmed (its secondary station
#    still answers the reset and the confirmed frames) polls just as well;
#  - the options are refused with bad values.
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/live.sh"
live_setup test_link_confirm "$1"

start_outstation os1 --listen 127.0.0.1:0 --link-confirm --link-timeout 1000 --link-retries 2 --decode link
timeout 20 "$DNP3" master poll "127.0.0.1:$PORT" --link-confirm --link-timeout 1000 --decode link \
    >"$WORK/m1.out" 2>&1
expect_rc "confirmed poll" 0 $?
expect "master sends RESET_LINK_STATES" "$WORK/m1.out" "control 0xC0 (DIR=1 PRM=1 FCB=0 FCV=0) RESET_LINK_STATES, dest 10, src 1"
expect "master sends confirmed data, FCB 1 first" "$WORK/m1.out" "control 0xF3 (DIR=1 PRM=1 FCB=1 FCV=1) CONFIRMED_USER_DATA, dest 10"
expect "master's FCB alternates" "$WORK/m1.out" "control 0xD3 (DIR=1 PRM=1 FCB=0 FCV=1) CONFIRMED_USER_DATA, dest 10"
expect "outstation sends RESET_LINK_STATES" "$WORK/m1.out" "control 0x40 (DIR=0 PRM=1 FCB=0 FCV=0) RESET_LINK_STATES, dest 1, src 10"
expect "outstation sends confirmed data" "$WORK/m1.out" "control 0x73 (DIR=0 PRM=1 FCB=1 FCV=1) CONFIRMED_USER_DATA, dest 1"
expect "outstation acknowledges" "$WORK/m1.out" "control 0x00 (DIR=0 PRM=0 DFC=0) ACK, dest 1, src 10"
expect "master acknowledges" "$WORK/m1.out" "control 0x80 (DIR=1 PRM=0 DFC=0) ACK, dest 10, src 1"
expect_not "no unconfirmed data" "$WORK/m1.out" "UNCONFIRMED_USER_DATA"
expect "poll result" "$WORK/m1.out" "counter                     0  1284512"
expect "poll result" "$WORK/m1.out" "binary_output_status        0  1"
wait_for "$WORK/os1.log" "ACK, dest 10, src 1" 40
expect "outstation log shows the master's ACK" "$WORK/os1.log" "control 0x80 (DIR=1 PRM=0 DFC=0) ACK, dest 10, src 1"

# every data frame of the master was acknowledged before the next: in the master's decode, each
# CONFIRMED_USER_DATA it sent is followed by an ACK from the outstation before its next one
python3 - "$WORK/m1.out" >"$WORK/order.out" 2>&1 <<'PY'
import re, sys
pending = False
ok = True
for line in open(sys.argv[1]):
    if "CONFIRMED_USER_DATA, dest 10" in line and "UNCONFIRMED" not in line:
        if pending: ok = False
        pending = True
    elif "ACK, dest 1, src 10" in line:
        pending = False
print("ordered" if ok else "not ordered")
PY
expect "one frame at a time" "$WORK/order.out" "ordered"
expect_not "one frame at a time" "$WORK/order.out" "not ordered"

# a confirmed master against an unconfirmed outstation
start_outstation os2 --listen 127.0.0.1:0
timeout 20 "$DNP3" master poll "127.0.0.1:$PORT" --link-confirm --decode link >"$WORK/m2.out" 2>&1
expect_rc "confirmed master, unconfirmed outstation" 0 $?
expect "outstation answers the reset" "$WORK/m2.out" "ACK, dest 1, src 10"
expect "outstation data unconfirmed" "$WORK/m2.out" "control 0x44 (DIR=0 PRM=1 FCB=0 FCV=0) UNCONFIRMED_USER_DATA"
expect "poll result" "$WORK/m2.out" "counter                     0  1284512"

# bad values
"$DNP3" master poll 127.0.0.1:1 --link-retries 256 >"$WORK/e1.out" 2>&1
expect_rc "--link-retries 256" 2 $?
"$DNP3" outstation --link-timeout 0 >"$WORK/e2.out" 2>&1
expect_rc "--link-timeout 0" 2 $?
"$DNP3" outstation --char-timeout >"$WORK/e3.out" 2>&1
expect_rc "--char-timeout without a value" 2 $?

live_finish
