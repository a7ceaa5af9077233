#!/usr/bin/env bash
# test_sans_io.sh BUILD_DIR SOURCE_DIR
#
# Proves that the protocol core (libdnp3.a: src/core, link, transport, app,
# outstation, master, channel, sa) is sans-I/O: it never touches a socket, the
# clock, stdio, threads or malloc (docs/architecture.md, design guide section 1).
#
#  1. `nm -u` on every object of BUILD_DIR/libdnp3.a: each symbol the core uses
#     but does not define itself must be on an allow-list of pure libc
#     functions (memory/string functions, snprintf, math) or compiler and
#     sanitizer runtime symbols. Anything else fails the test and is printed
#     with the object that uses it.
#  2. If arm-none-eabi-gcc is installed: every core source file is compiled for
#     a Cortex-M4 (-mcpu=cortex-m4 -mthumb -Os, newlib headers), its objects get
#     the same symbol check, and the total code size is printed.
#
# Exit status: 0 pass, 1 fail, 77 skip (libdnp3.a not built).
set -euo pipefail

BUILD_DIR=${1:?usage: test_sans_io.sh BUILD_DIR SOURCE_DIR}
SOURCE_DIR=${2:?usage: test_sans_io.sh BUILD_DIR SOURCE_DIR}
LIB="$BUILD_DIR/libdnp3.a"
CORE_DIRS=(core link transport app outstation master channel sa)

if [ ! -f "$LIB" ]; then
  echo "SKIP: $LIB not found (build the dnp3core target first)"
  exit 77
fi

# Pure functions the core may call: no I/O, no allocation, no clock, no threads.
ALLOWED_EXACT=(
  memcpy memmove memset memcmp memchr
  bcmp                                   # clang turns an equality-only memcmp into bcmp
  strlen strnlen strcmp strncmp strchr strrchr
  snprintf vsnprintf
  lround lroundf llround llroundf round roundf trunc truncf floor floorf ceil ceilf
  fabs fabsf fmod fmodf ldexp frexp modf nan nanf isnan isinf isfinite
  __isnan __isnanf __isinf __isinff __finite __finitef
  __stack_chk_fail __stack_chk_guard _GLOBAL_OFFSET_TABLE_
  # glibc's fortified variants of the functions above (-D_FORTIFY_SOURCE)
  __memcpy_chk __memmove_chk __memset_chk __snprintf_chk __vsnprintf_chk
)
# Compiler and sanitizer runtime: ASan/UBSan instrumentation, libgcc/compiler-rt
# helpers (__udivdi3, __popcountsi2, ...), ARM EABI helpers (__aeabi_uldivmod, ...).
ALLOWED_REGEX='^(__asan_|__ubsan_|__sanitizer_|__sancov_|__lsan_|__aeabi_|__gnu_thumb1_case_)|^__[a-z]+(di|si|sf|df|ti)[0-9]$'

is_allowed() {
  local s=$1 a
  for a in "${ALLOWED_EXACT[@]}"; do [ "$s" = "$a" ] && return 0; done
  [[ "$s" =~ $ALLOWED_REGEX ]]
}

# check_symbols <nm> <archive or objects...>: prints offenders, returns 1 if any.
check_symbols() {
  local nm=$1
  shift
  local defined undefined line obj sym bad=0 n=0
  # symbols defined anywhere in the core (calls between its own objects are fine)
  defined=$("$nm" -A --defined-only --format=posix "$@" 2>/dev/null | awk '{print $2}' | sort -u)
  # "<archive>[<object>]: <symbol> U" or "<object>: <symbol> U"
  undefined=$("$nm" -A -u --format=posix "$@" 2>/dev/null | awk '{print $1, $2}' | sort -u)
  while read -r obj sym; do
    [ -n "$sym" ] || continue
    n=$((n + 1))
    grep -qxF -- "$sym" <<<"$defined" && continue
    is_allowed "$sym" && continue
    obj=${obj%:}
    obj=${obj##*[}
    obj=${obj%]}
    obj=${obj##*/}
    printf '  %-28s used by %s\n' "$sym" "$obj"
    bad=1
  done <<<"$undefined"
  return $bad
}

status=0
echo "== nm -u on the objects of $LIB"
nobj=$(ar t "$LIB" | wc -l)
if check_symbols nm "$LIB" >"$BUILD_DIR/sans_io_offenders.txt"; then
  echo "ok: the $nobj objects of libdnp3.a use only pure libc functions"
else
  echo "FAIL: the core uses symbols outside the sans-I/O allow-list"
  echo "      (no malloc/free, sockets, files, clocks, stdio or threads in the core):"
  cat "$BUILD_DIR/sans_io_offenders.txt"
  status=1
fi

if ! command -v arm-none-eabi-gcc >/dev/null 2>&1; then
  echo "== arm-none-eabi-gcc not installed: bare-metal build check not run"
  exit $status
fi

echo "== bare-metal build: arm-none-eabi-gcc -mcpu=cortex-m4 -mthumb -Os"
ARMDIR="$BUILD_DIR/sans-io-cortex-m4"
rm -rf "$ARMDIR"
mkdir -p "$ARMDIR"
srcs=()
for d in "${CORE_DIRS[@]}"; do
  for f in "$SOURCE_DIR/src/$d"/*.c; do
    [ -f "$f" ] && srcs+=("$f")
  done
done
if [ "${#srcs[@]}" -eq 0 ]; then
  echo "no core sources found under $SOURCE_DIR/src"
  exit 1
fi

objs=()
compile_failed=0
warnings=0
for f in "${srcs[@]}"; do
  rel=${f#"$SOURCE_DIR/src/"}
  o="$ARMDIR/${rel//\//_}.o"
  if ! arm-none-eabi-gcc -mcpu=cortex-m4 -mthumb -Os -std=c11 -specs=nosys.specs \
       -ffunction-sections -fdata-sections -Wall -Wextra \
       -I "$SOURCE_DIR/include" -I "$BUILD_DIR/include" -I "$SOURCE_DIR/src" -c "$f" -o "$o" 2>"$o.log"; then
    echo "FAIL: $rel does not compile for Cortex-M4:"
    cat "$o.log"
    compile_failed=1
    continue
  fi
  if [ -s "$o.log" ]; then
    warnings=$((warnings + $(grep -c 'warning:' "$o.log" || true)))
    cat "$o.log"
  fi
  objs+=("$o")
done
[ "$compile_failed" -eq 0 ] || status=1
echo "compiled ${#objs[@]} of ${#srcs[@]} core source files ($warnings warnings)"

if [ "${#objs[@]}" -gt 0 ]; then
  if check_symbols arm-none-eabi-nm "${objs[@]}" >"$ARMDIR/offenders.txt"; then
    echo "ok: the Cortex-M4 objects use only pure libc functions"
  else
    echo "FAIL: Cortex-M4 objects use symbols outside the allow-list:"
    cat "$ARMDIR/offenders.txt"
    status=1
  fi
  # Sizes per layer and in total (text = code + read-only data such as the CRC
  # and object tables).
  arm-none-eabi-size "${objs[@]}" | awk '
    NR > 1 { n = split($6, p, "/"); layer = p[n]; sub(/_.*/, "", layer); t[layer] += $1 }
    END { for (l in t) printf "  %-16s %7d bytes .text\n", "src/" l, t[l] }' | sort
  total_text=$(arm-none-eabi-size -t "${objs[@]}" | awk '/TOTALS/ { print $1 }')
  echo "Cortex-M4 core .text total: $total_text bytes (-Os, before --gc-sections)"
fi
exit $status
