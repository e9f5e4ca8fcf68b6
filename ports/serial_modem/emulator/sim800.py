"""SIMCom SIM800 / SIM900: the multi-link TCP toolkit with pull reads."""

from .dialect import Dialect


class SIM800(Dialect):
    name = "sim800"
    netdown_urc = b"+PDP: DEACT"
    accepted = ("+CGATT", "+CIPMUX", "+CIPQSEND", "+CSTT")
    offline = ("+CIPSHUT", "+CIPRXGET", "+CIICR", "+CIFSR")

    def at_CIPSHUT(self, op, args):
        self.emu.close_all()
        self.net_up = False
        return self.reply(b"SHUT OK")

    def at_CIICR(self, op, args):
        self.net_up = True
        return self.ok()

    def at_CIFSR(self, op, args):
        return self.reply(b"10.64.0.2") if self.net_up else self.error()

    def at_CDNSGIP(self, op, args):
        ip = self.resolve(args[0])
        self.ok()
        if ip is None:
            return self.reply(b"+CDNSGIP: 0,8")
        return self.reply(('+CDNSGIP: 1,"%s","%s"' % (args[0], ip)).encode())

    def at_CIPSSL(self, op, args):
        self.tls_next = args[0] == "1"
        return self.ok()

    def at_CIPSTART(self, op, args):
        emu = self.emu
        n = int(args[0])
        if n in emu.links:
            return self.reply(b"OK", b"%d, ALREADY CONNECT" % n)
        self.ok()
        link = emu.open_link(n, args[2], int(args[3]), self.tls_next, args[2])
        return self.reply(b"%d, CONNECT OK" % n if link else b"%d, CONNECT FAIL" % n)

    def at_CIPSEND(self, op, args):
        return self.accept_send(int(args[0]), int(args[1]))

    def at_CIPRXGET(self, op, args):
        emu = self.emu
        if args and args[0] == "1":
            return self.ok()
        if not self.net_up:
            return self.error()
        if args[0] == "2":
            n, want = int(args[1]), int(args[2])
            link = emu.links.get(n)
            if link is None or want > self.max_read:
                return self.error()
            data = self.read_reply(link, want)
            head = b"+CIPRXGET: 2,%d,%d,%d" % (n, len(data), len(link.buf))
            return emu.payload_reply(head + b"\r\n", data, b"\r\n", b"OK")
        if args[0] == "4":
            link = emu.links.get(int(args[1]))
            return self.reply(b"+CIPRXGET: 4,%s,%d" % (args[1].encode(), len(link.buf) if link else 0), b"OK")
        return self.error()

    def at_CIPCLOSE(self, op, args):
        n = int(args[0])
        if n not in self.emu.links:
            return self.error()
        self.emu.drop_link(n)
        return self.reply(b"%d, CLOSE OK" % n)

    def sent(self, n, data):
        if self.emu.take_fault("send-fail") or not self.emu.forward(n, data):
            self.reply(b"%d, SEND FAIL" % n)
            return self.emu.drop_link(n, report=True)
        self.reply(b"DATA ACCEPT:%d,%d" % (n, len(data)))

    def readable_urc(self, link):
        return b"+CIPRXGET: 1,%d" % link.key

    def closed_urc(self, link):
        return b"%d, CLOSED" % link.key
