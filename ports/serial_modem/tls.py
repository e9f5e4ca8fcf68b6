"""Server verification on the modem's own TLS stack (loaded by https only).

Most modules open TLS without checking the server unless told to, so every
TLS open first sets the family's verification steps (family.py: verify,
unverified, ca_*). The CA comes from the caller (cadata, uploaded once under
a name derived from its bytes) or is named (ca_name, already on the module).
A family that cannot verify refuses https unless the caller opts out.
"""

from .engine import ModemError, CommandError


class ModemTLS:
    """What HTTPSConnection hands the modem: verify or not, and with which CA.

    verify_mode and check_hostname mirror ssl.SSLContext (0 = CERT_NONE),
    so an ssl context that does not verify is an opt-out here too.
    """

    def __init__(self, verify=True, cadata=None, ca_name=None, check_hostname=True):
        self.verify_mode = 2 if verify else 0
        self.check_hostname = check_hostname and verify
        self.cadata = cadata
        self.ca_name = ca_name


def unverified_context():
    """The explicit opt-out: TLS without certificate or host name checks."""
    return ModemTLS(verify=False)


def ca_bytes(cadata):
    """PEM text as bytes, ending in a newline (modules store it verbatim)."""
    if isinstance(cadata, str):
        cadata = cadata.encode()
    cadata = bytes(cadata)
    if not cadata.startswith(b"-----BEGIN"):
        raise ValueError("cadata must be PEM text (-----BEGIN CERTIFICATE-----...)")
    return cadata if cadata.endswith(b"\n") else cadata + b"\n"


def fingerprint(data):
    """FNV-1a over the CA bytes: the same CA gets the same name on the module."""
    h = 0x811C9DC5
    for b in data:
        h = ((h ^ b) * 0x01000193) & 0xFFFFFFFF
    return "%08x" % h


def configure(modem, channel, tls, params, deadline):
    """Run the channel's verification steps for one TLS open.

    params gets {ca}; raises ModemError when the request must not go out
    unverified. Steps already applied with the same values are skipped.
    """
    name = modem.name
    verify = getattr(tls, "verify_mode", 2) != 0
    if not verify:
        steps = channel.unverified
        params["ca"] = ""
    else:
        if channel.verify is None:
            raise ModemError(
                "%s: this module cannot verify TLS certificates; to connect unverified anyway, pass "
                "context=unverified_context() (microhttplib.ports.serial_modem)" % name
            )
        params["ca"] = ca = _ca_on_module(modem, channel, tls, deadline)
        steps = channel.verify
        if not getattr(tls, "check_hostname", True) and channel.verify_any_host is not None:
            steps = channel.verify_any_host
    key = (channel, steps, params["ca"], params["host"], params.get("link"))
    if modem._tls_applied.get(channel) == key:
        return
    modem._tls_applied[channel] = None
    for step in steps:
        modem._run(step, params, deadline)
    modem._tls_applied[channel] = key


def _ca_on_module(modem, channel, tls, deadline):
    """The name of the CA the module verifies with, uploading it if needed."""
    cadata = getattr(tls, "cadata", None) or modem.cadata
    if not cadata:
        named = getattr(tls, "ca_name", None) or modem.ca_name
        if named:
            return named
        raise ModemError(
            "%s: no CA certificate to verify the server with: pass cadata=<PEM> (to HTTPSConnection "
            "or Modem) or ca_name=<a CA stored on the module>" % modem.name
        )
    data = ca_bytes(cadata)
    digest = fingerprint(data)
    ca = channel.ca_name.format(hash=digest)
    if modem._uploaded.get(digest) == ca:
        return ca
    if channel.ca_upload is None:
        raise ModemError("%s: this module cannot take a CA from the host; store it and pass ca_name=" % modem.name)
    engine = modem.engine
    if channel.ca_list is not None:
        template, timeout_s, prefix = channel.ca_list
        try:
            found = engine.command(
                template.format(ca=ca).encode(), timeout_s * 1000, prefix.format(ca=ca).encode(), listing=True
            )
        except CommandError:
            found = None  # "no such file" is an error on some modules
        if found is not None:
            modem._uploaded[digest] = ca
            return ca
    template, upload = channel.ca_upload
    cmd = template.format(ca=ca, n=len(data)).encode()
    try:
        engine.send(cmd, data, upload, 30000)
    except ModemError as exc:
        raise ModemError("%s: storing the CA certificate on the module failed (%s)" % (modem.name, exc))
    modem._uploaded[digest] = ca
    return ca
