"""obs-fold: a header line that continues the previous one (RFC 9112 section 5.2).

Deprecated and rare, so the parser loads this on the first folded line only.
"""

from .parser import _decode, _error, _has_ctl_in_value


def unfold(parser, raw):
    """raw continues the parser's last header: RFC 9112 tells a client to
    replace the fold with one space."""
    if not parser._header_count:
        raise _error("ProtocolError", "header continuation line before any header")
    if _has_ctl_in_value(raw):
        raise _error("ProtocolError", "control character in a folded header")
    value = _decode(raw).strip(" \t")
    # Framing headers are examined whether kept or not (keep_headers).
    name = parser._last_name
    key = name.lower()
    if value and key in ("content-length", "transfer-encoding"):
        raise _error("ProtocolError", "folded %s header" % name)
    if key == "connection":
        parser._connection += " " + value.lower()
    if parser._last_kept and value:
        prev = parser.headers[-1][1]
        parser.headers[-1] = (name, prev + " " + value if prev else value)
