"""The package's public names, for microhttplib.__all__ and dir(microhttplib).

Loaded when asked for: a board that only makes requests never interns them.
"""

# http.client's __all__, plus ProtocolError (HTTPMessage and parse_headers stay out, as there).
__all__ = [
    "HTTPResponse", "HTTPConnection", "HTTPSConnection", "HTTPException", "NotConnected",
    "UnknownProtocol", "UnknownTransferEncoding", "UnimplementedFileMode", "IncompleteRead",
    "InvalidURL", "ImproperConnectionState", "CannotSendRequest", "CannotSendHeader",
    "ResponseNotReady", "BadStatusLine", "LineTooLong", "RemoteDisconnected", "ProtocolError",
    "error", "responses"]


def public_names(package_globals):
    """What dir(microhttplib) lists: what is loaded, __all__, and the public names outside it."""
    return sorted(set(package_globals) | set(__all__) | {
        "HTTPMessage", "HTTP_PORT", "HTTPS_PORT", "parse_headers", "ports"})
