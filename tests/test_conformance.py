"""Acceptance: llhttp's response test cases (strict mode), fed to microhttplib.

The cases live in tests/conformance/llhttp_response_cases.py (transcribed
from nodejs/llhttp test/response/*.md, MIT). Each one goes through
microhttplib's HTTPResponse over a fake socket: whole, split in two at every
byte boundary, and one byte per recv. What microhttplib makes of it (rejected
in the head; else status, version, reason, headers, how the body ended and
the body) must match what llhttp's log says, except for the cases in
EXPECTED_DIFFERENCES, which must differ exactly as recorded there. Every split
must give the same result as the whole input.

Comparison conventions (http.client's API, not differences):
* version: HTTP/1.1 -> 11, HTTP/1.0 and HTTP/0.9 -> 10 (http.client maps 0.9 to 10);
* reason: surrounding whitespace stripped (http.client strips it);
* header values: trailing whitespace stripped (llhttp leaves it in the span);
* the reason and header bytes are ISO-8859-1 decoded, as http.client does;
* only the first response counts: a client reads one response per request
  (what llhttp logs after it is kept in the case's `after` for information).
"""

import os
import re
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "conformance"))

from llhttp_response_cases import CASES  # noqa: E402
from microhttplib import HTTPException, HTTPResponse, IncompleteRead  # noqa: E402

VERSIONS = {"1.1": 11, "1.0": 10, "0.9": 10}

# name -> (what microhttplib does, why). The summary is summary(observation).
EXPECTED_DIFFERENCES = {
    "RTSP response": (
        "reject",
        "an HTTP client: a status line that does not start with HTTP/ is BadStatusLine "
        "(as in http.client); llhttp also parses RTSP and ICE"),
    "ICE response": (
        "reject",
        "an HTTP client: a status line that does not start with HTTP/ is BadStatusLine "
        "(as in http.client); llhttp also parses RTSP and ICE"),
    "No carriage ret": (
        "200 eof b'these headers are from http://news.ycombinator.com/'",
        "bare LF line ends are accepted in the head (RFC 9112 2.2 allows it, http.client "
        "does it); strict llhttp wants CR LF"),
    "Only LFs present and no body": (
        "200 complete b''",
        "bare LF line ends are accepted in the head (RFC 9112 2.2, http.client)"),
    "Only LFs present": (
        "200 eof b'BODY\\n\\\\'",
        "bare LF line ends are accepted in the head (RFC 9112 2.2, http.client)"),
    "Extra digit in HTTP minor version": (
        "200 eof b''",
        "any HTTP/1.x status line is taken as HTTP/1.1, as http.client does "
        "(\"HTTP/1.01\" included); llhttp wants exactly one minor digit"),
    "HTTP 101 response with Upgrade and Content-Length header": (
        "101 complete b''",
        "a 1xx response has no content (RFC 9110 15.2): 101 ends with its head, as in "
        "http.client; llhttp reads the Content-Length body first"),
    "HTTP 101 response with Upgrade and Transfer-Encoding header": (
        "101 complete b''",
        "a 1xx response has no content (RFC 9110 15.2); llhttp reads the chunked body first"),
    "Trailing space on chunked body": (
        "200 complete b'This is the data in the first chunk\\r\\nand this is the second one\\r\\n'",
        "whitespace after the chunk size is accepted (as http.client's int(size, 16) does); "
        "strict llhttp rejects it"),
    "No extension after semicolon": (
        "200 complete b'aa'",
        "chunk extensions are skipped up to the line end without checking their syntax "
        "(as http.client does); llhttp rejects an empty one"),
    "Unbalanced chunk extensions quoting": (
        "200 incomplete b'hello world'",
        "chunk extensions are skipped without checking their syntax, so the unbalanced quote "
        "is not seen; the response then fails only as truncated (IncompleteRead)"),
}


def md_input(text):
    """The bytes llhttp's test/md-test.ts makes of an ```http block."""
    s = re.sub(r"\\(\r\n|\r|\n)", "", text)
    s = re.sub(r"\r\n|\r|\n", "\r\n", s)
    s = s.replace("\\r", "\r").replace("\\n", "\n").replace("\\t", "\t").replace("\\f", "\f")
    s = re.sub(r"\\x([0-9a-fA-F]+)", lambda m: chr(int(m.group(1), 16)), s)
    s = re.sub(r"\\([0-7]{1,3})", lambda m: chr(int(m.group(1), 8)), s)
    return s.encode("utf-8")


class PieceSocket:
    """recv_into() hands out the pieces in order (never across two), then 0 for EOF."""

    def __init__(self, pieces):
        self.pieces = [bytes(p) for p in pieces if p]
        self.eof_reads = 0

    def recv_into(self, buf, nbytes=0):
        nbytes = nbytes or len(buf)
        if not self.pieces:
            self.eof_reads += 1
            return 0
        piece = self.pieces[0]
        n = min(nbytes, len(piece))
        buf[:n] = piece[:n]
        if n == len(piece):
            self.pieces.pop(0)
        else:
            self.pieces[0] = piece[n:]
        return n

    def settimeout(self, timeout):
        pass

    def close(self):
        pass


def observe(pieces, method="GET"):
    """What microhttplib makes of a response arriving in these pieces."""
    sock = PieceSocket(pieces)
    response = HTTPResponse(sock, method=method)
    try:
        response.begin()
    except HTTPException:
        return {"outcome": "reject"}
    seen = {"outcome": "accept", "status": response.status, "version": response.version,
            "reason": response.reason.strip(), "headers": response.getheaders()}
    body = bytearray()
    try:
        while True:
            part = response.read(7)
            if not part:
                break
            body += part
        seen["end"] = "eof" if sock.eof_reads else "complete"
    except IncompleteRead as exc:
        body += exc.partial
        seen["end"] = "incomplete"
    except HTTPException:
        seen["end"] = "error"
    seen["body"] = None if seen["end"] == "error" else bytes(body)
    return seen


def expected(case, data):
    """What llhttp's log says, in observe()'s terms."""
    if "reject" in case:
        return {"outcome": "reject"}
    if case["end"] == "error":
        body = None
    elif case["body"] is None:
        body = data[case["head"]:]
    else:
        body = case["body"].encode("utf-8")
    return {"outcome": "accept", "status": case["status"], "version": VERSIONS[case["version"]],
            "reason": case["reason"].encode("utf-8").decode("latin-1").strip(),
            "headers": [(n, v.encode("utf-8").decode("latin-1").rstrip(" \t"))
                        for n, v in case["headers"]],
            "end": case["end"], "body": body}


def summary(seen):
    if seen["outcome"] == "reject":
        return "reject"
    text = "%d %s" % (seen["status"], seen["end"])
    return text if seen["body"] is None else "%s %r" % (text, seen["body"])


def _id(case):
    return "%s: %s" % (case["source"].rsplit("/", 1)[-1], case["name"])


CASE_PARAMS = [pytest.param(c, id=_id(c)) for c in CASES]


def test_corpus_is_transcribed_consistently():
    names = [c["name"] for c in CASES]
    assert len(names) == len(set(names)), "case names must be unique"
    assert len(CASES) >= 55
    stale = set(EXPECTED_DIFFERENCES) - set(names)
    assert not stale, "EXPECTED_DIFFERENCES names cases that do not exist: %s" % stale
    for case in CASES:
        data = md_input(case["http"])
        if "total" in case:
            assert len(data) == case["total"], _id(case)
        if "head" in case:
            head = data[:case["head"]]
            assert head.endswith(b"\r\n\r\n") or head.endswith(b"\n\n"), _id(case)
            for name, value in case["headers"]:
                assert name.encode() + b":" in head, (_id(case), name)
                assert value.encode("utf-8") in head, (_id(case), value)


@pytest.mark.parametrize("case", CASE_PARAMS)
def test_llhttp_case(case):
    data = md_input(case["http"])
    seen = observe([data], case.get("method", "GET"))
    want = expected(case, data)
    if case["name"] in EXPECTED_DIFFERENCES:
        recorded, why = EXPECTED_DIFFERENCES[case["name"]]
        assert seen != want, "now agrees with llhttp: drop it from EXPECTED_DIFFERENCES"
        assert summary(seen) == recorded, "differs from llhttp, but not as recorded (%s)" % why
    else:
        assert seen == want


@pytest.mark.parametrize("case", CASE_PARAMS)
def test_llhttp_case_split_anywhere(case):
    """Any split of the bytes over recv calls gives what the whole input gives."""
    data = md_input(case["http"])
    method = case.get("method", "GET")
    whole = observe([data], method)
    for k in range(1, len(data)):
        seen = observe([data[:k], data[k:]], method)
        assert seen == whole, "split at byte %d: %r" % (k, data[max(0, k - 10):k + 10])
    seen = observe([data[i:i + 1] for i in range(len(data))], method)
    assert seen == whole, "one byte per recv"


def test_agreement_count():
    """The headline number: cases where microhttplib and strict llhttp agree."""
    agree = sum(1 for c in CASES if c["name"] not in EXPECTED_DIFFERENCES)
    assert agree == len(CASES) - len(EXPECTED_DIFFERENCES)
    assert agree >= 43
