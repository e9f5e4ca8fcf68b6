"""Sans-io HTTP/1.1 response parser over a caller-owned buffer.

The parser never reads a socket and never owns memory. It is handed a
bytearray and a window [start, end) of bytes already received and answers
with the position up to which it consumed them; "need more bytes" is simply
no progress. The head (status line and headers) is parsed line by line
(on CPython a complete, plain head in one block: headblock.py) and may
allocate: it happens once per response. The body framing (chunk-size
lines, CR LF after chunk data) is a byte-level state machine that keeps its
state in small ints, so it allocates nothing and never needs a whole line
in the buffer: that is what lets the body loop run under heap_lock().
"""

from .buffer import MICROPYTHON, const


# How the body is delimited (ResponseParser.framing).
NO_BODY = const(0)
CONTENT_LENGTH = const(1)
CHUNKED = const(2)
UNTIL_CLOSE = const(3)

# Head states.
_STATUS_LINE = const(0)
_HEADER_LINES = const(1)
_HEAD_DONE = const(2)

# Chunked body states (the rest are in chunked.py).
_CH_SIZE = const(0)  # hex digits of a chunk size
_CH_DONE = const(8)  # the body is complete

_CR = const(13)
_LF = const(10)
_SP = const(32)
_HTAB = const(9)
# Empty lines skipped before a status line (aiohttp sends one after a 100
# Continue); more than this is no HTTP response.
_MAX_BLANK_LINES = const(4)

# Bytes that may not appear in a header name (RFC 9110 token), besides the
# controls and SP that min() finds. Bytes, not a set: nothing to build.
_DELIMITERS = b'\x7f"(),/:;<=>?@[\\]{}'
# MicroPython decodes UTF-8 only (recent releases refuse other codec names):
# there a header that is not plain ASCII is decoded byte by byte (_decode).
_CODEC = "utf-8" if MICROPYTHON else "iso-8859-1"


def _bad_name(raw):
    """raw (bytes of a header name) is empty or not a token."""
    if not raw or min(raw) <= _SP:
        return True
    for c in raw:
        if c in _DELIMITERS:
            return True
    return False


def _has_ctl_in_value(raw):
    """Control bytes refused in header values (HTAB is allowed)."""
    for c in raw:
        if c < _SP and c != _HTAB or c == 127:
            return True
    return False

# CPython parses a complete plain head as one block (headblock.py). MicroPython
# has no bytes.translate(), keeps the line-by-line path below, whose peak heap
# is lower, and never loads that module.
if not MICROPYTHON:
    from .headblock import parse_block as _parse_block


def _load(name):
    """A submodule of the package, imported now if it was not yet."""
    import sys
    name = __name__[:__name__.rfind(".")] + "." + name
    __import__(name)
    return sys.modules[name]


def _errors():
    """errors.py, which loads only when something fails (or a program asks).

    Not `from . import errors`: on MicroPython that asks the package's
    __getattr__, which leaves submodules to the import system.
    """
    return _load("errors")


def _method(obj, module, name):
    """obj.name from `module` (loaded now) when its METHODS list the name.

    How HTTPResponse, HTTPMessage and HTTPConnection keep the methods a
    plain request never calls out of a board's RAM: a name they lack loads
    the module once. CPython attaches the methods to the class instead
    (_attach), so nothing there goes through this.
    """
    module = _load(module)
    if name not in module.METHODS:
        raise AttributeError(name)
    function = getattr(module, name)
    return lambda *args, **kw: function(obj, *args, **kw)


def _attach(cls, module):
    """CPython: the methods of `module` become ordinary methods of cls."""
    module = _load(module)
    for name in module.METHODS:
        setattr(cls, name, getattr(module, name))


def _chunked_methods():
    """chunked.py's methods (chunked.METHODS) become ResponseParser's, once:
    at the first Transfer-Encoding header, or the first call of one by a
    sans-io caller. True when they were not there before."""
    if hasattr(ResponseParser, "parse_chunked"):
        return False
    _attach(ResponseParser, "chunked")
    return True


def _error(name, *args):
    """A new exception of errors.py: raise _error("LineTooLong", ...).

    The .mpy tree passes a number instead of the name (errors.CLASSES, made
    by tools/build_mpy.py): a board keeps no string per exception class.
    """
    errors = _errors()
    return (errors.CLASSES[name] if type(name) is int else getattr(errors, name))(*args)


def _decode(raw):
    """Header bytes (any bytes-like object) as text: ISO-8859-1, as in http.client.

    str() of a memoryview copies only the text (a slice of the buffer would be
    a copy of its own first), and allocates nothing for a text that is already
    an interned name on MicroPython.
    """
    try:
        text = str(raw, _CODEC)
    except (UnicodeError, LookupError):
        text = None
    if text is None or len(text) != len(raw):  # MicroPython decoded it as UTF-8
        text = ""
        for b in raw:  # rare (a byte from 0x80 up): one character at a time
            text += chr(b)
    return text


def _is_decimal(text):
    """ASCII digits only: str.isdigit() also accepts '\xb2' and other digits."""
    return bool(text) and not text.strip("0123456789")


class ResponseParser:
    """One response at a time; reset() before the next one on the connection.

    After parse_head() reports the head complete, `status`, `version`,
    `reason`, `headers` (list of (name, value)), `framing`, `length`
    (Content-Length or -1) and `will_close` describe the response.
    """

    def __init__(self, max_line=65536, max_headers=100, keep_headers=None):
        self.max_line = max_line
        self.max_headers = max_headers
        # Lower-case names to store; None stores all. Framing headers are
        # always examined, whether stored or not.
        self.keep_headers = keep_headers
        self.reset()

    def reset(self):
        self._head_state = _STATUS_LINE
        self.version = 11
        self.status = 0
        self.reason = ""
        self.headers = []
        self._header_count = 0
        self._content_lengths = None
        self._transfer_encoding = None
        self._connection = ""
        self._last_kept = False
        self._last_name = ""  # the header an obs-fold line continues
        self._line_bytes = 0  # chunk-size line padding; blank lines before the status line
        self.framing = NO_BODY
        self.length = -1
        self.will_close = False
        self.chunk_left = 0
        self._chunk_state = _CH_SIZE
        self._size_digits = 0
        self._size = 0  # becomes chunk_left once the size line has ended

    # head_complete and body_complete are computed on access, and the chunked
    # decoding methods are loaded (chunked.py).
    # Not properties: on MicroPython a class with one makes every attribute
    # store of its instances look the name up in the class first.
    def __getattr__(self, name):
        if name == "head_complete":
            return self._head_state == _HEAD_DONE
        if name == "body_complete":
            return self._chunk_state == _CH_DONE
        if _chunked_methods() and hasattr(ResponseParser, name):
            return getattr(self, name)
        raise AttributeError(name)

    # ----------------------------------------------------------------- head

    def parse_head(self, buf, start, end):
        """Consume whole lines of the head from buf[start:end]; return the new start.

        Returns as soon as the head is complete, leaving the body bytes.
        """
        if not MICROPYTHON and _parse_block is not None and self._head_state == _STATUS_LINE \
                and end - start > 16 and buf[start] != _CR:
            done = _parse_block(self, buf, start, end)
            if done >= 0:
                return done
        view = None  # memoryview(buf), made for the first complete line
        while self._head_state != _HEAD_DONE:
            nl = buf.find(b"\n", start, end)
            # The line, or what has arrived of it, must fit in max_line.
            stop = end if nl < 0 else nl - 1 if nl > start and buf[nl - 1] == _CR else nl
            if stop - start > self.max_line:
                raise _error("LineTooLong", 
                    "status line" if self._head_state == _STATUS_LINE else "header line",
                    self.max_line)
            if nl < 0:
                return start
            if view is None:
                view = memoryview(buf)
            if self._head_state == _STATUS_LINE:
                if stop == start and self._line_bytes < _MAX_BLANK_LINES:
                    self._line_bytes += 1  # a stray CR LF before the response
                else:
                    line = _decode(view[start:stop])
                    if buf.find(b"\r", start, stop) >= 0 or buf.find(b"\0", start, stop) >= 0:
                        raise _error("BadStatusLine", line)
                    self._status(line)
                    self._line_bytes = 0
                    self._head_state = _HEADER_LINES
            elif stop == start:
                self._end_of_head()
            else:
                self._header_line(buf, view, start, stop)
            start = nl + 1
        return start

    def _status(self, line):
        parts = line.split(" ", 2)
        version = parts[0]
        if not version.startswith("HTTP/"):
            raise _error("BadStatusLine", line)
        if version in ("HTTP/1.0", "HTTP/0.9"):
            self.version = 10
        elif version.startswith("HTTP/1."):
            self.version = 11
        else:
            raise _error("UnknownProtocol", version)
        if len(parts) < 2:
            raise _error("BadStatusLine", line)
        code = parts[1]
        if len(code) != 3 or not _is_decimal(code):
            raise _error("BadStatusLine", line)
        self.status = int(code)
        if self.status < 100:
            raise _error("BadStatusLine", line)
        self.reason = parts[2].strip() if len(parts) > 2 else ""

    def _header_line(self, buf, view, start, stop):
        """One header line, buf[start:stop]: only its name and value become objects."""
        first = buf[start]
        if first == _SP or first == _HTAB:
            _load("obsfold").unfold(self, view[start:stop])
            return
        colon = buf.find(b":", start, stop)
        if colon < 0 or _bad_name(view[start:colon]):
            raise _error("ProtocolError", "invalid header line: %r" % (_decode(view[start:stop])[:80],))
        begin = colon + 1
        while begin < stop and (buf[begin] == _SP or buf[begin] == _HTAB):
            begin += 1
        while stop > begin and (buf[stop - 1] == _SP or buf[stop - 1] == _HTAB):
            stop -= 1
        raw = view[begin:stop]
        name = _decode(view[start:colon])
        # min()/max() of the bytes allocate nothing: only a value with a byte
        # below SP or from DEL up has its bytes checked one by one.
        if raw and (min(raw) < _SP or max(raw) >= 127) and _has_ctl_in_value(raw):
            raise _error("ProtocolError", "control character in header %r" % (name,))
        self._header_count += 1
        if self._header_count > self.max_headers:
            raise _error("HTTPException", "got more than %d headers" % self.max_headers)
        value = _decode(raw)
        self._last_name = name
        n = colon - start
        if n == 14 or n == 17 or n == 10:  # as long as a framing name
            self._framing_header(name.lower(), value)
        keep = self.keep_headers
        if keep is None or name.lower() in keep:
            self.headers.append((name, value))
            self._last_kept = True
        else:
            self._last_kept = False

    def _framing_header(self, key, value):
        """A Content-Length, Transfer-Encoding or Connection value (`key` is the
        lower-case name), kept for _end_of_head(); any other name is ignored."""
        if key == "content-length":
            cl = self._content_lengths  # several are joined, as one header listing them
            self._content_lengths = value if cl is None else cl + "," + value
        elif key == "transfer-encoding":
            te = self._transfer_encoding
            self._transfer_encoding = value if te is None else te + ", " + value
        elif key == "connection":
            value = value.lower()
            tokens = self._connection
            self._connection = value if not tokens else tokens + "," + value

    def _close_asked(self):
        """The Connection header (or HTTP/1.0 without keep-alive) ends the connection."""
        tokens = self._connection
        return "close" in tokens or (self.version == 10 and "keep-alive" not in tokens)

    def _end_of_head(self):
        self._head_state = _HEAD_DONE
        self.will_close = self._close_asked()
        te = self._transfer_encoding
        cls = self._content_lengths
        if te is not None:
            _chunked_methods()
            self._transfer_coding(te, cls)
        elif cls is not None:
            self.length = _content_length(cls)
            self.framing = CONTENT_LENGTH
        else:
            self.framing = UNTIL_CLOSE
            self.will_close = True

    def no_body(self):
        """HEAD, 1xx, 204 and 304 responses end with their head.

        Whatever their framing headers say (RFC 9112 6.3 rule 1), so a missing
        length does not end a persistent connection.
        """
        self.will_close = self._close_asked()
        self.framing = NO_BODY
        self.length = 0
        self._chunk_state = _CH_DONE


def _content_length(values):
    """One non-negative decimal length from the Content-Length values (joined
    with commas); duplicates must agree (RFC 9110 8.6)."""
    if _is_decimal(values) and len(values) <= 18:
        return int(values)  # the usual single value: no split
    length = -1
    for part in values.split(","):
        part = part.strip(" \t")  # not strip(): "\xa05" is no length
        if not _is_decimal(part) or len(part) > 18:
            raise _error("ProtocolError", "invalid Content-Length %r" % values)
        n = int(part)
        if length >= 0 and n != length:
            raise _error("ProtocolError", "conflicting Content-Length values %r" % values)
        length = n
    return length
