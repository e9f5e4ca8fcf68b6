"""Resolve the MICROPYTHON flag at build time, for the .mpy tree (stdlib only).

The core is one source for CPython and MicroPython; where they differ it
tests `MICROPYTHON` (core/buffer.py). A board would still load the CPython
branches: their bytecode, and every name they mention as an interned string.
`fold(text)` rewrites a module's source as MicroPython runs it:

    if MICROPYTHON: A else: B      ->  A
    if not MICROPYTHON: B          ->  (nothing)
    X if MICROPYTHON else Y        ->  X
    a or not MICROPYTHON           ->  a

so `N = const(1024) if MICROPYTHON else 65536` becomes a `const()` that
mpy-cross folds into the code. A board has the micropython module, so

    try: import micropython ... except ImportError: B   ->  the try block

(`from micropython import const` alike), and B's code and names are gone.
Once no module tests the flag, drop_flag() removes its definition and imports. Lines are edited in place (comments stay);
a test that mixes the flag with other terms keeps those terms.
"""

import ast

FLAG = "MICROPYTHON"


def _value(node):
    """True or False when `node` is decided by the flag alone, else None."""
    if isinstance(node, ast.Name) and node.id == FLAG:
        return True
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        v = _value(node.operand)
        return None if v is None else not v
    if isinstance(node, ast.BoolOp):
        values = [_value(v) for v in node.values]
        decisive = isinstance(node.op, ast.Or)  # True decides an `or`, False an `and`
        if decisive in values:
            return decisive
        if all(v is not None for v in values):
            return not decisive
    return None


class _Source:
    """The text as lines, with (line, column) offsets of ast nodes."""

    def __init__(self, text):
        self.text = text
        self.lines = text.splitlines(True)

    def segment(self, node):
        return ast.get_source_segment(self.text, node)

    def offset(self, lineno, col):
        # ast columns count UTF-8 bytes
        before = "".join(self.lines[:lineno - 1])
        return len(before) + len(self.lines[lineno - 1].encode("utf-8")[:col].decode("utf-8"))

    def replace(self, node, new):
        a = self.offset(node.lineno, node.col_offset)
        b = self.offset(node.end_lineno, node.end_col_offset)
        return self.text[:a] + new + self.text[b:]

    def replace_lines(self, first, last, new_lines):
        """Lines first..last (1-based, inclusive) become new_lines."""
        return "".join(self.lines[:first - 1] + new_lines + self.lines[last:])


def _indent(line):
    return len(line) - len(line.lstrip(" "))


def _dedent(lines, by):
    return [line[by:] if line[:by].strip() == "" else line.lstrip(" ") for line in lines]


def _block(src, header_end, last):
    """The lines of a block that follows a header ending on line header_end."""
    return src.lines[header_end:last]


def _else_line(src, body_end):
    """The line number of the `else:` that follows a body ending on body_end."""
    n = body_end + 1
    while not src.lines[n - 1].lstrip().startswith("else"):
        n += 1
    return n


def _fold_if(src, node, parent_body):
    keep = _value(node.test)
    indent = _indent(src.lines[node.lineno - 1])
    if src.lines[node.lineno - 1].lstrip().startswith("elif"):
        raise SystemExit("mpy_fold: no `elif` on %s (line %d)" % (FLAG, node.lineno))
    header_end = node.test.end_lineno  # the line with the colon
    if node.body[0].lineno == node.lineno:
        raise SystemExit("mpy_fold: write `if %s:` blocks on lines of their own (line %d)"
                         % (FLAG, node.lineno))
    if keep:
        body = _block(src, header_end, node.body[-1].end_lineno)
        by = _indent(src.lines[node.body[0].lineno - 1]) - indent
        return src.replace_lines(node.lineno, node.end_lineno, _dedent(body, by))
    if not node.orelse:
        alone = len(parent_body) == 1
        return src.replace_lines(node.lineno, node.end_lineno,
                                 [" " * indent + "pass\n"] if alone else [])
    first = node.orelse[0]
    if isinstance(first, ast.If) and src.lines[first.lineno - 1].lstrip().startswith("elif"):
        line = src.lines[first.lineno - 1]
        new = line.replace("elif", "if", 1)
        return src.replace_lines(node.lineno, first.lineno, [new])
    else_line = _else_line(src, node.body[-1].end_lineno)
    body = _block(src, else_line, node.orelse[-1].end_lineno)
    by = _indent(src.lines[first.lineno - 1]) - indent
    return src.replace_lines(node.lineno, node.end_lineno, _dedent(body, by))


def _tries_micropython(node):
    """`node` is try: import micropython (or from it) ... except ImportError: ..."""
    if not isinstance(node, ast.Try) or node.orelse or node.finalbody \
            or len(node.handlers) != 1 or getattr(node.handlers[0].type, "id", None) != "ImportError":
        return False
    first = node.body[0]
    if isinstance(first, ast.Import):
        return [a.name for a in first.names] == ["micropython"]
    return isinstance(first, ast.ImportFrom) and first.module == "micropython" and not first.level


def _fold_try(src, node):
    indent = _indent(src.lines[node.lineno - 1])
    body = _block(src, node.lineno, node.body[-1].end_lineno)
    by = _indent(src.lines[node.body[0].lineno - 1]) - indent
    return src.replace_lines(node.lineno, node.end_lineno, _dedent(body, by))


def _operand(src, node):
    text = src.segment(node)
    if isinstance(node, (ast.BoolOp, ast.IfExp, ast.Lambda)):
        text = "(" + text + ")"
    return text


def _step(text):
    """One fold, or None when nothing is left to fold."""
    src = _Source(text)
    tree = ast.parse(text)
    for parent in ast.walk(tree):
        for field in ("body", "orelse", "finalbody"):
            body = getattr(parent, field, None)
            if not isinstance(body, list):
                continue
            for node in body:
                if isinstance(node, ast.If) and _value(node.test) is not None:
                    return _fold_if(src, node, body)
                if _tries_micropython(node) and node.body[0].lineno > node.lineno:
                    return _fold_try(src, node)
    for node in ast.walk(tree):
        if isinstance(node, ast.IfExp) and _value(node.test) is not None:
            chosen = node.body if _value(node.test) else node.orelse
            return src.replace(node, src.segment(chosen))
        if isinstance(node, ast.BoolOp) and _value(node) is None:
            left = [v for v in node.values if _value(v) is None]
            if len(left) < len(node.values):
                join = " and " if isinstance(node.op, ast.And) else " or "
                return src.replace(node, join.join(_operand(src, v) for v in left))
    return None


def fold(text):
    """The source as MicroPython runs it: every test of the flag resolved."""
    while True:
        folded = _step(text)
        if folded is None:
            return text
        text = folded


def _flag_statements(tree):
    """(top-level statements that define or import the flag, whether any other
    statement mentions it)."""
    found = []
    for node in tree.body:
        if isinstance(node, ast.Assign) and [getattr(t, "id", None) for t in node.targets] == [FLAG]:
            found.append(node)
        elif isinstance(node, ast.ImportFrom) and any(a.name == FLAG for a in node.names):
            found.append(node)
    inside = {id(n) for node in found for n in ast.walk(node)}
    other = any(isinstance(n, ast.Name) and n.id == FLAG and id(n) not in inside
                or isinstance(n, ast.alias) and n.name == FLAG and id(n) not in inside
                for n in ast.walk(tree))
    return found, other


def drop_flag(texts):
    """{dest: text} without the flag once no module tests it any more: its
    definition and its imports go (a board keeps one name fewer)."""
    scans = {dest: _flag_statements(ast.parse(text)) for dest, text in texts.items()}
    if any(other for _, other in scans.values()):
        return texts
    out = dict(texts)
    for dest, (found, _) in scans.items():
        for node in reversed(found):  # bottom up: earlier offsets stay valid
            src = _Source(out[dest])
            new = ""
            if isinstance(node, ast.ImportFrom):
                kept = [a.name + (" as " + a.asname if a.asname else "")
                        for a in node.names if a.name != FLAG]
                if kept:
                    new = "from %s%s import %s" % ("." * node.level, node.module or "",
                                                   ", ".join(kept))
            out[dest] = src.replace(node, new)
    return out
