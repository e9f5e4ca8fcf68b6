"""parse_headers(fp): a header block read from a binary file, as http.client has it.

Servers, proxies and tests call it on bytes they hold; a client on a board
does not, so `microhttplib.parse_headers` loads this module on first use.
"""

from .errors import HTTPException, LineTooLong
from .headers import HTTPMessage
from .parser import _decode
from .response import DEFAULT_MAX_HEADERS, DEFAULT_MAX_LINE


def parse_headers(fp, _class=HTTPMessage):
    """Read header lines up to an empty line (or EOF) and return a `_class` of them.

    As http.client (email's compat32 parser): a folded value keeps its line
    breaks, the header block ends at the first line that is no header.
    """
    lines = []
    while True:
        line = fp.readline(DEFAULT_MAX_LINE + 1)
        if len(line) > DEFAULT_MAX_LINE:
            raise LineTooLong("header line", DEFAULT_MAX_LINE)
        lines.append(line)
        if len(lines) > DEFAULT_MAX_HEADERS:
            raise HTTPException("got more than %d headers" % DEFAULT_MAX_HEADERS)
        if line in (b"\r\n", b"\n", b""):
            break
    message = _class()
    for name, value in _fields(lines):
        message.add_header(name, value)
    return message


def _fields(lines):
    """(name, value) pairs; continuation lines stay in the value, line end stripped."""
    fields = []
    for raw in lines:
        line = _decode(raw)  # ISO-8859-1 on every interpreter
        if line[:1] in (" ", "\t"):
            if fields:
                name, value = fields[-1]
                fields[-1] = (name, value + line)
            continue
        name, colon, value = line.partition(":")
        if not colon or not name or not _printable(name):
            break  # no header: the block (and email's header parsing) ends here
        fields.append((name, value.lstrip(" \t")))
    return [(name, value.rstrip("\r\n")) for name, value in fields]


def _printable(name):
    return all(32 < ord(c) < 127 for c in name)
