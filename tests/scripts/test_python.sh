#!/usr/bin/env bash
# test_python.sh BUILD_DIR SOURCE_DIR - the Python package (python/dnp3) on the built libdnp3:
# pytest python/tests with DNP3_LIBRARY=BUILD/libdnp3.so.1 and the built `dnp3` first on PATH.
# Skips (77) when no python3 with cffi and pytest is installed, and under ASan builds: the
# sanitizer runtime would have to be preloaded into python, which does not work reliably.
set -uo pipefail
BUILD=$(cd "$1" && pwd)
SRC=$(cd "$2" && pwd)
[ -e "$BUILD/libdnp3.so.1" ] || { echo "skip: $BUILD/libdnp3.so.1 not built (shared libraries off?)"; exit 77; }
deps=$(ldd "$BUILD/dnp3" 2>/dev/null; ldd "$BUILD/libdnp3.so.1" 2>/dev/null) || true
if grep -q libasan <<<"$deps"; then
    echo "skip: ASan build (the sanitizer runtime cannot be preloaded into python reliably)"
    exit 77
fi
PY=
for p in python3 /usr/bin/python3; do
    if command -v "$p" >/dev/null && "$p" -c 'import cffi, pytest' 2>/dev/null; then PY=$p; break; fi
done
[ -n "$PY" ] || { echo "skip: no python3 with cffi and pytest (Debian: python3-cffi python3-pytest)"; exit 77; }
export DNP3_LIBRARY=$BUILD/libdnp3.so.1 DNP3_BUILD_DIR=$BUILD DNP3_SOURCE_DIR=$SRC
export PATH=$BUILD:$PATH PYTHONPATH=$SRC/python${PYTHONPATH:+:$PYTHONPATH} PYTHONDONTWRITEBYTECODE=1
cd "$SRC/python" || exit 1
exec "$PY" -m pytest -q -p no:cacheprovider tests
