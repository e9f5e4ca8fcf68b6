"""The emulator's engine: the pty, the serving thread, links, faults and command dispatch.

What a module answers lives in its dialect (sim800.py, ...); this module
only frames lines, paces bytes, moves data between real sockets and the
host, and arms faults.
"""

import os
import pty
import re
import select
import socket
import ssl
import threading
import time
import tty

from .dialect import DIALECTS

BASIC = re.compile(r"&?[A-Za-z][0-9]*")  # one V.250 basic command: E0, &F, Z, I
# Every fault, what it does, and its argument if it takes one. Persistent
# ones stay on; the others act once. (python -m ... --help lists them.)
FAULTS = {
    "reset": ("", "the next command gets the reset banner instead of a reply"),
    "reboot": ("", "silent reboot before the next command: no banner, echo back on, links gone"),
    "send-fail": ("", "the next data send fails (and the link drops)"),
    "send-full": ("K", "(bg96) the next K sends answer SEND FAIL (buffer full), link kept"),
    "dns-fail": ("", "the next DNS lookup fails"),
    "connect-fail": ("", "the next link open fails"),
    "stall": ("S", "the next command is answered S seconds late"),
    "close": ("K", "the next link opened is closed by the peer after K bytes"),
    "busy": ("", "(esp_at) the next command is dropped with \"busy p...\""),
    "netdown": ("", "the data context (or Wi-Fi) drops: every link is gone until the next bring-up"),
    "cut": ("", "the next pull-read reply stops mid-line, then silence"),
    "overlong": ("N", "the next pull-read reply carries N bytes less than it announces"),
    "no-prompt": ("", "the next data prompt never comes"),
    "mute": ("", "the module stops answering altogether"),
    "urc": ("", "(persistent) URCs between every command and its reply and inside pull-read replies"),
    "garbage": ("", "(persistent) line noise before every reply"),
    "chatter": ("", "(persistent) *PSUTTZ, DST, +CTZV, +CGEV, +QUSIM, +CPIN, +CFUN between every "
                    "command and its reply and after data prompts"),
}
PERSISTENT_FAULTS = ("urc", "garbage", "chatter")
ONE_SHOT_FAULTS = tuple(name for name in FAULTS if name not in PERSISTENT_FAULTS)

# What real cellular modules print on their own (time zone, network events,
# SIM and radio state); the chatter fault sends them between a command and
# its reply and between a data prompt and the data.
CHATTER = (b"*PSUTTZ: 2026,12,1,13,50,0,\"+0\",0", b"DST: 0", b"+CTZV: +04,0", b"+CGEV: NW DETACH",
           b"+QUSIM: 1", b"+CPIN: NOT READY", b"+CFUN: 1", b"+CPIN: READY")


def split_compound(text):
    """The commands of one line, split at ';' outside quotes."""
    parts, start, quoted = [], 0, False
    for i, c in enumerate(text):
        if c == '"':
            quoted = not quoted
        elif c == ";" and not quoted:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return parts


def split_args(text):
    """AT argument list: comma separated, quotes removed, quoted commas kept."""
    args, cur, quoted, i = [], [], False, 0
    while i < len(text):
        c = text[i]
        if c == '"':
            quoted = not quoted
        elif c == "," and not quoted:
            args.append("".join(cur))
            cur = []
        else:
            cur.append(c)
        i += 1
    args.append("".join(cur))
    return args


class Link:
    """A modem-side socket: the real connection and what it has received."""

    def __init__(self, key, sock, tls, limit=None):
        self.key = key
        self.sock = sock
        self.tls = tls
        self.buf = bytearray()
        self.eof = False
        self.notified = False
        self.close_reported = False
        self.limit = limit  # close:K fault: bytes left before a forced close
        self.peer = ("0.0.0.0", 0)  # the server's address and port
        self.sent = 0  # bytes sent to the server, in total
        self.received = 0  # bytes received from the server, in total

    def fileno(self):
        return self.sock.fileno()


def _match_name(sock, name):
    """The module's host name check, apart from the SNI it sent."""
    cert = sock.getpeercert()
    names = [v for k, v in cert.get("subjectAltName", ()) if k in ("DNS", "IP Address")]
    if name not in names:
        raise ssl.SSLCertVerificationError("certificate is not valid for %r" % name)


class Emulator:
    """One emulated modem on a pseudo-terminal, served by a thread.

    start() returns the device path (also symlinked at `link` if given).
    """

    def __init__(self, family="sim800", link=None, baud=None, cafile=None, faults=(), modem_buffer=16384,
                 firmware=None, sim="ready", registration="home", register_after=0.0, packet=None,
                 netclose_delay=0.0, boot=True, data_timeout=10.0, connect_timeout=5.0):
        self.data_timeout = data_timeout  # s a data prompt waits for its bytes before ERROR, as modules do
        self.connect_timeout = connect_timeout  # s a link open (TCP and TLS handshake) may take
        self.firmware = firmware  # esp_at: "1.7" (NonOS), "2.2", "3.2" (default)
        self.sim = sim  # "ready", "absent", "pin"
        self.registration = registration  # "home", "roaming", "denied", "searching"
        self.powered = time.monotonic()
        self.register_after = register_after  # s of "searching" after power-up
        self.packet = packet  # a pull read returns at most this much (one packet)
        self.netclose_delay = netclose_delay  # s until +NETCLOSE: 0 (SIM7600)
        self.boot = boot  # echo on and boot codes at power-up
        self.files = {}  # the module's certificate store: name -> PEM (survives reboots)
        self.timers = []  # (when, fn): replies due later
        self._chatter = 0
        self.dialect = DIALECTS[family](self)
        self.family = family
        self.link_path = link
        self.baud = baud
        self.cafile = cafile
        self.modem_buffer = modem_buffer
        self.links = {}
        self.pending = {}  # sockets created but not connected (u-blox)
        self.echo = True
        self.path = None
        self.commands = []  # every command line received, for tests
        self.bytes_to_host = 0
        self.trace = None  # a list to record ("in"|"out", bytes) into, for debugging
        self.log = None  # a text file the AT exchange is written to, with timestamps (--log)
        self._faults = {}
        self._persistent = set()
        self._inbuf = bytearray()
        self._out = bytearray()
        self._data_wanted = None
        self._after_cr = False
        self._overlong = False  # a line longer than the module takes is being dropped
        self._stall_until = 0.0
        self._line_free = 0.0  # when the modem-to-host line is idle again
        self._in_free = 0.0  # when the last staged host byte has arrived
        self._staged = bytearray()  # host bytes still "on the wire" (--baud)
        self._lock = threading.Lock()
        self._stopping = False
        self._thread = None
        if cafile:  # a CA already stored on the module, under the dialect's name for it
            with open(cafile) as f:
                self.files[self.dialect.stored_ca] = f.read()
        if boot and self.dialect.boot_codes:
            for code in self.dialect.boot_codes:
                self.reply(code)
        for spec in faults:
            name, _, arg = spec.partition(":")
            self.fault(name, arg or None)

    # ---- control ------------------------------------------------------

    def start(self):
        self._master, self._slave = pty.openpty()
        tty.setraw(self._slave)
        os.set_blocking(self._master, False)
        self.path = os.ttyname(self._slave)
        if self.link_path:
            try:
                self._make_link()
            except OSError:
                self._shutdown()
                raise
        self._thread = threading.Thread(target=self._run, name="modem-emulator", daemon=True)
        self._thread.start()
        return self.path

    def _make_link(self):
        """The symlink to the pty; an old symlink (a previous run) is replaced,
        anything else at that path is left alone."""
        if os.path.lexists(self.link_path):
            if not os.path.islink(self.link_path):
                raise FileExistsError(17, "exists and is not a symlink", self.link_path)
            os.unlink(self.link_path)
        os.symlink(self.path, self.link_path)

    def stop(self):
        """Stop the thread; it closes the links and the pty itself, so no
        descriptor is closed under its feet (and then reused elsewhere)."""
        self._stopping = True
        if self._thread:
            self._thread.join()
        if self.link_path and os.path.islink(self.link_path):
            os.unlink(self.link_path)

    def _shutdown(self):
        self.close_all()
        for fd in (self._master, self._slave):
            try:
                os.close(fd)
            except OSError:
                pass

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()

    def fault(self, name, arg=None):
        """Arm a fault (see the module docstring); 'clear' disarms all."""
        with self._lock:
            if name == "clear":
                self._faults.clear()
                self._persistent.clear()
            elif name in PERSISTENT_FAULTS:
                self._persistent.add(name)
            elif name in ONE_SHOT_FAULTS:
                self._faults[name] = arg
            else:
                raise ValueError("unknown fault %r" % name)

    def take_fault(self, name):
        with self._lock:
            if name in self._faults:
                return (self._faults.pop(name),)
        return None

    # ---- output -------------------------------------------------------

    def reply(self, *lines):
        for line in lines:
            self._out += b"\r\n" + line + b"\r\n"

    def payload_reply(self, head, data, tail, done):
        """A pull-read reply; with the urc fault, URCs go around the payload.

        overlong:N sends N bytes less data than the header announces (the
        reply's end follows at once, then silence); cut stops the reply in
        the middle of its header line, then silence."""
        short = self.take_fault("overlong")
        if short:
            self._out += b"\r\n" + head + data[:max(0, len(data) - int(short[0] or 100))] + tail
            self.reply(done)
            return self._mute()
        if self.take_fault("cut"):
            self._out += b"\r\n" + head[:len(head) // 2]
            return self._mute()
        self._out += b"\r\n" + head + data + tail
        if "urc" in self._persistent:
            self.reply(self.dialect.noise())
        self.reply(done)

    def expect_data(self, size, then, prompt):
        """Prompt, then hand `then` exactly size bytes (or, size being a byte
        such as Ctrl-Z, the bytes before it)."""
        if self.take_fault("no-prompt"):
            self._mute()
            return
        self._data_wanted = (size, then, time.monotonic() + self.data_timeout)
        self._out += prompt
        if "chatter" in self._persistent:
            self.reply(self.chatter())

    def chatter(self):
        self._chatter += 1
        return CHATTER[self._chatter % len(CHATTER)]

    def later(self, delay, fn):
        self.timers.append((time.monotonic() + delay, fn))

    def _mute(self):
        """The module stops answering (hung firmware) until the emulator stops."""
        self._stall_until = float("inf")

    def registered(self):
        """The network registration state the module would report now."""
        if time.monotonic() - self.powered < self.register_after:
            return "searching"
        return self.registration

    # ---- links --------------------------------------------------------

    def open_link(self, key, host, port, tls, sni=None, verify=None):
        """A real connection; with tls, the handshake as the module is configured.

        sni: the name sent in the handshake (None: no SNI). verify: None (the
        module's default on most modules: any certificate goes), or (CA PEM,
        the host name the certificate must carry or None for no name check).
        """
        if self.take_fault("connect-fail"):
            return None
        try:
            sock = socket.create_connection((host, port), timeout=self.connect_timeout)
            if tls:
                context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
                context.check_hostname = False
                context.verify_mode = ssl.CERT_NONE
                if verify is not None:
                    context.load_verify_locations(cadata=verify[0])
                    context.verify_mode = ssl.CERT_REQUIRED
                sock = context.wrap_socket(sock, server_hostname=sni)
                if verify is not None and verify[1] is not None:
                    _match_name(sock, verify[1])
            sock.setblocking(False)
            peer = sock.getpeername()[:2]
        except (OSError, ValueError, OverflowError):  # refused, TLS refused, bad host or port
            return None
        limit = self.take_fault("close")
        link = Link(key, sock, tls, int(limit[0] or 0) if limit else None)
        link.peer = peer
        self.links[key] = link
        return link

    def forward(self, key, data):
        link = self.links.get(key)
        if link is None or link.eof:
            return False
        try:
            link.sock.setblocking(True)
            link.sock.sendall(data)
            link.sent += len(data)
            link.sock.setblocking(False)
            return True
        except OSError:
            return False

    def drop_link(self, key, report=False):
        link = self.links.pop(key, None)
        if link is None:
            return
        try:
            link.sock.close()
        except OSError:
            pass
        if report:
            self.reply(self.dialect.closed_urc(link))

    def close_all(self):
        for key in list(self.links):
            self.drop_link(key)
        self.pending.clear()

    def _receive(self, link):
        while len(link.buf) < self.modem_buffer:
            try:
                data = link.sock.recv(self.modem_buffer - len(link.buf))
            except (BlockingIOError, ssl.SSLWantReadError):
                return
            except OSError:
                data = b""
            if link.limit is not None:
                data = data[:link.limit]
                link.limit -= len(data)
                if link.limit == 0:
                    link.buf += data
                    link.received += len(data)
                    self._peer_gone(link)
                    return
            if not data:
                self._peer_gone(link)
                return
            link.buf += data
            link.received += len(data)

    def _peer_gone(self, link):
        link.eof = True
        try:
            link.sock.close()
        except OSError:
            pass

    def _deliver(self):
        """URCs and push frames for what the links have received."""
        dialect = self.dialect
        if self.take_fault("netdown"):
            self.close_all()
            dialect.reset_state()
            self.reply(dialect.netdown_urc)
        for link in list(self.links.values()):
            if dialect.push and link.buf:
                if len(self._out) < 4096:
                    size = min(len(link.buf), dialect.push_frame)
                    self._out += dialect.push_header(link, size) + bytes(link.buf[:size])
                    del link.buf[:size]
            elif link.buf and not link.notified:
                link.notified = True
                self.reply(dialect.readable_urc(link))
            if link.eof and not link.close_reported and not (link.buf and (dialect.close_after_drain or dialect.push)):
                link.close_reported = True
                self.reply(dialect.closed_urc(link))

    # ---- input --------------------------------------------------------

    def _command(self, line):
        self.commands.append(line)
        if self.take_fault("reset"):
            return self._reset()
        if self.take_fault("reboot"):  # it rebooted silently just before: no banner, echo back on
            echoed = self.echo
            self._reset(banner=False)
            if not echoed:
                self._out += line.encode("latin-1") + b"\r"
        if self.take_fault("mute"):
            return self._mute()
        stall = self.take_fault("stall")
        if stall:
            self._stall_until = time.monotonic() + float(stall[0] or 2)
            self._inbuf[0:0] = line.encode() + b"\r"
            self.commands.pop()
            return
        if self.dialect.busy_word and self.take_fault("busy"):
            return self.reply(self.dialect.busy_word)
        if "garbage" in self._persistent:
            self._out += b"\r\n\x00\xff\xfe#garbage~\x1b[0m\r\n\xfe"
        if "urc" in self._persistent:
            self.reply(self.dialect.noise())
        if "chatter" in self._persistent:
            self.reply(self.chatter())
        try:
            self._run_line(line)
        except Exception:  # noqa: BLE001 - a malformed line must never stop the modem: it answers and serves on
            self.dialect.error(50)

    def _run_line(self, line):
        """AT followed by one or more commands joined by ';' (AT+CIFSR;E0).

        Each part runs in turn; a failing part ends the line, and only the
        last part's OK is kept, as a module answers a compound line.
        """
        if line[:2].upper() != "AT":
            return self.reply(b"ERROR")
        parts = split_compound(line[2:])
        for i, part in enumerate(parts):
            mark = len(self._out)
            self._run_part(part.strip())
            answer = self._out[mark:]
            if answer.endswith(b"\r\nERROR\r\n") or b"+CME ERROR" in answer:
                return
            if i < len(parts) - 1 and answer.endswith(b"\r\nOK\r\n"):
                del self._out[-6:]

    def _run_part(self, part):
        """One command: V.250 basic ones run together (&FZE0&W), then at
        most one extended command (+NAME, +NAME=args, +NAME?, +NAME=?)."""
        while part and part[0] != "+":
            basic = BASIC.match(part)
            if basic is None:
                return self.reply(b"ERROR")
            token = basic.group(0).upper()
            part = part[len(token):]
            if token in ("E", "E0", "E1"):
                self.echo = token == "E1"
            elif token not in self.dialect.accepted and token not in self.dialect.answers:
                return self.reply(b"ERROR")
            elif token in self.dialect.answers:
                self.reply(*self.dialect.lines(self.dialect.answers[token]))
        if not part:
            return self.reply(b"OK")
        cut = len(part)
        for mark in ("=", "?"):
            at = part.find(mark)
            if 0 <= at < cut:
                cut = at
        name, rest = part[:cut].upper(), part[cut:]
        if rest == "?" or rest == "=?":
            op, args = rest, []
        elif rest.startswith("="):
            op, args = "=", split_args(rest[1:])
        elif rest:
            return self.dialect.error(50)
        else:
            op, args = "", []
        self.dialect.handle(name, op, args)

    def _reset(self, banner=True):
        self.close_all()
        self.dialect.power_on()
        self.echo = True
        self._data_wanted = None
        self.powered = time.monotonic()
        self.timers = []
        if banner and self.dialect.banner:
            self.reply(self.dialect.banner)

    def _abandon_data(self):
        """The bytes a prompt asked for did not all come in time: the partial
        data is dropped and the command fails, and commands are read again."""
        self._data_wanted = None
        del self._inbuf[:]
        del self._staged[:]
        self.reply(b"ERROR")

    def _process_input(self):
        while self._inbuf and time.monotonic() >= self._stall_until:
            if self._after_cr:  # the LF of a command's CR LF is not data
                self._after_cr = False
                if self._inbuf[0] == 10:
                    del self._inbuf[0]
                    continue
            if self._data_wanted:
                size, then, _ = self._data_wanted
                if isinstance(size, bytes):  # text mode: the data ends at this byte (Ctrl-Z)
                    end = self._inbuf.find(size)
                    if end < 0:
                        return
                    data = bytes(self._inbuf[:end])
                    del self._inbuf[:end + 1]
                else:
                    if len(self._inbuf) < size:
                        return
                    data = bytes(self._inbuf[:size])
                    del self._inbuf[:size]
                self._data_wanted = None
                then(data)
                continue
            end = self._inbuf.find(b"\r")
            if end < 0:
                if len(self._inbuf) > self.dialect.max_line:  # the module's line buffer overflows
                    del self._inbuf[:]
                    self._overlong = True
                return
            line = bytes(self._inbuf[:end]).strip(b"\n ")
            del self._inbuf[:end + 1]
            self._after_cr = True
            if self._overlong or len(line) > self.dialect.max_line:
                self._overlong = False
                self.commands.append(line.decode("latin-1"))
                self.reply(b"ERROR")
                continue
            if not line:
                continue
            if self.echo:
                self._out += line + b"\r"
            self._command(line.decode("latin-1"))

    # ---- the loop -----------------------------------------------------

    def _receive_from_host(self, data):
        """Bytes the host wrote; paced, they reach the modem at the line rate."""
        if self.trace is not None and data:
            self.trace.append(("in", data))
        if self.log is not None and data:
            self._log("host>", data)
        if not self.baud:
            self._inbuf += data
            return
        self._in_free = max(self._in_free, time.monotonic()) + len(data) * 10 / self.baud
        self._staged += data

    def _log(self, who, data):
        """One line per chunk: UTC time, who sent it, the bytes with CR, LF and
        non-printable bytes escaped (payload included, as it went)."""
        now = time.time()
        stamp = time.strftime("%H:%M:%S", time.gmtime(now)) + ".%03d" % (now % 1 * 1000)
        text = ascii(data)[2:-1]
        self.log.write("%s %-6s %s\n" % (stamp, who, text))
        self.log.flush()

    def _write_out(self):
        if not self._out:
            return
        now = time.monotonic()
        if self.baud:
            if self._line_free < now:
                self._line_free = now
            if self._line_free > now + 0.002:
                return
            chunk = max(1, min(len(self._out), int(self.baud / 10 * 0.004)))
        else:
            chunk = len(self._out)
        try:
            n = os.write(self._master, self._out[:chunk])
        except BlockingIOError:
            return
        if self.trace is not None:
            self.trace.append(("out", bytes(self._out[:n])))
        if self.log is not None:
            self._log("modem>", bytes(self._out[:n]))
        del self._out[:n]
        self.bytes_to_host += n
        if self.baud:
            self._line_free += n * 10 / self.baud

    def _run(self):
        try:
            self._loop()
        finally:
            self._shutdown()

    def _loop(self):
        while not self._stopping:
            readers = [self._master]
            with self._lock:
                stalled = time.monotonic() < self._stall_until
            if not stalled:
                readers += [l for l in self.links.values() if not l.eof and len(l.buf) < self.modem_buffer]
            writers = [self._master] if self._out else []
            wait = 0.05
            now = time.monotonic()
            if self.baud and self._out:
                wait = max(0.0, min(wait, self._line_free - now - 0.002))
                if wait > 0:
                    writers = []
            if self._staged:
                wait = max(0.0, min(wait, self._in_free - now))
            try:
                readable = select.select(readers, writers, [], wait)[0]
            except (OSError, ValueError):
                readable = []
            if self._master in readable:
                try:
                    data = os.read(self._master, 65536)
                except (BlockingIOError, OSError):
                    data = b""
                self._receive_from_host(data)
            if self._staged and time.monotonic() >= self._in_free:
                self._inbuf += self._staged
                del self._staged[:]
            for link in readable:
                if link is not self._master:
                    self._receive(link)
            for link in self.links.values():
                if link.tls and not link.eof and link.sock.pending():
                    self._receive(link)
            for due in [t for t in self.timers if t[0] <= time.monotonic()]:
                self.timers.remove(due)
                due[1]()
            if time.monotonic() >= self._stall_until:
                if self._data_wanted is None or self._inbuf:
                    self._process_input()
                if self._data_wanted is not None and time.monotonic() > self._data_wanted[2]:
                    self._abandon_data()
                if self._data_wanted is None:
                    self._deliver()
            self._write_out()
