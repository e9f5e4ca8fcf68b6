"""HTTPMessage: the response headers, without the `email` package.

A plain list of (name, value) pairs: responses carry a dozen headers, so a
linear case-insensitive scan is cheaper in RAM and time than a dict of lists.
"""

from .buffer import MICROPYTHON
from .parser import _attach, _load, _method


class HTTPMessage:
    def __init__(self, items=None):
        self._items = items if items is not None else []

    def get_all(self, name, failobj=None):
        name = name.lower()
        found = []
        for k, v in self._items:
            if k.lower() == name:
                found.append(v)
        return found or failobj

    def get(self, name, failobj=None):
        name = name.lower()
        for k, v in self._items:
            if k.lower() == name:
                return v
        return failobj

    __getitem__ = get

    def __contains__(self, name):
        return self.get(name) is not None

    def __len__(self):
        return len(self._items)

    def __iter__(self):
        return iter(self.keys())

    def __getattr__(self, name):
        """The rarer methods, on first use: email.message's parameter methods
        (get_param, get_filename, ...) from params.py, the others from
        headers_more.py. A board that never calls them never loads them."""
        if name.startswith("get_") and name not in _load("headers_more").METHODS:
            from .params import bound_method
            return bound_method(self, name)
        return _method(self, "headers_more", name)

    def __str__(self):
        return self.as_string()

    def __repr__(self):
        return "<HTTPMessage %r>" % (self._items,)


if not MICROPYTHON:
    _attach(HTTPMessage, "headers_more")
