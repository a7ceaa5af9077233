#!/usr/bin/env bash
# check_packages.sh - the .deb packages as a user meets them.
#
#   tests/release/check_packages.sh BUILD_DIR
#
# Builds the packages with CPack (libdnp3-1, libdnp3-dev, dnp3-tools; cmake/Dnp3Package.cmake),
# checks their contents and dependencies, installs them with `apt-get install ./*.deb`, builds
# examples/outstation against /usr with pkg-config, runs the installed `dnp3 --version`, finds
# the man page with `man -w dnp3`, and removes the packages again: the machine is left as it
# was found (the test refuses to run if any of the packages is already installed).
# Needs root (apt-get); exit 77 (skipped) otherwise.
set -uo pipefail
BUILD=$(cd "${1:?usage: check_packages.sh BUILD_DIR}" && pwd)
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
PKGS=(libdnp3-1 libdnp3-dev dnp3-tools)
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok: $*"; }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

[ "$(id -u)" -eq 0 ] || { echo "skip: installing packages needs root"; exit 77; }
command -v cpack >/dev/null && command -v apt-get >/dev/null || { echo "skip: cpack or apt-get missing"; exit 77; }
for p in "${PKGS[@]}"; do
    if dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
        echo "FAIL: $p is already installed; remove it first (this test leaves the machine as it found it)"
        exit 1
    fi
done

work=$(mktemp -d "${TMPDIR:-/tmp}/check_packages.XXXXXX")
installed=0
cleanup() {
    if [ "$installed" = 1 ]; then
        DEBIAN_FRONTEND=noninteractive apt-get purge -y -q "${PKGS[@]}" >"$work/purge.log" 2>&1 ||
            { echo "FAIL: apt-get purge"; cat "$work/purge.log"; }
    fi
    rm -rf "$work"
}
trap cleanup EXIT

(cd "$BUILD" && cpack -G DEB -B "$work/debs") >"$work/cpack.log" 2>&1 || { cat "$work/cpack.log"; bad "cpack"; exit 1; }
shopt -s nullglob
debs=("$work"/debs/*.deb)
[ "${#debs[@]}" -eq 3 ] && ok "cpack made ${#debs[@]} packages: $(cd "$work/debs" && echo *.deb)" ||
    bad "cpack made ${#debs[@]} packages, want 3"

contents() { dpkg-deb -c "$work"/debs/"$1"_*.deb | awk '{print $6}'; }
field() { dpkg-deb -f "$work"/debs/"$1"_*.deb "$2"; }
has() { # has PACKAGE PATTERN: a file of PACKAGE matches PATTERN (grep -E)
    if grep -qE "$2" <<<"$(contents "$1")"; then ok "$1 has $2"; else bad "$1 lacks $2"; fi
}
lacks() {
    if grep -qE "$2" <<<"$(contents "$1")"; then bad "$1 has $2"; else ok "$1 has no $2"; fi
}
has libdnp3-1 '/usr/lib/.*libdnp3\.so\.1$'
has libdnp3-1 '/usr/lib/.*libdnp3io\.so\.1\.'
has libdnp3-1 '/usr/lib/.*libdnp3crypto\.so\.1$'
has libdnp3-1 '/usr/lib/.*libdnp3decode\.so\.1$'
has libdnp3-dev '/usr/include/dnp3/decode\.h$'
lacks libdnp3-1 '\.h$|\.a$|/bin/'
has libdnp3-dev '/usr/include/dnp3/outstation\.h$'
has libdnp3-dev '/usr/include/dnp3/version\.h$'
has libdnp3-dev '/usr/lib/.*libdnp3\.a$'
has libdnp3-dev '/usr/lib/.*libdnp3\.so$'
has libdnp3-dev '/usr/lib/.*pkgconfig/dnp3-io\.pc$'
has libdnp3-dev '/usr/lib/.*cmake/dnp3/dnp3Config\.cmake$'
has dnp3-tools '/usr/bin/dnp3$'
has dnp3-tools '/usr/share/man/man1/dnp3\.1'
for dep in libuv1 libssl3 libpcap0.8; do
    field libdnp3-1 Depends | grep -qw "$dep" && ok "libdnp3-1 depends on $dep" || bad "libdnp3-1 does not depend on $dep"
done
for dep in libuv1 libssl3 libyaml-0-2 libpcap0.8 libsqlite3-0 libpq5 libmosquitto1 libprotobuf-c1; do
    field dnp3-tools Depends | grep -qw "$dep" && ok "dnp3-tools depends on $dep" || bad "dnp3-tools does not depend on $dep"
done
field libdnp3-dev Depends | grep -q "libdnp3-1 (= " && ok "libdnp3-dev depends on the same libdnp3-1" ||
    bad "libdnp3-dev does not depend on libdnp3-1 (= version)"

installed=1
if DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${debs[@]}" >"$work/install.log" 2>&1; then
    ok "apt-get install ./*.deb"
else
    cat "$work/install.log"
    bad "apt-get install ./*.deb"
    exit 1
fi

version=$(sed -nE 's/^project\(libdnp3 VERSION ([0-9.]+).*/\1/p' "$ROOT/CMakeLists.txt")
out=$(/usr/bin/dnp3 --version 2>&1)
[ "$out" = "dnp3 $version (libdnp3 $version)" ] && ok "dnp3 --version: $out" || bad "dnp3 --version: '$out', want $version"
man -w dnp3 >"$work/man" 2>&1 && ok "man -w dnp3: $(cat "$work/man")" || bad "man -w dnp3: $(cat "$work/man")"
[ "$(pkg-config --modversion dnp3-io 2>&1)" = "$version" ] && ok "pkg-config --modversion dnp3-io" ||
    bad "pkg-config --modversion dnp3-io: $(pkg-config --modversion dnp3-io 2>&1)"

# examples/outstation built against the installed package, linked to /usr's shared libraries
if cc -Wall -Werror -o "$work/outstation" "$ROOT"/examples/outstation/*.c \
      $(pkg-config --cflags --libs dnp3-io) >"$work/cc.log" 2>&1; then
    ok "examples/outstation builds with pkg-config against /usr"
    # the library the loader picks, with /lib -> /usr/lib (merged /usr) resolved
    lib=$(ldd "$work/outstation" | sed -n 's/.*libdnp3io\.so\.1 => \([^ ]*\) .*/\1/p')
    if [ -n "$lib" ] && [[ "$(readlink -f "$lib")" == /usr/lib/* ]]; then
        ok "examples/outstation runs with /usr's libdnp3io.so.1"
    else
        bad "examples/outstation does not use /usr's libdnp3io.so.1: $(ldd "$work/outstation")"
    fi
else
    cat "$work/cc.log"
    bad "examples/outstation does not build against /usr"
fi
echo "check_packages: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
