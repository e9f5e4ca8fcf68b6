"""Chunked transfer coding (RFC 9112 section 7.1): ResponseParser's methods for it,
and read() of a body whose length is not known (chunked, or until close).

A byte-level state machine over chunk-size lines, the CR LF after chunk data
and the trailer section. It keeps its state in small ints, so it allocates
nothing (except to check trailer lines) and never needs a whole line in the
buffer. Many responses have a Content-Length, so these methods load with the
first Transfer-Encoding header (parser._chunked_methods()) and are then
ordinary methods of ResponseParser: a board that never meets one never keeps
them.
"""

from .buffer import MICROPYTHON, const
from .parser import CHUNKED, UNTIL_CLOSE, _error, _errors
from .response import _READ_STEP

METHODS = ("_transfer_coding", "next_chunk", "parse_chunked", "_size_byte", "_end_of_size_line",
           "consumed_chunk_data", "_parse_trailers")

# Chunked body states (ResponseParser._chunk_state); parser.py names the
# first and the last as well.
_CH_SIZE = const(0)       # hex digits of a chunk size
_CH_SIZE_END = const(1)   # whitespace after the digits
_CH_EXT = const(2)        # a chunk extension, skipped up to the line end
_CH_SIZE_LF = const(3)    # CR seen, LF must follow
_CH_DATA = const(4)       # chunk_left bytes of data are due
_CH_DATA_CR = const(5)    # CR LF after the data
_CH_DATA_LF = const(6)
_CH_TRAILER = const(7)    # trailer lines after the last chunk
_CH_DONE = const(8)

_CR = const(13)
_LF = const(10)
_SP = const(32)
_HTAB = const(9)
_SEMICOLON = const(59)
_MAX_HEX_DIGITS = const(16)
# A board refills the buffer in small steps while it waits for chunk framing,
# so that little body data has to be copied byte by byte afterwards.
_FRAMING_READ = const(64) if MICROPYTHON else 1 << 30


def _transfer_coding(self, te, content_lengths):
    """The framing a Transfer-Encoding value gives (RFC 9112 section 6.3)."""
    if content_lengths is not None:
        raise _error("ProtocolError", "response has both Transfer-Encoding and Content-Length")
    # OWS is SP/HTAB only: str.strip() would also drop U+00A0 on CPython.
    codings = [c.strip(" \t").lower() for c in te.split(",")]
    if codings[-1] == "chunked":
        if "chunked" in codings[:-1]:
            raise _error("ProtocolError", "chunked applied twice: %r" % te)
        self.framing = CHUNKED
    else:
        # The last coding is not chunked: read until close.
        self.framing = UNTIL_CLOSE
        self.will_close = True


def next_chunk(self, buf):
    """Parse chunk framing from buf (a RecvBuffer) until data is due (True) or the body ends (False)."""
    while not self.chunk_left:
        state = self._chunk_state
        if state == _CH_DONE:
            return False
        if buf.start == buf.end and state != _CH_TRAILER:
            if not buf.refill(_FRAMING_READ):
                raise _error("IncompleteRead", b"", None)
        before = buf.start
        buf.start = self.parse_chunked(buf.data, buf.start, buf.end)
        if self._chunk_state == _CH_TRAILER and buf.start == before:
            if buf.fill() <= 0:  # a trailer line split across reads
                raise _error("IncompleteRead", b"", None)
    return True


def parse_chunked(self, buf, start, end):
    """Consume chunk framing from buf[start:end] and return the new start.

    Stops when data is due (chunk_left > 0), when the bytes run out, or
    when the body is complete. Allocates nothing except for trailers;
    on MicroPython this frame and the ones it calls in the body loop stay
    within 11 words of VM state (a larger frame is heap-allocated).
    """
    state = self._chunk_state
    while start < end:
        if state == _CH_DATA:
            break
        c = buf[start]
        if state == _CH_SIZE:
            state = self._size_byte(c)
        elif state == _CH_SIZE_END:
            if c == _SEMICOLON:
                state = _CH_EXT
            elif c == _CR:
                state = _CH_SIZE_LF
            elif c == _LF:
                state = self._end_of_size_line()
            elif c != _SP and c != _HTAB:
                raise _error("ProtocolError", "invalid byte 0x%02x after chunk size" % c)
            else:  # padding counts against max_line, as an extension does
                self._line_bytes += 1
                if self._line_bytes > self.max_line:
                    raise _error("LineTooLong", "chunk size", self.max_line)
        elif state == _CH_EXT:
            if c == _CR:
                state = _CH_SIZE_LF
            elif c == _LF:
                state = self._end_of_size_line()
            elif c < _SP and c != _HTAB or c == 127:
                raise _error("ProtocolError", "control byte 0x%02x in chunk extension" % c)
            else:
                self._line_bytes += 1
                if self._line_bytes > self.max_line:
                    raise _error("LineTooLong", "chunk size", self.max_line)
        elif state == _CH_SIZE_LF:
            if c != _LF:
                raise _error("ProtocolError", "bare CR in chunk size line")
            state = self._end_of_size_line()
        elif state == _CH_DATA_CR:
            if c == _CR:
                state = _CH_DATA_LF
            elif c == _LF:
                state = _CH_SIZE
            else:
                raise _error("ProtocolError", "chunk data longer than its size")
        elif state == _CH_DATA_LF:
            if c != _LF:
                raise _error("ProtocolError", "bare CR after chunk data")
            state = _CH_SIZE
        elif state == _CH_TRAILER:
            self._chunk_state = state
            return self._parse_trailers(buf, start, end)
        else:  # _CH_DONE
            break
        start += 1
    self._chunk_state = state
    return start


def _size_byte(self, c):
    """One byte of the chunk size; the next state."""
    digit = _hex_value(c)
    if digit >= 0:
        self._size_digits += 1
        if self._size_digits > _MAX_HEX_DIGITS:
            raise _error("ProtocolError", "chunk size has too many digits")
        self._size = self._size * 16 + digit
        return _CH_SIZE
    if not self._size_digits:
        raise _error("ProtocolError", "chunk size line without a size")
    if c == _SP or c == _HTAB:
        return _CH_SIZE_END
    if c == _SEMICOLON:
        return _CH_EXT
    if c == _CR:
        return _CH_SIZE_LF
    if c == _LF:
        return self._end_of_size_line()
    raise _error("ProtocolError", "invalid byte 0x%02x in chunk size" % c)


def _end_of_size_line(self):
    self._size_digits = 0
    self._line_bytes = 0
    self.chunk_left = self._size
    self._size = 0
    if self.chunk_left:
        return _CH_DATA
    return _CH_TRAILER


def consumed_chunk_data(self, n):
    """The caller took n bytes of chunk data."""
    self.chunk_left -= n
    if not self.chunk_left:
        self._chunk_state = _CH_DATA_CR


def _parse_trailers(self, buf, start, end):
    """Trailer fields are checked and dropped, as http.client does."""
    while True:
        nl = buf.find(b"\n", start, end)
        if nl < 0:
            if end - start > self.max_line:
                raise _error("LineTooLong", "trailer line", self.max_line)
            return start
        stop = nl - 1 if nl > start and buf[nl - 1] == _CR else nl
        if stop == start:
            self._chunk_state = _CH_DONE
            return nl + 1
        if stop - start > self.max_line:
            raise _error("LineTooLong", "trailer line", self.max_line)
        raw = bytes(buf[start:stop])
        if b"\r" in raw or b"\x00" in raw or b":" not in raw:
            raise _error("ProtocolError", "invalid trailer line")
        self._header_count += 1
        if self._header_count > self.max_headers:
            raise _error("HTTPException", "got more than %d headers" % self.max_headers)
        start = nl + 1


def _hex_value(c):
    """The value of one hex digit byte, or -1."""
    if 48 <= c <= 57:
        return c - 48
    c |= 0x20
    if 97 <= c <= 102:
        return c - 87
    return -1


def read_to_end(response):
    """HTTPResponse.read() of a body whose length is not known (or over
    _PREALLOC_MAX): collected step by step."""
    parts = []
    view = memoryview(bytearray(_READ_STEP))
    try:
        while True:
            got = response._fill(view, _READ_STEP)
            if got:  # a full step is copied without a slice of the view
                parts.append(bytes(view if got == _READ_STEP else view[:got]))
            if got < _READ_STEP:
                break
    except _errors().IncompleteRead as exc:
        exc.partial = b"".join(parts) + exc.partial
        exc.args = (exc.partial,)
        raise
    response._close_conn()
    return b"".join(parts)
