"""Differential check: the block head parser (CPython) against the line-by-line one.

    python tests/parser_paths.py [N]

Feeds N random heads (mutations of realistic ones: bare CR/LF, obs-fold,
control bytes, odd names, duplicate framing headers, long lines) to
ResponseParser.parse_head twice, with the block path on and forced off, and
fails on any difference in the result, the parsed fields or the exception.
Run it after touching core/parser.py's head parsing.
"""

import random
import sys

from microhttplib import parser as P

BASE = [
    b"HTTP/1.1 200 OK",
    b"Date: Thu, 26 Nov 2026 06:50:36 GMT",
    b"Server: nginx/1.24.0",
    b"Content-Type: application/json; charset=utf-8",
    b"Content-Length: 64",
    b"Connection: keep-alive",
    b"Transfer-Encoding: chunked",
    b"X-Odd: a:b: c",
    b"Vary:Accept-Encoding",
]
PIECES = [b"\r", b"\n", b"\r\n", b" ", b"\t", b":", b"\x00", b"\x01", b"\x7f", b"\xe9", b"(",
          b"Content-Length: 5", b"content-length:5, 5", b"Connection: close",
          b"CONNECTION:Keep-Alive", b"Transfer-Encoding: gzip", b"HTTP/1.0 ", b"HTTP/2 ",
          b"1", b"x" * 40, b" folded", b"\tfolded", b"Name", b"", b"_", b"a.b"]


def random_head(rng):
    lines = [BASE[0]] + rng.sample(BASE[1:], rng.randint(0, len(BASE) - 1))
    for _ in range(rng.randint(0, 3)):
        i = rng.randrange(len(lines))
        line = lines[i]
        j = rng.randint(0, len(line))
        lines[i] = line[:j] + rng.choice(PIECES) + line[j:]
    if rng.random() < 0.2:
        lines.insert(rng.randint(1, len(lines)), rng.choice(PIECES))
    sep = b"\r\n" if rng.random() < 0.9 else rng.choice([b"\n", b"\r\n", b"\r"])
    return sep.join(lines) + b"\r\n\r\n" + b"body"


def outcome(data, block, max_line, max_headers, keep):
    saved = P._parse_block
    if not block:
        P._parse_block = None
    try:
        p = P.ResponseParser(max_line, max_headers, keep)
        try:
            end = p.parse_head(bytearray(data), 0, len(data))
        except Exception as exc:
            return ("raise", type(exc).__name__, str(exc))
        return ("ok", end, p.head_complete, p.status, p.version, p.reason, p.headers,
                p.framing, p.length, p.will_close, p._header_count)
    finally:
        P._parse_block = saved


def main(n):
    if P._parse_block is None:
        print("no block path on this interpreter")
        return 0
    rng = random.Random(1234)
    blocks = 0
    for i in range(n):
        data = random_head(rng)
        max_line = rng.choice([65536, 60, 30])
        max_headers = rng.choice([100, 5, 2])
        keep = rng.choice([None, ("content-type", "connection")])
        a = outcome(data, True, max_line, max_headers, keep)
        b = outcome(data, False, max_line, max_headers, keep)
        if a != b:
            print("DIFFERENT for %r (max_line=%d max_headers=%d keep=%r)\n block: %r\n lines: %r"
                  % (data, max_line, max_headers, keep, a, b))
            return 1
        p = P.ResponseParser(max_line, max_headers, keep)
        try:
            blocks += P._parse_block(p, bytearray(data), 0, len(data)) >= 0
        except Exception:
            blocks += 1
    print("%d heads: same outcome on both paths (%d took the block path)" % (n, blocks))
    return 0


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 20000))
