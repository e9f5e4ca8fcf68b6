"""CPython transport: the socket and ssl modules."""

from .transport import SocketTransport, unverified_context

__all__ = ["SocketTransport", "unverified_context"]
