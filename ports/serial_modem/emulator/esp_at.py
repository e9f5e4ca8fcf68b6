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
    close_after_drain = True  # passive mode: "<id>,CLOSED" only once the data was read
    boot_codes = (b"ready",)
    stored_ca = "client_ca.1"
    readiness = ()
    accepted = ("+CWMODE", "+CIPMUX")
    offline = ("+CWJAP", "+CIPRECVMODE", "+GMR", "+SYSMFG")
    # AT+GMR, first line: NonOS 1.7 and esp-at 2.x/3.x differ in passive
    # reads, SNI and verification (see the driver's esp_at.py).
    versions = {"1.7": b"AT version:1.7.4.0(May 11 2020 19:13:04)",
                "2.2": b"AT version:2.2.0.0(c6fa6bf - ESP32 - Jul  2 2021 06:44:05)",
                "3.2": b"AT version:3.2.0.0(s-ec2dec2 - ESP32 - Jul 28 2023 07:05:28)"}

    def reset_state(self):
        Dialect.reset_state(self)
        self.push = True  # active mode until AT+CIPRECVMODE=1
        self.cconf = {}  # link -> (auth_mode, CA number): 0 = no checks
        self.ccn = {}  # link -> the name the server certificate must carry

    @property
    def nonos(self):
        return self.emu.firmware == "1.7"

    def at_GMR(self, op, args):
        version = self.versions[self.emu.firmware or "3.2"]
        return self.reply(version, b"SDK version:v4.4", b"compile time(0):Jul 28 2023 07:05:28", b"OK")

    def at_CWJAP(self, op, args):
        reason = 3 if args[0] in ("", "nosuchnet") else 2 if args[1:2] == ["wrong"] else 0
        if reason:
            return self.reply(b"WIFI DISCONNECT", b"+CWJAP:%d" % reason, b"FAIL" if self.nonos else b"ERROR")
        self.net_up = True
        return self.reply(b"WIFI CONNECTED", b"WIFI GOT IP", b"OK")

    def at_CIPSSLCCONF(self, op, args):
        if self.nonos or len(args) < 2:
            return self.error()
        self.cconf[int(args[0])] = (int(args[1]), args[3] if len(args) > 3 else "0")
        return self.ok()

    def at_CIPSSLCCN(self, op, args):
        if self.nonos:
            return self.error()
        self.ccn[int(args[0])] = args[1]
        return self.ok()

    def at_SYSMFG(self, op, args):
        """esp-at 3.x writes the manufacturing store: AT+SYSMFG=2,<ns>,<key>,<type>,<len>."""
        if (self.emu.firmware or "3.2") < "3" or args[:1] != ["2"] or args[1:2] != ["client_ca"]:
            return self.error()
        key, size = args[2], int(args[4])

        def store(data):
            self.emu.files[key] = data.decode("latin-1")
            self.ok()

        return self.emu.expect_data(size, store, self.prompt)

    def at_CIPRECVMODE(self, op, args):
        self.push = args[0] == "0"
        return self.ok()

    def at_CIPDOMAIN(self, op, args):
        ip = self.resolve(args[0])
        if ip is None:
            return self.reply(b"DNS Fail", b"ERROR")
        return self.reply(('+CIPDOMAIN:"%s"' % ip).encode(), b"OK")

    def at_CIPSSLCSNI(self, op, args):
        if self.nonos:
            return self.error()
        self.sni[int(args[0])] = args[1]
        return self.ok()

    def at_CIPSTART(self, op, args):
        emu = self.emu
        n = int(args[0])
        if n in emu.links:
            return self.reply(b"ALREADY CONNECTED", b"ERROR")
        tls = args[1] == "SSL"
        mode, ca = self.cconf.get(n, (0, "0"))
        verify = None
        if tls and mode in (2, 3):
            pem = emu.files.get("client_ca." + ca)
            verify = (pem, self.ccn.get(n)) if pem else False
        sni = self.sni.get(n, args[2])
        link = None if verify is False else emu.open_link(n, args[2], int(args[3]), tls, sni, verify)
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
        head = b"+CIPRECVDATA,%d:" if self.nonos else b"+CIPRECVDATA:%d,"
        return emu.payload_reply(head % len(data), data, b"\r\n", b"OK")

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
