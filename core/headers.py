"""HTTPMessage: the response headers, without the `email` package.

A plain list of (name, value) pairs: responses carry a dozen headers, so a
linear case-insensitive scan is cheaper in RAM and time than a dict of lists.
"""


class HTTPMessage:
    def __init__(self, items=None):
        self._items = items if items is not None else []

    def add_header(self, name, value):
        self._items.append((name, value))

    def get_all(self, name, failobj=None):
        name = name.lower()
        found = [v for k, v in self._items if k.lower() == name]
        return found or failobj

    def get(self, name, failobj=None):
        name = name.lower()
        for k, v in self._items:
            if k.lower() == name:
                return v
        return failobj

    def __getitem__(self, name):
        return self.get(name)

    def __contains__(self, name):
        return self.get(name) is not None

    def __len__(self):
        return len(self._items)

    def __iter__(self):
        return iter(self.keys())

    def keys(self):
        return [k for k, v in self._items]

    def values(self):
        return [v for k, v in self._items]

    def items(self):
        return list(self._items)

    # httplib (Python 2) spellings.
    def getheader(self, name, default=None):
        """All values of `name` joined with ', ' (httplib's combined header)."""
        found = self.get_all(name)
        return ", ".join(found) if found else default

    def getheaders(self, name):
        return self.get_all(name, [])

    def getallmatchingheaders(self, name):
        name = name.lower()
        return ["%s: %s" % (k, v) for k, v in self._items if k.lower() == name]

    def get_content_type(self):
        value = self.get("content-type")
        if not value:
            return "text/plain"
        ctype = value.split(";", 1)[0].strip().lower()
        return ctype if ctype.count("/") == 1 else "text/plain"

    def get_content_charset(self, failobj=None):
        value = self.get("content-type") or ""
        for param in value.split(";")[1:]:
            key, sep, val = param.partition("=")
            if sep and key.strip().lower() == "charset":
                return val.strip().strip('"').lower()
        return failobj

    def __getattr__(self, name):
        """email.message's parameter methods (get_param, get_filename, ...), from
        params.py on first use: a board that never calls them never loads them."""
        if not name.startswith("get_"):
            raise AttributeError(name)
        from .params import bound_method
        return bound_method(self, name)

    def as_string(self):
        return "".join("%s: %s\n" % kv for kv in self._items) + "\n"

    __str__ = as_string

    def __repr__(self):
        return "<HTTPMessage %r>" % (self._items,)
