"""u-blox SARA-R4 / N4: CGACT context, USOCR/USOCO sockets, short USOWR writes, USORD reads."""

from .dialect import Dialect, CELLULAR_ANSWERS, CELLULAR_SETTINGS, BASIC_ACCEPTED

SOCKETS = range(7)
REVISION = "L0.0.00.00.05.08 [Apr 17 2019 19:34:02]"
TCP_STATE = {"created": 0, "open": 4, "peer closed": 7}  # +USOCTL: <s>,10,<state>


class SARAR4(Dialect):
    name = "sara_r4"
    netdown_urc = b"+UUPSDD: 0"
    banner = None  # a rebooted u-blox module just has echo on again
    max_send = 1024
    max_read = 1024
    close_after_drain = True
    prompt = b"@"
    short_write = 768  # accepted per write: the driver must resend the rest
    stored_ca = "server_ca"
    answers = dict(
        CELLULAR_ANSWERS,
        **{
            "I": "SARA-R410M-02B",
            "I9": ("L0.0.00.00.05.08,A.02.04", "L0.0.00.00.05.08"),
            "+GMR": REVISION,
            "+CGMR": REVISION,
            "+CGMM": "SARA-R410M-02B",
            "+CGMI": "u-blox",
            "+CIND?": "+CIND: 5,3,0,0,0,0,0,0,0,0,0,0",
            "+UTEMP?": "+UTEMP: 0",
        }
    )
    settings = dict(
        CELLULAR_SETTINGS,
        **{
            "+CGATT": ("1", ("0", "1")),
            "+URAT": ("7", None),
            "+CTZU": ("0", ("0", "1")),
            "+UTEMP": ("0", ("0", "1")),
        }
    )
    tests = {
        "+USOCR": "(6,17),(1-65535)",
        "+USOCO": "(0-6),,(1-65535),(0,1)",
        "+USOWR": "(0-6),(0-1024)",
        "+USORD": "(0-6),(0-1024)",
        "+USOCL": "(0-6),(0,1)",
        "+USOCTL": "(0-6),(0-4,10,11)",
    }
    accepted = BASIC_ACCEPTED + ("+CGDCONT", "+CGAUTH", "+COPS", "+USOSO", "+CFUN", "+IPR", "+IFC", "+ICF", "+UGPS")
    offline = ("+CGACT", "+USECPRF", "+USECMNG")

    def reset_state(self):
        Dialect.reset_state(self)
        self.profiles = {}  # security profile -> {op code: value}; level 0 = no checks

    def at_USECPRF(self, op, args):
        profile = self.profiles.setdefault(int(args[0]), {})
        if len(args) == 1:
            profile.clear()
        elif len(args) >= 3:
            profile[int(args[1])] = args[2]
        return self.ok()

    def at_USECMNG(self, op, args):
        files = self.emu.files
        if args[0] == "3":  # list
            self.reply(*[('"CA","%s","microhttplib test CA","2036/01/01 00:00:00"' % n).encode()
                         for n in sorted(files)])
            return self.ok()
        if args[0] == "2":  # remove
            return self.ok() if files.pop(args[2], None) is not None else self.error()
        if args[0] != "0" or args[1] != "0":
            return self.error()
        name, size = args[2], int(args[3])

        def store(data):
            files[name] = data.decode("latin-1")
            self.reply(('+USECMNG: 0,0,"%s","0123456789abcdef0123456789abcdef"' % name).encode(), b"OK")

        return self.emu.expect_data(size, store, b">")

    def tls_settings(self, profile_id, host):
        """(sni, verify) from a security profile: level 1 checks the chain,
        level 2 also the host name given with op code 4."""
        cfg = self.profiles.get(profile_id, {})
        level = int(cfg.get(0, "0"))
        if level == 0:
            return cfg.get(10), None
        pem = self.emu.files.get(cfg.get(3))
        if not pem or (level >= 2 and not cfg.get(4)):
            return None, False
        return cfg.get(10), (pem, cfg.get(4) if level >= 2 else None)

    def at_CGACT(self, op, args):
        if not args or args[0] not in ("0", "1") or len(args) > 2:
            return self.error(50)
        if args[0] == "0":
            self.emu.close_all()
            self.reset_state()
        else:
            self.net_up = True
        return self.ok()

    def read_CGACT(self):
        return self.answer("+CGACT: 1,%d" % self.net_up)

    def at_UDNSRN(self, op, args):
        if len(args) != 2 or args[0] != "0" or not args[1]:
            return self.error(50)
        ip = self.resolve(args[1])
        if ip is None:
            return self.reply(b"+CME ERROR: 8")
        return self.reply(('+UDNSRN: "%s"' % ip).encode(), b"OK")

    def at_USOCR(self, op, args):
        emu = self.emu
        free = [i for i in SOCKETS if i not in emu.links and i not in emu.pending]
        if not args or args[0] != "6" or not free:
            return self.error(50 if free else 3)
        n = free[0]
        emu.pending[n] = None  # plain TCP until AT+USOSEC names a profile
        return self.reply(b"+USOCR: %d" % n, b"OK")

    def at_USOSEC(self, op, args):
        self.emu.pending[int(args[0])] = (int(args[2]) if len(args) > 2 else 0) if args[1] == "1" else None
        return self.ok()

    def at_USOCO(self, op, args):
        """AT+USOCO=<s>,"host",port: OK once connected; with a fourth argument 1
        (asynchronous) OK at once, then the URC +UUSOCO: <s>,<error> (0 = connected)."""
        emu = self.emu
        n = int(args[0])
        if len(args) not in (3, 4) or (len(args) == 4 and args[3] not in ("0", "1")):
            return self.error(50)
        if n not in emu.pending:
            return self.reply(b"+CME ERROR: 4")
        asynchronous = len(args) == 4 and args[3] == "1"
        if asynchronous:
            self.ok()
        profile = emu.pending.pop(n)
        sni, verify = (None, None) if profile is None else self.tls_settings(profile, args[1])
        link = None if verify is False else emu.open_link(n, args[1], int(args[2]), profile is not None, sni, verify)
        if asynchronous:
            return self.reply(b"+UUSOCO: %d,%d" % (n, 0 if link else 111))
        return self.ok() if link else self.reply(b"+CME ERROR: 4")

    def at_USOCTL(self, op, args):
        """AT+USOCTL=<s>,<param>: 0 type, 1 last error, 10 TCP state, 11 unacknowledged bytes."""
        n, param = int(args[0]), int(args[1])
        link = self.emu.links.get(n)
        if link is None and n not in self.emu.pending:
            return self.error(3)
        if param == 10:
            value = TCP_STATE["created" if link is None else "peer closed" if link.eof else "open"]
        elif param in (0, 1, 11):
            value = {0: 6, 1: 0, 11: 0}[param]
        else:
            return self.error(50)
        return self.answer("+USOCTL: %d,%d,%d" % (n, param, value))

    def at_USOWR(self, op, args):
        n, size = int(args[0]), int(args[1])
        if n not in self.emu.links or size > self.max_send or size < 1:
            return self.error()
        return self.emu.expect_data(size, lambda data: self.sent(n, data), self.prompt)

    def at_USORD(self, op, args):
        emu = self.emu
        n, want = int(args[0]), int(args[1])
        link = emu.links.get(n)
        if link is None or not 0 <= want <= self.max_read or len(args) != 2:
            return self.error()
        if want == 0:  # the query form: how many bytes are waiting
            return self.answer("+USORD: %d,%d" % (n, len(link.buf)))
        data = self.read_reply(link, want)
        return emu.payload_reply(b'+USORD: %d,%d,"' % (n, len(data)), data, b'"\r\n', b"OK")

    def at_USOCL(self, op, args):
        emu = self.emu
        n = int(args[0])
        emu.pending.pop(n, None)
        if n not in emu.links:
            return self.error()
        emu.drop_link(n)
        return self.ok()

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
