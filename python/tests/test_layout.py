"""The structs declared in dnp3/_ffi.py against the C headers: every size and every field offset.

A tiny C program is generated from the cffi declarations, compiled against include/dnp3 (and the
generated BUILD/include for version.h) and run. Every declared field must be at the header's
offset. The sizes must be equal, except where a header that grew at the end is safe for an older
declaration (a warning then says which fields to add): the size-versioned configurations (the
package passes its own size, the library gives the defaults of the newer fields, see
dnp3._ffi.new_config) and the structs the library hands to callbacks (the package only reads its
fields). Needs a C compiler and the source tree (DNP3_SOURCE_DIR, DNP3_BUILD_DIR, set by
tests/scripts/test_python.sh).
"""
import os
import shutil
import subprocess
import warnings

import pytest

from dnp3._ffi import CHECKED_STRUCTS, ffi


def _fields(name):
    t = ffi.typeof(name)
    return [f for f, _ in t.fields]


# Python allocates these itself, in arrays or inside other structs, with no size field: exact size.
EXACT = {"dnp3_crob", "dnp3_command", "dnp3_os_type_config", "dnp3_os_attributes", "dnp3_sa_user",
         "dnp3_sa_fc_set"}


def _check(tmp_path, headers, structs):
    src = os.environ.get("DNP3_SOURCE_DIR")
    build = os.environ.get("DNP3_BUILD_DIR")
    cc = shutil.which("cc") or shutil.which("gcc")
    if not (src and build and cc):
        pytest.skip("needs DNP3_SOURCE_DIR, DNP3_BUILD_DIR and a C compiler")
    lines = ['#include <stdio.h>', '#include <stddef.h>'] + [f'#include "dnp3/{h}"' for h in headers]
    lines.append('int main(void) {')
    expected = []
    for s in structs:
        lines.append(f'printf("%zu\\n", sizeof({s}));')
        expected.append(f"sizeof({s}) = {ffi.sizeof(s)}")
        for f in _fields(s):
            lines.append(f'printf("%zu\\n", offsetof({s}, {f}));')
            expected.append(f"offsetof({s}, {f}) = {ffi.offsetof(s, f)}")
    lines.append("return 0; }")
    (tmp_path / "layout.c").write_text("\n".join(lines))
    exe = tmp_path / "layout"
    subprocess.run([cc, "-std=c11", f"-I{src}/include", f"-I{build}/include", "-o", str(exe),
                    str(tmp_path / "layout.c")], check=True)
    out = subprocess.run([str(exe)], check=True, capture_output=True, text=True).stdout.split()
    assert len(out) == len(expected)
    wrong, grown = [], []
    for e, v in zip(expected, out):
        what, mine = e.rsplit(" = ", 1)
        if mine == v:
            continue
        name = what[len("sizeof("):-1]
        if what.startswith("sizeof(") and name not in EXACT and int(mine) < int(v):
            grown.append(f"{name}: {v} octets in the header, {mine} declared")
        else:
            wrong.append(f"{what}: header {v}, declared {mine}")
    assert not wrong, "dnp3/_ffi.py does not match the headers: " + "; ".join(wrong)
    if grown:
        warnings.warn("structs grew at the end (compatible; declare the new fields in dnp3/_ffi.py to use "
                      "them): " + "; ".join(grown))


def test_struct_layout_matches_headers(tmp_path):
    _check(tmp_path, ["outstation.h", "master.h", "sa.h", "crypto.h"], CHECKED_STRUCTS)


def test_decoder_options_layout(tmp_path):
    src = os.environ.get("DNP3_SOURCE_DIR", "")
    if not os.path.exists(os.path.join(src, "include", "dnp3", "decode.h")):
        pytest.skip("this source tree has no dnp3/decode.h (the decoder library)")
    _check(tmp_path, ["decode.h"], ["dnp3_decode_options"])


def test_enum_sizes_are_int():
    # enums are declared as int in the cdef: C gives them the size of int on the supported ABIs
    assert ffi.sizeof("dnp3_task_result") == ffi.sizeof("int") == 4
