"""Issue 12's drop-in items on the real MicroPython unix port (x64, with TLS).

cadata in every form CPython now takes too, `microhttplib.ports` on first
use, and the parameter methods of HTTPMessage / parse_headers() loaded only
when a program calls them.
"""

import pytest

from mp_helpers import lines, run_mp, run_mp_proc
from test_interop import cadata_forms, stdlib_http  # noqa: F401 (a fixture)


@pytest.mark.parametrize("form", ["PEM str", "PEM bytes", "DER bytes"])
def test_cadata_forms(tls_server, form):
    out = run_mp("""
import microhttplib as httplib
c = httplib.HTTPSConnection('localhost', PORT, timeout=5, cadata=CA)
c.request('GET', '/index.html')
r = c.getresponse()
print(r.status, len(r.read()))
""", PORT=tls_server.port, CA=cadata_forms(tls_server.ca_pem)[form])
    assert lines(out)[-1].startswith("200 ") and "NOT verified" not in out


@pytest.mark.parametrize("form", ["PEM bytes", "DER bytes"])
def test_cadata_bytes_of_another_ca_refused(tls_server, form):
    import trustme
    r = run_mp_proc("""
import microhttplib as httplib
c = httplib.HTTPSConnection('localhost', PORT, timeout=5, cadata=CA)
c.request('GET', '/index.html')
print('CONNECTED', c.getresponse().status)
""", PORT=tls_server.port, CA=cadata_forms(trustme.CA().cert_pem.bytes().decode())[form])
    assert r.returncode != 0 and "CONNECTED" not in r.stdout
    assert "not correctly signed by the trusted CA" in r.stdout + r.stderr


@pytest.mark.parametrize("tree", ["mp", "mpy"])
def test_ports_load_on_first_use(tree):
    out = run_mp("""
import sys, microhttplib
print(sorted(m for m in sys.modules if m.startswith('microhttplib')))
print(microhttplib.ports.micropython.__name__)
try:
    microhttplib.ports.nothing
except AttributeError:
    print('no')
""", tree=tree)
    assert lines(out) == ["['microhttplib']", "microhttplib.ports.micropython", "no"]


@pytest.mark.parametrize("tree", ["mp", "mpy"])
def test_package_names_load_on_first_use(tree):
    # __all__ comes from names.py, each public name from its module, when asked for.
    import http.client
    out = run_mp("""
import sys, microhttplib
print(sorted(microhttplib.__all__) == sorted(ALL), 'microhttplib.names' in sys.modules)
print(microhttplib.HTTP_PORT, microhttplib.NOT_FOUND, microhttplib.responses[404])
print(microhttplib.LineTooLong.__name__, microhttplib.parse_headers.__name__,
      microhttplib.HTTPMessage.__name__, microhttplib.HTTPSConnection.__name__)
for name in ('nothing', '_private', 'Nothing', 'NOT_A_STATUS'):
    try:
        getattr(microhttplib, name)
        print('found', name)
    except AttributeError:
        print('no', name)
""", tree=tree, ALL=http.client.__all__ + ["ProtocolError"])
    assert lines(out) == ["True True", "80 404 Not Found",
                          "LineTooLong parse_headers HTTPMessage HTTPSConnection",
                          "no nothing", "no _private", "no Nothing", "no NOT_A_STATUS"]


@pytest.mark.parametrize("tree", ["mp", "mpy"])
def test_parse_headers_and_parameter_methods_like_http_client(tree):
    """The same cases as tests/test_parse_headers.py, compared with CPython's http.client."""
    import http.client
    import io

    from test_parse_headers import CALLS, CASES, observe
    out = run_mp("""
import io, sys, microhttplib
m = microhttplib.HTTPMessage([('Content-Type', 'text/html; charset=utf-8')])
print(m.get_content_type(), sorted(k for k in sys.modules if k.startswith('microhttplib.')))
print(m.get_param('charset'), sorted(k for k in sys.modules if k.startswith('microhttplib.')))
print('email' in sys.modules, 're' in sys.modules)
for raw in CASES:
    message = microhttplib.parse_headers(io.BytesIO(raw))
    print(repr([(call, eval('message.' + call, {'message': message})) for call in CALLS]))
""", tree=tree, CASES=CASES, CALLS=CALLS)
    got = lines(out)
    # headers.py takes its lazy-method helpers from parser.py (and buffer.py);
    # the .mpy tree has those two merged into the module every request loads
    # (tools/build_mpy.py MERGED), which headers.py imports from.
    # get_content_type() is in headers_more.py,
    # the parameter methods in params.py: each loads when first called.
    headers = ["microhttplib.buffer", "microhttplib.headers", "microhttplib.parser"] \
        if tree == "mp" else ["microhttplib._request", "microhttplib.headers"]
    headers = sorted(headers + ["microhttplib.headers_more"])
    assert got[:3] == ["text/html %r" % headers,
                       "utf-8 %r" % sorted(headers + ["microhttplib.params"]),
                       "False False"]
    for raw, line in zip(CASES, got[3:]):
        assert eval(line) == observe(http.client.parse_headers(io.BytesIO(raw))), raw
    assert len(got) == 3 + len(CASES)


def test_bodiless_responses_keep_the_connection(stdlib_http):  # noqa: F811
    """204, 304, HEAD without a length and HEAD with chunked: one connection (RFC 9112 6.3)."""
    out = run_mp("""
import microhttplib as httplib
c = httplib.HTTPConnection(HOST, PORT, timeout=5)
for method, path in [('GET', '/204'), ('GET', '/small'), ('GET', '/304'),
                     ('HEAD', '/nolength'), ('HEAD', '/chunked'), ('GET', '/small')] * 3:
    c.request(method, path)
    r = c.getresponse()
    print(r.status, r.chunked, r.will_close, r.read())
""", HOST=stdlib_http.host, PORT=stdlib_http.port)
    assert lines(out) == ["204 False False b''", "200 False False b'small'",
                          "304 False False b''", "200 False False b''",
                          "200 True False b''", "200 False False b'small'"] * 3
    assert len(stdlib_http.peers) == 1
