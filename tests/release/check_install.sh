#!/usr/bin/env bash
# check_install.sh - libdnp3 as an outside project meets it after `cmake --install`.
#
#   tests/release/check_install.sh BUILD_DIR
#
# Installs BUILD_DIR into a temporary prefix and checks what is there (headers, both kinds of
# libraries with their SONAME, the command, the man page, pkg-config files, the CMake package);
# the man page carries every subcommand's `dnp3 help` text and the `--help` of the subcommands
# those point to (`dnp3 master file|run --help`); then builds examples/outstation and
# examples/master from their own folders twice - once with `cc $(pkg-config ...)`, once as a
# minimal CMake project with find_package(dnp3) - and runs each build against the installed
# `dnp3`: the outstation example is polled and operated by `dnp3 master`, the master example
# polls and operates `dnp3 outstation`. Nothing is left behind.
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
. "$ROOT/tests/scripts/live.sh"
live_setup check_install "${1:?usage: check_install.sh BUILD_DIR}" cmake pkg-config cc python3
PREFIX=$WORK/prefix

cmake --install "$BUILD" --prefix "$PREFIX" >"$WORK/install.log" 2>&1
expect_rc "cmake --install" 0 $?
has() { if [ -e "$PREFIX/$1" ]; then ok; else bad "not installed: $1"; fi; }
for f in include/dnp3/outstation.h include/dnp3/io_roles.h include/dnp3/export.h include/dnp3/version.h \
         bin/dnp3 share/man/man1/dnp3.1 lib/pkgconfig/dnp3.pc lib/pkgconfig/dnp3-io.pc lib/pkgconfig/dnp3-crypto.pc lib/pkgconfig/dnp3-decode.pc include/dnp3/decode.h \
         lib/cmake/dnp3/dnp3Config.cmake lib/cmake/dnp3/dnp3ConfigVersion.cmake lib/cmake/dnp3/dnp3Targets.cmake; do
    has "$f"
done
for lib in libdnp3 libdnp3crypto libdnp3io libdnp3decode; do
    has "lib/$lib.a"
    has "lib/$lib.so"
    soname=$(readelf -d "$PREFIX/lib/$lib.so" 2>/dev/null | sed -n 's/.*SONAME.*\[\(.*\)\]/\1/p')
    if [ "$soname" = "$lib.so.1" ]; then ok; else bad "$lib.so: SONAME '$soname', want $lib.so.1"; fi
done
if ls "$PREFIX"/include/dnp3 | grep -v '\.h$' >/dev/null; then bad "non-header files in include/dnp3"; else ok; fi

# the man page and `dnp3 help` are one text: every line of every command's help is in the page
DNP3I=$PREFIX/bin/dnp3
MANWIDTH=200 man -l "$PREFIX/share/man/man1/dnp3.1" 2>/dev/null | sed 's/^ *//' >"$WORK/man.txt"
# in_man WHAT COMMAND...: every line COMMAND prints is in the page
in_man() {
    local what=$1 missing=0 line
    shift
    while IFS= read -r line; do
        line=$(sed 's/^ *//' <<<"$line")
        [ -z "$line" ] && continue
        grep -qF -- "$line" "$WORK/man.txt" || { missing=$((missing + 1)); echo "  not in dnp3(1): $line"; }
    done < <("$@")
    if [ "$missing" = 0 ]; then ok; else bad "dnp3(1) lacks $missing lines of '$what'"; fi
}
for cmd in $("$DNP3I" --help | sed -n 's/^  \([a-z]*\) .*/\1/p'); do
    in_man "dnp3 help $cmd" "$DNP3I" help "$cmd"
    # and the subcommands' own help that it points to ("see dnp3 master file --help")
    for sub in $("$DNP3I" help "$cmd" | grep -o "dnp3 $cmd [a-z]* --help" | awk '{print $3}' | sort -u); do
        in_man "dnp3 $cmd $sub --help" "$DNP3I" "$cmd" "$sub" --help
    done
done
version=$(sed -nE 's/^project\(libdnp3 VERSION ([0-9.]+).*/\1/p' "$ROOT/CMakeLists.txt")
expect_eq() { if [ "$2" = "$3" ]; then ok; else bad "$1: got '$3', want '$2'"; fi; }
expect_eq "installed dnp3 --version" "dnp3 $version (libdnp3 $version)" "$("$DNP3I" --version)"

export PKG_CONFIG_PATH=$PREFIX/lib/pkgconfig
export LD_LIBRARY_PATH=$PREFIX/lib
expect_eq "pkg-config --modversion dnp3" "$version" "$(pkg-config --modversion dnp3)"

# ---- build the examples from their folders, with pkg-config and with find_package(dnp3) ----
SAN=()
deps=$(ldd "$BUILD/dnp3" 2>/dev/null || true)
grep -q libasan <<<"$deps" && SAN=(-fsanitize=address,undefined)
mkdir -p "$WORK/pc" "$WORK/cm"
for e in outstation master; do
    # shellcheck disable=SC2046
    cc "${SAN[@]}" -Wall -Werror -o "$WORK/pc/$e" "$ROOT"/examples/$e/*.c $(pkg-config --cflags --libs dnp3-io) \
        >"$WORK/pc/$e.log" 2>&1
    expect_rc "examples/$e with pkg-config" 0 $?
done
cat >"$WORK/cm/CMakeLists.txt" <<CMAKE
cmake_minimum_required(VERSION 3.18)
project(dnp3_consumer C)
find_package(dnp3 $version CONFIG REQUIRED)
add_executable(outstation $ROOT/examples/outstation/outstation.c)
target_link_libraries(outstation PRIVATE dnp3::io)
add_executable(master $ROOT/examples/master/master.c)
target_link_libraries(master PRIVATE dnp3::io)
add_executable(master_static $ROOT/examples/master/master.c)
target_link_libraries(master_static PRIVATE dnp3::io_static)
CMAKE
{ cmake -S "$WORK/cm" -B "$WORK/cm/build" -DCMAKE_PREFIX_PATH="$PREFIX" -DCMAKE_C_FLAGS="${SAN[*]}" &&
  cmake --build "$WORK/cm/build"; } >"$WORK/cm.log" 2>&1
expect_rc "examples with find_package(dnp3)" 0 $?
[ "$fail" = 0 ] || { cat "$WORK"/pc/*.log "$WORK/cm.log" | tail -40; live_finish; exit 1; }
if grep -q 'libdnp3io.so.1' <<<"$(readelf -d "$WORK/cm/build/master")"; then ok; else bad "dnp3::io is not the shared library"; fi
if grep -q 'libdnp3' <<<"$(readelf -d "$WORK/cm/build/master_static")"; then bad "dnp3::io_static links a shared libdnp3"; else ok; fi

# ---- run them against the installed command ----
DNP3=$DNP3I
for kind in pc cm cm-static; do
    case $kind in
    pc) os=$WORK/pc/outstation master=$WORK/pc/master ;;
    cm) os=$WORK/cm/build/outstation master=$WORK/cm/build/master ;;
    cm-static) os=$WORK/cm/build/outstation master=$WORK/cm/build/master_static ;;
    esac
    "$os" --listen 127.0.0.1:0 --link-addr 7 --master-addr 3 >"$WORK/$kind-os.log" 2>&1 &
    pid=$!
    PIDS+=("$pid")
    if ! wait_for "$WORK/$kind-os.log" "listening on"; then bad "$kind: examples/outstation did not start"; continue; fi
    port=$(listen_port "$WORK/$kind-os.log")
    "$DNP3" master operate "127.0.0.1:$port" --link-addr 7 --master-addr 3 --crob 0 --code latch-on \
        >"$WORK/$kind-op.out" 2>&1
    expect_rc "$kind: dnp3 master operates examples/outstation" 0 $?
    "$DNP3" master poll "127.0.0.1:$port" --link-addr 7 --master-addr 3 --json >"$WORK/$kind-poll.json" 2>&1
    expect_rc "$kind: dnp3 master polls examples/outstation" 0 $?
    bi0=$(python3 -c 'import json,sys
print([p["value"] for p in json.load(open(sys.argv[1]))["points"] if p["type"]=="binary_input" and p["index"]==0][0])' \
        "$WORK/$kind-poll.json" 2>/dev/null)
    expect_eq "$kind: the CROB moved binary input 0" 1 "$bi0"
    "$master" "127.0.0.1:$port" --link-addr 7 --master-addr 3 --crob 0 --code off >"$WORK/$kind-m.out" 2>&1
    expect_rc "$kind: examples/master against examples/outstation" 0 $?
    kill -INT "$pid"
    wait "$pid"
    expect_rc "$kind: examples/outstation stops on SIGINT" 0 $?
done

# the decoder library from outside: the same JSON lines as the installed `dnp3 decode --json`
cat >"$WORK/dec.c" <<'C'
#include <dnp3/decode.h>
int main(void)
{
    static const unsigned char frame[] = {0x05, 0x64, 0x05, 0xC0, 0x01, 0x00, 0x00, 0x04, 0xE9, 0x21};
    dnp3_decode_options o;
    dnp3_decode_options_init(&o);
    o.json = 1;
    return dnp3_decode_octets(frame, sizeof frame, &o, stdout) == 0 ? 0 : 1;
}
C
# shellcheck disable=SC2046
cc "${SAN[@]}" -Wall -Werror -o "$WORK/dec" "$WORK/dec.c" $(pkg-config --cflags --libs dnp3-decode) >"$WORK/dec.log" 2>&1
expect_rc "a decoder program with pkg-config dnp3-decode" 0 $?
"$WORK/dec" >"$WORK/dec.out" 2>&1
expect_rc "the decoder program" 0 $?
"$DNP3" decode --json 05 64 05 C0 01 00 00 04 E9 21 >"$WORK/dec.want" 2>&1
if cmp -s "$WORK/dec.out" "$WORK/dec.want"; then ok; else bad "libdnp3decode and dnp3 decode --json differ"; fi

start_outstation sub --listen 127.0.0.1:0
"$WORK/cm/build/master" "127.0.0.1:$PORT" --crob 0 --code off >"$WORK/sub-m.out" 2>&1
expect_rc "examples/master against the installed dnp3 outstation" 0 $?
expect "examples/master printed points" "$WORK/sub-m.out" "analog_input"
live_finish
