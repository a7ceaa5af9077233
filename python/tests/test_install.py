"""`pip install ./python` works offline (no build step, no compiler) and the installed package runs."""
import os
import shutil
import subprocess
import sys

import pytest

import dnp3

SRC = os.path.dirname(os.path.dirname(os.path.abspath(dnp3.__file__)))


def test_pip_install_and_import(tmp_path):
    import importlib.util
    if not (importlib.util.find_spec("pip") and importlib.util.find_spec("setuptools")):
        pytest.skip("pip or setuptools missing")
    src = tmp_path / "src"  # a copy: pip writes build/ and *.egg-info/ next to pyproject.toml
    shutil.copytree(SRC, src, ignore=shutil.ignore_patterns("__pycache__", "build", "*.egg-info", "tests"))
    target = tmp_path / "site"
    r = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-build-isolation", "--no-deps",
                        "--no-index", "--target", str(target), str(src)], capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    assert not list(target.rglob("*.so"))  # pure Python: nothing was compiled
    env = dict(os.environ, PYTHONPATH=str(target))
    r = subprocess.run([sys.executable, "-c", "import dnp3; print(dnp3.__file__, dnp3.version())"], env=env,
                       capture_output=True, text=True, cwd=str(tmp_path))
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith(str(target)) and r.stdout.split()[1] == dnp3.version()
