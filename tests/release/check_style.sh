#!/usr/bin/env bash
# check_style.sh - the source style: clang-format (.clang-format) over every C file in git, and
# clang-tidy (.clang-tidy: bugprone-*, cert-*) over the libraries and the dnp3 command, with the
# compile commands of BUILD_DIR.
#
#   tests/release/check_style.sh BUILD_DIR
#
# Fix formatting with: git ls-files '*.c' '*.h' | xargs clang-format -i
# Exit 0 pass, 1 fail, 77 skipped (clang-format or clang-tidy not installed).
set -uo pipefail
BUILD=$(cd "${1:?usage: check_style.sh BUILD_DIR}" && pwd)
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
command -v clang-format >/dev/null && command -v run-clang-tidy >/dev/null ||
    { echo "skip: clang-format / clang-tidy not installed"; exit 77; }
fail=0

mapfile -t files < <(git ls-files '*.c' '*.h')
unformatted=()
for f in "${files[@]}"; do
    clang-format --dry-run --Werror "$f" >/dev/null 2>&1 || unformatted+=("$f")
done
if [ "${#unformatted[@]}" -eq 0 ]; then
    echo "ok: clang-format: ${#files[@]} files formatted"
else
    echo "FAIL: clang-format: ${#unformatted[@]} of ${#files[@]} files differ from .clang-format:"
    printf '    %s\n' "${unformatted[@]}"
    clang-format "${unformatted[0]}" | diff -u "${unformatted[0]}" - | head -30
    fail=1
fi

[ -f "$BUILD/compile_commands.json" ] || { echo "FAIL: no $BUILD/compile_commands.json"; exit 1; }
log=$(mktemp)
trap 'rm -f "$log"' EXIT
run-clang-tidy -p "$BUILD" -quiet "$ROOT/(src|tools)/" >"$log" 2>&1
findings=$(sed 's/\x1b\[[0-9;]*m//g' "$log" | grep -E ': (error|warning): ' | sort -u)
if [ -z "$findings" ]; then
    echo "ok: clang-tidy: src/ and tools/ clean ($(grep -c '^clang-tidy' "$log") files)"
else
    echo "FAIL: clang-tidy: $(wc -l <<<"$findings") findings:"
    echo "$findings" | head -60
    fail=1
fi
[ "$fail" -eq 0 ]
