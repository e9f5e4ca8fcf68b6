"""peek(), readline() and readlines() of HTTPResponse.

Reading a body as lines is rare on a board (it streams or parses JSON), so
this code stays out of RAM until a program asks for it.
"""

from .errors import IncompleteRead
from .parser import CHUNKED, CONTENT_LENGTH, UNTIL_CLOSE


def peek(response):
    """Body bytes already received, without consuming them; b"" only at the end."""
    if response.fp is None or response._done:
        return b""
    p = response._parser
    buf = response._buf
    response._direct = 0  # the bytes peeked at go through the buffer
    try:
        if p.framing == CHUNKED and not p.chunk_left and not response._next_chunk():
            response._body_done()
            return b""
        if buf.start == buf.end and (buf.sock is None or not buf.refill(len(buf.data))):
            if p.framing != UNTIL_CLOSE:
                raise IncompleteRead(b"", response.length if response.length else None)
            response._body_done()
            return b""
    except IncompleteRead:
        response._abort()
        raise
    avail = buf.end - buf.start
    if p.framing == CONTENT_LENGTH:
        avail = min(avail, response.length)
    elif p.framing == CHUNKED:
        avail = min(avail, p.chunk_left)
    return bytes(buf.view[buf.start:buf.start + avail])


def readline(response, limit=-1):
    if response.fp is None or response._done:
        return b""
    line = bytearray()
    while limit < 0 or len(line) < limit:
        chunk = response.peek(1)
        if not chunk:
            break
        want = len(chunk) if limit < 0 else min(len(chunk), limit - len(line))
        nl = chunk.find(b"\n", 0, want)
        take = want if nl < 0 else nl + 1
        line += response.read(take)
        if nl >= 0:
            break
    return bytes(line)


def readlines(response, hint=-1):
    lines = []
    total = 0
    for line in response:
        lines.append(line)
        total += len(line)
        if 0 < hint <= total:
            break
    return lines
