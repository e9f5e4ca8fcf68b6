"""HTTPResponse: http.client's response object over the connection's buffer.

Body bytes go from the connection's RecvBuffer, or straight from the socket,
into the caller's memory. readinto() allocates nothing on any path, which
the MicroPython tests check under heap_lock(). On CPython readinto() fills
the buffer like http.client; on MicroPython it returns after one transfer
(0 only at the end of the body), because filling at an offset would need a
memoryview slice, which allocates there.
"""

from .clock import deadline_after, is_timeout, seconds_left, timeout_error
from .buffer import MICROPYTHON, const
from .parser import (
    CHUNKED, CONTENT_LENGTH, NO_BODY, UNTIL_CLOSE, _attach, _error, _errors, _load)

_UNKNOWN = "UNKNOWN"
DEFAULT_BUFFER_SIZE = const(1024) if MICROPYTHON else 65536
# http.client's line limit; a board could not hold a 64 KiB line, so it gets 8 KiB.
DEFAULT_MAX_LINE = const(8192) if MICROPYTHON else 65536
DEFAULT_MAX_HEADERS = const(100)
# What read() without an amount collects per step when the length is unknown.
_READ_STEP = 1024 if MICROPYTHON else 65536
# read() preallocates a Content-Length body up to this size; a larger one is
# collected as it arrives, so a hostile length cannot make us allocate it.
_PREALLOC_MAX = const(1 << 20) if MICROPYTHON else 1 << 24
# CPython's read() receives a body this large straight into the bytes it
# returns (bodyreader.py); below, setting that up costs more than a copy.
_READ_IN_PLACE_MIN = const(256 * 1024)
# readinto's direct path passes what is left of the body to the stream's
# readinto, which wants a machine word (a small int on MicroPython).
_DIRECT_MAX = const((1 << 30) - 1)
# Any size will do: a body read until close has no end to read past.
_UNTIL_CLOSE_AHEAD = const((1 << 30) - 1)
# A head longer than this loads errors.py as it arrives (loading takes ~5 KiB
# on a board): should the head then exhaust the heap, raising LineTooLong
# needs no memory for a module any more.
_BIG_HEAD = const(1024)


class HTTPResponse:
    # What a response starts with. Class attributes: an instance holds only
    # what changed, and a board's kept-alive request allocates less.
    debuglevel = 0
    _url = None
    _buf = None
    _parser = None
    head_timeout = None  # seconds for status line and headers together
    _received = False  # any byte of this response arrived
    _force_close = False
    _closed = False  # close() was called (io's `closed`; isclosed() is fp is None)
    _head = None  # the parser's (name, value) list, once the head is in
    version = status = reason = _UNKNOWN
    chunked = length = will_close = _UNKNOWN

    def __init__(self, sock, debuglevel=0, method=None, url=None, strict=None):
        self._sock = sock
        self.fp = sock  # None once closed, as in http.client
        if debuglevel:
            self.debuglevel = debuglevel
        self._method = method
        if url is not None:
            self._url = url
        # Stored by the body loop, which must not grow the instance's
        # attribute table then (it runs under heap_lock() in the tests).
        self._done = False  # the body has been received to its end
        # While readinto may take body bytes straight from the stream: its
        # readinto (MicroPython) or True (CPython's buffer path); else 0.
        self._direct = 0

    # ----------------------------------------------------------------- head

    def begin(self):
        if self._head is not None:
            return
        if self._parser is None:  # made without a connection: HTTPResponse(sock)
            self._standalone()
        p = self._parser
        # One deadline for all heads: a stream of 1xx cannot outlast it.
        timeout = self.head_timeout
        deadline = None if timeout is None else deadline_after(timeout)
        while True:
            if not p.head_complete:
                self._read_head(timeout, deadline)
            if p.status >= 200 or p.status == 101:
                break
            if self.debuglevel > 0:
                self._print_head(False)
            p.reset()  # interim 1xx: the final response follows
        self.version = p.version
        self.status = p.status  # and `code`, http.client's old name, in __getattr__
        self.reason = p.reason
        self._head = p.headers  # `headers` and `msg` are made on first access
        if self.debuglevel > 0:
            self._print_head(True)
        # Set before no_body(): a HEAD reply keeps its chunked flag, as in http.client.
        self.chunked = p.framing == CHUNKED
        if self._method == "HEAD" or self.status in (204, 304) or self.status < 200:
            p.no_body()
        # NO_BODY (length 0) or CONTENT_LENGTH; else unknown.
        self.length = p.length if p.framing <= CONTENT_LENGTH else None
        # After 101 the connection speaks another protocol: never reused for HTTP.
        self.will_close = p.will_close or self._force_close or self.status == 101
        if not self.length and p.framing in (NO_BODY, CONTENT_LENGTH):
            self._body_done()

    def _read_head(self, timeout, deadline=None):
        """Receive until the parser has a whole head, within `timeout` seconds in all."""
        p = self._parser
        buf = self._buf
        sock = buf.sock
        if deadline is None and timeout is not None:
            deadline = deadline_after(timeout)
        received = 0
        try:
            while True:
                buf.start = p.parse_head(buf.data, buf.start, buf.end)
                if p.head_complete:
                    return
                if deadline is not None:
                    left = seconds_left(deadline)
                    if left <= 0:
                        raise timeout_error("waiting for the response head")
                    sock.settimeout(left)
                try:
                    got = buf.fill()
                except OSError as exc:
                    if deadline is not None and is_timeout(exc):
                        raise timeout_error("waiting for the response head")
                    raise
                if got < 0:
                    raise _error("LineTooLong", "header line" if p.status else "status line", p.max_line)
                if not got:
                    self._head_cut_short()
                self._received = True
                received += got
                if received > _BIG_HEAD >= received - got:
                    _errors()
        except MemoryError:
            # A head too large for the heap left: an HTTP error, as a line over
            # max_line is. Its headers and bytes go first, to make room for it.
            size = buf.end
            p.headers = []
            p._last_name = ""  # the last header name: the whole head goes
            buf.data = buf.view = b""
            buf.start = buf.end = 0
            raise _error("LineTooLong", "the response head (no memory left for it)", size)
        finally:
            if deadline is not None and buf.sock is not None:
                # The connection's timeout again (not continue_timeout).
                buf.sock.settimeout(self.head_timeout)

    # `headers` (`msg`) is made on first access: a request that never asks for
    # it never loads headers.py. `code`, `closed`, `chunk_left` and the rarer
    # methods are response_more.py's. Not properties: on MicroPython a class
    # with one makes every attribute store of its instances (several per read)
    # look the name up in the class first.
    def __getattr__(self, name):
        if name == "headers" or name == "msg":
            if self._head is None:
                return None  # before begin(), as in http.client
            from .headers import HTTPMessage
            self.headers = self.msg = HTTPMessage(self._head)
            return self.headers
        return _load("response_more").attribute(self, name)

    # ----------------------------------------------------------------- body

    def _transfer(self, dest, n):
        """Move up to n (-1: len(dest)) body bytes into dest[0:] in one step; 0 at the end.

        Allocation-free on every path that does not raise, and within 11
        words of VM state (MicroPython heap-allocates a larger frame).
        """
        self._direct = 0  # readinto's direct path would miss what this moves
        if n < 0:
            n = len(dest)
        if self._done or n <= 0:
            return 0
        p = self._parser
        buf = self._buf
        if p.framing == CONTENT_LENGTH:
            if n > self.length:
                n = self.length
            got = buf.take(dest, n, self.length)
            if not got:
                raise _error("IncompleteRead", b"", self.length)
            self.length -= got
            if not self.length:
                self._body_done()
            return got
        if p.framing == CHUNKED:
            if not p.chunk_left and not p.next_chunk(buf):
                self._body_done()
                return 0
            if n > p.chunk_left:
                n = p.chunk_left
            got = buf.take(dest, n, p.chunk_left)
            if not got:
                raise _error("IncompleteRead", b"", p.chunk_left)
            p.consumed_chunk_data(got)
            return got
        if p.framing == UNTIL_CLOSE:
            got = buf.take(dest, n, _UNTIL_CLOSE_AHEAD)
            if not got:
                self._body_done()
            return got
        return 0

    def _fill(self, view, n):
        """Transfer until n bytes are in view or the body ends (allocates views)."""
        got = 0
        try:
            while got < n:
                step = self._transfer(view[got:] if got else view, n - got)
                if not step:
                    break
                got += step
        except _errors().IncompleteRead as exc:
            exc.partial = bytes(view[:got])
            exc.args = (exc.partial,)
            self._abort()
            raise
        except BaseException:
            self._abort()
            raise
        return got

    def _body_done(self):
        self._done = True
        buf = self._buf
        if self.will_close or buf.start != buf.end:
            # Bytes after a complete response would be taken for the next
            # response: a connection that sent them is not reused.
            self._close_socket()

    def _close_socket(self):
        buf = self._buf
        if buf is not None and buf.sock is not None:
            sock = buf.sock
            buf.sock = None
            buf.start = buf.end = 0
            sock.close()

    def _abort(self):
        """A broken body: the connection cannot be reused."""
        self._close_socket()
        self.fp = None
        self._direct = 0

    def read(self, amt=None):
        if self.fp is None:
            return b""
        if self._done:
            self._close_conn()
            return b""
        whole = amt is None or amt < 0
        if whole:
            length = self.length
            if length is None or self._parser.framing != CONTENT_LENGTH or length > _PREALLOC_MAX:
                return _load("chunked").read_to_end(self)
            buf = self._buf
            start = buf.start
            if start + length <= buf.end:  # the whole body came with the head: one copy
                data = bytes(buf.view[start:start + length])
                buf.start = start + length
                self.length = 0
                self._body_done()
                self._close_conn()
                return data
            if not MICROPYTHON and length >= _READ_IN_PLACE_MIN:
                return self._read_length()
            amt = length
        data = bytearray(amt)
        got = self._fill(memoryview(data), amt)
        if whole and got < amt:
            self._abort()
            raise _error("IncompleteRead", bytes(data[:got]), amt - got)
        if whole or self._done:
            self._close_conn()
        return bytes(data) if got == amt else bytes(data[:got])

    def readinto(self, b):
        # MicroPython's (CPython's is response_more._readinto_filled): one
        # transfer per call. Every frame of the body loop stays within 11 words of
        # VM state (a try block counts 3): a larger frame is heap-allocated
        # at each call, and the loop would churn the heap.
        recv_now = self._direct
        if recv_now:
            # The middle of a Content-Length body, buffer empty: straight from
            # the stream, which reads at most min(len(b), left) bytes, so never
            # past the body (None: nothing has arrived, wait on the path below).
            # `length` is the one count kept; _direct is 0 once closed.
            left = self.length
            n = recv_now(b, left)
            if n:
                left -= n
                self.length = left
                if not left:
                    self._body_done()
                    self._close_conn()
                return n
        if self.fp is None:
            return 0
        n = self._transfer_or_abort(b)
        if not n or self._done:
            self._close_conn()
        elif self._parser.framing == CONTENT_LENGTH:
            self._go_direct()
        return n

    def _transfer_or_abort(self, b):
        try:
            return self._transfer(b, -1)
        except BaseException:
            self._abort()
            raise

    def _go_direct(self):
        buf = self._buf
        if buf.start == buf.end and self.length <= _DIRECT_MAX:
            self._direct = getattr(buf.sock, "recv_now", 0)

    def __iter__(self):
        return self

    def __next__(self):
        line = self.readline()
        if not line:
            raise StopIteration
        return line

    # -------------------------------------------------------- housekeeping

    def close(self):
        self._closed = True
        self._close_conn()

    def _close_conn(self):
        """Let go of the connection: isclosed() from now on, while `closed` waits for close()."""
        if self.fp is None:
            return
        self.fp = None
        self._direct = 0
        if self._head is None or not self._done:
            self._close_socket()  # unread body: the connection cannot be reused

    def isclosed(self):
        return self.fp is None

    def getheader(self, name, default=None):
        # From the head's (name, value) list: asking for one header does not
        # make the HTTPMessage (nor load headers.py).
        if self._head is None:
            raise _error("ResponseNotReady")
        name = name.lower()
        n = len(name)
        found = None
        for key, value in self._head:
            # A lower-case copy only of a name as long: lower() allocates on a board.
            if len(key) == n and key.lower() == name:
                found = value if found is None else found + ", " + value
        if found is not None or default is None or isinstance(default, str):
            return found if found is not None else default
        try:
            return ", ".join(default)  # an iterable default, as in http.client
        except TypeError:
            return default

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


if not MICROPYTHON:
    _attach(HTTPResponse, "response_more")
    HTTPResponse.readinto = HTTPResponse._readinto_filled  # fills b, as http.client does
