"""HTTPMessage's methods that reading a response does not call.

keys, items, values, get_content_type, get_content_charset, httplib's
spellings (getheader, getheaders, getallmatchingheaders), add_header
(parse_headers), as_string: on
MicroPython they load from here on first use (HTTPMessage.__getattr__); CPython
puts them on the class when headers.py loads. Written as functions of `self`.
"""

METHODS = ("keys", "items", "values", "get_content_type", "get_content_charset", "add_header",
           "getheader", "getheaders", "getallmatchingheaders", "as_string")


def keys(self):
    return [k for k, v in self._items]


def items(self):
    return list(self._items)


def add_header(self, name, value):
    self._items.append((name, value))


def values(self):
    return [v for k, v in self._items]


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


def as_string(self):
    return "".join("%s: %s\n" % kv for kv in self._items) + "\n"
