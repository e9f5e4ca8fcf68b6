"""microhttplib on the real MicroPython unix port against real loopback
servers (tests/servers.py: waitress, cheroot+trustme, scripted sockets).

Each test runs a MicroPython subprocess on the staged build (``mp``: .py
sources, ``mpy``: mpy-cross output) and checks what it prints.  The 1 MiB
downloads run their body loop under ``micropython.heap_lock()``: any
allocation there raises MemoryError and fails the test.
"""

import json
import time

import pytest

import servers
from mp_helpers import lines, run_mp, run_mp_proc

PRELUDE = """
import json, time, micropython
import microhttplib as httplib

def read_locked(resp, buf):
    # The body loop, heap locked: readinto() into a preallocated buffer,
    # each byte checked against the server's pattern (position % 251).
    total = 0
    bad = -1
    calls = 0
    micropython.heap_lock()
    try:
        while True:
            k = resp.readinto(buf)
            if not k:
                break
            calls += 1
            i = 0
            while i < k:
                if buf[i] != (total + i) % 251 and bad < 0:
                    bad = total + i
                i += 1
            total += k
    finally:
        micropython.heap_unlock()
    return total, bad, calls
"""


def mp(script, **kw):
    return run_mp(PRELUDE + script, **kw)


# ----------------------------------------------------------------- methods

@pytest.mark.parametrize("tree", ["mp", "mpy"])
def test_get_index(http_server, tree):
    out = mp("""
c = httplib.HTTPConnection(HOST, PORT, timeout=5)
c.request('GET', '/index.html')
r = c.getresponse()
body = r.read()
print(json.dumps({"status": r.status, "reason": r.reason, "version": r.version,
                  "ctype": r.getheader('Content-Type'), "len": r.getheader('content-length'),
                  "body": body.decode(), "closed": r.isclosed()}))
c.close()
""", tree=tree, HOST=http_server.host, PORT=int(http_server.port))
    doc = json.loads(out)
    assert doc["status"] == 200 and doc["reason"] == "OK" and doc["version"] == 11
    assert doc["ctype"] == "text/html; charset=utf-8"
    assert doc["len"] == str(len(servers.INDEX_HTML))
    assert doc["body"].encode() == servers.INDEX_HTML
    assert doc["closed"] is True


def test_404_head_post_put_on_one_connection(http_server):
    out = mp("""
c = httplib.HTTPConnection(HOST, PORT, timeout=5)
res = []
c.request('GET', '/parrot.spam')
r = c.getresponse()
res.append([r.status, r.reason, r.read().decode()])
c.request('HEAD', '/index.html')
r = c.getresponse()
res.append([r.status, r.getheader('Content-Length'), r.read().decode()])
c.request('POST', '/', body='@number=12345&:action=show',
          headers={'Content-Type': 'application/x-www-form-urlencoded'})
r = c.getresponse()
res.append([r.status, r.reason, r.getheader('Location'), len(r.read())])
c.request('PUT', '/file', body=b'x' * 3000)
r = c.getresponse()
res.append([r.status, r.getheader('X-Stored-Bytes'), r.read().decode()])
print(json.dumps(res))
""", HOST=http_server.host, PORT=int(http_server.port))
    res = json.loads(out)
    assert res[0] == [404, "Not Found", "Nobody here but us parrots.\n"]
    assert res[1] == [200, str(len(servers.INDEX_HTML)), ""]  # HEAD: headers, no body
    host = "%s:%s" % (http_server.host, http_server.port)
    assert res[2][:3] == [302, "Found", "http://%s/issue12345" % host] and res[2][3] > 0
    assert res[3] == [200, "3000", ""]


def test_echo_sees_method_headers_body(http_server):
    out = mp("""
c = httplib.HTTPConnection(HOST, PORT, timeout=5)
c.request('PATCH', '/echo?a=1', body=b'{"k": 1}',
          headers={'Content-Type': 'application/json', 'X-Board': 'esp32'})
r = c.getresponse()
print(r.read().decode())
""", HOST=http_server.host, PORT=int(http_server.port))
    doc = json.loads(out)
    assert doc["method"] == "PATCH" and doc["path"] == "/echo" and doc["query"] == "a=1"
    assert doc["body"] == '{"k": 1}'
    assert doc["headers"]["X-Board"] == "esp32"
    assert doc["headers"]["Content-Length"] == "8"
    assert doc["headers"]["Host"] == "%s:%s" % (http_server.host, http_server.port)


def test_chunked_request_body_from_generator(http_server):
    out = mp("""
def gen():
    for i in range(5):
        yield b'part%d;' % i
c = httplib.HTTPConnection(HOST, PORT, timeout=5)
c.request('POST', '/echo', body=gen())
print(c.getresponse().read().decode())
""", HOST=http_server.host, PORT=int(http_server.port))
    doc = json.loads(out)
    assert doc["body"] == "part0;part1;part2;part3;part4;"


def test_keep_alive_reuses_one_socket(http_server):
    out = mp("""
c = httplib.HTTPConnection(HOST, PORT, timeout=5)
ports = []
for i in range(3):
    c.request('GET', '/peer')
    ports.append(c.getresponse().read().decode())
print(json.dumps(ports))
""", HOST=http_server.host, PORT=int(http_server.port))
    ports = json.loads(out)
    assert ports[0] == ports[1] == ports[2]  # one TCP connection (waitress keep-alive)


def _numbered_connections(close_idle_after=None):
    """Answers each request with the connection's number; /close answers with
    Connection: close; close_idle_after: hang up an idle connection silently."""
    def script(server, conn):
        number = server.connections
        conn.settimeout(close_idle_after or 5)
        while True:
            try:
                req = server.read_request(conn, timeout=close_idle_after or 5)
            except OSError:
                return  # idle: hang up without a word
            if not req:
                return
            path = req.split(b" ")[1]
            if path == b"/close":
                conn.sendall(b"HTTP/1.1 200 OK\r\nConnection: close\r\n"
                             b"Content-Length: 8\r\n\r\nclosing\n")
                return
            body = b"%d" % number
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
    return script


def test_connection_close_then_reconnect(scripted):
    srv = scripted(_numbered_connections())
    out = mp("""
c = httplib.HTTPConnection('127.0.0.1', PORT, timeout=5)
seen = []
for path in ('/a', '/b', '/close', '/c', '/d'):
    c.request('GET', path)
    r = c.getresponse()
    seen.append([r.will_close, r.read().decode()])
print(json.dumps(seen))
""", PORT=srv.port)
    assert json.loads(out) == [[False, "1"], [False, "1"], [True, "closing\n"],
                               [False, "2"], [False, "2"]]


def test_idle_connection_closed_by_server_is_replaced(scripted):
    # The server drops a kept-alive connection after 0.2 s idle, as servers
    # do; the next request must go out on a new connection, not fail.  A
    # POST is never replayed by the core, so this relies on the transport's
    # peer_closed() check before the socket is reused.
    srv = scripted(_numbered_connections(close_idle_after=0.2))
    out = mp("""
c = httplib.HTTPConnection('127.0.0.1', PORT, timeout=5)
seen = []
for method in ('GET', 'POST', 'POST'):
    c.request(method, '/x')
    seen.append(c.getresponse().read().decode())
    time.sleep(0.6)
print(json.dumps(seen))
""", PORT=srv.port)
    assert json.loads(out) == ["1", "2", "3"]


def test_status_codes_without_body(http_server):
    out = mp("""
c = httplib.HTTPConnection(HOST, PORT, timeout=5)
res = []
for code in (204, 304, 500):
    c.request('GET', '/status/%d' % code)
    r = c.getresponse()
    res.append([r.status, r.reason, r.read().decode()])
print(json.dumps(res))
""", HOST=http_server.host, PORT=int(http_server.port))
    assert json.loads(out) == [[204, "No Content", ""], [304, "Not Modified", ""],
                               [500, "Internal Server Error", "status body\n"]]


def test_status_constants_load_lazily():
    out = mp("""
import sys
print('microhttplib.status' in sys.modules)
print(httplib.NOT_FOUND, httplib.responses[418])
print('microhttplib.status' in sys.modules)
""")
    assert lines(out) == ["False", "404 I'm a Teapot", "True"]


# ------------------------------------------------------------- 1 MiB bodies

@pytest.mark.parametrize("tree", ["mp", "mpy"])
@pytest.mark.parametrize("kind", ["bytes", "chunked"])
def test_1mib_body_loop_allocates_nothing(http_server, tree, kind):
    out = mp("""
c = httplib.HTTPConnection(HOST, PORT, timeout=10)
c.request('GET', '/%s/%d' % (KIND, N))
r = c.getresponse()
print(r.status, r.chunked, r.length)
buf = bytearray(1024)
print(read_locked(r, buf))
# the connection stays usable after the locked loop
c.request('GET', '/index.html')
print(len(c.getresponse().read()))
""", tree=tree, HOST=http_server.host, PORT=int(http_server.port), KIND=kind, N=1 << 20)
    head, result, after = lines(out)
    if kind == "bytes":
        assert head == "200 False %d" % (1 << 20)
    else:
        assert head == "200 True None"
    total, bad, calls = eval(result)
    assert (total, bad) == (1 << 20, -1)
    assert calls >= 1024  # short reads into a 1 KiB buffer
    assert after == str(len(servers.INDEX_HTML))


def test_1mib_tls_body_loop_allocates_nothing(tls_server):
    out = mp("""
c = httplib.HTTPSConnection('localhost', PORT, timeout=10, cadata=CA)
c.request('GET', '/chunked/%d' % N)
r = c.getresponse()
print(read_locked(r, bytearray(1024)))
""", PORT=tls_server.port, CA=tls_server.ca_pem, N=1 << 20)
    (result,) = lines(out)  # and no "NOT verified" warning
    total, bad, calls = eval(result)
    assert (total, bad) == (1 << 20, -1) and calls >= 1024


def test_read_whole_and_partial(http_server):
    out = mp("""
c = httplib.HTTPConnection(HOST, PORT, timeout=5)
c.request('GET', '/chunked/10000')
r = c.getresponse()
a = r.read(7)
b = r.read()
data = a + b
print(len(a), len(data), all(data[i] == i % 251 for i in range(len(data))))
""", HOST=http_server.host, PORT=int(http_server.port))
    assert lines(out) == ["7 10000 True"]


# ------------------------------------------------------------------- 1xx

def test_interim_1xx_responses_are_skipped(scripted):
    def script(server, conn):
        server.read_request(conn)
        conn.sendall(b"HTTP/1.1 102 Processing\r\n\r\n"
                     b"HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n"
                     b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-Final: yes\r\n\r\nfinal")
    srv = scripted(script)
    out = mp("""
c = httplib.HTTPConnection('127.0.0.1', PORT, timeout=5)
c.request('GET', '/')
r = c.getresponse()
print(r.status, r.getheader('X-Final'), r.getheader('Link'), r.read().decode())
""", PORT=srv.port)
    assert lines(out) == ["200 yes None final"]


def test_expect_100_continue(scripted):
    def script(server, conn):
        conn.settimeout(5)
        head = b""
        while b"\r\n\r\n" not in head:
            head += conn.recv(4096)
        server.requests.append(head)
        conn.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
        body = head.split(b"\r\n\r\n", 1)[1]
        while len(body) < 11:
            body += conn.recv(4096)
        conn.sendall(b"HTTP/1.1 201 Created\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
    srv = scripted(script)
    out = mp("""
c = httplib.HTTPConnection('127.0.0.1', PORT, timeout=5)
c.request('PUT', '/upload', body=b'hello board', headers={'Expect': '100-continue'})
r = c.getresponse()
print(r.status, r.read().decode())
""", PORT=srv.port)
    assert lines(out) == ["201 hello board"]
    assert b"expect: 100-continue" in srv.requests[0].lower()


# ----------------------------------------------------------------- errors

def test_errors_are_http_client_exceptions(scripted):
    def no_answer(server, conn):
        server.read_request(conn)

    def garbage(server, conn):
        server.read_request(conn)
        conn.sendall(b"SPAM SPAM SPAM\r\n\r\n")

    def truncated(server, conn):
        server.read_request(conn)
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789")

    ports = [scripted(s).port for s in (no_answer, garbage, truncated)]
    out = mp("""
def attempt(port, read=False):
    c = httplib.HTTPConnection('127.0.0.1', port, timeout=5)
    try:
        c.request('GET', '/')
        r = c.getresponse()
        if read:
            buf = bytearray(64)
            while r.readinto(buf):
                pass
        return 'no error'
    except Exception as e:
        return type(e).__name__ + ' ' + str(isinstance(e, httplib.HTTPException))
for port, read in ((P0, False), (P1, False), (P2, True)):
    print(attempt(port, read))
""", P0=ports[0], P1=ports[1], P2=ports[2])
    assert lines(out) == ["RemoteDisconnected True", "BadStatusLine True", "IncompleteRead True"]


def test_refused_and_unresolvable_hosts():
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    out = mp("""
for host, port in (('127.0.0.1', PORT), ('no-such-host.invalid', 80)):
    c = httplib.HTTPConnection(host, port, timeout=3)
    try:
        c.request('GET', '/')
        print('no error')
    except OSError as e:
        print(type(e).__name__, e.errno)
        print(str(e))
""", PORT=port)
    out_lines = lines(out)
    assert out_lines[0] == "ConnectError 111"
    assert out_lines[2].startswith("NameResolutionError ")
    assert "name not resolved" in out_lines[3] and "no-such-host.invalid" in out_lines[3]


# --------------------------------------------------------------- timeouts

def test_timeout_waiting_for_the_head(scripted):
    def silent(server, conn):
        server.read_request(conn)
        time.sleep(3)

    srv = scripted(silent)
    out = mp("""
c = httplib.HTTPConnection('127.0.0.1', PORT, timeout=0.5)
c.request('GET', '/')
t0 = time.ticks_ms()
try:
    c.getresponse()
    print('no timeout')
except OSError as e:
    print(e.errno, time.ticks_diff(time.ticks_ms(), t0))
""", PORT=srv.port)
    errno, ms = lines(out)[-1].split()
    assert errno == "110"
    assert 400 <= int(ms) < 2500


def test_timeout_in_the_body(scripted):
    def stall(server, conn):
        server.read_request(conn)
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789")
        time.sleep(3)

    srv = scripted(stall)
    out = mp("""
c = httplib.HTTPConnection('127.0.0.1', PORT, timeout=0.5)
c.request('GET', '/')
r = c.getresponse()
buf = bytearray(64)
got = 0
t0 = None
try:
    while True:
        t0 = time.ticks_ms()
        k = r.readinto(buf)
        if not k:
            break
        got += k
    print('no timeout', got)
except OSError as e:
    print(got, e.errno, time.ticks_diff(time.ticks_ms(), t0))
""", PORT=srv.port)
    got, errno, ms = lines(out)[-1].split()
    assert (got, errno) == ("10", "110")
    assert 400 <= int(ms) < 2500


# -------------------------------------------------------------------- TLS

@pytest.mark.parametrize("host", ["localhost", "127.0.0.1"])
def test_https_with_trustme_ca_as_cadata(tls_server, host):
    out = mp("""
c = httplib.HTTPSConnection(HOST, PORT, timeout=5, cadata=CA)
c.request('GET', '/index.html')
r = c.getresponse()
print(r.status, len(r.read()))
c.request('POST', '/echo', body=b'over tls')
print(json.loads(c.getresponse().read())['body'])
""", HOST=host, PORT=tls_server.port, CA=tls_server.ca_pem)
    # no "NOT verified" warning: the CA was used
    assert lines(out) == ["200 %d" % len(servers.INDEX_HTML), "over tls"]


@pytest.fixture(scope="module")
def other_name_tls_server(tmp_path_factory):
    """A TLS server whose certificate names only other.example."""
    files = servers.TLSFiles(tmp_path_factory.mktemp("other"), names=("other.example",))
    running = servers.serve_https(files)
    servers.wait_for_port(running.host, running.port)
    running.ca_pem = files.ca_pem
    yield running
    running.stop()


def test_https_wrong_host_refused(other_name_tls_server):
    r = run_mp_proc(PRELUDE + """
c = httplib.HTTPSConnection('127.0.0.1', PORT, timeout=5, cadata=CA)
c.request('GET', '/index.html')
print('CONNECTED', c.getresponse().status)
""", PORT=other_name_tls_server.port, CA=other_name_tls_server.ca_pem)
    output = r.stdout + r.stderr
    assert r.returncode != 0 and "CONNECTED" not in output
    assert "CertificateError" in output and "does not match with the expected CN" in output


def test_https_untrusted_ca_refused(tls_server):
    import trustme
    r = run_mp_proc(PRELUDE + """
c = httplib.HTTPSConnection('localhost', PORT, timeout=5, cadata=CA)
c.request('GET', '/index.html')
print('CONNECTED', c.getresponse().status)
""", PORT=tls_server.port, CA=trustme.CA().cert_pem.bytes().decode())
    output = r.stdout + r.stderr
    assert r.returncode != 0 and "CONNECTED" not in output
    assert "CertificateError" in output and "not correctly signed by the trusted CA" in output


def test_https_without_ca_warns_once(tls_server):
    out = mp("""
for i in range(2):
    c = httplib.HTTPSConnection('localhost', PORT, timeout=5)
    c.request('GET', '/index.html')
    print(c.getresponse().status)
    c.close()
""", PORT=tls_server.port)
    out_lines = lines(out)
    assert len([line for line in out_lines if "NOT verified" in line]) == 1
    assert [line for line in out_lines if "NOT verified" not in line] == ["200", "200"]


@pytest.fixture(scope="module")
def client_cert_tls_server(tls_files):
    """The same app over TLS, requiring a client certificate from the CA."""
    running = servers.serve_https(tls_files, require_client_cert=True)
    servers.wait_for_port(running.host, running.port)
    yield running
    running.stop()


def test_https_client_certificate_and_multi_cert_cadata(client_cert_tls_server, tls_files):
    import trustme
    # an unrelated CA first: every certificate of a PEM bundle is loaded
    bundle = trustme.CA().cert_pem.bytes().decode() + tls_files.ca_pem
    script = """
c = httplib.HTTPSConnection('localhost', PORT, timeout=5, cadata=CA, %s)
c.request('GET', '/index.html')
print('STATUS', c.getresponse().status)
"""
    out = mp(script % "cert_file=CERT, key_file=KEY", PORT=client_cert_tls_server.port,
             CA=bundle, CERT=tls_files.client_cert_path, KEY=tls_files.client_key_path)
    assert lines(out) == ["STATUS 200"]
    # without the client certificate the server refuses the handshake
    r = run_mp_proc(PRELUDE + script % "cert_file=None", PORT=client_cert_tls_server.port,
                    CA=bundle)
    assert r.returncode != 0 and "STATUS" not in r.stdout


def test_socket_from_create_connection_hook_is_reused(http_server):
    """http.client's _create_connection hook may hand the connection a plain
    socket; the second request on it asks the transport whether the peer
    closed, which must not need our Socket's internals."""
    out = run_mp("""
import socket
import microhttplib

class Hooked(microhttplib.HTTPConnection):
    def _create_connection(self, address, timeout=None, source_address=None):
        s = socket.socket()
        s.connect(socket.getaddrinfo(address[0], address[1])[0][-1])
        return s

c = Hooked(HOST, PORT, timeout=10)
for _ in range(2):
    c.request('GET', '/index.html')
    r = c.getresponse()
    print(r.status, len(r.read()) > 0)
c.close()
""", HOST=http_server.host, PORT=int(http_server.port))
    assert lines(out) == ["200 True", "200 True"]
