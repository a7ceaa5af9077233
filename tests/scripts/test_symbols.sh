#!/usr/bin/env bash
# test_symbols.sh - the libraries export the public API and nothing else.
#
#   * every dynamic symbol that a shared library (libdnp3.so, libdnp3crypto.so,
#     libdnp3io.so) defines starts with dnp3_ and is declared under include/dnp3;
#   * every function marked DNP3_API in include/dnp3 is exported by one of them;
#   * every global symbol that a static library defines starts with dnp3_ (the
#     internal ones included: a device links the archive next to an RTOS kernel).
# Usage: test_symbols.sh BUILD_DIR SOURCE_DIR
set -uo pipefail
BUILD=$1
SRC=$2
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

HEADERS=("$SRC"/include/dnp3/*.h "$BUILD"/include/dnp3/*.h)
# the names declared DNP3_API in the public headers
declared=$(cat "${HEADERS[@]}" | tr '\n' ' ' | grep -oE 'DNP3_API[^;{]*\(' |
           grep -oE 'dnp3_[A-Za-z0-9_]+ *\($' | tr -d ' (' | sort -u)
[ -n "$declared" ] || { echo "FAIL: no DNP3_API declaration found under include/dnp3"; exit 1; }

exported=""
for lib in libdnp3 libdnp3crypto libdnp3io libdnp3decode; do
    so="$BUILD/$lib.so"
    [ -f "$so" ] || continue
    syms=$(nm -D --defined-only "$so" | awk 'NF == 3 { print $3 }')
    n=0
    for s in $syms; do
        n=$((n + 1))
        case $s in
        dnp3_*) ;;
        *) bad "$lib.so exports $s, which does not start with dnp3_"; continue ;;
        esac
        grep -qx -- "$s" <<<"$declared" || bad "$lib.so exports $s, which is not declared DNP3_API under include/dnp3"
    done
    echo "$lib.so: $n exported symbols"
    exported+="$syms"$'\n'
    ok
done
if [ -n "$exported" ]; then
    missing=$(comm -23 <(echo "$declared") <(echo "$exported" | sort -u))
    if [ -n "$missing" ]; then
        bad "declared DNP3_API but exported by no shared library: $(echo $missing)"
    else
        ok
    fi
fi

for lib in libdnp3 libdnp3crypto libdnp3io libdnp3decode; do
    a="$BUILD/$lib.a"
    [ -f "$a" ] || continue
    # (a sanitizer build adds its own globals: __odr_asan.*, ___asan_gen_*)
    others=$(nm -g --defined-only "$a" 2>/dev/null | awk 'NF == 3 { print $3 }' | grep -v '^dnp3_' |
             grep -vE '^(__odr_asan|___?asan_|__ubsan_)' || true)
    if [ -n "$others" ]; then
        bad "$lib.a defines globals without the dnp3_ prefix: $(echo $others)"
    else
        echo "$lib.a: $(nm -g --defined-only "$a" | awk 'NF == 3' | wc -l) globals, all dnp3_"
        ok
    fi
done
echo "test_symbols: $pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
