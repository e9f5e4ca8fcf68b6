"""The whole response head as one block, for CPython.

ResponseParser.parse_head() calls parse_block() first when the interpreter
has bytes.translate() (CPython; MicroPython does not, and never imports this
module, so it costs a board no RAM). A realistic 10-header head costs about
half of the line-by-line path: one find of CR LF CR LF, one decode, one
split, and bulk checks done in C.
"""

# Bytes a plain head may hold besides its CR LF line ends: HTAB, printable
# ASCII, and obs-text; and the bytes of a header name (RFC 9110 token).
_HEAD_OK = bytes((9,)) + bytes(range(32, 127)) + bytes(range(128, 256))
_TOKEN_OK = bytes(c for c in range(33, 127) if chr(c) not in '"(),/:;<=>?@[\\]{}')
_FRAMING_KEYS = ("\r\ncontent-length:", "\r\ntransfer-encoding:", "\r\nconnection:")


def parse_block(parser, buf, start, end):
    """The whole head in one go: one find, one decode, one split (CPython).

    Taken only when the head is complete in buf[start:end] and plain: CR LF
    line ends only, no control bytes, no obs-fold, no line over max_line,
    at most max_headers header lines, token header names. Anything else
    returns -1 before any state changes (except status fields the line
    path sets again), and the line-by-line path parses the head and raises
    its errors, so both paths accept and refuse the same heads.
    """
    stop = buf.find(b"\r\n\r\n", start, end)
    if stop < 0 or stop - start > parser.max_line:
        return -1
    raw = buf[start:stop]
    text = raw.decode("latin-1")
    lines = text.split("\r\n")
    count = len(lines) - 1
    # What is left after deleting the plain bytes must be the CR LF pairs.
    if count > parser.max_headers or raw.translate(None, _HEAD_OK) != b"\r\n" * count:
        return -1
    # A line without a colon fails to unpack; an empty name, or an obs-fold
    # line (its name starts with SP or HTAB), fails the name check.
    try:
        headers = [(n, v.strip(" \t")) for n, v in [h.split(":", 1) for h in lines[1:]]]
    except ValueError:
        return -1
    if count:
        names = next(zip(*headers))
        if "" in names or "".join(names).encode("latin-1").translate(None, _TOKEN_OK):
            return -1
    parser._status(lines[0])
    keep = parser.keep_headers
    if keep is not None:
        headers = [h for h in headers if h[0].lower() in keep]
    parser.headers = headers
    parser._header_count = count
    lower = text.lower()
    for key in _FRAMING_KEYS:
        at = lower.find(key)
        while at >= 0:
            at += len(key)
            nl = text.find("\r\n", at)
            value = text[at:nl if nl >= 0 else len(text)].strip(" \t")
            parser._framing_header(key[2:-1], value)
            at = lower.find(key, at)
    parser._end_of_head()
    return stop + 4
