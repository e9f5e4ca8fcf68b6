"""Expect: 100-continue: the headers go first, the body after the server's 100.

http.client cannot do this. Loaded only by requests that carry the header.
"""

from .clock import is_timeout


def await_continue(conn):
    """Wait briefly for 100 Continue; False when a final response came instead."""
    response = conn._new_response(conn._method)
    conn._pending = response
    p = conn._parser
    try:
        while True:
            response._read_head(conn.continue_timeout)
            if p.status == 100:
                p.reset()
                return True
            if p.status >= 200 or p.status == 101:
                response._force_close = True  # the server never got the announced body
                return False
            p.reset()
    except OSError as exc:
        if is_timeout(exc) and not response._received:
            return True  # silent server: send the body anyway, as RFC 9110 allows
        raise
