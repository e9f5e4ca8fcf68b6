"""HTTPSConnection: HTTP over TLS, loaded only by programs that use it."""

from .clock import DEFAULT_TIMEOUT, resolve_timeout
from .connection import HTTPS_PORT, HTTPConnection


class HTTPSConnection(HTTPConnection):
    """HTTP over TLS. Certificates and host names are verified unless the caller
    passes a context that does not verify (an explicit opt-out)."""

    default_port = HTTPS_PORT

    def __init__(self, host, port=None, key_file=None, cert_file=None,
                 timeout=DEFAULT_TIMEOUT, source_address=None, *, context=None,
                 check_hostname=None, blocksize=8192, cadata=None, **kw):
        HTTPConnection.__init__(self, host, port, timeout, source_address, blocksize, **kw)
        self.key_file = key_file
        self.cert_file = cert_file
        self._context = context
        self._check_hostname = check_hostname
        self._cadata = cadata

    def _tls_context(self, transport):
        if self._context is None:
            self._context = transport.default_tls_context(
                self.cert_file, self.key_file, cadata=self._cadata)
        if self._check_hostname is not None and hasattr(self._context, "check_hostname"):
            # An explicit check_hostname overrides the context's, as in http.client.
            self._context.check_hostname = self._check_hostname
        return self._context

    def connect(self):
        if self._tunnel_host or self._create_connection is not None:
            # A plain socket (to the proxy, through the tunnel), then TLS over it.
            HTTPConnection.connect(self)
            transport = self._transport
            self.sock = transport.start_tls(self.sock, self._tls_context(transport),
                                            self._tunnel_host or self.host)
            return
        transport = self._transport
        self.sock = transport.connect(self.host, self.port, resolve_timeout(self.timeout),
                                      self.source_address, tls=self._tls_context(transport),
                                      server_hostname=self.host)
