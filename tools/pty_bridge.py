#!/usr/bin/env python3
"""Serve the unix MicroPython REPL on a pseudo-terminal, like a board's USB
serial port, so mpremote can talk to it (CPython, stdlib only, Linux/macOS).

    python tools/pty_bridge.py --link /tmp/board/tty --root /tmp/board/fs
    mpremote connect /tmp/board/tty resume fs cp -r build/mpy/lib/microhttplib :lib
    mpremote connect /tmp/board/tty resume exec "import microhttplib"

The "board" is ``micropython`` running in ``--root`` (its cwd): the unix
port's filesystem is the host's, so use paths relative to the root
(``:lib``), never ``:/lib``.  sys.path is set like a board's
(``'', '.frozen', 'lib'`` -> ``<root>/lib``).  If micropython exits (Ctrl-D
at the friendly REPL, a soft reset, a crash) it is started again, like a
board rebooting.  ``--link`` is a symlink to the slave side of the pty
(``/dev/pts/N``); the bridge keeps it open so mpremote can connect and
disconnect any number of times.  Prints ``READY <path>`` when serving; stops
on SIGTERM/SIGINT.

Why two ptys: micropython only runs its REPL when stdin is a tty, and
mpremote needs a device path to open; the bridge copies bytes between the
master sides of the two.
"""

import argparse
import os
import select
import signal
import subprocess
import sys
import tty


def spawn(micropython, root, heapsize):
    master, slave = os.openpty()
    tty.setraw(slave)  # no newline translation on the board side
    env = dict(os.environ)
    env["MICROPYPATH"] = ":.frozen:lib"
    env["HOME"] = root
    cmd = [micropython]
    if heapsize:
        cmd += ["-X", "heapsize=" + heapsize]
    proc = subprocess.Popen(
        cmd, stdin=slave, stdout=slave, stderr=slave, cwd=root, env=env,
        start_new_session=True, close_fds=True,
    )
    os.close(slave)
    return proc, master


def serve(link, root, micropython, heapsize=None):
    host_master, host_slave = os.openpty()
    tty.setraw(host_slave)
    tty.setraw(host_master)
    slave_path = os.ttyname(host_slave)
    if os.path.lexists(link):
        os.unlink(link)
    os.symlink(slave_path, link)
    stop = []
    signal.signal(signal.SIGTERM, lambda *a: stop.append(1))
    signal.signal(signal.SIGINT, lambda *a: stop.append(1))
    proc, board = spawn(micropython, root, heapsize)
    print("READY", link, "->", slave_path, flush=True)
    try:
        while not stop:
            try:
                r, _, _ = select.select([host_master, board], [], [], 0.2)
            except InterruptedError:
                continue
            if host_master in r:
                try:
                    data = os.read(host_master, 4096)
                except OSError:
                    data = b""
                if data:
                    os.write(board, data)
            if board in r:
                try:
                    data = os.read(board, 4096)
                except OSError:  # EIO: the board side went away
                    data = b""
                if data:
                    os.write(host_master, data)
                else:
                    proc.kill()
                    proc.wait()
                    os.close(board)
                    proc, board = spawn(micropython, root, heapsize)  # "reboot"
            elif proc.poll() is not None:
                os.close(board)
                proc, board = spawn(micropython, root, heapsize)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        try:
            os.unlink(link)
        except OSError:
            pass


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--link", required=True, help="symlink to create for the pty")
    ap.add_argument("--root", required=True, help="the board's filesystem root (cwd)")
    ap.add_argument("--micropython", default=None, help="unix micropython executable")
    ap.add_argument("--heapsize", default=None, help="e.g. 256K (default: port default)")
    a = ap.parse_args(argv)
    mp = a.micropython or os.path.join(os.path.dirname(sys.executable), "micropython")
    os.makedirs(a.root, exist_ok=True)
    serve(os.path.abspath(a.link), os.path.abspath(a.root), mp, a.heapsize)


if __name__ == "__main__":
    main()
