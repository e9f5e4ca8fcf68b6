"""SIMCom SIM7080G / SIM7070: the CNACT context and the CA socket set
(AT+CAOPEN / CASEND / CARECV / CACLOSE), TLS with AT+CSSLCFG + AT+CASSLCFG.

Replies as in the SIM7070_SIM7080_SIM7090 AT manual and TCP/IP application
note. TLS verifies the server (chain and host name) only when a CA
certificate is set on the link (AT+CASSLCFG=<cid>,"CACERT",<name>), the
module's real default, and sends the SNI set on the link's SSL context
(AT+CSSLCFG="sni",<ctx>,<host>) and nothing otherwise. Certificates live
in the file system: AT+CFSWFILE=3,<name>,... writes one (DOWNLOAD, the
bytes, OK), AT+CFSGFIS=3,<name> tells its size, AT+CSSLCFG="convert"
readies it for TLS.
"""

from .dialect import Dialect, CELLULAR_ANSWERS, CELLULAR_SETTINGS, BASIC_ACCEPTED

LINKS = range(13)
CONTEXTS = range(4)
REVISION = "1951B05SIM7080"


class SIM7080(Dialect):
    name = "sim7080"
    netdown_urc = b"+APP PDP: 0,DEACTIVE"
    max_send = 1460
    max_read = 1460
    boot_codes = (b"RDY", b"+CFUN: 1", b"+CPIN: READY", b"SMS Ready")
    stored_ca = "server_ca.pem"
    answers = dict(
        CELLULAR_ANSWERS,
        **{
            "I": "SIM7080 R1951.05",
            "+GMR": "Revision:" + REVISION,
            "+CGMR": "Revision:" + REVISION,
            "+CGMM": "SIMCOM_SIM7080G",
            "+CGMI": "SIMCom Wireless Solutions Co.,Ltd.",
            "+CPSI?": "+CPSI: LTE CAT-M1,Online,001-01,0x0001,1,1,EUTRAN-BAND3,1300,5,5,-94,-850,-600,15",
            "+CSPN?": '+CSPN: "Emulated",0',
            "+CBC": "+CBC: 0,80,4000",
        }
    )
    settings = dict(
        CELLULAR_SETTINGS,
        **{
            "+CGATT": ("1", ("0", "1")),
            "+CNMP": ("38", ("2", "13", "38", "51")),
            "+CMNB": ("1", ("1", "2", "3")),
            "+CLTS": ("0", ("0", "1")),
            "+CBATCHK": ("0", ("0", "1")),
            "+CSCLK": ("0", ("0", "1")),
            "+CACID": ("0", tuple(str(n) for n in LINKS)),
        }
    )
    tests = {
        "+CNACT": "(0-3),(0-2)",
        "+CAOPEN": '(0-12),(0-3),("TCP","UDP"),,(1-65535),(0,1)',
        "+CASEND": "(0-12),(1-1460),(0-65535)",
        "+CARECV": "(0-12),(1-1460)",
        "+CACLOSE": "(0-12)",
    }
    accepted = BASIC_ACCEPTED + ("+CGDCONT", "+CNCFG", "+CFUN", "+IPR", "+IFC", "+ICF")
    offline = ("+CNACT", "+CSSLCFG", "+CASSLCFG", "+CGNAPN", "+CFSINIT", "+CFSTERM", "+CFSWFILE", "+CFSGFIS")

    def power_on(self):
        Dialect.power_on(self)
        self.ssl = {}  # link: {"SSL": "1", "CRINDEX": "1", "CACERT": "ca.pem"}
        self.contexts = {}  # SSL context: {"sni": host, "sslversion": "3"}
        self.fs_open = False  # AT+CFSINIT was run

    def at_CFSINIT(self, op, args):
        if self.fs_open:
            return self.error(3)
        self.fs_open = True
        return self.ok()

    def at_CFSTERM(self, op, args):
        self.fs_open = False
        return self.ok()

    def at_CFSWFILE(self, op, args):
        """AT+CFSWFILE=<dir>,"<name>",<mode>,<size>,<timeout ms>: DOWNLOAD, the bytes, OK."""
        if not self.fs_open or len(args) != 5 or args[0] != "3" or not 1 <= int(args[3]) <= 10240:
            return self.error(50)
        name = args[1]

        def store(data):
            self.emu.files[name] = data.decode("latin-1")
            self.ok()

        return self.emu.expect_data(int(args[3]), store, b"\r\nDOWNLOAD\r\n")

    def at_CFSGFIS(self, op, args):
        if len(args) != 2 or args[1] not in self.emu.files:
            return self.error(50)
        return self.answer("+CFSGFIS: %d" % len(self.emu.files[args[1]]))

    def read_CNACT(self):
        rows = ['+CNACT: 0,%d,"%s"' % (1, "10.64.0.2") if self.net_up else '+CNACT: 0,0,"0.0.0.0"']
        rows += ['+CNACT: %d,0,"0.0.0.0"' % n for n in CONTEXTS[1:]]
        return self.answer(rows)

    def at_CNACT(self, op, args):
        pdp, action = int(args[0]), args[1]
        if pdp not in CONTEXTS or action not in ("0", "1", "2") or len(args) != 2:
            return self.error(50)
        if pdp:
            return self.ok()  # the other contexts are not used here
        if action == "0":
            if not self.net_up:
                return self.error(3)
            self.emu.close_all()
            self.reset_state()
            return self.reply(b"OK", b"+APP PDP: 0,DEACTIVE")
        if self.net_up:
            return self.error(3)
        self.net_up = True
        return self.reply(b"OK", b"+APP PDP: 0,ACTIVE")

    def at_CGNAPN(self, op, args):
        return self.answer('+CGNAPN: 1,"internet"')

    def at_CDNSGIP(self, op, args):
        if not 1 <= len(args) <= 3 or not args[0]:
            return self.error(50)
        ip = self.resolve(args[0])
        self.ok()
        if ip is None:
            return self.reply(b"+CDNSGIP: 0,8")
        return self.reply(('+CDNSGIP: 1,"%s","%s"' % (args[0], ip)).encode())

    def at_CSSLCFG(self, op, args):
        """AT+CSSLCFG="<setting>",<ctx>,<value>: sslversion, sni, ... per SSL context;
        "convert",<type>,"<file>" turns an uploaded certificate into the module's format."""
        setting = args[0].lower()
        if setting == "convert" and len(args) in (3, 4):
            return self.ok() if args[2] in self.emu.files else self.error(50)
        if len(args) != 3 or int(args[1]) not in CONTEXTS:
            return self.error(50)
        self.contexts.setdefault(int(args[1]), {})[setting] = args[2]
        return self.ok()

    def at_CASSLCFG(self, op, args):
        """AT+CASSLCFG=<cid>,"SSL"|"CRINDEX"|"CACERT"|"CERT",<value>: TLS settings of one link."""
        cid, setting = int(args[0]), args[1].upper()
        if cid not in LINKS or len(args) != 3 or setting not in ("SSL", "CRINDEX", "CACERT", "CERT", "PSKTABLE"):
            return self.error(50)
        self.ssl.setdefault(cid, {})[setting] = args[2]
        return self.ok()

    def read_CASSLCFG(self):
        rows = []
        for cid in LINKS:
            cfg = self.ssl.get(cid, {})
            rows.append('+CASSLCFG: %d,"SSL",%s' % (cid, cfg.get("SSL", "0")))
            rows.append('+CASSLCFG: %d,"CRINDEX",%s' % (cid, cfg.get("CRINDEX", "0")))
            rows.append('+CASSLCFG: %d,"CACERT","%s"' % (cid, cfg.get("CACERT", "")))
        return self.answer(rows)

    def at_CAOPEN(self, op, args):
        cid, pdp = int(args[0]), int(args[1])
        if cid not in LINKS or pdp not in CONTEXTS or len(args) not in (5, 6) or args[2].upper() != "TCP":
            return self.error(50)
        if cid in self.emu.links:
            return self.answer("+CAOPEN: %d,3" % cid)  # connection limit: the id is in use
        cfg = self.ssl.get(cid, {})
        host = args[3]
        verify = None
        if cfg.get("CACERT"):
            pem = self.emu.files.get(cfg["CACERT"])
            if pem is None:
                return self.answer("+CAOPEN: %d,24" % cid)  # no usable certificate
            verify = (pem, host)
        sni = self.contexts.get(int(cfg.get("CRINDEX", "0")), {}).get("sni")
        link = self.emu.open_link(cid, host, int(args[4]), cfg.get("SSL") == "1", sni, verify)
        return self.answer("+CAOPEN: %d,%d" % (cid, 0 if link else 27))

    def at_CASEND(self, op, args):
        if len(args) not in (2, 3):
            return self.error(50)
        return self.accept_send(int(args[0]), int(args[1]))

    def at_CARECV(self, op, args):
        cid, want = int(args[0]), int(args[1])
        link = self.emu.links.get(cid)
        if link is None or not 0 < want <= self.max_read or len(args) != 2:
            return self.error(3 if link is None else 50)
        data = self.read_reply(link, want)
        if not data:
            return self.answer("+CARECV: 0")
        return self.emu.payload_reply(b"+CARECV: %d," % len(data), data, b"\r\n", b"OK")

    def read_CARECV(self):
        links = self.emu.links
        return self.answer(["+CARECV: %d,%d" % (cid, len(links[cid].buf)) for cid in sorted(links) if links[cid].buf])

    def read_CASTATE(self):
        links = self.emu.links
        return self.answer(["+CASTATE: %d,%d" % (cid, 0 if links[cid].eof else 1) for cid in sorted(links)])

    def at_CACLOSE(self, op, args):
        cid = int(args[0])
        if cid not in self.emu.links or len(args) != 1:
            return self.error(3)
        self.emu.drop_link(cid)
        return self.ok()

    def sent(self, n, data):
        if self.emu.take_fault("send-fail") or not self.emu.forward(n, data):
            self.reply(b"ERROR")
            return self.emu.drop_link(n, report=True)
        self.reply(b"OK")

    def readable_urc(self, link):
        return b"+CADATAIND: %d" % link.key

    def closed_urc(self, link):
        return b"+CASTATE: %d,0" % link.key
