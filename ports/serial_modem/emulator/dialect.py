"""What every emulated family shares: the reply helpers and the command dispatch.

A family (sim800.py, ...) subclasses Dialect with its words, limits and one
`at_<NAME>(op, args)` method per command it implements (AT+CIPSTART is
at_CIPSTART). `accepted` names commands answered OK with no effect,
`offline` those served before the data network is up; every other command
needs the network and answers ERROR without it. Defining a subclass with
a `name` registers it in DIALECTS.
"""

import socket

DIALECTS = {}


class Dialect:
    name = ""
    banner = b"RDY"
    max_send = 1460
    max_read = 1460
    push_frame = 0  # > 0: active mode exists, frames of at most this size
    rearm_after_empty_read = False  # BG96: no new recv URC until a read found nothing
    close_after_drain = False  # u-blox withholds +UUSOCL until the data is read
    prompt = b"\r\n> "
    busy_word = None  # what a busy module says instead of running a command
    netdown_urc = b""
    accepted = ()  # commands answered OK with no effect
    offline = ()  # commands served before the data network is up

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "name" in cls.__dict__:
            DIALECTS[cls.name] = cls

    def __init__(self, emu):
        self.emu = emu
        self.push = False
        self.reset_state()

    def reset_state(self):
        self.net_up = False
        self.tls_next = False
        self.sni = {}

    def handle(self, name, op, args):
        """Run one AT+<name> command (name keeps its '+')."""
        if name in self.accepted:
            return self.ok()
        handler = getattr(self, "at_" + name[1:], None)
        if handler is None or (name not in self.offline and not self.net_up):
            return self.error()
        return handler(op, args)

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
