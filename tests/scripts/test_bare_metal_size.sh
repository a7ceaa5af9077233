#!/usr/bin/env bash
# test_bare_metal_size.sh BUILD_DIR SOURCE_DIR - cross-compiles examples/bare-metal for a
# Cortex-M4 (arm-none-eabi-gcc -mcpu=cortex-m4 -mthumb -Os, newlib-nano, its own start-up
# code and linker script) and holds it to the budget of a small part: 64 KiB of flash
# (.text + .data) and 16 KiB of RAM (.data + .bss, the 2 KiB stack reservation included).
#
# Two configurations (points of each of the 9 types / event buffer of each type):
#   * 19 / 19: the largest uniform configuration that fits, linked with the real 64 KiB / 16 KiB
#     memory map; flash and RAM are checked (20 / 20 fails to link: `.stack' will not fit).
#   * 100 / 100: the configuration asked for. Its flash is checked; its RAM cannot fit 16 KiB
#     (the core stores each type with what it needs, yet 900 points and 900 buffered events are
#     still 37,200 octets: a binary input is 11 octets, a counter or analog 30, an event 16 plus
#     its value of 1, 4 or 8; 38,900 with the octet-string values; and even the bits that must be
#     kept, packed without any overhead, are 17,688 octets), so it is linked with a larger RAM
#     region only to measure it, and the figures are printed.
#
# The static arena of each configuration is sized with dnp3_outstation_memory_size, run
# on the host (the same app.c compiled with the host port; 64-bit pointers make that figure
# a slight over-estimate for the 32-bit target). Skipped (77) without arm-none-eabi-gcc.
set -uo pipefail
BUILD=$(cd "$1" && pwd)
SRC=$(cd "$2" && pwd)
EX=$SRC/examples/bare-metal
FLASH_BUDGET=65536
RAM_BUDGET=16384

if ! command -v arm-none-eabi-gcc >/dev/null 2>&1; then
    echo "skip: arm-none-eabi-gcc not installed (scripts/deps installs gcc-arm-none-eabi and libnewlib-arm-none-eabi)"
    exit 77
fi
[ -f "$BUILD/libdnp3.a" ] || { echo "FAIL: $BUILD/libdnp3.a not built"; exit 1; }
SAN=""
nm "$BUILD/libdnp3.a" 2>/dev/null | grep __asan_ >/dev/null && SAN="-fsanitize=address,undefined" # sanitizer build
WORK=$(mktemp -d "${TMPDIR:-/tmp}/test_bare_metal_size.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
fail=0

# The core library for the target: every sans-I/O source, as test_sans_io.sh compiles it
# (BUILD/include holds the generated dnp3/version.h).
mkdir -p "$WORK/core"
for f in "$SRC"/src/{core,link,transport,app,outstation,master,channel,sa}/*.c; do
    rel=${f#"$SRC/src/"}
    o="$WORK/core/${rel//\//_}.o"
    arm-none-eabi-gcc -mcpu=cortex-m4 -mthumb -Os -std=c11 -ffunction-sections -fdata-sections \
        -I "$SRC/include" -I "$BUILD/include" -I "$SRC/src" -c "$f" -o "$o" ||
        { echo "FAIL: $rel does not compile"; exit 1; }
done
arm-none-eabi-ar rcs "$WORK/libdnp3-cm4.a" "$WORK"/core/*.o

# build NAME POINTS EVENTS LDSCRIPT: host sizing run, then the Cortex-M4 image NAME.elf.
build() {
    local name=$1 points=$2 events=$3 ld=$4 defs
    defs="-DAPP_POINTS=$points -DAPP_EVENTS=$events"
    # shellcheck disable=SC2086
    cc $SAN -std=c11 -O1 $defs -I "$SRC/include" -I "$BUILD/include" "$EX/app.c" "$EX/port_posix.c" "$BUILD/libdnp3.a" \
        -o "$WORK/$name-host" || { echo "FAIL: host build of $name"; return 1; }
    NEED=$("$WORK/$name-host" --size | sed -n 's/.*: \([0-9]*\) octets needed.*/\1/p')
    [ -n "$NEED" ] || { echo "FAIL: no memory figure from the host build of $name"; return 1; }
    # shellcheck disable=SC2086
    arm-none-eabi-gcc -mcpu=cortex-m4 -mthumb -Os -std=c11 -ffunction-sections -fdata-sections \
        -Wall -Wextra -Werror $defs -DAPP_ARENA_SIZE="$NEED" -I "$SRC/include" -I "$BUILD/include" \
        "$EX/app.c" "$EX/port_cortexm.c" --specs=nano.specs --specs=nosys.specs -nostartfiles \
        -T "$ld" -Wl,--gc-sections -Wl,-Map="$WORK/$name.map" "$WORK/libdnp3-cm4.a" \
        -o "$WORK/$name.elf" || { echo "FAIL: $name does not link for the Cortex-M4"; return 1; }
    read -r TEXT DATA BSS _ < <(arm-none-eabi-size "$WORK/$name.elf" | tail -1)
    FLASH=$((TEXT + DATA))
    RAM=$((DATA + BSS))
    echo "$name ($points points and $events-event buffers of each type): .text $TEXT  .data $DATA  .bss $BSS" \
        "(arena $NEED, stack 2048)  ->  flash $FLASH of $FLASH_BUDGET, RAM $RAM of $RAM_BUDGET"
}

echo "== Cortex-M4 (arm-none-eabi-gcc -mcpu=cortex-m4 -mthumb -Os, newlib-nano, --gc-sections)"
FIT=19 # the largest N / N that fits (examples/bare-metal/README.md)
if build fits $FIT $FIT "$EX/cortex-m4.ld"; then
    [ "$FLASH" -le "$FLASH_BUDGET" ] || { echo "FAIL: $FIT/$FIT flash $FLASH > $FLASH_BUDGET"; fail=1; }
    [ "$RAM" -le "$RAM_BUDGET" ] || { echo "FAIL: $FIT/$FIT RAM $RAM > $RAM_BUDGET"; fail=1; }
else
    fail=1
fi

sed 's/LENGTH = 16K/LENGTH = 256K/' "$EX/cortex-m4.ld" >"$WORK/measure.ld"
if build spec 100 100 "$WORK/measure.ld"; then
    [ "$FLASH" -le "$FLASH_BUDGET" ] || { echo "FAIL: 100/100 flash $FLASH > $FLASH_BUDGET"; fail=1; }
    if [ "$RAM" -le "$RAM_BUDGET" ]; then
        echo "note: 100/100 now fits 16 KiB of RAM: update examples/bare-metal/README.md"
    else
        echo "100/100 needs $RAM octets of RAM, over the 16 KiB budget: 900 points (19,300 octets: 11 for a" \
            "binary type, 30 for a counter or analog, 10 for an octet string) and 900 buffered events (17,900:" \
            "17, 20 or 24 with their value) are 37,200 octets before any buffer; no storage could fit it: the" \
            "bits that must be kept, packed with no overhead, are 17,688 octets (examples/bare-metal/README.md)"
    fi
else
    fail=1
fi

if command -v python3 >/dev/null 2>&1 && [ -f "$WORK/spec.map" ]; then
    echo "largest contributors to flash (100/100; octets of .text + .rodata kept by the linker, by object):"
    python3 - "$WORK/spec.map" <<'PY'
import collections, re, sys
sizes, on, pending = collections.Counter(), False, False
for line in open(sys.argv[1]):
    if line.startswith("Linker script and memory map"):
        on = True
    if not on:
        continue
    m = re.match(r"^ (\.(?:text|rodata)\S*)?\s+0x[0-9a-f]+\s+0x([0-9a-f]+)\s+(\S+)", line)
    if m and (m.group(1) or pending):
        obj = m.group(3)
        name = re.search(r"\((.*)\)", obj)
        lib = re.sub(r"\(.*", "", obj).rsplit("/", 1)[-1]
        sizes[(lib + ": " if name else "") + (name.group(1) if name else obj.rsplit("/", 1)[-1])] += int(m.group(2), 16)
    pending = bool(re.match(r"^ \.(?:text|rodata)\S*\s*$", line))
for k, v in sizes.most_common(14):
    print("  %6d  %s" % (v, k))
PY
fi

[ "$fail" -eq 0 ] && echo "test_bare_metal_size: ok" || echo "test_bare_metal_size: FAILED"
exit "$fail"
