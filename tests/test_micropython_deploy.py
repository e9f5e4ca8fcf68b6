"""Board packaging and deployment, end to end on a pseudo-board.

- package.json (mip): every listed source exists and every core /
  MicroPython-port file is listed; the modem port has its own manifest.
- ``make mpy``'s build: every module cross-compiles and imports from .mpy.
- ``make deploy`` (tools/build_mpy.py --deploy) and ``mpremote mip install``
  against the unix MicroPython REPL served on a pty by tools/pty_bridge.py,
  then a real request from that "board" through ``mpremote exec`` to a
  loopback server.  The board's root is a temp dir: ``:lib`` there is
  ``<tmp>/fs/lib``, nothing outside it is touched.
"""

import glob
import json
import os
import subprocess
import sys

import pytest

from mp_helpers import ROOT, build_dir, lines, require_micropython, run_mp, run_mp_proc, tool

sys.path.insert(0, os.path.join(ROOT, "tools"))
import build_mpy  # noqa: E402

MPREMOTE = tool("mpremote")


def load(name):
    with open(os.path.join(ROOT, name)) as f:
        return json.load(f)


def board_sources(*patterns):
    out = set()
    for pattern in patterns:
        out.update(os.path.relpath(p, ROOT) for p in glob.glob(os.path.join(ROOT, pattern)))
    return out


# ----------------------------------------------------------- package.json

def test_package_json_lists_existing_files_under_microhttplib():
    for manifest in ("package.json", "package-serial_modem.json"):
        doc = load(manifest)
        assert doc["version"] and doc["deps"] == []
        for dest, src in doc["urls"]:
            assert os.path.isfile(os.path.join(ROOT, src)), (manifest, src)
            assert dest.startswith("microhttplib/") and dest.endswith(".py")
            # the destination mirrors the package mapping of pyproject.toml
            if src.startswith("core/"):
                assert dest == "microhttplib/" + src[len("core/"):]
            else:
                assert dest == "microhttplib/" + src


def test_package_json_lists_every_core_and_micropython_port_file():
    listed = {src for _, src in load("package.json")["urls"]}
    expected = board_sources("core/*.py", "core/**/*.py", "ports/__init__.py",
                             "ports/micropython/*.py")
    # the command-line tool (python -m microhttplib) stays on CPython
    cli = "core/__main__.py"
    if cli in expected:
        assert build_mpy.cpython_only_reason(os.path.join(ROOT, cli))
        expected.discard(cli)
    # and so do the core modules only CPython imports
    expected -= {"core/" + name for name in build_mpy.CPYTHON_ONLY_CORE}
    assert expected - listed == set(), "missing from package.json"
    assert listed - expected == set(), "package.json lists something else"
    assert not any("cpython" in src or "serial_modem" in src for src in listed)


def test_modem_manifest_lists_the_board_side_of_the_modem_port():
    listed = {src for _, src in load("package-serial_modem.json")["urls"]}
    on_disk = board_sources("ports/serial_modem/*.py")
    cpython_only = {p for p in on_disk if build_mpy.cpython_only_reason(os.path.join(ROOT, p))}
    assert listed == on_disk - cpython_only
    assert listed  # the modem port has board files


def test_manifests_are_up_to_date_with_the_build_script():
    # `python tools/build_mpy.py --package-json` regenerates both files.
    for manifest, doc in build_mpy.package_manifests().items():
        with open(os.path.join(ROOT, manifest)) as f:
            assert f.read() == build_mpy.manifest_text(doc), manifest


# ------------------------------------------------------------------ build

def test_mpy_build_layout_and_import():
    out = build_dir()
    mpys = sorted(os.path.relpath(p, os.path.join(out, "mpy", "lib"))
                  for p in glob.glob(os.path.join(out, "mpy", "lib", "**", "*.mpy"),
                                     recursive=True))
    pys = sorted(os.path.relpath(p, os.path.join(out, "mp", "lib"))
                 for p in glob.glob(os.path.join(out, "mp", "lib", "**", "*.py"), recursive=True))
    # the same modules, plus the one the .mpy tree merges what a request loads
    # into, the error messages of the others and the relocated ones (their old
    # names stay as stubs)
    built = ["microhttplib/%s" % build_mpy.MERGED_NAME, "microhttplib/%s" % build_mpy.TEXTS_NAME] \
        + list(build_mpy.RELOCATED.values())
    assert [p[:-4] for p in mpys] == sorted([p[:-3] for p in pys] + built)
    assert "microhttplib/__init__.mpy" in mpys
    assert "microhttplib/ports/micropython/transport.mpy" in mpys
    assert not any("cpython" in p or "emulator" in p for p in mpys)
    # every module imports from the .mpy tree (and only .mpy files are there)
    modules = [p[:-4].replace("/", ".").replace(".__init__", "") for p in mpys]
    out_text = run_mp("""
import sys
for name in MODULES:
    __import__(name)
    print(name, sys.modules[name].__file__.endswith('.mpy'))
""", tree="mpy", MODULES=modules)
    assert lines(out_text) == ["%s True" % m for m in modules]


def test_emulator_is_skipped_as_cpython_only():
    path = os.path.join(ROOT, "ports", "serial_modem", "emulator")
    if not os.path.isdir(path):
        pytest.fail("expected the serial modem emulator package at %s" % path)
    assert build_mpy.cpython_only_reason(os.path.join(path, "engine.py"))
    files, skipped, warnings = build_mpy.collect()
    assert "ports/serial_modem/emulator" in [s for s, _ in skipped]
    assert not any("/emulator/" in src for src, _ in files)
    assert warnings == []  # no core file imports a CPython-only module
    cpython_core = {"core/__main__.py"} | {"core/" + n for n in build_mpy.CPYTHON_ONLY_CORE}
    assert not any(s.startswith("core/") and s not in cpython_core for s, _ in skipped)


def test_make_targets_call_the_build_script():
    r = subprocess.run(["make", "-n", "mpy", "deploy", "PORT=/dev/ttyTEST", "DEST=lib"],
                       cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert "tools/build_mpy.py" in r.stdout
    assert "--deploy /dev/ttyTEST --dest lib" in r.stdout


@pytest.mark.parametrize("dest", ["lib", "flash/lib", "ABS/flash/lib", "ABS/lib/"])
def test_deploy_prepare_script_makes_the_destination(tmp_path, dest):
    # The script mpremote runs on the board before `fs cp -r`: if dest did
    # not exist, cp would copy the package's *contents* into dest.
    root = tmp_path / "board"
    root.mkdir()
    dest = dest.replace("ABS", str(root))
    old = os.path.join(root, dest.rstrip("/"), "microhttplib")
    os.makedirs(os.path.join(old, "ports"), exist_ok=True)
    with open(os.path.join(old, "ports", "stale.py"), "w") as f:
        f.write("x = 1\n")
    clean = dest.rstrip("/") or "/"
    script = build_mpy.PREPARE.format(pkg=clean + "/microhttplib", dest=clean)
    r = subprocess.run([require_micropython(), "-c", script], cwd=root, capture_output=True,
                       text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    target = os.path.join(root, clean)
    assert os.path.isdir(target)
    assert os.listdir(target) == []  # the old package is gone, dest is kept


# --------------------------------------------------------- pseudo-board

@pytest.fixture
def board(tmp_path):
    """The unix REPL on a pty: yields (tty path, board root)."""
    link = str(tmp_path / "tty")
    root = tmp_path / "fs"
    proc = subprocess.Popen(
        [sys.executable, os.path.join(ROOT, "tools", "pty_bridge.py"), "--link", link,
         "--root", str(root), "--micropython", require_micropython()],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    ready = proc.stdout.readline()
    if not ready.startswith("READY"):
        proc.kill()
        pytest.fail("pty bridge did not start: %r %s" % (ready, proc.stderr.read()))
    yield link, root
    proc.terminate()
    proc.wait(timeout=5)


def mpremote(tty, *args, timeout=60):
    r = subprocess.run([MPREMOTE, "connect", tty, "resume"] + list(args),
                       capture_output=True, text=True, timeout=timeout)
    assert r.returncode == 0, "mpremote %s failed:\n%s%s" % (args, r.stdout, r.stderr)
    return r.stdout


REQUEST = """
import microhttplib as httplib
c = httplib.HTTPConnection(%r, %d, timeout=5)
c.request('GET', '/index.html')
r = c.getresponse()
b = r.read()
print('BOARD', r.status, len(b), b[:15])
import microhttplib.connection as m
print('FROM', m.__file__)
"""


def test_deploy_to_a_pty_board_then_request(board, http_server):
    tty, root = board
    # an old install with a stale .py that would shadow the new .mpy
    stale = root / "lib" / "microhttplib"
    stale.mkdir(parents=True)
    (stale / "connection.py").write_text("raise ImportError('stale copy')\n")
    r = subprocess.run(
        [sys.executable, os.path.join(ROOT, "tools", "build_mpy.py"), "--out", build_dir(),
         "--no-build", "--no-verify", "--mpremote", MPREMOTE, "--deploy", tty, "--dest", "lib"],
        capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "microhttplib installed: lib/microhttplib/ports/micropython/__init__.mpy" in r.stdout
    installed = sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())
    assert "lib/microhttplib/connection.mpy" in installed
    assert not any(p.endswith(".py") for p in installed)  # the stale .py is gone
    assert all(p.startswith("lib/microhttplib/") for p in installed)
    out = mpremote(tty, "exec", REQUEST % (http_server.host, int(http_server.port)))
    assert "BOARD 200 167 b'<!doctype html>'" in out
    assert "FROM lib/microhttplib/connection.mpy" in out


def test_deploy_to_a_fresh_board_with_a_nested_absolute_dest(board, http_server):
    tty, root = board
    dest = str(root / "flash" / "lib")  # absolute on the unix port's VFS
    r = subprocess.run(
        [sys.executable, os.path.join(ROOT, "tools", "build_mpy.py"), "--out", build_dir(),
         "--no-build", "--no-verify", "--mpremote", MPREMOTE, "--deploy", tty, "--dest", dest],
        capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    assert (root / "flash" / "lib" / "microhttplib" / "__init__.mpy").is_file()
    assert (root / "flash" / "lib" / "microhttplib" / "ports" / "micropython"
            / "transport.mpy").is_file()


def test_mip_install_from_package_json_then_request(board, http_server):
    tty, root = board
    out = mpremote(tty, "mip", "install", "--target", "lib",
                   os.path.join(ROOT, "package.json"))
    listed = load("package.json")["urls"]
    for dest, _ in listed:
        assert (root / "lib" / dest).is_file(), dest
    out = mpremote(tty, "exec", REQUEST % (http_server.host, int(http_server.port)))
    assert "BOARD 200 167 b'<!doctype html>'" in out
    assert "FROM lib/microhttplib/connection.py" in out


def test_readme_mip_install_from_a_checkout(board, http_server):
    """README's board install, as written (run in the checkout's root); the
    unix port's lib directory is relative, so --target names it."""
    tty, root = board
    for manifest in ("./package.json", "./package-serial_modem.json"):
        r = subprocess.run([MPREMOTE, "connect", tty, "resume", "mip", "install", "--target", "lib", manifest],
                           capture_output=True, text=True, timeout=120, cwd=ROOT)
        assert r.returncode == 0, r.stdout + r.stderr
    for dest, _ in load("package.json")["urls"] + load("package-serial_modem.json")["urls"]:
        assert (root / "lib" / dest).is_file(), dest
    out = mpremote(tty, "exec", REQUEST % (http_server.host, int(http_server.port))
                   + "from microhttplib.ports.serial_modem import Modem\nprint('MODEM', Modem.__name__)\n")
    assert "BOARD 200 167 b'<!doctype html>'" in out and "MODEM Modem" in out


def test_mpy_tree_tracebacks_name_functions_without_line_numbers():
    # tools/build_mpy.py compiles with mpy-cross -O3 (build_mpy.OPT): no line
    # tables, ~1 KB less heap after a GET. A board's traceback then says
    # "line 1" for every frame of the library, and still names the function.
    assert build_mpy.OPT == 3
    r = run_mp_proc("import microhttplib\n"
                    "microhttplib.HTTPConnection('127.0.0.1', 1, timeout=1).request('GET', '/')\n",
                    tree="mpy")
    frames = [line.strip() for line in (r.stdout + r.stderr).splitlines()
              if 'File "microhttplib._request"' in line]
    assert r.returncode and frames, r.stdout + r.stderr
    assert all(", line 1, in " in line for line in frames), frames
    assert any(line.endswith(", in request") for line in frames), frames


def test_mpy_tree_keeps_const_names_out_of_the_request_module():
    # build_mpy._private_consts: the merged module's public const() names are
    # private consts there (no interned name, no globals slot on a board);
    # the modules they came from still offer them, and a module loaded on
    # first use (chunked.py) gets its own private copy of the value.
    out = run_mp("""
import microhttplib._request as merged
from microhttplib import parser, response  # MicroPython asks the package's __getattr__ first
from microhttplib.parser import CHUNKED
print(sorted(n for n in ('NO_BODY', 'CHUNKED', 'DEFAULT_MAX_LINE') if n in dir(merged)))
print(parser.NO_BODY, CHUNKED, parser.UNTIL_CLOSE, response.DEFAULT_MAX_LINE)
import microhttplib.chunked
print(merged.HTTP_PORT)  # looked up by name by the package: left public
""", tree="mpy")
    assert lines(out) == ["[]", "0 2 3 8192", "80"]
