"""u-blox SARA-R4 / SARA-N4 (LTE-M, NB-IoT).

The module picks the socket id (AT+USOCR). Writes may be short: +USOWR
reports how many bytes were taken and the rest is sent again. Reads are
always pulled with AT+USORD; the payload sits between quotes, counted by
its announced length. TLS is AT+USOSEC on the socket before connecting.
"""

from .family import Family, Channel, Upload, ASSIGNED, READABLE, CLOSED, NETDOWN, IGNORE, quoted


class Import(Upload):
    send_done = b"+USECMNG: "  # +USECMNG: 0,0,"<name>","<md5>" then OK
    ok_after_send_done = True


class Socket(Channel):
    open = (
        ("AT+USOCR=6", 10, "+USOCR: ", ASSIGNED),
        ('AT+USOCO={link},"{host}",{port}', 120, None, None),
    )
    open_tls = (
        ("AT+USOCR=6", 10, "+USOCR: ", ASSIGNED),
        ("AT+USOSEC={link},1,0", 5, None, None),
        ('AT+USOCO={link},"{host}",{port}', 120, None, None),
    )
    send = "AT+USOWR={link},{n}"
    prompt = b"@"
    prompt_delay_ms = 50  # the module needs 50 ms after "@" before data
    send_done = b"+USOWR: "
    sent_field = 1
    ok_after_send_done = True
    max_send = 1024
    read = "AT+USORD={link},{n}"
    read_header = b"+USORD: "
    read_header_end = b'"'  # +USORD: <s>,<len>,"<payload>"
    got_field = 1
    max_read = 1024
    short_read_drains = True
    close = "AT+USOCL={link}"
    close_timeout = 120
    urcs = (
        (b"+UUSORD: ", b"", READABLE),
        (b"+UUSOCL: ", b"", CLOSED),
    )
    # Security profile 0 (AT+USOSEC=<s>,1,0). Validation level 2 = root CA
    # and host name (op 4); op 3 names the trusted root, op 10 sets SNI.
    verify = (
        ("AT+USECPRF=0,0,2", 5, None, None),
        ('AT+USECPRF=0,3,"{ca}"', 5, None, None),
        ('AT+USECPRF=0,4,"{host}"', 5, None, None),
        ('AT+USECPRF=0,10,"{sni}"', 5, None, None),
    )
    verify_any_host = (
        ("AT+USECPRF=0,0,1", 5, None, None),
        ('AT+USECPRF=0,3,"{ca}"', 5, None, None),
        ('AT+USECPRF=0,10,"{sni}"', 5, None, None),
    )
    unverified = (
        ("AT+USECPRF=0,0,0", 5, None, None),
        ('AT+USECPRF=0,10,"{sni}"', 5, None, None),
    )
    ca_name = "mh{hash}"
    ca_list = ("AT+USECMNG=3,0", 10, '"CA","{ca}"')
    ca_upload = ('AT+USECMNG=0,0,"{ca}",{n}', Import)


class SARAR4(Family):
    name = "sara_r4"
    banners = ()  # no boot banner: a reset shows as echo coming back
    needs = ("apn",)
    registration = ("AT+CEREG?",)
    urcs = (
        (b"+UUPSDD: ", b"", NETDOWN),  # the packet data context was deactivated
    )
    # Sockets survive a host restart: those an earlier run left open are
    # closed first (optional: ERROR when free), or after 7 AT+USOCR fails for good.
    bringup = tuple(("AT+USOCL=%d" % socket, 120, None, None, True) for socket in range(7)) + (
        ("AT+CGATT=1", 360, None, None),
        ('AT+CGDCONT=1,"IP","{apn}"', 5, None, None),
        ("AT+CGACT=1,1", 150, None, None),
    )
    dns = ('AT+UDNSRN=0,"{host}"', 70, b"+UDNSRN: ")
    channels = (Socket,)

    def parse_dns(self, line):
        return quoted(line[len(b"+UDNSRN: "):]).decode()
