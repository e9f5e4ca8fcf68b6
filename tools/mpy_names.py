"""Shorter private names for the .mpy tree (used by tools/build_mpy.py).

On a board every name a loaded .mpy interns costs heap: about 8 B plus its
length plus 1, and pool growth. `shorten(texts)` renames the private names
(one leading underscore, not dunder; the package-internal ones of INTERNAL;
and the parameters of private functions that nothing else uses, see
_local_names()) of all modules together to short ones (`_0`, `_1`, ...
`_0a`, ...): one map for the whole tree, applied to every identifier token,
so `from .parser import _error`, `self._buf` set in one module and read in
another, and a method defined in one module and called from another stay
consistent. Line numbers do not move.

A name that is only ever a variable (a module's global, a parameter) and
one that is only ever an attribute share a short name: no code can read
the one where the other lives, and the board interns one name for both.

A private name keeps its long form when renaming it could change behaviour:
it appears in a string literal (getattr/hasattr/globals() by name) other than
a module's METHODS tuple (the functions a class takes as methods on first
use, renamed with them) or may be built from a piece of one ("_on_" + kind,
"%s_done" % kind), it is a parameter of a public function or a keyword
argument name, it names a module or comes from outside the package, it is
never assigned in the tree (an attribute of another library's object), it is
part of http.client's private API that code written for http.client reads or
overrides, or it is a const() name (gone from the .mpy anyway).

Function, method and class names are renamed too (keeping them long for
tracebacks gave back over a quarter of the saving): build/mpy/names.txt maps
them back (a shared short name to both: "_4 -> _read_head|deadline_after"),
and

    python tools/mpy_names.py build/mpy/names.txt < traceback.txt

prints a board's traceback or AttributeError with the long names.

The result is checked: each renamed module parses to the same AST as its
source once the map is applied in reverse, namespace by namespace.
"""

import ast
import io
import re
import tokenize

# http.client's private names (CPython 3.8 .. 3.13: every attribute, method,
# function and global of http/client.py with one leading underscore). Code
# written for http.client reads or overrides them (_create_connection,
# _tunnel_host, _http_vsn_str, _validate_*, _MAXHEADERS, ...); CPython's own
# test_httplib does. tests/test_mpy_names.py checks this list against the
# running interpreter's http.client.
HTTP_CLIENT_PRIVATE = frozenset("""
    _CS_IDLE _CS_REQ_SENT _CS_REQ_STARTED _GLOBAL_DEFAULT_TIMEOUT _MAXHEADERS _MAXLINE
    _METHODS_EXPECTING_BODY _UNKNOWN _buffer _check_close _class _close_conn
    _contains_disallowed_method_pchar_re _contains_disallowed_url_pchar_re _context
    _create_connection _create_default_https_context _create_https_context _encode
    _encode_request _get_chunk_left _get_content_length _get_hostport _http_vsn
    _http_vsn_str _is_illegal_header_value _is_legal_header_name _is_textIO _method
    _output _parse_header_lines _peek_chunked _raw_proxy_headers _read1_chunked
    _read_and_discard_trailer _read_chunked _read_headers _read_next_chunk_size
    _read_readable _read_status _readall_chunked _readinto_chunked _safe_read
    _safe_readinto _send_output _send_request _strip_ipv6_iface _tunnel _tunnel_headers
    _tunnel_host _tunnel_port _validate_host _validate_method _validate_path _wrap_ipv6
""".split())

# Names without the underscore that are still the package's own business:
# helpers the modules import from each other and that neither http.client
# nor the documented API (the sans-io parser, the transport seam) offers.
# Every GET loads most of them, so they are renamed like private names.
INTERNAL = frozenset("""
    as_reader deadline_after default_transport file_reader head_timeout is_timeout
    not_connected not_resolved read_to_end refill resolve_timeout seconds_left
    timeout_error unfold
""".split())

IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# The name of the module-level tuples that list, as strings, the functions a
# class takes as methods on first use (core/chunked.py, core/*_more.py).
METHODS = "METHODS"
# New names start with a digit after the underscore (`_0`, `_7`, `_0a`, ...):
# no person names an attribute so, so a program's subclass that sets its own
# `self._a` or `self._x` cannot overwrite one of the package's.
FIRST = "0123456789"
REST = FIRST + "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def is_private(name):
    return name.startswith("_") and not name.startswith("__") and len(name) > 1


def _renamable(name):
    return is_private(name) or name in INTERNAL


class _Scan:
    """What the modules say about each identifier."""

    def __init__(self):
        self.candidates = {}  # private name -> occurrences
        self.defined = set()  # names the tree assigns, defines or imports from itself
        self.used = set()  # every identifier and string token: new names avoid them
        self.excluded = {}  # name -> why it keeps its long form
        self.prefixes = set()  # string pieces a name may be built from: "_on_" + kind
        self.suffixes = set()  # ... and kind + "_done", "%s_done" % kind
        self.locals = set()  # _local_names(): renamed as private names are

    def renamable(self, name):
        return _renamable(name) or name in self.locals

    def exclude(self, name, why):
        if self.renamable(name) and name not in self.locals:
            self.excluded.setdefault(name, why)

    def see(self, name, defines=False):
        self.used.add(name)
        if self.renamable(name):
            self.candidates[name] = self.candidates.get(name, 0) + 1
            if defines:
                self.defined.add(name)

    def module(self, tree):
        ignored = set()  # string statements (docstrings): no runtime value
        for node in ast.walk(tree):
            if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
                ignored.add(id(node.value))
        for name, node in _method_tables(tree):
            ignored.add(id(node))  # renamed with the method (rename() below)
            self.see(name)
        for node in ast.walk(tree):
            self.node(node, ignored)
            for piece, left, right in _string_pieces(node):
                self.pieces(piece, left, right)

    def pieces(self, value, left_open, right_open):
        """A string literal that is part of a computed string: the identifier
        pieces at its open ends may be parts of a name ("_on_" + kind)."""
        for m in IDENTIFIER.finditer(value):
            token = m.group(0)
            after_percent = value[m.start() - 1:m.start()] == "%"
            piece = token[1:] if after_percent else token  # "%d%s": no name starts "d"
            if piece and ((m.end() == len(value) and right_open)
                          or value[m.end():m.end() + 1] in ("%", "{")):
                self.prefixes.add(piece)
            if m.start() == 0 and left_open or value[m.start() - 1:m.start()] == "}":
                self.suffixes.add(token)
            elif value[m.start() - 1:m.start()] == "%":
                self.suffixes.add(token[1:])  # "%s_done" % kind: "s_done" -> "_done"

    def node(self, node, ignored):
        if isinstance(node, ast.Constant) and isinstance(node.value, (str, bytes)):
            if id(node) in ignored:
                return
            value = node.value if isinstance(node.value, str) else node.value.decode("latin-1")
            for token in IDENTIFIER.findall(value):
                self.used.add(token)
                self.exclude(token, "in a string literal (looked up by name)")
        elif isinstance(node, ast.JoinedStr):
            for sub in ast.walk(node):
                for name in _names_of(sub):
                    self.exclude(name, "in an f-string")
        elif isinstance(node, ast.Name):
            self.see(node.id, not isinstance(node.ctx, ast.Load))
        elif isinstance(node, ast.Attribute):
            self.see(node.attr, not isinstance(node.ctx, ast.Load))
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            self.see(node.name, True)
        elif isinstance(node, ast.arg):
            self.see(node.arg, True)
            self.exclude(node.arg, "a parameter name (callers may pass it by keyword)")
        elif isinstance(node, ast.ExceptHandler) and node.name:
            self.see(node.name, True)
        elif isinstance(node, ast.keyword):
            if node.arg:
                self.used.add(node.arg)
                self.exclude(node.arg, "a keyword argument name")
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            for name in node.names:
                self.see(name)
        elif isinstance(node, ast.Import) or (isinstance(node, ast.ImportFrom) and node.level == 0):
            for name in (getattr(node, "module", None) or "").split("."):
                self.used.add(name)
                self.exclude(name, "a module name")
            for alias in node.names:
                for name in alias.name.split(".") + [alias.asname]:
                    if name:
                        self.used.add(name)
                        self.exclude(name, "imported from outside the package")
        elif isinstance(node, ast.ImportFrom):
            for name in (node.module or "").split("."):
                self.used.add(name)
                self.exclude(name, "a module name")
            for alias in node.names:
                if node.module is None:  # from . import submodule
                    self.used.add(alias.name)
                    self.exclude(alias.name, "a module name")
                else:
                    self.see(alias.name)
                if alias.asname:
                    self.see(alias.asname, True)
        elif isinstance(node, ast.Assign) and isinstance(node.value, ast.Call) \
                and getattr(node.value.func, "id", None) == "const":
            for target in node.targets:
                for name in _names_of(target):
                    self.exclude(name, "a const() name (not in the .mpy)")


def _string_pieces(node):
    """[(text, open on the left, open on the right)]: the string literals that
    `node` joins with computed values (+, %, str.format, an f-string)."""
    def text(n):
        return n.value if isinstance(n, ast.Constant) and isinstance(n.value, str) else None

    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return [(t, side == 1, side == 0) for side, t in enumerate((text(node.left),
                                                                     text(node.right))) if t]
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod) and text(node.left):
        return [(text(node.left), False, False)]
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
            and node.func.attr == "format" and text(node.func.value):
        return [(text(node.func.value), False, False)]
    if isinstance(node, ast.JoinedStr):
        parts = node.values
        return [(text(p), i > 0, i < len(parts) - 1) for i, p in enumerate(parts) if text(p)]
    return []


def _method_tables(tree):
    """[(name, Constant node)]: the strings of module-level `METHODS = (...)`
    tuples, the methods a class loads from that module on first use. They
    are renamed as the functions they name are."""
    found = []
    for node in tree.body:
        if isinstance(node, ast.Assign) and [getattr(t, "id", None) for t in node.targets] \
                == [METHODS] and isinstance(node.value, ast.Tuple):
            found += [(elt.value, elt) for elt in node.value.elts
                      if isinstance(elt, ast.Constant) and isinstance(elt.value, str)]
    return found


def _names_of(node):
    if isinstance(node, ast.Name):
        return [node.id]
    if isinstance(node, ast.Attribute):
        return [node.attr]
    if isinstance(node, ast.Tuple):
        return [n for elt in node.elts for n in _names_of(elt)]
    return []


def _scopes(tree, on_name, on_attribute):
    """Walk `tree` telling each identifier's namespace.

    on_name(node, field, in_class) for a variable (Name, a def or class
    statement's name, an imported name, global/nonlocal), with in_class when
    it belongs to a class body (a class attribute, or a global read from
    there); on_attribute(node, field) for `.x`. A def's decorators and
    defaults, and a class's bases, are evaluated where the statement is.
    """
    def visit(node, in_class):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            on_name(node, "name", in_class)
            outer = node.decorator_list + (
                node.bases + [k.value for k in node.keywords] if isinstance(node, ast.ClassDef)
                else [node.args] + ([node.returns] if node.returns else []))
            for sub in outer:
                visit(sub, in_class)
            for sub in node.body:
                visit(sub, isinstance(node, ast.ClassDef))
            return
        if isinstance(node, ast.Lambda):
            visit(node.args, in_class)
            visit(node.body, False)
            return
        if isinstance(node, ast.Name):
            on_name(node, "id", in_class)
        elif isinstance(node, ast.Attribute):
            on_attribute(node, "attr")
        elif isinstance(node, ast.alias):
            on_name(node, "name", False)
            if node.asname:
                on_name(node, "asname", False)
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            on_name(node, "names", False)
        elif isinstance(node, ast.arg):
            on_name(node, "arg", False)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            on_name(node, "name", False)
        for child in ast.iter_child_nodes(node):
            visit(child, in_class)

    visit(tree, False)


def _namespaces(tree, kinds):
    """kinds[name] gets "G" where the name is a variable of a module or a
    function, "A" where it is an attribute: `.x`, a class body's
    definitions, a METHODS string (a function a class takes as a method).
    A name in a class body is both: it may be read from either."""
    def on_name(node, field, in_class):
        value = getattr(node, field)
        space = "G" if not in_class else "AG" if isinstance(node, ast.Name) else "A"
        for name in value if isinstance(value, list) else [value]:
            kinds.setdefault(name, set()).update(space)

    def on_attribute(node, field):
        kinds.setdefault(getattr(node, field), set()).add("A")

    _scopes(tree, on_name, on_attribute)
    for name, _ in _method_tables(tree):
        kinds.setdefault(name, set()).add("A")


def _all_namespaces(texts):
    """{name: {"G", "A"}} over all the modules {dest: source}."""
    kinds = {}
    for text in texts.values():
        _namespaces(ast.parse(text), kinds)
    return kinds


def _local_names(trees, keep):
    """Names that are only ever parameters of private functions (not those
    of `keep`) and local variables of the functions that bind them: renamed
    like private names.

    MicroPython keeps every parameter name (a caller may pass it by keyword),
    interned. A public function's parameters keep their names, and so does
    any name also used as a keyword argument, an attribute, a global, a
    string, or read in a function that does not bind it (a builtin, a global,
    a closure's variable).
    """
    local, refused = set(), set()

    def function(node):
        named = [a.arg for a in node.args.posonlyargs + node.args.args + node.args.kwonlyargs]
        star = [a.arg for a in (node.args.vararg, node.args.kwarg) if a]
        private = not isinstance(node, ast.Lambda) and _renamable(node.name) \
            and node.name not in keep  # http.client's: overridden, so its parameters are API
        (local if private else refused).update(named)
        local.update(star)  # *args, **kw: no caller can name them
        bound = set(named + star)
        body = node.body if isinstance(node.body, list) else [node.body]
        for sub in body:
            for n in ast.walk(sub):
                if isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Load):
                    bound.add(n.id)
                elif isinstance(n, ast.ExceptHandler) and n.name:
                    bound.add(n.name)
        for sub in body:
            for n in ast.walk(sub):
                if isinstance(n, ast.Name) and n.id not in bound:
                    refused.add(n.id)
                elif isinstance(n, (ast.Global, ast.Nonlocal)):
                    refused.update(n.names)

    for tree in trees:
        functions = [n for n in ast.walk(tree)
                     if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))]
        for node in functions:
            function(node)
        inside = {id(n) for f in functions for sub in (f.body if isinstance(f.body, list)
                                                        else [f.body]) for n in ast.walk(sub)}
        docstrings = {id(n.value) for n in ast.walk(tree)
                      if isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant)}
        for node in ast.walk(tree):
            if isinstance(node, ast.Name) and id(node) not in inside:
                refused.add(node.id)  # a module's or a class body's name
            elif isinstance(node, ast.Attribute):
                refused.add(node.attr)
            elif isinstance(node, ast.keyword) and node.arg:
                refused.add(node.arg)
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                refused.add(node.name)
            elif isinstance(node, ast.alias):
                refused.update(n for n in (node.name, node.asname) if n)
            elif isinstance(node, ast.Constant) and isinstance(node.value, str) \
                    and id(node) not in docstrings:
                refused.update(IDENTIFIER.findall(node.value))
    return {n for n in local - refused if not n.startswith("__") and n != "self"}


def _new_names(used):
    """_0 .. _9, _00, _10, ... _0a, ...: the shortest identifiers not in `used`."""
    n = 0
    while True:
        digits, k = [], n
        digits.append(FIRST[k % len(FIRST)])
        k //= len(FIRST)
        while k:
            k -= 1
            digits.append(REST[k % len(REST)])
            k //= len(REST)
        name = "_" + "".join(digits)
        if name not in used:
            yield name
        n += 1


def plan(texts, keep=HTTP_CLIENT_PRIVATE, first=()):
    """({long: short}, {kept private name: why}) for the modules {dest: source}.

    The shortest names go to the names of the modules `first` (those every
    request loads), then to the most frequent ones.
    """
    scan = _Scan()
    scan.locals = _local_names([ast.parse(text) for text in texts.values()], keep)
    for dest in first:
        scan.module(ast.parse(texts[dest]))
    hot = set(scan.candidates)
    for dest, text in texts.items():
        if dest not in first:
            scan.module(ast.parse(text))
    for name in keep:
        scan.exclude(name, "http.client's private API (code written for it uses the name)")
    for name in scan.candidates:
        if any(name.startswith(p) for p in scan.prefixes) \
                or any(name.endswith(p) for p in scan.suffixes if p):
            scan.exclude(name, "may be built from a piece of a string literal")
        if name not in scan.defined:
            scan.exclude(name, "never assigned in the package (another library's name)")
    renamed = sorted((n for n in scan.candidates if n not in scan.excluded),
                     key=lambda n: (n not in hot, -scan.candidates[n], n))
    # A name that is only ever a variable and one that is only ever an
    # attribute never meet (no code reads the one where the other lives), so
    # they share a short name: one interned name less on a board.
    kinds = _all_namespaces(texts)
    variables = [n for n in renamed if kinds.get(n) == {"G"}]
    attributes = [n for n in renamed if kinds.get(n) == {"A"}]
    groups = list(zip(variables, attributes))
    paired = {n for group in groups for n in group}
    groups += [(n,) for n in renamed if n not in paired]
    rank = {n: i for i, n in enumerate(renamed)}
    groups.sort(key=lambda group: min(rank[n] for n in group))
    fresh = _new_names(scan.used | set(scan.candidates))
    mapping = {}
    for group in groups:
        short = next(fresh)
        for name in group:
            mapping[name] = short
    kept = {n: scan.excluded[n] for n in scan.candidates if n in scan.excluded}
    return mapping, kept


def rename(text, mapping):
    """`text` with every identifier token in `mapping` replaced, and the
    strings of its METHODS tuples."""
    lines = text.splitlines(True)
    edits = []
    tables = {(n.lineno, n.col_offset): name for name, n in _method_tables(ast.parse(text))
              if name in mapping}
    for tok in tokenize.generate_tokens(io.StringIO(text).readline):
        if tok.type == tokenize.NAME and tok.string in mapping:
            edits.append(tok.start + (tok.end[1], mapping[tok.string]))
        elif tok.type == tokenize.STRING and tok.start in tables:
            new = tok.string[0] + mapping[tables[tok.start]] + tok.string[0]
            edits.append(tok.start + (tok.end[1], new))
    for row, start, end, new in reversed(edits):
        line = lines[row - 1]
        lines[row - 1] = line[:start] + new + line[end:]
    return "".join(lines)


class _Unrename:
    """Makes a renamed module's tree long again, for the check in shorten()."""

    def __init__(self, mapping, kinds):
        names = {}
        for name, short in mapping.items():
            names.setdefault(short, []).append(name)
        self.back = {"G": {}, "A": {}}
        for short, longs in names.items():
            for space in ("G", "A"):
                # a shared short name: the variable's in G, the attribute's in A
                self.back[space][short] = next(
                    (n for n in longs if kinds.get(n) == {space}), longs[0])

    def visit(self, tree):
        back = self.back

        def on_name(node, field, in_class):
            value = getattr(node, field)
            table = back["A"] if in_class and not isinstance(node, ast.Name) else back["G"]
            if isinstance(value, list):
                setattr(node, field, [table.get(n, n) for n in value])
            else:
                setattr(node, field, table.get(value, value))

        def on_attribute(node, field):
            setattr(node, field, back["A"].get(getattr(node, field), getattr(node, field)))

        _scopes(tree, on_name, on_attribute)
        for _, node in _method_tables(tree):  # a METHODS string
            node.value = back["A"].get(node.value, node.value)
        return tree


def shorten(texts, keep=HTTP_CLIENT_PRIVATE, first=()):
    """({dest: renamed source}, {long: short}, {kept private name: why})."""
    mapping, kept = plan(texts, keep, first)
    kinds = _all_namespaces(texts)
    out = {}
    for dest, text in texts.items():
        new = rename(text, mapping)
        back = _Unrename(mapping, kinds).visit(ast.parse(new))
        if ast.dump(back) != ast.dump(ast.parse(text)):
            raise ValueError("mpy_names: renaming changed more than names in " + dest)
        out[dest] = new
    return out, mapping, kept


def names_text(mapping, kept):
    """build/mpy/names.txt: decodes a board's traceback or AttributeError."""
    out = ["# tools/build_mpy.py renamed these private names in build/mpy/lib (short long);\n",
           "# python tools/mpy_names.py build/mpy/names.txt < traceback.txt decodes a traceback\n"]
    out += ["%s %s\n" % (short, name) for name, short in mapping.items()]
    out.append("# private names that kept their long form, and why\n")
    out += ["# %s: %s\n" % (name, why) for name, why in sorted(kept.items())]
    return "".join(out)


def read_names(path):
    """{short: long} from a names.txt."""
    back = {}
    with open(path) as f:
        for line in f:
            if line.strip() and not line.startswith("#"):
                short, name = line.split()
                back[short] = back[short] + "|" + name if short in back else name
    return back


def decode(text, back):
    """`text` (a traceback, an error message) with the short names made long again."""
    return IDENTIFIER.sub(lambda m: back.get(m.group(0), m.group(0)), text)


if __name__ == "__main__":
    import sys

    if len(sys.argv) != 2:
        sys.exit("usage: python tools/mpy_names.py build/mpy/names.txt < traceback.txt")
    sys.stdout.write(decode(sys.stdin.read(), read_names(sys.argv[1])))
