"""parse_headers() and HTTPMessage's email.message parameter methods, against
http.client's own (email's compat32 parser) on the same bytes."""

import http.client
import io

import pytest

import microhttplib as httplib

CASES = [
    b"Content-Type: text/html; charset=\"UTF-8\"; q=\"a\\\"b;c\"\r\n"
    b"Content-Disposition: attachment; filename=\"my file.txt\"\r\n"
    b"X-Fold: a\r\n  b\r\n\tc\r\nX-A: 1\r\nX-A: 2\r\n\r\nbody",
    b"Content-Disposition: attachment; filename*=UTF-8''na%C3%AFve%20file.txt\r\n"
    b"Content-Type: multipart/form-data; boundary=xyz\r\n\r\n",
    b"Content-Disposition: attachment; filename*0*=UTF-8''na%C3%AF; filename*1=\"ve.txt\"\r\n\r\n",
    b"Content-Disposition: inline; filename*=iso-8859-1'en'caf%E9\r\n"
    b"Content-Type: application/json\r\n\r\n",
    b"Content-Disposition: inline; filename*=plain%20no%20ticks\r\n\r\n",
    b"Content-Type: image\r\n\r\n",
    b"Content-Type: text/plain; name=report.csv; Charset=utf-8; flag\r\n\r\n",
    b"Content-Type: Text/PLAIN ;  NAME = \"quoted name\" \r\n\r\n",
    b"X-Only: 1\r\nnot a header\r\nX-After: 2\r\n\r\n",
    b"Content-Type: text/plain; filename=\"a\\\\b\"\r\nX-Latin: caf\xe9\r\n\r\n",
    b"\r\n",
    b"",
    b"Host: example.com\nContent-Length: 42\n\nbody after LF-only head",
]

CALLS = [
    "items()", "get_params()", "get_params(unquote=False)", "get_param('charset')",
    "get_param('boundary')", "get_param('filename', header='content-disposition')",
    "get_param('q')", "get_param('q', unquote=False)", "get_param('name')",
    "get_filename()", "get_filename('none')", "get_content_maintype()",
    "get_content_subtype()", "get_content_type()", "get_charset()",
    "get_params(header='content-disposition')", "get_params('no', 'x-absent')",
    "get_param('flag')", "get_param('text/plain')", "get_param('missing', 'dflt')",
    "get('x-fold')", "get_all('x-a')", "get('x-latin')",
]


def observe(message):
    return [(call, eval("message." + call, {"message": message})) for call in CALLS]


@pytest.mark.parametrize("raw", CASES, ids=range(len(CASES)))
def test_parse_headers_like_http_client(raw):
    theirs = http.client.parse_headers(io.BytesIO(raw))
    fp = io.BytesIO(raw)
    ours = httplib.parse_headers(fp)
    assert isinstance(ours, httplib.HTTPMessage)
    assert [(c, list(v) if c == "items()" else v) for c, v in observe(ours)] == \
        [(c, list(v) if c == "items()" else v) for c, v in observe(theirs)]
    fp2 = io.BytesIO(raw)
    http.client.parse_headers(fp2)
    assert fp.read() == fp2.read()  # both stop after the empty line


def test_parse_headers_class_argument():
    class Mine(httplib.HTTPMessage):
        pass
    raw = b"X-A: 1\r\nX-B: 2\r\n\r\n"
    msg = httplib.parse_headers(io.BytesIO(raw), _class=Mine)
    assert type(msg) is Mine and msg.items() == [("X-A", "1"), ("X-B", "2")]
    # any class with add_header(), as email's Message
    import email.message
    msg = httplib.parse_headers(io.BytesIO(raw), _class=email.message.Message)
    assert msg.items() == [("X-A", "1"), ("X-B", "2")]


def test_parse_headers_limits():
    with pytest.raises(httplib.LineTooLong):
        httplib.parse_headers(io.BytesIO(b"X-A: " + b"a" * 70000 + b"\r\n\r\n"))
    with pytest.raises(httplib.HTTPException, match="got more than 100 headers"):
        httplib.parse_headers(io.BytesIO(b"X-A: 1\r\n" * 101 + b"\r\n"))


def test_response_headers_have_the_parameter_methods(http_server):
    conn = httplib.HTTPConnection(http_server.host, http_server.port, timeout=10)
    conn.request("GET", "/index.html")
    resp = conn.getresponse()
    resp.read()
    msg = resp.msg
    assert (msg.get_content_maintype(), msg.get_content_subtype(), msg.get_param("charset"),
            msg.get_params()[0], msg.get_filename()) == ("text", "html", "utf-8",
                                                        ("text/html", ""), None)
    with pytest.raises(AttributeError):
        msg.get_nothing
    with pytest.raises(AttributeError):
        msg.no_such_attribute
