"""SIMCom SIM7080G / SIM7070 (LTE-M, NB-IoT): the CNACT context and the
CA socket set (AT+CAOPEN / CASEND / CARECV / CACLOSE), TLS on the same set.

The application PDP context 0 is configured with AT+CNCFG and activated
with AT+CNACT=0,1 (+APP PDP: 0,ACTIVE). A link is opened in manual-read
mode: +CADATAIND: <cid> says data is waiting, AT+CARECV=<cid>,<n> answers
+CARECV: <got>,<bytes>. TLS sets AT+CASSLCFG on the link (SSL on, the
SSL context, the CA certificate) and the SNI host name on that context
with AT+CSSLCFG; a CA from the host goes into the module's file system
(AT+CFSWFILE, directory 3) and is converted for the SSL stack. (SIM7000 has an older
CA set with other arguments; its TCP toolkit is served by sim800.)
"""

from .family import Family, Channel, Upload, READABLE, CLOSED, NETDOWN, IGNORE, simcom_dns


class Download(Upload):
    prompt = b"DOWNLOAD"  # AT+CFSWFILE answers DOWNLOAD, takes the bytes, then OK


class CA(Channel):
    links = 13
    open = (
        ('AT+CASSLCFG={link},"SSL",0', 5, None, None),
        ('AT+CAOPEN={link},0,"TCP","{host}",{port}', 75, "+CAOPEN: {link},", b"0"),
    )
    prepare = (("AT+CFSINIT", 5, None, None, True),)  # the file buffer for CA uploads (ERROR: already)
    open_tls = (
        ('AT+CSSLCFG="sslversion",1,3', 5, None, None),
        ('AT+CSSLCFG="sni",1,"{sni}"', 5, None, None),
        ('AT+CASSLCFG={link},"SSL",1', 5, None, None),
        ('AT+CASSLCFG={link},"CRINDEX",1', 5, None, None),
        ('AT+CAOPEN={link},0,"TCP","{host}",{port}', 75, "+CAOPEN: {link},", b"0"),
    )
    # A CA set on the link makes the module verify the chain and the host name
    # (+CAOPEN: <cid>,25 on a name mismatch); without one it checks nothing.
    verify = (
        ('AT+CSSLCFG="convert",2,"{ca}"', 5, None, None),
        ('AT+CASSLCFG={link},"CACERT","{ca}"', 5, None, None),
    )
    unverified = (('AT+CASSLCFG={link},"CACERT",""', 5, None, None),)
    ca_list = ('AT+CFSGFIS=3,"{ca}"', 5, "+CFSGFIS: ")
    ca_upload = ('AT+CFSWFILE=3,"{ca}",0,{n},10000', Download)
    send = "AT+CASEND={link},{n}"
    prompt = b">"
    send_done = b"OK"
    send_fail = ()
    max_send = 1460
    read = "AT+CARECV={link},{n}"
    read_header = b"+CARECV: "
    read_header_end = b","  # +CARECV: <got>,<payload>; "+CARECV: 0" alone when empty
    got_field = 0
    max_read = 1460
    close = "AT+CACLOSE={link}"
    urcs = (
        (b"+CADATAIND: ", b"", READABLE),
        (b"+CASTATE: ", b",0", CLOSED),
    )


class SIM7080(Family):
    name = "sim7080"
    banners = (b"RDY",)
    needs = ("apn",)
    registration = ("AT+CEREG?", "AT+CGREG?")
    urcs = (
        (b"+APP PDP: 0,DEACTIVE", b"", NETDOWN),
        (b"SMS Ready", b"", IGNORE),
    )
    bringup = (
        ('AT+CGDCONT=1,"IP","{apn}"', 5, None, None),
        ("AT+CGATT=1", 75, None, None),
        ('AT+CNCFG=0,1,"{apn}","{user}","{password}"', 5, None, None),
        ("AT+CNACT=0,0", 10, "+APP PDP: 0,", b"DEACTIVE", True),  # ERROR when it was not active
        ("AT+CNACT=0,1", 60, "+APP PDP: 0,", b"ACTIVE"),
    )
    dns = ('AT+CDNSGIP="{host}",1,10000', 20, b"+CDNSGIP: ")
    channels = (CA,)

    def parse_dns(self, line):
        return simcom_dns(line)
