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

import os

import pytest

import servers

from mp_helpers import MICROPYTHON, MICROPYTHON_I386, lines, run_mp, run_mp_proc

INTERPRETERS = [pytest.param(MICROPYTHON, id="x64")] + (
    [pytest.param(MICROPYTHON_I386, id="i386")] if MICROPYTHON_I386 else [])
# A board's word size when there is one (issue 9, item 5), else the x64 port.
# The head-too-big case runs there only: on the x64 port, whose objects are
# twice as large, whether the exception classes still load once the heap is
# full came out either way with the heap's layout (an unrelated change to the
# code could flip it).
BOARD = [pytest.param(MICROPYTHON_I386, id="i386")] if MICROPYTHON_I386 else \
    [pytest.param(MICROPYTHON, id="x64")]

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
# make mpy merges clock, buffer, headers, parser, response and connection into
# one board module (tools/build_mpy.py MERGED) and builds the socket transport
# as microhttplib/_socket (RELOCATED), which is what a board runs.
GET_PATH = {"microhttplib", "microhttplib._request", "microhttplib._socket"}


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


# Iterating a str on MicroPython (min(), a for loop, s[0]) interns every
# character it meets, for good: a request that looked at its method, URL or
# host that way would keep one name per new character in RAM.
ONE_CHARACTER_NAMES = """
import micropython
import microhttplib

def one_character_names():
    micropython.qstr_info(1)  # Q(name) lines; a name may hold a newline
    print("=END=")

def requests(method, url, host):
    c = microhttplib.HTTPConnection(HOST, PORT, timeout=10)
    c.request(method, url)
    c.getresponse().read()
    c.close()
    c = microhttplib.HTTPConnection(host, PORT, timeout=10)
    c.request('GET', '/')
    c.getresponse().read()
    c.close()

requests('PROPFIND', '/index.html?a=b', HOST)  # loads what these requests need
one_character_names()
requests('WQKZ', '/index.html?vwxyz=QZ', 'localhost')  # the same, new characters
one_character_names()
min('\\x01\\x02')  # the effect looked for
one_character_names()
"""


@pytest.mark.parametrize("interpreter", INTERPRETERS)
def test_requests_intern_no_characters_of_their_method_url_or_host(http_server, interpreter):
    out = run_mp(ONE_CHARACTER_NAMES, tree="mpy", interpreter=interpreter,
                 HOST=http_server.host, PORT=http_server.port)
    first, second, third = [
        {line for line in part.splitlines() if len(line) == 4 and line.startswith("Q(")}
        for part in out.split("\n=END=\n")[:3]]
    assert second - first == set()
    assert third - second == {"Q(\x01)", "Q(\x02)"}


# A request on a kept-alive connection builds its head in the connection's
# buffer and sends it from there: what it allocates is the bytes views of the
# method, the URL and the HTTP version (one small object each: 16 B on a
# 32-bit port, 32 B on x64). Issue 9's budget for a whole GET is 1.5 KiB.
REQUEST_ALLOCATION_BOUND = {MICROPYTHON: 3 * 32, MICROPYTHON_I386: 3 * 16}


@pytest.mark.parametrize("interpreter", INTERPRETERS)
def test_kept_alive_request_allocates_almost_nothing(scripted, interpreter):
    def three(server, conn):
        for _ in range(3):
            server.read_request(conn)
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")

    srv = scripted(three)
    out = run_mp("""
import gc, microhttplib
c = microhttplib.HTTPConnection(HOST, PORT, timeout=5)
c.request('GET', '/first', headers={'X-Long': 'v' * 300})
c.getresponse().read()
c.request('GET', '/2')
c.getresponse().read()
gc.collect()
gc.disable()
a = gc.mem_alloc()
c.request('GET', '/3')
a = gc.mem_alloc() - a
gc.enable()
print(c.getresponse().read(), a)
""", tree="mpy", interpreter=interpreter, HOST=srv.host, PORT=srv.port)
    body, allocated = lines(out)[-1].split()
    assert body == "b'ok'" and srv.connections == 1
    host = "Host: %s:%d\r\n" % (srv.host, srv.port)
    assert srv.requests[1:] == [
        ("GET /%d HTTP/1.1\r\n%sAccept-Encoding: identity\r\n\r\n" % (n, host)).encode()
        for n in (2, 3)]  # nothing of the longer first head is left in the buffer
    assert int(allocated) <= REQUEST_ALLOCATION_BOUND[interpreter]


GETHEADER_ALLOCATION_BOUND = {MICROPYTHON: 6 * 32, MICROPYTHON_I386: 6 * 16}


@pytest.mark.parametrize("interpreter", INTERPRETERS)
def test_getheader_lowercases_only_names_as_long_as_the_asked_one(scripted, interpreter):
    # str.lower() allocates on MicroPython: getheader() on a head of 20 other
    # headers must not make a lower-case copy of each.
    head = b"".join(b"X-Header-%02d: v\r\n" % i for i in range(20))

    def reply(server, conn):
        server.read_request(conn)
        conn.sendall(b"HTTP/1.1 200 OK\r\n" + head + b"Content-Type: text/plain\r\n"
                     b"Content-Length: 2\r\n\r\nok")

    srv = scripted(reply)
    out = run_mp("""
import gc, microhttplib
c = microhttplib.HTTPConnection(HOST, PORT, timeout=5)
c.request('GET', '/')
r = c.getresponse()
r.getheader('content-type')
gc.collect()
gc.disable()
a = gc.mem_alloc()
value = r.getheader('content-type')
a = gc.mem_alloc() - a
gc.enable()
print(value, a)
""", tree="mpy", interpreter=interpreter, HOST=srv.host, PORT=srv.port)
    value, allocated = lines(out)[-1].split()
    assert value == "text/plain"
    # 5 small objects measured (the bound method, the list iterator, the frame,
    # the asked name's and the one match's lower-case copies): 80 B on i386,
    # 160 B on x64; a copy of each of the 22 names was 752 / 1,504 B.
    assert int(allocated) <= GETHEADER_ALLOCATION_BOUND[interpreter]


# ------------------------------------------------------------- small heaps
#
# Heap above the interpreter's own baseline (the smallest -X heapsize that
# runs a script allocating a 1 KiB buffer) within which a GET and a 1 MiB
# download must succeed, this test script's compilation included. With the
# bound lowered, this test still passed at 27.5 KiB (Content-Length) and
# 28.75 KiB (chunked) on i386, failing at 28.5 KiB (chunked); on x64 it
# passed at 41 KiB and failed at 40 KiB (chunked). Issue 9's 28 KiB
# holds for Content-Length; chunked needs a little more here than in `make
# bench`: with this script's few names the qstr pool fills up as chunked.py
# loads, and MicroPython allocates the next pool (over 2 KB in one block) in
# a heap the first GET has fragmented. These bounds keep ~3 KiB of margin
# and fail on a regression.
HEAP_BOUND = {MICROPYTHON: 44 * 1024, MICROPYTHON_I386: 32 * 1024}

BASELINE = "buf = bytearray(1024)\nprint('ok')\n"


def _baseline(interpreter):
    """Smallest heapsize (256-byte steps) that runs BASELINE, by bisection."""
    lo, hi = 1024, 256 * 1024
    while hi - lo > 256:
        mid = (lo + hi) // 2 // 256 * 256
        r = run_mp_proc(BASELINE, interpreter=interpreter, heapsize=mid)
        if r.returncode == 0 and r.stdout.strip() == "ok":
            hi = mid
        else:
            lo = mid
    return hi


_baselines = {}


def small_heap(interpreter):
    if interpreter not in _baselines:
        _baselines[interpreter] = _baseline(interpreter)
    return _baselines[interpreter] + HEAP_BOUND[interpreter]


DOWNLOAD = """
import microhttplib
buf = bytearray(1024)
c = microhttplib.HTTPConnection(HOST, PORT, timeout=10)
c.request('GET', '/index.html')
r = c.getresponse()
print(r.status, len(r.read()))
c.request('GET', PATH)
r = c.getresponse()
total = 0
while True:
    k = r.readinto(buf)
    if not k:
        break
    total += k
print(total)
"""


@pytest.mark.parametrize("interpreter", INTERPRETERS)
@pytest.mark.parametrize("kind", ["bytes", "chunked"])
def test_get_and_1mib_download_fit_the_small_heap(http_server, interpreter, kind):
    out = run_mp(DOWNLOAD, tree="mpy", interpreter=interpreter, heapsize=small_heap(interpreter),
                 HOST=http_server.host, PORT=http_server.port, PATH="/%s/%d" % (kind, MIB))
    assert lines(out) == ["200 %d" % len(servers.INDEX_HTML), str(MIB)]


@pytest.mark.parametrize("interpreter", BOARD)
@pytest.mark.parametrize("head", ["long_line", "many_headers"])
def test_head_too_big_for_the_heap_is_an_http_error(scripted, interpreter, head):
    def big(server, conn):
        server.read_request(conn)
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
        server.read_request(conn)
        if head == "long_line":  # under max_line (8 KiB), over what the heap has room for
            lines_ = [b"X-Big: " + b"a" * 8000]
        else:
            lines_ = [b"X-H%d: %s" % (i, b"v" * 90) for i in range(99)]
        conn.sendall(b"HTTP/1.1 200 OK\r\n" + b"\r\n".join(lines_) + b"\r\nContent-Length: 2\r\n\r\nok")

    srv = scripted(big)
    script = """
import gc, microhttplib
c = microhttplib.HTTPConnection(HOST, PORT, timeout=5)
c.request('GET', '/small')  # the scripted server answers both on one connection
c.getresponse().read()
hog = []
gc.collect()
try:  # then leave only a few KiB free
    while True:
        hog.append(bytearray(512))
except MemoryError:
    pass
for i in range(min(FREE_KIB * 2, len(hog))):
    hog.pop()
try:
    c.request('GET', '/')
    r = c.getresponse()
    print('no error', r.status)
except MemoryError as e:
    print('MemoryError')
except microhttplib.HTTPException as e:
    print(type(e).__name__, isinstance(e, microhttplib.LineTooLong))
"""
    out = run_mp(script, tree="mpy", interpreter=interpreter, heapsize=small_heap(interpreter),
                 HOST=srv.host, PORT=srv.port, FREE_KIB=6)
    assert lines(out)[-1] == "LineTooLong True"


@pytest.mark.parametrize("interpreter", INTERPRETERS)
def test_memory_error_in_caller_code_leaves_the_connection_clean(http_server, interpreter):
    out = run_mp("""
import microhttplib
buf = bytearray(1024)
c = microhttplib.HTTPConnection(HOST, PORT, timeout=10)
c.request('GET', '/bytes/100000')
r = c.getresponse()
try:
    got = 0
    while True:
        got += r.readinto(buf)
        if got > 5000:
            hog = bytearray(10 ** 8)  # the program's own allocation fails mid-body
except MemoryError:
    print('caller MemoryError after', got > 5000)
c.request('GET', '/index.html')
r2 = c.getresponse()
print(r2.status, len(r2.read()), r.isclosed())
r.close()
c.close()
""", tree="mpy", interpreter=interpreter, heapsize=small_heap(interpreter),
        HOST=http_server.host, PORT=http_server.port)
    assert lines(out) == ["caller MemoryError after True",
                          "200 %d True" % len(servers.INDEX_HTML)]


# ------------------------------------------------- the oldest release claimed

MICROPYTHON_1_22 = MICROPYTHON_I386 and MICROPYTHON_I386 + "-1.22.2"

CORE = """
import microhttplib
buf = bytearray(1024)
c = microhttplib.HTTPConnection(HOST, PORT, timeout=10)
c.request('GET', '/index.html')
r = c.getresponse()
print(r.status, r.reason, r.getheader('content-type'), len(r.read()))
c.request('HEAD', '/index.html')
r = c.getresponse()
print(r.status, r.length, r.read())
c.request('POST', '/echo', body=b'x=1')
r = c.getresponse()
print(r.status, r.readline()[:1], r.read())
for path in ('/bytes/300000', '/chunked/300000'):
    c.request('GET', path)
    r = c.getresponse()
    total = 0
    while True:
        k = r.readinto(buf)
        if not k:
            break
        total += k
    print(path, r.chunked, total)
print(microhttplib.NOT_FOUND, microhttplib.responses[404])
c.request('GET', '/status/404')
r = c.getresponse()
print(r.status, r.read())
c.close()
"""


@pytest.mark.skipif(not MICROPYTHON_1_22 or not os.path.exists(MICROPYTHON_1_22),
                    reason="no ../shared/bin/micropython-i386-1.22.2 (MICROPYTHON_I386 + -1.22.2)")
@pytest.mark.parametrize("tree", ["mp", "mpy"])
def test_core_on_micropython_1_22(http_server, tree):
    out = run_mp(CORE, tree=tree, interpreter=MICROPYTHON_1_22, HOST=http_server.host,
                 PORT=http_server.port)
    assert lines(out) == [
        "200 OK text/html; charset=utf-8 %d" % len(servers.INDEX_HTML),
        "200 %d b''" % 0, "200 b'{' b''",
        "/bytes/300000 False 300000", "/chunked/300000 True 300000",
        "404 Not Found", "404 b'status body\\n'"]


def test_error_messages_survive_the_mpy_build(scripted):
    """make mpy moves error texts to errors.TEXTS; the messages stay the same."""
    def bad(server, conn):
        server.read_request(conn)
        conn.sendall(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4z\r\n")
        server.read_request(conn)

    srv = scripted(bad)
    out = run_mp("""
import microhttplib
c = microhttplib.HTTPConnection(HOST, PORT, timeout=5)
c.request('GET', '/')
r = c.getresponse()
try:
    r.read()
except microhttplib.HTTPException as e:
    print(type(e).__name__, e)
try:
    microhttplib.HTTPConnection('example.org:99999')
except microhttplib.InvalidURL as e:
    print(type(e).__name__, e)
""", tree="mpy", HOST=srv.host, PORT=srv.port)
    assert lines(out) == ["ProtocolError invalid byte 0x7a in chunk size",
                          "InvalidURL port out of range: 99999"]


@pytest.mark.parametrize("interpreter", INTERPRETERS)
def test_refused_arguments_get_their_messages_from_a_module_loaded_then(interpreter):
    out = run_mp("""
import sys, microhttplib
print('refusals' in ' '.join(sys.modules))
for method, name, value in (('GE T', 'X', 'v'), (1, 'X', 'v'), ('GET', 'X Y', 'v'),
                            ('GET', 'X', 'a\\nb'), ('GET', 'X', 1.5)):
    c = microhttplib.HTTPConnection('example.org')
    try:
        c.putrequest(method, '/')
        c.putheader(name, value)
    except (ValueError, TypeError) as e:
        print(type(e).__name__, e)
print('microhttplib.refusals' in sys.modules)
""", tree="mpy", interpreter=interpreter)
    assert lines(out) == [
        "False",
        "ValueError method can't contain control characters or spaces. 'GE T'",
        "TypeError method must be str, not int",
        "ValueError Invalid header name b'X Y'",
        "ValueError Invalid header value b'a\\nb'",
        "TypeError header value must be str, bytes or int, not float",
        "True"]
