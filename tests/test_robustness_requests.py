"""Request side: header/URL/method injection and body length mismatches are
refused before anything reaches the network.

A recording server accepts connections and keeps every byte it receives;
each refused request must leave it with no connection and no byte.
"""

import time

import pytest

import microhttplib as mh


def recorder(scripted):
    def script(s, c):
        while True:
            try:
                request = s.read_request(c, timeout=2)  # appended to s.requests
            except OSError:
                return
            if not request:
                return
            c.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
    return scripted(script)


@pytest.fixture
def srv(scripted):
    server = recorder(scripted)
    yield server
    time.sleep(0.05)
    assert server.errors == []


def nothing_sent(server):
    time.sleep(0.1)
    return server.connections == 0 and server.requests == []


BAD_CHARS = ["\r", "\n", "\r\n", "\x00", " ", "\t", "\x7f"]


@pytest.mark.parametrize("bad", BAD_CHARS)
def test_control_characters_in_method_refused(srv, bad):
    conn = mh.HTTPConnection(srv.host, srv.port, timeout=2)
    with pytest.raises(ValueError) as info:
        conn.request("GET" + bad + "X", "/")
    assert "method can't contain control characters" in str(info.value)
    assert nothing_sent(srv)


@pytest.mark.parametrize("bad", BAD_CHARS)
def test_control_characters_in_url_refused(srv, bad):
    conn = mh.HTTPConnection(srv.host, srv.port, timeout=2)
    with pytest.raises(mh.InvalidURL) as info:
        conn.request("GET", "/a" + bad + "HTTP/1.1\r\nX-Injected: 1")
    assert "URL can't contain control characters" in str(info.value)
    assert nothing_sent(srv)


@pytest.mark.parametrize("name", ["X-A\r\nX-Injected", "X-A\n", "X\x00A", "X A", "X-A:",
                                  ":X", "", "X\tA", "X\x7f"])
def test_bad_header_names_refused(srv, name):
    conn = mh.HTTPConnection(srv.host, srv.port, timeout=2)
    with pytest.raises(ValueError) as info:
        conn.request("GET", "/", headers={name: "v"})
    assert "Invalid header name" in str(info.value)
    assert nothing_sent(srv)


@pytest.mark.parametrize("value", ["a\r\nX-Injected: 1", "a\nb", "a\rb", "a\x00b",
                                   "a\r\n b", b"a\r\nb", "a\x7f"])
def test_bad_header_values_refused(srv, value):
    conn = mh.HTTPConnection(srv.host, srv.port, timeout=2)
    with pytest.raises(ValueError) as info:
        conn.request("GET", "/", headers={"X-A": value})
    assert "Invalid header value" in str(info.value)
    assert nothing_sent(srv)


def test_bad_header_through_putheader_refused(srv):
    conn = mh.HTTPConnection(srv.host, srv.port, timeout=2)
    conn.putrequest("GET", "/")
    with pytest.raises(ValueError, match="Invalid header value"):
        conn.putheader("X-A", "1\r\nX-Injected: 2")
    with pytest.raises(ValueError, match="Invalid header name"):
        conn.putheader("X A", "1")
    assert nothing_sent(srv)


def test_tab_and_obs_text_in_values_are_allowed(srv):
    conn = mh.HTTPConnection(srv.host, srv.port, timeout=2)
    conn.request("GET", "/", headers={"X-A": "a\tb", "X-B": b"caf\xe9"})
    assert conn.getresponse().read() == b"ok"
    assert b"X-A: a\tb\r\n" in srv.requests[0] and b"X-B: caf\xe9\r\n" in srv.requests[0]


def test_refused_request_then_close_leaves_a_usable_connection(srv):
    """As in http.client, a refused request leaves the connection in
    Request-started; close() makes it usable and nothing half-built is sent."""
    conn = mh.HTTPConnection(srv.host, srv.port, timeout=2)
    with pytest.raises(ValueError):
        conn.request("GET", "/", headers={"X-A": "1\r\n"})
    with pytest.raises(mh.CannotSendRequest):
        conn.request("GET", "/")
    conn.close()
    conn.request("GET", "/fine")
    assert conn.getresponse().read() == b"ok"
    assert len(srv.requests) == 1 and srv.requests[0].startswith(b"GET /fine HTTP/1.1\r\n")
    assert b"X-A" not in srv.requests[0]


# ------------------------------------------------------------------ host

@pytest.mark.parametrize("host, message", [
    ("evil.example\r\nX-Injected", "URL can't contain control characters"),
    ("evil.example\r\nX-Injected: 1", "nonnumeric port"),
    ("evil.example\x00", "URL can't contain control characters"),
    ("evil example", "URL can't contain control characters"),
    ("example.com:80x", "nonnumeric port"),
    ("example.com:-1", "nonnumeric port"),
    ("example.com:99999", "port out of range"),
])
def test_bad_hosts_refused_at_construction(host, message):
    with pytest.raises(mh.InvalidURL) as info:
        mh.HTTPConnection(host)
    assert message in str(info.value)


@pytest.mark.parametrize("port", ["80x", "", -1, 65536])
def test_bad_ports_refused(port):
    with pytest.raises(mh.InvalidURL):
        mh.HTTPConnection("example.com", port)


def test_tunnel_host_validated(srv):
    conn = mh.HTTPConnection(srv.host, srv.port, timeout=2)
    with pytest.raises(mh.InvalidURL, match="control characters"):
        conn.set_tunnel("target.example\r\nX-Injected")
    assert nothing_sent(srv)


def test_explicit_host_header_is_validated(srv):
    conn = mh.HTTPConnection(srv.host, srv.port, timeout=2)
    with pytest.raises(ValueError, match="Invalid header value"):
        conn.request("GET", "/", headers={"Host": "a.example\r\nX-Injected: 1"})
    assert nothing_sent(srv)


def test_host_header_of_an_absolute_url_is_checked(srv):
    conn = mh.HTTPConnection(srv.host, srv.port, timeout=2)
    with pytest.raises(mh.InvalidURL):
        conn.request("GET", "http://a.example\r\nX-Injected: 1/")
    assert nothing_sent(srv)


def test_ipv6_literal_host_header_is_bracketed(srv):
    conn = mh.HTTPConnection("[::1]:8080")
    assert (conn.host, conn.port) == ("::1", 8080)
    conn.putrequest("GET", "/")
    assert b"Host: [::1]:8080" in conn._buffer


# ------------------------------------------------------------------ body

@pytest.mark.parametrize("declared, body", [
    ("10", b"short"),
    ("3", b"longer than three"),
    ("5", bytearray(b"1234")),
    ("4", memoryview(b"12345")),
    ("0", "x"),
    ("abc", b"abc"),
    ("-3", b"abc"),
    ("3, 3", b"abc"),
])
def test_declared_content_length_must_match_the_body(srv, declared, body):
    conn = mh.HTTPConnection(srv.host, srv.port, timeout=2)
    with pytest.raises(ValueError) as info:
        conn.request("POST", "/", body, {"Content-Length": declared})
    assert "does not match the body" in str(info.value)
    assert nothing_sent(srv)


def test_matching_declared_content_length_is_sent_once(srv):
    conn = mh.HTTPConnection(srv.host, srv.port, timeout=2)
    conn.request("POST", "/", b"abc", {"Content-Length": "3"})
    assert conn.getresponse().read() == b"ok"
    time.sleep(0.05)
    sent = b"".join(srv.requests)
    assert sent.count(b"Content-Length") == 1 and sent.endswith(b"\r\n\r\nabc")


def test_body_not_latin1_refused_before_sending(srv):
    conn = mh.HTTPConnection(srv.host, srv.port, timeout=2)
    with pytest.raises(UnicodeEncodeError):
        conn.request("POST", "/", "snowman \u2603")
    assert nothing_sent(srv)


def test_wrong_body_type_refused(srv):
    conn = mh.HTTPConnection(srv.host, srv.port, timeout=2)
    with pytest.raises(TypeError):
        conn.request("POST", "/", 12.5)
