"""The socket transport's exceptions: OSErrors that say what failed and why.

Loaded when one is raised or named, so a board whose requests succeed never
keeps these classes in RAM.
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
