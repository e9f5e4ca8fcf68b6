"""The modem transport on the real MicroPython unix port (cross-compiled
tree), talking to the emulator's pseudo-terminal through a UART look-alike."""

import pytest

from mp_helpers import lines, run_mp
from modem_helpers import OPEN_COMMAND, Rig

UART_AND_HELPERS = """
import io, select, termios, time
from microhttplib import HTTPConnection, IncompleteRead
from microhttplib.ports.serial_modem import Modem


class PtyUART(io.IOBase):
    # The pty device as a machine.UART look-alike. VMIN=0 makes a read
    # return what is there instead of waiting for n bytes; a pty has no byte
    # count, so any() only says whether something is there.
    def __init__(self, path):
        self.file = open(path, "r+b")
        fd = self.file.fileno()
        termios.setraw(fd)
        attrs = termios.tcgetattr(fd)
        attrs[6][6] = 0  # VMIN
        attrs[6][5] = 0  # VTIME
        termios.tcsetattr(fd, termios.TCSANOW, attrs)
        self.poller = select.poll()
        self.poller.register(self.file, select.POLLIN)

    def any(self):
        for _ in self.poller.ipoll(0):
            return 4096
        return 0

    def readinto(self, buf, n=-1):
        return self.file.readinto(buf, len(buf) if n < 0 else n)

    def write(self, data):
        return self.file.write(data)

    def ioctl(self, request, arg):
        # select.poll on the unix port asks for the descriptor (10 =
        # MP_STREAM_GET_FILENO) and polls it; bare-metal ports ask 3 (POLL).
        if request == 10:
            return self.file.fileno()
        if request == 3:
            return select.POLLIN & arg if self.any() else 0
        return -1

    def close(self):
        self.file.close()


def pattern(n):
    return bytes(i % 251 for i in range(n))


def fetch(conn, method, path, body=None):
    conn.request(method, path, body)
    response = conn.getresponse()
    return response.status, response.read()
"""


@pytest.mark.parametrize("family", ["sim800", "esp_at", "sara_r4", "sim7080", "a7670"])
def test_http_over_the_modem_on_micropython(family, http_server):
    with Rig(family) as rig:
        rig.modem.close()  # the port belongs to MicroPython in this test
        out = run_mp(UART_AND_HELPERS + """
kw = {"ssid": "testnet", "psk": "secret"} if FAMILY == "esp_at" else {"apn": "internet"}
modem = Modem(PtyUART(DEVICE), FAMILY, **kw)
conn = HTTPConnection("localhost", PORT, timeout=10, transport=modem)
status, body = fetch(conn, "GET", "/index.html")
print("index", status, len(body), body.startswith(b"<!doctype html>"))
nasty = b"\\r\\nOK\\r\\n+IPD,5:x0, CLOSED\\r\\n" * 300
status, body = fetch(conn, "POST", "/echo", nasty)
print("echo", status, body.count(b"+IPD,5:x0, CLOSED"))
status, body = fetch(conn, "GET", "/bytes/40000")
print("bytes", status, body == pattern(40000))
status, body = fetch(conn, "GET", "/chunked/5000")
print("chunked", status, body == pattern(5000))
conn.close()
modem.close()
""", tree="mpy", FAMILY=family, DEVICE=rig.path, PORT=int(http_server.port), timeout=60)
        assert lines(out) == ["index 200 167 True", "echo 200 300", "bytes 200 True", "chunked 200 True"]
        opens = rig.commands(OPEN_COMMAND[family])
        assert len(opens) == 1  # keep-alive on the board too


def test_remote_close_mid_body_on_micropython(http_server):
    with Rig("sim800") as rig:
        rig.modem.close()
        rig.emulator.fault("close", 20000)  # the first link is cut after 20000 bytes
        out = run_mp(UART_AND_HELPERS + """
modem = Modem(PtyUART(DEVICE), "sim800", apn="internet")
conn = HTTPConnection("localhost", PORT, timeout=10, transport=modem)
conn.request("GET", "/bytes/60000")
response = conn.getresponse()
try:
    response.read()
except IncompleteRead as e:
    print("incomplete", len(e.partial), e.partial == pattern(len(e.partial)))
conn.close()
status, body = fetch(conn, "GET", "/bytes/1000")
print("again", status, body == pattern(1000))
""", tree="mpy", DEVICE=rig.path, PORT=int(http_server.port), timeout=60)
        result = lines(out)
        assert result[0].startswith("incomplete ") and result[0].endswith(" True")
        assert 19000 < int(result[0].split()[1]) < 20000  # every byte up to the cut, minus the head
        assert result[1] == "again 200 True"


def test_steady_state_allocation_on_micropython(http_server):
    """Payload goes straight into the caller's buffer: what the read path
    allocates per packet (command and reply lines) stays well below the
    payload size."""
    with Rig("sim800") as rig:
        rig.modem.close()
        out = run_mp(UART_AND_HELPERS + """
import gc
modem = Modem(PtyUART(DEVICE), "sim800", apn="internet")
conn = HTTPConnection("localhost", PORT, timeout=10, transport=modem)
fetch(conn, "GET", "/bytes/100")
buf = bytearray(1024)
conn.request("GET", "/bytes/80000")
response = conn.getresponse()
gc.collect()
gc.disable()
before = gc.mem_alloc()
total = 0
while True:
    n = response.readinto(buf)
    if not n:
        break
    total += n
allocated = gc.mem_alloc() - before
gc.enable()
print(total, allocated * 1024 // total)
""", tree="mpy", DEVICE=rig.path, PORT=int(http_server.port), timeout=60)
        total, per_kib = map(int, lines(out)[0].split())
        assert total == 80000
        assert per_kib < 1024, "%d bytes allocated per KiB of body" % per_kib


@pytest.mark.parametrize("family", ["sim7600", "sara_r4"])
def test_verified_https_over_the_modem_on_micropython(family, tls_server):
    """tls.py on the board: the CA goes onto the module, verification is
    configured, and without a CA the request is refused."""
    with Rig(family) as rig:
        rig.modem.close()
        out = run_mp(UART_AND_HELPERS + """
from microhttplib import HTTPSConnection
from microhttplib.ports.serial_modem import ModemError
modem = Modem(PtyUART(DEVICE), FAMILY, apn="internet")
conn = HTTPSConnection("localhost", PORT, timeout=10, transport=modem)
try:
    fetch(conn, "GET", "/index.html")
except ModemError as e:
    print("refused", "no CA certificate" in str(e))
conn = HTTPSConnection("localhost", PORT, timeout=10, transport=modem, cadata=CA)
status, body = fetch(conn, "GET", "/bytes/3000")
print("verified", status, body == pattern(3000))
modem.close()
""", tree="mpy", FAMILY=family, DEVICE=rig.path, PORT=int(tls_server.port), CA=tls_server.ca_pem, timeout=60)
        assert lines(out) == ["refused True", "verified 200 True"]
        assert len([c for c in rig.emulator.commands if c.startswith(("AT+CCERTDOWN", "AT+USECMNG=0"))]) == 1
