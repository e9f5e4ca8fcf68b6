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


# --------------------------------------------------------------- cadata forms

def cadata_forms(ca_pem):
    """The CA as PEM str, PEM bytes (a CA file read in 'rb' mode) and DER bytes."""
    import ssl
    return {"PEM str": ca_pem, "PEM bytes": ca_pem.encode("ascii"),
            "DER bytes": ssl.PEM_cert_to_DER_cert(ca_pem)}


@pytest.mark.parametrize("form", ["PEM str", "PEM bytes", "DER bytes", "PEM bytes bundle"])
def test_cadata_forms(tls_server, form):
    import trustme
    forms = cadata_forms(tls_server.ca_pem)
    forms["PEM bytes bundle"] = trustme.CA().cert_pem.bytes() + forms["PEM bytes"]
    conn = httplib.HTTPSConnection("localhost", tls_server.port, cadata=forms[form], timeout=10)
    conn.request("GET", "/index.html")
    assert conn.getresponse().read() == servers.INDEX_HTML
    conn.close()


@pytest.mark.parametrize("form", ["PEM bytes", "DER bytes"])
def test_cadata_bytes_of_another_ca_refused(tls_server, form):
    import ssl
    import trustme
    other = cadata_forms(trustme.CA().cert_pem.bytes().decode())[form]
    conn = httplib.HTTPSConnection("localhost", tls_server.port, cadata=other, timeout=10)
    with pytest.raises(ssl.SSLCertVerificationError):
        conn.request("GET", "/")


# ------------------------------------------------------------ README opt-out

def test_readme_opt_out_line_works_as_written(tls_server):
    """After the README's `import microhttplib as httplib`, in a fresh interpreter."""
    import os
    import subprocess
    import sys
    readme = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "README.md")
    with open(readme, encoding="utf-8") as f:
        text = f.read()
    assert "import microhttplib as httplib\n" in text
    assert "context=httplib.ports.cpython.unverified_context()" in text
    script = ("import microhttplib as httplib\n"
              "conn = httplib.HTTPSConnection('localhost', %d, timeout=10,\n"
              "    context=httplib.ports.cpython.unverified_context())\n"
              "conn.request('GET', '/index.html')\n"
              "print(conn.getresponse().status)\n" % tls_server.port)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         timeout=60)
    assert (out.returncode, out.stdout, out.stderr) == (0, "200\n", "")


def test_ports_load_on_first_use():
    import subprocess
    import sys
    script = ("import sys, microhttplib\n"
              "print(sorted(m for m in sys.modules if m.startswith('microhttplib')))\n"
              "print(microhttplib.ports.serial_modem.__name__)\n"
              "try:\n    microhttplib.ports.nothing\nexcept AttributeError:\n    print('no')\n")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         timeout=60)
    assert out.stdout.splitlines() == [
        "['microhttplib']", "microhttplib.ports.serial_modem", "no"], out.stderr
