"""Robustness of the response parser: split invariance, fuzzed input, framing
attacks and a differential test against http.client.

Everything here runs without a network: the parser is driven directly over a
bytearray, and HTTPResponse/HTTPConnection read from `PieceSocket`, a fake
socket that hands out a response in the pieces a test chose (a real socket
may deliver any split, this makes every split reproducible).

Hypothesis settings: the default is short so `make test` stays fast;
`HYPOTHESIS_PROFILE=fuzz` (see docs/robustness.md, `make fuzz`) runs the same
properties with many more examples (FUZZ_EXAMPLES, default 20000).
"""

import http.client
import io
import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import microhttplib as mh
from microhttplib.parser import CHUNKED, CONTENT_LENGTH, UNTIL_CLOSE, ResponseParser

_FUZZ = os.environ.get("HYPOTHESIS_PROFILE") == "fuzz"
settings.register_profile(
    "robustness-default", max_examples=120, deadline=None, derandomize=False,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.register_profile(
    "robustness-fuzz", max_examples=int(os.environ.get("FUZZ_EXAMPLES", "20000")),
    deadline=None, suppress_health_check=list(HealthCheck))
PROFILE = settings.get_profile("robustness-fuzz" if _FUZZ else "robustness-default")

# Exceptions a hostile or broken response must never produce.
FORBIDDEN = (IndexError, ValueError, TypeError, RecursionError, KeyError, AttributeError,
             UnicodeError, MemoryError, OverflowError, AssertionError)


# --------------------------------------------------------------- fake socket

class PieceSocket:
    """recv_into() returns at most one of the pieces (the rest of it stays)."""

    def __init__(self, pieces):
        self.pieces = [bytes(p) for p in pieces if p]
        self.sent = bytearray()
        self.closed = False
        self.eof_reads = 0

    def recv_into(self, buf, nbytes=0):
        if not nbytes:
            nbytes = len(buf)
        if not self.pieces:
            self.eof_reads += 1
            assert self.eof_reads < 1000, "the client keeps reading after EOF"
            return 0
        piece = self.pieces[0]
        n = min(nbytes, len(piece), len(buf))
        buf[:n] = piece[:n]
        if n < len(piece):
            self.pieces[0] = piece[n:]
        else:
            self.pieces.pop(0)
        return n

    def sendall(self, data):
        self.sent += data

    def settimeout(self, timeout):
        pass

    def fileno(self):
        return -1

    def close(self):
        self.closed = True


def split(raw, cuts):
    cuts = sorted(set(c for c in cuts if 0 < c < len(raw)))
    bounds = [0] + cuts + [len(raw)]
    return [raw[a:b] for a, b in zip(bounds, bounds[1:])]


# ------------------------------------------------------- direct parser driver

def parse_direct(pieces, method="GET", **parser_kw):
    """Drive ResponseParser over one growing bytearray, fed piece by piece.

    Returns ("ok", status, reason, version, headers, body, will_close, framing),
    ("incomplete", what, body so far) when the pieces run out, or
    ("error", exception class name) for an HTTPException.
    """
    p = ResponseParser(**parser_kw)
    pending = [bytes(x) for x in pieces if x]
    buf = bytearray()
    start = 0
    body = bytearray()

    def feed():
        if not pending:
            return False
        buf.extend(pending.pop(0))
        return True

    try:
        while True:
            while not p.head_complete:
                start = p.parse_head(buf, start, len(buf))
                if not p.head_complete and not feed():
                    return ("incomplete", "head", b"")
            if p.status >= 200 or p.status == 101:
                break
            p.reset()
        if method == "HEAD" or p.status in (204, 304):
            p.no_body()
        framing = p.framing
        if framing == CONTENT_LENGTH:
            left = p.length
            while left:
                if start == len(buf) and not feed():
                    return ("incomplete", "body", bytes(body))
                n = min(left, len(buf) - start)
                body += buf[start:start + n]
                start += n
                left -= n
        elif framing == CHUNKED:
            steps = 0
            while not p.body_complete:
                steps += 1
                assert steps < 100000, "parse_chunked makes no progress"
                if p.chunk_left:
                    if start == len(buf) and not feed():
                        return ("incomplete", "body", bytes(body))
                    n = min(p.chunk_left, len(buf) - start)
                    body += buf[start:start + n]
                    start += n
                    p.consumed_chunk_data(n)
                    continue
                new = p.parse_chunked(buf, start, len(buf))
                if new == start and not p.chunk_left and not p.body_complete and not feed():
                    return ("incomplete", "body", bytes(body))
                start = new
        elif framing == UNTIL_CLOSE:
            while feed():
                pass
            body = bytearray(buf[start:])
        return ("ok", p.status, p.reason, p.version, list(p.headers), bytes(body),
                p.will_close, framing)
    except mh.HTTPException as exc:
        return ("error", type(exc).__name__)


# ------------------------------------------------------ HTTPResponse driver

READ_MODES = ("read", "amt", "readinto", "read1", "lines", "peek")


def read_body(r, mode, step):
    """Read the whole body with one of the APIs; returns the bytes."""
    out = bytearray()
    for _ in range(100000):
        if mode == "read":
            out += r.read()
            return bytes(out)
        if mode == "amt":
            got = r.read(step)
        elif mode == "readinto":
            b = bytearray(step)
            n = r.readinto(b)
            got = bytes(b[:n])
        elif mode == "read1":
            got = r.read1(step)
        elif mode == "lines":
            got = r.readline()
        else:
            peeked = r.peek(1)
            got = r.read(len(peeked)) if peeked else b""
            assert got == peeked[:len(got)]
        if not got:
            return bytes(out)
        out += got
    raise AssertionError("reading the body does not end")


def parse_response(pieces, method="GET", mode="read", step=7, via="response", buffer_size=None):
    """HTTPResponse (alone, or through HTTPConnection with a chosen buffer size)
    over a PieceSocket. Returns ("ok", ...) or ("error", class name, partial)."""
    sock = PieceSocket(pieces)
    body = bytearray()
    r = None
    try:
        if via == "response":
            r = mh.HTTPResponse(sock, method=method)
            r.begin()
        else:
            conn = mh.HTTPConnection("example.com", buffer_size=buffer_size)
            conn.sock = sock
            conn.request(method, "/")
            r = conn.getresponse()
        headers = r.getheaders()
        got = read_body(r, mode, step)
        return ("ok", r.status, r.reason, r.version, headers, got, r.will_close)
    except mh.IncompleteRead as exc:
        # What read() returned before plus the partial of the failing call.
        partial = exc.partial
        if mode != "read":
            partial = b""  # read_body's earlier pieces are not visible here
        return ("error", "IncompleteRead", partial)
    except mh.HTTPException as exc:
        return ("error", type(exc).__name__, b"")


def parse_response_streaming(pieces, method="GET", mode="amt", step=7):
    """Like parse_response, but keeps every byte a read call returned before an
    IncompleteRead: nothing received may be lost."""
    sock = PieceSocket(pieces)
    r = mh.HTTPResponse(sock, method=method)
    out = bytearray()
    try:
        r.begin()
        for _ in range(100000):
            got = read_body(r, mode, step) if mode == "read" else r.read(step)
            out += got
            if not got or mode == "read":
                break
        return ("ok", bytes(out))
    except mh.IncompleteRead as exc:
        return ("incomplete", bytes(out) + exc.partial)
    except mh.HTTPException as exc:
        return ("error", type(exc).__name__)


def parse_stdlib(raw, method="GET"):
    class Sock:
        def makefile(self, *a, **k):
            return io.BytesIO(raw)
    r = http.client.HTTPResponse(Sock(), method=method)
    r.begin()
    return ("ok", r.status, r.reason, r.version, r.getheaders(), r.read(), r.will_close)


# ------------------------------------------------------- valid responses

TCHAR = "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
# Headers with a say in framing or persistence; "keep-alive" and
# "proxy-connection" make http.client keep an HTTP/1.0 connection open
# (a deliberate difference, see test_http10_keep_alive_header_alone_closes).
FRAMING_NAMES = ("content-length", "transfer-encoding", "connection", "keep-alive",
                 "proxy-connection")
header_names = st.text(TCHAR, min_size=1, max_size=12).filter(
    lambda n: n.lower() not in FRAMING_NAMES)
# Field values: visible ASCII, SP/HTAB inside, obs-text (ISO-8859-1 bytes).
value_chars = st.characters(min_codepoint=0x20, max_codepoint=0xFF, blacklist_characters="\x7f")
header_values = st.text(st.one_of(value_chars, st.just("\t")), max_size=24).map(
    lambda v: v.strip(" \t"))
reasons = st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E), max_size=12).flatmap(
    lambda w: st.sampled_from([w, w + " and more", ""]))


@st.composite
def responses(draw, allow_until_close=True):
    """A valid response: (raw bytes, method, expected dict)."""
    method = draw(st.sampled_from(["GET", "GET", "GET", "HEAD"]))
    version = draw(st.sampled_from(["HTTP/1.1", "HTTP/1.1", "HTTP/1.0"]))
    status = draw(st.sampled_from([200, 200, 201, 204, 206, 301, 304, 404, 418, 500, 503]))
    reason = draw(reasons)
    headers = draw(st.lists(st.tuples(header_names, header_values), max_size=6))
    body = draw(st.binary(max_size=300))
    framings = ["length", "chunked"] + (["close"] if allow_until_close else [])
    framing = draw(st.sampled_from(framings))
    connection = draw(st.sampled_from([None, "close", "keep-alive"]))
    no_body = method == "HEAD" or status in (204, 304)
    # framing "close" on a bodiless response: no length header at all (RFC 9112
    # 6.3 rule 1: it still ends at the empty line and keeps the connection).
    head = ["%s %d %s" % (version, status, reason) if reason else "%s %d " % (version, status)]
    lines = list(headers)
    if connection:
        lines.append(("Connection", connection))
    payload = b""
    if framing == "length":
        lines.append(("Content-Length", str(len(body))))
        payload = b"" if no_body else body
    elif framing == "chunked":
        lines.append(("Transfer-Encoding", "chunked"))
        if not no_body:
            payload = draw(chunked_encoding(body))
    elif not no_body:
        payload = body
    order = draw(st.permutations(range(len(lines))))
    lines = [lines[i] for i in order]
    head += ["%s: %s" % kv for kv in lines]
    eol = draw(st.sampled_from([b"\r\n", b"\r\n", b"\n"]))
    interim = b""
    if draw(st.booleans()) and version == "HTTP/1.1":
        interim = b"HTTP/1.1 100 Continue" + eol + eol
    raw = interim + eol.join(h.encode("latin-1") for h in head) + eol + eol + payload
    will_close = (framing == "close" and not no_body or connection == "close"
                  or (version == "HTTP/1.0" and connection != "keep-alive"))
    expected = {
        "status": status, "reason": reason.strip(), "version": 10 if version == "HTTP/1.0" else 11,
        "headers": lines, "body": b"" if no_body else body, "will_close": will_close,
    }
    return raw, method, expected


@st.composite
def chunked_encoding(draw, body):
    out = bytearray()
    i = 0
    while i < len(body):
        n = draw(st.integers(1, max(1, len(body) - i)))
        size = draw(st.sampled_from(["%x", "%X", "%03x"])) % n
        ext = draw(st.sampled_from(["", "", ";name=value", ' ;q="x y"', "\t"]))
        out += (size + ext).encode() + b"\r\n" + body[i:i + n] + b"\r\n"
        i += n
    out += b"0\r\n"
    for name, value in draw(st.lists(st.tuples(header_names, header_values), max_size=2)):
        out += ("%s: %s\r\n" % (name, value)).encode("latin-1")
    out += b"\r\n"
    return bytes(out)


def cut_points(draw, raw):
    if draw(st.integers(0, 9)) == 0:
        return list(range(1, len(raw)))  # one byte at a time
    return draw(st.lists(st.integers(0, len(raw)), max_size=24))


# --------------------------------------------------------------- properties

@PROFILE
@given(st.data())
def test_any_split_parses_like_whole_direct_parser(data):
    raw, method, exp = data.draw(responses())
    whole = parse_direct([raw], method)
    pieces = split(raw, cut_points(data.draw, raw))
    assert parse_direct(pieces, method) == whole
    assert whole[:7] == ("ok", exp["status"], exp["reason"], exp["version"], exp["headers"],
                         exp["body"], exp["will_close"])


@PROFILE
@given(st.data())
def test_any_split_parses_like_whole_http_response(data):
    raw, method, exp = data.draw(responses())
    mode = data.draw(st.sampled_from(READ_MODES))
    step = data.draw(st.integers(1, 64))
    via = data.draw(st.sampled_from(["response", "connection"]))
    buffer_size = data.draw(st.sampled_from([8, 64, 1024]))
    pieces = split(raw, cut_points(data.draw, raw))
    got = parse_response(pieces, method, mode, step, via, buffer_size)
    assert got == ("ok", exp["status"], exp["reason"], exp["version"], exp["headers"],
                   exp["body"], exp["will_close"])
    assert got == parse_response([raw], method, "read")


@PROFILE
@given(st.data())
def test_differential_against_http_client(data):
    raw, method, exp = data.draw(responses())
    ours = parse_response([raw], method)
    if (exp["status"] in (204, 304) and ("Transfer-Encoding", "chunked") in exp["headers"]
            and method != "HEAD"):
        # Difference: http.client reads chunks after a 204/304 that announces
        # Transfer-Encoding: chunked; RFC 9112 6.3 says these have no body.
        with pytest.raises(http.client.IncompleteRead):
            parse_stdlib(raw, method)
        assert ours[0] == "ok" and ours[5] == b""
        return
    theirs = parse_stdlib(raw, method)
    assert ours[:6] == theirs[:6]
    # will_close differs only where http.client looks at the first Connection
    # header and we at all of them; the generator makes at most one.
    assert ours[6] == theirs[6]


# ----------------------------------------------------------------- mutation

def mutate(raw, ops):
    data = bytearray(raw)
    for op, pos, arg in ops:
        if not data:
            break
        pos %= len(data) + (1 if op == "insert" else 0)
        if op == "flip":
            if pos < len(data):
                data[pos] ^= 1 << (arg % 8)
        elif op == "insert":
            special = b"\r\n\x00 \t:;-+0fF\x7f\xff"
            data[pos:pos] = special[arg % len(special):arg % len(special) + 1]
        elif op == "delete":
            del data[pos:pos + 1 + arg % 4]
        elif op == "truncate":
            del data[pos:]
        elif op == "number":
            # A run of digits (or the byte at pos) becomes a hostile number.
            end = pos
            while end < len(data) and 48 <= data[end] <= 57:
                end += 1
            huge = [b"99999999999999999999999999", b"-1", b"+5", b"0x10", b"1e9",
                    b"18446744073709551616", b"ffffffffffffffffff", b"00000000000000000005"]
            data[pos:max(end, pos + 1)] = huge[arg % len(huge)]
        elif op == "dupline":
            nl = data.find(b"\n", pos)
            if nl >= 0:
                ls = data.rfind(b"\n", 0, pos) + 1
                data[nl + 1:nl + 1] = data[ls:nl + 1]
    return bytes(data)


mutations = st.lists(
    st.tuples(st.sampled_from(["flip", "insert", "delete", "truncate", "number", "dupline"]),
              st.integers(0, 1 << 16), st.integers(0, 255)),
    min_size=1, max_size=4)


@st.composite
def hostile(draw):
    kind = draw(st.integers(0, 9))
    if kind == 0:
        return draw(st.binary(max_size=200)), "GET"
    if kind == 1:
        prefix = draw(st.sampled_from([b"HTTP/1.1 200 OK\r\n", b"HTTP/1.1 ", b"HTTP/1.0 200 OK\r\n"
                                       b"Transfer-Encoding: chunked\r\n\r\n"]))
        return prefix + draw(st.binary(max_size=200)), "GET"
    raw, method, _ = draw(responses())
    return mutate(raw, draw(mutations)), method


@PROFILE
@given(st.data())
def test_hostile_input_gives_response_or_http_exception_direct(data):
    raw, method = data.draw(hostile())
    pieces = split(raw, cut_points(data.draw, raw))
    try:
        whole = parse_direct([raw], method)
        pieced = parse_direct(pieces, method)
    except FORBIDDEN as exc:
        raise AssertionError("%r on %r" % (exc, raw))
    assert pieced == whole


@PROFILE
@given(st.data())
def test_hostile_input_gives_response_or_http_exception_http_response(data):
    raw, method = data.draw(hostile())
    mode = data.draw(st.sampled_from(READ_MODES))
    via = data.draw(st.sampled_from(["response", "connection"]))
    pieces = split(raw, cut_points(data.draw, raw))
    try:
        whole = parse_response([raw], method, mode, 5, via, 16)
        pieced = parse_response(pieces, method, mode, 5, via, 16)
        # Nothing received is lost: the bytes read before an IncompleteRead
        # plus its partial are the same however the input was split.
        streamed_whole = parse_response_streaming([raw], method)
        streamed_pieced = parse_response_streaming(pieces, method)
    except FORBIDDEN as exc:
        raise AssertionError("%r on %r" % (exc, raw))
    assert pieced == whole
    assert streamed_pieced == streamed_whole


@PROFILE
@given(st.data())
def test_truncated_response_keeps_every_body_byte(data):
    """Cut a valid response anywhere: read() raises IncompleteRead whose
    partial is exactly the body bytes that arrived (or succeeds/fails in the
    head), never anything else."""
    raw, method, exp = data.draw(responses(allow_until_close=False))
    cut = data.draw(st.integers(0, len(raw)))
    got = parse_response_streaming(split(raw[:cut], cut_points(data.draw, raw[:cut])), method,
                                   mode="read")
    if got[0] == "incomplete":
        # Every body byte that arrived, in order; a chunked body may be
        # complete and still miss its last-chunk line.
        assert exp["body"].startswith(got[1])
        if ("Transfer-Encoding", "chunked") not in exp["headers"]:
            assert len(got[1]) < len(exp["body"])
    elif got[0] == "ok":
        assert got[1] == exp["body"]
    else:
        assert got[1] in ("RemoteDisconnected", "BadStatusLine", "IncompleteRead")


# -------------------------------------------------------- framing attacks

def outcome(raw, method="GET", **conn_kw):
    """Parse whole and one byte at a time; both must agree. Returns
    (response or None, exception or None) of the whole parse."""
    results = []
    for pieces in ([raw], [raw[i:i + 1] for i in range(len(raw))]):
        sock = PieceSocket(pieces)
        conn = mh.HTTPConnection("example.com", **conn_kw)
        conn.sock = sock
        conn.request(method, "/")
        try:
            r = conn.getresponse()
            body = r.read()
            results.append((r, body, None))
        except mh.HTTPException as exc:
            results.append((None, None, exc))
    (r1, b1, e1), (r2, b2, e2) = results
    assert type(e1) is type(e2) and str(e1) == str(e2)
    assert b1 == b2
    return r1, b1, e1


def refused(raw, exc_type, message, **conn_kw):
    r, body, exc = outcome(raw, **conn_kw)
    assert r is None, "accepted: %r %r" % (r.getheaders(), body)
    assert type(exc) is exc_type, repr(exc)
    assert message in str(exc), str(exc)


H = b"HTTP/1.1 200 OK\r\n"


FRAMING_ATTACKS = [
    # Request smuggling: two framings, conflicting or signed lengths.
    (H + b"Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n",
     mh.ProtocolError, "both Transfer-Encoding and Content-Length"),
    (H + b"Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
     mh.ProtocolError, "both Transfer-Encoding and Content-Length"),
    (H + b"Content-Length: 5\r\nContent-Length: 6\r\n\r\nhello!", mh.ProtocolError,
     "conflicting Content-Length"),
    (H + b"Content-Length: 5, 6\r\n\r\nhello!", mh.ProtocolError, "conflicting Content-Length"),
    (H + b"Content-Length: +5\r\n\r\nhello", mh.ProtocolError, "invalid Content-Length"),
    (H + b"Content-Length: -1\r\n\r\n", mh.ProtocolError, "invalid Content-Length"),
    (H + b"Content-Length: 0x5\r\n\r\nhello", mh.ProtocolError, "invalid Content-Length"),
    (H + b"Content-Length: 5.0\r\n\r\nhello", mh.ProtocolError, "invalid Content-Length"),
    (H + b"Content-Length: 5 5\r\n\r\nhello", mh.ProtocolError, "invalid Content-Length"),
    (H + b"Content-Length:\r\n\r\n", mh.ProtocolError, "invalid Content-Length"),
    (H + b"Content-Length: \xd9\xa5\r\n\r\n", mh.ProtocolError, "invalid Content-Length"),
    (H + b"Content-Length: \xb2\r\n\r\nhi", mh.ProtocolError, "invalid Content-Length"),
    (H + b"Content-Length: \xa05\r\n\r\nhello", mh.ProtocolError, "invalid Content-Length"),
    (H + b"Content-Length: 5,\x855\r\n\r\nhello", mh.ProtocolError, "invalid Content-Length"),
    (H + b"Content-Length: 99999999999999999999\r\n\r\n", mh.ProtocolError,
     "invalid Content-Length"),
    # Chunk sizes with junk (http.client's int(x, 16) accepts several of these).
    (H + b"Transfer-Encoding: chunked\r\n\r\n5x\r\nhello\r\n0\r\n\r\n", mh.ProtocolError,
     "invalid byte 0x78 in chunk size"),
    (H + b"Transfer-Encoding: chunked\r\n\r\n0x5\r\nhello\r\n0\r\n\r\n", mh.ProtocolError,
     "invalid byte 0x78 in chunk size"),
    (H + b"Transfer-Encoding: chunked\r\n\r\n+5\r\nhello\r\n0\r\n\r\n", mh.ProtocolError,
     "chunk size line without a size"),
    (H + b"Transfer-Encoding: chunked\r\n\r\n-5\r\nhello\r\n0\r\n\r\n", mh.ProtocolError,
     "chunk size line without a size"),
    (H + b"Transfer-Encoding: chunked\r\n\r\n 5\r\nhello\r\n0\r\n\r\n", mh.ProtocolError,
     "chunk size line without a size"),
    (H + b"Transfer-Encoding: chunked\r\n\r\n5_0\r\nhello\r\n0\r\n\r\n", mh.ProtocolError,
     "invalid byte 0x5f in chunk size"),
    (H + b"Transfer-Encoding: chunked\r\n\r\n\r\nhello\r\n0\r\n\r\n", mh.ProtocolError,
     "chunk size line without a size"),
    (H + b"Transfer-Encoding: chunked\r\n\r\n5 6\r\nhello\r\n0\r\n\r\n", mh.ProtocolError,
     "invalid byte 0x36 after chunk size"),
    (H + b"Transfer-Encoding: chunked\r\n\r\n5;a\x00b\r\nhello\r\n0\r\n\r\n", mh.ProtocolError,
     "control byte 0x00 in chunk extension"),
    (H + b"Transfer-Encoding: chunked\r\n\r\n5\r\nhelloXX\r\n0\r\n\r\n", mh.ProtocolError,
     "chunk data longer than its size"),
    # Over-long chunk-size lines: digits, extension, padding.
    (H + b"Transfer-Encoding: chunked\r\n\r\n" + b"1" * 17 + b"\r\n", mh.ProtocolError,
     "chunk size has too many digits"),
    (H + b"Transfer-Encoding: chunked\r\n\r\n" + b"0" * 17 + b"5\r\nhello\r\n0\r\n\r\n",
     mh.ProtocolError, "chunk size has too many digits"),
    (H + b"Transfer-Encoding: chunked\r\n\r\n5;" + b"x" * 70000 + b"\r\nhello\r\n0\r\n\r\n",
     mh.LineTooLong, "chunk size"),
    (H + b"Transfer-Encoding: chunked\r\n\r\n5" + b" " * 70000 + b"\r\nhello\r\n0\r\n\r\n",
     mh.LineTooLong, "chunk size"),
    # Transfer-Encoding applied twice.
    (H + b"Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
     mh.ProtocolError, "chunked applied twice"),
    (H + b"Transfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n", mh.ProtocolError,
     "chunked applied twice"),
    # obs-fold: unfolded, except on framing headers and before any header.
    (H + b"Content-Length:\r\n 5\r\n\r\nhello", mh.ProtocolError, "folded Content-Length"),
    (H + b"Content-Length: 5\r\n 0\r\n\r\nhello", mh.ProtocolError,
     "folded Content-Length header"),
    (H + b"Transfer-Encoding: gzip\r\n chunked\r\n\r\n0\r\n\r\n", mh.ProtocolError,
     "folded Transfer-Encoding header"),
    (H + b" X-Folded: 1\r\nContent-Length: 0\r\n\r\n", mh.ProtocolError,
     "continuation line before any header"),
    # Bare CR and other control bytes.
    (b"HTTP/1.1 200 O\rK\r\nContent-Length: 0\r\n\r\n", mh.BadStatusLine, "HTTP/1.1 200 O\rK"),
    (b"HTTP/1.1 200 OK\x00\r\nContent-Length: 0\r\n\r\n", mh.BadStatusLine, "HTTP/1.1 200"),
    (H + b"X-A: 1\rContent-Length: 0\r\n\r\n", mh.ProtocolError,
     "control character in header 'X-A'"),
    (H + b"X-A\r: 1\r\nContent-Length: 0\r\n\r\n", mh.ProtocolError, "invalid header line"),
    (H + b"X-A: a\x00b\r\nContent-Length: 0\r\n\r\n", mh.ProtocolError,
     "control character in header 'X-A'"),
    (H + b"X-A: 1\r\n b\x01\r\nContent-Length: 0\r\n\r\n", mh.ProtocolError,
     "control character in a folded header"),
    (H + b"Transfer-Encoding: chunked\r\n\r\n5\rhello\r\n0\r\n\r\n", mh.ProtocolError,
     "bare CR in chunk size line"),
    (H + b"Transfer-Encoding: chunked\r\n\r\n5\r\nhello\rX0\r\n\r\n", mh.ProtocolError,
     "bare CR after chunk data"),
    # Header syntax.
    (H + b"X-A : 1\r\nContent-Length: 0\r\n\r\n", mh.ProtocolError, "invalid header line"),
    (H + b"no colon here\r\nContent-Length: 0\r\n\r\n", mh.ProtocolError,
     "invalid header line"),
    (H + b": empty name\r\nContent-Length: 0\r\n\r\n", mh.ProtocolError, "invalid header line"),
    (H + b"Transfer-Encoding: chunked\r\n\r\n0\r\nbad trailer\r\n\r\n", mh.ProtocolError,
     "invalid trailer line"),
    # Status line.
    (b"HTTP/1.1 2000 OK\r\n\r\n", mh.BadStatusLine, "HTTP/1.1 2000 OK"),
    (b"HTTP/1.1 20 OK\r\n\r\n", mh.BadStatusLine, "HTTP/1.1 20 OK"),
    (b"HTTP/1.1 099 OK\r\n\r\n", mh.BadStatusLine, "HTTP/1.1 099 OK"),
    (b"HTTP/1.1 -20 OK\r\n\r\n", mh.BadStatusLine, "HTTP/1.1 -20 OK"),
    (b"HTTP/1.1  200 OK\r\n\r\n", mh.BadStatusLine, "HTTP/1.1  200 OK"),
    (b"HTTP/1.1\r\n\r\n", mh.BadStatusLine, "HTTP/1.1"),
    (b"ICY 200 OK\r\n\r\n", mh.BadStatusLine, "ICY 200 OK"),
    (b"HTTP/2.0 200 OK\r\n\r\n", mh.UnknownProtocol, "HTTP/2.0"),
    (b"", mh.RemoteDisconnected, "Remote end closed connection without response"),
    (b"HTTP/1.1 200 OK", mh.BadStatusLine, "HTTP/1.1 200 OK"),
    (H + b"Content-Length: 0\r\n", mh.RemoteDisconnected, "in the middle of the headers"),
    # Size limits.
    (b"HTTP/1.1 200 " + b"O" * 70000 + b"\r\n\r\n", mh.LineTooLong, "status line"),
    (H + b"X-A: " + b"a" * 70000 + b"\r\n\r\n", mh.LineTooLong, "header line"),
    (H + b"X-A: 1\r\n" * 101 + b"\r\n", mh.HTTPException, "got more than 100 headers"),
    (H + b"Transfer-Encoding: chunked\r\n\r\n0\r\n" + b"T: 1\r\n" * 101 + b"\r\n",
     mh.HTTPException, "got more than 100 headers"),
    (H + b"Transfer-Encoding: chunked\r\n\r\n0\r\nT: " + b"t" * 70000 + b"\r\n\r\n",
     mh.LineTooLong, "trailer line"),
]


@pytest.mark.parametrize("raw, exc_type, message", FRAMING_ATTACKS,
                         ids=lambda v: None if isinstance(v, bytes) else repr(v)[:40])
def test_framing_attack_refused(raw, exc_type, message):
    refused(raw, exc_type, message)


def test_framing_headers_checked_even_when_not_kept():
    """keep_headers only decides what is stored: folded or conflicting framing
    headers are refused whether kept or not."""
    kw = {"keep_headers": ("content-type",)}
    refused(H + b"Content-Length: 5\r\n 0\r\n\r\nhello", mh.ProtocolError,
            "folded Content-Length header", **kw)
    refused(H + b"Transfer-Encoding: gzip\r\n chunked\r\n\r\n0\r\n\r\n", mh.ProtocolError,
            "folded Transfer-Encoding header", **kw)
    refused(H + b"Content-Length: 5\r\nContent-Length: 6\r\n\r\nhello!", mh.ProtocolError,
            "conflicting Content-Length", **kw)
    r, body, exc = outcome(H + b"Content-Type: a/b\r\nX-A: 1\r\n 2\r\nContent-Length: 2\r\n\r\nhi",
                           **kw)
    assert exc is None and body == b"hi" and r.getheaders() == [("Content-Type", "a/b")]


@pytest.mark.parametrize("te, body", [
    (b"gzip", b"\x1f\x8bnot-decoded\r\n0\r\n\r\n"),
    (b"chunked, gzip", b"5\r\nhello\r\n0\r\n\r\n"),
    (b"identity", b"raw bytes until close"),
    (b"\xa0chunked", b"5\r\nhello\r\n0\r\n\r\n"),  # NBSP is not OWS
])
def test_transfer_encoding_not_ending_in_chunked_reads_to_close(te, body):
    r, got, exc = outcome(H + b"Transfer-Encoding: " + te + b"\r\n\r\n" + body)
    assert exc is None
    assert got == body and r.will_close and not r.chunked and r.length is None


def test_transfer_encoding_ending_in_chunked_is_dechunked_only():
    r, got, exc = outcome(H + b"Transfer-Encoding: gzip, chunked\r\n\r\n5\r\n\x1f\x8bxyz\r\n0\r\n\r\n")
    assert exc is None and r.chunked and got == b"\x1f\x8bxyz"


def test_obs_fold_is_unfolded_with_one_space():
    r, got, exc = outcome(H + b"X-A: one\r\n  two\r\n\tthree\r\nContent-Length: 2\r\n\r\nhi")
    assert exc is None and got == b"hi"
    assert r.getheader("X-A") == "one two three"


def test_folded_connection_close_is_seen():
    r, got, exc = outcome(H + b"Connection: keep-alive\r\n close\r\nContent-Length: 2\r\n\r\nhi")
    assert exc is None and got == b"hi"
    assert r.will_close


def test_http10_keep_alive_header_alone_closes():
    """Difference: http.client keeps an HTTP/1.0 connection open when a
    Keep-Alive or Proxy-Connection header is present; RFC 9112 9.3 asks for
    the keep-alive connection option, so microhttplib closes (always safe)."""
    for extra in (b"Keep-Alive: timeout=5\r\n", b"Proxy-Connection: keep-alive\r\n"):
        raw = b"HTTP/1.0 200 OK\r\n" + extra + b"Content-Length: 2\r\n\r\nhi"
        r, got, exc = outcome(raw)
        assert exc is None and got == b"hi" and r.will_close
        assert parse_stdlib(raw)[6] is False
    r, got, exc = outcome(b"HTTP/1.0 200 OK\r\nConnection: keep-alive\r\n"
                          b"Content-Length: 2\r\n\r\nhi")
    assert exc is None and not r.will_close


def test_equal_duplicate_content_lengths_are_one_length():
    r, got, exc = outcome(H + b"Content-Length: 5, 5\r\nContent-Length: 5\r\n\r\nhello")
    assert exc is None and got == b"hello"


def test_bare_lf_line_endings_are_accepted():
    r, got, exc = outcome(b"HTTP/1.1 200 OK\nX-A: 1\nTransfer-Encoding: chunked\n\n"
                          b"5\nhello\n0\nT: 1\n\n")
    assert exc is None and got == b"hello" and r.getheader("X-A") == "1"


def test_1xx_interim_responses_are_skipped():
    r, got, exc = outcome(b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\n"
                          b"Link: </a.css>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi")
    assert exc is None and r.status == 200 and got == b"hi"
    assert r.getheader("Link") is None


@pytest.mark.parametrize("length", [10 ** 17, 999999999999999999, 2 ** 40])
def test_huge_content_length_with_short_body_is_incomplete_read_not_memory_error(length):
    raw = H + b"Content-Length: %d\r\n\r\nonly this" % length
    r, got, exc = outcome(raw)
    assert isinstance(exc, mh.IncompleteRead)
    assert exc.partial == b"only this"


def test_huge_chunk_size_with_short_body_is_incomplete_read():
    raw = H + b"Transfer-Encoding: chunked\r\n\r\nffffffffffffffff\r\nonly this"
    r, got, exc = outcome(raw)
    assert isinstance(exc, mh.IncompleteRead) and exc.partial == b"only this"


def test_incomplete_read_partial_and_expected():
    sock = PieceSocket([H + b"Content-Length: 10\r\n\r\nabc"])
    r = mh.HTTPResponse(sock)
    r.begin()
    with pytest.raises(mh.IncompleteRead) as info:
        r.read()
    assert info.value.partial == b"abc" and info.value.expected == 7
    assert str(info.value) == "IncompleteRead(3 bytes read, 7 more expected)"
    assert r.isclosed() and sock.closed


# ------------------------------------------------------- MicroPython corpus

MP_CORPUS = """
import microhttplib as mh

class PieceSocket:
    def __init__(self, data, step):
        self.data = data
        self.pos = 0
        self.step = step
    def recv_into(self, buf, nbytes=0):
        n = min(nbytes or len(buf), self.step, len(self.data) - self.pos)
        for i in range(n):
            buf[i] = self.data[self.pos + i]
        self.pos += n
        return n
    def settimeout(self, t):
        pass
    def close(self):
        pass

def run(raw, method, step):
    r = mh.HTTPResponse(PieceSocket(raw, step), method=method)
    try:
        r.begin()
        body = r.read()
        heads = ';'.join(n + ':' + v for n, v in sorted(r.getheaders())).encode()
        return 'ok %d %s %s' % (r.status, body.hex(), heads.hex())
    except mh.IncompleteRead as e:
        return 'IncompleteRead ' + e.partial.hex()
    except mh.HTTPException as e:
        return type(e).__name__

for raw, method in CASES:
    whole = run(raw, method, 1 << 20)
    byte = run(raw, method, 1)
    print(whole if whole == byte else 'SPLIT-DIFFERS ' + whole + ' / ' + byte)
"""


def corpus(n, seed=1234):
    """Deterministic hostile inputs: the framing attacks and mutated responses."""
    import random
    rnd = random.Random(seed)
    bases = [
        H + b"Content-Length: 5\r\nX-A: 1\r\n\r\nhello",
        H + b"Transfer-Encoding: chunked\r\nX-B: \xe9t\xe9\r\n\r\n5;e=1\r\nhello\r\n0\r\nT: 1\r\n\r\n",
        b"HTTP/1.0 404 Not Found\r\nX-A: one\r\n two\r\n\r\nuntil close",
        b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n",
        # Header bytes are ISO-8859-1 on both, valid UTF-8 or not.
        H + b"Content-Length: 2\r\nX-U: caf\xc3\xa9 \xe2\x82\xac\r\n\r\nhi",
    ]
    out = [(raw, "GET") for raw, _, _ in FRAMING_ATTACKS if len(raw) < 4096]
    while len(out) < n:
        raw = rnd.choice(bases)
        ops = [(rnd.choice(["flip", "insert", "delete", "truncate", "number", "dupline"]),
                rnd.randrange(1 << 16), rnd.randrange(256)) for _ in range(rnd.randint(1, 3))]
        out.append((mutate(raw, ops), rnd.choice(["GET", "GET", "HEAD"])))
    return out


def cpython_outcome(raw, method):
    r = mh.HTTPResponse(PieceSocket([raw]), method=method)
    try:
        r.begin()
        body = r.read()
        heads = ";".join(n + ":" + v for n, v in sorted(r.getheaders())).encode()
        return "ok %d %s %s" % (r.status, body.hex(), heads.hex())
    except mh.IncompleteRead as e:
        return "IncompleteRead " + e.partial.hex()
    except mh.HTTPException as e:
        return type(e).__name__


def test_micropython_parses_hostile_input_like_cpython():
    """The same corpus on the MicroPython interpreter (line-by-line head path,
    byte-loop copies): only HTTPExceptions, split-invariant, and the same
    outcome as on CPython."""
    from mp_helpers import lines as mp_lines, run_mp
    cases = corpus(6000 if _FUZZ else 800)
    out = mp_lines(run_mp(MP_CORPUS, timeout=120, CASES=cases))
    assert len(out) == len(cases)
    for (raw, method), got in zip(cases, out):
        assert got == cpython_outcome(raw, method).strip(), raw


MP_LIMITS = """
import microhttplib as mh

class PieceSocket:
    def __init__(self, data, step):
        self.data = data
        self.pos = 0
        self.step = step
    def recv_into(self, buf, nbytes=0):
        n = min(nbytes or len(buf), self.step, len(self.data) - self.pos)
        for i in range(n):
            buf[i] = self.data[self.pos + i]
        self.pos += n
        return n
    def sendall(self, data):
        pass
    def settimeout(self, t):
        pass
    def close(self):
        pass

for raw in CASES:
    got = []
    for step in (1 << 20, 1):
        conn = mh.HTTPConnection('example.com', max_line=256, max_headers=10, buffer_size=64)
        conn.sock = PieceSocket(raw, step)
        conn.request('GET', '/')
        try:
            got.append('ok %r' % conn.getresponse().read())
        except mh.HTTPException as e:
            got.append('%s %s' % (type(e).__name__, e))
    print(got[0] if got[0] == got[1] else 'SPLIT-DIFFERS %r' % got)
"""

LIMIT_CASES = [
    b"HTTP/1.1 200 " + b"O" * 300 + b"\r\n\r\n",
    H + b"X-A: " + b"a" * 300 + b"\r\nContent-Length: 0\r\n\r\n",
    H + b"X-A: 1\r\n" * 11 + b"Content-Length: 0\r\n\r\n",
    H + b"Transfer-Encoding: chunked\r\n\r\n5;" + b"e" * 300 + b"\r\nhello\r\n0\r\n\r\n",
    H + b"Transfer-Encoding: chunked\r\n\r\n5" + b" " * 300 + b"\r\nhello\r\n0\r\n\r\n",
    H + b"Transfer-Encoding: chunked\r\n\r\n0\r\nT: " + b"t" * 300 + b"\r\n\r\n",
    H + b"X-A: " + b"a" * 200 + b"\r\nContent-Length: 2\r\n\r\nok",
]


def test_micropython_size_limits_are_http_exceptions():
    """LineTooLong and the header count on the MicroPython interpreter, with
    small limits (a board's): the same messages as on CPython."""
    from mp_helpers import lines as mp_lines, run_mp
    out = mp_lines(run_mp(MP_LIMITS, CASES=LIMIT_CASES))
    expected = [
        "LineTooLong got more than 256 bytes when reading status line",
        "LineTooLong got more than 256 bytes when reading header line",
        "HTTPException got more than 10 headers",
        "LineTooLong got more than 256 bytes when reading chunk size",
        "LineTooLong got more than 256 bytes when reading chunk size",
        "LineTooLong got more than 256 bytes when reading trailer line",
        "ok b'ok'",
    ]
    assert out == expected
    for raw, line in zip(LIMIT_CASES, expected):
        r, body, exc = outcome(raw, max_line=256, max_headers=10, buffer_size=64)
        assert ("ok %r" % body if exc is None else "%s %s" % (type(exc).__name__, exc)) == line
