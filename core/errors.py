"""The exception hierarchy of http.client, usable on MicroPython.

Every error the library raises for bad input from the network is one of
these, so `except HTTPException` is enough to survive a hostile server.
"""


class HTTPException(Exception):
    pass


class NotConnected(HTTPException):
    pass


class InvalidURL(HTTPException):
    pass


class UnknownProtocol(HTTPException):
    def __init__(self, version):
        self.args = (version,)
        self.version = version


class UnknownTransferEncoding(HTTPException):
    pass


class UnimplementedFileMode(HTTPException):
    pass


class IncompleteRead(HTTPException):
    """The body ended before its framing said it would; `partial` keeps what arrived."""

    def __init__(self, partial, expected=None):
        self.args = (partial,)
        self.partial = partial
        self.expected = expected

    def __repr__(self):
        if self.expected is not None:
            e = ", %i more expected" % self.expected
        else:
            e = ""
        return "%s(%i bytes read%s)" % (self.__class__.__name__, len(self.partial), e)

    __str__ = __repr__


class ImproperConnectionState(HTTPException):
    pass


# http.client's names of the connection's request states (connection.py _IDLE, ...).
STATES = ("Idle", "Request-started", "Request-sent")


class CannotSendRequest(ImproperConnectionState):
    pass


class CannotSendHeader(ImproperConnectionState):
    pass


class ResponseNotReady(ImproperConnectionState):
    pass


class BadStatusLine(HTTPException):
    def __init__(self, line):
        if not line:
            line = repr(line)
        self.args = (line,)
        self.line = line


class LineTooLong(HTTPException):
    def __init__(self, line_type, limit=65536):
        # super(), not HTTPException.__init__: MicroPython has no such attribute.
        super().__init__("got more than %d bytes when reading %s" % (limit, line_type))


class ProtocolError(HTTPException):
    """A response that breaks HTTP/1.1 framing or syntax (smuggling attempts included)."""


# MicroPython cannot combine two built-in exception bases, so there the class
# is an HTTPException only; on CPython it is also a ConnectionResetError.
try:
    class RemoteDisconnected(ConnectionResetError, BadStatusLine):
        def __init__(self, *pos, **kw):
            BadStatusLine.__init__(self, "")
            ConnectionResetError.__init__(self, *pos, **kw)
except (NameError, TypeError):
    class RemoteDisconnected(BadStatusLine):
        def __init__(self, *pos):
            BadStatusLine.__init__(self, "")
            self.args = pos


error = HTTPException

