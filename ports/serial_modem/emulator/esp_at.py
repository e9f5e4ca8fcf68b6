"""Espressif ESP-AT (ESP32, ESP8266; NonOS AT 1.7 with --firmware 1.7): Wi-Fi join, one link (AT+CIPMUX=0,
the default) or five, active (+IPD pushed, the default) or passive receive
(AT+CIPRECVMODE=1). Replies as in the esp-at command reference; the 1.x
names (_CUR / _DEF) are taken too, as ESP8266 drivers send them.
"""

from .dialect import Dialect

LINKS = range(5)
STA_IP, STA_MAC = "192.168.4.2", "24:0a:c4:00:00:01"


class ESPAT(Dialect):
    name = "esp_at"
    netdown_urc = b"WIFI DISCONNECT"
    busy_word = b"busy p..."
    banner = b"ready"
    max_send = 2048
    max_read = 2048
    max_line = 256
    push_frame = 2920
    push_by_default = True  # active mode until AT+CIPRECVMODE=1
    prompt = b"\r\nOK\r\n\r\n>"
    read_sep = ":"
    close_after_drain = True  # passive mode: "<id>,CLOSED" only once the data was read
    boot_codes = (b"ready",)
    stored_ca = "client_ca.1"
    readiness = False
    # AT+GMR, first line: NonOS 1.7 and esp-at 2.x/3.x differ in passive
    # reads, SNI and verification (see the driver's esp_at.py).
    versions = {
        "1.7": ("AT version:1.7.4.0(May 11 2020 19:13:04)", "SDK version:3.0.4(9532ceb)",
                "compile time:May 27 2020 10:12:17", "Bin version(Wroom 02):1.7.4"),
        "2.2": ("AT version:2.2.0.0(c6fa6bf - ESP32 - Jul  2 2021 06:44:05)", "SDK version:v4.2.2-76-gefa6eca",
                "compile time(3a696ba):Jul  2 2021 11:54:43", "Bin version:2.2.0(WROOM-32)"),
        "3.2": ("AT version:3.2.0.0(s-ec2dec2 - ESP32 - Jul 28 2023 07:05:28)", "SDK version:v5.0.4",
                "compile time(ec2dec2):Jul 28 2023 07:05:28", "Bin version:v3.2.0.0(WROOM-32)"),
    }

    answers = {
        "+CIFSR": ('+CIFSR:STAIP,"%s"' % STA_IP, '+CIFSR:STAMAC,"%s"' % STA_MAC),
        "+CIPSTA?": ('+CIPSTA:ip:"%s"' % STA_IP, '+CIPSTA:gateway:"192.168.4.1"', '+CIPSTA:netmask:"255.255.255.0"'),
        "+CIPSTA_CUR?": ('+CIPSTA_CUR:ip:"%s"' % STA_IP, '+CIPSTA_CUR:gateway:"192.168.4.1"',
                         '+CIPSTA_CUR:netmask:"255.255.255.0"'),
        "+CIPSTAMAC?": '+CIPSTAMAC:"%s"' % STA_MAC,
        "+SYSRAM?": "+SYSRAM:148676,104652",
    }
    settings = {
        "+CWMODE": ("1", ("0", "1", "2", "3")),
        "+CWMODE_CUR": ("1", ("0", "1", "2", "3")),
        "+CWMODE_DEF": ("1", ("0", "1", "2", "3")),
        "+CIPMUX": ("0", ("0", "1")),
        "+CIPSSLSIZE": ("4096", None),
        "+CIPDINFO": ("0", ("0", "1")),
        "+SYSLOG": ("0", ("0", "1")),
        "+CWAUTOCONN": ("1", ("0", "1")),
    }
    tests = {"+CIPSTART": '<link ID>,<"type">,<"remote host">,<remote port>[,<keep_alive>]'}
    accepted = ("+GSLP", "+RESTORE", "+UART", "+UART_CUR", "+UART_DEF", "+IPR", "+CIPDNS", "+CWDHCP")
    offline = ("+CWJAP", "+CWJAP_CUR", "+CWJAP_DEF", "+CWQAP", "+CIPRECVMODE", "+CIPMUX", "+RST",
               "+CIPSTATUS", "+CIPSSLCSNI",
               "+GMR", "+SYSMFG", "+CIPSSLCCONF", "+CIPSSLCCN")

    def power_on(self):
        Dialect.power_on(self)
        self.ssid = None

    @property
    def single(self):
        return self.values["+CIPMUX"] == "0"

    def link_args(self, args, least, most):
        """(link, rest): the link id leads the arguments in multi-link mode only."""
        n, rest = (0, args) if self.single else (int(args[0]), args[1:])
        if n not in LINKS or not least <= len(rest) <= most:
            raise ValueError("bad arguments")
        return n, rest

    def tag(self, n):
        return b"" if self.single else b"%d," % n

    def at_RST(self, op, args):
        """OK, then the module reboots: links gone, echo on, `ready`, and it rejoins its access point."""
        ssid = self.ssid
        self.ok()
        self.emu.close_all()
        self.power_on()
        self.emu.echo = True
        self.reply(self.banner)
        if ssid:
            self.ssid, self.net_up = ssid, True
            self.reply(b"WIFI CONNECTED", b"WIFI GOT IP")

    def at_CWJAP(self, op, args):
        reason = 3 if len(args) < 2 or args[0] in ("", "nosuchnet") else 2 if args[1] == "wrong" else 0
        if reason:  # NonOS AT 1.7 ends a failed join in FAIL
            return self.reply(b"WIFI DISCONNECT", b"+CWJAP:%d" % reason, b"FAIL" if self.nonos else b"ERROR")
        self.ssid = args[0]
        self.net_up = True
        return self.reply(b"WIFI CONNECTED", b"WIFI GOT IP", b"OK")

    at_CWJAP_CUR = at_CWJAP_DEF = at_CWJAP

    def read_CWJAP(self, name="+CWJAP"):
        if not self.net_up:
            return self.answer("No AP")
        return self.answer('%s:"%s","24:0a:c4:00:00:99",6,-45,0,0,0,0,0' % (name, self.ssid))

    def read_CWJAP_CUR(self):
        return self.read_CWJAP("+CWJAP_CUR")

    def at_CWQAP(self, op, args):
        self.ok()
        if self.net_up:
            self.emu.close_all()
            self.reset_state()
            self.reply(self.netdown_urc)

    def at_CIPMUX(self, op, args):
        if self.emu.links:
            return self.reply(b"link is builded", b"ERROR")
        return self.ok() if self.store("+CIPMUX", args) else self.error()

    def reset_state(self):
        Dialect.reset_state(self)
        self.cconf = {}  # link -> (auth_mode, CA number): 0 = no checks
        self.ccn = {}  # link -> the name the server certificate must carry

    @property
    def nonos(self):
        return self.emu.firmware == "1.7"

    def at_GMR(self, op, args):
        return self.answer(self.versions[self.emu.firmware or "2.2"])

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
        if (self.emu.firmware or "2.2") < "3" or args[:1] != ["2"] or args[1:2] != ["client_ca"]:
            return self.error()
        key, size = args[2], int(args[4])

        def store(data):
            self.emu.files[key] = data.decode("latin-1")
            self.ok()

        return self.emu.expect_data(size, store, self.prompt)

    def at_CIPRECVMODE(self, op, args):
        if len(args) != 1 or args[0] not in ("0", "1"):
            return self.error()
        self.push = args[0] == "0"
        return self.ok()

    def read_CIPRECVMODE(self):
        return self.answer("+CIPRECVMODE:%d" % (not self.push))

    def at_CIPSTATUS(self, op, args):
        if op:
            return self.error()
        rows = ["STATUS:%d" % ((3 if self.emu.links else 2) if self.net_up else 5)]
        for key, link in sorted(self.emu.links.items()):
            rows.append('+CIPSTATUS:%d,"%s","%s",%d,50000,0' % (key, "SSL" if link.tls else "TCP",
                                                                 link.peer[0], link.peer[1]))
        return self.answer(rows)

    def at_CIPDOMAIN(self, op, args):
        if not args or not args[0]:
            return self.error()
        ip = self.resolve(args[0])
        if ip is None:
            return self.reply(b"DNS Fail", b"ERROR")
        return self.reply(('+CIPDOMAIN:"%s"' % ip).encode(), b"OK")

    def at_CIPSSLCSNI(self, op, args):
        if self.nonos:
            return self.error()
        n, rest = self.link_args(args, 1, 1)
        self.sni[n] = rest[0]
        return self.ok()

    def at_CIPSTART(self, op, args):
        emu = self.emu
        n, rest = self.link_args(args, 3, 4)  # type, host, port[, keep-alive]
        kind = rest[0].upper()
        if kind not in ("TCP", "SSL"):
            return self.error()
        if n in emu.links:
            return self.reply(b"ALREADY CONNECTED", b"ERROR")
        tls = kind == "SSL"
        mode, ca = self.cconf.get(n, (0, "0"))
        verify = None
        if tls and mode in (2, 3):
            pem = emu.files.get("client_ca." + ca)
            verify = (pem, self.ccn.get(n)) if pem else False
        sni = self.sni.get(n, rest[1])
        link = None if verify is False else emu.open_link(n, rest[1], int(rest[2]), tls, sni, verify)
        if link is None:
            return self.reply(self.tag(n) + b"CLOSED", b"ERROR")
        return self.reply(self.tag(n) + b"CONNECT", b"OK")

    def at_CIPSEND(self, op, args):
        n, rest = self.link_args(args, 1, 1)
        return self.accept_send(n, int(rest[0]))

    def at_CIPRECVDATA(self, op, args):
        emu = self.emu
        n, rest = self.link_args(args, 1, 1)
        link = emu.links.get(n)
        if link is None or not link.buf or int(rest[0]) < 1:
            return self.error()
        data = self.read_reply(link, min(int(rest[0]), self.max_read))
        head = b"+CIPRECVDATA,%d:" if self.nonos else b"+CIPRECVDATA:%d,"
        return emu.payload_reply(head % len(data), data, b"\r\n", b"OK")

    def read_CIPRECVLEN(self):
        links = self.emu.links
        lens = [str(len(links[n].buf)) if n in links else "0" for n in LINKS]
        return self.answer("+CIPRECVLEN:" + (lens[0] if self.single else ",".join(lens)))

    def at_CIPCLOSE(self, op, args):
        """AT+CIPCLOSE (one link), AT+CIPCLOSE=<id>, AT+CIPCLOSE=5 (every link)."""
        n = 0 if self.single and not args else int(args[0])
        if args and not self.single and n == 5:
            for key in sorted(self.emu.links):
                self.emu.drop_link(key)
                self.reply(self.tag(key) + b"CLOSED")
            return self.ok()
        if (args and self.single) or n not in self.emu.links:
            return self.error()
        self.emu.drop_link(n)
        return self.reply(self.tag(n) + b"CLOSED", b"OK")

    def sent(self, n, data):
        self.reply(b"Recv %d bytes" % len(data))
        if self.emu.take_fault("send-fail") or not self.emu.forward(n, data):
            self.reply(b"SEND FAIL")
            return self.emu.drop_link(n, report=True)
        self.reply(b"SEND OK")

    def readable_urc(self, link):
        return b"+IPD,%s%d" % (self.tag(link.key), len(link.buf))

    def push_header(self, link, size):
        return b"\r\n+IPD,%s%d:" % (self.tag(link.key), size)

    def closed_urc(self, link):
        return self.tag(link.key) + b"CLOSED"
