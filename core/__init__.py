"""microhttplib: the http.client API over a minimal-allocation HTTP/1.1 parser.

    import microhttplib as httplib
    conn = httplib.HTTPConnection("www.python.org")
    conn.request("GET", "/index.html")
    r1 = conn.getresponse()
    print(r1.status, r1.reason)

Status constants and `responses` load on first use, so a board that never
asks for them does not keep them in RAM.
"""

from .errors import (
    BadStatusLine, CannotSendHeader, CannotSendRequest, HTTPException, ImproperConnectionState,
    IncompleteRead, InvalidURL, LineTooLong, NotConnected, ProtocolError, RemoteDisconnected,
    ResponseNotReady, UnimplementedFileMode, UnknownProtocol, UnknownTransferEncoding, error)
from .headers import HTTPMessage
from .response import HTTPResponse
from .connection import HTTP_PORT, HTTPS_PORT, HTTPConnection, HTTPSConnection

__version__ = "0.1.0"

# http.client's __all__, plus ProtocolError (HTTPMessage stays out, as there).
__all__ = [
    "HTTPResponse", "HTTPConnection", "HTTPSConnection", "HTTPException", "NotConnected",
    "UnknownProtocol", "UnknownTransferEncoding", "UnimplementedFileMode", "IncompleteRead",
    "InvalidURL", "ImproperConnectionState", "CannotSendRequest", "CannotSendHeader",
    "ResponseNotReady", "BadStatusLine", "LineTooLong", "RemoteDisconnected", "ProtocolError",
    "error", "responses"]


def __getattr__(name):
    """Status constants (OK, NOT_FOUND, ...) and `responses`, loaded lazily."""
    if name.startswith("__") or name == "status":
        raise AttributeError(name)  # lets the import system find the submodule
    import sys
    __import__(__name__ + ".status")
    status = sys.modules[__name__ + ".status"]
    try:
        return getattr(status, name)
    except AttributeError:
        raise AttributeError("module 'microhttplib' has no attribute %r" % name)
