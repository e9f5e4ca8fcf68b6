"""SIMCom SIM800 / SIM900 (2G) with the multi-link TCP toolkit.

Pull mode (AT+CIPRXGET=1) so the host asks for bytes at its own pace;
CIPQSEND=1 so a send is confirmed by DATA ACCEPT as soon as the modem has
buffered it. TLS is AT+CIPSSL=1 before CIPSTART (firmware with SSL only).
"""

from .family import Family, Channel, BARE, READABLE, CLOSED, NETDOWN, IGNORE, simcom_dns


class Link(Channel):
    links = 6
    open = (
        ("AT+CIPSSL=0", 5, None, None, True),
        ('AT+CIPSTART={link},"TCP","{host}","{port}"', 75, "{link}, ", b"CONNECT OK"),
    )
    open_tls = (
        ("AT+CIPSSL=1", 5, None, None),
        ('AT+CIPSTART={link},"TCP","{host}","{port}"', 75, "{link}, ", b"CONNECT OK"),
    )
    send = "AT+CIPSEND={link},{n}"
    prompt = b">"
    send_done = b"DATA ACCEPT:"
    sent_field = 1
    send_fail = (b"SEND FAIL",)
    max_send = 1460
    read = "AT+CIPRXGET=2,{link},{n}"
    read_header = b"+CIPRXGET: 2,"
    got_field = 1
    left_field = 2  # +CIPRXGET: 2,<link>,<got>,<left>: no new notice while <left> > 0
    max_read = 1460
    close = "AT+CIPCLOSE={link}"
    urcs = (
        (b"+CIPRXGET: 1,", b"", READABLE),
        (b"", b", CLOSED", CLOSED),
    )


class SIM800(Family):
    name = "sim800"
    banners = (b"RDY",)
    ok_words = (b"SHUT OK", b"CLOSE OK")
    needs = ("apn",)
    registration = ("AT+CREG?", "AT+CGREG?")
    urcs = (
        (b"+PDP: DEACT", b"", NETDOWN),
        (b"Call Ready", b"", IGNORE),
        (b"SMS Ready", b"", IGNORE),
    )
    bringup = (
        ("AT+CIPSHUT", 65, None, None),
        ("AT+CGATT=1", 75, None, None),
        ("AT+CIPMUX=1", 5, None, None),
        ("AT+CIPQSEND=1", 5, None, None),
        ("AT+CIPRXGET=1", 5, None, None),
        ('AT+CSTT="{apn}","{user}","{password}"', 5, None, None),
        ("AT+CIICR", 85, None, None),
        ("AT+CIFSR", 5, BARE, None),
    )
    dns = ('AT+CDNSGIP="{host}"', 70, b"+CDNSGIP: ")
    channels = (Link,)

    def parse_dns(self, line):
        return simcom_dns(line)
