"""SIMCom SIM7600 / SIM7500 (LTE): NETOPEN, the CIPOPEN set, and the CCH set for TLS."""

from .dialect import Dialect


class SIM7600(Dialect):
    name = "sim7600"
    netdown_urc = b"+CIPEVENT: NETWORK CLOSED UNEXPECTEDLY"
    max_send = 1500
    max_read = 1500
    prompt = b"\r\n>"
    accepted = ("+CGDCONT", "+CIPMODE", "+CCHSET", "+CCHSSLCFG")
    offline = ("+NETCLOSE", "+NETOPEN", "+IPADDR", "+CIPRXGET")

    def at_NETCLOSE(self, op, args):
        if not self.net_up:
            return self.reply(b"+IP ERROR: Network is already closed", b"ERROR")
        self.emu.close_all()
        self.net_up = False
        return self.reply(b"OK", b"+NETCLOSE: 0")

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
        if n in emu.links:
            return self.reply(b"+CIPOPEN: %d,4" % n, b"ERROR")
        self.ok()
        link = emu.open_link(n, args[2], int(args[3]), False, args[2])
        return self.reply(b"+CIPOPEN: %d,%d" % (n, 0 if link else 10))

    def at_CIPSEND(self, op, args):
        return self.accept_send(int(args[0]), int(args[1]))

    def at_CIPRXGET(self, op, args):
        emu = self.emu
        if args[0] == "1":
            return self.ok()
        if not self.net_up or args[0] != "2":
            return self.error()
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
        link = emu.open_link(key, args[1], int(args[2]), True, args[1])
        return self.reply(b"+CCHOPEN: %d,%d" % (n, 0 if link else 4))

    def at_CCHSEND(self, op, args):
        key, size = ("cch", int(args[0])), int(args[1])
        if key not in self.emu.links or size > self.max_send or size < 1:
            return self.error()
        return self.emu.expect_data(size, lambda data: self.cch_sent(key, data), self.prompt)

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
