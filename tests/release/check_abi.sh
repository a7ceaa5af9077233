#!/usr/bin/env bash
# check_abi.sh - the public ABI of the shared libraries against the recorded one (abi/).
#
#   tests/release/check_abi.sh BUILD_DIR      (a build with debug information: -g)
#
# For each of libdnp3.so, libdnp3crypto.so, libdnp3io.so, libabigail's abidiff compares
# the recorded ABI (abi/<lib>.abi, written by scripts/abi-record) with the library just
# built, restricted to the types of the public headers (include/dnp3):
#   * no change: pass;
#   * only additions (new functions or variables, abidiff's summaries say 0 Removed and
#     0 Changed): pass, with a reminder to record the new baseline;
#   * anything else (a removed or changed function, a public struct whose size or members
#     changed: abidiff sets exit bit 8 only for removals, so a changed type is judged from
#     its summary here): fail, unless the SONAME's major version was raised as well. A
#     change reviewed as harmless can be waived in abi/suppressions (libabigail's
#     suppression-specification format), with the reason in a comment;
#   * whatever the waivers say, a member of a public struct that moved, changed type or
#     was removed, and an enumerator removed or renumbered, fail (abidiff run a second time
#     without abi/suppressions): the waivers are for members appended at the end of structs
#     versioned by their size or only read by the application through a pointer, and
#     libabigail's "inserted at end" rule also hides an insertion in the middle or a member's
#     new type. An enum that ends in a *_COUNT sentinel (task kinds and results, point
#     types, SA statistics) renumbers that sentinel when a value is added: a new value there
#     is an incompatible change and needs a new SONAME major, as docs/api.md says.
# Exit status 0 pass, 1 fail, 77 skipped (abidiff not installed).
set -uo pipefail
BUILD=${1:?usage: check_abi.sh BUILD_DIR}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
command -v abidiff >/dev/null || { echo "skip: abidiff (abigail-tools) not installed"; exit 77; }

pass=0
fail=0
work=$(mktemp -d "${TMPDIR:-/tmp}/check_abi.XXXXXX")
trap 'rm -rf "$work"' EXIT
for lib in libdnp3 libdnp3crypto libdnp3io libdnp3decode; do
    so="$BUILD/$lib.so"
    base="$ROOT/abi/$lib.abi"
    if [ ! -f "$so" ]; then echo "FAIL: $so not built"; fail=$((fail + 1)); continue; fi
    if [ ! -f "$base" ]; then echo "FAIL: no recorded ABI $base (scripts/abi-record)"; fail=$((fail + 1)); continue; fi
    sections=$(readelf -S "$so" 2>/dev/null)
    if ! grep -q '\.debug_info' <<<"$sections"; then
        echo "FAIL: $so has no debug information; check_abi needs a Debug or RelWithDebInfo build"
        fail=$((fail + 1))
        continue
    fi
    abidw --headers-dir "$ROOT/include/dnp3" --headers-dir "$BUILD/include/dnp3" \
          --out-file "$work/$lib.abi" "$so" || { echo "FAIL: abidw $so"; fail=$((fail + 1)); continue; }
    rc=0
    supp=()
    [ -f "$ROOT/abi/suppressions" ] && supp=(--suppressions "$ROOT/abi/suppressions")
    abidiff "${supp[@]}" --headers-dir1 "$ROOT/include/dnp3" --headers-dir2 "$ROOT/include/dnp3" \
            "$base" "$work/$lib.abi" >"$work/$lib.diff" 2>&1 || rc=$?
    # additions only: no summary line counts anything Removed or Changed (the symbol summaries,
    # "N Added function symbol not referenced by debug info", have no Changed count at all)
    additions_only=0
    if [ $((rc & 4)) -ne 0 ] &&
        ! grep -E 'changes summary:' "$work/$lib.diff" | grep -qE '(^|[^0-9])[1-9][0-9]* (Removed|Changed)'; then
        additions_only=1
    fi
    [ $((rc & 4)) -ne 0 ] && [ "$additions_only" = 0 ] && rc=$((rc | 8))
    # members that existed before must keep their offset and type and stay
    abidiff --headers-dir1 "$ROOT/include/dnp3" --headers-dir2 "$ROOT/include/dnp3" \
            "$base" "$work/$lib.abi" >"$work/$lib.raw" 2>&1
    # (a member appended at the end, or a struct member that grew at its end, shows none of these;
    # an enumerator appended after the last one neither); printed with the lines above each,
    # which name the type and the member
    moved=$(grep -E -B4 "offset changed|data members? deletion|type name changed from|enumerators? (deletion|change)" \
        "$work/$lib.raw")
    if [ -n "$moved" ]; then
        rc=$((rc | 8))
        { echo "members of public structs moved, changed or removed (not waivable):"; echo "$moved"; } >>"$work/$lib.diff"
    fi
    old_soname=$(grep -o "soname='[^']*'" "$base" | head -1)
    new_soname=$(grep -o "soname='[^']*'" "$work/$lib.abi" | head -1)
    old_major=$(sed -n "s/.*\.so\.\([0-9]*\).*/\1/p" <<<"$old_soname")
    new_major=$(sed -n "s/.*\.so\.\([0-9]*\).*/\1/p" <<<"$new_soname")
    if [ $((rc & 3)) -ne 0 ]; then
        echo "FAIL: abidiff could not compare $lib (exit $rc)"; cat "$work/$lib.diff"; fail=$((fail + 1))
    elif [ $((rc & 8)) -ne 0 ] && [ "${new_major:-0}" -le "${old_major:-0}" ]; then
        echo "FAIL: $lib: incompatible ABI change without a higher SONAME major ($old_soname -> $new_soname); raise the major version in"
        echo "      CMakeLists.txt project(VERSION) or restore the ABI. abidiff says:"
        sed 's/^/    /' "$work/$lib.diff"
        fail=$((fail + 1))
    elif [ $((rc & 8)) -ne 0 ]; then
        echo "ok: $lib: incompatible change, SONAME raised ($old_soname -> $new_soname); record it: scripts/abi-record"
        pass=$((pass + 1))
    elif [ $((rc & 4)) -ne 0 ]; then
        echo "ok: $lib: additions only ($new_soname); record the new baseline with scripts/abi-record:"
        sed 's/^/    /' "$work/$lib.diff" | head -40
        pass=$((pass + 1))
    else
        echo "ok: $lib: ABI unchanged ($new_soname, $(grep -c '<elf-symbol ' "$work/$lib.abi") symbols)"
        pass=$((pass + 1))
    fi
done
echo "check_abi: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
