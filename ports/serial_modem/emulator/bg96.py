"""Quectel BG96: QIACT context, QIOPEN/QSSLOPEN links in buffer mode, QIRD/QSSLRECV reads."""

from .dialect import Dialect, CELLULAR_ANSWERS, CELLULAR_SETTINGS, BASIC_ACCEPTED

LINKS = range(12)
REVISION = "BG96MAR02A07M1G"


class BG96(Dialect):
    name = "bg96"
    netdown_urc = b'+QIURC: "pdpdeact",1'
    banner = b"RDY"
    max_send = 1460
    max_read = 1500
    rearm_after_empty_read = True
    boot_codes = (b"RDY", b"+CFUN: 1", b"+CPIN: READY", b"+QUSIM: 1", b"+QIND: SMS DONE", b"APP RDY")
    stored_ca = "UFS:server_ca.pem"
    answers = dict(
        CELLULAR_ANSWERS,
        **{
            "I": ("Quectel", "BG96", "Revision: " + REVISION),
            "+GMR": REVISION,
            "+CGMR": REVISION,
            "+CGMM": "BG96",
            "+CGMI": "Quectel",
            "+QCCID": "+QCCID: 89860000000000000001",
            "+QSPN?": '+QSPN: "Emulated","Emulated","",0,"00101"',
            "+QNWINFO": '+QNWINFO: "CAT-M1","00101","LTE BAND 3",1300',
            "+QTEMP": "+QTEMP: 30,30,30",
            "+QIGETERROR": "+QIGETERROR: 0,operation success",
        }
    )
    settings = dict(
        CELLULAR_SETTINGS,
        **{
            "+CGATT": ("1", ("0", "1")),
            "+CTZU": ("0", ("0", "1")),
            "+CTZR": ("0", ("0", "1")),
            "+QSCLK": ("0", ("0", "1")),
        }
    )
    tests = {
        "+QIOPEN": '(1-16),(0-11),"TCP/UDP/TCP LISTENER/UDP SERVICE","<IP_address>/<domain_name>",<remote_port>,'
                   "<local_port>,(0-2)",
        "+QISEND": "(0-11),(0-1460)",
        "+QIRD": "(0-11),(0-1500)",
        "+QICLOSE": "(0-11),(0-65535)",
        "+QIACT": "(1-16)",
    }
    accepted = BASIC_ACCEPTED + ("+CGDCONT", "+CFUN", "+IPR", "+IFC", "+ICF")
    offline = ("+QIDEACT", "+QIACT", "+QICSGP", "+QISTATE", "+QSSLCFG", "+QFUPL", "+QFLST", "+QFDEL")

    def power_on(self):
        Dialect.power_on(self)
        self.context = ("", "", "")

    def at_QICSGP(self, op, args):
        if len(args) < 1 or int(args[0]) not in range(1, 17):
            return self.error(50)
        if len(args) == 1:  # AT+QICSGP=<cid>: the query form
            return self.answer('+QICSGP: 1,"%s","%s","%s",0' % self.context)
        self.context = tuple((args[2:] + ["", "", ""])[:3])
        return self.ok()

    def read_QIACT(self):
        if not self.net_up:
            return self.ok()
        return self.answer('+QIACT: 1,1,1,"10.64.0.2"')

    def at_QISTATE(self, op, args):
        """AT+QISTATE (all links) or AT+QISTATE=1,<id> (one)."""
        if op == "=":
            if len(args) != 2 or args[0] != "1":
                return self.error(50)
            keys = [int(args[1])]
        else:
            keys = sorted(self.emu.links)
        rows = []
        for n in keys:
            link = self.emu.links.get(n)
            if link is not None:
                kind = "SSL" if link.tls else "TCP"
                rows.append('+QISTATE: %d,"%s","%s",%d,50000,%d,1,%d,0,"uart1"' % (
                    n, kind, link.peer[0], link.peer[1], 4 if link.eof else 2, n))
        return self.answer(rows)

    read_QISTATE = at_QISTATE

    def reset_state(self):
        Dialect.reset_state(self)
        self.ssl = {}  # SSL context -> {"seclevel": "0", "cacert": "UFS:...", "sni": "0"}: no checks

    def at_QSSLCFG(self, op, args):
        if len(args) < 3:
            return self.error()
        self.ssl.setdefault(int(args[1]), {})[args[0].lower()] = args[2]
        return self.ok()

    def at_QFUPL(self, op, args):
        name, size = args[0], int(args[1])
        if name in self.emu.files:
            return self.reply(b"+CME ERROR: 407")  # file exists

        def store(data):
            self.emu.files[name] = data.decode("latin-1")
            self.reply(b"+QFUPL: %d,%x" % (size, sum(data) & 0xFFFF), b"OK")

        return self.emu.expect_data(size, store, b"\r\nCONNECT\r\n")

    def at_QFLST(self, op, args):
        name = args[0] if args else "*"
        found = [n for n in sorted(self.emu.files) if name in ("*", "UFS:*", n)]
        if not found:
            return self.reply(b"+CME ERROR: 405")  # file not found
        self.reply(*[('+QFLST: "%s",%d' % (n, len(self.emu.files[n]))).encode() for n in found])
        return self.ok()

    def at_QFDEL(self, op, args):
        if self.emu.files.pop(args[0], None) is None:
            return self.reply(b"+CME ERROR: 405")
        return self.ok()

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
        if len(args) != 2 or not args[1]:
            return self.error(50)
        ip = self.resolve(args[1])
        self.ok()
        if ip is None:
            return self.reply(b'+QIURC: "dnsgip",565')
        return self.reply(b'+QIURC: "dnsgip",0,1,600', ('+QIURC: "dnsgip","%s"' % ip).encode())

    def at_QIOPEN(self, op, args):
        return self.open(b"+QIOPEN", int(args[1]), args[3], args[4], False)

    def at_QSSLOPEN(self, op, args):
        return self.open(b"+QSSLOPEN", int(args[2]), args[3], args[4], True, int(args[1]))

    def open(self, word, n, host, port, tls, ctx=1):
        if n not in LINKS:
            return self.error(50)
        if n in self.emu.links:
            return self.reply(b"ERROR")
        self.ok()
        cfg = self.ssl.get(ctx, {})
        sni = host if cfg.get("sni") == "1" else None
        verify = None
        if tls and cfg.get("seclevel", "0") != "0":
            pem = self.emu.files.get(cfg.get("cacert"))
            verify = (pem, host) if pem else False
        link = None if verify is False else self.emu.open_link(n, host, int(port), tls, sni, verify)
        return self.reply(b"%s: %d,%d" % (word, n, 0 if link else 566))

    def at_QISEND(self, op, args):
        n, size = int(args[0]), int(args[1])
        if size == 0 and len(args) == 2:  # AT+QISEND=<id>,0: how much was sent and acknowledged
            link = self.emu.links.get(n)
            if link is None:
                return self.error()
            return self.answer("+QISEND: %d,%d,0" % (link.sent, link.sent))
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
        if link is None or want > self.max_read or len(args) != 2:
            return self.error()
        if want == 0:  # the query form: received in total, read, unread
            got = link.received
            return self.answer("%s: %d,%d,%d" % (word.decode(), got, got - len(link.buf), len(link.buf)))
        data = self.read_reply(link, want)
        return self.emu.payload_reply(b"%s: %d\r\n" % (word, len(data)), data, b"\r\n", b"OK")

    def at_QICLOSE(self, op, args):
        self.emu.drop_link(int(args[0]))
        return self.ok()

    at_QSSLCLOSE = at_QICLOSE

    def sent(self, n, data):
        full = self.emu.take_fault("send-full")
        if full:  # the send buffer is full: this block is refused, the link stays
            if int(full[0] or 1) > 1:
                self.emu.fault("send-full", int(full[0]) - 1)
            return self.reply(b"SEND FAIL")
        if self.emu.take_fault("send-fail") or not self.emu.forward(n, data):
            self.reply(b"SEND FAIL")
            return self.emu.drop_link(n, report=True)
        self.reply(b"SEND OK")

    def readable_urc(self, link):
        return b'+%s: "recv",%d' % (b"QSSLURC" if link.tls else b"QIURC", link.key)

    def closed_urc(self, link):
        return b'+%s: "closed",%d' % (b"QSSLURC" if link.tls else b"QIURC", link.key)
