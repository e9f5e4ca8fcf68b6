"""CPython's read() of a Content-Length body, without a second copy.

io.BufferedReader.read(n) allocates the bytes it returns once and has its
raw reader fill them in place: BodyReader hands it the bytes already
buffered, then receives from the socket straight into them. Filling a
bytearray and converting it to bytes would copy the body twice. CPython
only (MicroPython's io has no RawIOBase; a board never loads this module).
"""

import io

from .parser import _error, _errors


class BodyReader(io.RawIOBase):
    """The rest of a response's body as a raw stream."""

    def __init__(self, response):
        self._response = response

    def readable(self):
        return True

    def readinto(self, b):
        view = memoryview(b).cast("B")
        try:
            return self._response._transfer(view, len(view))
        except _errors().IncompleteRead:
            return 0  # the body ended early: read_length raises, with what arrived


def read_length(response):
    want = response.length
    try:
        data = io.BufferedReader(BodyReader(response), 8192).read(want)
    except BaseException:
        response._abort()  # a broken body never leaves a reusable socket
        raise
    if len(data) < want:
        response._abort()
        raise _error("IncompleteRead", data, want - len(data))
    response._close_conn()
    return data
