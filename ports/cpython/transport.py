"""Sockets and TLS from CPython's standard library."""

import select
import socket
import ssl


def unverified_context():
    """The explicit opt-out: TLS without certificate or host name checks."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def _as_cadata(cadata):
    """PEM as str or bytes, or DER bytes, as MicroPython takes them: ssl wants PEM as str."""
    if isinstance(cadata, (bytes, bytearray, memoryview)):
        cadata = bytes(cadata)
        if b"-----BEGIN" in cadata:
            return cadata.decode("ascii")
    return cadata


class SocketTransport:
    def connect(self, host, port, timeout=None, source_address=None, tls=None,
                server_hostname=None):
        sock = socket.create_connection((host, port), timeout, source_address)
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:
            pass  # not TCP (a Unix socket in a test, say)
        if tls is not None:
            try:
                sock = tls.wrap_socket(sock, server_hostname=server_hostname or host)
            except BaseException:
                sock.close()
                raise
        return sock

    def start_tls(self, sock, tls, server_hostname):
        return tls.wrap_socket(sock, server_hostname=server_hostname)

    def default_tls_context(self, cert_file=None, key_file=None, cadata=None):
        """Verifying context, as ssl.create_default_context() makes it."""
        context = ssl.create_default_context(cadata=_as_cadata(cadata))
        context.set_alpn_protocols(["http/1.1"])
        if context.post_handshake_auth is not None:
            context.post_handshake_auth = True
        if cert_file:
            context.load_cert_chain(cert_file, key_file)
        return context

    def peer_closed(self, sock):
        """True when an idle kept-alive socket has been closed (or written to) by the server."""
        try:
            fd = sock.fileno()
        except (AttributeError, OSError):
            return False
        if fd < 0:
            return True
        readable, _, _ = select.select([fd], [], [], 0)
        return bool(readable)
