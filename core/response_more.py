"""HTTPResponse's methods that a plain request does not call.

Reading lines, read1(), the io-style queries, debug output: on MicroPython
they load from here on first use (HTTPResponse.__getattr__), so a board
that streams or reads whole bodies never keeps them in RAM; CPython puts
them on the class when response.py loads. Written as functions of `self`.
"""

from .buffer import RecvBuffer, as_reader
from .parser import (
    CHUNKED, CONTENT_LENGTH, UNTIL_CLOSE, ResponseParser, _decode, _error, _errors, _method)
from .response import DEFAULT_BUFFER_SIZE, DEFAULT_MAX_HEADERS, DEFAULT_MAX_LINE, _READ_STEP

METHODS = (
    "_standalone", "_head_cut_short", "_print_head", "_readinto_filled", "_read_length",
    "read1", "_fill_once", "fileno",
    "getheaders", "info", "geturl", "getcode", "flush", "readable", "writable", "seekable",
    "peek", "readline", "readlines")


def attribute(self, name):
    """What HTTPResponse.__getattr__ does not have: `code` (http.client's old
    name of status), `closed` (close() was called, as io's; isclosed() is fp
    is None), `chunk_left`, and the methods of METHODS."""
    if name == "code":
        return self.status
    if name == "closed":
        return self._closed
    if name == "chunk_left":
        if self._parser is None or self.chunked is not True:
            return None
        return self._parser.chunk_left or None
    return _method(self, "response_more", name)


def _standalone(self):
    """A response made on its own, as http.client's HTTPResponse(sock), reads
    through a buffer and a parser of its own."""
    self._buf = RecvBuffer(as_reader(self._sock), DEFAULT_BUFFER_SIZE, DEFAULT_MAX_LINE + 2)
    self._parser = ResponseParser(DEFAULT_MAX_LINE, DEFAULT_MAX_HEADERS)


def _head_cut_short(self):
    p = self._parser
    if not p.status:
        if self._buf.start == self._buf.end:  # nothing of this head (an 1xx may have come)
            raise _error("RemoteDisconnected", "Remote end closed connection without response")
        # _decode: MicroPython's bytes.decode() is UTF-8 only and would raise.
        raise _error("BadStatusLine", _decode(bytes(self._buf.view[self._buf.start:self._buf.end])))
    raise _error("RemoteDisconnected", "Remote end closed connection in the middle of the headers")


def _print_head(self, with_headers):
    """http.client's debug output of a response head (debuglevel > 0)."""
    p = self._parser
    print("reply:", repr("HTTP/%s %d %s\r\n" % ("1.0" if p.version == 10 else "1.1", p.status,
                                                  p.reason)))
    if with_headers:
        for name, value in p.headers:
            print("header:", name + ":", value)


def _readinto_filled(self, b):
    """CPython's readinto: fills b like http.client, from the buffer in one copy when it can.

    _direct is true while this fast path may serve a Content-Length body
    (0 once closed, or after any other read: _transfer resets it).
    """
    n = len(b)
    # Never once closed: the connection may have taken _buf back.
    if self._direct and n < self.length:
        buf = self._buf
        start = buf.start
        if start + n <= buf.end and type(b) is bytearray:
            end = start + n
            b[:n] = buf.view[start:end]
            buf.start = end
            self.length -= n
            return n
    if self.fp is None:
        return 0
    view = memoryview(b)
    if view.format != "B" or view.ndim != 1:
        view = view.cast("B")
    got = self._fill(view, len(view))
    if not got or self._done:
        self._close_conn()
    elif self._parser.framing == CONTENT_LENGTH:
        self._direct = True
    return got


def _read_length(self):
    """CPython's read() of a Content-Length body: received straight into the bytes returned."""
    from .bodyreader import read_length

    return read_length(self)


def read1(self, n=-1):
    """At most one transfer, like BufferedIOBase.read1."""
    if self.fp is None or self._done:
        return self.read(0) if self.fp is not None else b""
    if n < 0:
        n = _READ_STEP
    data = bytearray(n)
    got = self._fill_once(data, n)
    return bytes(data[:got])


def _fill_once(self, data, n):
    try:
        return self._transfer(data, n)
    except _errors().IncompleteRead:
        self._abort()
        raise


def fileno(self):
    sock = self._buf.sock if self._buf is not None else self._sock
    return sock.fileno()


def getheaders(self):
    if self.headers is None:
        raise _error("ResponseNotReady")
    return self.headers.items()


def info(self):
    return self.headers


def geturl(self):
    return self._url


def getcode(self):
    return self.status


def flush(self):
    pass


def readable(self):
    return True


def writable(self):
    return False


def seekable(self):
    return False


def peek(self, n=0):
    """Body bytes already received, without consuming them; b"" only at the end."""
    if self.fp is None or self._done:
        return b""
    p = self._parser
    buf = self._buf
    self._direct = 0  # the bytes peeked at go through the buffer
    try:
        if p.framing == CHUNKED and not p.chunk_left and not p.next_chunk(buf):
            self._body_done()
            return b""
        if buf.start == buf.end and (buf.sock is None or not buf.refill(len(buf.data))):
            if p.framing != UNTIL_CLOSE:
                raise _error("IncompleteRead", b"", self.length if self.length else None)
            self._body_done()
            return b""
    except _errors().IncompleteRead:
        self._abort()
        raise
    avail = buf.end - buf.start
    if p.framing == CONTENT_LENGTH:
        avail = min(avail, self.length)
    elif p.framing == CHUNKED:
        avail = min(avail, p.chunk_left)
    return bytes(buf.view[buf.start:buf.start + avail])


def readline(self, limit=-1):
    if self.fp is None or self._done:
        return b""
    line = bytearray()
    while limit < 0 or len(line) < limit:
        chunk = self.peek(1)
        if not chunk:
            break
        want = len(chunk) if limit < 0 else min(len(chunk), limit - len(line))
        nl = chunk.find(b"\n", 0, want)
        take = want if nl < 0 else nl + 1
        line += self.read(take)
        if nl >= 0:
            break
    return bytes(line)


def readlines(self, hint=-1):
    lines = []
    total = 0
    for line in self:
        lines.append(line)
        total += len(line)
        if 0 < hint <= total:
            break
    return lines
