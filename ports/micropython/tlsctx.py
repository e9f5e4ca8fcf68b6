"""TLS contexts for the MicroPython transport (imported on first HTTPS use).

``default_tls_context(cert_file, key_file, cadata, cafile)`` returns a
``tls.SSLContext(PROTOCOL_TLS_CLIENT)`` that verifies the server against
``cadata`` (PEM text/bytes, possibly several certificates, or DER) and
checks its host name; without CA data it warns once that HTTPS is not
verified (boards have no CA store).  Firmware without the ``tls`` module
gets a ``LegacyTLSContext`` over ``ssl.wrap_socket``.
"""

try:
    from micropython import const
except ImportError:

    def const(x):
        return x


_CERT_NONE = const(0)
_CERT_REQUIRED = const(2)

_warned_unverified = False


def _pem_blocks(data):
    # Certificates/keys as a list of DER blobs.  The unix/ESP32 mbedtls
    # builds accept DER everywhere but PEM not always, so PEM is decoded
    # here.  DER input is returned as is.
    if isinstance(data, str):
        data = data.encode()
    if b"-----BEGIN" not in data:
        return [bytes(data)]
    from binascii import a2b_base64

    out = []
    b64 = None
    for line in data.split(b"\n"):
        line = line.strip()
        if line.startswith(b"-----BEGIN"):
            b64 = []
        elif line.startswith(b"-----END"):
            if b64 is not None:
                out.append(a2b_base64(b"".join(b64)))
            b64 = None
        elif b64 is not None and line:
            b64.append(line)
    if not out:
        raise ValueError("no PEM block found")
    return out


def _read(path):
    with open(path, "rb") as f:
        return f.read()


def _warn_unverified():
    global _warned_unverified
    if not _warned_unverified:
        _warned_unverified = True
        print(
            "microhttplib: WARNING: this board has no CA certificates; HTTPS "
            "server certificates are NOT verified. Pass cadata=<PEM or DER> "
            "(or context=) to HTTPSConnection to verify."
        )


class LegacyTLSContext:
    """Stand-in for tls.SSLContext on firmware that only has
    ssl.wrap_socket() (MicroPython < 1.23 / ussl)."""

    def __init__(self, cadata=None, cert=None, key=None):
        self.cadata = cadata
        self.cert = cert
        self.key = key
        self.verify_mode = _CERT_NONE if cadata is None else _CERT_REQUIRED

    def wrap_socket(self, sock, server_side=False, server_hostname=None):
        try:
            import ssl
        except ImportError:
            import ussl as ssl
        kw = {"server_hostname": server_hostname}
        if self.cert is not None:
            kw["cert"] = self.cert
            kw["key"] = self.key
        if self.cadata is not None:
            kw["cadata"] = self.cadata
            kw["cert_reqs"] = self.verify_mode
        return ssl.wrap_socket(sock, **kw)


def _tls_module():
    try:
        import tls
    except ImportError:
        return None
    return tls if hasattr(tls, "SSLContext") else None


def default_tls_context(cert_file=None, key_file=None, cadata=None, cafile=None):
    if cafile is not None and cadata is None:
        cadata = _read(cafile)
    cert = key = None
    if cert_file is not None:
        cert = _pem_blocks(_read(cert_file))[0]
        key = _pem_blocks(_read(key_file or cert_file))[-1]
    tls = _tls_module()
    if tls is None:
        if cadata is None:
            _warn_unverified()
        else:
            cadata = _pem_blocks(cadata)[0]
        return LegacyTLSContext(cadata, cert, key)
    ctx = tls.SSLContext(tls.PROTOCOL_TLS_CLIENT)
    if cadata is None:
        _warn_unverified()
        ctx.verify_mode = tls.CERT_NONE
    else:
        for der in _pem_blocks(cadata):
            ctx.load_verify_locations(der)
        ctx.verify_mode = tls.CERT_REQUIRED
    if cert is not None:
        ctx.load_cert_chain(cert, key)
    return ctx


def start_tls(sock, tls, server_hostname):
    """Upgrade a connected plain transport Socket (CONNECT tunnel) to TLS."""
    raw, timeout = sock._raw, sock._timeout
    try:
        sock._poll.unregister(raw)
    except (OSError, KeyError, ValueError):
        pass
    sock._s = sock._raw = None  # the new Socket owns raw now
    return wrap(raw, tls, server_hostname, timeout)


def wrap(raw, tls, server_hostname, timeout):
    """A transport Socket over TLS on a connected raw socket.

    The handshake runs blocking, bounded by the timeout; the Socket then
    switches raw to non-blocking.
    """
    from .transport import Socket

    raw.settimeout(timeout)
    try:
        s = tls.wrap_socket(raw, server_hostname=server_hostname)
    except ValueError as e:  # mbedtls certificate verification failed
        raw.close()
        from .errors import CertificateError

        raise CertificateError(
            -0x2700, "certificate verify failed for %r: %s"
            % (server_hostname, " ".join(str(e).split())))
    except Exception:
        raw.close()
        raise
    return Socket(raw, s, timeout)
