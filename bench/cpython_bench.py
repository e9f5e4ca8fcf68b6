"""CPython benchmarks: parse cost from memory, keep-alive loop, large body.

Each function returns plain data (dicts and lists) for bench/run.py to tabulate.
Rounds are interleaved (every library once per round, in turn) and the
median of the rounds is reported, because the machine is shared and noisy.
"""

import gc
import http.client
import io
import time
import tracemalloc

from common import SMALL_BODY, SMALL_RESPONSE, median, spread

import microhttplib
from microhttplib.buffer import RecvBuffer
from microhttplib.parser import ResponseParser
from microhttplib.response import HTTPResponse as MHLResponse


# ------------------------------------------------------------ parse cost

class MemSock:
    """An in-memory socket-like object with recv_into, replaying one response."""

    def __init__(self, data):
        self.data = data
        self.pos = 0

    def recv_into(self, buf, nbytes=0):
        n = min(nbytes or len(buf), len(self.data) - self.pos)
        buf[:n] = self.data[self.pos:self.pos + n]
        self.pos += n
        return n

    def settimeout(self, t):
        pass

    def close(self):
        pass


class FakeSocket:
    """What http.client's own tests use: a socket that only has makefile()."""

    def __init__(self, data):
        self.data = data

    def makefile(self, mode="rb", bufsize=None):
        return io.BytesIO(self.data)

    def close(self):
        pass


def _parse_cases(data):
    """name -> (setup() -> state, run(state) -> body); only run() is timed."""
    cases = {}

    def mhl_parser_setup():
        return None

    parser = ResponseParser()
    n = len(data)

    def mhl_parser_run(_):
        parser.reset()
        start = parser.parse_head(data, 0, n)
        headers = microhttplib.HTTPMessage(parser.headers)
        return headers, data[start:start + parser.length]

    cases["microhttplib ResponseParser"] = (mhl_parser_setup, mhl_parser_run)

    # HTTPResponse as a keep-alive connection runs it: its buffer and parser reused.
    sock = MemSock(data)
    rbuf = RecvBuffer(sock, 16384, 65538)
    rparser = ResponseParser()

    def mhl_conn_setup():
        sock.pos = 0
        rbuf.start = rbuf.end = 0
        return None

    def mhl_conn_run(_):
        rparser.reset()
        r = MHLResponse(sock)
        r._attach(rbuf, rparser)
        r.begin()
        return r.read()

    cases["microhttplib HTTPResponse"] = (mhl_conn_setup, mhl_conn_run)

    def mhl_alone_setup():
        return MemSock(data)

    def mhl_alone_run(s):
        r = MHLResponse(s)
        r.begin()
        return r.read()

    cases["microhttplib HTTPResponse (new buffer)"] = (mhl_alone_setup, mhl_alone_run)

    def hc_setup():
        return FakeSocket(data)

    def hc_run(s):
        r = http.client.HTTPResponse(s)
        r.begin()
        return r.read()

    cases["http.client"] = (hc_setup, hc_run)

    try:
        import h11
    except ImportError:
        h11 = None
    if h11 is not None:
        conn = h11.Connection(our_role=h11.CLIENT)
        request = h11.Request(method="GET", target="/small",
                              headers=[("Host", "example.com")])

        def h11_setup():
            if conn.our_state is h11.DONE:
                conn.start_next_cycle()
            conn.send(request)
            conn.send(h11.EndOfMessage())
            return None

        def h11_run(_):
            conn.receive_data(data)
            body = []
            while True:
                event = conn.next_event()
                if type(event) is h11.Data:
                    body.append(event.data)
                elif type(event) is h11.EndOfMessage:
                    break
                elif event is h11.NEED_DATA:
                    raise RuntimeError("h11 wants more data")
            return b"".join(body)

        cases["h11"] = (h11_setup, h11_run)

    try:
        import httptools
    except ImportError:
        httptools = None
    if httptools is not None:
        class Proto:
            def __init__(self):
                self.headers = []
                self.body = []
                self.done = False

            def on_header(self, name, value):
                self.headers.append((name, value))

            def on_body(self, body):
                self.body.append(body)

            def on_message_complete(self):
                self.done = True

        proto = Proto()
        ht_parser = httptools.HttpResponseParser(proto)

        def ht_setup():
            proto.headers = []
            proto.body = []
            proto.done = False
            return None

        def ht_run(_):
            ht_parser.feed_data(data)
            ht_parser.get_status_code()
            return b"".join(proto.body)

        cases["httptools (C)"] = (ht_setup, ht_run)
    return cases


def _check_bodies(cases, data):
    for name, (setup, run) in cases.items():
        out = run(setup())
        body = out[1] if isinstance(out, tuple) else out
        if bytes(body) != SMALL_BODY:
            raise AssertionError("%s parsed a wrong body: %r" % (name, body[:80]))


def parse_cost(rounds, per_round):
    data = SMALL_RESPONSE
    cases = _parse_cases(data)
    _check_bodies(cases, data)
    times = {name: [] for name in cases}
    perf = time.perf_counter
    gc_was = gc.isenabled()
    for _ in range(rounds):
        for name, (setup, run) in cases.items():
            for _ in range(per_round // 10):  # warm-up
                run(setup())
            total = 0.0
            for _ in range(per_round):
                state = setup()
                t0 = perf()
                run(state)
                total += perf() - t0
            times[name].append(total / per_round * 1e6)
    if gc_was:
        gc.enable()
    # Bytes: the peak traced allocation while parsing one response.
    allocated = {}
    for name, (setup, run) in cases.items():
        for _ in range(20):
            run(setup())
        peaks = []
        tracemalloc.start()
        try:
            for _ in range(50):
                state = setup()
                tracemalloc.reset_peak()
                base = tracemalloc.get_traced_memory()[0]
                run(state)
                peaks.append(tracemalloc.get_traced_memory()[1] - base)
        finally:
            tracemalloc.stop()
        allocated[name] = int(median(peaks))
    return {
        "response_bytes": len(data),
        "rows": [{"name": name, "us": median(times[name]), "spread": spread(times[name]),
                  "rounds": times[name], "peak_bytes": allocated[name]} for name in cases],
    }


# ---------------------------------------------------------- keep-alive loop

# Not a library: the system calls every client makes, with no HTTP around them.
FLOOR = "raw socket (floor)"


def _keepalive_clients(host, port):
    """name -> make() -> one_request(); each client keeps one connection alive."""
    clients = {}

    def mhl():
        conn = microhttplib.HTTPConnection(host, port)

        def one():
            conn.request("GET", "/small")
            r = conn.getresponse()
            body = r.read()
            return r.status, body
        one.close = conn.close
        return one

    clients["microhttplib"] = mhl

    def floor():
        """No HTTP library: one canned request out, the known response length in."""
        import socket
        sock = socket.create_connection((host, port))
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        request = b"GET /small HTTP/1.1\r\nHost: %s:%d\r\nAccept-Encoding: identity\r\n\r\n" % (
            host.encode(), port)
        size = len(SMALL_RESPONSE)
        buf = bytearray(size)
        view = memoryview(buf)

        def one():
            sock.sendall(request)
            got = sock.recv_into(buf, size)
            while got < size:
                got += sock.recv_into(view[got:], size - got)
            return 200, bytes(view[size - len(SMALL_BODY):])
        one.close = sock.close
        return one

    clients[FLOOR] = floor

    def hc():
        conn = http.client.HTTPConnection(host, port)

        def one():
            conn.request("GET", "/small")
            r = conn.getresponse()
            body = r.read()
            return r.status, body
        one.close = conn.close
        return one

    clients["http.client"] = hc

    try:
        import urllib3
    except ImportError:
        urllib3 = None
    if urllib3 is not None:
        def u3():
            pool = urllib3.HTTPConnectionPool(host, port, maxsize=1, retries=False)

            def one():
                r = pool.request("GET", "/small")
                return r.status, r.data
            one.close = pool.close
            return one

        clients["urllib3"] = u3
    clients[FLOOR] = clients.pop(FLOOR)  # listed last
    return clients


def keepalive(host, port, rounds, per_round):
    clients = _keepalive_clients(host, port)
    cpu = {name: [] for name in clients}
    wall = {name: [] for name in clients}
    for _ in range(rounds):
        for name, make in clients.items():
            one = make()
            for _ in range(max(20, per_round // 10)):
                status, body = one()
                if status != 200 or body != SMALL_BODY:
                    raise AssertionError("%s: bad reply %r %r" % (name, status, body[:80]))
            c0 = time.process_time()
            w0 = time.perf_counter()
            for _ in range(per_round):
                one()
            c1 = time.process_time()
            w1 = time.perf_counter()
            one.close()
            cpu[name].append((c1 - c0) / per_round * 1e6)
            wall[name].append((w1 - w0) / per_round * 1e6)
    return {"rows": [{"name": name, "cpu_us": median(cpu[name]), "cpu_spread": spread(cpu[name]),
                      "wall_us": median(wall[name]), "rounds": cpu[name]} for name in clients]}


def profile_keepalive(host, port, n, out_path):
    """cProfile of the microhttplib keep-alive loop; returns the top lines as text."""
    import cProfile
    import pstats
    one = _keepalive_clients(host, port)["microhttplib"]()
    for _ in range(100):
        one()
    prof = cProfile.Profile()
    prof.enable()
    for _ in range(n):
        one()
    prof.disable()
    one.close()
    text = io.StringIO()
    stats = pstats.Stats(prof, stream=text)
    stats.sort_stats("tottime").print_stats(18)
    if out_path:
        with open(out_path, "w") as f:
            f.write(text.getvalue())
    return text.getvalue()


# --------------------------------------------------------------- large body

def _stream_clients(host, port):
    """name -> stream(path, buf) -> bytes received."""
    clients = {}

    def mhl(path, buf):
        conn = microhttplib.HTTPConnection(host, port)
        conn.request("GET", path)
        r = conn.getresponse()
        total = 0
        while True:
            n = r.readinto(buf)
            if not n:
                break
            total += n
        conn.close()
        return total

    clients["microhttplib"] = mhl

    def hc(path, buf):
        conn = http.client.HTTPConnection(host, port)
        conn.request("GET", path)
        r = conn.getresponse()
        total = 0
        while True:
            n = r.readinto(buf)
            if not n:
                break
            total += n
        conn.close()
        return total

    clients["http.client"] = hc

    try:
        import urllib3
    except ImportError:
        urllib3 = None
    if urllib3 is not None:
        def u3(path, buf):
            pool = urllib3.HTTPConnectionPool(host, port, maxsize=1, retries=False)
            r = pool.request("GET", path, preload_content=False)
            total = 0
            while True:
                n = r.readinto(buf)
                if not n:
                    break
                total += n
            r.release_conn()
            pool.close()
            return total

        clients["urllib3 (stream)"] = u3
    return clients


def large_body(host, port, size, rounds, mem_size):
    clients = _stream_clients(host, port)
    buf = bytearray(65536)
    path = "/bytes/%d" % size
    rate = {name: [] for name in clients}
    cpu = {name: [] for name in clients}
    for _ in range(rounds):
        for name, stream in clients.items():
            c0 = time.process_time()
            w0 = time.perf_counter()
            got = stream(path, buf)
            w1 = time.perf_counter()
            c1 = time.process_time()
            if got != size:
                raise AssertionError("%s streamed %d of %d bytes" % (name, got, size))
            rate[name].append(size / (w1 - w0) / 1e6)
            cpu[name].append((c1 - c0) / (size / 1e6) * 1e3)
    peak = {}
    for name, stream in clients.items():
        tracemalloc.start()
        try:
            base = tracemalloc.get_traced_memory()[0]
            stream("/bytes/%d" % mem_size, buf)
            peak[name] = tracemalloc.get_traced_memory()[1] - base
        finally:
            tracemalloc.stop()
    return {"size": size, "mem_size": mem_size, "buffer": len(buf),
            "rows": [{"name": name, "mb_s": median(rate[name]), "spread": spread(rate[name]),
                      "cpu_ms_per_mb": median(cpu[name]), "peak_bytes": peak[name]}
                     for name in clients]}


# ------------------------------------------------------ small reads

def small_reads(host, port, size, rounds, read_sizes):
    """readinto() into a 1 KiB bytearray and read() of whole bodies, against http.client.

    The two clients alternate within each round (same machine state); each
    row is the median over the rounds, in ms per body, with the ratio
    microhttplib / http.client (below 1: microhttplib is faster).
    """
    mods = {"microhttplib": microhttplib, "http.client": http.client}

    def readinto_1k(mod):
        conn = mod.HTTPConnection(host, port)
        conn.request("GET", "/bytes/%d" % size)
        r = conn.getresponse()
        buf = bytearray(1024)
        total = 0
        t0 = time.perf_counter()
        while True:
            n = r.readinto(buf)
            if not n:
                break
            total += n
        t = time.perf_counter() - t0
        conn.close()
        if total != size:
            raise AssertionError("%s: readinto got %d of %d bytes" % (mod.__name__, total, size))
        return t

    def read_whole(mod, n):
        conn = mod.HTTPConnection(host, port)
        conn.request("GET", "/bytes/%d" % n)
        r = conn.getresponse()
        t0 = time.perf_counter()
        data = r.read()
        t = time.perf_counter() - t0
        conn.close()
        if len(data) != n:
            raise AssertionError("%s: read() got %d of %d bytes" % (mod.__name__, len(data), n))
        return t

    cases = [("readinto(1 KiB buffer), %d MiB" % (size >> 20), readinto_1k)]
    for n in read_sizes:
        cases.append(("read(), %s body" % _size_label(n), lambda mod, n=n: read_whole(mod, n)))
    rows = []
    for label, fn in cases:
        times = {name: [] for name in mods}
        for _ in range(rounds):
            for name, mod in mods.items():
                times[name].append(fn(mod))
        mhl, hc = median(times["microhttplib"]), median(times["http.client"])
        rows.append({"case": label, "microhttplib_ms": mhl * 1e3, "http_client_ms": hc * 1e3,
                     "ratio": mhl / hc})
    return {"size": size, "rounds": rounds, "rows": rows}


def _size_label(n):
    return "%d MiB" % (n >> 20) if n >= 1 << 20 else "%d KiB" % (n >> 10) if n >= 1024 \
        else "%d B" % n


# ------------------------------------------------------ parse breakdown

def parse_breakdown(repeat=5, number=20000):
    """The steps of the block head parser (headblock.parse_block) timed one by one.

    Shows where the time of microhttplib's parse goes, against the same
    response parsed whole by the parser (and by httptools for the floor).
    Returns [(step, us)], each the best of `repeat` timeit runs.
    """
    import timeit
    from microhttplib import headblock
    from microhttplib.headers import HTTPMessage
    data = SMALL_RESPONSE
    n = len(data)
    stop = data.find(b"\r\n\r\n")
    raw = data[:stop]
    text = raw.decode("latin-1")
    lines = text.split("\r\n")
    count = len(lines) - 1
    headers = [(k, v.strip(" \t")) for k, v in [h.split(":", 1) for h in lines[1:]]]
    names = next(zip(*headers))
    lower = text.lower()
    parser = ResponseParser()
    g = dict(globals(), data=data, n=n, stop=stop, raw=raw, text=text, lines=lines,
             count=count, headers=headers, names=names, lower=lower, parser=parser,
             HEAD_OK=headblock._HEAD_OK, TOKEN_OK=headblock._TOKEN_OK, HTTPMessage=HTTPMessage,
             keys=headblock._FRAMING_KEYS)
    steps = [
        ("find CR LF CR LF, slice, decode, split lines",
         "s = data.find(b'\\r\\n\\r\\n', 0, n); r = data[0:s]; t = r.decode('latin-1'); "
         "t.split('\\r\\n')"),
        ("bulk byte checks (translate)", "raw.translate(None, HEAD_OK) != b'\\r\\n' * count"),
        ("(name, value) tuples for %d headers" % count,
         "[(k, v.strip(' \\t')) for k, v in [h.split(':', 1) for h in lines[1:]]]"),
        ("header-name token check",
         "ns = next(zip(*headers)); '' in ns or ''.join(ns).encode('latin-1')"
         ".translate(None, TOKEN_OK)"),
        ("status line", "parser._status(lines[0])"),
        ("framing headers (lower + finds)",
         "lw = text.lower()\nfor k in keys:\n    a = lw.find(k)\n    while a >= 0:\n"
         "        a += len(k); e = text.find('\\r\\n', a); text[a:e].strip(' \\t'); "
         "a = lw.find(k, a)"),
        ("end of head (framing decision, Content-Length)",
         "parser._content_lengths = '64'; parser._transfer_encoding = None; "
         "parser._connection = ',keep-alive'; parser._end_of_head()"),
        ("reset + HTTPMessage + body slice",
         "parser.reset(); HTTPMessage(headers); data[stop + 4:stop + 68]"),
    ]
    out = []
    for label, stmt in steps:
        best = min(timeit.repeat(stmt, globals=g, number=number, repeat=repeat)) / number
        out.append((label, best * 1e6))
    whole = min(timeit.repeat("parser.reset(); parser.parse_head(data, 0, n)", globals=g,
                              number=number, repeat=repeat)) / number
    return {"steps": out, "whole_us": whole * 1e6}
