"""microhttplib: the http.client API over a minimal-allocation HTTP/1.1 parser.

    import microhttplib as httplib
    conn = httplib.HTTPConnection("www.python.org")
    conn.request("GET", "/index.html")
    r1 = conn.getresponse()
    print(r1.status, r1.reason)

Every public name loads its module on first use: `import microhttplib`
costs a board almost nothing, and one that never asks for the status table
or HTTPS never keeps them in RAM.
"""

__version__ = "0.1.0"

# http.client's __all__, plus ProtocolError (HTTPMessage and parse_headers stay out, as there).
# One string, split when asked for (__getattr__): a list would intern its 20
# names on a board at import, before any of them is used.
_ALL = ("HTTPResponse HTTPConnection HTTPSConnection HTTPException NotConnected"
        " UnknownProtocol UnknownTransferEncoding UnimplementedFileMode IncompleteRead"
        " InvalidURL ImproperConnectionState CannotSendRequest CannotSendHeader"
        " ResponseNotReady BadStatusLine LineTooLong RemoteDisconnected ProtocolError"
        " error responses")


def _home(name):
    """The submodule that defines a public name."""
    if name in ("HTTPConnection", "HTTP_PORT", "HTTPS_PORT"):
        return "connection"
    if name == "HTTPSConnection":
        return "https"
    if name == "HTTPResponse":
        return "response"
    if name == "HTTPMessage":
        return "headers"
    if name == "parse_headers":
        return "headerfile"
    if name == "responses" or name.isupper():
        return "status"  # OK, NOT_FOUND, ...
    return "errors"  # HTTPException and its subclasses, `error`


def __getattr__(name):
    import sys
    if name == "__all__":
        return _ALL.split()
    if name == "ports":  # microhttplib.ports.cpython.unverified_context() as the README has it
        __import__(__name__ + ".ports")
        return sys.modules[__name__ + ".ports"]
    if name.startswith("_") or (
            name.islower() and name not in ("error", "responses", "parse_headers")):
        raise AttributeError(name)  # submodules are found by the import system
    module = __name__ + "." + _home(name)
    __import__(module)
    try:
        value = getattr(sys.modules[module], name)
    except AttributeError:
        raise AttributeError("module 'microhttplib' has no attribute %r" % name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_ALL.split())
                  | {"HTTPMessage", "HTTP_PORT", "HTTPS_PORT", "parse_headers", "ports"})
