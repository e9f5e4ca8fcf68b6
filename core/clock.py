"""Deadlines in the platform's clock, and the platform's timeout exception."""

from .buffer import MICROPYTHON

if MICROPYTHON:
    from time import ticks_add, ticks_diff, ticks_ms

    def deadline_after(seconds):
        return ticks_add(ticks_ms(), int(seconds * 1000))

    def seconds_left(deadline):
        return ticks_diff(deadline, ticks_ms()) / 1000

    # A read that times out raises OSError(ETIMEDOUT); no process-wide default timeout.
    DEFAULT_TIMEOUT = object()
else:
    from socket import _GLOBAL_DEFAULT_TIMEOUT as DEFAULT_TIMEOUT
    from socket import getdefaulttimeout
    from socket import timeout as _Timeout
    from time import monotonic

    def deadline_after(seconds):
        return monotonic() + seconds

    def seconds_left(deadline):
        return deadline - monotonic()

    _TIMEOUTS = (_Timeout, TimeoutError)  # what a socket raises
    if not issubclass(_Timeout, TimeoutError):
        # Before 3.10 socket.timeout is no TimeoutError; ours is both, as from 3.10 on.
        class timeout(_Timeout, TimeoutError):
            pass

        _Timeout = timeout


def timeout_error(what):
    if not MICROPYTHON:
        return _Timeout("timed out " + what)
    return OSError(110, "timed out " + what)  # ETIMEDOUT


def is_timeout(exc):
    if not MICROPYTHON and isinstance(exc, _TIMEOUTS):
        return True
    return isinstance(exc, OSError) and exc.args and exc.args[0] in (110, 11)  # ETIMEDOUT, EAGAIN


def resolve_timeout(timeout):
    """Seconds or None, with http.client's 'use the socket default' sentinel resolved."""
    if timeout is not DEFAULT_TIMEOUT:
        return timeout
    return None if MICROPYTHON else getdefaulttimeout()
