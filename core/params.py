"""Header parameters as email.message reads them: get_param(), get_filename(), ...

Code written against http.client calls these on response headers (a
Content-Disposition filename, a multipart boundary). A board rarely does,
so HTTPMessage loads this module on the first call (HTTPMessage.__getattr__)
and core never imports `email`. Semantics are email.message's (compat32):
quoted values, backslash escapes, RFC 2231 `name*=charset'lang'%XX` values
and `name*0*`, `name*1` continuations.
"""

_METHODS = ("get_param", "get_params", "get_filename", "get_content_maintype",
            "get_content_subtype", "get_charset")


def bound_method(msg, name):
    """msg.<name>, for HTTPMessage.__getattr__; AttributeError for other names."""
    if name not in _METHODS:
        raise AttributeError(name)
    function = globals()[name]
    return lambda *args, **kw: function(msg, *args, **kw)


def _split(value):
    """`a; b=1; c="x;y"` -> ['a', 'b=1', 'c="x;y"'] (email.message._parseparam)."""
    s = ";" + value
    parts = []
    while s[:1] == ";":
        s = s[1:]
        end = s.find(";")
        while end > 0 and (s.count('"', 0, end) - s.count('\\"', 0, end)) % 2:
            end = s.find(";", end + 1)
        if end < 0:
            end = len(s)
        f = s[:end]
        if "=" in f:
            i = f.index("=")
            f = f[:i].strip().lower() + "=" + f[i + 1:].strip()
        parts.append(f.strip())
        s = s[end:]
    return parts


def _unquote(value):
    """email.utils.unquote: drop surrounding quotes (or <>) and backslash escapes."""
    if len(value) > 1:
        if value[0] == '"' and value[-1] == '"':
            return value[1:-1].replace("\\\\", "\\").replace('\\"', '"')
        if value[0] == "<" and value[-1] == ">":
            return value[1:-1]
    return value


def _quote(value):
    return '"%s"' % value.replace("\\", "\\\\").replace('"', '\\"')


def _percent_decode(text):
    """%XX escapes to the characters of those bytes (latin-1), as urllib's unquote does."""
    out = []
    i = 0
    while i < len(text):
        c = text[i]
        if c == "%" and _is_hex(text[i + 1:i + 3]):
            out.append(chr(int(text[i + 1:i + 3], 16)))
            i += 3
        else:
            out.append(c)
            i += 1
    return "".join(out)


def _is_hex(pair):
    return len(pair) == 2 and not pair.lower().strip("0123456789abcdef")


def _continuation(name):
    """'title*1*' -> ('title', 1), 'title*' -> ('title', None); None if not RFC 2231."""
    base, star, rest = name.partition("*")
    if not star or not base or not all(c.isalpha() or c.isdigit() or c == "_" for c in base):
        return None
    if rest.endswith("*"):
        rest = rest[:-1]
    if not rest:
        return base, None
    if rest.strip("0123456789"):
        return None
    return base, int(rest)


def _decode_params(params):
    """email.utils.decode_params: requote plain values, join RFC 2231 ones.

    An RFC 2231 value with a charset becomes (charset, language, '"value"').
    """
    out = [params[0]]
    extended = {}
    order = []
    for name, value in params[1:]:
        encoded = name.endswith("*")
        value = _unquote(value)
        found = _continuation(name)
        if found is None:
            out.append((name, _quote(value)))
            continue
        base, num = found
        if base not in extended:
            extended[base] = []
            order.append(base)
        extended[base].append((-1 if num is None else num, value, encoded))
    for base in order:
        parts = sorted(extended[base], key=lambda p: p[0])
        any_encoded = False
        text = []
        for num, s, encoded in parts:
            if encoded:
                s = _percent_decode(s)
                any_encoded = True
            text.append(s)
        value = "".join(text)
        if any_encoded:
            fields = value.split("'", 2)
            if len(fields) < 3:
                fields = (None, None, value)
            out.append((base, (fields[0], fields[1], _quote(fields[2]))))
        else:
            out.append((base, _quote(value)))
    return out


def _params_preserve(msg, header):
    value = msg.get(header)
    if value is None:
        return None
    params = []
    for p in _split(value):
        name, eq, val = p.partition("=")
        if eq:
            params.append((name.strip(), val.strip()))
        else:
            params.append((p.strip(), ""))
    return _decode_params(params)


def _unquote_value(value):
    if isinstance(value, tuple):
        return value[0], value[1], _unquote(value[2])
    return _unquote(value)


def get_params(msg, failobj=None, header="content-type", unquote=True):
    """[(main/sub type, ''), (name, value), ...] of a header; failobj when it is absent."""
    params = _params_preserve(msg, header)
    if params is None:
        return failobj
    if unquote:
        return [(k, _unquote_value(v)) for k, v in params]
    return params


def get_param(msg, param, failobj=None, header="content-type", unquote=True):
    """One parameter's value (a (charset, language, value) tuple for RFC 2231)."""
    param = param.lower()
    for k, v in _params_preserve(msg, header) or ():
        if k.lower() == param:
            return _unquote_value(v) if unquote else v
    return failobj


def _collapse(value):
    """email.utils.collapse_rfc2231_value: an RFC 2231 tuple decoded with its charset."""
    if not isinstance(value, tuple):
        return _unquote(value)
    charset, language, text = value
    if charset is None:
        charset = "us-ascii"
    if charset.lower() in ("iso-8859-1", "latin-1", "latin1"):
        return text  # already the characters of those bytes
    raw = bytes(ord(c) & 0xFF for c in text)
    try:
        return str(raw, charset, "replace")
    except (LookupError, UnicodeError, ValueError):
        return _unquote(text)  # a charset this interpreter lacks (MicroPython: UTF-8 only)


def get_filename(msg, failobj=None):
    """Content-Disposition's filename, else Content-Type's name."""
    missing = []
    name = get_param(msg, "filename", missing, "content-disposition")
    if name is missing:
        name = get_param(msg, "name", missing, "content-type")
    if name is missing:
        return failobj
    return _collapse(name).strip()


def get_content_maintype(msg):
    return msg.get_content_type().split("/")[0]


def get_content_subtype(msg):
    return msg.get_content_type().split("/")[1]


def get_charset(msg):
    """The payload's Charset object in email; a parsed head never has one."""
    return None
