#!/usr/bin/env bash
# test_docs.sh - the API reference builds from the public headers without a
# single Doxygen warning: every public function, type, struct field, enum
# value and macro of include/dnp3 is documented, and no comment is malformed
# (docs/Doxyfile sets WARN_IF_UNDOCUMENTED, WARN_IF_DOC_ERROR and
# WARN_AS_ERROR = FAIL_ON_WARNINGS).
#
# Runs doxygen with docs/Doxyfile into a temporary directory, reading the
# generated BUILD_DIR/include/dnp3/version.h when it exists (else the template
# include/dnp3/version.h.in), prints every warning and fails if there is one.
# Exit 77 (skipped) when doxygen is not installed.
# Usage: test_docs.sh BUILD_DIR SOURCE_DIR
set -uo pipefail
BUILD=$1
SRC=$2

if ! command -v doxygen >/dev/null 2>&1; then
    echo "SKIP: doxygen is not installed (scripts/deps installs it)"
    exit 77
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

{
    cat "$SRC/docs/Doxyfile"
    echo "OUTPUT_DIRECTORY = $tmp"
    echo "WARN_LOGFILE = $tmp/warnings.log"
    if [ -f "$BUILD/include/dnp3/version.h" ]; then
        # the generated header instead of its template
        echo "FILE_PATTERNS = *.h"
        echo "INPUT = $SRC/include/dnp3 $BUILD/include/dnp3/version.h"
    else
        echo "INPUT = $SRC/include/dnp3"
    fi
    echo "INCLUDE_PATH = $SRC/include $BUILD/include"
} > "$tmp/Doxyfile"

(cd "$SRC" && doxygen "$tmp/Doxyfile") > "$tmp/doxygen.out" 2>&1
rc=$?

warnings=0
[ -s "$tmp/warnings.log" ] && warnings=$(grep -c . "$tmp/warnings.log")

if [ "$rc" -ne 0 ] || [ "$warnings" -ne 0 ]; then
    [ -s "$tmp/warnings.log" ] && cat "$tmp/warnings.log"
    # anything doxygen printed besides the log (e.g. a configuration error)
    [ -s "$tmp/doxygen.out" ] && cat "$tmp/doxygen.out"
    echo "FAIL: doxygen exited with $rc and $warnings warning line(s)"
    exit 1
fi

if [ ! -f "$tmp/html/index.html" ]; then
    echo "FAIL: no HTML was generated"
    exit 1
fi

pages=$(find "$tmp/html" -name '*.html' | wc -l)
echo "PASS: API reference generated without warnings ($pages HTML pages)"
exit 0
