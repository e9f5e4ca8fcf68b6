"""HTTPConnection against real servers on loopback: the http.client documentation's examples,
keep-alive, chunked, 100-continue, request bodies, debug output, CONNECT tunnels."""

import io
import json
import socket
import time

import pytest

import microhttplib as httplib
from servers import INDEX_HTML, pattern


def test_doc_example_get_then_404_on_one_connection(http_server):
    conn = httplib.HTTPConnection(http_server.host, http_server.port)
    conn.request("GET", "/index.html")
    r1 = conn.getresponse()
    assert (r1.status, r1.reason) == (200, "OK")
    data1 = r1.read()
    assert data1 == INDEX_HTML
    first_socket = conn.sock
    conn.request("GET", "/parrot.spam")
    r2 = conn.getresponse()
    assert (r2.status, r2.reason) == (404, "Not Found")
    assert r2.read() == b"Nobody here but us parrots.\n"
    assert conn.sock is first_socket  # one TCP connection for both
    conn.close()


def test_doc_example_read_in_chunks(http_server):
    conn = httplib.HTTPConnection(http_server.host, http_server.port)
    conn.request("GET", "/index.html")
    r1 = conn.getresponse()
    parts = []
    while True:
        chunk = r1.read(20)
        if not chunk:
            break
        parts.append(chunk)
    assert b"".join(parts) == INDEX_HTML and len(parts[0]) == 20


def test_doc_example_head(http_server):
    conn = httplib.HTTPConnection(http_server.host, http_server.port)
    conn.request("HEAD", "/index.html")
    res = conn.getresponse()
    assert (res.status, res.reason) == (200, "OK")
    data = res.read()
    assert len(data) == 0 and data == b""
    assert res.getheader("Content-Length") == str(len(INDEX_HTML))
    sock = conn.sock
    conn.request("GET", "/index.html")  # HEAD left the connection reusable
    assert conn.getresponse().read() == INDEX_HTML and conn.sock is sock


def test_doc_example_post_form(http_server):
    from urllib.parse import urlencode
    params = urlencode({"@number": 12524, "@type": "issue", "@action": "show"})
    headers = {"Content-type": "application/x-www-form-urlencoded", "Accept": "text/plain"}
    conn = httplib.HTTPConnection(http_server.host, http_server.port)
    conn.request("POST", "", params, headers)
    response = conn.getresponse()
    assert (response.status, response.reason) == (302, "Found")
    data = response.read()
    target = "http://%s:%d/issue12524" % (http_server.host, http_server.port)
    assert data == ('Redirecting to <a href="%s">%s</a>' % (target, target)).encode()
    conn.close()


def test_doc_example_put(http_server):
    body = "***filecontents***"
    conn = httplib.HTTPConnection(http_server.host, http_server.port)
    conn.request("PUT", "/file", body)
    response = conn.getresponse()
    assert (response.status, response.reason) == (200, "OK")
    assert response.getheader("X-Stored-Bytes") == str(len(body))


def test_keep_alive_uses_one_tcp_connection(http_server):
    conn = httplib.HTTPConnection("%s:%d" % (http_server.host, http_server.port))
    ports = set()
    for _ in range(5):
        conn.request("GET", "/peer")
        ports.add(conn.getresponse().read())
    assert len(ports) == 1


def test_chunked_and_large_bodies(http_server):
    conn = httplib.HTTPConnection(http_server.host, http_server.port)
    conn.request("GET", "/chunked/300000")
    resp = conn.getresponse()
    assert resp.chunked and resp.getheader("Transfer-Encoding") == "chunked"
    assert resp.read() == pattern(300000)
    conn.request("GET", "/bytes/1048576")
    resp = conn.getresponse()
    buf = bytearray(8192)
    total = bytearray()
    while True:
        n = resp.readinto(buf)
        if not n:
            break
        total += buf[:n]
    assert total == pattern(1048576)


def test_connection_close_response_then_transparent_reopen(http_server):
    conn = httplib.HTTPConnection(http_server.host, http_server.port)
    conn.request("GET", "/index.html", headers={"Connection": "close"})
    resp = conn.getresponse()
    assert resp.will_close and resp.read() == INDEX_HTML
    assert conn.sock is None
    conn.request("GET", "/index.html")
    assert conn.getresponse().read() == INDEX_HTML


def test_server_closing_idle_keep_alive_socket_is_reopened(scripted):
    """The server answers one request per connection without saying so."""
    def script(server, conn):
        server.read_request(conn)
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
    server = scripted(script)
    conn = httplib.HTTPConnection(server.host, server.port, timeout=5)
    for _ in range(3):
        conn.request("GET", "/")
        assert conn.getresponse().read() == b"ok"
    assert server.connections == 3


def test_unread_response_is_drained_before_the_next_request(http_server):
    conn = httplib.HTTPConnection(http_server.host, http_server.port)
    conn.request("GET", "/peer")
    port = conn.getresponse()  # left unread
    conn.request("GET", "/peer")
    assert conn.getresponse().read() is not None
    conn.request("GET", "/bytes/100")
    conn.getresponse()
    conn.request("GET", "/index.html")
    assert conn.getresponse().read() == INDEX_HTML
    assert port.isclosed()


def test_response_left_by_the_next_request_reads_as_closed(http_server):
    # http.client: a response closed by the next request reads nothing, no error.
    conn = httplib.HTTPConnection(http_server.host, http_server.port)
    conn.request("GET", "/bytes/200000")
    first = conn.getresponse()
    assert first.read(10) == pattern(200000)[:10]
    conn.request("GET", "/index.html")  # too much left to drain: first is closed
    assert first.isclosed()
    assert first.readinto(bytearray(10)) == 0
    assert first.read() == b""
    assert conn.getresponse().read() == INDEX_HTML


def test_request_body_kinds(http_server):
    conn = httplib.HTTPConnection(http_server.host, http_server.port)

    def echo(body, headers={}, **kw):
        conn.request("POST", "/echo", body, headers, **kw)
        return json.loads(conn.getresponse().read())

    doc = echo(b"raw bytes")
    assert doc["body"] == "raw bytes" and doc["headers"]["Content-Length"] == "9"
    doc = echo("caf\xe9")
    assert doc["body"] == "caf\xe9" and doc["headers"]["Content-Length"] == "4"
    doc = echo(io.BytesIO(b"x" * 20000))
    assert doc["body"] == "x" * 20000
    doc = echo(iter([b"one ", b"", b"two"]))
    assert doc["body"] == "one two"
    doc = echo(None)
    assert doc["headers"]["Content-Length"] == "0"
    doc = echo(b"abc", {"Transfer-Encoding": "chunked"}, encode_chunked=True)
    assert doc["body"] == "abc"
    doc = echo(bytearray(b"mv"), {"X-Multi": 5})
    assert doc["headers"]["X-Multi"] == "5"


def test_unknown_length_bodies_are_sent_chunked(scripted):
    def script(server, conn):
        conn.settimeout(5)
        data = b""
        while not data.endswith(b"0\r\n\r\n"):
            data += conn.recv(65536)
        server.requests.append(data)
        # One request per connection: say so, a 204 alone keeps it alive.
        conn.sendall(b"HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n")
    server = scripted(script)
    conn = httplib.HTTPConnection(server.host, server.port, timeout=5, blocksize=4)
    conn.request("POST", "/", iter([b"one ", b"", b"two"]))
    assert conn.getresponse().status == 204
    conn.request("POST", "/", io.BytesIO(b"0123456789"))
    assert conn.getresponse().status == 204
    first, second = server.requests[0], server.requests[1]
    assert b"\r\nTransfer-Encoding: chunked\r\n" in first
    assert first.endswith(b"\r\n\r\n4\r\none \r\n3\r\ntwo\r\n0\r\n\r\n")
    assert second.endswith(b"\r\n\r\n4\r\n0123\r\n4\r\n4567\r\n2\r\n89\r\n0\r\n\r\n")


def test_step_by_step_request(http_server):
    conn = httplib.HTTPConnection(http_server.host, http_server.port)
    conn.putrequest("POST", "/echo")
    conn.putheader("Content-Length", "5")
    conn.putheader("X-List", "a", "b")
    conn.endheaders()
    conn.send(b"he")
    conn.send(b"llo")
    doc = json.loads(conn.getresponse().read())
    assert doc["body"] == "hello" and doc["headers"]["X-List"] == "a, b"
    assert doc["headers"]["Accept-Encoding"] == "identity"
    conn.putrequest("GET", "/echo", skip_host=True, skip_accept_encoding=True)
    conn.putheader("Host", "example.org")
    conn.endheaders(b"")
    doc = json.loads(conn.getresponse().read())
    assert doc["headers"]["Host"] == "example.org" and "Accept-Encoding" not in doc["headers"]


def test_each_request_on_a_kept_alive_connection_sends_exactly_its_own_head(scripted):
    """The connection builds every head in the same buffer: nothing of a
    longer earlier head may reach the next request."""
    def script(server, conn):
        for _ in range(3):
            server.read_request(conn)
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
    server = scripted(script)
    conn = httplib.HTTPConnection(server.host, server.port, timeout=5)
    conn.request("GET", "/first/with/a/longer/path", headers={"X-Long": "v" * 300})
    assert conn.getresponse().read() == b"ok"
    conn.request("GET", "/2")
    assert conn.getresponse().read() == b"ok"
    conn.request("POST", "/3", b"body")
    assert conn.getresponse().read() == b"ok"
    host = "Host: %s:%d" % (server.host, server.port)
    assert server.connections == 1
    assert server.requests == [
        ("GET /first/with/a/longer/path HTTP/1.1\r\n%s\r\nAccept-Encoding: identity\r\n"
         "X-Long: %s\r\n\r\n" % (host, "v" * 300)).encode(),
        ("GET /2 HTTP/1.1\r\n%s\r\nAccept-Encoding: identity\r\n\r\n" % host).encode(),
        ("POST /3 HTTP/1.1\r\n%s\r\nAccept-Encoding: identity\r\nContent-Length: 4\r\n"
         "\r\nbody" % host).encode()]


def test_host_header_forms():
    seen = {}

    class Capture:
        def connect(self, host, port, timeout=None, source_address=None, **kw):
            raise AssertionError("not reached")

    for target, host_header in [("example.com", "example.com"),
                                ("example.com:8080", "example.com:8080"),
                                ("[::1]:8080", "[::1]:8080"), ("[::1]", "[::1]")]:
        conn = httplib.HTTPConnection(target, transport=Capture())
        conn.putrequest("GET", "/")
        seen[target] = bytes(conn._buffer).split(b"\r\n")[1]  # the head so far
        assert seen[target] == b"Host: " + host_header.encode()


def test_invalid_urls_and_ports():
    for bad in ("example.com:abc", "example.com:", "example.com:+80", "example.com:99999"):
        with pytest.raises(httplib.InvalidURL):
            httplib.HTTPConnection(bad)
    conn = httplib.HTTPConnection("example.com", strict=True)
    assert (conn.host, conn.port) == ("example.com", 80)
    with pytest.raises(httplib.InvalidURL):
        conn.putrequest("GET", "/a b")


def test_request_injection_refused_before_sending(scripted):
    server = scripted(lambda s, c: c.recv(1))
    conn = httplib.HTTPConnection(server.host, server.port, timeout=2)
    with pytest.raises(ValueError):
        conn.request("GET\r\nX: y", "/")
    conn.close()
    for url in ("/\r\nX-Injected: 1", "/\x00", "/ HTTP/1.1"):
        with pytest.raises(httplib.InvalidURL):
            conn.request("GET", url)
        conn.close()
    for name, value in [("X-A\r\nX-B", "v"), ("X A", "v"), ("X:A", "v"), ("", "v"),
                        ("X-A", "v\r\nX-B: w"), ("X-A", "v\x00"), ("X-A", "v\n x")]:
        with pytest.raises(ValueError):
            conn.request("GET", "/", headers={name: value})
        conn.close()
    assert server.requests == []


def test_request_order_errors(http_server):
    conn = httplib.HTTPConnection(http_server.host, http_server.port)
    with pytest.raises(httplib.ResponseNotReady):
        conn.getresponse()
    conn.putrequest("GET", "/")
    with pytest.raises(httplib.CannotSendRequest):
        conn.putrequest("GET", "/")
    conn.endheaders()
    with pytest.raises(httplib.CannotSendHeader):
        conn.putheader("X", "y")
    conn.getresponse().read()
    with pytest.raises(httplib.ResponseNotReady):
        conn.getresponse()


def test_expect_100_continue_sends_body_after_100(http_server):
    conn = httplib.HTTPConnection(http_server.host, http_server.port, timeout=5)
    conn.request("PUT", "/echo", b"payload", {"Expect": "100-continue"})
    doc = json.loads(conn.getresponse().read())
    assert doc["body"] == "payload"


def test_expect_100_continue_final_response_skips_body(scripted):
    def script(server, conn):
        conn.settimeout(5)
        head = b""
        while b"\r\n\r\n" not in head:
            head += conn.recv(1024)
        conn.sendall(b"HTTP/1.1 417 Expectation Failed\r\nContent-Length: 4\r\n\r\nnope")
        conn.settimeout(0.5)
        try:
            server.requests.append(conn.recv(1024))
        except socket.timeout:
            server.requests.append(b"")
    server = scripted(script)
    conn = httplib.HTTPConnection(server.host, server.port, timeout=5)
    conn.request("PUT", "/", b"big body", {"Expect": "100-continue"})
    resp = conn.getresponse()
    assert (resp.status, resp.read(), resp.will_close) == (417, b"nope", True)
    for _ in range(50):
        if server.requests:
            break
        time.sleep(0.05)
    assert server.requests == [b""]  # the body was never sent


def test_expect_100_continue_silent_server_gets_body_after_wait(scripted):
    def script(server, conn):
        server.requests.append(server.read_request(conn))
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
    server = scripted(script)
    conn = httplib.HTTPConnection(server.host, server.port, timeout=5, continue_timeout=0.2)
    conn.request("PUT", "/", b"body!", {"Expect": "100-continue"})
    assert conn.getresponse().status == 200
    assert server.requests[0].endswith(b"\r\n\r\nbody!")


def test_debuglevel_prints_httplib_lines(http_server, capsys):
    conn = httplib.HTTPConnection(http_server.host, http_server.port)
    conn.set_debuglevel(1)
    conn.request("GET", "/index.html")
    conn.getresponse().read()
    out = capsys.readouterr().out
    assert "send: b'GET /index.html HTTP/1.1\\r\\nHost: " in out
    assert "reply: 'HTTP/1.1 200 OK\\r\\n'" in out
    assert "header: Content-Type: text/html; charset=utf-8" in out


def test_keep_headers_option(http_server):
    conn = httplib.HTTPConnection(http_server.host, http_server.port,
                                  keep_headers=("Content-Type",))
    conn.request("GET", "/chunked/5000")
    resp = conn.getresponse()
    assert resp.getheaders() == [("Content-Type", "application/octet-stream")]
    assert resp.read() == pattern(5000)  # framing still read from Transfer-Encoding


def test_response_context_manager_and_fileno(http_server):
    conn = httplib.HTTPConnection(http_server.host, http_server.port)
    conn.request("GET", "/index.html")
    with conn.getresponse() as resp:
        assert resp.fileno() == conn.sock.fileno()
        assert resp.version == 11 and resp.getcode() == 200
    assert resp.closed and resp.isclosed()


def test_set_tunnel_through_a_real_connect_proxy(http_server, connect_proxy):
    conn = httplib.HTTPConnection(*connect_proxy, timeout=10)
    conn.set_tunnel(http_server.host, http_server.port, headers={"X-Tunnel": "1"})
    conn.request("GET", "/echo")
    doc = json.loads(conn.getresponse().read())
    assert doc["path"] == "/echo"
    assert doc["headers"]["Host"] == "%s:%d" % (http_server.host, http_server.port)
    conn.request("GET", "/parrot.spam")
    assert conn.getresponse().status == 404
    with pytest.raises(RuntimeError):
        conn.set_tunnel("example.com")


def test_tunnel_refused_by_proxy(scripted):
    def script(server, conn):
        server.read_request(conn)
        conn.sendall(b"HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n")
    server = scripted(script)
    conn = httplib.HTTPConnection(server.host, server.port, timeout=5)
    conn.set_tunnel("example.com", 443)
    with pytest.raises(OSError, match="Tunnel connection failed: 407"):
        conn.request("GET", "/")
    assert server.requests[0].startswith(b"CONNECT example.com:443 HTTP/1.1\r\n")
