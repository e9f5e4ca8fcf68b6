"""MicroPython port: socket/TLS transport (``SocketTransport``) and a Wi-Fi
bring-up helper (``microhttplib.ports.micropython.wifi``, imported on
demand so boards that bring up the network themselves don't pay for it)."""

from .transport import (
    SocketTransport,
    Socket,
    NameResolutionError,
    ConnectError,
    LegacyTLSContext,
)
