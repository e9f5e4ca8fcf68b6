"""HTTPConnection's methods that a plain GET, POST or PUT does not call.

Tunnels, debug level, http.client's socket factory hook, bodies from files
and iterables, chunked request bodies, 100-continue, a declared
Content-Length, absolute URLs, an unread previous response, the retry on a
dead kept-alive socket: on MicroPython they load from here on first use
(HTTPConnection.__getattr__), so a board's plain requests never keep them in
RAM; CPython puts them on the class when connection.py loads. Written as
functions of `self`.
"""

from .buffer import MICROPYTHON, const
from .clock import is_timeout, resolve_timeout
from .parser import _error

METHODS = ("set_tunnel", "set_debuglevel", "_tunnel", "_read_blocks", "_output", "_send_blocks",
           "_send_body", "_await_continue", "_frame_body", "_check_declared_length",
           "_not_latin1", "_send_again", "_retry", "_drop_socket", "_settle",
           "_connect_indirect", "_put_auto_headers")

_IDLE = const(0)  # connection.py's request state

# Requests that may be sent again when a reused connection turns out dead.
_IDEMPOTENT = ("GET", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE")

# An unread response smaller than this is drained so the connection is reused.
_DRAIN_LIMIT = 1024 if MICROPYTHON else 65536


def _nbytes(body):
    """Length in bytes of a bytes-like body (MicroPython's memoryview has no nbytes)."""
    view = memoryview(body)
    return getattr(view, "nbytes", None) or len(view)


def _split_netloc(url):
    """The host[:port] of an absolute URL, without urllib."""
    rest = url.split("://", 1)[1] if "://" in url else ""
    for stop in "/?#":
        rest = rest.split(stop, 1)[0]
    return rest.rpartition("@")[2]


def set_tunnel(self, host, port=None, headers=None):
    """Reach host:port through this connection's host, an HTTP CONNECT proxy."""
    if self.sock is not None:
        raise RuntimeError("Can't set up tunnel for established connection")
    self._tunnel_host, self._tunnel_port = self._get_hostport(host, port)
    self._validate_host(self._tunnel_host)
    self._tunnel_headers = dict(headers) if headers else {}
    self._host_key = None  # the Host header names the tunnel's end now


def set_debuglevel(self, level):
    self.debuglevel = level


def _connect_indirect(self):
    """connect() through http.client's socket factory hook (test suites set
    it) or to the proxy of a tunnel."""
    timeout = resolve_timeout(self.timeout)
    create = self._create_connection
    if create is not None:
        sock = create((self.host, self.port), timeout, self.source_address)
    else:
        sock = self._transport.connect(self.host, self.port, timeout, self.source_address)
    self.sock = sock
    if self._tunnel_host:
        self._tunnel()


def _tunnel(self):
    from .tunnel import open_tunnel  # CONNECT code loads only when a tunnel is used
    open_tunnel(self)


def _drop_socket(self):
    sock = self.sock
    self.sock = None
    self._rbuf = None
    if sock is not None:
        try:
            sock.close()
        except OSError:
            pass


def _settle(self, response):
    """Drain a small unread previous response, or drop the socket, before the next request."""
    if response._head is not None and response.length is not None \
            and response.length <= _DRAIN_LIMIT and self._rbuf is not None:
        scratch = bytearray(min(response.length, 4096) or 1)
        try:
            while response._transfer(scratch, len(scratch)):
                pass
        except Exception:
            self._drop_socket()
        response.fp = None
        return
    response.close()
    response._buf = None  # closed: the next connection's buffer may take its memory
    self._drop_socket()


def _put_auto_headers(self, url, skip_host, skip_accept_encoding):
    """Host and Accept-Encoding through putheader(): the host of an absolute
    URL, or a subclass that overrides putheader() sees them, as in http.client."""
    if not skip_host:
        netloc = _split_netloc(url) if url.startswith("http") else ""
        self.putheader("Host", netloc.encode("ascii") if netloc else self._host_key[2])
    if not skip_accept_encoding:
        self.putheader("Accept-Encoding", "identity")


def _output(self, line):
    self._buffer += line + b"\r\n"


def _not_latin1(self, body):
    return UnicodeEncodeError(
        "latin-1", body, 0, len(body),
        "body is not valid Latin-1. Use body.encode('utf-8') to send it as UTF-8.")


def _frame_body(self, body):
    """Content-Length of a body that is bytes-like but not bytes, else
    chunked (files, iterables); True when chunked."""
    try:
        length = None if hasattr(body, "read") else _nbytes(body)
    except TypeError:
        length = None
    if length is None:
        self.putheader("Transfer-Encoding", "chunked")
        return True
    self.putheader("Content-Length", str(length))
    return False


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


def _read_blocks(self, readable):
    """A file body, read blocksize at a time (text files are sent as ISO-8859-1)."""
    while True:
        block = readable.read(self.blocksize)
        if not block:
            break
        if isinstance(block, str):
            block = block.encode("iso-8859-1")
        yield block


def _send_blocks(self, data):
    """send() of a file object or an iterable of bytes."""
    if hasattr(data, "read"):
        blocks = self._read_blocks(data)
    else:
        try:
            blocks = iter(data)
        except TypeError:
            raise TypeError("data should be a bytes-like object or an iterable, got %r"
                            % type(data))
    for block in blocks:
        self.sock.sendall(block)


def _send_body(self, head, body, encode_chunked):
    """The head, then a body that is not small bytes, or chunked, or waits for 100 Continue."""
    self.send(head)
    if self._expect_continue and not self._await_continue():
        return  # a final response came instead of 100: the body stays unsent
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


def _send_again(self, exc, method, url, body, headers, encode_chunked):
    """request() once more on a new socket, when the server closed the
    kept-alive one as the request was written or before it answered: only an
    idempotent request with a body that can be sent again, and not after a
    timeout (exc is raised then)."""
    if is_timeout(exc) or method.upper() not in _IDEMPOTENT \
            or not (body is None or isinstance(body, (bytes, bytearray, str))):
        raise exc
    self._drop_socket()
    self._state = _IDLE
    self.request(method, url, body, headers, encode_chunked=encode_chunked)


def _retry(self, exc):
    """The server had closed the reused connection: send the request once more."""
    replay = self._replay
    self._replay = None
    if isinstance(replay, str):
        replay = (self._method, replay, None, {}, False)
    self._send_again(exc, *replay)
    response = self._new_response(self._method)
    response.begin()
    return response
