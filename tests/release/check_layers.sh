#!/usr/bin/env bash
# check_layers.sh - the source files of each library folder call each other without circles.
#
#   tests/release/check_layers.sh BUILD_DIR
#
# For every folder of src/ built into BUILD_DIR (the object files of its libraries), nm gives
# each file's defined and undefined symbols; file A calls file B when A uses a symbol B
# defines. A set of files that call each other in a circle (a strongly connected set of that
# graph) fails the check, except the one known set listed below. In src/master and
# src/outstation the files must moreover sit in the layers their internal header lists
# (master_internal.h, os_internal.h: "  N    file.c   concern"): every call goes to a lower
# layer, and every file of the folder is listed. A file moved, added or made to call upwards
# without the list following fails here.
#
# Exit 0 pass, 1 fail.
set -uo pipefail
BUILD=$(cd "${1:?usage: check_layers.sh BUILD_DIR}" && pwd)
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
exec python3 - "$BUILD" "$ROOT" <<'PY'
import glob, os, re, subprocess, sys

build, root = sys.argv[1], sys.argv[2]
# The one circle left: the runtime's service loop sends through the transports and every
# transport's receive path re-enters it (and TCP, TLS, client and server hand a connection to
# each other). Breaking it would take tables of function pointers that only hide the calls.
KNOWN = {"io": {"io", "io_serial", "io_tcp", "io_tcp_client", "io_tcp_server", "io_tls", "io_udp"}}
LAYERED = {"master": "src/master/master_internal.h", "outstation": "src/outstation/os_internal.h"}

def symbols(obj):
    out = subprocess.run(["nm", obj], capture_output=True, text=True, check=True).stdout
    defined, undefined = set(), set()
    for line in out.splitlines():
        f = line.split()
        if len(f) == 3 and f[1] in "TDBRC":
            defined.add(f[2])
        elif len(f) == 2 and f[0] == "U":
            undefined.add(f[1])
    return defined, undefined

def circles(edges):
    index, low, stack, on, out, n = {}, {}, [], set(), [], [0]
    def visit(v):
        index[v] = low[v] = n[0]; n[0] += 1; stack.append(v); on.add(v)
        for w in sorted(edges[v]):
            if w not in index:
                visit(w); low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = set()
            while True:
                w = stack.pop(); on.discard(w); comp.add(w)
                if w == v: break
            if len(comp) > 1: out.append(comp)
    for v in sorted(edges):
        if v not in index: visit(v)
    return out

def layers(header):
    text = open(os.path.join(root, header)).read()
    found, current = {}, None
    for m in re.finditer(r"^ \*\s+(\d+)?\s+(\w+)\.c\s", text, re.M):
        if m.group(1): current = int(m.group(1))
        if current is not None: found[m.group(2)] = current
    return found

fail = 0
folders = {}
for d in glob.glob(os.path.join(build, "CMakeFiles", "*_objects.dir", "src", "*")):
    folders.setdefault(os.path.basename(d), []).extend(glob.glob(os.path.join(d, "*.c.o")))
if not folders.get("master") or not folders.get("outstation"):
    print("FAIL: no object files of src/master and src/outstation under", build); sys.exit(1)
for folder in sorted(folders):
    syms = {os.path.basename(o)[:-4]: symbols(o) for o in folders[folder]}
    edges = {a: {b for b in syms if b != a and syms[a][1] & syms[b][0]} for a in syms}
    for comp in circles(edges):
        if comp == KNOWN.get(folder): continue
        fail = 1
        print(f"FAIL: src/{folder}: {len(comp)} files call each other in a circle: {' '.join(sorted(comp))}")
        for a in sorted(comp):
            for b in sorted(edges[a] & comp):
                print(f"    {a}.c -> {b}.c: {' '.join(sorted(syms[a][1] & syms[b][0]))}")
    if folder in KNOWN and not any(c == KNOWN[folder] for c in circles(edges)):
        fail = 1
        print(f"FAIL: src/{folder}: the known circle changed; update KNOWN in {sys.argv[0]}")
    if folder in LAYERED:
        layer = layers(LAYERED[folder])
        for a in sorted(edges):
            if a not in layer:
                fail = 1; print(f"FAIL: src/{folder}/{a}.c is not listed in {LAYERED[folder]}"); continue
            for b in sorted(edges[a]):
                if b in layer and layer[b] >= layer[a]:
                    fail = 1
                    print(f"FAIL: src/{folder}/{a}.c (layer {layer[a]}) calls {b}.c (layer {layer[b]}):",
                          " ".join(sorted(syms[a][1] & syms[b][0])))
        gone = sorted(set(layer) - set(edges))
        if gone:
            fail = 1; print(f"FAIL: {LAYERED[folder]} lists files src/{folder} does not build: {' '.join(gone)}")
        if not fail:
            print(f"ok: src/{folder}: {len(edges)} files in {len(set(layer.values()))} layers, every call downwards")
    total = sum(len(e) for e in edges.values())
    print(f"    src/{folder}: {len(edges)} files, {total} calls between files")
print("ok: no circles but the known one" if not fail else "FAIL: see above")
sys.exit(fail)
PY
