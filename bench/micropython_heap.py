#!/usr/bin/env python3
"""Heap cost of microhttplib on MicroPython, compared with urequests.

    .venv/bin/python bench/micropython_heap.py [--size BYTES] [--no-search]

Runs the real MicroPython unix port (fresh process per measurement) against a
loopback waitress server (tests/servers.py) and prints:

1. import cost: ``gc.mem_alloc()`` retained after ``gc.collect()``, from .py
   and from .mpy (mpy-cross), for ``import microhttplib``, the socket
   transport the core imports on first connect, and urequests.  Then a
   per-module breakdown (.mpy), measured by importing the modules one by one
   under a stub package ``__init__``.
2. a 1 MiB streamed download (Content-Length; chunked for microhttplib too)
   with ``readinto`` into one preallocated 1 KiB bytearray:
   - ``min heap``: the ``-X heapsize`` from which on import + request + the
     whole download succeed (see min_heap(): fragmentation makes success
     non-monotonic, so it is a downward scan, not a bisection), minus the
     same for a baseline script that only allocates the 1 KiB buffer.
     This is the peak *live* heap the request needs above the baseline --
     the RAM a board must have free.
   - ``allocated``: ``micropython.mem_peak()`` above its pre-import value.
     On the unix port mem_current/mem_peak count every m_malloc and are
     not lowered when the GC reclaims garbage, so this is the total bytes
     allocated (import + request + body), not a peak of live memory.
   - ``in body loop``: bytes allocated inside the readinto loop (same
     counter), which should be 0.

urequests is micropython-urequests from PyPI (sdist fetched into
build/urequests/, its ``urequests/__init__.py`` used as ``urequests.py``);
it speaks HTTP/1.0, has no chunked support, and its stream is read with
``resp.raw.readinto(buf)``.  Targets for microhttplib: import from .mpy
<= 10 KiB retained; import + whole 1 MiB request <= 20 KiB above baseline.
"""

import argparse
import json
import logging
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "tests"))
sys.path.insert(0, os.path.join(ROOT, "tools"))

import build_mpy  # noqa: E402
import servers  # noqa: E402

BIN = os.path.dirname(sys.executable)
MICROPYTHON = os.path.join(BIN, "micropython")
MPY_CROSS = os.path.join(BIN, "mpy-cross")
KIB = 1024
TARGET_IMPORT = 10 * KIB
TARGET_REQUEST = 20 * KIB

# --------------------------------------------------------------- urequests


def fetch_urequests(dest_dir):
    """urequests.py from the micropython-urequests sdist on PyPI."""
    target = os.path.join(dest_dir, "urequests.py")
    if os.path.exists(target):
        return target
    os.makedirs(dest_dir, exist_ok=True)
    sdists = [f for f in os.listdir(dest_dir) if f.endswith(".tar.gz")]
    if not sdists:
        # `pip download --no-binary :all:` fetches it but then fails: the
        # sdist has no setup.py.  So ask pip for the URL only via PyPI's JSON.
        r = subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps",
                            "--no-binary", ":all:", "-d", dest_dir, "micropython-urequests"],
                           capture_output=True, text=True)
        sdists = [f for f in os.listdir(dest_dir) if f.endswith(".tar.gz")]
    if not sdists:
        with urllib.request.urlopen("https://pypi.org/pypi/micropython-urequests/json",
                                    timeout=30) as f:
            meta = json.load(f)
        url = [u for u in meta["urls"] if u["packagetype"] == "sdist"][0]["url"]
        name = url.rsplit("/", 1)[1]
        with urllib.request.urlopen(url, timeout=30) as f, \
                open(os.path.join(dest_dir, name), "wb") as out:
            out.write(f.read())
        sdists = [name]
    with tarfile.open(os.path.join(dest_dir, sdists[0])) as tar:
        for member in tar.getmembers():
            if member.name.endswith("urequests/__init__.py") or \
                    member.name.endswith("/urequests.py"):
                with open(target, "wb") as out:
                    out.write(tar.extractfile(member).read())
                return target
    raise SystemExit("urequests.py not found in %s" % sdists[0])


# ----------------------------------------------------------------- running


def mpy_compile(src, dst):
    subprocess.run([MPY_CROSS, "-o", dst, src], check=True)


def run(script, path, heapsize=None, check=True):
    env = dict(os.environ, MICROPYPATH=":".join(path + [".frozen"]))
    cmd = [MICROPYTHON]
    if heapsize:
        cmd += ["-X", "heapsize=%d" % heapsize]
    cmd += ["-c", script]
    r = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120)
    if check and r.returncode:
        raise SystemExit("micropython failed:\n%s\n%s%s" % (script, r.stdout, r.stderr))
    return r


IMPORT_COST = """
import gc
gc.collect(); gc.collect()
a = gc.mem_alloc()
import %s
gc.collect()
b = gc.mem_alloc()
%s
gc.collect()
c = gc.mem_alloc()
print(b - a, c - b)
"""


def import_cost(module, then, path, rom_image=None):
    prefix = ROM_MOUNT % rom_image if rom_image else ""
    out = run(prefix + IMPORT_COST % (module, then), path).stdout.split()
    return int(out[0]), int(out[1])


# The benchmark bodies, compiled to .mpy so the driver script stays tiny and
# identical across variants (compiling a script costs heap too).
BENCH_MODULE = """
import gc, micropython

def _loop(read, buf):
    total = 0
    while True:
        k = read(buf)
        if not k:
            break
        total += k
    return total

def _measure(fetch, host, port, path):
    buf = bytearray(1024)
    gc.collect()
    p0 = micropython.mem_current()
    read, n = fetch(host, port, path)
    p1 = micropython.mem_current()
    total = _loop(read, buf)
    p2 = micropython.mem_current()
    print(total, p1 - p0, p2 - p1)

def nothing(host, port, path):
    buf = bytearray(1024)
    gc.collect()
    print(0, 0, 0)

def _microhttplib(host, port, path):
    import microhttplib
    c = microhttplib.HTTPConnection(host, port, timeout=10)
    c.request('GET', path)
    r = c.getresponse()
    return r.readinto, r.length

def microhttplib_get(host, port, path):
    _measure(_microhttplib, host, port, path)

CA_PATH = None

def _microhttplib_tls(host, port, path):
    import microhttplib
    with open(CA_PATH) as f:
        ca = f.read()
    c = microhttplib.HTTPSConnection(host, port, timeout=10, cadata=ca)
    ca = None
    c.request('GET', path)
    r = c.getresponse()
    return r.readinto, r.length

def microhttplib_tls_get(host, port, path):
    _measure(_microhttplib_tls, host, port, path)

def import_only(host, port, path):
    buf = bytearray(1024)
    gc.collect()
    p0 = micropython.mem_current()
    import microhttplib, microhttplib.ports.micropython
    print(int(path), micropython.mem_current() - p0, 0)

def _urequests(host, port, path):
    import urequests
    r = urequests.get('http://%s:%d%s' % (host, port, path))
    return r.raw.readinto, None

def urequests_get(host, port, path):
    _measure(_urequests, host, port, path)
"""

DRIVER = "import benchmod\nbenchmod.CA_PATH = %r\nbenchmod.%s(%r, %d, %r)\n"
CA_PATH = None  # set by main() when the TLS server is up


def request_run(kind, host, port, path, libpath, heapsize=None, check=True, rom=None):
    prefix = ROM_MOUNT % rom if rom else ""
    return run(prefix + DRIVER % (CA_PATH, kind, host, port, path), libpath, heapsize, check)


def min_heap(kind, host, port, path, libpath, expect, rom=None):
    """The heap size from which on the run succeeds.

    Success is not monotonic in the heap size (fragmentation: a run can fit
    in 77 KiB, fail from 78 to 90 KiB and fit again from 91 KiB), so this is
    not a bisection: it steps down from 256 KiB in 8 KiB steps to the first
    failure, then in 256-byte steps below the last success.  Every size
    tried at or above the result succeeded.
    """
    def ok(size):
        r = request_run(kind, host, port, path, libpath, size, check=False, rom=rom)
        return r.returncode == 0 and r.stdout.split()[:1] == [str(expect)]

    good = 256 * KIB
    if not ok(good):
        return None
    while good > 8 * KIB and ok(good - 8 * KIB):
        good -= 8 * KIB
    while good > 2 * KIB and ok(good - 256):
        good -= 256
    return good


MPREMOTE = os.path.join(BIN, "mpremote")
ROM_MOUNT = (
    "import vfs, sys\n"
    "_rom = open(%r, 'rb').read()\n"
    "vfs.mount(vfs.VfsRom(memoryview(_rom)), '/rom')\n"
    "sys.path.insert(0, '/rom')\n"
)


def romfs_image(src_dir, out):
    """A ROMFS image of src_dir (.mpy files execute in place from it)."""
    r = subprocess.run([MPREMOTE, "romfs", "--no-mpy", "-o", out, "build", src_dir],
                       capture_output=True, text=True)
    if r.returncode:
        raise SystemExit("mpremote romfs build failed:\n" + r.stdout + r.stderr)
    return out


def stub_tree(mpy_lib, work):
    """The .mpy tree with an empty package __init__, so that the modules can
    be imported one at a time."""
    stub = os.path.join(work, "stub")
    shutil.copytree(os.path.join(mpy_lib, "microhttplib"), os.path.join(stub, "microhttplib"))
    empty = os.path.join(work, "empty.py")
    open(empty, "w").close()
    mpy_compile(empty, os.path.join(stub, "microhttplib", "__init__.mpy"))
    return stub


BREAKDOWN_ORDER = ["errors", "headers", "parser", "clock", "buffer", "response", "connection",
                   "status", "ports", "ports.micropython.transport", "ports.micropython",
                   "ports.micropython.wifi"]


def module_breakdown(stub, rom_image=None):
    """Retained bytes per microhttplib module, stub package __init__."""
    names = ["microhttplib." + m for m in BREAKDOWN_ORDER]
    script = (
        (ROM_MOUNT % rom_image if rom_image else "") +
        "import gc\n"
        "gc.collect()\n"
        "prev = gc.mem_alloc()\n"
        "for name in %r:\n"
        "    __import__(name)\n"
        "    gc.collect()\n"
        "    now = gc.mem_alloc()\n"
        "    print(name, now - prev)\n"
        "    prev = now\n" % names)
    rows = []
    for line in run(script, [] if rom_image else [stub]).stdout.splitlines():
        name, cost = line.split()
        rows.append((name, int(cost)))
    return rows


# Section 3: where the bytes of a module go.  Each top-level definition (and
# each method of a class) is compiled and executed on its own in a copy of
# the real module's globals; the retained heap is its function/class objects
# and bytecode.  Names are already interned by the real import, so qstrs are
# not counted here.
DEF_PROBE = """
import gc, json
with open(%r) as f:
    chunks = json.load(f)
mods = {}
for label, mod, names, src in chunks:
    if mod not in mods:
        __import__(mod)
        import sys
        mods[mod] = sys.modules[mod].__dict__
    g = dict(mods[mod])
    for n in names:
        g[n] = property(len)  # a placeholder that also supports @name.setter
    g['__code__'] = None
    gc.collect()
    a = gc.mem_alloc()
    g['__code__'] = compile(src, '<c>', 'exec')
    exec(g['__code__'], g)
    g['__code__'] = None
    gc.collect()
    print(label, gc.mem_alloc() - a)
    g = None
"""


CLASS_LABELS = set()


def definition_chunks(modules):
    """[(label, module, names it defines, source)] for top-level nodes and methods."""
    import ast
    import textwrap

    chunks = []
    CLASS_LABELS.clear()
    for mod, path in modules:
        with open(path) as f:
            src = f.read()
        lines = src.splitlines(True)
        tree = ast.parse(src)
        short = mod.split(".")[-1] if not mod.endswith("transport") else "transport"

        def text(node):
            start = node.lineno - 1
            if getattr(node, "decorator_list", None):
                start = node.decorator_list[0].lineno - 1
            return textwrap.dedent("".join(lines[start:node.end_lineno]))

        # const() names are folded at compile time, not stored: each chunk
        # gets the module's const definitions in front (they cost nothing).
        consts = "".join(
            text(n) for n in tree.body
            if isinstance(n, ast.Assign) and isinstance(n.value, ast.Call)
            and getattr(n.value.func, "id", None) == "const")
        consts = ("from micropython import const\n" + consts) if consts else ""

        for node in tree.body:
            if isinstance(node, (ast.Import, ast.ImportFrom, ast.Expr)):
                continue
            if consts and isinstance(node, ast.Assign) and isinstance(node.value, ast.Call) \
                    and getattr(node.value.func, "id", None) == "const":
                continue
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                names = [node.name]
            elif isinstance(node, ast.Assign):
                names = [t.id for t in node.targets if isinstance(t, ast.Name)]
            else:
                continue  # try/if blocks: small, platform glue
            chunks.append(("%s.%s" % (short, names[0] if names else "?"), mod, names,
                           consts + text(node)))
            if isinstance(node, ast.ClassDef):
                CLASS_LABELS.add(chunks[-1][0])
                for item in node.body:
                    if isinstance(item, ast.FunctionDef):
                        chunks.append(("%s.%s.%s" % (short, node.name, item.name), mod,
                                       [item.name], consts + text(item)))
    return chunks


def definition_breakdown(mp_lib, work, top=25):
    modules = []
    for name in ("errors", "headers", "parser", "clock", "buffer", "response", "connection",
                 "status"):
        modules.append(("microhttplib." + name, os.path.join(ROOT, "core", name + ".py")))
    modules.append(("microhttplib.ports.micropython.transport",
                    os.path.join(ROOT, "ports", "micropython", "transport.py")))
    chunks = definition_chunks(modules)
    path = os.path.join(work, "chunks.json")
    with open(path, "w") as f:
        json.dump(chunks, f)
    out = run(DEF_PROBE % path, [mp_lib]).stdout.split("\n")
    costs = [(line.rsplit(" ", 1)[0], int(line.rsplit(" ", 1)[1])) for line in out if line]
    classes = CLASS_LABELS
    print("3. Where it goes: top-level definitions (classes in total), heap each retains")
    print("   when compiled on its own (bytecode + objects, interned names excluded)")
    whole = sorted(((c, l) for l, c in costs if l.count(".") == 1), reverse=True)
    for c, label in whole[:top]:
        print("   %-52s %7d%s" % (label, c, "  (class)" if label in classes else ""))
    print("   ... %d more top-level definitions: %d bytes" % (
        max(0, len(whole) - top), sum(c for c, _ in whole[top:])))
    print("   largest methods:")
    methods = sorted(((c, l) for l, c in costs if l.count(".") == 2), reverse=True)
    for c, label in methods[:top]:
        print("   %-52s %7d" % (label, c))
    print()


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--size", type=int, default=1 << 20, help="download size (1 MiB)")
    ap.add_argument("--no-search", action="store_true", help="skip the min-heap bisection")
    ap.add_argument("--no-definitions", dest="definitions", action="store_false",
                    help="skip the per-definition breakdown")
    a = ap.parse_args(argv)

    work = tempfile.mkdtemp(prefix="mhl-heap-")
    build_mpy.build(work, MPY_CROSS, quiet=True)
    mp_lib = os.path.join(work, "mp", "lib")
    mpy_lib = os.path.join(work, "mpy", "lib")
    ureq = fetch_urequests(os.path.join(ROOT, "build", "urequests"))
    ureq_py = os.path.join(work, "ureq_py")
    ureq_mpy = os.path.join(work, "ureq_mpy")
    os.makedirs(ureq_py)
    os.makedirs(ureq_mpy)
    shutil.copy(ureq, os.path.join(ureq_py, "urequests.py"))
    mpy_compile(ureq, os.path.join(ureq_mpy, "urequests.mpy"))
    bench_dir = os.path.join(work, "benchmod")
    os.makedirs(bench_dir)
    with open(os.path.join(work, "benchmod.py"), "w") as f:
        f.write(BENCH_MODULE)
    mpy_compile(os.path.join(work, "benchmod.py"), os.path.join(bench_dir, "benchmod.mpy"))
    # ROMFS images: .mpy executing in place, as from a board's ROM partition
    # (and close to frozen modules): bytecode is not copied into the heap.
    rom_core = romfs_image(mpy_lib, os.path.join(work, "core.romfs"))
    rom_ureq = romfs_image(ureq_mpy, os.path.join(work, "ureq.romfs"))
    stub = stub_tree(mpy_lib, work)
    rom_stub = romfs_image(stub, os.path.join(work, "stub.romfs"))

    print("MicroPython:", run("import sys; print(sys.version)", []).stdout.strip())
    print()
    print("1. Import cost (bytes retained in the heap after gc.collect())")
    print("%-40s %8s %8s %8s" % ("", ".py", ".mpy", "ROMFS"))
    # The package loads HTTPConnection on first use: count it with the
    # transport, as a program that makes a request pays for both.
    transport = "from microhttplib import HTTPConnection; import microhttplib.ports.micropython"
    core = [import_cost("microhttplib", transport, [mp_lib]),
            import_cost("microhttplib", transport, [mpy_lib]),
            import_cost("microhttplib", transport, [], rom_core)]
    ureqs = [import_cost("urequests", "", [ureq_py]),
             import_cost("urequests", "", [ureq_mpy]),
             import_cost("urequests", "", [], rom_ureq)]
    print("%-40s %8d %8d %8d" % (("import microhttplib",) + tuple(c[0] for c in core)))
    print("%-40s %8d %8d %8d" % (("+ HTTPConnection, socket transport",) +
                                  tuple(c[1] for c in core)))
    print("%-40s %8d %8d %8d" % (("= ready to connect",) + tuple(sum(c) for c in core)))
    print("%-40s %8d %8d %8d" % (("import urequests",) + tuple(u[0] for u in ureqs)))
    verdict = "OK" if core[1][0] <= TARGET_IMPORT else "OVER"
    print("target: .mpy import <= %d: %d -> %s (ready to connect: %d)"
          % (TARGET_IMPORT, core[1][0], verdict, sum(core[1])))
    print()
    print("   per module (stub package __init__, imported in this order):")
    print("   %-40s %8s %8s" % ("", ".mpy", "ROMFS"))
    rows = module_breakdown(stub)
    rom_rows = dict(module_breakdown(stub, rom_stub))
    for name, cost in rows:
        print("   %-40s %8d %8d" % (name, cost, rom_rows[name]))
    core_names = [n for n, _ in rows
                  if not n.startswith("microhttplib.ports") and n != "microhttplib.status"]
    print("   %-40s %8d %8d" % (
        "microhttplib/__init__ (by difference)",
        core[1][0] - sum(c for n, c in rows if n in core_names),
        core[2][0] - sum(rom_rows[n] for n in core_names)))
    print()

    if a.definitions:
        definition_breakdown(mp_lib, work)

    global CA_PATH
    # failed (MemoryError) runs leave responses half-sent: not worth a traceback
    logging.getLogger("waitress").setLevel(logging.CRITICAL)
    server = servers.serve_http()
    host, port = server.host, int(server.port)
    servers.wait_for_port(host, port)
    import pathlib
    tls_files = servers.TLSFiles(pathlib.Path(work))
    tls_server = servers.serve_https(tls_files)
    servers.wait_for_port(tls_server.host, int(tls_server.port))
    CA_PATH = tls_files.ca_pem_path
    size = a.size
    # (label, benchmod function, path, MICROPYPATH, ROMFS image)
    variants = [
        ("microhttplib .mpy, import only", "import_only", str(size), [bench_dir, mpy_lib], None),
        ("microhttplib .mpy, Content-Length", "microhttplib_get", "/bytes/%d" % size,
         [bench_dir, mpy_lib], None),
        ("microhttplib .mpy, chunked", "microhttplib_get", "/chunked/%d" % size,
         [bench_dir, mpy_lib], None),
        ("microhttplib .mpy, HTTPS, Content-Length", "microhttplib_tls_get",
         "/bytes/%d" % size, [bench_dir, mpy_lib], None),
        ("microhttplib .py, Content-Length", "microhttplib_get", "/bytes/%d" % size,
         [bench_dir, mp_lib], None),
        ("microhttplib ROMFS, Content-Length", "microhttplib_get", "/bytes/%d" % size,
         [bench_dir], rom_core),
        ("urequests .mpy (HTTP/1.0)", "urequests_get", "/bytes/%d" % size,
         [bench_dir, ureq_mpy], None),
        ("urequests .py (HTTP/1.0)", "urequests_get", "/bytes/%d" % size,
         [bench_dir, ureq_py], None),
        ("urequests ROMFS (HTTP/1.0)", "urequests_get", "/bytes/%d" % size,
         [bench_dir], rom_ureq),
    ]
    print("4. %d-byte download, readinto() into a 1 KiB bytearray" % size)
    base = {}
    if not a.no_search:
        base[None] = min_heap("nothing", host, port, "/", [bench_dir], 0)
        for rom in (rom_core, rom_ureq):  # the image itself sits in the heap here
            base[rom] = min_heap("nothing", host, port, "/", [bench_dir], 0, rom)
        print("   baseline min heap (interpreter + driver + 1 KiB buffer): %d" % base[None])
    print("%-38s %9s %9s %10s %8s" % ("", "min heap", "above", "allocated", "in body"))
    print("%-38s %9s %9s %10s %8s" % ("", "", "baseline", "(total)", "loop"))
    results = {}
    for label, kind, path, libpath, rom in variants:
        port = int(tls_server.port) if "tls" in kind else int(server.port)
        r = request_run(kind, host, port, path, libpath, rom=rom)
        total, alloc_req, alloc_loop = (int(x) for x in r.stdout.split()[-3:])
        if total != size:
            raise SystemExit("%s: read %d of %d bytes" % (label, total, size))
        need = None if a.no_search else min_heap(kind, host, port, path, libpath, size, rom)
        above = None if need is None else need - base[rom]
        results[label] = above
        print("%-38s %9s %9s %10d %8d" % (
            label, need if need is not None else "-", above if above is not None else "-",
            alloc_req + alloc_loop, alloc_loop))
    server.stop()
    tls_server.stop()
    if not a.no_search:
        above = results[variants[1][0]]
        print("target: import + whole request <= %d above baseline (.mpy, Content-Length):"
              " %d -> %s" % (TARGET_REQUEST, above, "OK" if above <= TARGET_REQUEST else "OVER"))
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
