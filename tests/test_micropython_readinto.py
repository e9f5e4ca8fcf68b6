"""readinto()'s direct path on the real MicroPython unix port (issue 9).

In the middle of a Content-Length body readinto() hands the caller's buffer
to the stream's own readinto with what is left of the body as the limit, and
keeps `length` as its one count. These tests hold what that path must keep:
`length` reads right after every call, no byte past Content-Length is taken
(the next response on the connection still parses), a body that stalls
still times out or ends in IncompleteRead, and a Content-Length beyond a
machine word does not reach the stream's readinto.

Each runs on the x64 interpreter, the 32-bit one and 1.22.2 (the oldest
release claimed) when present.
"""

import os
import time

import pytest

from mp_helpers import MICROPYTHON, MICROPYTHON_I386, lines, run_mp

INTERPRETERS = [pytest.param(MICROPYTHON, id="x64")] + (
    [pytest.param(MICROPYTHON_I386, id="i386")] if MICROPYTHON_I386 else []) + (
    [pytest.param(MICROPYTHON_I386 + "-1.22.2", id="i386-1.22.2")]
    if MICROPYTHON_I386 and os.path.exists(MICROPYTHON_I386 + "-1.22.2") else [])

BODY = bytes(i % 251 for i in range(10000))

READ_ALL = """
import microhttplib
def read_all(r, size):
    buf = bytearray(size)
    data = bytearray()
    lengths_ok = True
    while True:
        k = r.readinto(buf)
        if not k:
            break
        data += buf[:k]
        lengths_ok = lengths_ok and r.length == LENGTH - len(data)
    return bytes(data), lengths_ok
"""


def _pieces(conn, body, extra=b""):
    # The body in pieces with pauses: readinto finds the stream empty at times.
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body) + body[:3000])
    for pos in range(3000, len(body), 2500):
        time.sleep(0.02)
        conn.sendall(body[pos:pos + 2500] + (extra if pos + 2500 >= len(body) else b""))


@pytest.mark.parametrize("interpreter", INTERPRETERS)
def test_length_and_kept_alive_connection_after_a_direct_body(scripted, interpreter):
    def script(server, conn):
        server.read_request(conn)
        _pieces(conn, BODY)
        server.read_request(conn)
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nnext")

    srv = scripted(script)
    out = run_mp(READ_ALL + """
c = microhttplib.HTTPConnection(HOST, PORT, timeout=5)
c.request('GET', '/')
r = c.getresponse()
data, lengths_ok = read_all(r, 1024)
print(data == BODY, lengths_ok, r.length, r.isclosed(), r.readinto(bytearray(8)))
c.request('GET', '/')
r = c.getresponse()
print(r.read())
""", tree="mpy", interpreter=interpreter, HOST=srv.host, PORT=srv.port, BODY=BODY,
        LENGTH=len(BODY))
    assert lines(out) == ["True True 0 True 0", "b'next'"]
    assert srv.connections == 1


@pytest.mark.parametrize("interpreter", INTERPRETERS)
def test_no_byte_past_content_length(scripted, interpreter):
    # Bytes after the body that nobody asked for stay in the socket: the body
    # is exactly Content-Length long, and the connection is not reused.
    def script(server, conn):
        if server.connections == 1:
            server.read_request(conn)
            _pieces(conn, BODY, extra=b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nbad")
            time.sleep(1)
        else:
            server.read_request(conn)
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\ngood")

    srv = scripted(script)
    out = run_mp(READ_ALL + """
c = microhttplib.HTTPConnection(HOST, PORT, timeout=5)
c.request('GET', '/')
data, lengths_ok = read_all(c.getresponse(), 4096)
print(len(data), data == BODY, lengths_ok)
c.request('GET', '/')
print(c.getresponse().read())
""", tree="mpy", interpreter=interpreter, HOST=srv.host, PORT=srv.port, BODY=BODY,
        LENGTH=len(BODY))
    assert lines(out) == ["%d True True" % len(BODY), "b'good'"]
    assert srv.connections == 2


@pytest.mark.parametrize("interpreter", INTERPRETERS)
def test_content_length_beyond_a_machine_word(scripted, interpreter):
    # 2**32 + 10 is a long int on a 32-bit board, which MicroPython 1.22's
    # readinto(buf, n) refuses with OverflowError: such a body is read
    # through the buffer until what is left is a small int.
    big = 2 ** 32 + 10

    def script(server, conn):
        server.read_request(conn)
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % big + BODY[:3000])
        time.sleep(0.05)
        conn.sendall(BODY[3000:])
        conn.close()

    srv = scripted(script)
    out = run_mp(READ_ALL + """
c = microhttplib.HTTPConnection(HOST, PORT, timeout=5)
c.request('GET', '/')
r = c.getresponse()
got = 0
buf = bytearray(1024)
try:
    while True:
        k = r.readinto(buf)
        if not k:
            break
        got += k
    print('no error', got)
except Exception as e:
    print(type(e).__name__, isinstance(e, microhttplib.HTTPException), got, r.length == LENGTH - got)
""", tree="mpy", interpreter=interpreter, HOST=srv.host, PORT=srv.port, LENGTH=big)
    assert lines(out) == ["IncompleteRead True %d True" % len(BODY)]
