"""An AT-command modem on a pseudo-terminal, for tests and demos (CPython only).

    python -m microhttplib.ports.serial_modem.emulator --family sim800 --link /tmp/modem

speaks one family's dialect as /work/shared/reference/at-modems.md describes
it: echo until ATE0, bring-up replies, DNS through the host resolver, TCP and
TLS links opened as real sockets (TLS verified against --cafile), pull or
push delivery, the family's size limits and URCs. --baud paces the bytes at
the line rate (10 bits a byte). Faults can be armed from the command line or,
in-process, with Emulator.fault():

  reset         the next command gets the reset banner instead of a reply
  send-fail     the next data send fails (and the link drops)
  dns-fail      the next DNS lookup fails
  connect-fail  the next link open fails
  stall:S       the next command is answered S seconds late
  close:K       the next link opened is closed by the peer after K bytes
  busy          (esp_at) the next command is dropped with "busy p..."
  netdown       the data context (or Wi-Fi) drops between two commands:
                every link is gone until the next bring-up
  urc           (persistent) URCs between every command and its reply and
                inside pull-read replies
  garbage       (persistent) line noise before every reply
"""

import argparse
import os
import pty
import select
import socket
import ssl
import threading
import time
import tty

PERSISTENT_FAULTS = ("urc", "garbage")
ONE_SHOT_FAULTS = ("reset", "send-fail", "dns-fail", "connect-fail", "stall", "close", "netdown", "busy")


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

    def fileno(self):
        return self.sock.fileno()


class Dialect:
    """What every family shares; subclasses set the words and formats."""

    name = ""
    banner = b"RDY"
    max_send = 1460
    max_read = 1460
    push_frame = 0  # > 0: active mode exists, frames of at most this size
    rearm_after_empty_read = False  # BG96: no new recv URC until a read found nothing
    close_after_drain = False  # u-blox withholds +UUSOCL until the data is read
    prompt = b"\r\n> "
    busy_word = None  # what a busy module says instead of running a command

    def __init__(self, emu):
        self.emu = emu
        self.push = False
        self.reset_state()

    def reset_state(self):
        self.net_up = False
        self.tls_next = False
        self.sni = {}

    # helpers the handlers use
    def reply(self, *lines):
        self.emu.reply(*lines)

    def ok(self):
        self.reply(b"OK")

    def error(self):
        self.reply(b"ERROR")

    def resolve(self, host):
        if self.emu.take_fault("dns-fail"):
            return None
        try:
            return socket.getaddrinfo(host, None, socket.AF_INET)[0][4][0]
        except OSError:
            return None

    def read_reply(self, link, want):
        """Up to want buffered bytes for a pull read; re-arms the readable URC."""
        data = bytes(link.buf[:want])
        del link.buf[:want]
        if not link.buf and (not data or not self.rearm_after_empty_read):
            link.notified = False
        return data

    def accept_send(self, n, size):
        """AT+CIPSEND=<link>,<size>: prompt, then take exactly size bytes (SIMCom, ESP-AT)."""
        if n not in self.emu.links or size > self.max_send or size < 1:
            return self.error()
        return self.emu.expect_data(size, lambda data: self.sent(n, data), self.prompt)

    def noise(self):
        """A URC that a driver must process without taking it as a reply."""
        for key in self.emu.links:
            return self.readable_urc(self.emu.links[key])
        return b"+CREG: 1"


class SIM800(Dialect):
    name = "sim800"
    netdown_urc = b"+PDP: DEACT"

    def handle(self, name, op, args):
        emu = self.emu
        if name == "+CIPSHUT":
            emu.close_all()
            self.net_up = False
            return self.reply(b"SHUT OK")
        if name in ("+CGATT", "+CIPMUX", "+CIPQSEND", "+CSTT"):
            return self.ok()
        if name == "+CIPRXGET" and args and args[0] == "1":
            return self.ok()
        if name == "+CIICR":
            self.net_up = True
            return self.ok()
        if name == "+CIFSR":
            return self.reply(b"10.64.0.2") if self.net_up else self.error()
        if not self.net_up:
            return self.error()
        if name == "+CDNSGIP":
            ip = self.resolve(args[0])
            self.ok()
            if ip is None:
                return self.reply(b"+CDNSGIP: 0,8")
            return self.reply(('+CDNSGIP: 1,"%s","%s"' % (args[0], ip)).encode())
        if name == "+CIPSSL":
            self.tls_next = args[0] == "1"
            return self.ok()
        if name == "+CIPSTART":
            n = int(args[0])
            if n in emu.links:
                return self.reply(b"OK", b"%d, ALREADY CONNECT" % n)
            self.ok()
            link = emu.open_link(n, args[2], int(args[3]), self.tls_next, args[2])
            return self.reply(b"%d, CONNECT OK" % n if link else b"%d, CONNECT FAIL" % n)
        if name == "+CIPSEND":
            return self.accept_send(int(args[0]), int(args[1]))
        if name == "+CIPRXGET" and args[0] == "2":
            n, want = int(args[1]), int(args[2])
            link = emu.links.get(n)
            if link is None or want > self.max_read:
                return self.error()
            data = self.read_reply(link, want)
            head = b"+CIPRXGET: 2,%d,%d,%d" % (n, len(data), len(link.buf))
            return emu.payload_reply(head + b"\r\n", data, b"\r\n", b"OK")
        if name == "+CIPRXGET" and args[0] == "4":
            link = emu.links.get(int(args[1]))
            return self.reply(b"+CIPRXGET: 4,%s,%d" % (args[1].encode(), len(link.buf) if link else 0), b"OK")
        if name == "+CIPCLOSE":
            n = int(args[0])
            if n not in emu.links:
                return self.error()
            emu.drop_link(n)
            return self.reply(b"%d, CLOSE OK" % n)
        return self.error()

    def sent(self, n, data):
        if self.emu.take_fault("send-fail") or not self.emu.forward(n, data):
            self.reply(b"%d, SEND FAIL" % n)
            return self.emu.drop_link(n, report=True)
        self.reply(b"DATA ACCEPT:%d,%d" % (n, len(data)))

    def readable_urc(self, link):
        return b"+CIPRXGET: 1,%d" % link.key

    def closed_urc(self, link):
        return b"%d, CLOSED" % link.key


class SIM7600(SIM800):
    name = "sim7600"
    netdown_urc = b"+CIPEVENT: NETWORK CLOSED UNEXPECTEDLY"
    max_send = 1500
    max_read = 1500
    prompt = b"\r\n>"

    def handle(self, name, op, args):
        emu = self.emu
        if name == "+NETCLOSE":
            if not self.net_up:
                return self.reply(b"+IP ERROR: Network is already closed", b"ERROR")
            emu.close_all()
            self.net_up = False
            return self.reply(b"OK", b"+NETCLOSE: 0")
        if name in ("+CGDCONT", "+CIPMODE", "+CCHSET", "+CCHSSLCFG") or (name == "+CIPRXGET" and args[0] == "1"):
            return self.ok()
        if name == "+NETOPEN":
            if self.net_up:
                return self.reply(b"+IP ERROR: Network is already opened", b"ERROR")
            self.net_up = True
            return self.reply(b"OK", b"+NETOPEN: 0")
        if name == "+IPADDR":
            return self.reply(b"+IPADDR: 10.64.0.2", b"OK")
        if not self.net_up:
            return self.error()
        if name == "+CDNSGIP":
            ip = self.resolve(args[0])
            if ip is None:
                return self.reply(b"+CDNSGIP: 0,10", b"ERROR")
            return self.reply(('+CDNSGIP: 1,"%s","%s"' % (args[0], ip)).encode(), b"OK")
        if name == "+CIPOPEN":
            n = int(args[0])
            if n in emu.links:
                return self.reply(b"+CIPOPEN: %d,4" % n, b"ERROR")
            self.ok()
            link = emu.open_link(n, args[2], int(args[3]), False, args[2])
            return self.reply(b"+CIPOPEN: %d,%d" % (n, 0 if link else 10))
        if name == "+CIPSEND":
            return self.accept_send(int(args[0]), int(args[1]))
        if name == "+CIPRXGET" and args[0] == "2":
            n, want = int(args[1]), int(args[2])
            link = emu.links.get(n)
            if link is None or want > self.max_read:
                return self.error()
            if not link.buf:
                self.read_reply(link, want)
                return self.reply(b"+IP ERROR: No data", b"ERROR")
            data = self.read_reply(link, want)
            head = b"+CIPRXGET: 2,%d,%d,%d" % (n, len(data), len(link.buf))
            return emu.payload_reply(head + b"\r\n", data, b"\r\n", b"OK")
        if name == "+CIPCLOSE":
            n = int(args[0])
            if n not in emu.links:
                return self.error()
            emu.drop_link(n)
            return self.reply(b"OK", b"+CIPCLOSE: %d,0" % n)
        if name == "+CCHSTART":
            return self.reply(b"OK", b"+CCHSTART: 0")
        if name == "+CCHOPEN":
            n = int(args[0])
            key = ("cch", n)
            if key in emu.links:
                return self.reply(b"+CCHOPEN: %d,4" % n, b"ERROR")
            self.ok()
            link = emu.open_link(key, args[1], int(args[2]), True, args[1])
            return self.reply(b"+CCHOPEN: %d,%d" % (n, 0 if link else 4))
        if name == "+CCHSEND":
            key, size = ("cch", int(args[0])), int(args[1])
            if key not in emu.links or size > self.max_send or size < 1:
                return self.error()
            return emu.expect_data(size, lambda data: self.cch_sent(key, data), self.prompt)
        if name == "+CCHRECV":
            key, want = ("cch", int(args[0])), int(args[1])
            link = emu.links.get(key)
            if link is None or want > self.max_read:
                return self.error()
            data = self.read_reply(link, want)
            self.ok()
            if data:
                emu.payload_reply(b"+CCHRECV: DATA,%d,%d\r\n" % (key[1], len(data)), data, b"\r\n", b"+CCHRECV: %d,0" % key[1])
            else:
                self.reply(b"+CCHRECV: %d,0" % key[1])
            return
        if name == "+CCHCLOSE":
            key = ("cch", int(args[0]))
            if key not in emu.links:
                return self.error()
            emu.drop_link(key)
            return self.reply(b"OK", b"+CCHCLOSE: %d,0" % key[1])
        return self.error()

    def sent(self, n, data):
        if self.emu.take_fault("send-fail") or not self.emu.forward(n, data):
            self.reply(b"OK", b"+CIPSEND: %d,%d,-1" % (n, len(data)))
            return self.emu.drop_link(n, report=True)
        self.reply(b"OK", b"+CIPSEND: %d,%d,%d" % (n, len(data), len(data)))

    def cch_sent(self, key, data):
        if self.emu.take_fault("send-fail") or not self.emu.forward(key, data):
            self.reply(b"ERROR")
            return self.emu.drop_link(key, report=True)
        self.reply(b"OK", b"+CCHSEND: %d,0" % key[1])

    def readable_urc(self, link):
        if isinstance(link.key, tuple):
            return b"+CCHEVENT: %d,RECV EVENT" % link.key[1]
        return b"+CIPRXGET: 1,%d" % link.key

    def closed_urc(self, link):
        if isinstance(link.key, tuple):
            return b"+CCH_PEER_CLOSED: %d" % link.key[1]
        return b"+IPCLOSE: %d,1" % link.key


class ESPAT(Dialect):
    name = "esp_at"
    netdown_urc = b"WIFI DISCONNECT"
    busy_word = b"busy p..."
    banner = b"ready"
    max_send = 2048
    max_read = 2048
    push_frame = 2920
    prompt = b"\r\nOK\r\n\r\n>"

    def reset_state(self):
        Dialect.reset_state(self)
        self.push = True  # active mode until AT+CIPRECVMODE=1

    def handle(self, name, op, args):
        emu = self.emu
        if name in ("+CWMODE", "+CIPMUX"):
            return self.ok()
        if name == "+CWJAP":
            if not args[0]:
                return self.reply(b"+CWJAP:3", b"ERROR")
            self.net_up = True
            return self.reply(b"WIFI CONNECTED", b"WIFI GOT IP", b"OK")
        if name == "+CIPRECVMODE":
            self.push = args[0] == "0"
            return self.ok()
        if not self.net_up:
            return self.error()
        if name == "+CIPDOMAIN":
            ip = self.resolve(args[0])
            if ip is None:
                return self.reply(b"DNS Fail", b"ERROR")
            return self.reply(('+CIPDOMAIN:"%s"' % ip).encode(), b"OK")
        if name == "+CIPSSLCSNI":
            self.sni[int(args[0])] = args[1]
            return self.ok()
        if name == "+CIPSTART":
            n = int(args[0])
            if n in emu.links:
                return self.reply(b"ALREADY CONNECTED", b"ERROR")
            tls = args[1] == "SSL"
            link = emu.open_link(n, args[2], int(args[3]), tls, self.sni.get(n, args[2]))
            if link is None:
                return self.reply(b"%d,CLOSED" % n, b"ERROR")
            return self.reply(b"%d,CONNECT" % n, b"OK")
        if name == "+CIPSEND":
            return self.accept_send(int(args[0]), int(args[1]))
        if name == "+CIPRECVDATA":
            n, want = int(args[0]), int(args[1])
            link = emu.links.get(n)
            if link is None or not link.buf:
                return self.error()
            data = self.read_reply(link, min(want, self.max_read))
            return emu.payload_reply(b"+CIPRECVDATA:%d," % len(data), data, b"\r\n", b"OK")
        if name == "+CIPRECVLEN":
            lens = [str(len(emu.links[n].buf)) if n in emu.links else "0" for n in range(5)]
            return self.reply(("+CIPRECVLEN:" + ",".join(lens)).encode(), b"OK")
        if name == "+CIPCLOSE":
            n = int(args[0])
            if n not in emu.links:
                return self.error()
            emu.drop_link(n)
            return self.reply(b"%d,CLOSED" % n, b"OK")
        return self.error()

    def sent(self, n, data):
        self.reply(b"Recv %d bytes" % len(data))
        if self.emu.take_fault("send-fail") or not self.emu.forward(n, data):
            self.reply(b"SEND FAIL")
            return self.emu.drop_link(n, report=True)
        self.reply(b"SEND OK")

    def readable_urc(self, link):
        return b"+IPD,%d,%d" % (link.key, len(link.buf))

    def push_header(self, link, size):
        return b"\r\n+IPD,%d,%d:" % (link.key, size)

    def closed_urc(self, link):
        return b"%d,CLOSED" % link.key


class BG96(Dialect):
    name = "bg96"
    netdown_urc = b'+QIURC: "pdpdeact",1'
    banner = b"RDY"
    max_send = 1460
    max_read = 1500
    rearm_after_empty_read = True

    def handle(self, name, op, args):
        emu = self.emu
        if name in ("+QICSGP", "+QSSLCFG"):
            return self.ok()
        if name == "+QIDEACT":
            emu.close_all()
            self.net_up = False
            return self.ok()
        if name == "+QIACT":
            if self.net_up:
                return self.error()
            self.net_up = True
            return self.ok()
        if not self.net_up:
            return self.error()
        if name == "+QIDNSGIP":
            ip = self.resolve(args[1])
            self.ok()
            if ip is None:
                return self.reply(b'+QIURC: "dnsgip",565')
            return self.reply(b'+QIURC: "dnsgip",0,1,600', ('+QIURC: "dnsgip","%s"' % ip).encode())
        if name in ("+QIOPEN", "+QSSLOPEN"):
            tls = name == "+QSSLOPEN"
            n = int(args[2] if tls else args[1])
            host, port = (args[3], args[4]) if tls else (args[3], args[4])
            if n in emu.links:
                return self.reply(b"ERROR")
            self.ok()
            link = emu.open_link(n, host, int(port), tls, host)
            return self.reply(b"%s: %d,%d" % (name.encode(), n, 0 if link else 566))
        if name in ("+QISEND", "+QSSLSEND"):
            n, size = int(args[0]), int(args[1])
            if n not in emu.links or size > self.max_send or size < 1:
                return self.error()
            return emu.expect_data(size, lambda data: self.sent(n, data), self.prompt)
        if name in ("+QIRD", "+QSSLRECV"):
            n, want = int(args[0]), int(args[1])
            link = emu.links.get(n)
            if link is None or want > self.max_read:
                return self.error()
            data = self.read_reply(link, want)
            return emu.payload_reply(b"%s: %d\r\n" % (name.encode(), len(data)), data, b"\r\n", b"OK")
        if name in ("+QICLOSE", "+QSSLCLOSE"):
            emu.drop_link(int(args[0]))
            return self.ok()
        return self.error()

    def sent(self, n, data):
        if self.emu.take_fault("send-fail") or not self.emu.forward(n, data):
            self.reply(b"SEND FAIL")
            return self.emu.drop_link(n, report=True)
        self.reply(b"SEND OK")

    def readable_urc(self, link):
        return b'+%s: "recv",%d' % (b"QSSLURC" if link.tls else b"QIURC", link.key)

    def closed_urc(self, link):
        return b'+%s: "closed",%d' % (b"QSSLURC" if link.tls else b"QIURC", link.key)


class SARAR4(Dialect):
    name = "sara_r4"
    netdown_urc = b"+UUPSDD: 0"
    banner = None  # a rebooted u-blox module just has echo on again
    max_send = 1024
    max_read = 1024
    close_after_drain = True
    prompt = b"@"
    short_write = 768  # accepted per write: the driver must resend the rest

    def handle(self, name, op, args):
        emu = self.emu
        if name in ("+CGATT", "+CGDCONT"):
            return self.ok()
        if name == "+CGACT":
            self.net_up = True
            return self.ok()
        if not self.net_up:
            return self.error()
        if name == "+UDNSRN":
            ip = self.resolve(args[1])
            if ip is None:
                return self.reply(b"+CME ERROR: 8")
            return self.reply(('+UDNSRN: "%s"' % ip).encode(), b"OK")
        if name == "+USOCR":
            n = next(i for i in range(7) if i not in emu.links and i not in emu.pending)
            emu.pending[n] = False
            return self.reply(b"+USOCR: %d" % n, b"OK")
        if name == "+USOSEC":
            emu.pending[int(args[0])] = args[1] == "1"
            return self.ok()
        if name == "+USOCO":
            n = int(args[0])
            if n not in emu.pending:
                return self.reply(b"+CME ERROR: 4")
            link = emu.open_link(n, args[1], int(args[2]), emu.pending.pop(n), args[1])
            return self.ok() if link else self.reply(b"+CME ERROR: 4")
        if name == "+USOWR":
            n, size = int(args[0]), int(args[1])
            if n not in emu.links or size > self.max_send or size < 1:
                return self.error()
            return emu.expect_data(size, lambda data: self.sent(n, data), self.prompt)
        if name == "+USORD":
            n, want = int(args[0]), int(args[1])
            link = emu.links.get(n)
            if link is None or want > self.max_read:
                return self.error()
            data = self.read_reply(link, want)
            return emu.payload_reply(b'+USORD: %d,%d,"' % (n, len(data)), data, b'"\r\n', b"OK")
        if name == "+USOCL":
            n = int(args[0])
            emu.pending.pop(n, None)
            if n not in emu.links:
                return self.error()
            emu.drop_link(n)
            return self.ok()
        return self.error()

    def sent(self, n, data):
        taken = data[:self.short_write]
        if self.emu.take_fault("send-fail") or not self.emu.forward(n, taken):
            self.reply(b"+CME ERROR: Operation not allowed")
            return self.emu.drop_link(n, report=True)
        self.reply(b"+USOWR: %d,%d" % (n, len(taken)), b"OK")

    def readable_urc(self, link):
        return b"+UUSORD: %d,%d" % (link.key, len(link.buf))

    def closed_urc(self, link):
        return b"+UUSOCL: %d" % link.key


DIALECTS = {d.name: d for d in (SIM800, SIM7600, ESPAT, BG96, SARAR4)}


class Emulator:
    """One emulated modem on a pseudo-terminal, served by a thread.

    start() returns the device path (also symlinked at `link` if given).
    """

    def __init__(self, family="sim800", link=None, baud=None, cafile=None, faults=(), modem_buffer=16384):
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
        self._faults = {}
        self._persistent = set()
        self._inbuf = bytearray()
        self._out = bytearray()
        self._data_wanted = None
        self._after_cr = False
        self._stall_until = 0.0
        self._line_free = 0.0  # when the modem-to-host line is idle again
        self._in_free = 0.0  # when the last staged host byte has arrived
        self._staged = bytearray()  # host bytes still "on the wire" (--baud)
        self._lock = threading.Lock()
        self._stopping = False
        self._thread = None
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
            if os.path.lexists(self.link_path):
                os.unlink(self.link_path)
            os.symlink(self.path, self.link_path)
        self._thread = threading.Thread(target=self._run, name="modem-emulator", daemon=True)
        self._thread.start()
        return self.path

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

    def emit(self, data):
        self._out += data

    def reply(self, *lines):
        for line in lines:
            self._out += b"\r\n" + line + b"\r\n"

    def payload_reply(self, head, data, tail, done):
        """A pull-read reply; with the urc fault, URCs go around the payload."""
        self._out += b"\r\n" + head + data + tail
        if "urc" in self._persistent:
            self.reply(self.dialect.noise())
        self.reply(done)

    def expect_data(self, size, then, prompt):
        self._data_wanted = (size, then)
        self._out += prompt

    # ---- links --------------------------------------------------------

    def open_link(self, key, host, port, tls, server_name):
        if self.take_fault("connect-fail"):
            return None
        try:
            sock = socket.create_connection((host, port), timeout=5)
            if tls:
                context = ssl.create_default_context(cafile=self.cafile)
                sock = context.wrap_socket(sock, server_hostname=server_name)
            sock.setblocking(False)
        except (OSError, ssl.SSLError):
            return None
        limit = self.take_fault("close")
        link = Link(key, sock, tls, int(limit[0] or 0) if limit else None)
        self.links[key] = link
        return link

    def forward(self, key, data):
        link = self.links.get(key)
        if link is None or link.eof:
            return False
        try:
            link.sock.setblocking(True)
            link.sock.sendall(data)
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
                    self._peer_gone(link)
                    return
            if not data:
                self._peer_gone(link)
                return
            link.buf += data

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
        upper = line.upper()
        if upper in ("AT", "ATI"):
            return self.reply(b"OK")
        if upper in ("ATE0", "ATE1"):
            self.echo = upper == "ATE1"
            return self.reply(b"OK")
        if not upper.startswith("AT+"):
            return self.reply(b"ERROR")
        body = line[2:]
        for op in ("=", "?"):
            if op in body:
                name, _, rest = body.partition(op)
                break
        else:
            name, op, rest = body, "", ""
        self.dialect.handle(name.upper(), op, split_args(rest) if rest else [])

    def _reset(self):
        self.close_all()
        self.dialect.reset_state()
        self.echo = True
        self._data_wanted = None
        if self.dialect.banner:
            self.reply(self.dialect.banner)

    def _process_input(self):
        while self._inbuf and time.monotonic() >= self._stall_until:
            if self._after_cr:  # the LF of a command's CR LF is not data
                self._after_cr = False
                if self._inbuf[0] == 10:
                    del self._inbuf[0]
                    continue
            if self._data_wanted:
                size, then = self._data_wanted
                if len(self._inbuf) < size:
                    return
                data = bytes(self._inbuf[:size])
                del self._inbuf[:size]
                self._data_wanted = None
                then(data)
                continue
            end = self._inbuf.find(b"\r")
            if end < 0:
                if len(self._inbuf) > 4096:
                    del self._inbuf[:]
                return
            line = bytes(self._inbuf[:end]).strip(b"\n ")
            del self._inbuf[:end + 1]
            self._after_cr = True
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
        if not self.baud:
            self._inbuf += data
            return
        self._in_free = max(self._in_free, time.monotonic()) + len(data) * 10 / self.baud
        self._staged += data

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
            if time.monotonic() >= self._stall_until:
                if self._data_wanted is None or self._inbuf:
                    self._process_input()
                if self._data_wanted is None:
                    self._deliver()
            self._write_out()


def main(argv=None):
    parser = argparse.ArgumentParser(description="AT-command modem emulator on a pseudo-terminal")
    parser.add_argument("--family", default="sim800", choices=sorted(DIALECTS))
    parser.add_argument("--link", required=True, help="symlink to create for the pty device")
    parser.add_argument("--baud", type=int, default=None, help="pace output at this line rate")
    parser.add_argument("--cafile", default=None, help="CA bundle the modem verifies TLS servers with")
    parser.add_argument("--fault", action="append", default=[], help="NAME[:ARG], repeatable")
    args = parser.parse_args(argv)
    emu = Emulator(args.family, link=args.link, baud=args.baud, cafile=args.cafile, faults=args.fault)
    path = emu.start()
    print("%s modem on %s -> %s" % (args.family, args.link, path), flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        emu.stop()


if __name__ == "__main__":
    main()
