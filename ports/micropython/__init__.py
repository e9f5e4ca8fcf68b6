"""MicroPython port: the socket transport (``SocketTransport``).

TLS contexts (``tlsctx``) load on the first HTTPS connection, and the Wi-Fi
helper (``microhttplib.ports.micropython.wifi``) only when imported, so a
board pays for neither unless it uses them."""

from .transport import (
    SocketTransport, Socket, TransportError, NameResolutionError, ConnectError,
    CertificateError)
