"""SIMCom SIM7600 / SIM7500 / A76xx (LTE).

Plain TCP uses the CIPOPEN set in pull mode (AT+CIPRXGET=1); TLS uses the
separate CCH set with manual receive (AT+CCHSET=1,1), which has its own
session ids and URCs, hence two channels.
"""

from .family import Family, Channel, Upload, READABLE, CLOSED, NETDOWN, IGNORE, simcom_dns


class IP(Channel):
    links = 10
    open = (('AT+CIPOPEN={link},"TCP","{host}",{port}', 75, "+CIPOPEN: {link},", b"0"),)
    send = "AT+CIPSEND={link},{n}"
    prompt = b">"
    send_done = b"+CIPSEND: "
    sent_field = 2  # +CIPSEND: <link>,<requested>,<confirmed>; -1 = link broken
    max_send = 1400
    read = "AT+CIPRXGET=2,{link},{n}"
    read_header = b"+CIPRXGET: 2,"
    got_field = 1
    left_field = 2  # +CIPRXGET: 2,<link>,<got>,<left>: no new notice while <left> > 0
    max_read = 1500
    close = "AT+CIPCLOSE={link}"
    close_result = "+CIPCLOSE: {link},"
    urcs = (
        (b"+CIPRXGET: 1,", b"", READABLE),
        (b"+IPCLOSE: ", b"", CLOSED),
    )


class CCH(Channel):
    links = 2
    prepare = (
        ("AT+CCHSET=1,1", 5, None, None),
        ("AT+CCHSTART", 10, "+CCHSTART: ", b"0"),
    )
    open_tls = (
        ("AT+CCHSSLCFG={link},0", 5, None, None),
        ('AT+CCHOPEN={link},"{host}",{port},2', 75, "+CCHOPEN: {link},", b"0"),
    )
    send = "AT+CCHSEND={link},{n}"
    prompt = b">"
    send_done = b"+CCHSEND: "
    max_send = 1400
    read = "AT+CCHRECV={link},{n}"
    read_header = b"+CCHRECV: DATA,"
    got_field = 1
    read_done = b"+CCHRECV: "  # +CCHRECV: <session>,<err> after the data
    max_read = 1500
    close = "AT+CCHCLOSE={link}"
    close_result = "+CCHCLOSE: {link},"
    urcs = (
        (b"+CCHEVENT: ", b",RECV EVENT", READABLE),
        (b"+CCH_PEER_CLOSED: ", b"", CLOSED),
    )
    # SSL context 0 (bound by AT+CCHSSLCFG): authmode 1 = verify the server.
    verify = (
        ('AT+CSSLCFG="authmode",0,1', 5, None, None),
        ('AT+CSSLCFG="cacert",0,"{ca}"', 5, None, None),
        ('AT+CSSLCFG="enableSNI",0,1', 5, None, None),
    )
    unverified = (
        ('AT+CSSLCFG="authmode",0,0', 5, None, None),
        ('AT+CSSLCFG="enableSNI",0,1', 5, None, None),
    )
    ca_list = ("AT+CCERTLIST", 5, '+CCERTLIST: "{ca}"')
    ca_upload = ('AT+CCERTDOWN="{ca}",{n}', Upload)


class SIM7600(Family):
    name = "sim7600"
    banners = (b"RDY",)
    needs = ("apn",)
    registration = ("AT+CGREG?", "AT+CEREG?")
    urcs = (
        (b"+CIPEVENT: NETWORK CLOSED UNEXPECTEDLY", b"", NETDOWN),
        (b"SMS DONE", b"", IGNORE),
        (b"PB DONE", b"", IGNORE),
        (b"+NETCLOSE: ", b"", IGNORE),  # late, after a NETCLOSE that timed out
    )
    bringup = (
        ("AT+NETCLOSE", 60, "+NETCLOSE: ", None, True),  # the result comes after OK: wait for it
        ('AT+CGDCONT=1,"IP","{apn}"', 5, None, None),
        ("AT+CIPMODE=0", 5, None, None),
        ("AT+CIPRXGET=1", 5, None, None),
        ("AT+NETOPEN", 75, "+NETOPEN: ", b"0"),
    )
    dns = ('AT+CDNSGIP="{host}"', 70, b"+CDNSGIP: ")
    channels = (IP, CCH)

    def parse_dns(self, line):
        return simcom_dns(line)
