"""HTTPConnection and HTTPSConnection: http.client's request side.

A connection owns one RecvBuffer and one ResponseParser for its whole life
(keep-alive responses reuse them) and reaches the network only through its
transport, so the same class runs over CPython sockets, MicroPython sockets
or an AT-command modem.
"""

from .clock import DEFAULT_TIMEOUT, is_timeout, resolve_timeout
from .buffer import MICROPYTHON, RecvBuffer, as_reader
from .parser import ResponseParser, _attach, _error, _errors, _method
from .response import DEFAULT_BUFFER_SIZE, DEFAULT_MAX_HEADERS, DEFAULT_MAX_LINE, HTTPResponse

HTTP_PORT = 80
HTTPS_PORT = 443

_IDLE = "Idle"
_REQ_STARTED = "Request-started"
_REQ_SENT = "Request-sent"

_METHODS_EXPECTING_BODY = ("PATCH", "POST", "PUT")
# Requests that may be sent again when a reused connection turns out dead.
_IDEMPOTENT = ("GET", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE")
# An unread response smaller than this is drained so the connection is reused.
_DRAIN_LIMIT = 1024 if MICROPYTHON else 65536



def _has_ctl(text):
    """A control character or a space (refused in methods, URLs and hosts).

    min() and `in` rather than a set of characters: no table kept in RAM.
    """
    return bool(text) and (min(text) <= " " or "\x7f" in text)

_transport = None


def default_transport():
    """The platform's socket transport, imported on first use only."""
    global _transport
    if _transport is None:
        import sys
        if sys.implementation.name == "micropython":
            from .ports.micropython import SocketTransport
        else:
            from .ports.cpython import SocketTransport
        _transport = SocketTransport()
    return _transport


def _to_bytes(value, encoding, what):
    if isinstance(value, (bytes, bytearray)):
        return bytes(value)
    if isinstance(value, str):
        try:
            return value.encode(encoding)
        except UnicodeError:
            raise ValueError("%s %r is not %s" % (what, value, encoding))
    if isinstance(value, int):
        return str(value).encode("ascii")
    raise TypeError("%s must be str, bytes or int, not %s" % (what, type(value).__name__))


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


# Methods in connection_more.py, loaded on first use on MicroPython.
_CONNECTION_MORE = (" set_tunnel set_debuglevel _tunnel _read_blocks _output _send_body _await_continue"
         " _check_declared_length _retry ")


class HTTPConnection:
    _http_vsn = 11
    _http_vsn_str = "HTTP/1.1"
    response_class = HTTPResponse
    default_port = HTTP_PORT
    auto_open = 1
    debuglevel = 0
    _host_key = None  # what _host_line was made from (putrequest)
    _host_line = None

    def __init__(self, host, port=None, timeout=DEFAULT_TIMEOUT, source_address=None,
                 blocksize=8192, *, strict=None, transport=None, buffer_size=None,
                 max_line=DEFAULT_MAX_LINE, max_headers=DEFAULT_MAX_HEADERS, keep_headers=None,
                 continue_timeout=1.0):
        self.timeout = timeout
        self.source_address = source_address
        self.blocksize = blocksize
        self._transport = transport
        self._buffer_size = buffer_size or DEFAULT_BUFFER_SIZE
        self.max_line = max_line
        self.max_headers = max_headers
        self.keep_headers = tuple(h.lower() for h in keep_headers) if keep_headers else None
        self.continue_timeout = continue_timeout
        self._sock = None
        self._rbuf = None
        self._parser = None
        self._buffer = []
        self._state = _IDLE
        self._method = None
        self._response = None  # the last response, until its body is read
        self._pending = None  # a response already begun (100-continue)
        self._expect_continue = False
        self._replay = None  # how to send the current request again
        self._reused = False  # the socket carried an earlier response
        self._tunnel_host = None
        self._tunnel_port = None
        self._tunnel_headers = {}
        self.host, self.port = self._get_hostport(host, port)
        self._validate_host(self.host)

    def __getattr__(self, name):
        return _method(self, _CONNECTION_MORE, "connection_more", name)

    # ---------------------------------------------------------- addressing

    def _get_hostport(self, host, port):
        if port is None:
            i = host.rfind(":")
            j = host.rfind("]")  # IPv6 literals are bracketed
            if i > j:
                text = host[i + 1:]
                if not text or text.strip("0123456789"):
                    raise _error("InvalidURL", "nonnumeric port: '%s'" % text)
                port = int(text)
                host = host[:i]
            else:
                port = self.default_port
        elif not isinstance(port, int):
            if not isinstance(port, str) or not port or port.strip("0123456789"):
                raise _error("InvalidURL", "nonnumeric port: '%s'" % (port,))
            port = int(port)
        if not 0 <= port <= 65535:
            raise _error("InvalidURL", "port out of range: %d" % port)
        if host and host[0] == "[" and host[-1] == "]":
            host = host[1:-1]
        return host, port

    @staticmethod
    def _validate_host(host):
        if _has_ctl(host):
            raise _error("InvalidURL", "URL can't contain control characters. %r" % (host,))

    # ---------------------------------------------------------- connecting

    @property
    def sock(self):
        return self._sock

    @sock.setter
    def sock(self, sock):
        """Adopt a socket made elsewhere (http.client allows this, and its tests rely on it)."""
        self._sock = sock
        self._rbuf = None
        if sock is not None:
            self._new_buffer(sock)

    def _new_buffer(self, sock):
        self._rbuf = RecvBuffer(as_reader(sock), self._buffer_size, self.max_line + 2)
        self._parser = ResponseParser(self.max_line, self.max_headers, self.keep_headers)
        self._reused = False

    def _get_transport(self):
        if self._transport is None:
            self._transport = default_transport()
        return self._transport

    def connect(self):
        timeout = resolve_timeout(self.timeout)
        transport = self._get_transport()
        create = getattr(self, "_create_connection", None)
        if create is not None:  # http.client's socket factory hook (test suites set it)
            sock = create((self.host, self.port), timeout, self.source_address)
        elif self._tunnel_host:
            sock = transport.connect(self.host, self.port, timeout, self.source_address)
        else:
            sock = self._open(transport, timeout)
        self.sock = sock
        if self._tunnel_host:
            self._tunnel()

    def _open(self, transport, timeout):
        return transport.connect(self.host, self.port, timeout, self.source_address)

    def close(self):
        self._state = _IDLE
        self._pending = None
        sock = self._sock
        rbuf = self._rbuf
        self._sock = None
        self._rbuf = None
        try:
            if rbuf is not None and rbuf.sock is not None and rbuf.sock is not sock:
                rbuf.sock.close()  # the makefile() reader of a socket without recv_into
            if sock is not None:
                sock.close()
        finally:
            response = self._response
            if response is not None:
                self._response = None
                response.close()

    # ------------------------------------------------------------- sending

    def send(self, data):
        """Send bytes, a file object (read in blocks) or an iterable of bytes."""
        if self._sock is None:
            if self.auto_open:
                self.connect()
            else:
                raise _error("NotConnected")
        if self.debuglevel > 0:
            print("send:", repr(data))
        if hasattr(data, "read"):
            for block in self._read_blocks(data):
                self._sock.sendall(block)
            return
        try:
            self._sock.sendall(data)
        except TypeError:
            try:
                blocks = iter(data)
            except TypeError:
                raise TypeError("data should be a bytes-like object or an iterable, got %r"
                                % type(data))
            for block in blocks:
                self._sock.sendall(block)

    def putrequest(self, method, url, skip_host=False, skip_accept_encoding=False):
        self._settle_previous_response()
        if self._state != _IDLE:
            raise _error("CannotSendRequest", self._state)
        self._state = _REQ_STARTED
        self._validate_method(method)
        url = url or "/"
        self._validate_path(url)
        self._method = method
        self._expect_continue = False
        self._replay = None
        request = "%s %s %s" % (method, url, self._http_vsn_str)
        self._buffer = [request.encode("ascii")]
        if self._http_vsn != 11:
            return
        # Host and Accept-Encoding are checked once, then reused as lines,
        # unless a subclass wants to see them in its own putheader().
        plain = type(self).putheader is HTTPConnection.putheader
        if not skip_host:
            netloc = _split_netloc(url) if url.startswith("http") else ""
            key = (self._tunnel_host, self._tunnel_port, self.host, self.port, self.default_port)
            if netloc:
                self.putheader("Host", netloc.encode("ascii"))
            elif plain and key == self._host_key:
                self._buffer.append(self._host_line)
            else:
                if self._tunnel_host:
                    host, port = self._tunnel_host, self._tunnel_port
                else:
                    host, port = self.host, self.port
                if ":" in host:
                    host = "[%s]" % host.partition("%")[0]  # no IPv6 zone id in Host
                if port != self.default_port:
                    host = "%s:%d" % (host, port)
                try:
                    host_enc = host.encode("ascii")
                except UnicodeError:
                    host_enc = host.encode("idna")  # as http.client (CPython has the codec)
                self.putheader("Host", host_enc)
                if plain:
                    self._host_key = key
                    self._host_line = self._buffer[-1]
        if not skip_accept_encoding:
            if plain:
                self._buffer.append(b"Accept-Encoding: identity")
            else:
                self.putheader("Accept-Encoding", "identity")

    @staticmethod
    def _validate_method(method):
        if not isinstance(method, str):
            raise TypeError("method must be str, not %s" % type(method).__name__)
        if not method or _has_ctl(method):
            raise ValueError("method can't contain control characters or spaces. %r" % (method,))

    @staticmethod
    def _validate_path(url):
        if _has_ctl(url):
            raise _error("InvalidURL", "URL can't contain control characters. %r" % (url,))

    @staticmethod
    def _check_header(name, value):
        if not name or min(name) <= 32 or b":" in name or b"\x7f" in name:
            raise ValueError("Invalid header name %r" % (name,))
        if value and (min(value) < 32 or b"\x7f" in value) \
                and any(c < 32 and c != 9 or c == 127 for c in value):
            raise ValueError("Invalid header value %r" % (value,))

    def putheader(self, header, *values):
        if self._state != _REQ_STARTED:
            raise _error("CannotSendHeader")
        name = _to_bytes(header, "ascii", "header name")
        value = b", ".join(_to_bytes(v, "latin-1", "header value") for v in values)
        self._check_header(name, value)
        if name.lower() == b"expect" and value.strip().lower() == b"100-continue":
            self._expect_continue = True
        self._buffer.append(name + b": " + value)

    def endheaders(self, message_body=None, *, encode_chunked=False):
        if self._state != _REQ_STARTED:
            raise _error("CannotSendHeader")
        self._state = _REQ_SENT
        self._send_output(message_body, encode_chunked)

    def _send_output(self, message_body=None, encode_chunked=False):
        self._buffer.append(b"")
        self._buffer.append(b"")
        head = b"\r\n".join(self._buffer)
        self._buffer = []
        self._check_idle_socket()
        if message_body is None:
            self.send(head)
            return
        if self._expect_continue:
            self.send(head)
            if not self._await_continue():
                return  # a final response came instead of 100: the body stays unsent
        elif not encode_chunked and isinstance(message_body, (bytes, bytearray)) \
                and len(message_body) <= 16384:
            self.send(head + message_body)  # one segment for small requests
            return
        else:
            self.send(head)
        self._send_body(message_body, encode_chunked)

    def _check_idle_socket(self):
        """Reconnect before sending when a kept-alive socket was closed by the server.

        Nothing of the request has been sent yet, so this is safe for any method.
        """
        if self._sock is None:
            return
        dead = self._rbuf is None or self._rbuf.sock is None
        if not dead and self._reused:
            peer_closed = getattr(self._get_transport(), "peer_closed", None)
            try:
                dead = peer_closed is not None and peer_closed(self._sock)
            except OSError:
                dead = True
        if dead:
            self._drop_socket()
            self.connect()

    def _drop_socket(self):
        sock = self._sock
        self._sock = None
        self._rbuf = None
        if sock is not None:
            try:
                sock.close()
            except OSError:
                pass

    def request(self, method, url, body=None, headers={}, *, encode_chunked=False):
        replayable = (self._reused and self._sock is not None and method.upper() in _IDEMPOTENT
                      and (body is None or isinstance(body, (bytes, bytearray, str))))
        try:
            self._send_request(method, url, body, headers, encode_chunked)
        except OSError as exc:
            # The server closed the kept-alive socket as we wrote to it.
            if not replayable or is_timeout(exc):
                raise
            self._drop_socket()
            self._state = _IDLE
            self._send_request(method, url, body, headers, encode_chunked)
            replayable = False
        if replayable:
            self._replay = (method, url, body, headers, encode_chunked)

    def _send_request(self, method, url, body, headers, encode_chunked):
        names = [k.lower() for k in headers]
        self.putrequest(method, url, skip_host="host" in names,
                        skip_accept_encoding="accept-encoding" in names)
        if isinstance(body, str):
            try:
                body = body.encode("iso-8859-1")
            except UnicodeError:
                raise UnicodeEncodeError(
                    "latin-1", body, 0, len(body),
                    "body is not valid Latin-1. Use body.encode('utf-8') to send it as UTF-8.")
        if "content-length" in names:
            encode_chunked = False
            self._check_declared_length(headers, body)
        elif "transfer-encoding" not in names:
            encode_chunked = False
            length = self._body_length(body, method)
            if length is None:
                if body is not None:
                    encode_chunked = True
                    self.putheader("Transfer-Encoding", "chunked")
            else:
                self.putheader("Content-Length", str(length))
        for name, value in headers.items():
            self.putheader(name, value)
        self.endheaders(body, encode_chunked=encode_chunked)

    @staticmethod
    def _body_length(body, method):
        if body is None:
            return 0 if method.upper() in _METHODS_EXPECTING_BODY else None
        if hasattr(body, "read"):
            return None
        try:
            return _nbytes(body)
        except TypeError:
            return None

    # ----------------------------------------------------------- receiving

    def _new_response(self, method):
        response = self.response_class(self._sock, self.debuglevel, method=method)
        if isinstance(response, HTTPResponse):
            if self._rbuf is None:
                self._new_buffer(self._sock)
            self._parser.reset()
            response._attach(self._rbuf, self._parser)
            response.head_timeout = resolve_timeout(self.timeout)
        return response

    def _settle_previous_response(self):
        """Drain a small unread response, or drop the socket, before the next request."""
        response = self._response
        self._response = None
        if response is None or response._done:
            return
        if response.headers is not None and response.length is not None \
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

    def getresponse(self):
        if self._response is not None and self._response.isclosed():
            self._response = None
        if self._state != _REQ_SENT or self._response is not None:
            raise _error("ResponseNotReady", self._state)
        response = self._pending or self._new_response(self._method)
        self._pending = None
        try:
            try:
                response.begin()
            except (_errors().RemoteDisconnected, OSError) as exc:
                # A reused socket that the server had closed: nothing of a
                # response arrived, so an idempotent request is sent again.
                if not self._replay or response._received or is_timeout(exc):
                    raise
                response = self._retry()
        except BaseException:
            self.close()
            response.close()
            raise
        self._state = _IDLE
        self._replay = None
        if response.will_close:
            # The response keeps the socket until its body is read.
            self._sock = None
            self._rbuf = None
        else:
            self._response = response
            self._reused = True
        return response


if not MICROPYTHON:
    _attach(HTTPConnection, "connection_more")
