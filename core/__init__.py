"""microhttplib: the http.client API over a minimal-allocation HTTP/1.1 parser.

    import microhttplib as httplib
    conn = httplib.HTTPConnection("www.python.org")
    conn.request("GET", "/index.html")
    r1 = conn.getresponse()
    print(r1.status, r1.reason)

Every public name loads its module on first use: `import microhttplib`
costs a board almost nothing, and one that never asks for the status table
or HTTPS never keeps them in RAM.
"""

__version__ = "0.1.0"


def __getattr__(name):
    """A public name, from the module that defines it (kept in globals() from then on)."""
    if name in ("HTTPConnection", "HTTP_PORT", "HTTPS_PORT"):
        module = "connection"
    elif name == "HTTPResponse":
        module = "response"
    elif name == "HTTPSConnection":
        module = "https"
    elif name == "HTTPMessage":
        module = "headers"
    elif name == "parse_headers":
        module = "headerfile"
    elif name == "responses" or name.isupper():
        module = "status"  # OK, NOT_FOUND, ...
    elif name == "error" or name[:1].isupper():
        module = "errors"  # HTTPException and its subclasses
    elif name == "__all__":
        module = "names"
    else:
        # A submodule: microhttplib.ports.cpython.unverified_context() as the
        # README has it, or `from microhttplib import parser`, which MicroPython
        # asks here before it looks for a submodule.
        module = name
    import sys
    try:
        __import__(__name__ + "." + module)
    except ImportError:
        if module != name:
            raise
        raise AttributeError(name)  # not a submodule either (hasattr() says False)
    value = sys.modules[__name__ + "." + module]
    if module != name:
        value = getattr(value, name)
    globals()[name] = value
    return value


try:
    import micropython  # whose dir() never calls a module's __dir__: a board skips it
    del micropython
except ImportError:

    def __dir__():
        from .names import public_names
        return public_names(globals())
