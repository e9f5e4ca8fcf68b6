#!/usr/bin/env python3
"""Where microhttplib's heap goes on MicroPython: per module and per definition.

    .venv/bin/python bench/mp_heap_breakdown.py [--micropython PATH] [--tree DIR] [--no-definitions]

1. per module: heap retained by importing each microhttplib module on its
   own, one after the other, under an empty package ``__init__`` (.mpy, and
   from a ROMFS image where the interpreter has vfs.VfsRom);
2. per definition: each top-level definition (and each method of a class)
   compiled and executed on its own in a copy of the real module's globals;
   the retained heap is its function/class objects and bytecode (names are
   already interned by the real import, so qstrs are not counted).

A tool for shrinking the package; the figures that count (heap retained
after one complete GET, ...) come from bench/micropython_heap.py.
"""

import argparse
import json
import os
import shutil
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)

import micropython_heap as mh  # noqa: E402
from micropython_heap import ROM_MOUNT, mpy_compile  # noqa: E402

MICROPYTHON = None  # set by main()


def run(script, path):
    return mh.run(MICROPYTHON, script, path)


def stub_tree(mpy_lib, work):
    """The .mpy tree with an empty package __init__, so that the modules can
    be imported one at a time."""
    stub = os.path.join(work, "stub")
    shutil.copytree(os.path.join(mpy_lib, "microhttplib"), os.path.join(stub, "microhttplib"))
    empty = os.path.join(work, "empty.py")
    open(empty, "w").close()
    mpy_compile(empty, os.path.join(stub, "microhttplib", "__init__.mpy"))
    return stub


# What a GET loads first (the merged request module, the socket transport),
# then the rest; the stubs of the merged modules cost only themselves then.
BREAKDOWN_ORDER = ["_request", "_socket", "errors", "headers", "parser", "clock", "buffer",
                   "response", "connection", "status", "ports", "ports.micropython.transport",
                   "ports.micropython", "ports.micropython.wifi"]


def module_breakdown(stub, rom_image=None):
    """Retained bytes per microhttplib module, stub package __init__."""
    present = set()
    for dirpath, _, files in os.walk(os.path.join(stub, "microhttplib")):
        rel = os.path.relpath(dirpath, stub).replace(os.sep, ".")
        present.update(rel + "." + f[:-4] for f in files
                       if f.endswith(".mpy") and f != "__init__.mpy")
        if rel != "microhttplib":
            present.add(rel)
    names = [n for n in ("microhttplib." + m for m in BREAKDOWN_ORDER) if n in present]
    names += sorted(present.difference(names))
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
        if os.path.exists(os.path.join(ROOT, "core", name + ".py")):
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
    print("2. Where it goes: top-level definitions (classes in total), heap each retains")
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
    global MICROPYTHON
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--micropython", help="interpreter (default: the 32-bit one, else x64)")
    ap.add_argument("--tree", help="a built .mpy lib dir (default: build this checkout)")
    ap.add_argument("--no-definitions", dest="definitions", action="store_false")
    a = ap.parse_args(argv)
    found, _ = mh.default_interpreters()
    MICROPYTHON = a.micropython or found[0]
    work = tempfile.mkdtemp(prefix="mhl-breakdown-")
    try:
        rows, _ = mh.build_mpy.build(work, mh.MPY_CROSS, quiet=True)
        mpy_lib = a.tree or os.path.join(work, "mpy", "lib")
        print("MicroPython:", MICROPYTHON, run("import sys; print(sys.version)", []).stdout.strip())
        stub = stub_tree(mpy_lib, work)
        romfs = mh.interpreter_info(MICROPYTHON)["romfs"]
        rows = module_breakdown(stub)
        rom_rows = dict(module_breakdown(stub, mh.romfs_image(
            stub, os.path.join(work, "stub.romfs")))) if romfs else {}
        print("1. Retained per module (empty package __init__, imported in this order)")
        print("   %-44s %8s %8s" % ("", ".mpy", "ROMFS"))
        for name, cost in rows:
            print("   %-44s %8d %8s" % (name, cost, rom_rows.get(name, "-")))
        print()
        if a.definitions:
            definition_breakdown(os.path.join(work, "mp", "lib"), work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
