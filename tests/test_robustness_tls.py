"""TLS: expired, wrong-host, self-signed and unknown-CA certificates are
refused by default, on CPython and on the MicroPython interpreter (with
cadata); the opt-out is explicit.

Each server presents one certificate and records any request that gets
through: a refused handshake must leave it with none.
"""

import datetime
import socket
import ssl
import threading

import pytest
import trustme

import microhttplib as mh
from microhttplib.ports.cpython import unverified_context
from mp_helpers import lines, run_mp

NAMES = ("localhost", "127.0.0.1")


def make_cert(issuer=None, not_before=None, not_after=None):
    """A leaf for localhost/127.0.0.1 as (cert PEM, key PEM): self-signed, or
    signed by a trustme CA with this validity window (trustme 1.1, the last
    for Python 3.8, has no not_before=; its CA's key is used directly)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID
    import ipaddress

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.timezone.utc)
    signer, issuer_name = (key, name) if issuer is None else \
        (issuer._private_key, issuer._certificate.subject)
    builder = (x509.CertificateBuilder()
               .subject_name(name).issuer_name(issuer_name)
               .public_key(key.public_key())
               .serial_number(x509.random_serial_number())
               .not_valid_before(not_before or now - datetime.timedelta(days=1))
               .not_valid_after(not_after or now + datetime.timedelta(days=30))
               .add_extension(x509.SubjectAlternativeName([
                   x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                   critical=False))
    if issuer is not None:  # 3.13's default context (VERIFY_X509_STRICT) wants it
        builder = builder.add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
            signer.public_key()), critical=False)
    cert = builder.sign(signer, hashes.SHA256())
    return (cert.public_bytes(serialization.Encoding.PEM),
            key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                              serialization.NoEncryption()))


class TLSServer:
    """One certificate, one canned response; records requests and TLS errors."""

    def __init__(self, directory, name, cert_pem, key_pem):
        cert_path = directory / (name + ".pem")
        key_path = directory / (name + ".key")
        cert_path.write_bytes(cert_pem)
        key_path.write_bytes(key_pem)
        self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.context.load_cert_chain(str(cert_path), str(key_path))
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(16)
        self.port = self.listener.getsockname()[1]
        self.requests = []
        self.tls_errors = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn):
        conn.settimeout(5)
        try:
            tls = self.context.wrap_socket(conn, server_side=True)
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = tls.recv(4096)
                if not chunk:
                    return
                data += chunk
            self.requests.append(data)
            tls.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 6\r\nConnection: close\r\n\r\n"
                        b"secret")
            tls.close()
        except (OSError, ssl.SSLError) as exc:
            self.tls_errors.append(exc)
        finally:
            conn.close()


def leaf(cert):
    return b"".join(blob.bytes() for blob in cert.cert_chain_pems), cert.private_key_pem.bytes()


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    directory = tmp_path_factory.mktemp("robust-tls")
    ca = trustme.CA()
    other_ca = trustme.CA()
    past = datetime.datetime(2020, 1, 1)
    servers = {
        "good": leaf(ca.issue_cert(*NAMES)),
        "expired": make_cert(ca, past, past + datetime.timedelta(days=30)),
        "not-yet-valid": make_cert(ca, datetime.datetime(2099, 1, 1),
                                   datetime.datetime(2099, 12, 31)),
        "wrong-host": leaf(ca.issue_cert("wrong.example")),
        "self-signed": make_cert(),
        "unknown-ca": leaf(other_ca.issue_cert(*NAMES)),
    }
    running = {name: TLSServer(directory, name, *pair) for name, pair in servers.items()}
    return ca.cert_pem.bytes().decode(), running


BAD = {
    "expired": "certificate has expired",
    "not-yet-valid": "certificate is not yet valid",
    "wrong-host": "Hostname mismatch",
    "self-signed": "self-signed certificate",
    "unknown-ca": "unable to get local issuer certificate",
}


def fetch(port, **kw):
    conn = mh.HTTPSConnection("localhost", port, timeout=5, **kw)
    try:
        conn.request("GET", "/")
        return conn.getresponse().read()
    finally:
        conn.close()


# ------------------------------------------------------------------ CPython

def test_trusted_certificate_is_accepted(pki):
    ca_pem, servers = pki
    assert fetch(servers["good"].port, cadata=ca_pem) == b"secret"


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_certificate_refused_with_the_ca_trusted(pki, name):
    ca_pem, servers = pki
    seen = len(servers[name].requests)
    with pytest.raises(ssl.SSLCertVerificationError) as info:
        fetch(servers[name].port, cadata=ca_pem)
    assert BAD[name] in str(info.value)
    assert len(servers[name].requests) == seen


@pytest.mark.parametrize("name", sorted(BAD) + ["good"])
def test_every_test_certificate_refused_by_the_default_context(pki, name):
    """No cadata: the system store, which knows neither test CA."""
    _, servers = pki
    seen = len(servers[name].requests)
    with pytest.raises(ssl.SSLCertVerificationError) as info:
        fetch(servers[name].port)
    assert "certificate verify failed" in str(info.value)
    assert len(servers[name].requests) == seen


def test_verification_is_on_in_the_default_context():
    ctx = mh.HTTPSConnection("localhost")._tls_context(mh.connection.default_transport())
    assert ctx.verify_mode == ssl.CERT_REQUIRED and ctx.check_hostname


@pytest.mark.parametrize("name", sorted(BAD))
def test_unverified_context_is_the_explicit_opt_out(pki, name):
    _, servers = pki
    assert fetch(servers[name].port, context=unverified_context()) == b"secret"
    ctx = unverified_context()
    assert ctx.verify_mode == ssl.CERT_NONE and not ctx.check_hostname


def test_check_hostname_false_skips_only_the_name(pki):
    ca_pem, servers = pki
    assert fetch(servers["wrong-host"].port, cadata=ca_pem, check_hostname=False) == b"secret"
    with pytest.raises(ssl.SSLCertVerificationError, match="certificate has expired"):
        fetch(servers["expired"].port, cadata=ca_pem, check_hostname=False)


# -------------------------------------------------------------- MicroPython

MP_FETCH = """
import microhttplib as httplib
for name, port in PORTS:
    try:
        c = httplib.HTTPSConnection('localhost', port, timeout=5, cadata=CA)
        c.request('GET', '/')
        print(name, 'OK', c.getresponse().read())
        c.close()
    except Exception as e:
        print(name, 'REFUSED', type(e).__name__, isinstance(e, OSError), str(e))
"""


def test_micropython_refuses_bad_certificates_with_cadata(pki):
    ca_pem, servers = pki
    order = ["good", "expired", "not-yet-valid", "wrong-host", "self-signed", "unknown-ca"]
    seen = {name: len(servers[name].requests) for name in order}
    out = run_mp(MP_FETCH, CA=ca_pem, PORTS=[(n, servers[n].port) for n in order])
    got = {line.split()[0]: line for line in lines(out)}
    assert got["good"] == "good OK b'secret'"
    # The port turns mbedtls' ValueError into CertificateError, an OSError
    # like CPython's ssl.SSLCertVerificationError, keeping mbedtls' reason.
    expected = {
        "expired": "The certificate validity has expired",
        "not-yet-valid": "The certificate validity starts in the future",
        "wrong-host": "The certificate Common Name (CN) does not match with the expected CN",
        "self-signed": "The certificate is not correctly signed by the trusted CA",
        "unknown-ca": "The certificate is not correctly signed by the trusted CA",
    }
    for name in order[1:]:
        assert got[name].startswith(name + " REFUSED CertificateError True [Errno -9984] "
                                    "certificate verify failed for 'localhost': "), got[name]
        assert expected[name] in got[name], got[name]
    for name in order[1:]:
        assert len(servers[name].requests) == seen[name]


def test_micropython_without_cadata_warns_that_it_does_not_verify(pki):
    """Boards have no CA store: without cadata the port cannot verify, and
    says so once (documented limit). The refusals above need cadata."""
    _, servers = pki
    out = run_mp("""
import microhttplib as httplib
c = httplib.HTTPSConnection('localhost', PORT, timeout=5)
c.request('GET', '/')
print('read', c.getresponse().read())
""", PORT=servers["self-signed"].port)
    assert "NOT verified" in out and "cadata" in out
    assert lines(out)[-1] == "read b'secret'"


# ------------------------------------------------------------------ faults

def test_tls_handshake_that_never_comes_times_out(pki, scripted):
    import time
    ca_pem, _ = pki
    srv = scripted(lambda s, c: time.sleep(3))  # accepts TCP, never speaks TLS
    conn = mh.HTTPSConnection("localhost", srv.port, timeout=0.5, cadata=ca_pem)
    t0 = time.monotonic()
    with pytest.raises(socket.timeout):
        conn.request("GET", "/")
    assert time.monotonic() - t0 < 1.5
    assert conn.sock is None


def test_plain_http_on_the_tls_port_is_an_ssl_error(pki, scripted):
    ca_pem, _ = pki

    def script(s, c):
        c.recv(4096)
        c.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
    srv = scripted(script)
    conn = mh.HTTPSConnection("localhost", srv.port, timeout=2, cadata=ca_pem)
    with pytest.raises(ssl.SSLError):
        conn.request("GET", "/")
    assert conn.sock is None
