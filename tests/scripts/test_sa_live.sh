#!/usr/bin/env bash
# test_sa_live.sh BUILD_DIR SOURCE_DIR - Secure Authentication v5 (IEEE 1815-2012
# clause 7) with the real processes on 127.0.0.1: `dnp3 outstation --sa-user 1
# --sa-update-key-file K` demands SA; `dnp3 master operate ... --sa-update-key-file K`
# trips the breaker (session keys, challenge, reply); a master without a key, with the
# wrong key or an unknown user fails with a clear message and the breaker is not
# operated; polls stay possible without a key (READ is not critical); a missing or
# malformed key file is a start-up error (exit 2) naming the file.
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/live.sh"
live_setup test_sa_live "$1"

printf '000102030405060708090a0b0c0d0e0f\n' >"$WORK/user1.key"
printf '20212223242526272829 2a2b2c2d2e2f 303132333435363738393a3b3c3d3e3f\n' >"$WORK/user2.key"
printf 'ffeeddccbbaa99887766554433221100\n' >"$WORK/wrong.key"
printf '0001020304\n' >"$WORK/short.key"
printf 'not a key\n' >"$WORK/junk.key"

start_outstation os --listen 127.0.0.1:0 --sa-user 1 --sa-update-key-file "$WORK/user1.key" \
    --sa-user 2 --sa-update-key-file "$WORK/user2.key"
expect "start-up line" "$WORK/os.log" "Secure Authentication v5 demanded for critical requests (2 users)"
T=127.0.0.1:$PORT

# no key: the operate is challenged and fails with a clear message; nothing operated
"$DNP3" master operate "$T" --crob 0 --code trip --mode direct >"$WORK/nokey.out" 2>"$WORK/nokey.err"
expect_rc "operate without key" 1 $?
expect "operate without key: message" "$WORK/nokey.err" "the outstation demands Secure Authentication for DIRECT_OPERATE"
# READ is not critical: a poll without a key works
"$DNP3" master poll "$T" >"$WORK/poll.out" 2>&1
expect_rc "poll without key" 0 $?
# wrong key, unknown user
"$DNP3" master operate "$T" --crob 0 --code trip --sa-update-key-file "$WORK/wrong.key" >"$WORK/wrong.out" 2>&1
expect_rc "operate with the wrong key" 1 $?
expect "wrong key: message" "$WORK/wrong.out" "Secure Authentication failed: the outstation answered AUTHENTICATION_FAILED for user 1"
"$DNP3" master operate "$T" --crob 0 --code trip --sa-user 7 --sa-update-key-file "$WORK/user1.key" >"$WORK/user7.out" 2>&1
expect_rc "operate as an unknown user" 1 $?
expect "unknown user: message" "$WORK/user7.out" "answered UNKNOWN_USER for user 7"
sleep 0.2
expect_not "no control before authentication" "$WORK/os.log" "control:"
expect "outstation logs the failed key change" "$WORK/os.log" "security: session key change failed, user 1"
# the failures grew security statistics past their thresholds: g122 events in class 3
"$DNP3" master poll "$T" --class 3 --json >"$WORK/stats.json" 2>&1
expect_rc "class 3 poll" 0 $?
# (error messages sent, index 10, threshold 2: the two g120v7 errors above)
expect "g122 event: error messages sent" "$WORK/stats.json" '{"type":"security_statistic","index":10,"value":2,"flags":1,"time":'

# authenticated operate: user 1 (AES-128) with SBO, user 2 (AES-256) direct
"$DNP3" master operate "$T" --crob 0 --code trip --sa-user 1 --sa-update-key-file "$WORK/user1.key" >"$WORK/op1.out" 2>&1
expect_rc "authenticated operate (user 1, SBO)" 0 $?
expect "operate result" "$WORK/op1.out" "CROB 0 TRIP/PULSE_ON (select-before-operate): SUCCESS"
"$DNP3" master operate "$T" --crob 0 --code close --mode direct --sa-user 2 --sa-update-key-file "$WORK/user2.key" >"$WORK/op2.out" 2>&1
expect_rc "authenticated operate (user 2, AES-256, direct)" 0 $?
sleep 0.2
expect "outstation executed after authentication" "$WORK/os.log" "control: OPERATE CROB 0 TRIP/PULSE_ON"
expect "outstation logs authentication" "$WORK/os.log" "security: authenticated, user 2"

# key file errors are start-up errors naming the file
"$DNP3" master poll "$T" --sa-update-key-file "$WORK/short.key" >"$WORK/short.out" 2>&1
expect_rc "short key file" 2 $?
expect "short key message" "$WORK/short.out" "short.key: the key has 10 hex digits; a key has 32 (AES-128) or 64 (AES-256)"
"$DNP3" outstation --listen 127.0.0.1:0 --sa-user 1 --sa-update-key-file "$WORK/junk.key" >"$WORK/junk.out" 2>&1
expect_rc "outstation: malformed key file" 2 $?
expect "malformed key message" "$WORK/junk.out" "junk.key: it contains a character that is not a hex digit"
"$DNP3" outstation --listen 127.0.0.1:0 --sa-user 1 --sa-update-key-file "$WORK/missing.key" >"$WORK/missing.out" 2>&1
expect_rc "outstation: missing key file" 2 $?
expect "missing key message" "$WORK/missing.out" "missing.key: cannot open: No such file or directory"
"$DNP3" outstation --listen 127.0.0.1:0 --sa-user 1 >"$WORK/nofile.out" 2>&1
expect_rc "outstation: user without key file" 2 $?

# ---- update-key change (symmetric method 4): the master replaces user "jim"'s update key; the
#      outstation saves it in the key file; the old key stops working, the new one works
cp "$WORK/user1.key" "$WORK/jim.key"
printf '404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f\n' >"$WORK/authority.key"
printf '808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f\n' >"$WORK/jim-new.key"
printf '00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n' >"$WORK/wrong-authority.key"
start_outstation uk --listen 127.0.0.1:0 --link-addr 12 --sa-user 1 --sa-update-key-file "$WORK/jim.key" \
    --sa-user-name jim --sa-authority-key-file "$WORK/authority.key" --sa-outstation-name rtu12
U=127.0.0.1:$PORT
UK=(--link-addr 12 --sa-user-name jim --sa-outstation-name rtu12 --sa-new-key-file "$WORK/jim-new.key")
"$DNP3" master update-key "$U" --sa-update-key-file "$WORK/user1.key" "${UK[@]}" \
    --sa-authority-key-file "$WORK/wrong-authority.key" >"$WORK/uk-wrong.out" 2>&1
expect_rc "update-key with the wrong authority key" 1 $?
expect "update-key with the wrong authority key: message" "$WORK/uk-wrong.out" "Secure Authentication failed for AUTH_REQUEST: AUTHENTICATION_FAILED"
"$DNP3" master update-key "$U" --sa-update-key-file "$WORK/user1.key" "${UK[@]}" \
    --sa-authority-key-file "$WORK/authority.key" >"$WORK/uk.out" 2>&1
expect_rc "update-key" 0 $?
expect "update-key: message" "$WORK/uk.out" 'update key of user "jim" changed (key change method 4, AES-256)'
sleep 0.2
expect "update-key: outstation event" "$WORK/uk.log" "security: update key changed, user 1"
expect "update-key: the outstation saves the key" "$WORK/uk.log" "the new update key of user 1 is saved in $WORK/jim.key"
if diff -q "$WORK/jim.key" "$WORK/jim-new.key" >/dev/null; then ok; else bad "the key file does not hold the new key"; fi
"$DNP3" master operate "$U" --link-addr 12 --crob 0 --code trip --mode direct --sa-update-key-file "$WORK/user1.key" >"$WORK/uk-old.out" 2>&1
expect_rc "operate with the old update key" 1 $?
"$DNP3" master operate "$U" --link-addr 12 --crob 0 --code trip --mode direct --sa-update-key-file "$WORK/jim-new.key" >"$WORK/uk-new.out" 2>&1
expect_rc "operate with the new update key" 0 $?
"$DNP3" master update-key "$U" --sa-update-key-file "$WORK/user1.key" --link-addr 12 >"$WORK/uk-usage.out" 2>&1
expect_rc "update-key without its options" 2 $?

# the authority adds bob (user status change g120v10, then his key), bob operates, the replayed
# status change is refused, the authority deletes bob, bob is refused; the sequence number is kept
printf '606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f\n' >"$WORK/bob.key"
AUTH=(--link-addr 12 --sa-update-key-file "$WORK/jim-new.key" --sa-authority-key-file "$WORK/authority.key"
    --sa-outstation-name rtu12 --sa-user-name bob)
"$DNP3" master update-key "$U" "${AUTH[@]}" --sa-new-key-file "$WORK/bob.key" --sa-user-status add --sa-scs 1 \
    --sa-role operator >"$WORK/add.out" 2>&1
expect_rc "add a user" 0 $?
expect "add a user: message" "$WORK/add.out" 'user "bob" added by the authority (status change sequence number 1)'
sleep 0.2
expect "add a user: outstation event" "$WORK/uk.log" "security: user status change accepted, user 0, seq 1, AUTH_REQUEST, operation ADD"
expect "add a user: his number" "$WORK/uk.log" "security: update key changed, user 2"
expect "add a user: no key file" "$WORK/uk.log" "user 2 has no key file"
expect "the sequence number is kept" "$WORK/authority.key.scs" "2"
"$DNP3" master operate "$U" --link-addr 12 --crob 0 --code trip --mode direct --sa-user 2 \
    --sa-update-key-file "$WORK/bob.key" >"$WORK/bob.out" 2>&1
expect_rc "the added user operates" 0 $?
"$DNP3" master update-key "$U" "${AUTH[@]}" --sa-new-key-file "$WORK/bob.key" --sa-user-status add --sa-scs 1 \
    >"$WORK/replay.out" 2>&1
expect_rc "a used sequence number" 1 $?
expect "a used sequence number: message" "$WORK/replay.out" "INVALID_CERTIFICATION"
"$DNP3" master update-key "$U" "${AUTH[@]}" --sa-user-status delete --sa-scs 2 >"$WORK/del.out" 2>&1
expect_rc "delete a user" 0 $?
expect "delete a user: message" "$WORK/del.out" 'user "bob" deleted by the authority (status change sequence number 2)'
"$DNP3" master operate "$U" --link-addr 12 --crob 0 --code trip --mode direct --sa-user 2 \
    --sa-update-key-file "$WORK/bob.key" >"$WORK/bob2.out" 2>&1
expect_rc "the deleted user is refused" 1 $?
expect "the sequence number is kept after the deletion" "$WORK/authority.key.scs" "3"
"$DNP3" master update-key "$U" "${AUTH[@]}" --sa-user-status delete >"$WORK/noscs.out" 2>&1
expect_rc "status change without --sa-scs" 2 $?

live_finish
