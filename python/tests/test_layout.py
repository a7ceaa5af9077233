"""The structs declared in dnp3/_ffi.py against the C headers: every size and every field offset.

A tiny C program is generated from the cffi declarations, compiled against include/dnp3 (and the
generated BUILD/include for version.h) and run; any difference fails. Needs a C compiler and the
source tree (DNP3_SOURCE_DIR, DNP3_BUILD_DIR, set by tests/scripts/test_python.sh).
"""
import os
import shutil
import subprocess

import pytest

from dnp3._ffi import CHECKED_STRUCTS, ffi


def _fields(name):
    t = ffi.typeof(name)
    return [f for f, _ in t.fields]


def test_struct_layout_matches_headers(tmp_path):
    src = os.environ.get("DNP3_SOURCE_DIR")
    build = os.environ.get("DNP3_BUILD_DIR")
    cc = shutil.which("cc") or shutil.which("gcc")
    if not (src and build and cc):
        pytest.skip("needs DNP3_SOURCE_DIR, DNP3_BUILD_DIR and a C compiler")
    lines = ['#include <stdio.h>', '#include <stddef.h>', '#include "dnp3/outstation.h"',
             '#include "dnp3/master.h"', '#include "dnp3/sa.h"', '#include "dnp3/crypto.h"', 'int main(void) {']
    expected = []
    for s in CHECKED_STRUCTS:
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
    got = [e.rsplit("= ", 1)[0] + "= " + v for e, v in zip(expected, out)]
    assert len(out) == len(expected)
    assert got == expected


def test_enum_sizes_are_int():
    # enums are declared as int in the cdef: C gives them the size of int on the supported ABIs
    assert ffi.sizeof("dnp3_task_result") == ffi.sizeof("int") == 4
