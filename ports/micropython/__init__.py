"""MicroPython port: the socket transport (``SocketTransport``).

TLS contexts (``tlsctx``) load on the first HTTPS connection, and the Wi-Fi
helper (``microhttplib.ports.micropython.wifi``) only when imported, so a
board pays for neither unless it uses them."""

from .transport import SocketTransport, Socket


def __getattr__(name):
    # TransportError, NameResolutionError, ConnectError, CertificateError come
    # from errors.py, loaded on first use.
    if name.endswith("Error"):
        from . import errors
        return getattr(errors, name)
    # `from microhttplib.ports.micropython import wifi`: MicroPython asks the
    # package's __getattr__ for a submodule not imported yet.
    import sys
    module = __name__ + "." + name
    try:
        __import__(module)
    except ImportError:
        raise AttributeError(name)
    return sys.modules[module]
