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
    NotReady,
    SendFailed,
    CLOSED,
    NETDOWN,
    RESET,
    ETIMEDOUT,
    deadline_after,
    remaining_ms,
    int_field,
    sleep_ms,
    text,
)
from .family import ASSIGNED, BARE
from .port import open_port

FAMILIES = ("sim800", "sim7600", "esp_at", "bg96", "sara_r4", "sim7080", "a7670")
# Modules whose command set is one family's, under their own names.
ALIASES = {
    "sim7070": "sim7080",
    "a7672": "a7670",
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
    elif name == "a7670":
        from .a7670 import A7670 as cls
    else:
        raise ValueError("unknown modem family %r (known: %s; aliases: %s)"
                         % (name, ", ".join(FAMILIES), ", ".join(sorted(ALIASES))))
    return cls()


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


def _registration_state(line):
    """<stat> of a +CREG: <n>,<stat> reply; None for the unsolicited
    +CREG: <stat>[,"lac","ci"] form, which can arrive in between."""
    try:
        return int_field(line, line[:line.find(b" ") + 1], 1)
    except ValueError:
        return None


def _seconds(timeout):
    """A usable timeout in seconds, or None (the core may pass a sentinel)."""
    if isinstance(timeout, (int, float)) and not isinstance(timeout, bool):
        return timeout
    return None


class Modem:
    """An AT-command modem as an HTTPConnection transport.

    port: device path or pyserial URL (CPython), or a machine.UART-like
    object with any()/readinto()/write() (MicroPython).
    Bring-up runs on first connect() unless start() was called. Every step
    (attach, context, DNS, open) has the vendor's own timeout, independent
    of the HTTP timeout (which bounds waiting for data); start_timeout and
    connect_timeout optionally cap the whole bring-up / DNS-and-open.
    timeout_scale multiplies every step timeout (tests; slow networks).
    cadata (PEM) is the CA the module verifies https servers with; it is
    stored on the module once. ca_name names a CA already stored there.
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
        start_timeout=None,
        connect_timeout=None,
        timeout_scale=1,
        cadata=None,
        ca_name=None,
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
        self.timeout_scale = timeout_scale
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
        self.cadata = cadata
        self.ca_name = ca_name
        self._uploaded = {}  # CA fingerprint -> its name on the module
        self._tls_applied = {}  # channel -> the verification settings last run
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
        deadline = None if self.start_timeout is None else deadline_after(self.start_timeout * 1000)
        engine.booting = True
        engine.expect_echo = True
        try:
            self._probe()
            engine.command(b"ATE0", 2000)
            engine.expect_echo = False
            if fam.identify:
                self._identify(deadline)
                fam = self.family
            if fam.sim_check:
                self._sim_ready(deadline)
            if fam.registration:
                self._registered(deadline)
            for step in fam.bringup:
                self._run(step, self._params, deadline)
        finally:
            engine.booting = False
        self._prepared = []
        self._tls_applied = {}
        self._started = True

    def _probe(self):
        """AT until the modem answers (it may still be booting); bounded."""
        engine = self.engine
        stale = engine.late_reply is not None  # e.g. the AT that found a silent reboot
        for attempt in range(3):
            engine.late_reply = None  # a late OK must not fail the probe...
            try:
                engine.command(b"AT", 1000)
            except ModemTimeout:
                continue
            if attempt or stale:
                engine.late_reply = True  # ...but lands before ATE0, or every reply is off by one
            return
        raise ModemTimeout(
            ETIMEDOUT, "%s: no answer to AT on %s (power, wiring, baud rate?)" % (self.name, self._port_spec)
        )

    def _identify(self, deadline):
        """Ask the firmware version and switch to the dialect it speaks."""
        template, timeout_s, prefix, pick = self.family.identify
        line = self.engine.command(template.encode(), self._step_ms(timeout_s, deadline), prefix)
        cls = pick(line)
        if type(self.family) is not cls:
            self.family = self.engine.family = cls()
            self._prepared = []

    def _sim_ready(self, deadline):
        """AT+CPIN? until READY; a SIM that is still starting up is waited for."""
        try:
            self.engine.command(b"AT+CMEE=2", 2000)  # errors in words: "SIM not inserted"
        except CommandError:
            pass
        give_up = deadline_after(self._step_ms(20, deadline))
        while True:
            try:
                state = self.engine.command(b"AT+CPIN?", 5000, b"+CPIN: ")[7:].strip()
            except CommandError as exc:
                state = exc.reply.encode()
            if state == b"READY":
                return
            if b"PIN" in state or b"PUK" in state:
                raise NotReady("%s: SIM %s required (unlock the SIM first)" % (self.name, text(state)))
            if state.endswith(b" 10") or b"not inserted" in state.lower():
                raise NotReady("%s: no SIM (%s)" % (self.name, text(state)))
            if remaining_ms(give_up) <= 0:
                raise NotReady("%s: SIM not ready (%s)" % (self.name, text(state)))
            sleep_ms(500)

    def _registered(self, deadline):
        """Wait while the module searches for a network; fail when it is
        denied or stops searching. Registered home (1) or roaming (5) on any
        of the family's registration queries is enough."""
        give_up = deadline_after(self._step_ms(self.family.register_timeout, deadline))
        while True:
            states = []
            for query in self.family.registration:
                prefix = query[2:-1].encode() + b": "  # AT+CREG? -> +CREG: <n>,<stat>
                state = self.engine.command(query.encode(), 5000, prefix, _registration_state)
                if state in (1, 5):
                    return
                states.append(state)
            if 3 in states:
                raise NotReady("%s: not registered (denied by the network)" % self.name)
            if remaining_ms(give_up) <= 0:
                why = "searching" if 2 in states else "not searching"
                raise NotReady("%s: not registered (%s; no network after %d s)" % (
                    self.name, why, self.family.register_timeout * self.timeout_scale))
            sleep_ms(max(50, min(1000, int(1000 * self.timeout_scale))))

    def _step_ms(self, timeout_s, deadline):
        """A step's own timeout, cut short only by an overall deadline."""
        ms = int(timeout_s * 1000 * self.timeout_scale)
        if deadline is None:
            return ms
        left = remaining_ms(deadline)
        if left <= 0:
            raise ModemTimeout(ETIMEDOUT, "%s: out of time (start_timeout / connect_timeout)" % self.name)
        return min(ms, left)

    def _run(self, step, params, deadline):
        """Run one table step; return the outcome text (or assigned link)."""
        template, timeout_s, result, expected = step[0], step[1], step[2], step[3]
        optional = len(step) > 4 and step[4]
        cmd = template.format(**params).encode()
        left = self._step_ms(timeout_s, deadline)
        bare = result == BARE
        prefix = None if result is None or bare else result.format(**params).encode()
        try:
            line = self.engine.command(cmd, left, prefix, _bare_ip if bare else None, bare)
        except CommandError as exc:
            if optional:
                return None
            why = self.family.reason(exc.reply.encode())
            if why:
                err = CommandError("%s: %s: %s (%s)" % (self.name, why, cmd.decode(), exc.reply))
                err.reply = exc.reply
                raise err
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
        left = self._step_ms(timeout_s, deadline)
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
        timeout = _seconds(timeout)  # the HTTP timeout: for data, not for the vendor's open steps
        deadline = None if self.connect_timeout is None else deadline_after(self.connect_timeout * 1000)
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
        if tls is not None:
            from .tls import configure

            configure(self, channel, tls, params, deadline)
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
        """Verify the server with cadata (else the Modem's CA) on the module."""
        if self.family.channel(True) is None:
            raise ModemError("%s: this modem family has no TLS; use plain HTTP" % self.name)
        if cert_file or key_file:
            raise ModemError("%s: client certificates must be stored on the modem, not passed as files" % self.name)
        from .tls import ModemTLS

        return ModemTLS(cadata=cadata)

    def peer_closed(self, sock):
        """True when the server closed an idle kept-alive link, or sent
        bytes nobody asked for (the core then reconnects before sending)."""
        engine = self.engine
        while engine.pump(deadline_after(0)):
            pass
        if (sock._readable and not self.push and not sock._peer_closed
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
        return sock._peer_closed or sock._in_tail > sock._in_head or sock._error is not None

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
        cmd = self._command_text(self._channel.send, n)
        pause = 50
        try:
            while True:
                sent = engine.send(cmd, mv[:n], self._channel, remaining_ms(timeout))
                if sent >= 0:
                    return sent
                # Buffer full: give the module time to drain it, unless the link is gone.
                while engine.pump(deadline_after(0)):
                    pass
                if self._peer_closed or self._error is not None or pause > 1600:
                    why = "the buffer stayed full" if pause > 1600 else "the link closed"
                    raise SendFailed("%s: send failed on link %s (SEND FAIL: %s)" % (self._modem.name, self._link, why))
                sleep_ms(pause)
                pause *= 2
        except ModemTimeout:
            self._fail(ModemTimeout(ETIMEDOUT, "%s: modem stalled while sending on link %s" % (self._modem.name, self._link)))
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
                except ModemError as exc:
                    self._fail(exc)
                    raise
                if not got:
                    self._readable = self._notified  # unless new data was announced meanwhile
                    continue
                if not self._notified:  # no notice came meanwhile: is anything left?
                    if channel.left_field is not None:
                        self._readable = engine.left > 0
                    elif channel.short_read_drains and got < len(dest):
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
