"""SIMCom SIM7600 / SIM7500 (LTE): NETOPEN, the CIPOPEN set, and the CCH set for TLS."""

from .dialect import Dialect, CELLULAR_ANSWERS, CELLULAR_SETTINGS, BASIC_ACCEPTED

LINKS = range(10)


class SIM7600(Dialect):
    name = "sim7600"
    netdown_urc = b"+CIPEVENT: NETWORK CLOSED UNEXPECTEDLY"
    max_send = 1500
    max_read = 1500
    prompt = b"\r\n>"
    boot_codes = (b"RDY", b"+CPIN: READY", b"SMS DONE", b"PB DONE")
    answers = dict(
        CELLULAR_ANSWERS,
        **{
            "I": ("Manufacturer: SIMCOM INCORPORATED", "Model: SIMCOM_SIM7600E-H", "Revision: SIM7600M22_V1.1",
                  "IMEI: 867962040000001", "+GCAP: +CGSM"),
            "+CGMR": "+CGMR: LE20B04SIM7600M22",
            "+GMR": "+GMR: LE20B04SIM7600M22",
            "+CGMM": "SIMCOM_SIM7600E-H",
            "+CGMI": "SIMCOM INCORPORATED",
            "+CICCID": "+ICCID: 89860000000000000001",
            "+CSPN?": '+CSPN: "Emulated",0',
            "+CNSMOD?": "+CNSMOD: 0,8",
            "+CPSI?": "+CPSI: LTE,Online,001-01,0x0001,1,1,EUTRAN-BAND3,1300,5,5,-94,-850,-600,15",
        }
    )
    settings = dict(
        CELLULAR_SETTINGS,
        **{
            "+CIPMODE": ("0", ("0", "1")),
            "+CIPSENDMODE": ("0", ("0", "1")),
            "+CGATT": ("1", ("0", "1")),
            "+CNMP": ("2", ("2", "13", "14", "38", "39", "48", "51", "54", "59", "60", "63", "67")),
            "+CTZU": ("0", ("0", "1")),
            "+CTZR": ("0", ("0", "1")),
            "+CSCLK": ("0", ("0", "1", "2")),
            "+CCHSET": ("0,0", None),
        }
    )
    tests = {
        "+CIPOPEN": '(0-9),("TCP","UDP")',
        "+CIPSEND": "(0-9),(1-1500)",
        "+CIPRXGET": "(0-4),(0-9),(1-1500)",
        "+CIPCLOSE": "(0-9)",
        "+NETOPEN": "",
    }
    accepted = BASIC_ACCEPTED + ("+CGDCONT", "+CGAUTH", "+CFUN", "+IPR", "+IFC", "+ICF", "+CGACT")
    offline = ("+NETCLOSE", "+NETOPEN", "+IPADDR", "+CGPADDR", "+CIPRXGET", "+CIPCCFG", "+CIPTIMEOUT", "+CCHSET",
               "+CSSLCFG", "+CCHSSLCFG", "+CCERTDOWN", "+CCERTLIST")

    def power_on(self):
        Dialect.power_on(self)
        self.values["+CIPRXGET"] = "0"
        self.values["+CIPCCFG"] = "10,0,0,0,1,0,75000"
        self.values["+CIPTIMEOUT"] = "120000,120000,120000"

    def at_CGPADDR(self, op, args):
        """AT+CGPADDR[=<cid>]: the address of context 1."""
        if args not in ([], ["1"]):
            return self.error(50)
        return self.answer("+CGPADDR: 1,%s" % ("10.64.0.2" if self.net_up else "0.0.0.0"))

    def at_CIPCCFG(self, op, args):
        return self.configure("+CIPCCFG", args, 7)

    def at_CIPTIMEOUT(self, op, args):
        return self.configure("+CIPTIMEOUT", args, 3)

    def at_CCHSET(self, op, args):
        return self.configure("+CCHSET", args, 2)

    def configure(self, name, args, most):
        """A command that stores up to `most` numbers, read back as one line."""
        if not 1 <= len(args) <= most or not all(a.isdigit() for a in args if a):
            return self.error(50)
        old = self.values[name].split(",")
        self.values[name] = ",".join(a or o for a, o in zip(args + old[len(args):], old))
        return self.ok()

    def read_CIPCCFG(self):
        return self.answer(self.line("+CIPCCFG", self.values["+CIPCCFG"]))

    def read_CIPTIMEOUT(self):
        return self.answer(self.line("+CIPTIMEOUT", self.values["+CIPTIMEOUT"]))

    def read_NETOPEN(self):
        return self.answer("+NETOPEN: %d" % self.net_up)

    def read_CIPRXGET(self):
        return self.answer("+CIPRXGET: %s" % self.values["+CIPRXGET"])

    def read_CIPCLOSE(self):
        links = self.emu.links
        return self.answer("+CIPCLOSE: " + ",".join("1" if n in links else "0" for n in LINKS))

    def read_CIPOPEN(self):
        rows = []
        for n in LINKS:
            link = self.emu.links.get(n)
            rows.append('+CIPOPEN: %d,"TCP","%s",%d,-1' % ((n,) + link.peer) if link else "+CIPOPEN: %d" % n)
        return self.answer(rows)

    def reset_state(self):
        Dialect.reset_state(self)
        self.closing = False
        self.ssl = {}  # SSL context -> {"authmode": "0", "cacert": name, "enablesni": "0"}: no checks
        self.bound = {}  # CCH session -> SSL context (AT+CCHSSLCFG)

    def at_CSSLCFG(self, op, args):
        if len(args) < 3:
            return self.error()
        self.ssl.setdefault(int(args[1]), {})[args[0].lower()] = args[2]
        return self.ok()

    def at_CCHSSLCFG(self, op, args):
        self.bound[int(args[0])] = int(args[1])
        return self.ok()

    def at_CCERTDOWN(self, op, args):
        if len(args) != 2 or not args[0] or not args[1].isdigit():
            return self.error(50)  # no '>' prompt without a file name and a size
        name, size = args[0], int(args[1])

        def store(data):
            self.emu.files[name] = data.decode("latin-1")
            self.ok()

        return self.emu.expect_data(size, store, self.prompt)

    def at_CCERTLIST(self, op, args):
        self.reply(*[('+CCERTLIST: "%s"' % name).encode() for name in sorted(self.emu.files)])
        return self.ok()

    def tls_settings(self, session, host):
        """(sni, verify) for a CCH session, as its SSL context says; the CA
        file missing makes verification impossible (None, False)."""
        cfg = self.ssl.get(self.bound.get(session, 0), {})
        sni = host if cfg.get("enablesni") == "1" else None
        if cfg.get("authmode", "0") == "0":
            return sni, None
        pem = self.emu.files.get(cfg.get("cacert"))
        return sni, (pem, host) if pem else False

    def at_NETCLOSE(self, op, args):
        if not self.net_up or self.closing:
            return self.reply(b"+IP ERROR: Network is already closed", b"ERROR")
        if self.emu.netclose_delay:  # OK now, the network is down only at +NETCLOSE: 0
            self.closing = True
            self.emu.later(self.emu.netclose_delay, self.closed)
            return self.ok()
        self.emu.close_all()
        self.net_up = False
        return self.reply(b"OK", b"+NETCLOSE: 0")

    def closed(self):
        self.emu.close_all()
        self.net_up = self.closing = False
        self.reply(b"+NETCLOSE: 0")

    def at_NETOPEN(self, op, args):
        if self.net_up:
            return self.reply(b"+IP ERROR: Network is already opened", b"ERROR")
        self.net_up = True
        return self.reply(b"OK", b"+NETOPEN: 0")

    def at_IPADDR(self, op, args):
        return self.reply(b"+IPADDR: 10.64.0.2", b"OK")

    def at_CDNSGIP(self, op, args):
        ip = self.resolve(args[0])
        if ip is None:
            return self.reply(b"+CDNSGIP: 0,10", b"ERROR")
        return self.reply(('+CDNSGIP: 1,"%s","%s"' % (args[0], ip)).encode(), b"OK")

    def at_CIPOPEN(self, op, args):
        emu = self.emu
        n = int(args[0])
        if n not in LINKS or len(args) < 4 or args[1].upper() != "TCP":
            return self.error(50)
        if n in emu.links:
            return self.reply(b"+CIPOPEN: %d,4" % n, b"ERROR")
        self.ok()
        link = emu.open_link(n, args[2], int(args[3]), False)
        return self.reply(b"+CIPOPEN: %d,%d" % (n, 0 if link else 10))

    def at_CIPSEND(self, op, args):
        return self.accept_send(int(args[0]), int(args[1]))

    def at_CIPRXGET(self, op, args):
        emu = self.emu
        if args[0] in ("0", "1") and len(args) == 1:
            self.values["+CIPRXGET"] = args[0]
            return self.ok()
        if not self.net_up:
            return self.error(3)
        if args[0] == "4" and len(args) == 2:
            link = emu.links.get(int(args[1]))
            if link is None:
                return self.error(3)
            return self.answer("+CIPRXGET: 4,%d,%d" % (link.key, len(link.buf)))
        if args[0] != "2" or len(args) != 3:
            return self.error(50)
        n, want = int(args[1]), int(args[2])
        link = emu.links.get(n)
        if link is None or not 0 < want <= self.max_read:
            return self.error()
        if not link.buf:
            self.read_reply(link, want)
            return self.reply(b"+IP ERROR: No data", b"ERROR")
        data = self.read_reply(link, want)
        head = b"+CIPRXGET: 2,%d,%d,%d" % (n, len(data), len(link.buf))
        return emu.payload_reply(head + b"\r\n", data, b"\r\n", b"OK")

    def at_CIPCLOSE(self, op, args):
        n = int(args[0])
        if n not in self.emu.links:
            return self.error()
        self.emu.drop_link(n)
        return self.reply(b"OK", b"+CIPCLOSE: %d,0" % n)

    def at_CCHSTART(self, op, args):
        return self.reply(b"OK", b"+CCHSTART: 0")

    def at_CCHOPEN(self, op, args):
        emu = self.emu
        n = int(args[0])
        key = ("cch", n)
        if key in emu.links:
            return self.reply(b"+CCHOPEN: %d,4" % n, b"ERROR")
        self.ok()
        sni, verify = self.tls_settings(n, args[1])
        link = None if verify is False else emu.open_link(key, args[1], int(args[2]), True, sni, verify)
        return self.reply(b"+CCHOPEN: %d,%d" % (n, 0 if link else 4))

    def at_CCHSEND(self, op, args):
        key, size = ("cch", int(args[0])), int(args[1])
        if key not in self.emu.links or size > self.max_send or size < 1:
            return self.error()
        return self.emu.expect_data(size, lambda data: self.cch_sent(key, data), self.prompt)

    def read_CCHRECV(self):
        """What each of the two CCH sessions holds unread."""
        links = self.emu.links
        held = [len(links[("cch", n)].buf) if ("cch", n) in links else 0 for n in (0, 1)]
        return self.answer("+CCHRECV: LEN,%d,%d" % tuple(held))

    def at_CIPACK(self, op, args):
        """AT+CIPACK=<link>: bytes sent, acknowledged, received on it."""
        link = self.emu.links.get(int(args[0]))
        if link is None or len(args) != 1:
            return self.error(3)
        return self.answer("+CIPACK: %d,%d,%d" % (link.sent, link.sent, link.received))

    def at_CCHRECV(self, op, args):
        emu = self.emu
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

    def at_CCHCLOSE(self, op, args):
        key = ("cch", int(args[0]))
        if key not in self.emu.links:
            return self.error()
        self.emu.drop_link(key)
        return self.reply(b"OK", b"+CCHCLOSE: %d,0" % key[1])

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
