#!/usr/bin/env python3
"""Build microhttplib for MicroPython boards (stdlib only).

    python tools/build_mpy.py                   # build/mpy/lib (.mpy), build/mp/lib (.py),
                                                # build/frozen/lib (.py for manifest.py)
    python tools/build_mpy.py --deploy /dev/ttyACM0 [--dest /lib]

Layout produced (the same for both trees):

    <out>/mpy/lib/microhttplib/__init__.mpy ...         <- core/**.py
    <out>/mpy/lib/microhttplib/ports/__init__.mpy        <- ports/__init__.py
    <out>/mpy/lib/microhttplib/ports/micropython/*.mpy   <- ports/micropython/
    <out>/mpy/lib/microhttplib/ports/serial_modem/*.mpy  <- ports/serial_modem/
    <out>/mp/lib/...                                     <- same, plain .py copies
    <out>/frozen/lib/...    <- the .py sources of the .mpy tree (merged, relocated, long
                               names): what manifest.py freezes into a firmware

so that ``MICROPYPATH=build/mpy/lib micropython -c "import microhttplib"``
works and ``mpremote ... fs cp -r build/mpy/lib/microhttplib :/lib`` installs.

CPython-only files are left out: ports/cpython/ entirely, core/__main__.py
(the command-line tool), core/bodyreader.py (CPYTHON_ONLY_CORE) and any file in the included port directories, that
imports pty, threading, serial (pyserial), termios, argparse, ... at module
level *unconditionally* (an import inside a top-level ``try: ... except
ImportError:`` is optional and does not exclude the file), and the packages
in CPYTHON_ONLY_DIRS (the modem emulator).  Other core files
are never left out: one with such an import is reported as a WARNING.
"""

import argparse
import ast
import os
import shutil
import subprocess
import sys

import mpy_fold
import mpy_names

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# (source dir relative to ROOT, package path under lib/, recursive, may skip)
SOURCES = [
    ("core", "microhttplib", True, False),
    ("ports", "microhttplib/ports", False, False),  # only ports/__init__.py
    ("ports/micropython", "microhttplib/ports/micropython", True, True),
    ("ports/serial_modem", "microhttplib/ports/serial_modem", True, True),
]
# Modules that exist only on CPython: a port file importing one
# unconditionally at top level (e.g. a modem emulator) is left out.
CPYTHON_ONLY = {
    "pty", "threading", "serial", "termios", "tty", "fcntl", "subprocess",
    "selectors", "socketserver", "multiprocessing", "argparse",
}
# Not available on MicroPython either; a core file importing one at top level
# is still built (core is never skipped) but reported: it will not import.
NOT_ON_MICROPYTHON = CPYTHON_ONLY | {
    "typing", "dataclasses", "enum", "abc", "email", "http", "urllib",
    "functools", "contextlib", "warnings", "ssl",
}
EXCLUDE_DIRS = {"__pycache__", "tests"}
# Core modules only CPython imports (what a board never loads is not shipped).
CPYTHON_ONLY_CORE = {"bodyreader.py": "read() through io.BufferedReader, CPython only"}
# Whole packages that exist only on CPython (the modem emulator: a pty and a
# thread around plain-Python dialect tables that are of no use on a board).
CPYTHON_ONLY_DIRS = {"ports/serial_modem/emulator": "the modem emulator (pty, threads)"}


def _top_level_imports(tree):
    """Modules imported unconditionally when the module is executed."""

    def walk(stmts, optional):
        for node in stmts:
            if isinstance(node, ast.Import):
                for a in node.names:
                    yield a.name.split(".")[0], optional
            elif isinstance(node, ast.ImportFrom):
                if node.level == 0 and node.module:
                    yield node.module.split(".")[0], optional
            elif isinstance(node, ast.Try):
                guarded = any(
                    h.type is None
                    or "ImportError" in ast.dump(h.type)
                    or "Exception" in ast.dump(h.type)
                    for h in node.handlers
                )
                yield from walk(node.body, optional or guarded)
                for h in node.handlers:
                    yield from walk(h.body, optional)
                yield from walk(node.orelse, optional)
                yield from walk(node.finalbody, optional)
            elif isinstance(node, ast.If):
                # `if sys.implementation.name == ...:` style guards
                yield from walk(node.body, True)
                yield from walk(node.orelse, True)

    return walk(tree.body, False)


def cpython_only_reason(path, modules=CPYTHON_ONLY):
    """Why ``path`` cannot run on a board, or None."""
    with open(path, "rb") as f:
        src = f.read()
    try:
        tree = ast.parse(src, path)
    except SyntaxError as e:
        return "syntax error: %s" % e
    for mod, optional in _top_level_imports(tree):
        if mod in modules and not optional:
            return "imports %s at top level" % mod
    return None


def collect():
    """[(source path, destination without extension)], skipped, warnings."""
    files, skipped, warnings = [], [], []
    for src_dir, pkg, recursive, may_skip in SOURCES:
        base = os.path.join(ROOT, src_dir)
        if not os.path.isdir(base):
            continue
        for dirpath, dirnames, filenames in os.walk(base):
            dirnames[:] = sorted(d for d in dirnames if d not in EXCLUDE_DIRS)
            for d in list(dirnames):
                rel_dir = os.path.relpath(os.path.join(dirpath, d), ROOT).replace(os.sep, "/")
                if rel_dir in CPYTHON_ONLY_DIRS:
                    skipped.append((rel_dir, "CPython-only package: " + CPYTHON_ONLY_DIRS[rel_dir]))
                    dirnames.remove(d)
            if not recursive:
                dirnames[:] = []
            for name in sorted(filenames):
                if not name.endswith(".py"):
                    continue
                path = os.path.join(dirpath, name)
                rel = os.path.relpath(path, base)
                if src_dir == "core" and rel in CPYTHON_ONLY_CORE:
                    skipped.append((os.path.relpath(path, ROOT), CPYTHON_ONLY_CORE[rel]))
                    continue
                # the CLI (python -m microhttplib) is CPython-only too
                if may_skip or rel == "__main__.py":
                    reason = cpython_only_reason(path)
                    if reason:
                        skipped.append((os.path.relpath(path, ROOT), reason))
                        continue
                else:
                    reason = cpython_only_reason(path, NOT_ON_MICROPYTHON)
                    if reason:
                        warnings.append((os.path.relpath(path, ROOT), reason))
                files.append((path, os.path.join(pkg, rel[:-3]).replace(os.sep, "/")))
    return files, skipped, warnings


def find_tool(name, given=None):
    if given:
        return given
    here = os.path.join(os.path.dirname(sys.executable), name)
    if os.path.exists(here):
        return here
    venv = os.path.join(ROOT, ".venv", "bin", name)
    if os.path.exists(venv):
        return venv
    found = shutil.which(name)
    if not found:
        sys.exit("build_mpy: %s not found (pip install %s)" % (name, name))
    return found


# The modules every request loads, merged into one module of the .mpy tree at
# build time (in this order: each only imports from those before it). The
# sources stay one concern per module; a board saves a module object, its
# globals table and its import code per module (issue 9: ~1.5 KB retained on
# a 32-bit port). Each merged module remains importable as a stub that
# re-exports its names. The .py tree stays unmerged.
MERGED_PACKAGE = "microhttplib"
MERGED_NAME = "_request"
MERGED = ("buffer", "clock", "parser", "response", "connection")
# The map of the private names the .mpy tree shortened (tools/mpy_names.py),
# next to lib/: it decodes a board's traceback or AttributeError.
NAMES = "names.txt"


def _texts_out_of_errors(text, moved):
    """`_error("X", "a long message %s" % v)` -> `_error("X", _text(3) % v)`.

    Every string longer than 10 characters in the arguments of an _error()
    call (the core's way to raise) moves to `moved`, which becomes
    errors.TEXTS: a constant string costs heap while its module is loaded,
    and an error message is needed only once something failed. Shorter
    strings are interned names, cheaper than the call that would replace them.
    """
    tree = ast.parse(text)
    spans = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "_error":
            for arg in node.args[1:]:
                for sub in ast.walk(arg):
                    if isinstance(sub, ast.Constant) and isinstance(sub.value, str) \
                            and len(sub.value) > 10:
                        spans.append(sub)
    for sub in spans:
        if sub.value not in moved:
            moved.append(sub.value)
    return _replace_spans(text, [(sub, "_text(%d)" % moved.index(sub.value)) for sub in spans])


def _numbered_errors(text, names):
    """`_error("LineTooLong", ...)` -> `_error(3, ...)`, with names[3] == "LineTooLong".

    `names` becomes errors.CLASSES: the class names, strings a board would
    otherwise keep in RAM in every module that can raise, are not needed.
    """
    calls = [node.args[0] for node in ast.walk(ast.parse(text))
             if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "_error"
             and node.args and isinstance(node.args[0], ast.Constant)
             and isinstance(node.args[0].value, str)]
    for arg in calls:
        if arg.value not in names:
            names.append(arg.value)
    return _replace_spans(text, [(arg, str(names.index(arg.value))) for arg in calls])


def _replace_spans(text, edits):
    """text with each (ast node, new text) edit made."""
    lines = text.splitlines(True)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line.encode("utf-8")))
    raw = text.encode("utf-8")
    for node, new in sorted(edits, key=lambda e: (e[0].lineno, e[0].col_offset), reverse=True):
        a = starts[node.lineno - 1] + node.col_offset
        b = starts[node.end_lineno - 1] + node.end_col_offset
        raw = raw[:a] + new.encode("utf-8") + raw[b:]
    return raw.decode("utf-8")


def _stub(module):
    """A module that was moved into `module` at build time: its names are found there.

    A module __getattr__, not `from module import *`: importing the stub from
    a module loaded on first use (chunked.py: `from .parser import _error`)
    costs a board a small module, not a copy of every name of the merged one.
    """
    return ('"""Built into %s (tools/build_mpy.py): its names are found there."""\n\n\n'
            "def __getattr__(name):\n"
            "    import sys\n"
            "    __import__(%r)\n"
            "    return getattr(sys.modules[%r], name)\n" % (module, module, module))


# Modules built somewhere else in the .mpy tree, with a stub at their place.
# The MicroPython socket transport, which every request on a board loads,
# sits beside the merged request module: a GET then loads neither the ports
# package nor ports.micropython's (~1 KB retained on a 32-bit port).
RELOCATED = {"microhttplib/ports/micropython/transport": "microhttplib/_socket"}
# Where the core imports it from, rewritten to import the relocated module.
RELOCATED_IMPORTS = {"from .ports.micropython import SocketTransport":
                     "from ._socket import SocketTransport"}


def _relocated_sources(texts):
    """{dest: text}: RELOCATED modules moved, their relative imports rewritten, stubs left."""
    texts = dict(texts)
    for old, new in RELOCATED.items():
        old_pkg = old.split("/")[:-1]
        new_pkg = new.split("/")[:-1]
        if new_pkg != old_pkg[:len(new_pkg)]:
            sys.exit("build_mpy: %s must move to a parent package" % old)
        inner = ".".join(old_pkg[len(new_pkg):])  # ports.micropython
        text = texts.pop(old)
        tree = ast.parse(text)
        lines = text.splitlines(True)
        for node in sorted((n for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)
                            and n.level == 1), key=lambda n: n.lineno, reverse=True):
            module = inner + ("." + node.module if node.module else "")
            line = lines[node.lineno - 1]
            relative = "from ." + (node.module or "") + " import"
            if node.end_lineno != node.lineno or relative not in line:
                sys.exit("build_mpy: cannot rewrite %r in %s" % (line.strip(), old))
            lines[node.lineno - 1] = line.replace(relative, "from .%s import" % module, 1)
        texts[new] = "".join(lines)
        texts[old] = _stub(new.replace("/", "."))
    for dest, text in list(texts.items()):
        for before, after in RELOCATED_IMPORTS.items():
            text = text.replace(before, after)
        texts[dest] = text
    return texts


# The line that starts each part of the merged module.
_PART = "# ---- "


def _merged_sources(sources):
    """{dest: text}: sources with MERGED replaced by MERGED_NAME plus stubs (.mpy tree)."""
    texts = dict(sources)
    pkg = MERGED_PACKAGE + "/"
    error_names = []
    for dest, text in texts.items():
        if dest.startswith(pkg) and "/" not in dest[len(pkg):]:
            texts[dest] = _numbered_errors(text, error_names)
    parts = []
    error_texts = []
    for m in MERGED:
        text = _texts_out_of_errors(texts[pkg + m], error_texts)
        tree = ast.parse(text)
        drop = set()
        for node in tree.body:
            docstring = isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) \
                and isinstance(node.value.value, str)
            merged_import = isinstance(node, ast.ImportFrom) and node.level == 1 \
                and node.module in MERGED
            if docstring or merged_import:
                drop.update(range(node.lineno, node.end_lineno + 1))
        lines = text.splitlines(True)
        parts.append(_PART + "%s.py\n" % m + "".join(
            line for i, line in enumerate(lines, 1) if i not in drop))
        texts[pkg + m] = _stub(MERGED_PACKAGE + "." + MERGED_NAME)
    texts[pkg + MERGED_NAME] = "".join(parts) + (
        "\n\ndef _text(n):\n"
        "    \"\"\"An error message moved to errors.py at build time.\"\"\"\n"
        "    return _errors().TEXTS[n]\n")
    # The package finds HTTPConnection and HTTPResponse in the merged module,
    # so a request never loads the stubs (HTTPMessage is headers.py's).
    init = texts[pkg + "__init__"]
    for m in ("connection", "response"):
        pattern = 'module = "%s"' % m
        if pattern not in init:
            sys.exit("build_mpy: core/__init__.py no longer has %r (__getattr__)" % pattern)
        init = init.replace(pattern, 'module = "%s"' % MERGED_NAME)
    texts[pkg + "__init__"] = init
    texts[pkg + "errors"] += (
        "\n\n# The messages of the exceptions the request module raises, moved here by\n"
        "# tools/build_mpy.py: they are in RAM only once something failed.\n"
        "TEXTS = (\n%s)\n" % "".join("    %r,\n" % t for t in error_texts) +
        "\n# The classes the modules raise by number (_error(3) is CLASSES[3]).\n"
        "CLASSES = (\n%s)\n" % "".join("    %s,\n" % n for n in error_names))
    # The package's other modules import from the merged module itself: a
    # board then loads no stub along with them. Their messages move to
    # texts.py (not errors.py, which must stay small enough to load when the
    # heap is nearly full).
    more_texts = []
    for dest, text in list(texts.items()):
        rest = dest[len(pkg):]
        if dest.startswith(pkg) and "/" not in rest and rest not in MERGED + ("errors", MERGED_NAME):
            text = _import_merged(text, dest)
            moved = _texts_out_of_errors(text, more_texts)
            if moved != text:
                text = _with_import(moved, MORE_TEXT % MERGED_NAME)
            texts[dest] = text
    texts[pkg + TEXTS_NAME] = (
        '"""The messages of the exceptions of the modules loaded on first use, moved\n'
        'here by tools/build_mpy.py: they are in RAM only once something failed."""\n\n'
        "TEXTS = (\n%s)\n" % "".join("    %r,\n" % t for t in more_texts))
    return texts


# The module of the .mpy tree that holds the messages of the modules loaded on
# first use, and what such a module gets when its messages move there.
TEXTS_NAME = "texts"
MORE_TEXT = """from .%%s import _load


def _text(n):
    return _load("%s").TEXTS[n]

""" % TEXTS_NAME


def _with_import(text, line):
    """text with `line` added after its docstring."""
    tree = ast.parse(text)
    first = tree.body[0] if tree.body else None
    at = first.end_lineno if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) \
        else 0
    lines = text.splitlines(True)
    return "".join(lines[:at] + [line] + lines[at:])


def _import_merged(text, dest):
    """`from .parser import x` -> `from ._request import x`, for every MERGED module."""
    lines = text.splitlines(True)
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.ImportFrom) and node.level == 1 and node.module in MERGED:
            line = lines[node.lineno - 1]
            old = "from .%s import" % node.module
            if old not in line:
                sys.exit("build_mpy: cannot rewrite %r in %s" % (line.strip(), dest))
            lines[node.lineno - 1] = line.replace(old, "from .%s import" % MERGED_NAME, 1)
    return "".join(lines)


def _private_consts(texts):
    """{dest: text}: the merged module's public const() names made private there.

    On a board a public `NO_BODY = const(0)` stays in the module's globals
    (an interned name and a dict slot); a private const is only in the code.
    The stub of the module that defined the name keeps it public, for code
    that imports it from there, and a module loaded on first use that
    imports it from the merged module gets a private const of its own.
    Names that a string mentions (looked up by name) stay as they are.
    """
    texts = dict(texts)
    pkg = MERGED_PACKAGE + "/"
    dest = pkg + MERGED_NAME
    mentioned = set()
    for text in texts.values():
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                mentioned.update(mpy_names.IDENTIFIER.findall(node.value))
    lines = texts[dest].splitlines(True)
    consts = {}  # name -> (value, the merged module's part that defines it)
    for node in ast.parse(texts[dest]).body:
        value = node.value if isinstance(node, ast.Assign) else None
        if isinstance(value, ast.Call) and getattr(value.func, "id", None) == "const" \
                and [type(t) for t in node.targets] == [ast.Name] \
                and len(value.args) == 1 and isinstance(value.args[0], ast.Constant):
            name = node.targets[0].id
            if not name.startswith("_") and name not in mentioned:
                part = next(line for line in reversed(lines[:node.lineno])
                            if line.startswith(_PART))[len(_PART):].strip()[:-len(".py")]
                consts[name] = (value.args[0].value, part)
    private = {name: "_" + name for name in consts}
    texts[dest] = mpy_names.rename(texts[dest], private)
    for name, (value, part) in consts.items():
        texts[pkg + part] += "%s = %r  # a private const() in %s\n" % (name, value, MERGED_NAME)
    for other, text in texts.items():
        if not other.startswith(pkg) or "/" in other[len(pkg):] or other == dest:
            continue
        tree = ast.parse(text)
        edits = []
        for node in tree.body:
            if isinstance(node, ast.ImportFrom) and node.level == 1 and node.module == MERGED_NAME \
                    and any(a.name in consts for a in node.names):
                if any(a.asname for a in node.names if a.name in consts):
                    sys.exit("build_mpy: %s imports a const() name under another name" % other)
                kept = [a.name + (" as " + a.asname if a.asname else "")
                        for a in node.names if a.name not in consts]
                stmts = (["from .%s import %s" % (MERGED_NAME, ", ".join(kept))] if kept else []) \
                    + ["_%s = const(%r)" % (a.name, consts[a.name][0])
                       for a in node.names if a.name in consts]
                edits.append((node, "; ".join(stmts) + "\n" * (node.end_lineno - node.lineno)))
        if edits:
            text = mpy_names.rename(_replace_spans(text, edits), private)
            texts[other] = text
    return texts


# mpy-cross's optimisation level for the .mpy tree. -O3 leaves out the tables
# of line numbers: ~1 KB less heap retained after a GET on a 32-bit port (5%),
# and a board's traceback names each function (names.txt decodes the short
# names) but says "line 1" for every frame of the library. `-O 0` builds a
# tree with line numbers, to debug. (No -O level changes the code: the core
# has no assert.) The frozen tree is compiled by the firmware's build.
OPT = 3


def build(out, mpy_cross, quiet=False, opt=None, short_names=True):
    """Build the three trees; opt is mpy-cross's -O level (None: OPT)."""
    if opt is None:
        opt = OPT
    files, skipped, warnings = collect()
    sources = {}
    for src, dest in files:
        with open(src) as f:
            sources[dest] = f.read()
    # Merged for .mpy only: a board compiling .py itself would need more heap
    # for one large module than for several small ones.
    merged = _relocated_sources(_merged_sources(sources))
    # As MicroPython runs them: no CPython branch (tools/mpy_fold.py).
    merged = mpy_fold.drop_flag({dest: mpy_fold.fold(text) for dest, text in merged.items()})
    merged = _private_consts(merged)
    # What a firmware freezes (manifest.py): merged and relocated too, since
    # each module object costs RAM even when its code is in flash, but with
    # the long names: frozen names are in flash as well.
    frozen = dict(merged)
    if short_names:
        merged, mapping, kept = mpy_names.shorten(merged, first=[MERGED_PACKAGE + "/" + MERGED_NAME])
    mpy_lib = os.path.join(out, "mpy", "lib")
    mp_lib = os.path.join(out, "mp", "lib")
    frozen_lib = os.path.join(out, "frozen", "lib")
    for tree in (mpy_lib, mp_lib, frozen_lib):
        shutil.rmtree(os.path.join(tree, "microhttplib"), ignore_errors=True)
    for lib, texts in ((mp_lib, sources), (frozen_lib, frozen)):
        for dest, text in texts.items():
            py_out = os.path.join(lib, dest + ".py")
            os.makedirs(os.path.dirname(py_out), exist_ok=True)
            with open(py_out, "w") as f:
                f.write(text)
    rows = []
    staging = os.path.join(out, "mpy-src")
    shutil.rmtree(staging, ignore_errors=True)
    for dest, text in sorted(merged.items()):
        src = os.path.join(staging, dest + ".py")
        mpy_out = os.path.join(mpy_lib, dest + ".mpy")
        os.makedirs(os.path.dirname(src), exist_ok=True)
        os.makedirs(os.path.dirname(mpy_out), exist_ok=True)
        with open(src, "w") as f:
            f.write(text)
        # A traceback names the module as its dotted name, which the import
        # interned already: "microhttplib/_request.py" would be one more
        # name in RAM per loaded module.
        source_name = dest.replace("/", ".")
        if source_name.endswith(".__init__"):
            source_name = source_name[:-len(".__init__")]
        cmd = [mpy_cross, "-o", mpy_out, "-s", source_name]
        cmd.append("-O%d" % opt)
        cmd.append(src)
        r = subprocess.run(cmd, capture_output=True, text=True)
        if r.returncode:
            sys.exit("build_mpy: mpy-cross failed on %s:\n%s%s" % (src, r.stdout, r.stderr))
        rows.append((dest, len(text), os.path.getsize(mpy_out)))
    shutil.rmtree(staging, ignore_errors=True)
    names = os.path.join(out, "mpy", NAMES)
    if short_names:
        with open(names, "w") as f:
            f.write(mpy_names.names_text(mapping, kept))
    elif os.path.exists(names):
        os.remove(names)
    if not quiet:
        w = max(len(d) for d, _, _ in rows) if rows else 10
        print("%-*s %8s %8s" % (w, "module", ".py", ".mpy"))
        for dest, py, mpy in rows:
            print("%-*s %8d %8d" % (w, dest, py, mpy))
        print("%-*s %8d %8d" % (w, "total", sum(r[1] for r in rows), sum(r[2] for r in rows)))
        for path, reason in skipped:
            print("skipped %s: CPython-only (%s)" % (path, reason))
        for path, reason in warnings:
            print("WARNING %s %s: it will not import on MicroPython" % (path, reason))
        print("built %s, %s and %s" % tuple(os.path.relpath(t, ROOT)
                                            for t in (mpy_lib, mp_lib, frozen_lib)))
    return rows, skipped


def verify(out, micropython):
    """Import the package from the .mpy tree on the unix port."""
    env = dict(os.environ, MICROPYPATH=os.path.join(out, "mpy", "lib"))
    code = (
        "import microhttplib, microhttplib.ports.micropython as p\n"
        "print('import ok:', getattr(microhttplib, '__file__', 'microhttplib'), p.__file__)\n"
    )
    r = subprocess.run([micropython, "-c", code], env=env, capture_output=True, text=True)
    if r.returncode:
        sys.exit("build_mpy: import check failed:\n" + r.stderr + r.stdout)
    sys.stdout.write(r.stdout)


# mip manifests at the repository root: the main one (core + the MicroPython
# port) and one for the AT-modem port, so Wi-Fi boards do not download the
# modem code:
#   mpremote mip install ./package.json               (in a checkout)
#   mpremote mip install ./package-serial_modem.json
# URLs are relative to the manifest, so they name no owner or branch: the
# same files serve github:<owner>/<repo> once the repository is public.
MANIFESTS = {
    "package.json": ("core", "ports/__init__.py", "ports/micropython"),
    "package-serial_modem.json": ("ports/serial_modem",),
}


def _version():
    with open(os.path.join(ROOT, "pyproject.toml")) as f:
        for line in f:
            if line.startswith("version"):
                return line.split("=", 1)[1].strip().strip('"')
    return "0.0.0"


def package_manifests():
    """{manifest path: package.json dict} for the board files of collect()."""
    files, _, _ = collect()
    out = {}
    for manifest, prefixes in MANIFESTS.items():
        base = os.path.dirname(manifest)
        urls = []
        for src, dest in files:
            rel = os.path.relpath(src, ROOT).replace(os.sep, "/")
            if any(rel == p or rel.startswith(p + "/") for p in prefixes):
                url = rel if not base else rel[len(base) + 1:]
                urls.append([dest + ".py", url])
        out[manifest] = {"urls": urls, "deps": [], "version": _version()}
    return out


def manifest_text(doc):
    """package.json text: one [destination, source] pair per line."""
    import json

    urls = ",\n".join("    " + json.dumps(pair) for pair in doc["urls"])
    return '{\n  "urls": [\n%s\n  ],\n  "deps": %s,\n  "version": %s\n}\n' % (
        urls, json.dumps(doc["deps"]), json.dumps(doc["version"]))


def write_manifests():
    for manifest, doc in package_manifests().items():
        with open(os.path.join(ROOT, manifest), "w") as f:
            f.write(manifest_text(doc))
        print("wrote %s (%d files)" % (manifest, len(doc["urls"])))


# Runs on the board before copying: remove an old tree (a stale .py would
# shadow the new .mpy of the same name) and make sure the destination exists,
# so `fs cp -r` copies *into* it rather than renaming the package to it.
PREPARE = """\
import os
def _rm(p):
    try:
        m = os.stat(p)[0]
    except OSError:
        return
    if m & 0x4000:
        for e in os.listdir(p):
            _rm(p + '/' + e)
        os.rmdir(p)
    else:
        os.remove(p)
_rm({pkg!r})
_p = '/' if {dest!r}.startswith('/') else ''
for _c in {dest!r}.split('/'):
    if _c:
        _p = _p + _c if _p in ('', '/') else _p + '/' + _c
        try:
            os.mkdir(_p)
        except OSError:
            pass
if not os.stat({dest!r})[0] & 0x4000:
    raise OSError('not a directory: ' + {dest!r})
"""
CHECK = """\
import sys
if {dest!r} not in sys.path:
    print('note: {dest} is not on sys.path', sys.path)
    sys.path.insert(0, {dest!r})
import microhttplib, microhttplib.ports.micropython as p
print('microhttplib installed:', p.__file__)
"""


def deploy(out, port, dest, mpremote, tree="mpy"):
    dest = dest.rstrip("/") or "/"
    pkg = (dest + "/microhttplib") if dest != "/" else "/microhttplib"
    src = os.path.join(out, tree, "lib", "microhttplib")
    if not os.path.isdir(src):
        sys.exit("build_mpy: %s missing; run make mpy first" % src)
    cmd = [
        mpremote, "connect", port, "resume",
        "exec", PREPARE.format(pkg=pkg, dest=dest), "+",
        "fs", "cp", "-r", src, ":" + dest, "+",
        "exec", CHECK.format(dest=dest),
    ]
    print("deploy:", " ".join(c if "\n" not in c else "<script>" for c in cmd))
    r = subprocess.run(cmd)
    if r.returncode:
        sys.exit("build_mpy: mpremote failed (exit %d)" % r.returncode)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default=os.path.join(ROOT, "build"), help="build directory")
    ap.add_argument("--mpy-cross", help="mpy-cross executable")
    ap.add_argument("--micropython", help="unix micropython for the import check")
    ap.add_argument("--no-verify", action="store_true", help="skip the import check")
    ap.add_argument("--no-build", action="store_true", help="use the existing build")
    ap.add_argument("-O", type=int, dest="opt",
                    help="mpy-cross optimisation level (default %d; 0 keeps line numbers)" % OPT)
    ap.add_argument("--long-names", action="store_true",
                    help="keep the private names of the .mpy tree (no build/mpy/names.txt)")
    ap.add_argument("--deploy", metavar="PORT", help="after building, copy to a board")
    ap.add_argument("--dest", default="/lib", help="directory on the board (default /lib)")
    ap.add_argument("--mpremote", help="mpremote executable")
    ap.add_argument("--source", action="store_true", help="deploy .py instead of .mpy")
    ap.add_argument("--package-json", action="store_true",
                    help="(re)write the mip package.json files and exit")
    ap.add_argument("-q", "--quiet", action="store_true")
    a = ap.parse_args(argv)
    out = os.path.abspath(a.out)
    if a.package_json:
        write_manifests()
        return
    if not a.no_build:
        build(out, find_tool("mpy-cross", a.mpy_cross), a.quiet, a.opt, not a.long_names)
    if not a.no_verify:
        verify(out, find_tool("micropython", a.micropython))
    if a.deploy:
        deploy(out, a.deploy, a.dest, find_tool("mpremote", a.mpremote), "mp" if a.source else "mpy")


if __name__ == "__main__":
    main()
