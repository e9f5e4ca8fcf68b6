"""What the LTE-M / NB-IoT families add beyond the shared tests (which run
them like every family: tests/test_modem_http.py, test_modem_faults.py,
test_modem_micropython.py, test_modem_emulator_robust.py): TLS that
verifies the server and sends SNI, and the aliases of related modules.
"""

import socket
import ssl
import threading

import pytest

from at_client import ATClient
from microhttplib import HTTPSConnection
from microhttplib.ports.serial_modem import Modem, ModemError
from microhttplib.ports.serial_modem.emulator import Emulator
from microhttplib.ports.serial_modem.modem import ALIASES, load_family
from modem_helpers import Rig

TLS_FAMILIES = ["sim7080"]


class SNIServer:
    """A TLS server on loopback that records the SNI of each handshake and
    answers one HTTP/1.1 response per connection."""

    def __init__(self, tls_files):
        self.names = []
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(tls_files.cert_path, tls_files.key_path)
        context.sni_callback = lambda sock, name, ctx: self.names.append(name)
        self.context = context
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while True:
            try:
                raw, _ = self.listener.accept()
            except OSError:
                return
            try:
                with self.context.wrap_socket(raw, server_side=True) as conn:
                    request = b""
                    while b"\r\n\r\n" not in request:
                        chunk = conn.recv(4096)
                        if not chunk:
                            break
                        request += chunk
                    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello")
            except (OSError, ssl.SSLError):
                pass

    def close(self):
        self.listener.close()


@pytest.fixture
def sni_server(tls_files):
    server = SNIServer(tls_files)
    yield server
    server.close()


@pytest.mark.parametrize("family", TLS_FAMILIES)
def test_tls_sends_the_host_name_as_sni_and_verifies(family, sni_server, tls_files):
    with Rig(family, cafile=tls_files.ca_pem_path) as rig:
        conn = HTTPSConnection("localhost", sni_server.port, timeout=10, transport=rig.modem)
        conn.request("GET", "/")
        assert conn.getresponse().read() == b"hello"
        conn.close()
    assert sni_server.names == ["localhost"]


@pytest.mark.parametrize("family", TLS_FAMILIES)
def test_tls_refuses_a_server_the_stored_ca_does_not_sign(family, sni_server):
    with Rig(family, cafile=None) as rig:  # the module trusts only the system CAs
        conn = HTTPSConnection("localhost", sni_server.port, timeout=10, transport=rig.modem)
        with pytest.raises(ModemError):
            conn.request("GET", "/")
        conn.close()


def test_sim7080_without_a_ca_on_the_link_does_not_verify(sni_server):
    """The module's own default, which the emulator models: no CACERT, no check."""
    with Emulator("sim7080", cafile=None) as emu:
        client = ATClient(emu.path)
        try:
            for line in ("ATE0", "AT+CNACT=0,1", 'AT+CASSLCFG=0,"SSL",1'):
                client.at(line)
            client.quiet()
            reply = client.at('AT+CAOPEN=0,0,"TCP","localhost",%d' % sni_server.port)
            assert reply == [b"+CAOPEN: 0,0", b"OK"]
            assert client.at('AT+CASSLCFG=1,"SSL",1;+CASSLCFG=1,"CACERT","ca.pem"') == [b"OK"]
            reply = client.at('AT+CAOPEN=1,0,"TCP","localhost",%d' % sni_server.port)
            assert reply == [b"+CAOPEN: 1,27", b"OK"]  # with a CA set: verified, and refused
        finally:
            client.close()


@pytest.mark.parametrize("alias", sorted(ALIASES))
def test_aliases_load_the_family_of_their_command_set(alias):
    assert load_family(alias).name == ALIASES[alias]


def test_an_alias_drives_the_emulator(http_server):
    with Emulator("bg96") as emu:
        modem = Modem(emu.path, "ec21", apn="internet")
        from microhttplib import HTTPConnection
        conn = HTTPConnection("localhost", http_server.port, timeout=10, transport=modem)
        conn.request("GET", "/index.html")
        assert conn.getresponse().status == 200
        conn.close()
        modem.close()
