"""Resources: long request loops leave no file descriptor, no ResourceWarning
and (on MicroPython) no heap behind; unread responses are drained or dropped.

The loops run against a minimal raw keep-alive server in a *separate
process*, so /proc/self/fd counts only the client's descriptors and the
server does not compete for the test process's GIL.
"""

import gc
import os
import socket
import subprocess
import sys
import time
import warnings

import pytest

import microhttplib as mh
from mp_helpers import lines, run_mp

SERVER = r"""
import socket, sys, threading
BODY = b"x" * 64
served = [0]

def serve(c):
    buf = b""
    try:
        while True:
            while b"\r\n\r\n" not in buf:
                d = c.recv(65536)
                if not d:
                    return
                buf += d
            head, _, buf = buf.partition(b"\r\n\r\n")
            path = head.split(b" ", 2)[1]
            served[0] += 1
            if path == b"/count":
                body = b"%d" % served[0]
            elif path.startswith(b"/big"):
                body = b"b" * int(path[5:])
            elif path.startswith(b"/chunked"):
                c.sendall(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                          b"40\r\n" + BODY + b"\r\n0\r\n\r\n")
                continue
            else:
                body = BODY
            close = path.startswith(b"/close")
            c.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n%s\r\n"
                      % (len(body), b"Connection: close\r\n" if close else b"") + body)
            if close:
                return
    except OSError:
        pass
    finally:
        c.close()

s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 0))
s.listen(128)
print(s.getsockname()[1], flush=True)
while True:
    c, _ = s.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
"""


@pytest.fixture(scope="module")
def raw_server():
    proc = subprocess.Popen([sys.executable, "-c", SERVER], stdout=subprocess.PIPE, text=True)
    try:
        port = int(proc.stdout.readline())
        yield ("127.0.0.1", port)
    finally:
        proc.kill()
        proc.wait()
        proc.stdout.close()


def served(server):
    """Requests the server has answered so far (this one included)."""
    conn = mh.HTTPConnection(*server, timeout=5)
    conn.request("GET", "/count")
    n = int(conn.getresponse().read())
    conn.close()
    return n


def open_fds():
    return set(os.listdir("/proc/self/fd"))


class Leaks:
    """Records ResourceWarnings (warnings as errors would only print them
    from __del__) and the file descriptors opened meanwhile."""

    def __enter__(self):
        gc.collect()
        self.fds = open_fds()
        self._catch = warnings.catch_warnings(record=True)
        self.warnings = self._catch.__enter__()
        warnings.simplefilter("always")
        return self

    def __exit__(self, *exc):
        gc.collect()
        self._catch.__exit__(*exc)
        self.resource_warnings = [w for w in self.warnings
                                  if issubclass(w.category, ResourceWarning)]
        self.new_fds = open_fds() - self.fds
        return False


def test_the_leak_detector_detects_leaks(raw_server):
    with Leaks() as leaks:
        kept = socket.create_connection(raw_server)
        dropped = socket.create_connection(raw_server)
        del dropped
    assert len(leaks.new_fds) == 1 and len(leaks.resource_warnings) == 1
    kept.close()


N_KEEPALIVE = 10000
N_RECONNECT = 10000


@pytest.mark.filterwarnings("error")
def test_10000_keep_alive_requests_leak_nothing(raw_server):
    before = served(raw_server)
    t0 = time.monotonic()
    with Leaks() as leaks:
        conn = mh.HTTPConnection(*raw_server, timeout=5)
        ports = set()
        for i in range(N_KEEPALIVE):
            conn.request("GET", "/ka")
            r = conn.getresponse()
            assert r.read() == b"x" * 64
            ports.add(conn.sock.getsockname()[1])
        conn.close()
    elapsed = time.monotonic() - t0
    assert served(raw_server) - before == N_KEEPALIVE + 1
    assert len(ports) == 1  # one socket served them all
    assert leaks.new_fds == set() and leaks.resource_warnings == []
    assert elapsed < 20, "10,000 requests took %.1f s" % elapsed


@pytest.mark.filterwarnings("error")
def test_reconnecting_requests_leak_nothing(raw_server):
    """Connection: close on every response: each request opens a new socket
    and the response closes it when its body is read."""
    t0 = time.monotonic()
    with Leaks() as leaks:
        conn = mh.HTTPConnection(*raw_server, timeout=5)
        ports = set()
        for i in range(N_RECONNECT):
            conn.request("GET", "/close")
            r = conn.getresponse()
            ports.add(r._buf.sock.getsockname()[1])
            assert r.read() == b"x" * 64 and r.isclosed()
        conn.close()
    assert len(ports) > N_RECONNECT // 2  # new sockets (ports may repeat)
    assert leaks.new_fds == set() and leaks.resource_warnings == []
    assert time.monotonic() - t0 < 20


@pytest.mark.filterwarnings("error")
def test_unfinished_responses_leak_nothing(raw_server):
    """Walking away from kept-alive responses: unread bodies (drained or
    dropped by the next request), responses closed early, conn.close()."""
    with Leaks() as leaks:
        for i in range(300):
            conn = mh.HTTPConnection(*raw_server, timeout=5)
            conn.request("GET", "/ka")
            conn.getresponse()             # small, unread: drained by the next request
            conn.request("GET", "/big/200000")
            conn.getresponse()             # large, unread: socket dropped
            conn.request("GET", "/chunked")
            r = conn.getresponse()
            r.read(3)
            r.close()                      # closed before its end
            conn.request("GET", "/close")
            conn.getresponse().close()     # Connection: close, closed unread
            conn.request("GET", "/big/100000")
            conn.getresponse()             # unread when the connection closes
            conn.close()
    assert leaks.new_fds == set()
    assert leaks.resource_warnings == []


def test_dropped_objects_are_reclaimed_by_the_garbage_collector(raw_server):
    """Documented limit: a Connection: close response dropped unread (it owns
    its socket) and a connection dropped without close() leave the socket to
    the garbage collector. No descriptor outlives gc.collect(); CPython warns
    (ResourceWarning), where http.client is silent for the response."""
    with Leaks() as leaks:
        for i in range(50):
            conn = mh.HTTPConnection(*raw_server, timeout=5)
            conn.request("GET", "/close")
            conn.getresponse()             # unread, dropped
            conn.request("GET", "/ka")
            conn.getresponse().read()
            del conn                       # dropped without close()
    assert leaks.new_fds == set()
    assert len(leaks.resource_warnings) == 100


def test_small_unread_response_is_drained_and_the_socket_reused(raw_server):
    conn = mh.HTTPConnection(*raw_server, timeout=5)
    conn.request("GET", "/ka")
    first = conn.getresponse()
    sock = conn.sock
    conn.request("GET", "/ka")           # drains the unread 64 bytes
    assert conn.sock is sock
    assert first.isclosed() and first.read() == b""
    assert conn.getresponse().read() == b"x" * 64
    conn.close()


def test_large_unread_response_drops_the_socket(raw_server):
    conn = mh.HTTPConnection(*raw_server, timeout=5)
    conn.request("GET", "/big/200000")
    first = conn.getresponse()
    sock = conn.sock
    conn.request("GET", "/ka")
    assert conn.sock is not sock and sock.fileno() == -1
    assert first.isclosed()
    assert conn.getresponse().read() == b"x" * 64
    conn.close()


def test_unread_chunked_response_drops_the_socket(raw_server):
    conn = mh.HTTPConnection(*raw_server, timeout=5)
    conn.request("GET", "/chunked")
    conn.getresponse()
    sock = conn.sock
    conn.request("GET", "/ka")
    assert conn.sock is not sock and sock.fileno() == -1
    assert conn.getresponse().read() == b"x" * 64
    conn.close()


def test_response_closed_early_drops_the_socket(raw_server):
    conn = mh.HTTPConnection(*raw_server, timeout=5)
    conn.request("GET", "/ka")
    r = conn.getresponse()
    assert r.read(10) == b"x" * 10
    sock = conn.sock
    r.close()
    assert sock.fileno() == -1
    conn.request("GET", "/ka")
    assert conn.getresponse().read() == b"x" * 64
    conn.close()


def test_connection_close_closes_an_unread_response(raw_server):
    conn = mh.HTTPConnection(*raw_server, timeout=5)
    conn.request("GET", "/big/200000")
    r = conn.getresponse()
    sock = conn.sock
    conn.close()
    assert sock.fileno() == -1 and r.isclosed() and r.read() == b""


def test_will_close_response_owns_the_socket_until_read(raw_server):
    conn = mh.HTTPConnection(*raw_server, timeout=5)
    conn.request("GET", "/close")
    r = conn.getresponse()
    assert conn.sock is None  # handed to the response
    sock = r._buf.sock
    assert r.fileno() == sock.fileno() >= 0
    assert r.read() == b"x" * 64 and r.isclosed() and sock.fileno() == -1


# ------------------------------------------------------------- MicroPython

MP_HEAP = """
import gc
import microhttplib as httplib

kept = []

def loop(conn, path, n, leak):
    for i in range(n):
        conn.request('GET', path)
        r = conn.getresponse()
        if r.read() != b'x' * 64:
            raise SystemExit('bad body')
        if leak:
            kept.append(r.status)  # the control: a list that grows

def measure(path, n, leak=False):
    conn = httplib.HTTPConnection(HOST, PORT, timeout=5)
    loop(conn, path, 20, False)  # warm up: buffers, imports, interned strings
    gc.collect()
    before = gc.mem_alloc()
    loop(conn, path, n, leak)
    gc.collect()
    after = gc.mem_alloc()
    conn.close()
    return before, after

for path, n, leak in (('/ka', N, False), ('/close', N // 2, False), ('/ka', N, True)):
    before, after = measure(path, n, leak)
    print(path, leak, before, after, after - before)
"""


@pytest.mark.parametrize("tree", ["mp", "mpy"])
def test_micropython_heap_returns_to_baseline(raw_server, tree):
    out = run_mp(MP_HEAP, tree=tree, timeout=120, HOST=raw_server[0], PORT=raw_server[1],
                 N=400)
    results = [line.split() for line in lines(out)]
    assert [r[:2] for r in results] == [["/ka", "False"], ["/close", "False"], ["/ka", "True"]]
    for path, leak, before, after, delta in results[:2]:
        # 400 (200) requests; a leak of even a few bytes per request shows.
        assert abs(int(delta)) <= 256, (path, before, after)
    assert int(results[2][4]) > 1024  # the control leak is seen
