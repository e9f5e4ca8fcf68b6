"""Quectel BG96: QIACT context, QIOPEN/QSSLOPEN links in buffer mode, QIRD/QSSLRECV reads."""

from .dialect import Dialect


class BG96(Dialect):
    name = "bg96"
    netdown_urc = b'+QIURC: "pdpdeact",1'
    banner = b"RDY"
    max_send = 1460
    max_read = 1500
    rearm_after_empty_read = True
    accepted = ("+QICSGP", "+QSSLCFG")
    offline = ("+QIDEACT", "+QIACT")

    def at_QIDEACT(self, op, args):
        self.emu.close_all()
        self.net_up = False
        return self.ok()

    def at_QIACT(self, op, args):
        if self.net_up:
            return self.error()
        self.net_up = True
        return self.ok()

    def at_QIDNSGIP(self, op, args):
        ip = self.resolve(args[1])
        self.ok()
        if ip is None:
            return self.reply(b'+QIURC: "dnsgip",565')
        return self.reply(b'+QIURC: "dnsgip",0,1,600', ('+QIURC: "dnsgip","%s"' % ip).encode())

    def at_QIOPEN(self, op, args):
        return self.open(b"+QIOPEN", int(args[1]), args[3], args[4], False)

    def at_QSSLOPEN(self, op, args):
        return self.open(b"+QSSLOPEN", int(args[2]), args[3], args[4], True)

    def open(self, word, n, host, port, tls):
        if n in self.emu.links:
            return self.reply(b"ERROR")
        self.ok()
        link = self.emu.open_link(n, host, int(port), tls, host)
        return self.reply(b"%s: %d,%d" % (word, n, 0 if link else 566))

    def at_QISEND(self, op, args):
        n, size = int(args[0]), int(args[1])
        if n not in self.emu.links or size > self.max_send or size < 1:
            return self.error()
        return self.emu.expect_data(size, lambda data: self.sent(n, data), self.prompt)

    at_QSSLSEND = at_QISEND

    def at_QIRD(self, op, args):
        return self.pull(b"+QIRD", args)

    def at_QSSLRECV(self, op, args):
        return self.pull(b"+QSSLRECV", args)

    def pull(self, word, args):
        n, want = int(args[0]), int(args[1])
        link = self.emu.links.get(n)
        if link is None or want > self.max_read:
            return self.error()
        data = self.read_reply(link, want)
        return self.emu.payload_reply(b"%s: %d\r\n" % (word, len(data)), data, b"\r\n", b"OK")

    def at_QICLOSE(self, op, args):
        self.emu.drop_link(int(args[0]))
        return self.ok()

    at_QSSLCLOSE = at_QICLOSE

    def sent(self, n, data):
        if self.emu.take_fault("send-fail") or not self.emu.forward(n, data):
            self.reply(b"SEND FAIL")
            return self.emu.drop_link(n, report=True)
        self.reply(b"SEND OK")

    def readable_urc(self, link):
        return b'+%s: "recv",%d' % (b"QSSLURC" if link.tls else b"QIURC", link.key)

    def closed_urc(self, link):
        return b'+%s: "closed",%d' % (b"QSSLURC" if link.tls else b"QIURC", link.key)
