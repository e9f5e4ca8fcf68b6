"""MicroPython peers of microhttplib: fetched, staged and driven the same way.

    .venv/bin/python bench/mp_peers.py      # fetch the peers, print their versions

Used by bench/micropython_heap.py, which measures every library with the same
on-device functions. Peers are fetched from PyPI with pip into build/peers/
(nothing is vendored):

- micropython-urequests (sdist; its urequests/__init__.py used as urequests.py):
  HTTP/1.0, a new connection per request, no chunked; streamed with
  resp.raw.readinto().
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

The shim sockets set TCP_NODELAY: adafruit writes a request in many small
send()s and, without it, Linux's delayed ACK costs it ~40 ms per keep-alive
request; with it the figure is about the library itself. The shims' poll
objects allocate a little per wait (poll.ipoll): that shows in the peers'
``mem_total()`` growth, not in microhttplib's (its transport has no shim).
"""

import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

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

# Per library, make(host, port, path) -> (get() -> body, open() -> read(buf) -> n,
# close()): the same three calls for every library, so one measurement script
# drives them all.  Source text for the on-device benchmark module.
ADAPTERS = r'''
import time, socket, select

NODELAY = True


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



CA = None  # PEM text of the TLS server's CA, set by the driver for "mhls"


def _mhl(host, port, path, tls=False):
    import microhttplib
    if tls:
        c = microhttplib.HTTPSConnection(host, port, timeout=10, cadata=CA)
    else:
        c = microhttplib.HTTPConnection(host, port, timeout=10)

    def get():
        c.request("GET", path)
        return c.getresponse().read()

    def open_():
        c.request("GET", path)
        return c.getresponse().readinto
    return get, open_, c.close


def _ureq(host, port, path):
    import urequests
    url = "http://%s:%d%s" % (host, port, path)

    def get():
        r = urequests.get(url)
        body = r.content
        r.close()
        return body

    def open_():
        return urequests.get(url).raw.readinto

    def close():
        pass  # a new connection per request, closed with its response
    return get, open_, close


def _ada(host, port, path):
    import adafruit_requests
    import adafruit_connection_manager
    pool = _Pool()
    s = adafruit_requests.Session(pool, None)
    url = "http://%s:%d%s" % (host, port, path)

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

    def close():
        # its manager for the pool stays registered, as a program's session would
        adafruit_connection_manager.connection_manager_close_all(pool)
    return get, open_, close


def _chu(host, port, path):
    from chumicro_requests import HttpClient
    c = HttpClient(transport_factory=_Connector, ticks=time)
    url = "http://%s:%d%s" % (host, port, path)
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

    def close():
        pass  # Connection: close per request
    return get, open_, close


def _mhls(host, port, path):
    return _mhl(host, port, path, True)


LIBS = {"mhl": _mhl, "mhls": _mhls, "ureq": _ureq, "ada": _ada, "chu": _chu}
'''

# key, label (* = through shims), module
PEERS = [
    ("ureq", "urequests", "urequests"),
    ("ada", "adafruit_requests*", "adafruit_requests"),
    ("chu", "chumicro-requests*", "chumicro_requests"),
]


def stage(work, peers, compile_tree):
    """{key: [MICROPYPATH dirs]} of each fetched peer as .mpy (adafruit with its shims)."""
    shim_py = os.path.join(work, "shim_py")
    for rel, text in SHIMS.items():
        dst = os.path.join(shim_py, rel)
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        with open(dst, "w") as f:
            f.write(text)
    shim_mpy = compile_tree(shim_py, os.path.join(work, "shim_mpy"))
    keys = {"urequests": "ureq", "adafruit_requests": "ada", "chumicro_requests": "chu"}
    paths = {}
    for name, src in peers.items():
        key = keys[name]
        mpy = compile_tree(src, os.path.join(work, key + "_mpy"))
        paths[key] = [mpy] + ([shim_mpy] if key == "ada" else [])
    return paths


def main():
    peers, notes = fetch_peers()
    for name, path in sorted(peers.items()):
        print(name, path)
    for note in notes:
        print("note:", note)
    print(peer_versions())


if __name__ == "__main__":
    main()
