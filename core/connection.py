"""HTTPConnection: http.client's request side.

A connection owns one RecvBuffer and one ResponseParser for its whole life
(keep-alive responses reuse them) and reaches the network only through its
transport, so the same class runs over CPython sockets, MicroPython sockets
or an AT-command modem. The request head is built in one bytearray that the
connection keeps, so a request on a kept-alive connection allocates almost
nothing; what a plain GET, POST or PUT does not run is in connection_more.py.
"""

from .clock import DEFAULT_TIMEOUT, resolve_timeout
from .buffer import MICROPYTHON, RecvBuffer, as_reader, const
from .parser import ResponseParser, _attach, _error, _errors, _load, _method
from .response import DEFAULT_BUFFER_SIZE, DEFAULT_MAX_HEADERS, DEFAULT_MAX_LINE, HTTPResponse

HTTP_PORT = const(80)
HTTPS_PORT = const(443)

# The request states; errors.STATES has http.client's names for the exceptions.
_IDLE = const(0)
_REQ_STARTED = const(1)
_REQ_SENT = const(2)


_transport = None


def default_transport():
    """The platform's socket transport, imported on first use only."""
    global _transport
    if _transport is None:
        if MICROPYTHON:
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
            raise _load("refusals").refused(what, value, encoding)
    if isinstance(value, int):
        return str(value).encode("ascii")
    raise _load("refusals").refused(what, value)


class HTTPConnection:
    _http_vsn = 11
    _http_vsn_str = "HTTP/1.1"
    response_class = HTTPResponse
    default_port = HTTP_PORT
    auto_open = 1
    debuglevel = 0
    _host_key = None  # (host, port, Host header value) of the last request
    _create_connection = None  # http.client's socket factory hook (test suites set it)

    def __init__(self, host, port=None, timeout=DEFAULT_TIMEOUT, source_address=None,
                 blocksize=8192, *, strict=None, transport=None, buffer_size=None,
                 max_line=DEFAULT_MAX_LINE, max_headers=DEFAULT_MAX_HEADERS, keep_headers=None,
                 continue_timeout=1.0):
        self.timeout = timeout
        self.source_address = source_address
        self.blocksize = blocksize
        if transport is None:
            transport = default_transport()
        self._transport = transport
        self._buffer_size = buffer_size or DEFAULT_BUFFER_SIZE
        self.max_line = max_line
        self.max_headers = max_headers
        self.keep_headers = tuple(map(str.lower, keep_headers)) if keep_headers else None
        self.continue_timeout = continue_timeout
        self.sock = None
        self._rbuf = None  # the receive buffer of the socket _rbuf_of
        self._rbuf_of = None
        self._parser = None
        self._buffer = bytearray()  # the request head, reused by every request
        self._state = _IDLE
        self._method = None
        self._response = None  # the last response, until its body is read
        self._pending = None  # a response already begun (100-continue)
        self._expect_continue = False
        self._replay = None  # how to send the current request again
        self._reused = None  # the socket that carried an earlier response
        self._tunnel_host = None
        self._tunnel_port = None
        self._tunnel_headers = {}
        self.host, self.port = self._get_hostport(host, port)
        self._validate_host(self.host)

    def __getattr__(self, name):
        # What this class lacks may be a method of connection_more.py, which
        # a board loads on first use (so no lookup on a GET's path may miss).
        return _method(self, "connection_more", name)

    # ---------------------------------------------------------- addressing

    def _get_hostport(self, host, port):
        if port is None:
            i = host.rfind(":")
            if i > host.rfind("]"):  # IPv6 literals are bracketed
                host, port = host[:i], host[i + 1:]
            else:
                port = self.default_port
        if not isinstance(port, int):
            if not isinstance(port, str) or not port or port.strip("0123456789"):
                raise _error("InvalidURL", "nonnumeric port: '%s'" % (port,))
            port = int(port)
        if not 0 <= port <= 65535:
            raise _error("InvalidURL", "port out of range: %d" % port)
        # startswith(), not host[0]: on MicroPython a one-character str is
        # interned for good.
        if host and host.startswith("[") and host.endswith("]"):
            host = host[1:-1]
        return host, port

    # ---------------------------------------------------------- connecting

    def connect(self):
        if self._tunnel_host or self._create_connection is not None:
            self._connect_indirect()
        else:
            self.sock = self._transport.connect(self.host, self.port,
                                                resolve_timeout(self.timeout), self.source_address)

    def close(self):
        self._state = _IDLE
        self._pending = None
        sock = self.sock
        rbuf = self._rbuf
        self.sock = None
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
        if self.sock is None:
            if self.auto_open:
                self.connect()
            else:
                raise _error("NotConnected")
        if self.debuglevel > 0:
            print("send:", repr(data))
        if hasattr(data, "read"):
            self._send_blocks(data)
            return
        try:
            self.sock.sendall(data)
        except TypeError:
            self._send_blocks(data)

    def putrequest(self, method, url, skip_host=False, skip_accept_encoding=False):
        response = self._response
        self._response = None
        if response is not None and not response._done:
            self._settle(response)
        if self._state != _IDLE:
            raise _error("CannotSendRequest", _errors().STATES[self._state])
        self._state = _REQ_STARTED
        if not isinstance(method, str):
            raise _load("refusals").refused("method type", method)
        raw_method = method.encode()
        # Control characters and space, looked for in bytes: min() of a str
        # would intern each character it meets, for good, on MicroPython.
        if not raw_method or min(raw_method) <= 32 or b"\x7f" in raw_method:
            raise _load("refusals").refused("method", method)
        url = url or "/"
        raw_url = self._validate_path(url) or url.encode()  # an override may return None
        self._method = method
        self._expect_continue = False
        self._replay = None
        head = self._buffer
        # MicroPython encodes UTF-8 only: no codec name to keep interned.
        head[:] = raw_method if MICROPYTHON else method.encode("ascii")
        head += b" "
        head += raw_url if MICROPYTHON else url.encode("ascii")
        head += b" "
        head += self._http_vsn_str.encode() if MICROPYTHON else self._http_vsn_str.encode("ascii")
        head += b"\r\n"
        if self._http_vsn != 11:
            return
        if not skip_host:
            # The Host value is worked out once per host and port.
            key = self._host_key
            if key is None or key[0] != self.host or key[1] != self.port:
                host, port = self.host, self.port
                if self._tunnel_host:
                    host, port = self._tunnel_host, self._tunnel_port
                if ":" in host:
                    host = "[%s]" % host.partition("%")[0]  # no IPv6 zone id in Host
                if port != self.default_port:
                    host = "%s:%d" % (host, port)
                if MICROPYTHON:
                    value = host.encode()  # MicroPython has UTF-8 only
                else:
                    try:
                        value = host.encode("ascii")
                    except UnicodeError:
                        value = host.encode("idna")  # as http.client
                key = self._host_key = (self.host, self.port, value)
        if type(self).putheader is not HTTPConnection.putheader or url.startswith("http"):
            self._put_auto_headers(url, skip_host, skip_accept_encoding)
            return
        if not skip_host:
            head += b"Host: "
            head += key[2]
            head += b"\r\n"
        if not skip_accept_encoding:
            head += b"Accept-Encoding: identity\r\n"

    @staticmethod
    def _validate_path(url):
        """Refuses control characters and spaces; returns the bytes it checked,
        which putrequest sends (one encode per request)."""
        # min() and `in` of the bytes: no table in RAM, and no character of a
        # str interned by min() on MicroPython.
        raw = url.encode() if url else b""
        if raw and (min(raw) <= 32 or b"\x7f" in raw):
            raise _error("InvalidURL", "URL can't contain control characters. %r" % (url,))
        return raw

    _validate_host = _validate_path  # the same check; each can be overridden on its own

    @staticmethod
    def _check_header(name, value):
        if not name or min(name) <= 32 or b":" in name or b"\x7f" in name:
            raise _load("refusals").refused("header name", name)
        if value and (b"\x7f" in value
                      or min(value) < 32 and min(value.replace(b"\t", b" ")) < 32):
            raise _load("refusals").refused("header value", value)

    def putheader(self, header, *values):
        if self._state != _REQ_STARTED:
            raise _error("CannotSendHeader")
        name = _to_bytes(header, "ascii", "header name")
        value = comma = b""
        for v in values:
            value += comma + _to_bytes(v, "latin-1", "header value")
            comma = b", "
        self._check_header(name, value)
        if len(name) == 6 and name.lower() == b"expect" \
                and value.strip().lower() == b"100-continue":
            self._expect_continue = True
        head = self._buffer
        head += name
        head += b": "
        head += value
        head += b"\r\n"

    def endheaders(self, message_body=None, *, encode_chunked=False):
        if self._state != _REQ_STARTED:
            raise _error("CannotSendHeader")
        self._state = _REQ_SENT
        head = self._buffer
        head += b"\r\n"
        if self.debuglevel > 0 or not MICROPYTHON:
            # A copy on CPython: a memoryview that a transport made of it (kept
            # by a traceback) would forbid resizing the buffer. And send()
            # prints bytes, as http.client does.
            head = bytes(head)
        sock = self.sock
        if sock is not None and self._rbuf_of is sock:
            # A socket that carried a response and that the server has closed
            # since is replaced before anything is sent: safe for any method.
            dead = self._rbuf.sock is None
            if not dead and self._reused is sock:
                transport = self._transport
                if hasattr(transport, "peer_closed"):
                    try:
                        dead = transport.peer_closed(sock)
                    except OSError:
                        dead = True
            if dead:
                self._drop_socket()
                self.connect()
        if message_body is None:
            self.send(head)
        elif isinstance(message_body, (bytes, bytearray)) and len(message_body) <= 16384 \
                and not (encode_chunked or self._expect_continue):
            self.send(head + message_body)  # one segment for small requests
        else:
            self._send_body(head, message_body, encode_chunked)

    def request(self, method, url, body=None, headers={}, *, encode_chunked=False):
        reused = self._reused is self.sock and self.sock is not None
        try:
            names = ()
            if headers:  # a loop, not a list comprehension: one function object less
                names = []
                for name in headers:
                    names.append(name.lower())
            self.putrequest(method, url, skip_host="host" in names,
                            skip_accept_encoding="accept-encoding" in names)
            if isinstance(body, str):
                try:
                    body = body.encode("latin-1")
                except UnicodeError:
                    raise self._not_latin1(body)
            if "content-length" in names:
                encode_chunked = False
                self._check_declared_length(headers, body)
            elif "transfer-encoding" not in names:
                encode_chunked = False
                if body is None:
                    if method.upper() in ("PATCH", "POST", "PUT"):
                        self.putheader("Content-Length", "0")
                elif isinstance(body, (bytes, bytearray)):
                    self.putheader("Content-Length", str(len(body)))
                else:
                    encode_chunked = self._frame_body(body)
            if headers:
                for name, value in headers.items():
                    self.putheader(name, value)
            self.endheaders(body, encode_chunked=encode_chunked)
        except OSError as exc:
            # Perhaps the server closed the kept-alive socket as we wrote to it.
            if not reused:
                raise
            self._send_again(exc, method, url, body, headers, encode_chunked)
            return
        if reused:
            # How to send it again (_retry); the URL alone when there is no body or header.
            self._replay = url if body is None and not headers \
                else (method, url, body, headers, encode_chunked)

    # ----------------------------------------------------------- receiving

    def _new_response(self, method):
        sock = self.sock
        response = self.response_class(sock, self.debuglevel, method=method)
        if isinstance(response, HTTPResponse):
            if self._rbuf_of is not sock or self._rbuf is None:
                # The first response on this socket (connect() made it, or
                # the caller set conn.sock as http.client allows).
                self._rbuf = RecvBuffer(as_reader(sock), self._buffer_size, self.max_line + 2)
                self._parser = ResponseParser(self.max_line, self.max_headers, self.keep_headers)
                self._rbuf_of = sock
            self._parser.reset()
            # The connection's buffer and parser (HTTPResponse(sock) makes its own).
            response._buf = self._rbuf
            response._parser = self._parser
            response.head_timeout = resolve_timeout(self.timeout)
        return response

    def getresponse(self):
        if self._response is not None and self._response.isclosed():
            self._response = None
        if self._state != _REQ_SENT or self._response is not None:
            raise _error("ResponseNotReady", _errors().STATES[self._state])
        response = self._pending or self._new_response(self._method)
        self._pending = None
        try:
            try:
                response.begin()
            except Exception as exc:
                # A reused socket that the server had closed: nothing of a
                # response arrived, so an idempotent request is sent again.
                # (errors.py is asked last: any other failure raises as it is.)
                if not self._replay or response._received \
                        or not isinstance(exc, (OSError, _errors().RemoteDisconnected)):
                    raise
                response = self._retry(exc)
        except BaseException:
            self.close()
            response.close()
            raise
        self._state = _IDLE
        self._replay = None
        if response.will_close:
            # The response keeps the socket until its body is read.
            self.sock = None
            self._rbuf = None
        else:
            self._response = response
            self._reused = self.sock
        return response


if not MICROPYTHON:
    _attach(HTTPConnection, "connection_more")
