"""HTTP over every emulated modem family, through pyserial on a real pty."""

import json

import pytest

from microhttplib import HTTPConnection, HTTPSConnection
from microhttplib.ports.serial_modem import unverified_context

import servers
from modem_helpers import FAMILIES, MAX_SEND, OPEN_COMMAND, SEND_COMMAND, Rig


@pytest.fixture(params=FAMILIES)
def rig(request, tls_files):
    with Rig(request.param, cafile=tls_files.ca_pem_path) as made:
        yield made


def fetch(conn, method, path, body=None, headers=None):
    conn.request(method, path, body=body, headers=headers or {})
    response = conn.getresponse()
    return response, response.read()


def test_methods_and_keep_alive(rig, http_server):
    conn = HTTPConnection("localhost", http_server.port, timeout=10, transport=rig.modem)
    response, body = fetch(conn, "GET", "/index.html")
    assert response.status == 200
    assert body == servers.INDEX_HTML
    response, body = fetch(conn, "HEAD", "/index.html")
    assert response.status == 200 and body == b""
    assert response.getheader("Content-Length") == str(len(servers.INDEX_HTML))
    conn.close()  # waitress may send the HEAD body anyway, late: start afresh
    response, body = fetch(conn, "GET", "/parrot.spam")
    assert response.status == 404 and body == b"Nobody here but us parrots.\n"
    response, body = fetch(conn, "POST", "/", body=b"@number=12345&:action=show",
                           headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert response.status == 302
    assert response.getheader("Location").endswith("/issue12345")
    response, body = fetch(conn, "PUT", "/file", body=b"x" * 5000)
    assert response.status == 200 and response.getheader("X-Stored-Bytes") == "5000"
    opened = len(rig.commands(OPEN_COMMAND[rig.family]))
    first = fetch(conn, "GET", "/peer")[1]
    second = fetch(conn, "GET", "/peer")[1]
    assert first == second  # one TCP connection: the same client port
    assert len(rig.commands(OPEN_COMMAND[rig.family])) == opened  # and the same modem link
    conn.close()


def test_chunked_and_large_download(rig, http_server):
    conn = HTTPConnection("localhost", http_server.port, timeout=20, transport=rig.modem)
    response, body = fetch(conn, "GET", "/chunked/20000")
    assert response.chunked and body == servers.pattern(20000)
    response, body = fetch(conn, "GET", "/bytes/%d" % (1 << 20))
    assert response.status == 200
    assert body == servers.pattern(1 << 20)
    conn.close()


def test_post_body_that_looks_like_at_replies(rig, http_server):
    nasty = (b"\r\nOK\r\n+IPD,5:hello\r\n0, CLOSED\r\nCLOSED\r\nSEND OK\r\n> @\x1a"
             b"+CIPRXGET: 1,0\r\n+QIURC: \"recv\",0\r\n+UUSORD: 0,5\r\nERROR\r\nRDY\r\nready\r\n")
    body = nasty * 400  # about 40 kB: many maximum-size sends
    conn = HTTPConnection("localhost", http_server.port, timeout=10, transport=rig.modem)
    response, data = fetch(conn, "POST", "/echo", body=body,
                           headers={"Content-Type": "application/octet-stream"})
    assert response.status == 200
    doc = json.loads(data)
    assert doc["body"].encode("latin-1") == body
    sizes = [int(c.rsplit(",", 1)[1]) for c in rig.commands(SEND_COMMAND[rig.family])]
    assert max(sizes) <= MAX_SEND[rig.family]
    assert sum(sizes) >= len(body)
    conn.close()


AT_LOOKALIKES = (b"\r\nOK\r\n+IPD,5:hello\r\n0, CLOSED\r\n0,CLOSED\r\nSEND FAIL\r\nERROR\r\n> @"
                 b"\r\n+CIPRXGET: 1,0\r\n+CIPRXGET: 2,0,5,0\r\n+QIURC: \"closed\",0\r\n+UUSOCL: 0\r\n"
                 b"+USORD: 0,5,\"\"\r\n+CCHRECV: 0,0\r\n+CIPRECVDATA:5,RDY\r\nready\r\nAPP RDY\r\n\"\x1a\x00")


def serve_lookalikes(server, conn):
    """Every request gets a body made of modem replies, raw (not escaped)."""
    body = AT_LOOKALIKES * 300
    while server.read_request(conn):
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body) + body)


def test_download_of_raw_at_replies_is_data(rig, scripted):
    server = scripted(serve_lookalikes)
    conn = HTTPConnection("localhost", server.port, timeout=10, transport=rig.modem)
    for _ in range(2):  # and the link stays usable after it
        response, body = fetch(conn, "GET", "/")
        assert body == AT_LOOKALIKES * 300
    conn.close()


def test_https_with_the_modem_tls(rig, tls_server):
    if rig.family == "sim800":  # cannot verify: only with the explicit opt-out
        tls = {"context": unverified_context()}
    elif rig.family == "esp_at":  # esp-at 2.x: the CA flashed on the module (the rig's cafile, slot 1)
        rig.modem.ca_name, tls = "1", {}
    else:
        tls = {"cadata": tls_server.ca_pem}
    conn = HTTPSConnection("localhost", tls_server.port, timeout=10, transport=rig.modem, **tls)
    response, body = fetch(conn, "GET", "/bytes/30000")
    assert response.status == 200 and body == servers.pattern(30000)
    response, body = fetch(conn, "POST", "/echo", body=b"\r\nOK\r\n" * 1000)
    assert json.loads(body)["body"] == "\r\nOK\r\n" * 1000
    conn.close()


def test_esp_at_push_mode(http_server, scripted):
    with Rig("esp_at", receive="push") as rig:
        conn = HTTPConnection("localhost", http_server.port, timeout=10, transport=rig.modem)
        response, body = fetch(conn, "GET", "/bytes/300000")
        assert body == servers.pattern(300000)
        response, body = fetch(conn, "GET", "/chunked/10000")
        assert body == servers.pattern(10000)
        server = scripted(serve_lookalikes)
        conn2 = HTTPConnection("localhost", server.port, timeout=10, transport=rig.modem)
        assert fetch(conn2, "GET", "/")[1] == AT_LOOKALIKES * 300
        assert "AT+CIPRECVMODE=0" in rig.emulator.commands
        assert not rig.commands("AT+CIPRECVDATA")
