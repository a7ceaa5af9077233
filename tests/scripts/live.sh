# live.sh - the scaffolding shared by the script tests that run real `dnp3` processes on
# 127.0.0.1 (sourced, never run). A test starts with
#
#     . "$(dirname "${BASH_SOURCE[0]}")/live.sh"
#     live_setup test_name "$1" python3 ...   # BUILD_DIR, then commands the test needs
#
# and ends with `live_finish`. live_setup skips the test (exit 77) when build/dnp3 is not built or
# a needed command is missing, makes the scratch directory $WORK and arranges that every process
# whose pid is appended to PIDS is killed and $WORK removed on exit (kept if KEEP_WORK is set).

# live_setup NAME BUILD_DIR [COMMAND...]: sets TEST_NAME, BUILD, DNP3, WORK, PIDS, ASAN.
live_setup() {
    TEST_NAME=$1
    BUILD=$(cd "$2" 2>/dev/null && pwd) || BUILD=$2
    shift 2
    DNP3=$BUILD/dnp3
    [ -x "$DNP3" ] || { echo "skip: $DNP3 not built"; exit 77; }
    local c
    for c in "$@"; do
        command -v "$c" >/dev/null || { echo "skip: $c not installed"; exit 77; }
    done
    WORK=$(mktemp -d "${TMPDIR:-/tmp}/$TEST_NAME.XXXXXX")
    PIDS=()
    trap live_cleanup EXIT
    pass=0
    fail=0
    ASAN=0 # the ASan build: its allocator quarantine makes resident-memory bounds meaningless
    # (ldd's output is read whole first: `ldd | grep -q` under pipefail fails when grep stops early)
    local deps
    deps=$(ldd "$DNP3" 2>/dev/null || true)
    grep -q libasan <<<"$deps" && ASAN=1
    return 0
}

live_cleanup() {
    local p i alive
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
    # up to 2 s to end; then killed (a mosquitto_sub with a persistent session whose broker has gone
    # ignores SIGTERM while it tries to reconnect, and would outlive the test)
    for ((i = 0; i < 20; i++)); do
        alive=0
        for p in "${PIDS[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
        [ "$alive" = 0 ] && break
        sleep 0.1
    done
    for p in "${PIDS[@]}"; do kill -KILL "$p" 2>/dev/null; done
    wait 2>/dev/null
    if [ -n "${KEEP_WORK:-}" ]; then echo "work dir kept: $WORK"; else rm -rf "$WORK"; fi
}

# live_finish: the summary line; the exit status of the test.
live_finish() {
    echo "$TEST_NAME: $pass passed, $fail failed"
    [ "$fail" -eq 0 ]
}

ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
expect() { # expect DESCRIPTION FILE TEXT: FILE contains TEXT (a fixed string)
    if grep -qF -- "$3" "$2"; then ok; else bad "$1: '$3' not in $2:"; sed 's/^/    /' "$2" | head -30; fi
}
expect_not() { # expect_not DESCRIPTION FILE TEXT
    if grep -qF -- "$3" "$2"; then bad "$1: '$3' unexpectedly in $2"; else ok; fi
}
expect_rc() { # expect_rc DESCRIPTION WANT GOT
    if [ "$2" = "$3" ]; then ok; else bad "$1: exit status $3, want $2"; fi
}

# wait_for FILE TEXT [TRIES]: waits (TRIES x 50 ms, default 100) until FILE contains TEXT.
wait_for() {
    local i
    for ((i = 0; i < ${3:-100}; i++)); do
        grep -qF -- "$2" "$1" 2>/dev/null && return 0
        sleep 0.05
    done
    return 1
}

# run_until LOG TEXT CMD...: runs CMD in the background with its output in LOG and stops it
# (SIGTERM) once LOG contains TEXT, or after 10 s; the caller then checks LOG. A fixed `timeout N`
# could stop a command on a loaded machine before it got to say TEXT.
run_until() {
    local log=$1 text=$2 pid
    shift 2
    "$@" >"$log" 2>&1 &
    pid=$!
    wait_for "$log" "$text" 200
    kill -TERM "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    return 0
}

# listen_port LOG: the port of the first "listening on <proto> <addr>:<port>," line of LOG.
listen_port() { sed -n 's/.*listening on [a-z]* [0-9.]*:\([0-9]*\),.*/\1/p' "$1" | head -1; }

# start_outstation NAME ARGS...: `dnp3 outstation ARGS` logging to $WORK/NAME.log; waits until it
# listens and sets PORT and OSPID; a start-up failure ends the test.
start_outstation() {
    local name=$1
    shift
    "$DNP3" outstation "$@" >"$WORK/$name.log" 2>&1 &
    OSPID=$!
    PIDS+=("$OSPID")
    wait_for "$WORK/$name.log" "listening on"
    PORT=$(listen_port "$WORK/$name.log")
    [ -n "$PORT" ] || { echo "FAIL: outstation $name did not start"; cat "$WORK/$name.log"; exit 1; }
}

# free_port: a TCP port on 127.0.0.1 that nothing listens on now.
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# start_broker NAME PORT [CONFIG-LINE...]: a throw-away mosquitto ($MOSQUITTO, see
# find_mosquitto) on 127.0.0.1:PORT with $WORK/NAME.conf (the lines given, else anonymous
# access; no persistence), logging to $WORK/NAME.log; waits until it accepts connections and
# sets BROKER to its pid. Started again with only NAME and PORT it keeps the earlier config.
start_broker() {
    local name=$1 port=$2 i
    shift 2
    if [ $# -gt 0 ] || [ ! -f "$WORK/$name.conf" ]; then
        # user: as root mosquitto would switch to the mosquitto user, who cannot read $WORK
        printf 'listener %s 127.0.0.1\npersistence false\nuser %s\n' "$port" "$(id -un)" >"$WORK/$name.conf"
        printf '%s\n' "${@:-allow_anonymous true}" >>"$WORK/$name.conf"
    fi
    "$MOSQUITTO" -c "$WORK/$name.conf" >>"$WORK/$name.log" 2>&1 &
    BROKER=$!
    PIDS+=("$BROKER")
    for ((i = 0; i < 50; i++)); do
        python3 -c "import socket; socket.create_connection(('127.0.0.1', $port), 0.2)" 2>/dev/null && break
        sleep 0.1
    done
}

# A throw-away PKI made by the openssl command, in $P (set it first): EC P-256 keys,
# pki_ca NAME CN: a self-signed CA NAME.pem/NAME.key; pki_leaf NAME CN SAN CA DAYS: NAME.pem signed
# by CA, with SAN (e.g. "DNS:x,IP:127.0.0.1"), for servers and clients alike (DAYS -1: expired).
pki_key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$P/$1.key" 2>/dev/null; }
pki_ca() { pki_key "$1" && openssl req -x509 -new -key "$P/$1.key" -out "$P/$1.pem" -days 30 -subj "/CN=$2" 2>/dev/null; }
pki_leaf() {
    pki_key "$1" && openssl req -new -key "$P/$1.key" -out "$P/$1.csr" -subj "/CN=$2" 2>/dev/null &&
        printf 'subjectAltName=%s\nextendedKeyUsage=serverAuth,clientAuth\n' "$3" >"$P/$1.ext" &&
        openssl x509 -req -in "$P/$1.csr" -CA "$P/$4.pem" -CAkey "$P/$4.key" -CAcreateserial \
            -out "$P/$1.pem" -days "$5" -extfile "$P/$1.ext" 2>/dev/null
}

# sim_generated NAME: how many events the simulating outstation NAME ($WORK/NAME.log) generated.
sim_generated() { sed -n 's/.*simulation finished: \([0-9]*\) events generated.*/\1/p' "$WORK/$1.log"; }

# start_gateway NAME: `dnp3 master run --config $WORK/NAME.yaml` logging to $WORK/NAME.log; sets GW.
start_gateway() {
    "$DNP3" master run --config "$WORK/$1.yaml" >"$WORK/$1.log" 2>&1 &
    GW=$!
    PIDS+=("$GW")
}

# stored_events DB: how many events the SQLite store DB holds (empty while it does not exist).
stored_events() { sqlite3 "$1" 'SELECT count(*) FROM measurements WHERE event' 2>/dev/null; }

# wait_stored DB N [TENTHS]: waits (TENTHS x 0.1 s at most, default 200) until DB stores N events.
wait_stored() {
    local i
    for ((i = 0; i < ${3:-200}; i++)); do
        [ "$(stored_events "$1")" = "$2" ] && return 0
        sleep 0.1
    done
    return 1
}

# expect_published_stored WHAT LOG DB GEN: within 10 s, GEN events published as JSON (the lines of
# the mosquitto_sub log LOG with "event":true) and GEN events stored in the SQLite file DB.
expect_published_stored() {
    local i pub stored
    for ((i = 0; i < 100; i++)); do
        pub=$(grep -c '"event":true' "$2")
        stored=$(stored_events "$3")
        [ "$pub" -ge "$4" ] && [ "$stored" = "$4" ] && break
        sleep 0.1
    done
    expect_rc "$1: every event published (generated $4)" "$4" "$pub"
    expect_rc "$1: every event stored" "$4" "$stored"
}

# find_mosquitto: sets MOSQUITTO to the broker's binary, or skips the test (exit 77).
find_mosquitto() {
    MOSQUITTO=$(command -v mosquitto || ls /usr/sbin/mosquitto 2>/dev/null)
    [ -x "$MOSQUITTO" ] || { echo "skip: mosquitto (the broker) not installed"; exit 77; }
}

fds() { ls "/proc/$1/fd" 2>/dev/null | wc -l; }                               # open descriptors of PID
rss_kb() { sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\).*/\1/p' "/proc/$1/status"; } # resident memory of PID

# start_proxy NAME UPSTREAM_PORT ARGS...: tests/tools/fault_proxy in front of 127.0.0.1:UPSTREAM_PORT,
# logging to $WORK/NAME.log; sets PPORT (where it listens) and PROXYPID.
start_proxy() {
    local name=$1 upstream=$2
    shift 2
    "$BUILD/tests/fault_proxy" --listen 0 --upstream "$upstream" "$@" >"$WORK/$name.log" 2>&1 &
    PROXYPID=$!
    PIDS+=("$PROXYPID")
    wait_for "$WORK/$name.log" "listening on"
    PPORT=$(sed -n 's/.*listening on 127.0.0.1:\([0-9]*\)$/\1/p' "$WORK/$name.log" | head -1)
    [ -n "$PPORT" ] || { echo "FAIL: proxy $name did not start"; cat "$WORK/$name.log"; exit 1; }
}
