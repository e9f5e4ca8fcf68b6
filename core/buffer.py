"""The one receive buffer of a connection, and the socket it fills from.

Bytes wait in data[start:end]. In the body loop the buffer is only ever
refilled at offset 0 and copied out from `start` to the caller's buffer at
offset 0, because on MicroPython slicing a bytearray or a memoryview
allocates: there the copy is a byte loop over a few bytes, and large
transfers bypass the buffer and land straight in the caller's memory.
"""

import sys

# The platform flag of the core. tools/build_mpy.py resolves every test of it
# when it builds the .mpy tree (tools/mpy_fold.py): a board loads no CPython branch.
MICROPYTHON = sys.implementation.name == "micropython"

if MICROPYTHON:
    from micropython import const
else:
    def const(x):  # MicroPython puts the value into the code at compile time
        return x


def as_reader(sock):
    """Something with recv_into(buf, nbytes) for a socket-like object."""
    if hasattr(sock, "recv_into"):
        return sock
    from .filesocket import file_reader  # http.client-style test doubles only
    return file_reader(sock)


class RecvBuffer:
    def __init__(self, sock, size, max_size):
        self.sock = sock
        self.data = bytearray(size)
        self.view = memoryview(self.data)
        self.start = 0
        self.end = 0
        self.max_size = max_size

    def fill(self):
        """Read more bytes after the pending ones (head and trailer lines).

        Moves pending bytes to the front and grows the buffer, up to
        max_size, for a line longer than it. Returns the count, 0 at EOF,
        -1 when the buffer is max_size already.
        """
        if self.start == self.end:
            self.start = self.end = 0
        elif self.start:
            n = self.end - self.start
            self.data[:n] = self.view[self.start:self.end]
            self.start, self.end = 0, n
        if self.end == len(self.data):
            if len(self.data) >= self.max_size:
                return -1
            grown = bytearray(min(len(self.data) * 2, self.max_size))
            grown[:self.end] = self.view[:self.end]
            self.data = grown
            self.view = memoryview(grown)
        if self.end:
            got = self.sock.recv_into(self.view[self.end:], len(self.data) - self.end)
        else:
            got = self.sock.recv_into(self.data, len(self.data))
        self.end += got
        return got

    def refill(self, nbytes):
        """Read into the empty buffer at offset 0; allocation-free. Returns the count."""
        self.start = 0
        if nbytes > len(self.data):
            nbytes = len(self.data)
        self.end = self.sock.recv_into(self.data, nbytes)
        return self.end

    def take(self, dest, n, due):
        """Move up to n body bytes into dest[0:]: from the buffer, else from the socket.

        `due` body bytes are known to follow; CPython reads up to that many
        ahead into the buffer when n is small.
        """
        start = self.start
        pending = self.end - start
        if not pending:
            if not MICROPYTHON and n < due and n < len(self.data) >> 2:
                # CPython: one large recv serves many small reads (as BufferedReader
                # does). A board receives straight into the caller's memory instead.
                pending = self.refill(due)
                if not pending:
                    return 0
                start = 0
            else:
                return self.sock.recv_into(dest, n)
        if n > pending:
            n = pending
        self.start = start + n
        if MICROPYTHON:
            _copy(dest, self.data, start, n)
        else:
            dest[:n] = self.view[start:start + n]
        return n


def _copy(dest, data, start, n):
    """dest[:n] = data[start:start + n] without the slice MicroPython would allocate."""
    for i in range(n):
        dest[i] = data[start + i]
