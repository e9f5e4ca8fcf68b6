"""The response parser, each case replayed whole, split at every byte, and byte by byte.

The parser is sans-io; here it runs under HTTPResponse over a socket-like
object that hands out scripted pieces, so the receive buffer's refill and
compaction paths run too.
"""

import pytest

import microhttplib as httplib
from microhttplib.parser import ResponseParser


class PieceSocket:
    """recv_into() returns the next scripted piece (never more than asked)."""

    def __init__(self, pieces):
        self.pieces = [bytes(p) for p in pieces if p]
        self.closed = False

    def recv_into(self, buf, nbytes):
        if not self.pieces:
            return 0
        piece = self.pieces[0]
        n = min(nbytes, len(piece), len(buf))
        buf[:n] = piece[:n]
        if n == len(piece):
            self.pieces.pop(0)
        else:
            self.pieces[0] = piece[n:]
        return n

    def settimeout(self, timeout):
        pass

    def close(self):
        self.closed = True


def splits(raw):
    yield "whole", [raw]
    for i in range(1, len(raw)):
        yield "split@%d" % i, [raw[:i], raw[i:]]
    yield "bytewise", [raw[i:i + 1] for i in range(len(raw))]


def run(pieces, method="GET", reads=None):
    resp = httplib.HTTPResponse(PieceSocket(pieces), method=method)
    resp.begin()
    if reads is None:
        body = resp.read()
    else:
        body = b"".join(resp.read(n) for n in reads)
    return resp, body


GOOD = [
    ("content-length",
     b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello",
     "GET", 200, "OK", [("Content-Type", "text/plain"), ("Content-Length", "5")], b"hello"),
    ("chunked with extension and trailer",
     b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
     b"5;name=value\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: yes\r\n\r\n",
     "GET", 200, "OK", [("Transfer-Encoding", "chunked")], b"hello world"),
    ("chunked hex upper and lower case",
     b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
     b"A\r\n0123456789\r\na\r\nabcdefghij\r\n0\r\n\r\n",
     "GET", 200, "OK", [("Transfer-Encoding", "chunked")], b"0123456789abcdefghij"),
    ("read until close",
     b"HTTP/1.1 200 OK\r\nServer: x\r\n\r\nuntil the end",
     "GET", 200, "OK", [("Server", "x")], b"until the end"),
    ("HTTP/1.0 without length",
     b"HTTP/1.0 200 OK\r\n\r\nold style",
     "GET", 200, "OK", [], b"old style"),
    ("HEAD has no body despite Content-Length",
     b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n",
     "HEAD", 200, "OK", [("Content-Length", "100")], b""),
    ("204 has no body",
     b"HTTP/1.1 204 No Content\r\n\r\n", "GET", 204, "No Content", [], b""),
    ("304 has no body",
     b"HTTP/1.1 304 Not Modified\r\nETag: \"x\"\r\n\r\n", "GET", 304, "Not Modified",
     [("ETag", '"x"')], b""),
    ("interim 100 and 103 are skipped",
     b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\n"
     b"HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok",
     "POST", 201, "Created", [("Content-Length", "2")], b"ok"),
    ("102 Processing is skipped",
     b"HTTP/1.1 102 Processing\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
     "GET", 200, "OK", [("Content-Length", "0")], b""),
    ("bare LF line ends",
     b"HTTP/1.1 200 OK\nContent-Length: 3\n\nabc", "GET", 200, "OK",
     [("Content-Length", "3")], b"abc"),
    ("empty reason",
     b"HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n", "GET", 200, "", [("Content-Length", "0")], b""),
    ("reason with spaces, header whitespace trimmed",
     b"HTTP/1.1 404 Not Found Here\r\nX-A:   spaced value \t\r\nContent-Length: 0\r\n\r\n",
     "GET", 404, "Not Found Here", [("X-A", "spaced value"), ("Content-Length", "0")], b""),
    ("obs-fold is unfolded to one space",
     b"HTTP/1.1 200 OK\r\nX-Long: first\r\n  second\r\n\tthird\r\nContent-Length: 0\r\n\r\n",
     "GET", 200, "OK", [("X-Long", "first second third"), ("Content-Length", "0")], b""),
    ("identical duplicate Content-Length is one length",
     b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nok",
     "GET", 200, "OK", [("Content-Length", "2"), ("Content-Length", "2")], b"ok"),
    ("latin-1 header value",
     b"HTTP/1.1 200 OK\r\nX-Name: caf\xe9\r\nContent-Length: 0\r\n\r\n",
     "GET", 200, "OK", [("X-Name", "caf\xe9"), ("Content-Length", "0")], b""),
    ("gzip then chunked is chunked",
     b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
     "GET", 200, "OK", [("Transfer-Encoding", "gzip, chunked")], b"abc"),
    ("last coding not chunked: read until close",
     b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\nraw bytes",
     "GET", 200, "OK", [("Transfer-Encoding", "chunked, gzip")], b"raw bytes"),
    ("an empty line before the status line is skipped",
     b"\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
     "GET", 200, "OK", [("Content-Length", "2")], b"ok"),
    ("an empty line after 100 Continue is skipped (aiohttp)",
     b"HTTP/1.1 100 Continue\r\n\r\n\r\nHTTP/1.1 404 Not Found\r\nContent-Length: 2\r\n\r\nno",
     "POST", 404, "Not Found", [("Content-Length", "2")], b"no"),
    ("four empty lines, CR LF or LF, are skipped",
     b"\r\n\n\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
     "GET", 200, "OK", [("Content-Length", "2")], b"ok"),
]


@pytest.mark.parametrize("case", GOOD, ids=[c[0] for c in GOOD])
def test_good_responses_every_split(case):
    name, raw, method, status, reason, headers, body = case
    for how, pieces in splits(raw):
        resp, got = run(pieces, method)
        assert (resp.status, resp.reason, resp.getheaders(), got) == \
            (status, reason, headers, body), how
        assert resp.isclosed(), how


@pytest.mark.parametrize("case", GOOD[:3], ids=[c[0] for c in GOOD[:3]])
def test_small_reads_match_whole_read(case):
    name, raw, method, status, reason, headers, body = case
    for how, pieces in splits(raw):
        resp, got = run(pieces, method, reads=[1, 2, 3, 100])
        assert got == body, how


BAD = [
    ("both Transfer-Encoding and Content-Length",
     b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
     httplib.ProtocolError),
    ("conflicting Content-Length", b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n",
     httplib.ProtocolError),
    ("signed Content-Length", b"HTTP/1.1 200 OK\r\nContent-Length: +5\r\n\r\nhello",
     httplib.ProtocolError),
    ("negative Content-Length", b"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
     httplib.ProtocolError),
    ("non-ASCII digit in Content-Length", b"HTTP/1.1 200 OK\r\nContent-Length: \xb2\r\n\r\n",
     httplib.ProtocolError),
    ("junk in chunk size",
     b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5x\r\nhello\r\n0\r\n\r\n",
     httplib.ProtocolError),
    ("empty chunk size",
     b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n\r\nhello\r\n0\r\n\r\n",
     httplib.ProtocolError),
    ("huge chunk size",
     b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n11111111111111111\r\n",
     httplib.ProtocolError),
    ("chunk data longer than its size",
     b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhello\r\n0\r\n\r\n",
     httplib.ProtocolError),
    ("bare CR in a header", b"HTTP/1.1 200 OK\r\nX-A: a\rb\r\nContent-Length: 0\r\n\r\n",
     httplib.ProtocolError),
    ("NUL in a header", b"HTTP/1.1 200 OK\r\nX-A: a\x00b\r\nContent-Length: 0\r\n\r\n",
     httplib.ProtocolError),
    ("space before colon", b"HTTP/1.1 200 OK\r\nX-A : b\r\nContent-Length: 0\r\n\r\n",
     httplib.ProtocolError),
    ("header without colon", b"HTTP/1.1 200 OK\r\nnonsense\r\nContent-Length: 0\r\n\r\n",
     httplib.ProtocolError),
    ("folded Content-Length", b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\n 2\r\n\r\n",
     httplib.ProtocolError),
    ("not HTTP", b"ICY 200 OK\r\n\r\n", httplib.BadStatusLine),
    ("two-digit status", b"HTTP/1.1 20 OK\r\n\r\n", httplib.BadStatusLine),
    ("status not a number", b"HTTP/1.1 abc OK\r\n\r\n", httplib.BadStatusLine),
    ("HTTP/2 status line", b"HTTP/2.0 200 OK\r\n\r\n", httplib.UnknownProtocol),
    ("five empty lines before the status line",
     b"\r\n" * 5 + b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", httplib.BadStatusLine),
    ("five empty lines after 100 Continue",
     b"HTTP/1.1 100 Continue\r\n\r\n" + b"\r\n" * 5 + b"HTTP/1.1 200 OK\r\n\r\n",
     httplib.BadStatusLine),
    ("only empty lines, then EOF", b"\r\n\r\n", httplib.RemoteDisconnected),
    ("empty response", b"", httplib.RemoteDisconnected),
    ("cut in the status line", b"HTTP/1.1 200", httplib.BadStatusLine),
    ("cut in the headers", b"HTTP/1.1 200 OK\r\nContent-Le", httplib.RemoteDisconnected),
    ("cut in a Content-Length body", b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc",
     httplib.IncompleteRead),
    ("cut in a chunk", b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab",
     httplib.IncompleteRead),
    ("cut before the last chunk",
     b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n", httplib.IncompleteRead),
]


@pytest.mark.parametrize("case", BAD, ids=[c[0] for c in BAD])
def test_bad_responses_every_split(case):
    name, raw, exc = case
    for how, pieces in splits(raw):
        with pytest.raises(exc):
            run(pieces)


BODILESS = [
    ("204 without a length", b"HTTP/1.1 204 No Content\r\nServer: x\r\n\r\n", "GET"),
    ("304 without a length", b"HTTP/1.1 304 Not Modified\r\nETag: \"x\"\r\n\r\n", "GET"),
    ("HEAD reply without a length", b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n",
     "HEAD"),
    ("HEAD reply with a non-chunked coding",
     b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n", "HEAD"),
    ("HTTP/1.0 204 with keep-alive",
     b"HTTP/1.0 204 No Content\r\nConnection: keep-alive\r\n\r\n", "GET"),
]


@pytest.mark.parametrize("case", BODILESS, ids=[c[0] for c in BODILESS])
def test_bodiless_response_keeps_the_connection(case):
    """RFC 9112 6.3 rule 1: the response ends at its empty line, the connection persists."""
    name, raw, method = case
    for how, pieces in splits(raw):
        resp, body = run(pieces, method)
        assert (body, resp.length, resp.will_close) == (b"", 0, False), how
        assert not resp._buf.sock.closed, how


@pytest.mark.parametrize("raw, method", [
    (b"HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n", "GET"),
    (b"HTTP/1.0 304 Not Modified\r\n\r\n", "GET"),
    (b"HTTP/1.0 200 OK\r\n\r\n", "HEAD"),
], ids=["Connection: close", "HTTP/1.0", "HTTP/1.0 HEAD"])
def test_bodiless_response_still_closes_when_asked(raw, method):
    resp, body = run([raw], method)
    assert (body, resp.will_close) == (b"", True)


def test_101_switching_protocols_is_never_reused_for_http():
    """After 101 the connection speaks another protocol, a length header or not."""
    for headers in (b"Connection: Upgrade\r\nUpgrade: websocket\r\n", b"Content-Length: 0\r\n"):
        raw = b"HTTP/1.1 101 Switching Protocols\r\n" + headers + b"\r\n"
        resp, body = run([raw])
        assert (resp.status, resp.will_close, body) == (101, True, b"")


def test_head_reply_with_chunked_is_chunked_without_body():
    """http.client sets chunked from the header for a HEAD reply too; there is no body."""
    raw = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: text/plain\r\n\r\n"
    for how, pieces in splits(raw):
        resp, body = run(pieces, "HEAD")
        assert (resp.chunked, resp.chunk_left, resp.length, resp.will_close, body) == \
            (True, None, 0, False, b""), how
        assert resp.isclosed(), how


def test_incomplete_read_keeps_partial_body():
    raw = b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc"
    for how, pieces in splits(raw):
        with pytest.raises(httplib.IncompleteRead) as info:
            run(pieces)
        assert info.value.partial == b"abc", how
        assert info.value.expected == 7, how
        assert repr(info.value) == "IncompleteRead(3 bytes read, 7 more expected)"


def test_incomplete_chunked_read_keeps_partial_body():
    raw = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n5\r\nde"
    for how, pieces in splits(raw):
        with pytest.raises(httplib.IncompleteRead) as info:
            run(pieces)
        assert info.value.partial == b"abcde", how


def test_line_too_long():
    raw = b"HTTP/1.1 200 OK\r\nX-Big: " + b"a" * 70000 + b"\r\n\r\n"
    with pytest.raises(httplib.LineTooLong):
        run([raw])
    with pytest.raises(httplib.LineTooLong):
        run([b"HTTP/1.1 200 " + b"x" * 70000])


def test_too_many_headers():
    raw = b"HTTP/1.1 200 OK\r\n" + b"X-A: b\r\n" * 101 + b"\r\n"
    with pytest.raises(httplib.HTTPException, match="more than 100 headers"):
        run([raw])


def test_parser_limits_are_settable():
    parser = ResponseParser(max_line=32, max_headers=2)
    data = bytearray(b"HTTP/1.1 200 OK\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n")
    with pytest.raises(httplib.HTTPException, match="more than 2 headers"):
        parser.parse_head(data, 0, len(data))
    parser = ResponseParser(max_line=32)
    data = bytearray(b"HTTP/1.1 200 OK\r\nX: " + b"a" * 40 + b"\r\n\r\n")
    with pytest.raises(httplib.LineTooLong):
        parser.parse_head(data, 0, len(data))


def test_parser_reports_no_progress_until_a_line_ends():
    parser = ResponseParser()
    data = bytearray(b"HTTP/1.1 200 OK\r\nContent-Le")
    assert parser.parse_head(data, 0, len(data)) == 17
    assert not parser.head_complete
    data += b"ngth: 3\r\n\r\nabc"
    pos = parser.parse_head(data, 17, len(data))
    assert parser.head_complete and data[pos:] == b"abc"
    assert parser.length == 3


def test_keep_headers_stores_only_named_headers_but_frames_by_all():
    parser = ResponseParser(keep_headers=("content-type",))
    data = bytearray(b"HTTP/1.1 200 OK\r\nServer: big\r\nContent-Type: a/b\r\n"
                     b"Transfer-Encoding: chunked\r\nX-Long: " + b"z" * 100 + b"\r\n\r\n")
    parser.parse_head(data, 0, len(data))
    assert parser.headers == [("Content-Type", "a/b")]
    assert parser.framing == 2  # CHUNKED


def test_will_close_rules():
    cases = [
        (b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", False),
        (b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n", True),
        (b"HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n", True),
        (b"HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n", False),
        (b"HTTP/1.1 200 OK\r\n\r\n", True),
    ]
    for raw, will_close in cases:
        resp, _ = run([raw])
        assert resp.will_close is will_close, raw


def test_readline_peek_read1_and_iteration():
    raw = (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
           b"4\r\nab\nc\r\n5\r\nd\nefg\r\n0\r\n\r\n")
    for how, pieces in splits(raw):
        resp = httplib.HTTPResponse(PieceSocket(pieces))
        resp.begin()
        assert resp.peek(1)[:1] == b"a", how
        assert resp.readline() == b"ab\n", how
        assert resp.read1(1) == b"c", how
        assert list(resp) == [b"d\n", b"efg"], how
        assert resp.read() == b"" and resp.isclosed()


def test_readinto_fills_the_callers_buffer():
    raw = b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123456789"
    for how, pieces in splits(raw):
        resp = httplib.HTTPResponse(PieceSocket(pieces))
        resp.begin()
        buf = bytearray(4)
        got = []
        while True:
            n = resp.readinto(buf)
            if not n:
                break
            got.append(bytes(buf[:n]))
        assert b"".join(got) == b"0123456789", how
        assert resp.isclosed()


def test_http_message_api():
    raw = (b"HTTP/1.1 200 OK\r\nSet-Cookie: a=1\r\nset-cookie: b=2\r\n"
           b"Content-Type: text/html; charset=UTF-8\r\nContent-Length: 0\r\n\r\n")
    resp, _ = run([raw])
    msg = resp.msg
    assert msg is resp.headers
    assert msg["SET-COOKIE"] == "a=1" and msg.get("missing", "d") == "d"
    assert msg.get_all("set-cookie") == ["a=1", "b=2"]
    assert "content-type" in msg and "x" not in msg
    assert msg.keys() == ["Set-Cookie", "set-cookie", "Content-Type", "Content-Length"]
    assert msg.getheader("set-cookie") == "a=1, b=2"
    assert msg.getheaders("Set-Cookie") == ["a=1", "b=2"]
    assert msg.get_content_type() == "text/html"
    assert msg.get_content_charset() == "utf-8"
    assert resp.getheader("set-cookie") == "a=1, b=2"
    assert resp.getheader("nope", "dflt") == "dflt"
    assert str(msg).startswith("Set-Cookie: a=1\n")


def test_status_constants_and_responses():
    assert httplib.OK == 200 and httplib.NOT_FOUND == 404
    for name, code in [("PERMANENT_REDIRECT", 308), ("MISDIRECTED_REQUEST", 421),
                       ("TOO_EARLY", 425), ("PRECONDITION_REQUIRED", 428),
                       ("TOO_MANY_REQUESTS", 429), ("REQUEST_HEADER_FIELDS_TOO_LARGE", 431),
                       ("UNAVAILABLE_FOR_LEGAL_REASONS", 451),
                       ("NETWORK_AUTHENTICATION_REQUIRED", 511)]:
        assert getattr(httplib, name) == code
    assert httplib.responses[404] == "Not Found"
    assert httplib.responses[511] == "Network Authentication Required"
    assert httplib.HTTP_PORT == 80 and httplib.HTTPS_PORT == 443
    with pytest.raises(AttributeError):
        httplib.NO_SUCH_STATUS


def test_exception_hierarchy():
    assert issubclass(httplib.RemoteDisconnected, httplib.BadStatusLine)
    assert issubclass(httplib.RemoteDisconnected, ConnectionResetError)
    assert issubclass(httplib.LineTooLong, httplib.HTTPException)
    assert issubclass(httplib.ResponseNotReady, httplib.ImproperConnectionState)
    assert issubclass(httplib.CannotSendRequest, httplib.ImproperConnectionState)
    assert issubclass(httplib.CannotSendHeader, httplib.ImproperConnectionState)
    for name in ("NotConnected", "InvalidURL", "UnknownProtocol", "UnknownTransferEncoding",
                 "UnimplementedFileMode", "IncompleteRead", "ImproperConnectionState",
                 "BadStatusLine", "ProtocolError"):
        assert issubclass(getattr(httplib, name), httplib.HTTPException)
    assert httplib.error is httplib.HTTPException
