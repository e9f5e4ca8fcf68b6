"""What every emulated family shares: the reply helpers and the command dispatch.

A family (sim800.py, ...) subclasses Dialect with its words, limits and
tables, and one `at_<NAME>(op, args)` method per command with behaviour
(AT+CIPSTART is at_CIPSTART; op is "" or "="). The tables:

  answers   "+CSQ", "+CREG?", "I": fixed lines answered (then OK) to that form
  settings  "+CIPMUX": (default, allowed values): AT+X=v stores v (ERROR if not
            allowed), AT+X? answers "+X: v", AT+X=? lists the allowed values;
            a handler, if any, runs instead of the store and calls store()
  tests     "+CIPSTART": the text of the test form (AT+X=?) "+X: <text>"
  accepted  commands answered OK with no effect
  offline   commands served before the data network is up; every other
            set/exec form needs the network and answers ERROR without it

The read form of a command with behaviour is a `read_<NAME>()` method. A
test form of a known command without a table entry answers OK; anything
unknown answers ERROR. Defining a subclass with a `name` registers it in
DIALECTS.
"""

import socket

DIALECTS = {}

# 3GPP TS 27.007 ME error codes the emulator reports
CME_TEXT = {3: b"operation not allowed", 4: b"operation not supported", 10: b"SIM not inserted",
            50: b"Incorrect parameters", 100: b"unknown"}

# What every cellular module answers the same way (identification aside)
CELLULAR_ANSWERS = {
    "+CSQ": "+CSQ: 24,0",
    "+CREG?": "+CREG: 0,1",
    "+CGREG?": "+CGREG: 0,1",
    "+CEREG?": "+CEREG: 0,1",
    "+CPIN?": "+CPIN: READY",
    "+CFUN?": "+CFUN: 1",
    "+COPS?": '+COPS: 0,0,"Emulated Net",7',
    "+CGATT?": "+CGATT: 1",
    "+CIMI": "001010123456789",
    "+CGSN": "867962040000001",
    "+GSN": "867962040000001",
    "+CCID": "89860000000000000001",
    "+CGMI": "Emulated",
}
CELLULAR_SETTINGS = {"+CMEE": ("0", ("0", "1", "2"))}
# V.250 basic commands a module takes and ignores here
BASIC_ACCEPTED = ("Z", "Z0", "&F", "&F0", "&W", "&W0", "V1", "Q0", "&C1", "&D0", "&D1", "&D2")


class Dialect:
    name = ""
    banner = b"RDY"
    max_send = 1460
    max_read = 1460
    push_frame = 0  # > 0: active mode exists, frames of at most this size
    push_by_default = False  # data is pushed until the host asks for pull reads
    rearm_after_empty_read = False  # BG96: no new recv URC until a read found nothing
    close_after_drain = False  # u-blox withholds +UUSOCL until the data is read
    prompt = b"\r\n> "
    busy_word = None  # what a busy module says instead of running a command
    netdown_urc = b""
    max_line = 1024  # longest command line the module takes
    read_sep = ": "  # between a read reply's name and its value ("+CIPMUX: 1")
    answers = {}
    settings = {}
    tests = {}
    accepted = ()
    offline = ()
    boot_codes = ()  # what the module prints at power-up (echo is on then)
    stored_ca = "server_ca.pem"  # the name --cafile sits under on the module
    readiness = True  # answers AT+CPIN? and AT+CREG?/CGREG?/CEREG? from the emulator's settings

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "name" in cls.__dict__:
            DIALECTS[cls.name] = cls

    def __init__(self, emu):
        self.emu = emu
        self.power_on()

    def power_on(self):
        """The state after a (re)boot: settings at their defaults, no network."""
        self.push = self.push_by_default
        self.values = {name: default for name, (default, _) in self.settings.items()}
        self.reset_state()

    def reset_state(self):
        """The network is gone (after a reboot, or a dropped context)."""
        self.net_up = False
        self.tls_next = False
        self.sni = {}

    def handler(self, name, prefix="at_"):
        return getattr(self, prefix + name.lstrip("+&").replace("&", "_"), None)

    def knows(self, name):
        return (name in self.settings or name in self.tests or name in self.accepted
                or name in self.answers or name + "?" in self.answers or self.handler(name) is not None
                or self.handler(name, "read_") is not None)

    def handle(self, name, op, args):
        """Run one command of a line: name ("+CIPSTART", "I", "&F") in upper
        case, op "", "=", "?" or "=?", args split at commas."""
        if op == "=?":
            if not self.knows(name):
                return self.error()
            if name in self.tests:
                self.reply(self.line(name, self.tests[name]))
            elif name in self.settings and self.settings[name][1]:
                self.reply(self.line(name, "(%s)" % ",".join(self.settings[name][1])))
            return self.ok()
        if op == "?":
            reader = self.handler(name, "read_")
            if reader is not None:
                return reader()
            if name + "?" in self.answers:
                return self.answer(self.answers[name + "?"])
            if name in self.settings:
                return self.answer(self.line(name, self.values[name]))
            return self.error()
        if op == "" and name in self.answers:
            return self.answer(self.answers[name])
        if name in self.accepted:
            return self.ok()
        handler = self.handler(name)
        if handler is None:
            if name in self.settings and op == "=":
                return self.ok() if self.store(name, args) else self.error(50)
            return self.error()
        if name not in self.offline and not self.net_up:
            return self.error(3)
        return handler(op, args)

    def store(self, name, args):
        """AT+X=v for a setting: True if v is one it takes."""
        allowed = self.settings[name][1]
        if allowed is None:  # any value list, read back as given
            self.values[name] = ",".join(args)
            return bool(args)
        if len(args) != 1 or args[0] not in allowed:
            return False
        self.values[name] = args[0]
        return True

    def line(self, name, value):
        return ("%s%s%s" % (name, self.read_sep, value)).encode()

    @staticmethod
    def lines(answer):
        """A table answer (one str, or a tuple of them) as reply lines."""
        if isinstance(answer, (str, bytes)):
            answer = (answer,)
        return [line.encode() if isinstance(line, str) else line for line in answer]

    def answer(self, answer):
        self.reply(*self.lines(answer))
        return self.ok()

    def read_CPIN(self):
        """The SIM as the emulator's sim setting says (cellular modules)."""
        emu = self.emu
        if not self.readiness:
            return self.error()
        if emu.sim == "absent":
            return self.error(10)
        return self.answer("+CPIN: SIM PIN" if emu.sim == "pin" else "+CPIN: READY")

    def read_registration(self, name):
        """+CREG: 0,<stat> and friends: searching for register_after s, then
        the emulator's registration setting."""
        if not self.readiness:
            return self.error()
        stat = {"home": 1, "roaming": 5, "searching": 2, "denied": 3, "off": 0}[self.emu.registered()]
        return self.answer("%s: 0,%d" % (name, stat))

    def read_CREG(self):
        return self.read_registration("+CREG")

    def read_CGREG(self):
        return self.read_registration("+CGREG")

    def read_CEREG(self):
        return self.read_registration("+CEREG")

    # helpers the handlers use
    def reply(self, *lines):
        self.emu.reply(*lines)

    def ok(self):
        self.reply(b"OK")

    def error(self, code=None):
        """ERROR, or +CME ERROR: <code> when the module reports ME errors
        (AT+CMEE=1 numeric, 2 verbose) and the failure has a code."""
        mode = self.values.get("+CMEE", "0")
        if code is None or mode == "0":
            return self.reply(b"ERROR")
        if mode == "1":
            return self.reply(b"+CME ERROR: %d" % code)
        return self.reply(b"+CME ERROR: " + CME_TEXT.get(code, b"unknown"))

    def resolve(self, host):
        if self.emu.take_fault("dns-fail"):
            return None
        try:
            return socket.getaddrinfo(host, None, socket.AF_INET)[0][4][0]
        except OSError:
            return None

    def read_reply(self, link, want):
        """Up to want buffered bytes for a pull read (at most one packet with
        the packet option); re-arms the readable URC once drained."""
        if self.emu.packet:
            want = min(want, self.emu.packet)
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
