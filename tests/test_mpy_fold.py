"""tools/mpy_fold.py: the .mpy tree's sources with MICROPYTHON resolved.

Each case folds a small module and runs it (CPython) with MICROPYTHON True:
the folded text must behave as the original does on MicroPython, and
mention the flag no more (except where it is defined or imported).
"""

import ast
import glob
import os
import sys
import textwrap

import pytest

from mp_helpers import build_dir

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tools"))

import mpy_fold  # noqa: E402


def fold(text):
    return mpy_fold.fold(textwrap.dedent(text))


def run(text, **names):
    scope = dict(names)
    exec(compile(text, "<folded>", "exec"), scope)
    return scope


def flag_uses(text):
    return [n for n in ast.walk(ast.parse(text)) if isinstance(n, ast.Name)
            and n.id == "MICROPYTHON" and isinstance(n.ctx, ast.Load)]


CASES = {
    "if/else": ("""
        MICROPYTHON = True
        if MICROPYTHON:
            # the board's
            size = 1024
        else:
            size = 65536
        """, {"size": 1024}),
    "if not, no else": ("""
        MICROPYTHON = True
        calls = []
        if not MICROPYTHON:
            calls.append("cpython")
        calls.append("both")
        """, {"calls": ["both"]}),
    "if not, else": ("""
        MICROPYTHON = True
        if not MICROPYTHON:
            where = "cpython"
        else:
            where = "board"
        """, {"where": "board"}),
    "comment after the colon": ("""
        MICROPYTHON = True
        if not MICROPYTHON:  # CPython reads ahead
            size = 65536
        else:  # a board does not
            size = 1024
        """, {"size": 1024}),
    "expression": ("""
        MICROPYTHON = True
        step = 1024 if MICROPYTHON else 65536
        other = (8 if not MICROPYTHON else 9) + 1
        """, {"step": 1024, "other": 10}),
    "and/or terms": ("""
        MICROPYTHON = True
        def f(debug, n):
            if debug > 0 or not MICROPYTHON:
                return "copy"
            if not MICROPYTHON and n > 3:
                return "never"
            return "view"
        got = (f(0, 5), f(1, 5))
        """, {"got": ("view", "copy")}),
    "only statement of a body": ("""
        MICROPYTHON = True
        class C:
            if not MICROPYTHON:
                def cpython_only(self):
                    return 1
        def g():
            if not MICROPYTHON:
                return 1
        got = (hasattr(C, "cpython_only"), g())
        """, {"got": (False, None)}),
    "nested": ("""
        MICROPYTHON = True
        def f(x):
            if x:
                if MICROPYTHON:
                    return "board " + ("a" if MICROPYTHON else "b")
                return "cpython"
            return "none"
        got = (f(1), f(0))
        """, {"got": ("board a", "none")}),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_fold_runs_as_micropython_would(case):
    text, expected = CASES[case]
    before = run(textwrap.dedent(text))
    folded = fold(text)
    after = run(folded)
    for name, value in expected.items():
        assert before[name] == value == after[name], name
    assert len(flag_uses(folded)) == 0, folded


def test_a_fallback_for_a_missing_micropython_module_is_dropped():
    folded = fold("""
        try:
            from micropython import const
        except ImportError:  # CPython
            def const(x):
                return x
        try:
            import micropython  # the board's
            on_board = True
        except ImportError:
            on_board = False
        try:
            import ssl
        except ImportError:
            ssl = None
        """)
    assert folded.lstrip().startswith("from micropython import const\nimport micropython  # the board's\n"
                             "on_board = True\ntry:\n    import ssl\n"), folded
    assert "def const" not in folded and "False" not in folded


def test_the_flag_goes_once_nothing_tests_it():
    texts = {
        "flag": textwrap.dedent("""
            import sys
            MICROPYTHON = sys.implementation.name == "micropython"
            size = 1024 if MICROPYTHON else 65536
            """),
        "user": "from .flag import MICROPYTHON, size\nfrom .flag import MICROPYTHON\nhalf = size // 2\n",
    }
    dropped = mpy_fold.drop_flag({k: mpy_fold.fold(v) for k, v in texts.items()})
    assert "MICROPYTHON" not in dropped["flag"] + dropped["user"]
    assert dropped["user"].splitlines() == ["from .flag import size", "", "half = size // 2"]
    assert run(dropped["flag"])["size"] == 1024
    # A module that still reads the flag keeps it, everywhere.
    texts["user"] += "print(MICROPYTHON)\n"
    kept = mpy_fold.drop_flag({k: mpy_fold.fold(v) for k, v in texts.items()})
    assert "MICROPYTHON = sys" in kept["flag"] and kept["user"].startswith("from .flag import MICROPYTHON")


def test_comments_and_lines_of_the_kept_branch_stay():
    folded = fold("""
        MICROPYTHON = True
        if MICROPYTHON:
            # why the board does this
            size = 1024  # one KiB
        """)
    assert "    # why" not in folded and "# why the board does this\nsize = 1024  # one KiB" in folded


def test_elif_chains_are_refused():
    with pytest.raises(SystemExit, match="elif"):
        fold("""
            MICROPYTHON = True
            x = 1
            if x == 2:
                y = 1
            elif MICROPYTHON:
                y = 2
            """)


def test_a_one_line_if_is_refused():
    with pytest.raises(SystemExit, match="lines of their own"):
        fold("""
            MICROPYTHON = True
            if MICROPYTHON: y = 2
            """)


def test_the_built_tree_tests_the_flag_nowhere():
    out = build_dir()
    for path in glob.glob(os.path.join(out, "frozen", "lib", "microhttplib", "**", "*.py"),
                          recursive=True):
        with open(path) as f:
            text = f.read()
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, (ast.If, ast.IfExp, ast.BoolOp)):
                assert not any(isinstance(n, ast.Name) and n.id == "MICROPYTHON"
                               for n in ast.walk(node)), (path, ast.unparse(node))
