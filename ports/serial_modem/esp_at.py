"""Espressif ESP-AT (ESP8266 / ESP32 AT firmware, Wi-Fi), multi-link mode.

Passive receive (AT+CIPRECVMODE=1) is the default: the module announces
+IPD,<link>,<len> and the host pulls with AT+CIPRECVDATA, so it is never
overrun. receive="push" parses active-mode +IPD,<link>,<len>:<bytes> frames
for firmware without passive mode. TLS is the "SSL" link type.
"""

from .family import Family, Channel, Upload, READABLE, CLOSED, NETDOWN, IGNORE, quoted


class Link(Channel):
    links = 5
    open = (('AT+CIPSTART={link},"TCP","{host}",{port}', 20, "{link},CONNECT", b""),)
    open_tls = (('AT+CIPSTART={link},"SSL","{host}",{port}', 30, "{link},CONNECT", b""),)
    send = "AT+CIPSEND={link},{n}"
    prompt = b">"  # after OK and a blank line
    send_done = b"SEND OK"
    send_fail = (b"SEND FAIL",)
    max_send = 2048
    read = "AT+CIPRECVDATA={link},{n}"
    read_header = b"+CIPRECVDATA:"
    read_header_end = b","  # the payload follows the comma directly
    got_field = 0
    max_read = 2048
    short_read_drains = True
    close = "AT+CIPCLOSE={link}"
    # auth_mode 2 = verify the server with CA number {ca} of the PKI store;
    # AT+CIPSSLCCN is the name the certificate must carry.
    verify = (
        ("AT+CIPSSLCCONF={link},2,0,{ca}", 5, None, None),
        ('AT+CIPSSLCCN={link},"{host}"', 5, None, None),
        ('AT+CIPSSLCSNI={link},"{sni}"', 5, None, None),
    )
    verify_any_host = (
        ("AT+CIPSSLCCONF={link},2,0,{ca}", 5, None, None),
        ('AT+CIPSSLCSNI={link},"{sni}"', 5, None, None),
    )
    unverified = (
        ("AT+CIPSSLCCONF={link},0", 5, None, None),
        ('AT+CIPSSLCSNI={link},"{sni}"', 5, None, None),
    )
    ca_name = "0"  # CA slot 0 (client_ca.0)
    ca_upload = ('AT+SYSMFG=2,"client_ca","client_ca.{ca}",8,{n}', Upload)  # esp-at 3.x
    urcs = (
        (b"+IPD,", b"", READABLE),
        (b"", b",CLOSED", CLOSED),
        (b"", b",CONNECT", IGNORE),
    )


class ESPAT(Family):
    name = "esp_at"
    banners = (b"ready",)
    error_words = (b"FAIL",)  # SEND FAIL; a failed AT+CWJAP ends in FAIL on some firmware
    busy_words = (b"busy p...", b"busy s...")
    needs = ("ssid",)
    common_urcs = ()
    sim_check = False
    reasons = (
        (b"+CWJAP:1", "Wi-Fi join timed out"),
        (b"+CWJAP:2", "Wi-Fi password rejected"),
        (b"+CWJAP:3", "Wi-Fi access point not found"),
        (b"+CWJAP:4", "Wi-Fi join failed"),
    )
    urcs = (
        (b"WIFI DISCONNECT", b"", NETDOWN),
        (b"WIFI CONNECTED", b"", IGNORE),
        (b"WIFI GOT IP", b"", IGNORE),
        (b"Recv ", b" bytes", IGNORE),
    )
    bringup = (
        ("AT+CWMODE=1", 5, None, None),
        ("AT+CIPCLOSE=5", 5, None, None, True),  # links an earlier run left open refuse CIPMUX ("link is builded")
        ("AT+CIPMUX=1", 5, None, None),
        ('AT+CWJAP="{ssid}","{psk}"', 20, None, None),
        ("AT+CIPRECVMODE={pull}", 5, None, None),
    )
    dns = ('AT+CIPDOMAIN="{host}"', 20, b"+CIPDOMAIN:")
    channels = (Link,)
    push_header = (b"+IPD,", b":")

    def parse_dns(self, line):
        return quoted(line[len(b"+CIPDOMAIN:"):]).decode()

    def parse_push(self, header):
        link, size = header[len(b"+IPD,"):].split(b",")
        return Link, int(link), int(size)


class NonOSLink(Link):
    """ESP8266 NonOS AT 1.7: +CIPRECVDATA,<len>:<data>, no SNI, no verification."""

    open_tls = (('AT+CIPSTART={link},"SSL","{host}",{port}', 30, "{link},CONNECT", b""),)
    read_header = b"+CIPRECVDATA,"
    read_header_end = b":"
    verify = None
    verify_any_host = None
    unverified = ()
    ca_upload = None


class ESP8266NonOS(ESPAT):
    channels = (NonOSLink,)


def _firmware(line):
    """AT version:1.7.x is NonOS AT; 2.x and 3.x are esp-at."""
    return ESP8266NonOS if line.startswith(b"AT version:1.") else ESPAT


ESPAT.identify = ("AT+GMR", 5, b"AT version:", _firmware)
