"""u-blox SARA-R4 / N4: CGACT context, USOCR/USOCO sockets, short USOWR writes, USORD reads."""

from .dialect import Dialect


class SARAR4(Dialect):
    name = "sara_r4"
    netdown_urc = b"+UUPSDD: 0"
    banner = None  # a rebooted u-blox module just has echo on again
    max_send = 1024
    max_read = 1024
    close_after_drain = True
    prompt = b"@"
    short_write = 768  # accepted per write: the driver must resend the rest
    accepted = ("+CGATT", "+CGDCONT")
    offline = ("+CGACT",)

    def at_CGACT(self, op, args):
        self.net_up = True
        return self.ok()

    def at_UDNSRN(self, op, args):
        ip = self.resolve(args[1])
        if ip is None:
            return self.reply(b"+CME ERROR: 8")
        return self.reply(('+UDNSRN: "%s"' % ip).encode(), b"OK")

    def at_USOCR(self, op, args):
        emu = self.emu
        n = next(i for i in range(7) if i not in emu.links and i not in emu.pending)
        emu.pending[n] = False
        return self.reply(b"+USOCR: %d" % n, b"OK")

    def at_USOSEC(self, op, args):
        self.emu.pending[int(args[0])] = args[1] == "1"
        return self.ok()

    def at_USOCO(self, op, args):
        emu = self.emu
        n = int(args[0])
        if n not in emu.pending:
            return self.reply(b"+CME ERROR: 4")
        link = emu.open_link(n, args[1], int(args[2]), emu.pending.pop(n), args[1])
        return self.ok() if link else self.reply(b"+CME ERROR: 4")

    def at_USOWR(self, op, args):
        n, size = int(args[0]), int(args[1])
        if n not in self.emu.links or size > self.max_send or size < 1:
            return self.error()
        return self.emu.expect_data(size, lambda data: self.sent(n, data), self.prompt)

    def at_USORD(self, op, args):
        emu = self.emu
        n, want = int(args[0]), int(args[1])
        link = emu.links.get(n)
        if link is None or want > self.max_read:
            return self.error()
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
