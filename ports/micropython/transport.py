"""Socket transport for MicroPython (ESP32, Pico W, unix port).

The core calls this through the transport seam:

    t = SocketTransport()
    sock = t.connect(host, port, timeout, source_address, tls, server_hostname)
    ctx = t.default_tls_context(cert_file, key_file, cadata=...)
    sock = t.start_tls(sock, ctx, server_hostname)

The returned ``Socket`` offers what the core needs -- ``sendall``, ``send``,
``recv_into(buf, nbytes)``, ``settimeout``, ``close``, ``fileno`` -- on top of
MicroPython's stream sockets, which have ``readinto``/``write`` but no
``recv_into``.  ``recv_into`` returns what has arrived (one transfer, at
``buf[0:k]``), waiting with ``poll.ipoll`` when nothing has, and allocates
nothing (the tests run it under ``micropython.heap_lock()``).  The optional
``recv_now(buf, nbytes)`` is the stream's own ``readinto``: what has
arrived, or None at once; the core's body loop calls it with no Python frame
in between.

TLS contexts are made by ``tlsctx.py``, imported on the first HTTPS
connection only (``start_tls`` and ``default_tls_context`` come from there).

Errors: DNS failures (``OSError(-2)`` on the Pico W/unix, ``OSError(-202)``
on the ESP32, ``'[addrinfo error -2]'`` on the unix port) are re-raised as
``NameResolutionError`` (an ``OSError``, errno kept) saying the name did not
resolve and that Wi-Fi may be down.  A read that times out raises
``OSError(ETIMEDOUT)``, never returns ``None``.  The exception classes and
their messages are in ``errors.py``, loaded on the first failure; the
package offers them (``microhttplib.ports.micropython.ConnectError``).
"""

import select
import socket

try:
    from micropython import const
except ImportError:  # CPython: the file stays importable for tools/docs

    def const(x):
        return x


_ETIMEDOUT = const(110)  # MicroPython's errno.ETIMEDOUT on every port


class Socket:
    """A connected stream socket, plain or TLS, with the seam's interface.

    MicroPython's ``readinto(buf, n)`` on a *blocking* socket reads exactly
    ``n`` bytes (it loops until the buffer is full or EOF), which would hang
    a keep-alive response shorter than the buffer.  So after connecting,
    the TCP socket is kept non-blocking: ``recv_into`` takes what is there
    (one transfer, like CPython's ``recv_into``) and, when nothing is,
    waits with ``select.poll().ipoll(timeout)`` -- allocation-free once
    primed.  Writes switch back to blocking-with-timeout for the duration
    of the write, where ``write`` sends everything.
    """

    def __init__(self, raw, stream=None, timeout=None):
        self._raw = raw  # the TCP socket: owns blocking mode and fileno
        self._s = raw if stream is None else stream  # what we read/write
        self.settimeout(timeout)
        p = select.poll()
        p.register(raw, select.POLLIN)
        for _ in p.ipoll(0):  # allocates ipoll's result tuple, once, now
            break
        self._poll = p
        raw.setblocking(False)
        # What has arrived, or None: never waits (the core's fast body path).
        self.recv_now = self._s.readinto

    def recv_into(self, buf, nbytes=0):
        # One transfer into buf[0:k]; 0 means EOF; OSError(ETIMEDOUT) when
        # nothing arrives within the timeout.  Allocates nothing, and its
        # frame and _wait's stay within the 11 words of VM state that
        # MicroPython keeps on the C stack (a larger one is heap-allocated).
        if not nbytes:
            nbytes = len(buf)
        n = self._s.readinto(buf, nbytes)
        while n is None:  # nothing buffered (TLS: mbedtls wants a record)
            self._wait()
            n = self._s.readinto(buf, nbytes)
        return n

    def _wait(self):
        for _ in self._poll.ipoll(self._ms):
            return
        raise OSError(_ETIMEDOUT)

    readinto = recv_into

    def _write(self, data):
        raw = self._raw
        raw.settimeout(self._timeout)
        try:
            n = self._s.write(data)  # blocking: writes everything
        finally:
            raw.setblocking(False)
        if n is None:
            raise OSError(_ETIMEDOUT)
        return n

    send = _write  # a blocking write sends everything

    def sendall(self, data):
        total = len(data)
        n = self._write(data)
        if n < total:
            mv = memoryview(data)
            while n < total:
                n += self._write(mv[n:])

    def settimeout(self, t):
        self._timeout = t
        self._ms = -1 if t is None else int(t * 1000)

    def fileno(self):
        f = getattr(self._raw, "fileno", None)
        return f() if f else -1

    def close(self):
        # The poll object goes with this Socket: nothing polls a closed one
        # (recv_into and peer_closed stop at _s None), so no unregister.
        s, raw = self._s, self._raw
        if s is None:
            return
        self._s = self._raw = None
        try:
            s.close()
        finally:
            if raw is not s:
                try:
                    raw.close()
                except OSError:
                    pass


class SocketTransport:
    """The default transport on MicroPython: TCP sockets plus tls/ssl."""

    def connect(
        self, host, port, timeout=None, source_address=None, tls=None, server_hostname=None
    ):
        try:
            found = socket.getaddrinfo(host, port, 0, socket.SOCK_STREAM)
        except OSError as e:
            # `from . import errors`, not `from .errors import ...`: no dotted
            # module name to intern on a board (errors and tlsctx alike).
            from . import errors

            raise errors.not_resolved(host, e)
        err = None
        for ai in found:
            raw = socket.socket(ai[0], ai[1], ai[2])
            try:
                raw.settimeout(timeout)  # None: blocking, the default
                if source_address:
                    raw.bind(socket.getaddrinfo(source_address[0], source_address[1])[0][-1])
                raw.connect(ai[-1])
            except OSError as e:
                raw.close()
                err = e
                continue
            if tls is not None:
                from . import tlsctx  # TLS code loads with the first HTTPS connection

                return tlsctx.wrap(raw, tls, server_hostname or host, timeout)
            return Socket(raw, None, timeout)
        from . import errors

        raise errors.not_connected(host, port, err)

    def peer_closed(self, sock):
        """True when a kept-alive socket can no longer carry a request: the
        server closed it (EOF, reset) or sent bytes nobody asked for.
        Asked by the core before reusing a connection; never blocks. A socket
        of the caller's (http.client's _create_connection hook) is not ours
        to poll: it is reused, and a dead one is found by the write."""
        if not isinstance(sock, Socket):
            return False
        s = sock._s
        if s is None:
            return True
        readable = False
        for _ in sock._poll.ipoll(0):
            readable = True
            break
        if not readable:
            return False
        try:
            n = s.readinto(bytearray(1), 1)
        except OSError:
            return True
        # None: only TLS records without application data (session tickets)
        return n is not None

    def __getattr__(self, name):
        # start_tls(sock, tls, server_hostname) and default_tls_context(cert_file,
        # key_file, cadata, cafile) live in tlsctx.py, which loads with the
        # first HTTPS connection: a plain-HTTP board never keeps TLS code.
        # (Any other name missing here is missing there: AttributeError.)
        from . import tlsctx

        return getattr(tlsctx, name)
