"""tools/mpy_names.py: the .mpy tree's short private names.

The unit tests rename small packages and run them on CPython; the last tests
run the renamed board tree (what tools/build_mpy.py builds by default, and
what every tree="mpy" test of the MicroPython suite runs) on the real
MicroPython interpreter through the paths that look names up by string.
"""

import ast
import http.client
import importlib
import os
import re
import subprocess
import sys
import textwrap

import pytest

import servers
from mp_helpers import MICROPYTHON_I386, build_dir, lines, run_mp, run_mp_proc, tool

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tools"))

import build_mpy  # noqa: E402
import mpy_names  # noqa: E402


def shorten(**modules):
    texts = {"pkg/" + name: textwrap.dedent(text) for name, text in modules.items()}
    out, mapping, kept = mpy_names.shorten(texts)
    return {k[4:]: v for k, v in out.items()}, mapping, kept


def load(tmp_path, texts, name):
    """Import the renamed package from tmp_path on CPython; return pkg.<name>."""
    pkg = tmp_path / "pkg"
    pkg.mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    for module, text in texts.items():
        (pkg / (module + ".py")).write_text(text)
    sys.path.insert(0, str(tmp_path))
    try:
        for m in [m for m in sys.modules if m == "pkg" or m.startswith("pkg.")]:
            del sys.modules[m]
        return importlib.import_module("pkg." + name)
    finally:
        sys.path.remove(str(tmp_path))
        importlib.invalidate_caches()


A = """
    '''A docstring naming _Box and _helper does not keep them long.'''
    _SCALE = 3


    def _helper(x):
        return x * _SCALE


    class _Box:
        _count = 0

        def __init__(self, value):
            self._value = value
            _Box._count += 1

        def _doubled(self):
            return _helper(self._value) * 2
"""
B = """
    from .a import _Box, _helper as _h


    def run():
        box = _Box(2)
        box._value += 1
        return box._doubled(), _h(1), _Box._count
"""


def test_names_stay_consistent_across_modules(tmp_path):
    texts, mapping, kept = shorten(a=A, b=B)
    # x: the parameter of a private function (see the test below)
    assert set(mapping) == {"_SCALE", "_helper", "_Box", "_count", "_value", "_doubled", "_h", "x"}
    assert all(len(short) <= 3 for short in mapping.values())
    for text in texts.values():
        body = text.split("'''", 2)[-1]
        assert not set(mpy_names.IDENTIFIER.findall(body)) & set(mapping)
    assert load(tmp_path, texts, "b").run() == (18, 3, 1)


def test_line_numbers_do_not_move():
    texts, mapping, _ = shorten(a=A, b=B)
    for name, text in (("a", A), ("b", B)):
        old, new = textwrap.dedent(text).splitlines(), texts[name].splitlines()
        assert len(old) == len(new)
        assert [n for n, line in enumerate(old) if "_" not in line] == \
               [n for n, line in enumerate(new) if "_" not in line]


def test_names_in_string_literals_keep_their_long_form(tmp_path):
    texts, mapping, kept = shorten(a="""
        # Lazy methods by name (the response's _RESPONSE_MORE), getattr, hasattr, globals().
        _LAZY = " _lazy_one _lazy_two "


        def _lazy_one(obj):
            return "one"


        def _lazy_two(obj):
            return "two"


        def _by_name(name):
            return globals()["_from_globals"]() + name


        def _from_globals():
            return "g"


        class C:
            _probe = 1
            _hook = None

            def __getattr__(self, name):
                if (" " + name + " ") not in _LAZY:
                    raise AttributeError(name)
                return globals()[name](self)

            def run(self):
                hook = getattr(self, "_hook", None)
                return (self._lazy_one, self._lazy_two, hook, hasattr(self, b"_probe".decode()),
                        _by_name("!"))
    """)
    for name in ("_lazy_one", "_lazy_two", "_from_globals", "_hook", "_probe"):
        assert kept[name].startswith("in a string literal"), name
    assert "_LAZY" in mapping and "_by_name" in mapping
    assert load(tmp_path, texts, "a").C().run() == ("one", "two", None, True, "g!")


METHODS_MORE = """
    METHODS = ("_lazy_one", 'public')


    def _lazy_one(obj):
        return "one " + obj._tag


    def public(obj):
        return "public"


    def _helper():
        return HELPER
"""

METHODS_USER = """
    import sys


    class C:
        _tag = "c"

        def __getattr__(self, name):
            __import__("pkg.more")
            more = sys.modules["pkg.more"]
            if name not in more.METHODS:
                raise AttributeError(name)
            function = getattr(more, name)
            return lambda: function(self)

        def run(self):
            return self._lazy_one(), self.public()
"""


def test_methods_tables_are_renamed_with_the_functions_they_list(tmp_path):
    # core/chunked.py and core/*_more.py list, in METHODS, the functions a
    # class takes as methods on first use: the strings follow the renaming.
    texts, mapping, kept = shorten(more=METHODS_MORE.replace("HELPER", '"helper"'),
                                   a=METHODS_USER)
    short = mapping["_lazy_one"]
    assert 'METHODS = ("%s", \'public\')' % short in texts["more"]
    assert "def %s(obj):" % short in texts["more"]
    assert load(tmp_path, texts, "a").C().run() == ("one c", "public")
    # A string anywhere else that names the function keeps it long everywhere.
    texts, mapping, kept = shorten(more=METHODS_MORE.replace("HELPER", '"_lazy_one"'),
                                   a=METHODS_USER)
    assert kept["_lazy_one"].startswith("in a string literal")
    assert 'METHODS = ("_lazy_one", \'public\')' in texts["more"]


def test_names_built_from_string_pieces_keep_their_long_form(tmp_path):
    texts, mapping, kept = shorten(a="""
        class Events:
            def _on_open(self):
                return "opened"

            def _first_done(self):
                return "done"

            def _late_check(self):
                return "late"

            def _step_2(self):
                return "step"

            def _plain(self):
                return "plain"

            def run(self):
                return (getattr(self, "_on_" + "open")(), getattr(self, "%s_done" % "_first")(),
                        getattr(self, "{}_check".format("_late"))(), getattr(self, f"_step_{2}")(),
                        self._plain())
    """)
    for name in ("_on_open", "_first_done", "_late_check", "_step_2"):
        assert kept[name] == "may be built from a piece of a string literal", name
    assert list(mapping) == ["_plain"]
    assert load(tmp_path, texts, "a").Events().run() == ("opened", "done", "late", "step", "plain")
    # "_{}" could make any private name: all of them keep their long form.
    texts, mapping, kept = shorten(a="""
        class Wide:
            def _plain(self):
                return "plain"

            def run(self, name):
                return getattr(self, "_{}".format(name))()
    """)
    assert mapping == {} and load(tmp_path / "w", texts, "a").Wide().run("plain") == "plain"
    # A conversion letter, as "%d%s" has, is no piece of a name ("d...").
    texts, mapping, kept = shorten(a="""
        def deadline_after(n):
            return "in %d%s" % (n, "s")
    """)
    assert "deadline_after" in mapping  # a package-internal name (mpy_names.INTERNAL)


def test_parameters_keywords_modules_and_outside_names_keep_their_long_form():
    _, mapping, kept = shorten(a="""
        import _thread
        import sys
        from os import path as _path
        from . import _sub
        from micropython import const

        _LIMIT = const(4)


        def f(a, _flag=False, *_rest, **_extra):
            return g(_option=1), sys._getframe, _thread, _path, _sub, _LIMIT, _flag, _rest, _extra


        def g(**kw):
            value = 2
            return f"{_shown}{value}"


        _shown = 1
        _option = 5
    """)
    why = {
        "_flag": "a parameter name",
        "_option": "a keyword argument name", "_thread": "imported from outside",
        "_path": "imported from outside", "_sub": "a module name",
        "_getframe": "never assigned in the package", "_LIMIT": "a const() name",
        "_shown": "in an f-string",
    }
    for name, reason in why.items():
        assert kept[name].startswith(reason), (name, kept[name])
    assert set(mapping) == {"_rest", "_extra", "kw"}  # *args, **kw: no caller names them


def test_parameters_of_private_functions_are_renamed_when_nothing_else_uses_them(tmp_path):
    texts, mapping, kept = shorten(a="""
        def _scaled(count, weight):         # private: both renamed
            product = count * weight        # a local: no name kept anyway
            return product


        def _clamped(limit, ceiling=9):     # ceiling is a keyword below: kept
            return min(limit, ceiling)      # min: a builtin, read, not bound


        def _closure(base):                 # read by the lambda, which does not bind it
            return lambda extra: base + extra


        def scaled(amount, factor=1):       # public: a caller may pass them by keyword
            return _scaled(amount, factor) + _clamped(3, ceiling=4) + _closure(1)(1)


        def run():
            return scaled(2, factor=3)
    """)
    assert {"count", "weight", "limit"} <= set(mapping)
    for name in ("amount", "factor", "ceiling", "base", "extra", "min"):
        assert name not in mapping, name
    assert "count" not in mpy_names.IDENTIFIER.findall(texts["a"])
    assert load(tmp_path, texts, "a").run() == 6 + 3 + 2


def test_http_client_private_names_keep_their_long_form(tmp_path):
    texts, mapping, kept = shorten(a="""
        _MAXHEADERS = 100


        class Connection:
            _http_vsn_str = "HTTP/1.1"

            def __init__(self):
                self._tunnel_host = None
                self._own = 1

            def _create_connection(self, address):
                return address

            def line(self):
                return self._http_vsn_str, self._create_connection("a"), _MAXHEADERS
    """)
    for name in ("_MAXHEADERS", "_http_vsn_str", "_tunnel_host", "_create_connection"):
        assert kept[name].startswith("http.client's private API"), name
    assert list(mapping) == ["_own"]

    class Test(load(tmp_path, texts, "a").Connection):  # what a test suite does
        _http_vsn_str = "HTTP/1.0"

        def _create_connection(self, address):
            return "hooked " + address

    assert Test().line() == ("HTTP/1.0", "hooked a", 100)


def test_http_client_private_list_covers_this_python():
    with open(http.client.__file__) as f:
        tree = ast.parse(f.read())
    names = {getattr(node, field) for node in ast.walk(tree) for field in ("attr", "name", "id")
             if isinstance(getattr(node, field, None), str)}
    private = {n for n in names if mpy_names.is_private(n)}
    assert private - mpy_names.HTTP_CLIENT_PRIVATE == set()


def test_new_names_avoid_the_identifiers_in_use(tmp_path):
    texts, mapping, kept = shorten(a="""
        def f(_0=1, _1=2):
            return getattr(f, "_2", _0 + _1)


        _long_name = 40
        _other = 2


        def run():
            return f() + _long_name + _other
    """)
    assert set(mapping.values()) & {"_0", "_1", "_2"} == set()
    assert sorted(mapping.values()) == ["_3", "_4"]
    assert load(tmp_path, texts, "a").run() == 45


def test_names_of_the_modules_every_request_loads_get_the_shortest():
    many = "".join("_hot%d = %d\n" % (i, i) for i in range(60))
    _, mapping, _ = mpy_names.shorten({"pkg/cold": "_cold = 1\n" * 5, "pkg/hot": many},
                                      first=["pkg/hot"])
    assert len(mapping["_cold"]) == 3 and len(mapping["_hot0"]) == 2


def test_decode_a_traceback(tmp_path):
    texts, mapping, kept = shorten(a=A, b=B)
    names = tmp_path / "names.txt"
    names.write_text(mpy_names.names_text(mapping, kept))
    trace = ("Traceback (most recent call last):\n  File \"pkg/a.py\", line 16, in %s\n"
             "AttributeError: 'Box' object has no attribute '%s'\n"
             % (mapping["_doubled"], mapping["_value"]))
    r = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "mpy_names.py"), str(names)],
                       input=trace, capture_output=True, text=True, check=True)
    # A short name shared by a variable and an attribute decodes to both.
    assert re.search(r"in (\w+\|)?_doubled(\|\w+)?\n", r.stdout), r.stdout
    assert re.search(r"attribute '(\w+\|)?_value(\|\w+)?'", r.stdout), r.stdout


def test_a_variable_and_an_attribute_share_a_short_name(tmp_path):
    texts, mapping, kept = shorten(a="""
        _LIMIT = 4                # only ever a variable


        def _clip(x):             # a variable too (called by its name)
            return min(x, _LIMIT)


        class Meter:
            _scale = 2            # a class body's name: read as either, never shared

            def __init__(self):
                self._level = 0   # only ever an attribute

            def _add(self, x):    # an attribute (a method)
                self._level = _clip(self._level + x * self._scale)
                return self._level

            def run(self):
                return [self._add(1), self._add(1), self._add(1)]
    """)
    shared = {}
    for name, short in mapping.items():
        shared.setdefault(short, set()).add(name)
    pairs = [names for names in shared.values() if len(names) == 2]
    variables, attributes = {"_LIMIT", "_clip", "x"}, {"_level", "_add"}
    assert len(pairs) == 2  # as many as there are attributes
    assert all(len(p & variables) == 1 and len(p & attributes) == 1 for p in pairs), pairs
    assert shared[mapping["_scale"]] == {"_scale"}
    assert load(tmp_path, texts, "a").Meter().run() == [2, 4, 4]


# ------------------------------------------------------ the board tree

def qstr_in_mpy(data, name):
    """A .mpy's qstr table holds a name as vuint(len << 1), the bytes, NUL."""
    return bytes([len(name) << 1]) + name.encode() + b"\0" in data


def test_built_tree_has_short_names_and_a_map():
    out = build_dir()
    back = mpy_names.read_names(os.path.join(out, "mpy", build_mpy.NAMES))
    with open(os.path.join(out, "mpy", "lib", "microhttplib", "_request.mpy"), "rb") as f:
        request = f.read()
    renamed = [long for long in back.values() if len(long) < 64]
    assert [n for n in renamed if qstr_in_mpy(request, n)] == []
    assert sum(qstr_in_mpy(request, short) for short in back) > 50
    # The .py tree is the sources, long names and all.
    with open(os.path.join(out, "mp", "lib", "microhttplib", "response.py")) as f, \
            open(os.path.join(ROOT, "core", "response.py")) as source:
        assert f.read() == source.read()


def test_long_names_build_is_larger(tmp_path):
    def size(*flags):
        out = tmp_path / ("long" if flags else "short")
        subprocess.run([sys.executable, os.path.join(ROOT, "tools", "build_mpy.py"), "-q",
                        "--no-verify", "--out", str(out), "--mpy-cross", tool("mpy-cross")]
                       + list(flags), check=True)
        assert os.path.exists(out / "mpy" / build_mpy.NAMES) != bool(flags)
        return os.path.getsize(out / "mpy" / "lib" / "microhttplib" / "_request.mpy")

    assert size() < size("--long-names")


KEY_SCENARIOS = """
import microhttplib as httplib

class Hooked(httplib.HTTPConnection):
    _http_vsn_str = 'HTTP/1.1'
    made = 0

    def __init__(self, *args, **kw):
        super().__init__(*args, **kw)
        self._a = self._b = self._x = 'a subclass of mine'  # short, but not the package's

    def _create_connection(self, address, timeout=None, source_address=None):
        Hooked.made += 1
        from microhttplib.ports.micropython import SocketTransport
        return SocketTransport().connect(address[0], address[1], timeout, source_address)

c = Hooked(HOST, PORT, timeout=10)
c.set_debuglevel(0)
c.request('GET', '/index.html')
r = c.getresponse()
print('get', r.status, len(r.read()), Hooked.made)
print('headers', r.msg.get_content_charset(), r.msg.get_all('content-type'),
      len(r.getheaders()) > 2)
c.request('GET', '/chunked/9000')
r = c.getresponse()
first = r.readline(10)
print('chunked', r.chunked, len(first) + len(r.peek(1)[:1]) > 0, len(first) + len(r.read()))
c.request('POST', '/echo', body=b'a=1', headers={'Content-Type': 'text/plain'})
r = c.getresponse()
print('post', r.status, b'"body": "a=1"' in r.read())
c.close()
try:
    httplib.HTTPConnection('bad host\\n')
except httplib.InvalidURL as e:
    print('error', type(e).__name__, len(str(e)) > 10)
t = httplib.HTTPConnection('proxy.invalid', 3128)
t.set_tunnel('example.org', 8080)
print('tunnel', t._tunnel_host, t._tunnel_port)
"""


# x64, then the 32-bit interpreter and 1.22.2 (the oldest release claimed) when present.
INTERPRETERS = [pytest.param(None, id="x64")] + [
    pytest.param(path, id=os.path.basename(path)[len("micropython-"):])
    for path in (MICROPYTHON_I386, MICROPYTHON_I386 and MICROPYTHON_I386 + "-1.22.2")
    if path and os.path.exists(path)]


@pytest.mark.parametrize("interpreter", INTERPRETERS)
def test_renamed_tree_runs_the_names_looked_up_by_string(http_server, interpreter):
    out = lines(run_mp(KEY_SCENARIOS, tree="mpy", interpreter=interpreter,
                       HOST=http_server.host, PORT=int(http_server.port)))
    assert out == [
        "get 200 %d 1" % len(servers.INDEX_HTML),
        "headers utf-8 ['text/html; charset=utf-8'] True",
        "chunked True True 9000",
        "post 200 True",
        "error InvalidURL True",
        "tunnel example.org 8080",
    ]


def test_a_failure_on_the_renamed_tree_reports_long_names():
    # What a board prints when the package fails inside: an AttributeError
    # naming a short name. The report of the failing test names the long one
    # (a script that raises it itself: which internal name a real failure
    # names depends on the core's code of the day).
    back = mpy_names.read_names(os.path.join(build_dir(), "mpy", build_mpy.NAMES))
    short = sorted(back)[0]
    script = "import microhttplib._request\nraise AttributeError(SHORT)\n"
    r = run_mp_proc(script, tree="mpy", SHORT=short)
    assert r.returncode and "AttributeError: %s\n" % short in r.stderr + r.stdout
    with pytest.raises(pytest.fail.Exception) as failed:
        run_mp(script, tree="mpy", SHORT=short)
    stdout = str(failed.value).split("--- stdout ---")[1]
    assert "AttributeError: %s\n" % back[short] in stdout
    assert short not in mpy_names.IDENTIFIER.findall(stdout)
