"""What a modem family is: tables the engine and the modem read.

A family file (sim800.py, ...) subclasses Family and Channel and fills in
command templates, reply prefixes, limits and URC names. Templates are str
formatted with {link} {host} {port} {n} {sni} {tls} {apn} {user}
{password} {ssid} {psk} {pull}; reply prefixes and URCs are bytes.

A step is (command template, timeout in s, result prefix or None,
expected value, optional). The result prefix (formatted, then encoded)
names the information line that carries the outcome; the text after it
must equal `expected` when that is bytes, or is the link id the modem
chose when it is ASSIGNED. A result prefix of BARE means the reply is one
line with no OK (AT+CIFSR prints the address alone). Optional steps may
fail (e.g. closing a context that is not open).
"""

from .engine import READABLE, CLOSED, NETDOWN, IGNORE

ASSIGNED = "assigned"
BARE = "bare"


class Channel:
    """One kind of modem socket: plain TCP, or the modem's own TLS stack."""

    links = 6  # link ids 0..links-1 (ignored when the modem assigns them)
    prepare = ()  # steps run once per bring-up before the first open
    open = None  # steps opening a plain TCP link (None: TLS only)
    open_tls = None  # steps opening a TLS link (None: no TLS here)
    send = ""  # command template announcing {n} bytes
    prompt = b">"  # the data prompt (a line start: ">", "@", "CONNECT")
    prompt_delay_ms = 0
    send_done = b"SEND OK"  # line ending a successful send
    sent_field = None  # field of send_done that counts accepted bytes
    ok_after_send_done = False  # an OK follows send_done (u-blox)
    send_fail = (b"SEND FAIL",)
    send_full = ()  # words meaning "buffer full, nothing taken": retried after a pause
    max_send = 1460
    read = ""  # pull-read command template asking for {n} bytes
    read_header = b""  # reply line announcing the payload length
    read_header_end = b"\n"  # byte ending that header (payload follows)
    got_field = 0  # field of read_header holding the payload length
    left_field = None  # field of read_header saying how much is still buffered
    short_read_drains = False  # a read returns all that is buffered (up to the
    # size asked) and each arrival is announced; otherwise (a read may return
    # one packet, no new notice until drained) the host reads on until 0
    read_done = b"OK"  # line ending a read reply
    max_read = 1460
    close = ""
    close_result = None  # prefix of the line confirming the close
    close_timeout = 10
    urcs = ()  # (prefix, suffix, kind) about links of this channel
    # TLS verification (see tls.py): steps run before each TLS open, with
    # {ca} (the CA's name on the module), {host} and {sni} filled in. None
    # for verify: the module cannot verify, so https needs an explicit opt-out.
    verify = None
    verify_any_host = None  # verify, but without the host name check
    unverified = ()  # back to the module default: no verification
    ca_name = "mh{hash}.pem"  # the name an uploaded CA is stored under
    ca_list = None  # (command, timeout s, prefix of the line naming {ca})
    ca_upload = None  # (command announcing {n} bytes of {ca}, Upload class)


class Upload(Channel):
    """How a module takes a file after a prompt (CA certificates)."""

    send_done = b"OK"
    send_fail = ()


# Chatter cellular modules send on their own (time zone, network events,
# SIM state) that must never be taken for a reply.
COMMON_URCS = (
    (b"*PSUTTZ", b"", IGNORE),
    (b"DST: ", b"", IGNORE),
    (b"+CTZV", b"", IGNORE),
    (b"+CTZE", b"", IGNORE),
    (b"+CGEV: ", b"", IGNORE),
    (b"+QUSIM", b"", IGNORE),
    (b"+CPIN: ", b"", IGNORE),
    (b"+CFUN: ", b"", IGNORE),
    (b"+CREG: ", b"", IGNORE),
    (b"+CGREG: ", b"", IGNORE),
    (b"+CEREG: ", b"", IGNORE),
)


class Family:
    name = ""
    banners = (b"RDY",)  # lines a freshly booted modem prints
    ok_words = ()  # vendor words that end a command successfully
    error_words = ()  # vendor words that end a command with an error
    busy_words = ()  # replies meaning "dropped, busy: send it again"
    urcs = ()  # (prefix, suffix, kind) not tied to a channel
    common_urcs = COMMON_URCS
    sim_check = True  # AT+CPIN? must say READY before attaching
    registration = ()  # AT+CREG?-style queries; one of them must say registered
    register_timeout = 120  # s to wait while the module is searching
    reasons = ()  # (bytes in an error reply, what it means) for messages
    # (command, timeout s, result prefix, pick) asking the firmware version;
    # pick(line) is the Family subclass that speaks that firmware's dialect.
    identify = None
    needs = ()  # Modem() arguments bring-up cannot do without
    bringup = ()
    dns = None  # (template, timeout s, result prefix)
    channels = ()
    push_header = None  # (prefix, end byte) of a push-mode payload frame;
    # families that have one can run with receive="push" ({pull} is 0 then)

    def __init__(self):
        table = []
        for channel in self.channels:
            for prefix, suffix, kind in channel.urcs:
                table.append((prefix, suffix, kind, channel))
        for prefix, suffix, kind in self.urcs + self.common_urcs:
            table.append((prefix, suffix, kind, None))
        self.urc_table = table

    def reason(self, reply):
        """What an error reply means in words, or None."""
        for words, meaning in self.reasons:
            if words in reply:
                return meaning
        return None

    def channel(self, tls):
        for channel in self.channels:
            if (channel.open_tls if tls else channel.open) is not None:
                return channel
        return None

    def parse_dns(self, line):
        """IP address (str) from a DNS result line, None to keep waiting.

        Raises ValueError when the line reports a failure.
        """
        raise NotImplementedError

    def parse_push(self, header):
        """(channel, link, size) from a push-mode frame header."""
        raise NotImplementedError


def quoted(field):
    """Text between the first pair of double quotes, or the field itself."""
    start = field.find(b'"')
    if start < 0:
        return field.strip()
    end = field.find(b'"', start + 1)
    return field[start + 1:end if end > 0 else len(field)]


def simcom_dns(line):
    """+CDNSGIP: 1,"host","ip1"[,"ip2"] (success) or +CDNSGIP: 0,<err>."""
    parts = line[len(b"+CDNSGIP: "):].split(b",")
    if parts[0] != b"1" or len(parts) < 3:
        raise ValueError(line)
    return quoted(parts[2]).decode()


__all__ = ("Channel", "Upload", "Family", "ASSIGNED", "BARE", "READABLE", "CLOSED", "NETDOWN", "IGNORE", "quoted")
