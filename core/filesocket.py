"""Reading from a socket-like object that only has makefile().

http.client reads through sock.makefile("rb"), and test doubles written for
it (CPython's own test suite among them) offer nothing else. Real sockets,
the MicroPython port and the modem port all have recv_into.
"""


def file_reader(sock):
    """What the connection reads from when `sock` has no recv_into()."""
    if hasattr(sock, "makefile"):
        return FileSocket(sock)
    raise TypeError("need a socket-like object with recv_into() or makefile()")


class FileSocket:
    """A socket that only has makefile() (as in http.client's own tests)."""

    def __init__(self, sock):
        self._fp = None  # made on the first read, as http.client does in getresponse()
        self._sock = sock

    def recv_into(self, buf, nbytes):
        if self._fp is None:
            self._fp = self._sock.makefile("rb")
        if nbytes < len(buf):
            buf = memoryview(buf)[:nbytes]
        readinto1 = getattr(self._fp, "readinto1", None)
        return (readinto1 or self._fp.readinto)(buf)

    def settimeout(self, timeout):
        settimeout = getattr(self._sock, "settimeout", None)
        if settimeout is not None:
            settimeout(timeout)

    def fileno(self):
        return self._sock.fileno()

    def close(self):
        if self._fp is not None:
            self._fp.close()
