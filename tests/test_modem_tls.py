"""https over the modems' own TLS stacks: verified by default, or refused.

The emulator models each module's real default (no verification until it is
configured), so these tests fail if the driver leaves a module at its
default. The servers are real TLS servers on loopback (trustme certificates)
that record the SNI each client sent.
"""

import socket
import ssl
import threading

import pytest

from microhttplib import HTTPSConnection
from microhttplib.ports.serial_modem import ConnectFailed, Modem, ModemError, unverified_context

from modem_helpers import Rig, credentials

VERIFYING = ("sim7600", "bg96", "sara_r4", "esp_at", "sim7080", "a7670")
UPLOAD = {"sim7600": "AT+CCERTDOWN=", "bg96": "AT+QFUPL=", "sara_r4": "AT+USECMNG=0,", "esp_at": "AT+SYSMFG=2,",
          "sim7080": "AT+CFSWFILE=", "a7670": "AT+CCERTDOWN="}
OPEN_TLS = {"sim7600": "AT+CCHOPEN=", "bg96": "AT+QSSLOPEN=", "sara_r4": "AT+USOCO=", "esp_at": "AT+CIPSTART=",
            "sim800": "AT+CIPSTART=", "sim7080": "AT+CAOPEN=", "a7670": "AT+CCHOPEN="}
# The name under which the emulator's --cafile sits on the module.
STORED = {"sim7600": "server_ca.pem", "bg96": "server_ca.pem", "sara_r4": "server_ca", "esp_at": "1",
          "sim7080": "server_ca.pem", "a7670": "server_ca.pem"}


class SNIServer:
    """TLS on loopback that answers one GET per connection with the SNI it saw."""

    def __init__(self, cert_pem, key_pem):
        self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        cert_pem.write_to_path(self._path("cert"))
        key_pem.write_to_path(self._path("key"))
        self.context.load_cert_chain(self._path("cert"), self._path("key"))
        self.names = []
        self.context.sni_callback = lambda sock, name, ctx: self.names.append(name)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._serve, daemon=True).start()

    def _path(self, kind):
        import tempfile
        if not hasattr(self, "_dir"):
            self._dir = tempfile.mkdtemp()
        return "%s/%s.pem" % (self._dir, kind)

    def _serve(self):
        while True:
            try:
                raw, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._answer, args=(raw,), daemon=True).start()

    def _answer(self, raw):
        try:
            with self.context.wrap_socket(raw, server_side=True) as conn:
                while True:
                    request = b""
                    while b"\r\n\r\n" not in request:
                        data = conn.recv(4096)
                        if not data:
                            return
                        request += data
                    body = ("sni=%s" % (self.names[-1] if self.names else None)).encode()
                    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
        except (OSError, ssl.SSLError):
            pass

    def stop(self):
        self.listener.close()


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    import trustme
    ca, impostor_ca = trustme.CA(), trustme.CA()
    made = {"ca": ca, "ca_path": str(tmp_path_factory.mktemp("pki") / "ca.pem")}
    ca.cert_pem.write_to_path(made["ca_path"])
    for name, issuer, hosts in (("good", ca, ("localhost",)), ("impostor", impostor_ca, ("localhost",)),
                                ("wrong_name", ca, ("elsewhere.test",))):
        cert = issuer.issue_cert(*hosts)
        made[name] = SNIServer(cert.cert_chain_pems[0], cert.private_key_pem)
    yield made
    for name in ("good", "impostor", "wrong_name"):
        made[name].stop()


def ca_pem(pki):
    return pki["ca"].cert_pem.bytes().decode()


def get(conn):
    conn.request("GET", "/")
    response = conn.getresponse()
    return response.status, response.read()


def rig_for(family, **options):
    """esp-at takes a CA from the host from 3.x on (AT+SYSMFG)."""
    if family == "esp_at":
        options.setdefault("firmware", "3.2")
    return Rig(family, **options)


@pytest.mark.parametrize("family", VERIFYING)
def test_verified_https_stores_the_ca_once_and_sends_sni(family, pki):
    with rig_for(family) as rig:
        conn = HTTPSConnection("localhost", pki["good"].port, timeout=10, transport=rig.modem, cadata=ca_pem(pki))
        assert get(conn) == (200, b"sni=localhost")
        conn.close()
        assert get(conn) == (200, b"sni=localhost")  # a second link: the CA is not sent again
        assert len(rig.commands(UPLOAD[family])) == 1
        conn.close()
        rig.modem.close()
        # A new Modem (a restarted program) finds the CA already on the module.
        modem = Modem(rig.path, family, cadata=ca_pem(pki), **credentials(family))
        conn = HTTPSConnection("localhost", pki["good"].port, timeout=10, transport=modem)
        assert get(conn) == (200, b"sni=localhost")
        conn.close()
        modem.close()
        expected = 2 if family == "esp_at" else 1  # ESP-AT cannot list its CA slots
        assert len(rig.commands(UPLOAD[family])) == expected


@pytest.mark.parametrize("server", ["impostor", "wrong_name"])
@pytest.mark.parametrize("family", VERIFYING)
def test_verified_https_refuses_an_untrusted_certificate_or_a_wrong_name(family, server, pki):
    with rig_for(family) as rig:
        conn = HTTPSConnection("localhost", pki[server].port, timeout=10, transport=rig.modem, cadata=ca_pem(pki))
        with pytest.raises(ConnectFailed, match="%s: connect to localhost" % family):
            get(conn)


@pytest.mark.parametrize("family", VERIFYING)
def test_without_a_ca_the_request_is_refused_not_sent(family, pki):
    with Rig(family) as rig:
        conn = HTTPSConnection("localhost", pki["good"].port, timeout=10, transport=rig.modem)
        with pytest.raises(ModemError, match="no CA certificate to verify the server with"):
            get(conn)
        assert not rig.commands(OPEN_TLS[family])


@pytest.mark.parametrize("family", VERIFYING)
def test_a_ca_stored_on_the_module_can_be_named(family, pki):
    with Rig(family, cafile=pki["ca_path"]) as rig:
        rig.modem.ca_name = STORED[family]
        conn = HTTPSConnection("localhost", pki["good"].port, timeout=10, transport=rig.modem)
        assert get(conn) == (200, b"sni=localhost")
        assert not rig.commands(UPLOAD[family])
        conn = HTTPSConnection("localhost", pki["impostor"].port, timeout=10, transport=rig.modem)
        with pytest.raises(ConnectFailed):
            get(conn)


@pytest.mark.parametrize("family", VERIFYING + ("sim800",))
def test_the_explicit_opt_out_reaches_any_server(family, pki):
    """The module's own default: no verification. Only on explicit request."""
    with Rig(family) as rig:
        conn = HTTPSConnection("localhost", pki["impostor"].port, timeout=10, transport=rig.modem,
                               context=unverified_context())
        assert get(conn)[0] == 200


def test_an_ssl_context_that_does_not_verify_is_an_opt_out_too(pki):
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    with Rig("bg96") as rig:
        conn = HTTPSConnection("localhost", pki["impostor"].port, timeout=10, transport=rig.modem, context=context)
        assert get(conn)[0] == 200


def test_a_module_that_cannot_verify_refuses_https(pki):
    with Rig("sim800") as rig:
        conn = HTTPSConnection("localhost", pki["good"].port, timeout=10, transport=rig.modem, cadata=ca_pem(pki))
        with pytest.raises(ModemError, match="sim800: this module cannot verify TLS certificates"):
            get(conn)
        assert not rig.commands(OPEN_TLS["sim800"])


@pytest.mark.parametrize("family", ["sara_r4", "esp_at"])
def test_check_hostname_false_keeps_the_chain_check(family, pki):
    with rig_for(family) as rig:
        conn = HTTPSConnection("localhost", pki["wrong_name"].port, timeout=10, transport=rig.modem,
                               cadata=ca_pem(pki), check_hostname=False)
        assert get(conn)[0] == 200
        conn = HTTPSConnection("localhost", pki["impostor"].port, timeout=10, transport=rig.modem,
                               cadata=ca_pem(pki), check_hostname=False)
        with pytest.raises(ConnectFailed):
            get(conn)


def test_esp_at_2_takes_no_ca_from_the_host_but_a_named_one(pki):
    with Rig("esp_at", firmware="2.2", cafile=pki["ca_path"]) as rig:
        conn = HTTPSConnection("localhost", pki["good"].port, timeout=10, transport=rig.modem, cadata=ca_pem(pki))
        with pytest.raises(ModemError, match="esp_at: storing the CA certificate on the module failed"):
            get(conn)
        rig.modem.ca_name = "1"  # flashed into the PKI partition
        conn = HTTPSConnection("localhost", pki["good"].port, timeout=10, transport=rig.modem)
        assert get(conn) == (200, b"sni=localhost")
