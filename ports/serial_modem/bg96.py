"""Quectel BG96 / BG95 / EC2x (LTE-M, NB-IoT, LTE).

Plain TCP uses QIOPEN in buffer access mode (pull with AT+QIRD); TLS uses
the QSSL set with its own commands and URCs. In buffer mode the module
sends no new "recv" URC until a read has found the buffer empty, so the
host keeps reading until +QIRD: 0.
"""

from .family import Family, Channel, Upload, READABLE, CLOSED, NETDOWN, IGNORE, quoted


class QI(Channel):
    links = 12
    open = (('AT+QIOPEN=1,{link},"TCP","{host}",{port},0,0', 150, "+QIOPEN: {link},", b"0"),)
    send = "AT+QISEND={link},{n}"
    prompt = b">"
    send_done = b"SEND OK"
    send_fail = ()
    send_full = (b"SEND FAIL",)  # Quectel: the module's send buffer is full
    max_send = 1460
    read = "AT+QIRD={link},{n}"
    read_header = b"+QIRD: "
    got_field = 0
    max_read = 1500
    close = "AT+QICLOSE={link}"
    urcs = (
        (b'+QIURC: "recv",', b"", READABLE),
        (b'+QIURC: "closed",', b"", CLOSED),
    )


class FileUpload(Upload):
    prompt = b"CONNECT"
    send_done = b"+QFUPL: "  # +QFUPL: <size>,<checksum> then OK
    ok_after_send_done = True


class QSSL(QI):
    prepare = (('AT+QSSLCFG="sslversion",1,4', 5, None, None),)
    # SSL context 1: seclevel 1 = verify the server; "sni" is missing on
    # early firmware (ERROR there, hence optional).
    verify = (
        ('AT+QSSLCFG="seclevel",1,1', 5, None, None),
        ('AT+QSSLCFG="cacert",1,"UFS:{ca}"', 5, None, None),
        ('AT+QSSLCFG="sni",1,1', 5, None, None, True),
    )
    unverified = (
        ('AT+QSSLCFG="seclevel",1,0', 5, None, None),
        ('AT+QSSLCFG="sni",1,1', 5, None, None, True),
    )
    ca_list = ('AT+QFLST="UFS:{ca}"', 5, '+QFLST: "UFS:{ca}"')
    ca_upload = ('AT+QFUPL="UFS:{ca}",{n},60', FileUpload)
    open = None
    open_tls = (('AT+QSSLOPEN=1,1,{link},"{host}",{port},0', 150, "+QSSLOPEN: {link},", b"0"),)
    send = "AT+QSSLSEND={link},{n}"
    read = "AT+QSSLRECV={link},{n}"
    read_header = b"+QSSLRECV: "
    close = "AT+QSSLCLOSE={link}"
    urcs = (
        (b'+QSSLURC: "recv",', b"", READABLE),
        (b'+QSSLURC: "closed",', b"", CLOSED),
    )


class BG96(Family):
    name = "bg96"
    banners = (b"RDY", b"APP RDY")
    needs = ("apn",)
    registration = ("AT+CEREG?", "AT+CGREG?")
    urcs = (
        (b'+QIURC: "pdpdeact",', b"", NETDOWN),
        (b"+QIND: ", b"", IGNORE),
    )
    bringup = (
        ('AT+QICSGP=1,1,"{apn}","{user}","{password}",1', 5, None, None),
        ("AT+QIDEACT=1", 40, None, None, True),
        ("AT+QIACT=1", 150, None, None),
    )
    dns = ('AT+QIDNSGIP=1,"{host}"', 60, b'+QIURC: "dnsgip",')
    channels = (QI, QSSL)

    def parse_dns(self, line):
        """+QIURC: "dnsgip",<err>,<count>,<ttl> then one line per address."""
        rest = line[len(b'+QIURC: "dnsgip",'):]
        if rest.startswith(b'"'):
            return quoted(rest).decode()
        if rest.split(b",")[0] != b"0":
            raise ValueError(line)
        return None
