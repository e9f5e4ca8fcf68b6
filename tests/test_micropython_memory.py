"""Memory bounds on the real MicroPython unix port (issue 9): deterministic, so tests.

- The body loop keeps ``micropython.mem_total()`` flat with the GC enabled
  and the heap unlocked. mem_total() counts every allocation, garbage
  included: a frame with more than 11 words of VM state is heap-allocated
  at each call, which this catches and heap_lock() does not (a locked heap
  makes MicroPython fall back to the C stack silently).
- A GET loads only the modules it needs; the rest of the API loads on first use.

Each runs on the x64 interpreter, and on the 32-bit one (a board's word size)
when present: tests/mp_helpers.MICROPYTHON_I386.
"""

import pytest

import servers

from mp_helpers import MICROPYTHON, MICROPYTHON_I386, lines, run_mp

INTERPRETERS = [pytest.param(MICROPYTHON, id="x64")] + (
    [pytest.param(MICROPYTHON_I386, id="i386")] if MICROPYTHON_I386 else [])

MIB = 1 << 20

BODY_LOOP = """
import gc, micropython
import microhttplib
if CA:
    c = microhttplib.HTTPSConnection(HOST, PORT, timeout=10, cadata=CA)
else:
    c = microhttplib.HTTPConnection(HOST, PORT, timeout=10)
c.request('GET', PATH)
r = c.getresponse()
buf = bytearray(1024)

def loop(r, buf):
    total = r.readinto(buf)  # the first read may set up the fast path
    reads = 0
    t0 = micropython.mem_total()
    while True:
        k = r.readinto(buf)
        if not k:
            break
        total += k
        reads += 1
    return total, reads, micropython.mem_total() - t0

gc.enable()
print(*loop(r, buf))
"""


@pytest.mark.parametrize("interpreter", INTERPRETERS)
@pytest.mark.parametrize("kind", ["bytes", "chunked"])
def test_body_loop_mem_total_is_flat(http_server, interpreter, kind):
    out = run_mp(BODY_LOOP, tree="mpy", interpreter=interpreter, timeout=60, CA=None,
                 HOST=http_server.host, PORT=http_server.port, PATH="/%s/%d" % (kind, MIB))
    total, reads, grown = (int(x) for x in lines(out)[-1].split())
    assert total == MIB and reads > 500
    # The end of the body (last chunk, closing) allocates a little, once; one
    # heap-allocated frame per read would be ~70 KiB here.
    assert grown <= 1024, "%d bytes allocated over %d reads" % (grown, reads)


def test_tls_body_loop_mem_total_is_flat(tls_server, tls_files):
    out = run_mp(BODY_LOOP, tree="mpy", timeout=60, CA=tls_files.ca_pem,
                 HOST=tls_server.host, PORT=tls_server.port, PATH="/bytes/%d" % MIB)
    total, reads, grown = (int(x) for x in lines(out)[-1].split())
    assert total == MIB and reads > 500
    assert grown <= 1024, "%d bytes allocated over %d reads" % (grown, reads)


# What a plain GET, POST and PUT load; everything else of the API (errors,
# status table, tunnels, 100-continue, line reading, TLS) loads on first use.
GET_PATH = {
    "microhttplib", "microhttplib.buffer", "microhttplib.clock", "microhttplib.connection",
    "microhttplib.headers", "microhttplib.parser", "microhttplib.response",
    "microhttplib.ports", "microhttplib.ports.micropython",
    "microhttplib.ports.micropython.transport",
}


@pytest.mark.parametrize("interpreter", INTERPRETERS)
def test_plain_requests_load_only_the_get_path(http_server, interpreter):
    out = run_mp("""
import sys
import microhttplib
c = microhttplib.HTTPConnection(HOST, PORT, timeout=10)
c.request('GET', '/index.html')
r = c.getresponse()
print(r.status, len(r.read()), r.getheader('Content-Type'))
c.request('POST', '/echo', body=b'a=1', headers={'Content-Type': 'text/plain'})
r = c.getresponse()
buf = bytearray(64)
n = 0
while True:
    k = r.readinto(buf)
    if not k:
        break
    n += k
print(r.status, n > 0)
c.request('PUT', '/file', body=b'x' * 100)
print(c.getresponse().status)
c.close()
print(' '.join(sorted(m for m in sys.modules if m.startswith('microhttplib'))))
""", tree="mpy", interpreter=interpreter, HOST=http_server.host, PORT=http_server.port)
    out = lines(out)
    assert out[:3] == ["200 %d text/html; charset=utf-8" % len(servers.INDEX_HTML), "200 True", "200"]
    assert set(out[3].split()) == GET_PATH
