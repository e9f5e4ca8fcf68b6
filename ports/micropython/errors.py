"""The socket transport's exceptions: OSErrors that say what failed and why.

Loaded when one is raised or named, so a board whose requests succeed never
keeps these classes, their messages or the errno parsing in RAM.
"""


class TransportError(OSError):
    """OSError(errno, message) that prints as '[Errno n] message'."""

    def __str__(self):
        return "[Errno %s] %s" % self.args[:2]


class NameResolutionError(TransportError):
    """getaddrinfo() failed: unknown host name, no DNS, or Wi-Fi not up."""


class ConnectError(TransportError):
    """TCP connect failed (refused, unreachable, timed out); errno kept."""


class CertificateError(TransportError):
    """The server's certificate did not verify (untrusted, wrong host name,
    expired).  MicroPython raises a bare ValueError for these; this is an
    OSError like CPython's ssl.SSLCertVerificationError.  errno is mbedtls'
    MBEDTLS_ERR_X509_CERT_VERIFY_FAILED (-0x2700)."""


def _errno_of(exc):
    # errno of an OSError; the unix port's getaddrinfo raises
    # OSError('[addrinfo error -2]') whose only argument is a string.
    a = exc.args[0] if exc.args else None
    if isinstance(a, int):
        return a
    if isinstance(a, str) and "error" in a:
        try:
            return int(a.rsplit(" ", 1)[-1].rstrip("]"))
        except ValueError:
            pass
    return -2


def not_resolved(host, exc):
    """The NameResolutionError for getaddrinfo()'s OSError `exc`."""
    n = _errno_of(exc)
    return NameResolutionError(
        n,
        "name not resolved: %r (errno %d): unknown host, no DNS server, "
        "or Wi-Fi/network not up (wlan.isconnected()?)" % (host, n),
    )


def not_connected(host, port, exc):
    """The ConnectError for the last connect()'s OSError `exc` (None: no address)."""
    n = _errno_of(exc) if exc is not None else -2
    return ConnectError(
        n,
        "cannot connect to %s:%s (errno %d%s)"
        % (host, port, n, ", timed out" if n == 110 else ""),  # ETIMEDOUT on every port
    )
