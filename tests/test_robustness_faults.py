"""Faults on a live connection: scripted loopback servers that hang up, stall,
trickle, reset, over-answer or close kept-alive connections.

Every test asserts the exception type and message, and that it came within
the timeout; partial bodies are checked through IncompleteRead.partial.
"""

import itertools
import socket
import struct
import threading
import time

import pytest

import microhttplib as mh

T = 0.5  # the connection timeout of the slow-server tests


def head(length=None, extra=b"", chunked=False):
    h = b"HTTP/1.1 200 OK\r\n" + extra
    if chunked:
        h += b"Transfer-Encoding: chunked\r\n"
    elif length is not None:
        h += b"Content-Length: %d\r\n" % length
    return h + b"\r\n"


def per_connection(*scripts):
    """A script that plays scripts[i] on the i-th connection (the last one repeats)."""
    counter = itertools.count()
    lock = threading.Lock()

    def script(server, conn):
        with lock:
            i = next(counter)
        scripts[min(i, len(scripts) - 1)](server, conn)
    return script


def connect(server, timeout=2.0):
    return mh.HTTPConnection(server.host, server.port, timeout=timeout)


def wait_for(predicate, timeout=2.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.01)
    return predicate()


def rst(conn):
    """Close with SO_LINGER 0: the peer gets a TCP reset."""
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    conn.close()


# ---------------------------------------------------------- hang-ups

def test_server_closes_before_the_status_line(scripted):
    srv = scripted(lambda s, c: s.read_request(c))
    conn = connect(srv)
    conn.request("GET", "/")
    with pytest.raises(mh.RemoteDisconnected) as info:
        conn.getresponse()
    assert str(info.value) == "Remote end closed connection without response"
    assert isinstance(info.value, ConnectionResetError)  # as http.client
    assert conn.sock is None


def test_server_closes_during_the_status_line(scripted):
    def script(s, c):
        s.read_request(c)
        c.sendall(b"HTTP/1.1 20")
    srv = scripted(script)
    conn = connect(srv)
    conn.request("GET", "/")
    with pytest.raises(mh.BadStatusLine) as info:
        conn.getresponse()
    assert str(info.value) == "HTTP/1.1 20" and info.value.line == "HTTP/1.1 20"


def test_server_closes_during_the_headers(scripted):
    def script(s, c):
        s.read_request(c)
        c.sendall(b"HTTP/1.1 200 OK\r\nContent-Le")
    srv = scripted(script)
    conn = connect(srv)
    conn.request("GET", "/")
    with pytest.raises(mh.RemoteDisconnected) as info:
        conn.getresponse()
    assert str(info.value) == "Remote end closed connection in the middle of the headers"


def test_server_closes_during_a_content_length_body(scripted):
    body = bytes(range(40))

    def script(s, c):
        s.read_request(c)
        c.sendall(head(100) + body)
    srv = scripted(script)
    conn = connect(srv)
    conn.request("GET", "/")
    r = conn.getresponse()
    with pytest.raises(mh.IncompleteRead) as info:
        r.read()
    assert info.value.partial == body and info.value.expected == 60
    assert str(info.value) == "IncompleteRead(40 bytes read, 60 more expected)"
    assert r.isclosed() and r.read() == b""


def test_server_closes_during_a_content_length_body_read_in_steps(scripted):
    body = bytes(range(40))

    def script(s, c):
        s.read_request(c)
        c.sendall(head(100) + body)
    srv = scripted(script)
    conn = connect(srv)
    conn.request("GET", "/")
    r = conn.getresponse()
    assert r.read(30) == body[:30]
    with pytest.raises(mh.IncompleteRead) as info:
        r.read(30)
    assert info.value.partial == body[30:]


@pytest.mark.parametrize("tail, partial", [
    (b"5\r\nhello\r\n3\r\nab", b"helloab"),       # inside chunk data
    (b"5\r\nhello\r\n1", b"hello"),               # inside a chunk-size line
    (b"5\r\nhello\r\n", b"hello"),                # between chunks
    (b"5\r\nhello\r\n0\r\n", b"hello"),           # before the end of the trailers
    (b"5\r\nhello\r\n0\r\nX-T: 1", b"hello"),     # inside a trailer line
])
def test_server_closes_during_a_chunked_body(scripted, tail, partial):
    def script(s, c):
        s.read_request(c)
        c.sendall(head(chunked=True))
        time.sleep(0.05)
        c.sendall(tail)
    srv = scripted(script)
    conn = connect(srv)
    conn.request("GET", "/")
    r = conn.getresponse()
    with pytest.raises(mh.IncompleteRead) as info:
        r.read()
    assert info.value.partial == partial
    assert r.isclosed()


def test_until_close_body_ends_cleanly_at_close(scripted):
    def script(s, c):
        s.read_request(c)
        c.sendall(b"HTTP/1.1 200 OK\r\n\r\nuntil the end")
    srv = scripted(script)
    conn = connect(srv)
    conn.request("GET", "/")
    r = conn.getresponse()
    assert r.will_close and r.read() == b"until the end" and r.isclosed()


# ---------------------------------------------------------- slow servers

def trickle(conn, data, delay):
    for i in range(len(data)):
        conn.sendall(data[i:i + 1])
        time.sleep(delay)


def test_one_byte_at_a_time_head_hits_the_head_deadline(scripted):
    """Every receive gets a byte within 0.1 s, but status line + headers
    together must arrive within the connection timeout."""
    def script(s, c):
        s.read_request(c)
        trickle(c, head(5, b"X-Padding: " + b"p" * 40 + b"\r\n") + b"hello", 0.1)
    srv = scripted(script)
    conn = connect(srv, timeout=T)
    conn.request("GET", "/")
    t0 = time.monotonic()
    with pytest.raises(socket.timeout) as info:
        conn.getresponse()
    elapsed = time.monotonic() - t0
    assert str(info.value) == "timed out waiting for the response head"
    assert T * 0.8 <= elapsed < T + 0.5
    assert conn.sock is None


def test_head_deadline_covers_headers_after_a_fast_status_line(scripted):
    def script(s, c):
        s.read_request(c)
        c.sendall(b"HTTP/1.1 200 OK\r\n")
        trickle(c, b"X-Slow: " + b"s" * 30 + b"\r\nContent-Length: 0\r\n\r\n", 0.1)
    srv = scripted(script)
    conn = connect(srv, timeout=T)
    conn.request("GET", "/")
    t0 = time.monotonic()
    with pytest.raises(socket.timeout, match="waiting for the response head"):
        conn.getresponse()
    assert time.monotonic() - t0 < T + 0.5


def test_endless_interim_responses_hit_the_head_deadline(scripted):
    def script(s, c):
        s.read_request(c)
        for _ in range(100):
            c.sendall(b"HTTP/1.1 102 Processing\r\n\r\n")
            time.sleep(0.05)
    srv = scripted(script)
    conn = connect(srv, timeout=T)
    conn.request("GET", "/")
    t0 = time.monotonic()
    with pytest.raises(socket.timeout, match="waiting for the response head"):
        conn.getresponse()
    assert time.monotonic() - t0 < T + 0.5


def test_slow_body_is_bounded_per_receive_not_in_total(scripted):
    """Documented: the body has no overall deadline, each receive has the
    socket timeout. 12 bytes at 0.1 s each take longer than T and succeed."""
    body = b"twelve bytes"

    def script(s, c):
        s.read_request(c)
        c.sendall(head(len(body)))
        trickle(c, body, 0.1)
    srv = scripted(script)
    conn = connect(srv, timeout=T)
    conn.request("GET", "/")
    r = conn.getresponse()
    t0 = time.monotonic()
    assert r.read() == body
    assert time.monotonic() - t0 > T


def test_stalled_body_times_out_per_receive(scripted):
    def script(s, c):
        s.read_request(c)
        c.sendall(head(10) + b"abc")
        time.sleep(3)
    srv = scripted(script)
    conn = connect(srv, timeout=T)
    conn.request("GET", "/")
    r = conn.getresponse()
    assert r.read1(10) == b"abc"  # read1/peek hand out what arrived
    t0 = time.monotonic()
    with pytest.raises(socket.timeout) as info:
        r.read()
    assert str(info.value) == "timed out"
    assert T * 0.8 <= time.monotonic() - t0 < T + 0.5
    assert r.isclosed()  # a broken body never leaves a reusable socket


def test_server_that_never_answers(scripted):
    srv = scripted(lambda s, c: (s.read_request(c), time.sleep(3)))
    conn = connect(srv, timeout=T)
    conn.request("GET", "/")
    t0 = time.monotonic()
    with pytest.raises(socket.timeout, match="waiting for the response head"):
        conn.getresponse()
    assert T * 0.8 <= time.monotonic() - t0 < T + 0.5
    assert conn.sock is None


def test_server_that_never_reads_nor_answers(scripted):
    srv = scripted(lambda s, c: time.sleep(3))
    conn = connect(srv, timeout=T)
    conn.request("GET", "/")
    t0 = time.monotonic()
    with pytest.raises(socket.timeout):
        conn.getresponse()
    assert time.monotonic() - t0 < T + 0.5


def test_connection_refused_is_a_clear_oserror():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    conn = mh.HTTPConnection("127.0.0.1", port, timeout=T)
    with pytest.raises(ConnectionRefusedError):
        conn.request("GET", "/")
    assert conn.sock is None


# ---------------------------------------------------------- resets

def test_reset_instead_of_a_response(scripted):
    def script(s, c):
        s.read_request(c)
        rst(c)
    srv = scripted(script)
    conn = connect(srv)
    conn.request("GET", "/")
    with pytest.raises(ConnectionResetError) as info:
        conn.getresponse()
    assert info.value.errno == 104  # ECONNRESET
    assert conn.sock is None


def test_reset_during_the_body(scripted):
    def script(s, c):
        s.read_request(c)
        c.sendall(head(1000) + b"x" * 100)
        time.sleep(0.1)
        rst(c)
    srv = scripted(script)
    conn = connect(srv)
    conn.request("GET", "/")
    r = conn.getresponse()
    time.sleep(0.2)
    with pytest.raises((ConnectionResetError, mh.IncompleteRead)):
        r.read()
    assert r.isclosed()
    # The same HTTPConnection works again on a new socket.
    srv.script = lambda s, c: (s.read_request(c), c.sendall(head(2) + b"ok"))
    conn.request("GET", "/")
    assert conn.getresponse().read() == b"ok"


# ---------------------------------------------------------- over-answering

def test_two_responses_in_one_segment_drop_the_connection(scripted):
    def first(s, c):
        s.read_request(c)
        c.sendall(head(5) + b"first" + head(6) + b"second")
        s.read_request(c)  # must not come: the client moved to a new connection
        c.sendall(head(8) + b"smuggled")

    def second(s, c):
        s.read_request(c)
        c.sendall(head(5) + b"fresh")
    srv = scripted(per_connection(first, second))
    conn = connect(srv)
    conn.request("GET", "/a")
    assert conn.getresponse().read() == b"first"
    conn.request("GET", "/b")
    assert conn.getresponse().read() == b"fresh"
    assert srv.connections == 2


def test_extra_response_arriving_later_is_not_taken_for_the_next(scripted):
    def first(s, c):
        s.read_request(c)
        c.sendall(head(5) + b"first")
        time.sleep(0.1)
        c.sendall(head(8) + b"unasked!")
        time.sleep(2)

    def second(s, c):
        s.read_request(c)
        c.sendall(head(5) + b"fresh")
    srv = scripted(per_connection(first, second))
    conn = connect(srv)
    conn.request("GET", "/a")
    assert conn.getresponse().read() == b"first"
    time.sleep(0.3)
    conn.request("GET", "/b")
    assert conn.getresponse().read() == b"fresh"
    assert srv.connections == 2


def test_body_longer_than_content_length_drops_the_connection(scripted):
    def first(s, c):
        s.read_request(c)
        c.sendall(head(5) + b"helloEXTRA")
        time.sleep(2)

    def second(s, c):
        s.read_request(c)
        c.sendall(head(5) + b"fresh")
    srv = scripted(per_connection(first, second))
    conn = connect(srv)
    conn.request("GET", "/a")
    assert conn.getresponse().read() == b"hello"
    conn.request("GET", "/b")
    assert conn.getresponse().read() == b"fresh"
    assert srv.connections == 2


# ---------------------------------------------------------- keep-alive closes

def answer_then_close(s, c):
    s.read_request(c)
    c.sendall(head(5) + b"first")


def answer(body):
    def script(s, c):
        s.read_request(c)
        c.sendall(head(len(body)) + body)
    return script


@pytest.mark.parametrize("method, body", [("GET", None), ("POST", b"data")])
def test_kept_alive_connection_closed_while_idle_reconnects_before_sending(scripted, method,
                                                                             body):
    srv = scripted(per_connection(answer_then_close, answer(b"second")))
    conn = connect(srv)
    conn.request("GET", "/1")
    assert conn.getresponse().read() == b"first"
    assert wait_for(lambda: len(srv.requests) == 1 and srv.connections == 1)
    time.sleep(0.1)  # the server's FIN has arrived
    conn.request(method, "/2", body)
    assert conn.getresponse().read() == b"second"
    assert srv.connections == 2 and len(srv.requests) == 2
    assert srv.requests[1].startswith(method.encode() + b" /2 ")


def close_on_second_request(s, c):
    s.read_request(c)
    c.sendall(head(5) + b"first")
    s.read_request(c)  # the request crossed the server's close: no answer


@pytest.mark.parametrize("body", [None, b"bytes body", "str body"])
def test_idempotent_request_is_retried_once_after_a_close_race(scripted, body):
    srv = scripted(per_connection(close_on_second_request, answer(b"retried")))
    conn = connect(srv)
    conn.request("GET", "/1")
    assert conn.getresponse().read() == b"first"
    conn.request("PUT", "/2", body)
    assert conn.getresponse().read() == b"retried"
    assert srv.connections == 2
    assert wait_for(lambda: len(srv.requests) == 3)
    assert srv.requests[1] == srv.requests[2]  # the same request, sent again


def test_post_is_not_retried_after_a_close_race(scripted):
    srv = scripted(per_connection(close_on_second_request, answer(b"must not")))
    conn = connect(srv)
    conn.request("GET", "/1")
    assert conn.getresponse().read() == b"first"
    conn.request("POST", "/2", b"pay once")
    with pytest.raises(mh.RemoteDisconnected) as info:
        conn.getresponse()
    assert str(info.value) == "Remote end closed connection without response"
    time.sleep(0.2)
    assert srv.connections == 1 and len(srv.requests) == 2


def test_streamed_body_is_not_retried(scripted):
    def close_after_chunked_request(s, c):
        s.read_request(c)
        c.sendall(head(5) + b"first")
        data = b""
        while not data.endswith(b"0\r\n\r\n"):  # the whole chunked request
            data += c.recv(65536)
    srv = scripted(per_connection(close_after_chunked_request, answer(b"must not")))
    conn = connect(srv)
    conn.request("GET", "/1")
    assert conn.getresponse().read() == b"first"
    conn.request("PUT", "/2", iter([b"a", b"b"]))  # a generator cannot be sent twice
    with pytest.raises(mh.RemoteDisconnected):
        conn.getresponse()
    time.sleep(0.2)
    assert srv.connections == 1


def test_retry_happens_only_once(scripted):
    def hang_up(s, c):
        s.read_request(c)
    srv = scripted(per_connection(close_on_second_request, hang_up))
    conn = connect(srv)
    conn.request("GET", "/1")
    assert conn.getresponse().read() == b"first"
    conn.request("GET", "/2")
    with pytest.raises(mh.RemoteDisconnected):
        conn.getresponse()
    time.sleep(0.2)
    assert srv.connections == 2


def reset_on_second_request(s, c):
    s.read_request(c)
    c.sendall(head(5) + b"first")
    s.read_request(c)
    rst(c)


def test_idempotent_request_is_retried_once_after_a_reset_on_a_reused_socket(scripted):
    srv = scripted(per_connection(reset_on_second_request, answer(b"retried")))
    conn = connect(srv)
    conn.request("GET", "/1")
    assert conn.getresponse().read() == b"first"
    conn.request("GET", "/2")
    assert conn.getresponse().read() == b"retried"
    assert srv.connections == 2


def test_post_is_not_retried_after_a_reset_on_a_reused_socket(scripted):
    srv = scripted(per_connection(reset_on_second_request, answer(b"must not")))
    conn = connect(srv)
    conn.request("GET", "/1")
    assert conn.getresponse().read() == b"first"
    conn.request("POST", "/2", b"pay once")
    with pytest.raises(ConnectionResetError):
        conn.getresponse()
    time.sleep(0.2)
    assert srv.connections == 1 and len(srv.requests) == 2


def test_first_request_on_a_new_connection_is_not_retried(scripted):
    srv = scripted(lambda s, c: s.read_request(c))
    conn = connect(srv)
    conn.request("GET", "/")
    with pytest.raises(mh.RemoteDisconnected):
        conn.getresponse()
    time.sleep(0.2)
    assert srv.connections == 1


def test_continue_timeout_does_not_become_the_send_timeout(scripted):
    """Expect: 100-continue waits continue_timeout for the 100; the body is
    then sent under the connection timeout, not under continue_timeout."""
    size = 32 << 20

    def script(s, c):
        c.settimeout(5)
        data = b""
        while b"\r\n\r\n" not in data:
            data += c.recv(65536)
        c.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
        time.sleep(1.0)  # a slow consumer: the client's send blocks meanwhile
        got = len(data.partition(b"\r\n\r\n")[2])
        while got < size:
            chunk = c.recv(1 << 20)
            if not chunk:
                break
            got += len(chunk)
        c.sendall(head(len(str(got))) + str(got).encode())
    srv = scripted(script)
    conn = mh.HTTPConnection(srv.host, srv.port, timeout=3, continue_timeout=0.3)
    conn.request("PUT", "/big", b"z" * size, {"Expect": "100-continue"})
    assert conn.getresponse().read() == str(size).encode()


# ---------------------------------------------------------- MicroPython

MP_FAULTS = """
import time
import microhttplib as httplib

def attempt(name, port, timeout=2):
    c = httplib.HTTPConnection(HOST, port, timeout=timeout)
    t0 = time.ticks_ms()
    try:
        c.request('GET', '/')
        r = c.getresponse()
        body = r.read()
        print(name, 'OK', body)
    except httplib.IncompleteRead as e:
        print(name, 'IncompleteRead', e.partial, e.expected)
    except OSError as e:
        print(name, type(e).__name__, e.args[0], repr(e.args[-1]),
              time.ticks_diff(time.ticks_ms(), t0) // 100)
    except httplib.HTTPException as e:
        print(name, type(e).__name__, repr(e.args[0] if e.args else ''))
    c.close()

for name, port in PORTS:
    attempt(name, port, 0.5 if name == 'trickle' else 2)

# Two responses to one request: the second request goes on a new connection.
c = httplib.HTTPConnection(HOST, TWICE, timeout=2)
c.request('GET', '/a')
a = c.getresponse().read()
c.request('GET', '/b')
print('twice', a, c.getresponse().read())
"""


def test_faults_on_micropython(scripted):
    from mp_helpers import lines, run_mp

    def before_status(s, c):
        s.read_request(c)

    def in_headers(s, c):
        s.read_request(c)
        c.sendall(b"HTTP/1.1 200 OK\r\nContent-Le")

    def cl_body(s, c):
        s.read_request(c)
        c.sendall(head(10) + b"abcd")

    def chunked_body(s, c):
        s.read_request(c)
        c.sendall(head(chunked=True) + b"3\r\nabc\r\n4\r\nde")

    def trickle_head(s, c):
        s.read_request(c)
        trickle(c, head(0, b"X-Padding: " + b"p" * 40 + b"\r\n"), 0.1)

    def twice(s, c):
        s.read_request(c)
        c.sendall(head(5) + b"first" + head(6) + b"second")
        s.read_request(c)
    ports = [(name, scripted(script).port) for name, script in [
        ("before", before_status), ("headers", in_headers), ("cl", cl_body),
        ("chunked", chunked_body), ("trickle", trickle_head)]]
    srv_twice = scripted(per_connection(twice, answer(b"fresh")))
    out = lines(run_mp(MP_FAULTS, HOST="127.0.0.1", PORTS=ports, TWICE=srv_twice.port))
    assert out[0] == "before RemoteDisconnected 'Remote end closed connection without response'"
    assert out[1] == ("headers RemoteDisconnected "
                      "'Remote end closed connection in the middle of the headers'")
    assert out[2] == "cl IncompleteRead b'abcd' 6"
    assert out[3] == "chunked IncompleteRead b'abcde' 2"
    assert out[4].startswith("trickle OSError 110 'timed out waiting for the response head' ")
    assert 4 <= int(out[4].rsplit(" ", 1)[1]) <= 9  # ~0.5 s, in tenths
    assert out[5] == "twice b'first' b'fresh'"
    assert srv_twice.connections == 2


# ---------------------------------------------------------- real pieces

@pytest.mark.parametrize("raw, body", [
    (b"HTTP/1.1 200 OK\r\nContent-Length: 11\r\nX-A: 1\r\n\r\nhello world", b"hello world"),
    (b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
     b"5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nTrailer: t\r\n\r\n", b"hello world"),
    (b"HTTP/1.0 200 OK\r\n\r\nhello world", b"hello world"),
])
def test_response_delivered_byte_by_byte_over_a_real_socket(raw, body):
    """The split tests use a fake socket; this is the same over a real one,
    each byte a separate send."""
    ours, theirs = socket.socketpair()

    def writer():
        for i in range(len(raw)):
            theirs.sendall(raw[i:i + 1])
            time.sleep(0.0005)
        theirs.close()
    thread = threading.Thread(target=writer)
    thread.start()
    try:
        ours.settimeout(5)
        r = mh.HTTPResponse(ours)
        r.begin()
        assert r.status == 200
        got = b""
        while True:
            piece = r.read(3)
            if not piece:
                break
            got += piece
        assert got == body
    finally:
        thread.join()
        ours.close()
