"""Socket transport for MicroPython (ESP32, Pico W, unix port).

The core calls this through the transport seam:

    t = SocketTransport()
    sock = t.connect(host, port, timeout, source_address, tls, server_hostname)
    ctx = t.default_tls_context(cert_file, key_file, cadata=...)
    sock = t.start_tls(sock, ctx, server_hostname)

The returned ``Socket`` offers what the core needs -- ``sendall``, ``send``,
``recv_into(buf, nbytes)``, ``settimeout``, ``close``, ``fileno`` -- on top of
MicroPython's stream sockets, which have ``readinto``/``write`` but no
``recv_into``.  ``recv_into`` does not allocate: it is one method call on the
underlying socket (plain or TLS), writing at ``buf[0:k]``.

Errors: DNS failures (``OSError(-2)`` on the Pico W/unix, ``OSError(-202)``
on the ESP32, ``'[addrinfo error -2]'`` on the unix port) are re-raised as
``NameResolutionError`` (an ``OSError``, errno kept) saying the name did not
resolve and that Wi-Fi may be down.  A read that times out raises
``OSError(ETIMEDOUT)``, never returns ``None``.
"""

import select
import socket

try:
    from micropython import const
except ImportError:  # CPython: the file stays importable for tools/docs

    def const(x):
        return x


_ETIMEDOUT = const(110)  # MicroPython's errno.ETIMEDOUT on every port
_CERT_NONE = const(0)
_CERT_REQUIRED = const(2)

_warned_unverified = False


class NameResolutionError(OSError):
    """getaddrinfo() failed: unknown host name, no DNS, or Wi-Fi not up."""

    def __str__(self):
        return "[Errno %s] %s" % (self.args[0], self.args[1])


class ConnectError(OSError):
    """TCP connect failed (refused, unreachable, timed out); errno kept."""

    def __str__(self):
        return "[Errno %s] %s" % (self.args[0], self.args[1])


def _errno_of(exc):
    # errno of an OSError; the unix port's getaddrinfo raises
    # OSError('[addrinfo error -2]') whose only argument is a string.
    a = exc.args[0] if exc.args else None
    if isinstance(a, int):
        return a
    if isinstance(a, str) and "error" in a:
        try:
            return int(a.rsplit(" ", 1)[-1].rstrip("]"))
        except ValueError:
            pass
    return -2


def _resolve(host, port):
    try:
        return socket.getaddrinfo(host, port, 0, socket.SOCK_STREAM)
    except OSError as e:
        n = _errno_of(e)
        raise NameResolutionError(
            n,
            "name not resolved: %r (errno %d): unknown host, no DNS server, "
            "or Wi-Fi/network not up (wlan.isconnected()?)" % (host, n),
        )


class Socket:
    """A connected stream socket, plain or TLS, with the seam's interface.

    MicroPython's stream readinto(buf, n) blocks until all n bytes arrived,
    so the socket is kept non-blocking and waits with poll.ipoll(), which
    reuses its result tuple: one receive returns what has arrived, without
    allocating.
    """

    def __init__(self, raw, stream=None, timeout=None):
        self._raw = raw  # the TCP socket: owns fileno
        self._s = raw if stream is None else stream  # what we read/write
        self._timeout_ms = -1
        self.settimeout(timeout)
        raw.setblocking(False)
        self._readable = select.poll()
        self._readable.register(self._s, select.POLLIN)
        self._writable = select.poll()
        self._writable.register(self._s, select.POLLOUT)

    def _wait(self, poller):
        for _ in poller.ipoll(self._timeout_ms):
            return
        raise OSError(_ETIMEDOUT)

    def recv_into(self, buf, nbytes=0):
        # One transfer into buf[0:k]; 0 means EOF.
        if not nbytes:
            nbytes = len(buf)
        n = self._s.readinto(buf, nbytes)
        while n is None:
            self._wait(self._readable)
            n = self._s.readinto(buf, nbytes)
        return n

    readinto = recv_into

    def send(self, data):
        n = self._s.write(data)
        while n is None:
            self._wait(self._writable)
            n = self._s.write(data)
        return n

    def sendall(self, data):
        total = len(data)
        n = self.send(data)
        if n < total:
            mv = memoryview(data)
            while n < total:
                n += self.send(mv[n:])

    def settimeout(self, t):
        self._timeout_ms = -1 if t is None else int(t * 1000)

    def fileno(self):
        f = getattr(self._raw, "fileno", None)
        return f() if f else -1

    def close(self):
        s, raw = self._s, self._raw
        self._s = self._raw = None
        if s is None:
            return
        try:
            s.close()
        finally:
            if raw is not s:
                try:
                    raw.close()
                except OSError:
                    pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _pem_blocks(data):
    # Certificates/keys as a list of DER blobs.  The unix/ESP32 mbedtls
    # builds accept DER everywhere but PEM not always, so PEM is decoded
    # here.  DER input is returned as is.
    if isinstance(data, str):
        data = data.encode()
    if b"-----BEGIN" not in data:
        return [bytes(data)]
    from binascii import a2b_base64

    out = []
    b64 = None
    for line in data.split(b"\n"):
        line = line.strip()
        if line.startswith(b"-----BEGIN"):
            b64 = []
        elif line.startswith(b"-----END"):
            if b64 is not None:
                out.append(a2b_base64(b"".join(b64)))
            b64 = None
        elif b64 is not None and line:
            b64.append(line)
    if not out:
        raise ValueError("no PEM block found")
    return out


def _read(path):
    with open(path, "rb") as f:
        return f.read()


def _warn_unverified():
    global _warned_unverified
    if not _warned_unverified:
        _warned_unverified = True
        print(
            "microhttplib: WARNING: this board has no CA certificates; HTTPS "
            "server certificates are NOT verified. Pass cadata=<PEM or DER> "
            "(or context=) to HTTPSConnection to verify."
        )


class LegacyTLSContext:
    """Stand-in for tls.SSLContext on firmware that only has
    ssl.wrap_socket() (MicroPython < 1.23 / ussl)."""

    def __init__(self, cadata=None, cert=None, key=None):
        self.cadata = cadata
        self.cert = cert
        self.key = key
        self.verify_mode = _CERT_NONE if cadata is None else _CERT_REQUIRED

    def wrap_socket(self, sock, server_side=False, server_hostname=None):
        try:
            import ssl
        except ImportError:
            import ussl as ssl
        kw = {"server_hostname": server_hostname}
        if self.cert is not None:
            kw["cert"] = self.cert
            kw["key"] = self.key
        if self.cadata is not None:
            kw["cadata"] = self.cadata
            kw["cert_reqs"] = self.verify_mode
        return ssl.wrap_socket(sock, **kw)


def _tls_module():
    try:
        import tls
    except ImportError:
        return None
    return tls if hasattr(tls, "SSLContext") else None


class SocketTransport:
    """The default transport on MicroPython: TCP sockets plus tls/ssl."""

    def connect(
        self, host, port, timeout=None, source_address=None, tls=None, server_hostname=None
    ):
        err = None
        for ai in _resolve(host, port):
            raw = socket.socket(ai[0], ai[1], ai[2])
            try:
                if timeout is not None:
                    raw.settimeout(timeout)
                if source_address:
                    raw.bind(socket.getaddrinfo(source_address[0], source_address[1])[0][-1])
                raw.connect(ai[-1])
            except OSError as e:
                raw.close()
                err = e
                continue
            if tls is not None:
                return self._wrap(raw, tls, server_hostname or host, timeout)
            return Socket(raw, None, timeout)
        n = _errno_of(err) if err is not None else -2
        raise ConnectError(
            n,
            "cannot connect to %s:%s (errno %d%s)"
            % (host, port, n, ", timed out" if n == _ETIMEDOUT else ""),
        )

    def start_tls(self, sock, tls, server_hostname):
        timeout_ms = sock._timeout_ms
        raw = sock._raw
        raw.setblocking(True)  # the handshake runs blocking, under the timeout
        return self._wrap(raw, tls, server_hostname,
                          None if timeout_ms < 0 else timeout_ms / 1000)

    def _wrap(self, raw, tls, server_hostname, timeout):
        if timeout is not None:
            raw.settimeout(timeout)
        try:
            s = tls.wrap_socket(raw, server_hostname=server_hostname)
        except Exception:
            raw.close()
            raise
        return Socket(raw, s, timeout)

    def default_tls_context(self, cert_file=None, key_file=None, cadata=None, cafile=None):
        if cafile is not None and cadata is None:
            cadata = _read(cafile)
        cert = key = None
        if cert_file is not None:
            cert = _pem_blocks(_read(cert_file))[0]
            key = _pem_blocks(_read(key_file or cert_file))[-1]
        tls = _tls_module()
        if tls is None:
            if cadata is None:
                _warn_unverified()
            else:
                cadata = _pem_blocks(cadata)[0]
            return LegacyTLSContext(cadata, cert, key)
        ctx = tls.SSLContext(tls.PROTOCOL_TLS_CLIENT)
        if cadata is None:
            _warn_unverified()
            ctx.verify_mode = tls.CERT_NONE
        else:
            for der in _pem_blocks(cadata):
                ctx.load_verify_locations(der)
            ctx.verify_mode = tls.CERT_REQUIRED
        if cert is not None:
            ctx.load_cert_chain(cert, key)
        return ctx
