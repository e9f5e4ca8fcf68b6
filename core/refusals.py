"""The ValueError or TypeError that a refused request argument gets.

Loaded only when an argument is refused: as constants of the request module
these messages would take a board's heap for as long as it makes requests.
"""


def refused(what, value, encoding=None):
    """The exception for `value`, refused as `what`."""
    if what == "method type":
        return TypeError("method must be str, not %s" % type(value).__name__)
    if what == "method":
        return ValueError("method can't contain control characters or spaces. %r" % (value,))
    if encoding is not None:  # a header name or value as a str of another charset
        return ValueError("%s %r is not %s" % (what, value, encoding))
    if not isinstance(value, (str, bytes, bytearray, int)):
        return TypeError("%s must be str, bytes or int, not %s" % (what, type(value).__name__))
    return ValueError("Invalid %s %r" % (what, value))
