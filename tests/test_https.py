"""HTTPSConnection against cheroot (PyPI) with trustme certificates, on CPython."""

import json
import ssl

import pytest

import microhttplib as httplib
import servers
from servers import INDEX_HTML, pattern


def test_verified_get_and_keep_alive(tls_server):
    conn = httplib.HTTPSConnection("localhost", tls_server.port, cadata=tls_server.ca_pem,
                                   timeout=10)
    conn.request("GET", "/index.html")
    assert conn.getresponse().read() == INDEX_HTML
    tls_socket = conn.sock
    assert tls_socket.version().startswith("TLS")
    conn.request("GET", "/bytes/200000")
    assert conn.getresponse().read() == pattern(200000)
    assert conn.sock is tls_socket


def test_context_with_the_ca(tls_server):
    context = ssl.create_default_context(cafile=tls_server.ca_pem_path)
    conn = httplib.HTTPSConnection("127.0.0.1", tls_server.port, context=context, timeout=10)
    conn.request("GET", "/parrot.spam")
    assert conn.getresponse().status == 404


def test_unknown_ca_refused_by_default(tls_server):
    conn = httplib.HTTPSConnection("localhost", tls_server.port, timeout=10)
    with pytest.raises(ssl.SSLCertVerificationError, match="unable to get local issuer"):
        conn.request("GET", "/")


def test_wrong_host_name_refused(tls_server, tmp_path):
    other = servers.TLSFiles(tmp_path, names=("other.example",))
    server = servers.serve_https(other)
    try:
        servers.wait_for_port(server.host, server.port)
        conn = httplib.HTTPSConnection("localhost", server.port, cadata=other.ca_pem, timeout=10)
        with pytest.raises(ssl.SSLCertVerificationError, match="Hostname mismatch"):
            conn.request("GET", "/")
    finally:
        server.stop()


def test_client_certificate(tls_files):
    server = servers.serve_https(tls_files, require_client_cert=True)
    try:
        servers.wait_for_port(server.host, server.port)
        conn = httplib.HTTPSConnection("localhost", server.port, timeout=10,
                                       cert_file=tls_files.client_cert_path,
                                       key_file=tls_files.client_key_path,
                                       cadata=tls_files.ca_pem)
        conn.request("GET", "/index.html")
        assert conn.getresponse().read() == INDEX_HTML
        anonymous = httplib.HTTPSConnection("localhost", server.port, timeout=10,
                                            cadata=tls_files.ca_pem)
        with pytest.raises((ssl.SSLError, ConnectionError, httplib.RemoteDisconnected)):
            anonymous.request("GET", "/index.html")
            anonymous.getresponse().read()
    finally:
        server.stop()


def test_https_through_a_connect_tunnel(tls_server, connect_proxy):
    conn = httplib.HTTPSConnection(*connect_proxy, cadata=tls_server.ca_pem, timeout=10)
    conn.set_tunnel("localhost", tls_server.port)
    conn.request("GET", "/echo")
    doc = json.loads(conn.getresponse().read())
    assert doc["headers"]["Host"] == "localhost:%d" % tls_server.port
    assert conn.sock.server_hostname == "localhost"
