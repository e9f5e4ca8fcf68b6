"""The transport the core plugs in.

Modem brings the network up, resolves names and opens links; ModemSocket
is the socket-like object HTTPConnection reads and writes. Both drive the
shared ATEngine with the tables of one family.
"""

from .engine import (
    ATEngine,
    ModemError,
    CommandError,
    ConnectFailed,
    DNSError,
    ModemTimeout,
    ModemReset,
    NetworkDown,
    CLOSED,
    NETDOWN,
    RESET,
    ETIMEDOUT,
    deadline_after,
    remaining_ms,
    text,
)
from .family import ASSIGNED, BARE
from .port import open_port

FAMILIES = ("sim800", "sim7600", "esp_at", "bg96", "sara_r4", "sim7080")
# Modules whose command set is one family's, under their own names.
ALIASES = {
    "sim7070": "sim7080",
    "bg95": "bg96",
    "ec21": "bg96",
    "ec25": "bg96",
    "eg25": "bg96",
}


def load_family(name):
    """Import only the family in use (a board pays for one table)."""
    name = ALIASES.get(name, name)
    if name == "sim800":
        from .sim800 import SIM800 as cls
    elif name == "sim7600":
        from .sim7600 import SIM7600 as cls
    elif name == "esp_at":
        from .esp_at import ESPAT as cls
    elif name == "bg96":
        from .bg96 import BG96 as cls
    elif name == "sara_r4":
        from .sara_r4 import SARAR4 as cls
    elif name == "sim7080":
        from .sim7080 import SIM7080 as cls
    else:
        raise ValueError("unknown modem family %r (known: %s; aliases: %s)"
                         % (name, ", ".join(FAMILIES), ", ".join(sorted(ALIASES))))
    return cls()


class ModemTLS:
    """TLS settings for the modem's own TLS stack.

    The modem verifies the server against the CA certificates stored on the
    module; client certificates have to be stored there too.
    """

    def __init__(self, family_name, cert_file=None, key_file=None):
        if cert_file or key_file:
            raise ModemError("%s: client certificates must be stored on the modem, not passed as files" % family_name)


def _is_ip(host):
    parts = host.split(".")
    if len(parts) != 4:
        return False
    for part in parts:
        if not part.isdigit() or int(part) > 255:
            return False
    return True


def _bare_ip(line):
    """Parse hook for AT+CIFSR: the reply is the address alone, no OK."""
    return line if _is_ip(text(line)) else None


def _seconds(timeout):
    """A usable timeout in seconds, or None (the core may pass a sentinel)."""
    if isinstance(timeout, (int, float)) and not isinstance(timeout, bool):
        return timeout
    return None


class Modem:
    """An AT-command modem as an HTTPConnection transport.

    port: device path or pyserial URL (CPython), or a machine.UART-like
    object with any()/readinto()/write() (MicroPython).
    Bring-up runs on first connect() unless start() was called; every step
    has its vendor timeout and the whole bring-up is bounded by
    start_timeout seconds.
    """

    def __init__(
        self,
        port,
        family="sim800",
        *,
        baudrate=115200,
        apn=None,
        user=None,
        password=None,
        ssid=None,
        psk=None,
        receive="pull",
        start_timeout=300,
        connect_timeout=120,
    ):
        self.family = load_family(family) if isinstance(family, str) else family
        self.name = self.family.name
        if receive not in ("pull", "push"):
            raise ValueError("receive must be 'pull' or 'push'")
        if receive == "push" and self.family.push_header is None:
            raise ValueError("%s has no push mode parser; use receive='pull'" % self.name)
        self.push = receive == "push"
        self.baudrate = baudrate
        self.start_timeout = start_timeout
        self.connect_timeout = connect_timeout
        self._port_spec = port
        self._port = None
        self._engine = None
        self._params = {
            "apn": apn or "",
            "user": user or "",
            "password": password or "",
            "ssid": ssid or "",
            "psk": psk or "",
            "pull": 0 if self.push else 1,
        }
        self._started = False
        self._prepared = []
        self._sockets = {}
        self._orphans = []  # links to close once the modem answers again
        self._next_link = 0

    # ---- bring-up -------------------------------------------------------

    @property
    def engine(self):
        if self._engine is None:
            self._port = open_port(self._port_spec, self.baudrate)
            self._engine = ATEngine(self._port, self.family, self._on_urc, self._on_push)
        return self._engine

    def start(self):
        """Echo off, then the family's attach / context / Wi-Fi steps."""
        fam = self.family
        for need in fam.needs:
            if not self._params[need]:
                raise ModemError("%s: bring-up needs %s=..." % (self.name, need))
        engine = self.engine
        deadline = deadline_after(self.start_timeout * 1000)
        engine.booting = True
        engine.expect_echo = True
        try:
            self._probe()
            engine.command(b"ATE0", 2000)
            engine.expect_echo = False
            for step in fam.bringup:
                self._run(step, self._params, deadline)
        finally:
            engine.booting = False
        self._prepared = []
        self._started = True

    def _probe(self):
        """AT until the modem answers (it may still be booting); bounded."""
        engine = self.engine
        for attempt in range(3):
            engine.late_reply = None  # a late OK to an earlier AT is harmless here
            try:
                engine.command(b"AT", 1000)
            except ModemTimeout:
                continue
            if attempt:
                engine.late_reply = True  # let late OKs land before ATE0
            return
        raise ModemTimeout(
            ETIMEDOUT, "%s: no answer to AT on %s (power, wiring, baud rate?)" % (self.name, self._port_spec)
        )

    def _run(self, step, params, deadline):
        """Run one table step; return the outcome text (or assigned link)."""
        template, timeout_s, result, expected = step[0], step[1], step[2], step[3]
        optional = len(step) > 4 and step[4]
        cmd = template.format(**params).encode()
        left = remaining_ms(deadline)
        if left <= 0:
            raise ModemTimeout(ETIMEDOUT, "%s: out of time before %s" % (self.name, cmd.decode()))
        bare = result == BARE
        prefix = None if result is None or bare else result.format(**params).encode()
        try:
            line = self.engine.command(cmd, min(timeout_s * 1000, left), prefix, _bare_ip if bare else None, bare)
        except CommandError:
            if optional:
                return None
            raise
        if prefix is None:
            return line
        rest = line[len(prefix):].strip()
        if expected == ASSIGNED:
            return int(rest.split(b",")[0])
        if expected is not None and rest != expected:
            err = CommandError("%s: %s failed (%s)" % (self.name, cmd.decode(), text(line)))
            err.reply = text(line)
            raise err
        return rest

    # ---- names and links ------------------------------------------------

    def resolve(self, host, deadline=None):
        """IP address of host, looked up by the modem (literals pass through)."""
        if _is_ip(host):
            return host
        if not self._started:
            self.start()
        template, timeout_s, prefix = self.family.dns
        left = timeout_s * 1000 if deadline is None else min(timeout_s * 1000, remaining_ms(deadline))
        parse_dns = self.family.parse_dns
        name = self.name

        def parse(line):
            try:
                return parse_dns(line)
            except ValueError:
                raise DNSError("%s: DNS lookup of %r failed (%s)" % (name, host, text(line)))

        try:
            ip = self.engine.command(template.format(host=host).encode(), left, prefix, parse)
        except CommandError as exc:
            raise DNSError("%s: DNS lookup of %r failed (%s)" % (name, host, exc.reply))
        except ModemTimeout:
            raise ModemTimeout(ETIMEDOUT, "%s: DNS lookup of %r timed out" % (name, host))
        return ip.decode() if isinstance(ip, bytes) else ip

    def _free_link(self, channel):
        """Round-robin over free ids, so a link that failed in an unknown
        state is not reused at once."""
        used = [link for (_, link) in self._sockets] + [link for (_, link) in self._orphans]
        for i in range(channel.links):
            link = (self._next_link + i) % channel.links
            if link not in used:
                self._next_link = link + 1
                return link
        raise ModemError("%s: all %d links are in use" % (self.name, channel.links))

    def connect(self, host, port, timeout=None, source_address=None, tls=None, server_hostname=None):
        """Open a link to host:port (TLS by the modem when tls is given)."""
        timeout = _seconds(timeout)
        deadline = deadline_after((self.connect_timeout if timeout is None else timeout) * 1000)
        if self._engine is not None and self._engine.late_reply is not None:
            try:
                self._engine.resync()  # a reset found here means bring-up again
            except ModemReset:
                pass
        if not self._started:
            self.start()
        channel = self.family.channel(tls is not None)
        if channel is None:
            raise ModemError("%s: this modem family has no TLS; use plain HTTP" % self.name)
        self._close_orphans()
        address = self.resolve(host, deadline)
        if tls is not None:
            address = host  # the modem needs the name for SNI and verification
            if channel not in self._prepared:
                for step in channel.prepare:
                    self._run(step, self._params, deadline)
                self._prepared.append(channel)
        assigns = (channel.open_tls or channel.open)[0][3] == ASSIGNED
        link = None if assigns else self._free_link(channel)
        params = dict(self._params)
        params.update(link=link, host=address, port=port, sni=server_hostname or host, tls=1 if tls else 0)
        try:
            for step in channel.open_tls if tls is not None else channel.open:
                value = self._run(step, params, deadline)
                if step[3] == ASSIGNED:
                    link = params["link"] = value
        except CommandError as exc:
            self._close_link(channel, link)
            raise ConnectFailed("%s: connect to %s:%s failed (%s)" % (self.name, host, port, exc.reply))
        except ModemTimeout:
            if link is not None:
                self._orphans.append((channel, link))  # it may still open, late
            raise ModemTimeout(ETIMEDOUT, "%s: connect to %s:%s timed out" % (self.name, host, port))
        sock = ModemSocket(self, channel, link, timeout)
        self._sockets[(channel, link)] = sock
        return sock

    def _close_link(self, channel, link):
        """Close a link on the modem, errors ignored (it may be gone).

        While a timed-out command's reply is still due (a stalled modem),
        the close waits for the next connect instead of blocking close().
        """
        if link is None:
            return
        if self.engine.late_reply is not None:
            self._orphans.append((channel, link))
            return
        try:
            self.engine.command(
                channel.close.format(link=link).encode(),
                channel.close_timeout * 1000,
                channel.close_result.format(link=link).encode() if channel.close_result else None,
            )
        except ModemError:
            pass

    def _close_orphans(self):
        orphans, self._orphans = self._orphans, []
        for channel, link in orphans:
            self._close_link(channel, link)

    def default_tls_context(self, cert_file=None, key_file=None, cadata=None):
        """Settings for the modem's TLS; the CA certificates it verifies
        with live on the module, so cadata cannot be used here."""
        if self.family.channel(True) is None:
            raise ModemError("%s: this modem family has no TLS; use plain HTTP" % self.name)
        if cadata:
            raise ModemError("%s: store the CA certificate on the modem; cadata cannot be passed" % self.name)
        return ModemTLS(self.name, cert_file, key_file)

    def peer_closed(self, sock):
        """True when the server closed an idle kept-alive link, or sent
        bytes nobody asked for (the core then reconnects before sending)."""
        engine = self.engine
        while engine.pump(deadline_after(0)):
            pass
        if (sock._notified and sock._readable and not self.push and not sock._peer_closed
                and sock._error is None and sock._in_tail == sock._in_head):
            # A data notice can be stale: its bytes were read with the last
            # response. Ask for one byte to tell it from a stray response.
            channel = sock._channel
            got = engine.read(sock._command_text(channel.read, 1), bytearray(1), channel, 5000)
            sock._notified = False
            if not got:
                sock._readable = False
                return False
            return True
        return sock._peer_closed or sock._notified or sock._in_tail > sock._in_head or sock._error is not None

    def start_tls(self, sock, tls, server_hostname):
        raise ModemError("%s: TLS over a tunnel is not supported by the modem" % self.name)

    def close(self):
        """Close every link and release the serial port."""
        for sock in list(self._sockets.values()):
            sock.close()
        if self._port is not None:
            self._port.close()
        self._port = self._engine = None
        self._started = False

    # ---- engine callbacks -----------------------------------------------

    def _on_urc(self, kind, channel, link, line):
        if kind == RESET or kind == NETDOWN:
            self._started = False
            why = text(line)
            for sock in list(self._sockets.values()):
                if kind == RESET:
                    sock._fail(ModemReset("%s: modem reset (%s); the connection is lost" % (self.name, why)))
                else:
                    sock._fail(NetworkDown("%s: network lost (%s); the connection is lost" % (self.name, why)))
            if kind == RESET:
                self._sockets = {}
                self._orphans = []
            return
        sock = self._sockets.get((channel, link))
        if sock is None:
            return
        sock._readable = True  # after CLOSED too: drain what the modem holds
        sock._notified = True
        if kind == CLOSED:
            sock._peer_closed = True

    def _on_push(self, channel, link, size):
        sock = self._sockets.get((channel, link))
        if sock is None:
            return None
        return sock._inbox_room(size)


class ModemSocket:
    """One modem link with the socket methods the core uses."""

    def __init__(self, modem, channel, link, timeout):
        self._modem = modem
        self._channel = channel
        self._link = link
        self._timeout = timeout
        self._readable = False  # the modem may hold bytes for this link
        self._notified = False  # a URC came since the last read
        self._peer_closed = False
        self._error = None
        self._open = True
        self._read_size = 0
        self._read_cmd = b""
        self._inbox = None  # push mode only: bytes the modem sent unasked
        self._in_head = 0
        self._in_tail = 0

    def settimeout(self, timeout):
        self._timeout = _seconds(timeout)

    def gettimeout(self):
        return self._timeout

    def setblocking(self, flag):
        self._timeout = None if flag else 0.0

    def fileno(self):
        raise OSError("a modem link has no file descriptor")

    def _deadline(self, vendor_ms):
        if self._timeout is None:
            return deadline_after(vendor_ms)
        return deadline_after(min(vendor_ms, self._timeout * 1000))

    def _check(self):
        if self._error is not None:
            raise self._error
        if not self._open:
            raise OSError(9, "modem socket is closed")

    def _fail(self, error):
        if self._error is None:
            self._error = error

    def _command_text(self, template, n):
        return template.format(link=self._link, n=n).encode()

    # ---- sending --------------------------------------------------------

    def send(self, data):
        """Send up to the family's maximum block; return bytes accepted."""
        self._check()
        mv = memoryview(data)
        n = min(len(mv), self._channel.max_send)
        if n == 0:
            return 0
        engine = self._modem.engine
        timeout = self._deadline(60000)
        try:
            return engine.send(self._command_text(self._channel.send, n), mv[:n], self._channel, remaining_ms(timeout))
        except ModemTimeout:
            self._fail(ModemTimeout(ETIMEDOUT, "%s: modem stalled while sending on link %s" % (self._modem.name, self._link)))
            raise
        except CommandError as exc:
            self._fail(exc)
            raise
        except ModemError as exc:
            self._fail(exc)
            raise

    def sendall(self, data):
        """Split at the family's maximum and resend what a short write left."""
        mv = memoryview(data)
        off = 0
        while off < len(mv):
            off += self.send(mv[off:])

    # ---- receiving ------------------------------------------------------

    def _inbox_room(self, size):
        """A memoryview of size free bytes at the end of the push inbox."""
        if self._inbox is None:
            self._inbox = bytearray(max(4096, size))
        if self._in_head == self._in_tail:
            self._in_head = self._in_tail = 0
        if len(self._inbox) - self._in_tail < size:
            kept = self._in_tail - self._in_head
            if kept + size > len(self._inbox):
                grown = bytearray(max(2 * len(self._inbox), kept + size))
                grown[0:kept] = self._inbox[self._in_head:self._in_tail]
                self._inbox = grown
            else:
                self._inbox[0:kept] = self._inbox[self._in_head:self._in_tail]
            self._in_head, self._in_tail = 0, kept
        start = self._in_tail
        self._in_tail += size
        return memoryview(self._inbox)[start:start + size]

    def recv_into(self, buf, nbytes=0):
        """Fill buf[0:k] with received bytes; 0 only once the peer closed
        and every byte it sent has been delivered."""
        if not nbytes or nbytes > len(buf):
            nbytes = len(buf)
        if nbytes == 0:
            return 0
        if not self._open:
            raise OSError(9, "modem socket is closed")
        modem = self._modem
        engine = modem.engine
        channel = self._channel
        deadline = None if self._timeout is None else deadline_after(self._timeout * 1000)
        while True:
            if self._in_tail > self._in_head:
                k = min(nbytes, self._in_tail - self._in_head)
                memoryview(buf)[0:k] = memoryview(self._inbox)[self._in_head:self._in_head + k]
                self._in_head += k
                return k
            self._check()
            if self._readable and not modem.push:
                dest = memoryview(buf)[0:min(nbytes, channel.max_read)]
                if len(dest) != self._read_size:  # usually the same size: format once
                    self._read_size = len(dest)
                    self._read_cmd = self._command_text(channel.read, len(dest))
                cmd = self._read_cmd
                self._notified = False
                wait = 30000 if deadline is None else max(1, remaining_ms(deadline))
                try:
                    got = engine.read(cmd, dest, channel, wait)
                except ModemTimeout:
                    self._fail(ModemTimeout(ETIMEDOUT, "%s: modem stalled while reading link %s" % (modem.name, self._link)))
                    raise
                if not got:
                    self._readable = False
                    continue
                if got < len(dest) and not channel.drain_to_zero:
                    self._readable = False
                return got
            if self._peer_closed:
                return 0
            if not engine.pump(deadline if deadline is not None else deadline_after(1000)):
                if deadline is not None:
                    raise ModemTimeout(
                        ETIMEDOUT, "%s: no data on link %s within %s s" % (modem.name, self._link, self._timeout)
                    )

    def recv(self, n):
        buf = bytearray(n)
        k = self.recv_into(buf, n)
        return bytes(buf[:k])

    def close(self):
        """Close the link on the modem (errors ignored: it may be gone)."""
        if not self._open:
            return
        self._open = False
        modem = self._modem
        key = (self._channel, self._link)
        if modem._sockets.get(key) is self:
            del modem._sockets[key]
            if self._error is None or not isinstance(self._error, (ModemReset, NetworkDown)):
                modem._close_link(self._channel, self._link)
