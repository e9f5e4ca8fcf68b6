"""HTTPConnection's methods that a plain GET, POST or PUT does not call.

Tunnels, debug level, bodies from files and iterables, chunked request
bodies, 100-continue, a declared Content-Length, the retry on a dead
kept-alive socket: on MicroPython they load from here on first use
(HTTPConnection.__getattr__), so a board's plain requests never keep them in
RAM; CPython puts them on the class when connection.py loads. Written as
functions of `self`.
"""

from .connection import _IDLE, _nbytes
from .parser import _error

METHODS = ("set_tunnel", "set_debuglevel", "_tunnel", "_read_blocks", "_output", "_send_body",
           "_await_continue", "_check_declared_length", "_retry")



def set_tunnel(self, host, port=None, headers=None):
    """Reach host:port through this connection's host, an HTTP CONNECT proxy."""
    if self._sock is not None:
        raise RuntimeError("Can't set up tunnel for established connection")
    self._tunnel_host, self._tunnel_port = self._get_hostport(host, port)
    self._validate_host(self._tunnel_host)
    self._tunnel_headers = dict(headers) if headers else {}


def set_debuglevel(self, level):
    self.debuglevel = level


def _tunnel(self):
    from .tunnel import open_tunnel  # CONNECT code loads only when a tunnel is used
    open_tunnel(self)


def _read_blocks(self, readable):
    """A file body, read blocksize at a time (text files are sent as ISO-8859-1)."""
    while True:
        block = readable.read(self.blocksize)
        if not block:
            break
        if isinstance(block, str):
            block = block.encode("iso-8859-1")
        yield block


def _output(self, line):
    self._buffer.append(line)


def _send_body(self, body, encode_chunked):
    if hasattr(body, "read"):
        blocks = self._read_blocks(body)
    else:
        try:
            memoryview(body)
            blocks = (body,)
        except TypeError:
            try:
                blocks = iter(body)
            except TypeError:
                raise TypeError("message_body should be a bytes-like object or an iterable, "
                                "got %r" % type(body))
    chunked = encode_chunked and self._http_vsn == 11
    for block in blocks:
        if not block:
            continue
        if isinstance(block, str):
            block = block.encode("iso-8859-1")
        if chunked:
            self.send(("%X\r\n" % len(block)).encode("ascii"))
            self.send(block)
            self.send(b"\r\n")
        else:
            self.send(block)
    if chunked:
        self.send(b"0\r\n\r\n")


def _await_continue(self):
    from .expect_continue import await_continue  # loads only for Expect: 100-continue
    return await_continue(self)


def _check_declared_length(self, headers, body):
    if body is None or hasattr(body, "read"):
        return
    try:
        actual = _nbytes(body)
    except TypeError:
        return
    for name, value in headers.items():
        if name.lower() == "content-length":
            text = str(value, "latin-1") if isinstance(value, bytes) else str(value)
            text = text.strip()
            if text.strip("0123456789") or not text or int(text) != actual:
                raise ValueError("Content-Length %r does not match the body's %d bytes"
                                 % (value, actual))


def _retry(self):
    """The server had closed the reused connection: send the request once more."""
    replay = self._replay
    self._replay = None
    self._drop_socket()
    self._state = _IDLE
    self._send_request(*replay)
    response = self._new_response(self._method)
    response.begin()
    return response
