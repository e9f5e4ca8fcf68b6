"""Espressif ESP-AT (ESP8266 / ESP32): Wi-Fi join, CIPSTART links, active (+IPD) or passive receive."""

from .dialect import Dialect


class ESPAT(Dialect):
    name = "esp_at"
    netdown_urc = b"WIFI DISCONNECT"
    busy_word = b"busy p..."
    banner = b"ready"
    max_send = 2048
    max_read = 2048
    push_frame = 2920
    prompt = b"\r\nOK\r\n\r\n>"
    accepted = ("+CWMODE", "+CIPMUX")
    offline = ("+CWJAP", "+CIPRECVMODE")

    def reset_state(self):
        Dialect.reset_state(self)
        self.push = True  # active mode until AT+CIPRECVMODE=1

    def at_CWJAP(self, op, args):
        if not args[0]:
            return self.reply(b"+CWJAP:3", b"ERROR")
        self.net_up = True
        return self.reply(b"WIFI CONNECTED", b"WIFI GOT IP", b"OK")

    def at_CIPRECVMODE(self, op, args):
        self.push = args[0] == "0"
        return self.ok()

    def at_CIPDOMAIN(self, op, args):
        ip = self.resolve(args[0])
        if ip is None:
            return self.reply(b"DNS Fail", b"ERROR")
        return self.reply(('+CIPDOMAIN:"%s"' % ip).encode(), b"OK")

    def at_CIPSSLCSNI(self, op, args):
        self.sni[int(args[0])] = args[1]
        return self.ok()

    def at_CIPSTART(self, op, args):
        emu = self.emu
        n = int(args[0])
        if n in emu.links:
            return self.reply(b"ALREADY CONNECTED", b"ERROR")
        tls = args[1] == "SSL"
        link = emu.open_link(n, args[2], int(args[3]), tls, self.sni.get(n, args[2]))
        if link is None:
            return self.reply(b"%d,CLOSED" % n, b"ERROR")
        return self.reply(b"%d,CONNECT" % n, b"OK")

    def at_CIPSEND(self, op, args):
        return self.accept_send(int(args[0]), int(args[1]))

    def at_CIPRECVDATA(self, op, args):
        emu = self.emu
        n, want = int(args[0]), int(args[1])
        link = emu.links.get(n)
        if link is None or not link.buf:
            return self.error()
        data = self.read_reply(link, min(want, self.max_read))
        return emu.payload_reply(b"+CIPRECVDATA:%d," % len(data), data, b"\r\n", b"OK")

    def at_CIPRECVLEN(self, op, args):
        links = self.emu.links
        lens = [str(len(links[n].buf)) if n in links else "0" for n in range(5)]
        return self.reply(("+CIPRECVLEN:" + ",".join(lens)).encode(), b"OK")

    def at_CIPCLOSE(self, op, args):
        n = int(args[0])
        if n not in self.emu.links:
            return self.error()
        self.emu.drop_link(n)
        return self.reply(b"%d,CLOSED" % n, b"OK")

    def sent(self, n, data):
        self.reply(b"Recv %d bytes" % len(data))
        if self.emu.take_fault("send-fail") or not self.emu.forward(n, data):
            self.reply(b"SEND FAIL")
            return self.emu.drop_link(n, report=True)
        self.reply(b"SEND OK")

    def readable_urc(self, link):
        return b"+IPD,%d,%d" % (link.key, len(link.buf))

    def push_header(self, link, size):
        return b"\r\n+IPD,%d,%d:" % (link.key, size)

    def closed_urc(self, link):
        return b"%d,CLOSED" % link.key
