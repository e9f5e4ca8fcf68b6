"""SIMCom SIM800 / SIM900: the TCP toolkit, one link (AT+CIPMUX=0, the
default) or six (AT+CIPMUX=1), push (the default) or pull reads
(AT+CIPRXGET=1), CIPQSEND=0/1 send confirmations, the SAPBR bearer.

Replies as in the SIM800 Series TCP/IP Application Note and AT manual.
"""

from .dialect import Dialect, CELLULAR_ANSWERS, CELLULAR_SETTINGS, BASIC_ACCEPTED

LINKS = range(6)
CTRL_Z = b"\x1a"


class SIM800(Dialect):
    name = "sim800"
    netdown_urc = b"+PDP: DEACT"
    boot_codes = (b"RDY", b"+CFUN: 1", b"+CPIN: READY", b"Call Ready", b"SMS Ready")
    max_line = 556
    push_frame = 1460
    push_by_default = True  # AT+CIPRXGET=0 until the host asks for pull reads
    answers = dict(
        CELLULAR_ANSWERS,
        **{
            "I": "SIM800 R14.18",
            "+GMR": "Revision:1418B04SIM800L24",
            "+CGMR": "Revision:1418B04SIM800L24",
            "+CGMM": "SIMCOM_SIM800L",
            "+CGMI": "SIMCOM_Ltd",
            "+CSPN?": '+CSPN: "Emulated",0',
            "+CBC": "+CBC: 0,80,4000",
        }
    )
    settings = dict(
        CELLULAR_SETTINGS,
        **{
            "+CIPMUX": ("0", ("0", "1")),
            "+CIPQSEND": ("0", ("0", "1")),
            "+CIPHEAD": ("0", ("0", "1")),
            "+CIPSRIP": ("0", ("0", "1")),
            "+CIPSSL": ("0", ("0", "1")),
            "+CGATT": ("1", ("0", "1")),
            "+CLTS": ("0", ("0", "1")),
            "+CBATCHK": ("0", ("0", "1")),
            "+CSCLK": ("0", ("0", "1", "2")),
        }
    )
    tests = {
        "+CIPSTART": '(0-5),("TCP","UDP"),("(0-255).(0-255).(0-255).(0-255)"),(1-65535)',
        "+CIPSEND": "(0-5),(1-1460)",
        "+CIPRXGET": "(0-4),(0-5),(1-1460)",
        "+CIPCLOSE": "(0-5),(0,1)",
        "+CSTT": '"APN","USER","PWD"',
        "+SAPBR": '(0-4),(1-3),"ConParamTag","ConParamValue"',
    }
    accepted = BASIC_ACCEPTED + ("+CGDCONT", "+CGACT", "+IPR", "+IFC", "+ICF", "+CFUN")
    offline = ("+CIPSHUT", "+CIPMUX", "+CIPRXGET", "+CSTT", "+CIICR", "+CIFSR", "+CIPSTATUS", "+SAPBR",
               "+CDNSCFG")

    def power_on(self):
        Dialect.power_on(self)
        self.apn = ("CMNET", "", "")
        self.dns_servers = ("0.0.0.0", "0.0.0.0")
        self.bearer = None  # the SAPBR bearer's address when open

    def reset_state(self):
        Dialect.reset_state(self)
        self.ip_state = "IP INITIAL"

    @property
    def single(self):
        return self.values["+CIPMUX"] == "0"

    def link_args(self, args, extra):
        """(link, rest): the link number leads the arguments in multi-link mode only."""
        if self.single:
            if len(args) > extra:
                raise ValueError("too many arguments")
            return 0, args
        if len(args) > extra + 1:
            raise ValueError("too many arguments")
        return int(args[0]), args[1:]

    def tag(self, n):
        """What a per-link reply starts with: '<n>, ' with several links, nothing with one."""
        return b"" if self.single else b"%d, " % n

    # ---- the IP application (CSTT, CIICR, CIFSR, CIPSHUT, CIPSTATUS) ----

    def at_CIPSHUT(self, op, args):
        self.emu.close_all()
        self.reset_state()
        return self.reply(b"SHUT OK")

    def at_CIPMUX(self, op, args):
        if self.emu.links or self.ip_state not in ("IP INITIAL", "IP START", "IP GPRSACT", "IP STATUS"):
            return self.error(3)
        return self.ok() if self.store("+CIPMUX", args) else self.error(50)

    def at_CSTT(self, op, args):
        if self.ip_state != "IP INITIAL" or len(args) > 3:
            return self.error(3)
        self.apn = tuple((args + ["", "", ""])[:3])
        self.ip_state = "IP START"
        return self.ok()

    def read_CSTT(self):
        return self.answer('+CSTT: "%s","%s","%s"' % self.apn)

    def at_CIICR(self, op, args):
        if op or self.ip_state != "IP START":
            return self.error(3)
        self.net_up = True
        self.ip_state = "IP GPRSACT"
        return self.ok()

    def at_CIFSR(self, op, args):
        if op or not self.net_up:
            return self.error(3)
        if self.ip_state == "IP GPRSACT":
            self.ip_state = "IP STATUS"
        return self.reply(b"10.64.0.2")

    def at_CIPSTATUS(self, op, args):
        if op == "=":  # AT+CIPSTATUS=<n>: one link (multi-link mode)
            n = int(args[0])
            if self.single or n not in LINKS:
                return self.error(50)
            return self.answer(self.link_status(b"+CIPSTATUS: ", n))
        self.reply(b"OK", b"STATE: " + self.state().encode())
        if not self.single:
            self.reply(*[self.link_status(b"C: ", n) for n in LINKS])

    def state(self):
        if self.ip_state == "IP STATUS" and self.emu.links:
            return "CONNECT OK" if self.single else "IP PROCESSING"
        return self.ip_state

    def link_status(self, head, n):
        link = self.emu.links.get(n)
        if link is None:
            return head + b'%d,,"","","","INITIAL"' % n
        host, port = link.peer
        state = b"CLOSED" if link.eof else b"CONNECTED"
        return head + b'%d,0,"TCP","%s","%d","%s"' % (n, host.encode(), port, state)

    # ---- the SAPBR bearer (used by the HTTP/FTP applications and FONA-style drivers) ----

    def at_SAPBR(self, op, args):
        cmd, cid = int(args[0]), int(args[1])
        if cid not in (1, 2, 3):
            return self.error(50)
        if cmd == 3 and len(args) == 4:
            return self.ok()
        if cmd == 4 and len(args) == 2:
            return self.answer(("+SAPBR:", "CONTYPE: GPRS", "APN: %s" % self.apn[0], "PHONENUM: ", "USER: ", "PWD: ",
                                "RATE: 2"))
        if cmd == 1 and len(args) == 2:
            if self.bearer:
                return self.error(3)
            self.bearer = "10.64.0.3"
            return self.ok()
        if cmd == 2 and len(args) == 2:
            if self.bearer:
                return self.answer('+SAPBR: %d,1,"%s"' % (cid, self.bearer))
            return self.answer('+SAPBR: %d,3,"0.0.0.0"' % cid)
        if cmd == 0 and len(args) == 2:
            if not self.bearer:
                return self.error(3)
            self.bearer = None
            return self.ok()
        return self.error(50)

    # ---- DNS --------------------------------------------------------------

    def at_CDNSCFG(self, op, args):
        if not 1 <= len(args) <= 2:
            return self.error(50)
        self.dns_servers = (args[0], args[1] if len(args) > 1 else "0.0.0.0")
        return self.ok()

    def read_CDNSCFG(self):
        return self.answer(("PrimaryDns: %s" % self.dns_servers[0], "SecondaryDns: %s" % self.dns_servers[1]))

    def at_CDNSGIP(self, op, args):
        if len(args) != 1 or not args[0]:
            return self.error(50)
        ip = self.resolve(args[0])
        self.ok()
        if ip is None:
            return self.reply(b"+CDNSGIP: 0,8")
        return self.reply(('+CDNSGIP: 1,"%s","%s"' % (args[0], ip)).encode())

    # ---- links ------------------------------------------------------------

    def at_CIPSTART(self, op, args):
        n, rest = self.link_args(args, 3)
        if n not in LINKS or len(rest) != 3 or rest[0].upper() != "TCP":
            return self.error(50)
        if not self.net_up:
            return self.error(3)
        tag = self.tag(n)
        if n in self.emu.links:
            return self.reply(b"OK", tag + b"ALREADY CONNECT")
        self.ok()
        link = self.emu.open_link(n, rest[1], int(rest[2]), self.values["+CIPSSL"] == "1")  # no checks, no SNI
        return self.reply(tag + (b"CONNECT OK" if link else b"CONNECT FAIL"))

    def at_CIPSEND(self, op, args):
        """AT+CIPSEND=[<n>,]<length>, or without the length (AT+CIPSEND,
        AT+CIPSEND=<n>) text ended by Ctrl-Z, as hobby firmware sends it."""
        n, rest = self.link_args(args, 1)
        if rest:
            return self.accept_send(n, int(rest[0]))
        if n not in self.emu.links:
            return self.error(3)

        def text(data):
            if len(data) > self.max_send:
                return self.error(50)
            self.sent(n, data)

        return self.emu.expect_data(CTRL_Z, text, self.prompt)

    def read_CIPSEND(self):
        if self.single:
            return self.answer("+CIPSEND: %d" % self.max_send)
        return self.answer(["+CIPSEND: %d,%d" % (n, self.max_send) for n in LINKS])

    def at_CIPRXGET(self, op, args):
        mode = int(args[0])
        if mode in (0, 1) and len(args) == 1:
            self.push = mode == 0
            self.values["+CIPRXGET"] = args[0]
            return self.ok()
        if self.push or not self.net_up:
            return self.error(3)
        n, rest = self.link_args(args[1:], 1)
        link = self.emu.links.get(n)
        if mode == 2 and len(rest) == 1:
            want = int(rest[0])
            if link is None or not 0 < want <= self.max_read:
                return self.error(3)
            data = self.read_reply(link, want)
            head = b"+CIPRXGET: 2,%s%d,%d" % (b"" if self.single else b"%d," % n, len(data), len(link.buf))
            return self.emu.payload_reply(head + b"\r\n", data, b"\r\n", b"OK")
        if mode == 4 and not rest:
            left = len(link.buf) if link else 0
            return self.answer("+CIPRXGET: 4,%s%d" % ("" if self.single else "%d," % n, left))
        return self.error(50)

    def read_CIPRXGET(self):
        return self.answer("+CIPRXGET: %d" % (0 if self.push else 1))

    def at_CIPCLOSE(self, op, args):
        n, rest = self.link_args(args, 1)
        if rest and rest[0] not in ("0", "1"):
            return self.error(50)
        if n not in self.emu.links:
            return self.error(3)
        self.emu.drop_link(n)
        return self.reply(self.tag(n) + b"CLOSE OK")

    def sent(self, n, data):
        tag = self.tag(n)
        if self.emu.take_fault("send-fail") or not self.emu.forward(n, data):
            self.reply(tag + b"SEND FAIL")
            return self.emu.drop_link(n, report=True)
        if self.values["+CIPQSEND"] == "1":
            return self.reply(b"DATA ACCEPT:%s%d" % (b"" if self.single else b"%d," % n, len(data)))
        self.reply(tag + b"SEND OK")

    def readable_urc(self, link):
        return b"+CIPRXGET: 1" if self.single else b"+CIPRXGET: 1,%d" % link.key

    def push_header(self, link, size):
        if not self.single:
            return b"\r\n+RECEIVE,%d,%d:\r\n" % (link.key, size)
        return b"\r\n+IPD,%d:" % size if self.values["+CIPHEAD"] == "1" else b""

    def closed_urc(self, link):
        return self.tag(link.key) + b"CLOSED"
