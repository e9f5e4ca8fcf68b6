"""manifest.py (freezing microhttplib into firmware) lists exactly the board files.

MicroPython's makemanifest executes a manifest with a handful of functions
in its globals, from the manifest's directory, with include()'s keyword
arguments as ``options``.  Its tools/manifestfile.py is not on PyPI, so
this runs manifest.py the same way with recording stand-ins for
``metadata()``/``package()`` and an ``options`` object with manifestfile's
``defaults()`` semantics.  The firmware build itself (i386 unix port with
FROZEN_MANIFEST=manifest.py) is in docs/micropython.md, with its figures.
"""

import os
import re

import pytest

from mp_helpers import ROOT, lib_path


class Options:
    """manifestfile.IncludeOptions: include() kwargs, defaults() fills the rest."""

    def __init__(self, **kwargs):
        self._kwargs = kwargs
        self._defaults = {}

    def defaults(self, **kwargs):
        self._defaults = kwargs

    def __getattr__(self, name):
        return self._kwargs.get(name, self._defaults.get(name))


def run_manifest(**options):
    calls = {"package": [], "metadata": []}

    def package(package_path, files=None, base_path=".", opt=None):
        calls["package"].append((package_path, files, os.path.abspath(base_path), opt))

    def metadata(**kwargs):
        calls["metadata"].append(kwargs)

    path = os.path.join(ROOT, "manifest.py")
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        with open(path) as f:
            exec(f.read(), {"package": package, "metadata": metadata,
                            "options": Options(**options)})
    finally:
        os.chdir(cwd)
    return calls


def board_files(base, with_modem):
    top = os.path.join(base, "microhttplib")
    out = set()
    for dirpath, _, files in os.walk(top):
        rel = os.path.relpath(dirpath, top)
        if "serial_modem" in rel and not with_modem:
            continue
        out.update(os.path.normpath(os.path.join(rel, f)) for f in files if f.endswith(".py"))
    return out


@pytest.mark.parametrize("with_modem", [False, True])
def test_manifest_freezes_the_board_files_as_package_microhttplib(with_modem):
    base = lib_path("frozen")  # tools/build_mpy.py's tree for freezing, as `make mpy` lays it out
    calls = run_manifest(base=base, serial_modem=with_modem)
    [(name, files, base_path, opt)] = calls["package"]
    assert name == "microhttplib" and base_path == base and opt is None
    assert set(files) == board_files(base, with_modem)
    assert "__init__.py" in files and "ports/micropython/transport.py" in files
    assert "_request.py" in files and "_socket.py" in files  # merged and relocated, as for .mpy
    assert any("serial_modem" in f for f in files) == with_modem
    assert not any("emulator" in f or "cpython" in f or f == "__main__.py" for f in files)
    with open(os.path.join(ROOT, "pyproject.toml")) as f:
        version = re.search(r'^version = "([^"]+)"', f.read(), re.M).group(1)
    assert calls["metadata"][0]["version"] == version


def test_manifest_without_a_build_says_to_run_make_mpy(tmp_path):
    with pytest.raises(Exception, match="make mpy"):
        run_manifest(base=str(tmp_path))
