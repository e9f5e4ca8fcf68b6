"""ports/micropython/transport.py on the real MicroPython unix port, against
real loopback TCP and TLS servers (CPython threads in the test process).

These exercise the transport seam directly (no core): connect, sendall,
recv_into under heap_lock, timeouts, DNS and connect errors, TLS with a
trustme CA passed as cadata, hostname checking, start_tls, the unverified
warning, and the ssl.wrap_socket fallback for old firmware.
"""

import socket
import ssl
import threading
import time

import pytest
import trustme

from mp_helpers import lines, run_mp, run_mp_proc

PATTERN_MOD = 251


def pattern(n, start=0):
    return bytes((start + i) % PATTERN_MOD for i in range(n))


class LoopbackServer:
    """Line-command TCP server: 'BYTES n' sends n pattern bytes and closes,
    'SLOW s' waits s seconds then closes, 'ECHO' echoes until EOF,
    'STARTTLS n' answers 'OK' then does TLS and sends n bytes."""

    def __init__(self, tls_ctx=None):
        self.tls_ctx = tls_ctx
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.errors = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._handle, args=(c,), daemon=True).start()

    @staticmethod
    def _line(c):
        data = b""
        while not data.endswith(b"\n"):
            d = c.recv(1)
            if not d:
                break
            data += d
        return data.decode().split()

    def _handle(self, c):
        try:
            if self.tls_ctx is not None:
                c = self.tls_ctx.wrap_socket(c, server_side=True)
            cmd = self._line(c)
            if not cmd:
                return
            if cmd[0] == "BYTES":
                c.sendall(pattern(int(cmd[1])))
            elif cmd[0] == "SLOW":
                time.sleep(float(cmd[1]))
            elif cmd[0] == "ECHO":
                while True:
                    d = c.recv(65536)
                    if not d:
                        break
                    c.sendall(d)
            elif cmd[0] == "STARTTLS":
                c.sendall(b"OK\n")
                c = self.tls_ctx_for_starttls.wrap_socket(c, server_side=True)
                c.sendall(pattern(int(cmd[1])))
        except Exception as e:  # the client may refuse the certificate
            self.errors.append(e)
        finally:
            try:
                c.close()
            except OSError:
                pass


@pytest.fixture(scope="module")
def ca(tmp_path_factory):
    ca = trustme.CA()
    cert = ca.issue_cert("localhost", "127.0.0.1")
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(ctx)
    return ca, ctx


@pytest.fixture(scope="module")
def tcp(ca):
    s = LoopbackServer()
    s.tls_ctx_for_starttls = ca[1]
    return s


@pytest.fixture(scope="module")
def tls(ca):
    return LoopbackServer(ca[1])


@pytest.fixture(scope="module")
def ca_pem(ca):
    return ca[0].cert_pem.bytes().decode()


# Reads everything into a preallocated 1 KiB buffer with the heap locked and
# checks every byte against the pattern; any allocation raises MemoryError.
READ_ALL_LOCKED = """
import micropython
def read_all_locked(sock, expect):
    buf = bytearray(1024)
    total = 0
    bad = -1
    micropython.heap_lock()
    try:
        while True:
            k = sock.recv_into(buf, 1024)
            if k == 0:
                break
            i = 0
            while i < k:
                if buf[i] != (total + i) % 251 and bad < 0:
                    bad = total + i
                i += 1
            total += k
    finally:
        micropython.heap_unlock()
    return total, bad
"""


@pytest.mark.parametrize("tree", ["mp", "mpy"])
def test_plain_1mib_recv_into_under_heap_lock(tcp, tree):
    out = run_mp(READ_ALL_LOCKED + """
from microhttplib.ports.micropython import SocketTransport
t = SocketTransport()
s = t.connect('127.0.0.1', PORT, timeout=5)
s.sendall(b'BYTES %d\\n' % N)
print(read_all_locked(s, N))
s.close()
""", tree=tree, PORT=tcp.port, N=1 << 20)
    assert lines(out)[-1] == "(1048576, -1)"


def test_tls_1mib_recv_into_under_heap_lock_verified(tls, ca_pem):
    out = run_mp(READ_ALL_LOCKED + """
from microhttplib.ports.micropython import SocketTransport
t = SocketTransport()
ctx = t.default_tls_context(cadata=CA)
s = t.connect('127.0.0.1', PORT, timeout=5, tls=ctx, server_hostname='localhost')
s.sendall(b'BYTES %d\\n' % N)
print(read_all_locked(s, N))
s.close()
""", PORT=tls.port, N=1 << 20, CA=ca_pem)
    assert lines(out) == ["(1048576, -1)"]  # and no "unverified" warning


def test_send_sendall_echo(tcp):
    out = run_mp("""
from microhttplib.ports.micropython import SocketTransport
s = SocketTransport().connect('localhost', PORT, timeout=5)
s.sendall(b'ECHO\\n')
n = s.send(b'abc')
s.sendall(b'x' * 100000)
print(n, type(s.fileno()).__name__)
got = 0
buf = bytearray(4096)
first = None
while got < 100003:
    k = s.recv_into(buf, 4096)
    if first is None:
        first = bytes(buf[:3])
    got += k
print(got, first)
s.close()
s.close()  # idempotent
""", PORT=tcp.port)
    assert lines(out) == ["3 int", "100003 b'abc'"]


@pytest.mark.parametrize("use_tls", [False, True])
def test_recv_into_returns_what_arrived_without_waiting_for_a_full_buffer(tcp, tls, ca_pem, use_tls):
    # Keep-alive: the peer sends 5 bytes and keeps the connection open.
    # MicroPython's blocking readinto(buf, n) would wait for n bytes; the
    # transport must return the 5 at once, with the heap locked.
    out = run_mp("""
import time, micropython
from microhttplib.ports.micropython import SocketTransport
t = SocketTransport()
ctx = t.default_tls_context(cadata=CA) if USE_TLS else None
s = t.connect('127.0.0.1', PORT, timeout=5, tls=ctx, server_hostname='localhost')
s.sendall(b'ECHO\\n')
def exchange(s, buf, msg):
    s.sendall(msg)
    t0 = time.ticks_ms()
    micropython.heap_lock()
    n = s.recv_into(buf, 1024)
    micropython.heap_unlock()
    return n, time.ticks_diff(time.ticks_ms(), t0)
buf = bytearray(1024)
for msg in (b'hello', b'again, longer'):
    n, ms = exchange(s, buf, msg)
    print(n, bytes(buf[:n]).decode(), ms < 1000)
""", PORT=tls.port if use_tls else tcp.port, CA=ca_pem, USE_TLS=use_tls)
    assert lines(out) == ["5 hello True", "13 again, longer True"]


@pytest.mark.parametrize("use_tls", [False, True])
def test_read_timeout_raises_etimedout(tcp, tls, ca_pem, use_tls):
    out = run_mp("""
import time
from microhttplib.ports.micropython import SocketTransport
t = SocketTransport()
ctx = t.default_tls_context(cadata=CA) if USE_TLS else None
s = t.connect('127.0.0.1', PORT, timeout=0.5, tls=ctx, server_hostname='localhost')
s.sendall(b'SLOW 3\\n')
t0 = time.ticks_ms()
try:
    s.recv_into(bytearray(10), 10)
    print('no timeout')
except OSError as e:
    print('OSError', e.errno, time.ticks_diff(time.ticks_ms(), t0))
""", PORT=tls.port if use_tls else tcp.port, CA=ca_pem, USE_TLS=use_tls)
    word, errno, ms = lines(out)[-1].split()
    assert (word, errno) == ("OSError", "110")
    assert 400 <= int(ms) < 2500


def test_settimeout_changes_read_timeout(tcp):
    out = run_mp("""
import time
from microhttplib.ports.micropython import SocketTransport
s = SocketTransport().connect('127.0.0.1', PORT, timeout=10)
s.sendall(b'SLOW 3\\n')
s.settimeout(0.3)
t0 = time.ticks_ms()
try:
    s.recv_into(bytearray(10), 10)
except OSError as e:
    print(e.errno, time.ticks_diff(time.ticks_ms(), t0))
""", PORT=tcp.port)
    errno, ms = lines(out)[-1].split()
    assert errno == "110" and 250 <= int(ms) < 2000


def test_dns_failure_is_a_clear_oserror():
    out = run_mp("""
from microhttplib.ports.micropython import SocketTransport, NameResolutionError
try:
    SocketTransport().connect('no-such-host.invalid', 80, timeout=3)
except OSError as e:
    print(type(e).__name__, isinstance(e, NameResolutionError), type(e.errno).__name__, e.errno < 0)
    print(str(e))
""")
    first, msg = lines(out)
    assert first == "NameResolutionError True int True"
    assert "name not resolved" in msg and "no-such-host.invalid" in msg and "Wi-Fi" in msg


def test_board_dns_errnos_are_translated():
    # The ESP32 raises a bare OSError(-202), the Pico W OSError(-2): replay
    # both through the real code path with getaddrinfo patched.
    out = run_mp("""
import socket
from microhttplib.ports.micropython import transport, NameResolutionError
class FakeSocketModule:  # built-in modules are read-only: swap the reference
    SOCK_STREAM = socket.SOCK_STREAM
    def __init__(self, code):
        self.code = code
    def getaddrinfo(self, *a):
        raise OSError(self.code)
for code in (-202, -2):
    transport.socket = FakeSocketModule(code)
    try:
        transport.SocketTransport().connect('example.com', 80)
    except NameResolutionError as e:
        print(e.errno, 'name not resolved' in str(e), 'Wi-Fi' in str(e))
transport.socket = socket
""")
    assert lines(out) == ["-202 True True", "-2 True True"]


def test_connection_refused_keeps_errno():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens there now
    out = run_mp("""
from microhttplib.ports.micropython import SocketTransport
try:
    SocketTransport().connect('127.0.0.1', PORT, timeout=3)
except OSError as e:
    print(type(e).__name__, e.errno, str(e))
""", PORT=port)
    assert lines(out)[-1].startswith("ConnectError 111 ")
    assert "127.0.0.1:%d" % port in out


@pytest.mark.parametrize("kind", ["pem-str", "pem-bytes", "der"])
def test_tls_cadata_forms_verify(tls, ca, kind):
    if kind == "pem-str":
        cadata = ca[0].cert_pem.bytes().decode()
    elif kind == "pem-bytes":
        cadata = ca[0].cert_pem.bytes()
    else:
        cadata = ssl.PEM_cert_to_DER_cert(ca[0].cert_pem.bytes().decode())
    out = run_mp("""
from microhttplib.ports.micropython import SocketTransport
import tls
t = SocketTransport()
ctx = t.default_tls_context(cadata=CA)
print(ctx.verify_mode == tls.CERT_REQUIRED)
s = t.connect('127.0.0.1', PORT, timeout=5, tls=ctx, server_hostname='localhost')
s.sendall(b'BYTES 5\\n')
b = bytearray(16)
print(s.recv_into(b, 16), bytes(b[:5]))
""", PORT=tls.port, CA=cadata)
    assert lines(out) == ["True", "5 b'\\x00\\x01\\x02\\x03\\x04'"]


def test_tls_wrong_host_refused(tls, ca_pem):
    r = run_mp_proc("""
from microhttplib.ports.micropython import SocketTransport
t = SocketTransport()
s = t.connect('127.0.0.1', PORT, timeout=5, tls=t.default_tls_context(cadata=CA),
              server_hostname='wrong.example')
print('CONNECTED')
""", PORT=tls.port, CA=ca_pem)
    assert r.returncode != 0
    assert "CONNECTED" not in r.stdout
    output = r.stdout + r.stderr  # MicroPython prints tracebacks on stdout
    assert "CertificateError" in output and "-9984" in output
    assert "certificate verify failed for 'wrong.example'" in output
    assert "does not match with the expected CN" in output


def test_tls_untrusted_ca_refused(tls):
    other = trustme.CA().cert_pem.bytes().decode()
    r = run_mp_proc("""
from microhttplib.ports.micropython import SocketTransport
t = SocketTransport()
t.connect('127.0.0.1', PORT, timeout=5, tls=t.default_tls_context(cadata=CA),
          server_hostname='localhost')
print('CONNECTED')
""", PORT=tls.port, CA=other)
    assert r.returncode != 0 and "CONNECTED" not in r.stdout
    assert "CertificateError" in r.stdout
    assert "not correctly signed by the trusted CA" in r.stdout + r.stderr


def test_no_ca_warns_once_and_runs_unverified(tls):
    out = run_mp("""
from microhttplib.ports.micropython import SocketTransport
import tls
t = SocketTransport()
for i in range(2):
    ctx = t.default_tls_context()
    print('mode', ctx.verify_mode == tls.CERT_NONE)
    s = t.connect('127.0.0.1', PORT, timeout=5, tls=ctx, server_hostname='wrong.example')
    s.sendall(b'BYTES 3\\n')
    b = bytearray(8)
    print('got', s.recv_into(b, 8))
    s.close()
""", PORT=tls.port)
    out_lines = lines(out)
    warnings = [line for line in out_lines if "NOT verified" in line]
    assert len(warnings) == 1 and "cadata" in warnings[0]
    assert [line for line in out_lines if "NOT verified" not in line] == [
        "mode True", "got 3", "mode True", "got 3"]


def test_start_tls_upgrades_a_plain_connection(tcp, ca_pem):
    out = run_mp("""
from microhttplib.ports.micropython import SocketTransport
t = SocketTransport()
s = t.connect('127.0.0.1', PORT, timeout=5)
s.sendall(b'STARTTLS 7\\n')
b = bytearray(16)
print(bytes(b[:s.recv_into(b, 3)]))
s = t.start_tls(s, t.default_tls_context(cadata=CA), 'localhost')
n = 0
while True:
    k = s.recv_into(b, 16)
    if not k:
        break
    n += k
print(n)
""", PORT=tcp.port, CA=ca_pem)
    assert lines(out) == ["b'OK\\n'", "7"]


def test_legacy_wrap_socket_fallback(tls, ca_pem):
    # Firmware without the tls module: LegacyTLSContext goes through
    # ssl.wrap_socket(cadata=..., cert_reqs=...) and still checks the host.
    out = run_mp("""
from microhttplib.ports.micropython import transport, tlsctx
t = transport.SocketTransport()
ctx = tlsctx.LegacyTLSContext(tlsctx._pem_blocks(CA)[0])
s = t.connect('127.0.0.1', PORT, timeout=5, tls=ctx, server_hostname='localhost')
s.sendall(b'BYTES 4\\n')
b = bytearray(8)
print('ok', s.recv_into(b, 8))
try:
    t.connect('127.0.0.1', PORT, timeout=5, tls=ctx, server_hostname='wrong.example')
    print('wrong host accepted')
except Exception as e:
    print('refused', type(e).__name__)
""", PORT=tls.port, CA=ca_pem)
    assert lines(out) == ["ok 4", "refused CertificateError"]


@pytest.fixture
def unaccepting_port():
    """A listener whose backlog is full: new connects get no SYN-ACK and hang."""
    ls = socket.socket()
    ls.bind(("127.0.0.1", 0))
    ls.listen(0)
    port = ls.getsockname()[1]
    fill = []
    for _ in range(4):
        s = socket.socket()
        s.setblocking(False)
        try:
            s.connect(("127.0.0.1", port))
        except BlockingIOError:
            pass
        fill.append(s)
    time.sleep(0.1)
    yield port
    for s in fill:
        s.close()
    ls.close()


def test_connect_timeout(unaccepting_port):
    out = run_mp("""
import time
from microhttplib.ports.micropython import SocketTransport
import microhttplib as httplib
for use_core in (False, True):
    t0 = time.ticks_ms()
    try:
        if use_core:
            httplib.HTTPConnection('127.0.0.1', PORT, timeout=0.5).request('GET', '/')
        else:
            SocketTransport().connect('127.0.0.1', PORT, timeout=0.5)
        print('connected')
    except OSError as e:
        print(type(e).__name__, e.errno, time.ticks_diff(time.ticks_ms(), t0))
""", PORT=unaccepting_port)
    for line in lines(out):
        name, errno, ms = line.split()
        assert (name, errno) == ("ConnectError", "110")
        assert 400 <= int(ms) < 2500
    assert len(lines(out)) == 2
