"""Drop-in fidelity against real servers on loopback (issue 12).

Keep-alive after bodiless responses (cheroot, http.server), empty lines
before a status line (a raw socket server sending aiohttp's exact bytes),
HEAD replies with Transfer-Encoding: chunked.
"""

import http.client

import pytest

import microhttplib as httplib
import servers


@pytest.fixture(scope="module")
def cheroot_http():
    running = servers.serve_cheroot_http()
    servers.wait_for_port(running.host, running.port)
    yield running
    running.stop()


@pytest.fixture
def stdlib_http():
    running = servers.serve_stdlib_http()
    servers.wait_for_port(running.host, running.port)
    yield running
    running.stop()


def test_alternating_204_304_and_small_use_one_connection(cheroot_http):
    """RFC 9112 6.3 rule 1: 204/304 without a length end at the empty line."""
    conn = httplib.HTTPConnection(cheroot_http.host, cheroot_http.port, timeout=10)
    peers = set()
    for i in range(20):
        conn.request("GET", ("/bare/204", "/bare/304")[i % 4 == 1])
        resp = conn.getresponse()
        assert (resp.status in (204, 304), resp.will_close, resp.read()) == (True, False, b"")
        conn.request("GET", "/peer")
        peers.add(conn.getresponse().read())
    conn.close()
    assert len(peers) == 1, "%d connections for 40 requests" % len(peers)


@pytest.mark.parametrize("client", [httplib, http.client], ids=["microhttplib", "http.client"])
def test_bodiless_responses_keep_the_connection(stdlib_http, client):
    """204, 304, HEAD without a length and HEAD with chunked: one connection, as http.client."""
    conn = client.HTTPConnection(stdlib_http.host, stdlib_http.port, timeout=10)
    seen = []
    for _ in range(5):
        for method, path in (("GET", "/204"), ("GET", "/small"), ("GET", "/304"),
                             ("HEAD", "/nolength"), ("HEAD", "/chunked"), ("GET", "/small")):
            conn.request(method, path)
            resp = conn.getresponse()
            seen.append((resp.status, resp.chunked, resp.will_close, resp.read()))
    conn.close()
    assert seen[:6] == [(204, False, False, b""), (200, False, False, b"small"),
                        (304, False, False, b""), (200, False, False, b""),
                        (200, True, False, b""), (200, False, False, b"small")]
    assert seen[6:] == seen[:6] * 4
    assert len(stdlib_http.peers) == 1


def _aiohttp_continue(server, conn):
    """aiohttp's server: one extra CR LF after the interim 100 Continue."""
    conn.settimeout(5)
    head = b""
    while b"\r\n\r\n" not in head:
        head += conn.recv(4096)
    conn.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
    body = head.split(b"\r\n\r\n", 1)[1]
    while len(body) < 4:
        body += conn.recv(4096)
    server.requests.append(head + body)
    conn.sendall(b"\r\nHTTP/1.1 404 Not Found\r\nContent-Length: 9\r\n\r\nnot found")


def test_empty_line_after_100_continue(scripted):
    srv = scripted(_aiohttp_continue)
    conn = httplib.HTTPConnection("127.0.0.1", srv.port, timeout=5)
    conn.request("POST", "/x", body=b"data", headers={"Expect": "100-continue"})
    resp = conn.getresponse()
    assert (resp.status, resp.reason, resp.read()) == (404, "Not Found", b"not found")
    assert srv.requests[0].endswith(b"\r\n\r\ndata")


@pytest.mark.parametrize("blank, outcome", [
    (b"\r\n", "200 ok"), (b"\r\n" * 4, "200 ok"), (b"\r\n" * 5, "BadStatusLine")])
def test_empty_lines_before_a_response(scripted, blank, outcome):
    def script(server, conn):
        server.read_request(conn)
        conn.sendall(blank + b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
    srv = scripted(script)
    conn = httplib.HTTPConnection("127.0.0.1", srv.port, timeout=5)
    conn.request("GET", "/")
    try:
        resp = conn.getresponse()
        got = "%d %s" % (resp.status, resp.read().decode())
    except httplib.BadStatusLine as exc:
        got = type(exc).__name__
    assert got == outcome
