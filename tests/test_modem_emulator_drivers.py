"""Drivers written from the vendors' manuals, not ours, against the emulator.

Each is a small script over pyserial (tests/at_client.py) that follows
TinyGSM's command sequence for its module (TinyGsmClientSIM800.h,
SIM7600.h, A7672x.h, ESP8266.h, BG96.h, SaraR4.h, SIM7080.h): bring-up,
a TCP connection, an HTTP/1.1 exchange with the real loopback server and
close. It shares nothing with microhttplib.ports.serial_modem, so the
emulator is held to what real drivers send, not to what ours sends.
Payload is binary (every byte value, CR LF and "OK" included) and is
always counted by its announced length.
"""

import re
import time

import pytest

import servers
from at_client import ATClient
from microhttplib.ports.serial_modem.emulator import Emulator

SIZE = 6000  # spans several reads and push frames


class Script:
    """Send a line, wait for a pattern; everything consumed is kept in seen
    so URCs that arrived in between (data waiting, link closed) are found."""

    def __init__(self, path):
        self.at = ATClient(path, timeout=10)
        self.seen = b""

    def close(self):
        self.at.close()

    def cmd(self, line, want=rb"OK", end=rb"\r\n"):
        """end: what follows the wanted line (nothing when payload does)."""
        self.at.write(line.encode() + b"\r\n")
        return self.expect(want, end)

    def expect(self, want, end=rb"\r\n"):
        got, match = self.at.expect(re.compile(rb"(?:^|\r\n)" + want + end))
        self.seen += got
        self.last = got
        return match

    def prompt(self, line, token):
        """A command answered by a data prompt, which ends no line."""
        self.at.write(line.encode() + b"\r\n")
        got, _ = self.at.expect(re.compile(re.escape(token)))
        self.seen += got

    def payload(self, n):
        return self.at.read_exact(n)

    def saw(self, urc):
        return urc in self.seen


def request(port):
    return b"GET /bytes/%d HTTP/1.1\r\nHost: localhost:%d\r\nConnection: close\r\n\r\n" % (SIZE, port)


def check_response(raw):
    head, _, body = raw.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200 ")
    assert body == servers.pattern(SIZE)


def poll(step, done, timeout=10):
    """Call step() until done() says the link is drained and closed."""
    deadline = time.monotonic() + timeout
    while not done():
        if not step():
            assert time.monotonic() < deadline, "no data and no close"
            time.sleep(0.02)


# ---- SIMCom SIM800: TinyGSM's multi-link pull sequence -------------------------------


def sim800_multi_link(s, port):
    for line in ("AT", "ATE0", "AT+CMEE=2", "AT+CLTS=1", "AT+CBATCHK=1"):
        s.cmd(line)
    s.cmd("AT+CPIN?", rb"\+CPIN: READY\r\n\r\nOK")
    s.cmd("AT+CIPSHUT", rb"SHUT OK")
    for line in ('AT+SAPBR=3,1,"Contype","GPRS"', 'AT+SAPBR=3,1,"APN","internet"',
                 'AT+CGDCONT=1,"IP","internet"', "AT+CGACT=1,1", "AT+SAPBR=1,1"):
        s.cmd(line)
    s.cmd("AT+SAPBR=2,1", rb'\+SAPBR: 1,1,"[\d.]+"\r\n\r\nOK')
    for line in ("AT+CGATT=1", "AT+CIPMUX=1", "AT+CIPQSEND=1", "AT+CIPRXGET=1", 'AT+CSTT="internet","",""',
                 "AT+CIICR"):
        s.cmd(line)
    s.cmd("AT+CIFSR;E0", rb"OK")
    s.cmd('AT+CDNSCFG="8.8.8.8","8.8.4.4"')
    s.cmd("AT+CGATT?", rb"\+CGATT: 1\r\n\r\nOK")
    s.cmd('AT+CIPSTART=0,"TCP","localhost",%d' % port, rb"0, CONNECT OK")
    data = request(port)
    s.prompt("AT+CIPSEND=0,%d" % len(data), b">")
    s.at.write(data)
    s.expect(rb"DATA ACCEPT:0,%d" % len(data))
    s.cmd("AT+CIPSTATUS=0", rb'\+CIPSTATUS: 0,0,"TCP","127.0.0.1","%d","(CONNECTED|CLOSED)"\r\n\r\nOK' % port)
    got = bytearray()

    def available():
        return int(s.cmd("AT+CIPRXGET=4,0", rb"\+CIPRXGET: 4,0,(\d+)\r\n\r\nOK").group(1))

    def step():
        if not available():
            return False
        m = s.cmd("AT+CIPRXGET=2,0,1460", rb"\+CIPRXGET: 2,0,(\d+),(\d+)")
        got.extend(s.payload(int(m.group(1))))
        s.expect(rb"OK")
        return True

    poll(step, lambda: s.saw(b"0, CLOSED") and not available())
    s.cmd("AT+CIPCLOSE=0,1", rb"0, CLOSE OK")
    s.cmd("AT+CIPSHUT", rb"SHUT OK")
    return bytes(got)


# ---- SIM800 the FONA way: one link, CIPQSEND=0, pushed +IPD data ---------------------


def sim800_single_link_push(s, port):
    s.cmd("ATE0")
    s.cmd("AT+CIPMUX?", rb"\+CIPMUX: 0\r\n\r\nOK")  # the module default
    s.cmd("AT+CIPQSEND?", rb"\+CIPQSEND: 0\r\n\r\nOK")
    s.cmd("AT+CIPHEAD=1")
    s.cmd('AT+CSTT="internet"')
    s.cmd("AT+CIICR")
    s.cmd("AT+CIFSR", rb"[\d.]+")
    s.cmd("AT+CIPSTATUS", rb"STATE: IP STATUS")
    s.cmd('AT+CIPSTART="TCP","localhost","%d"' % port, rb"CONNECT OK")
    s.cmd("AT+CIPSEND?", rb"\+CIPSEND: 1460\r\n\r\nOK")
    data = request(port)
    s.prompt("AT+CIPSEND=%d" % len(data), b">")
    s.at.write(data)
    s.expect(rb"SEND OK")  # CIPQSEND=0: confirmed once the server acknowledged it
    got = bytearray()
    while True:
        m = s.at.expect(re.compile(rb"\+IPD,(\d+):|\r\nCLOSED\r\n"))[1]
        if m.group(1) is None:
            break
        got.extend(s.payload(int(m.group(1))))
    return bytes(got)


# ---- SIMCom SIM7600 / A7670: NETOPEN, CIPOPEN, pull reads -----------------------------


def sim7600(s, port):
    s.cmd("ATE0")
    s.cmd("AT+CMEE=2")
    s.cmd("AT+CPIN?", rb"\+CPIN: READY\r\n\r\nOK")
    for line in ('AT+CGDCONT=1,"IP","internet"', "AT+CIPMODE=0", "AT+CIPSENDMODE=0",
                 "AT+CIPCCFG=10,0,0,0,1,0,75000", "AT+CIPTIMEOUT=75000,15000,15000", "AT+CIPRXGET=1"):
        s.cmd(line)
    s.cmd("AT+NETOPEN", rb"\+NETOPEN: 0")
    s.cmd("AT+NETOPEN?", rb"\+NETOPEN: 1\r\n\r\nOK")
    s.cmd("AT+CGPADDR=1", rb"\+CGPADDR: 1,[\d.]+\r\n\r\nOK")
    s.cmd('AT+CIPOPEN=0,"TCP","localhost",%d' % port, rb"\+CIPOPEN: 0,0")
    data = request(port)
    s.prompt("AT+CIPSEND=0,%d" % len(data), b">")
    s.at.write(data)
    s.expect(rb"\+CIPSEND: 0,%d,%d" % (len(data), len(data)))
    s.cmd("AT+CIPACK=0", rb"\+CIPACK: %d,%d,\d+\r\n\r\nOK" % (len(data), len(data)))
    got = bytearray()

    def available():
        return int(s.cmd("AT+CIPRXGET=4,0", rb"\+CIPRXGET: 4,0,(\d+)\r\n\r\nOK").group(1))

    def step():
        if not available():
            return False
        m = s.cmd("AT+CIPRXGET=2,0,1500", rb"\+CIPRXGET: 2,0,(\d+),(\d+)")
        got.extend(s.payload(int(m.group(1))))
        s.expect(rb"OK")
        return True

    poll(step, lambda: s.saw(b"+IPCLOSE: 0,1") and not available())
    s.cmd("AT+CIPCLOSE?", rb"\+CIPCLOSE: [01](,[01]){9}\r\n\r\nOK")
    s.cmd("AT+CIPCLOSE=0", rb"\+CIPCLOSE: 0,0")
    s.cmd("AT+NETCLOSE", rb"\+NETCLOSE: 0")
    return bytes(got)


# ---- Espressif ESP-AT: reset, join, one link or several, pushed +IPD -----------------


def esp_at(s, port, multi):
    s.cmd("AT+RST")
    s.expect(rb"ready")
    s.cmd("ATE0")
    s.cmd("AT+GMR", rb"Bin version:[^\r]*\r\n\r\nOK")
    s.cmd("AT+CWMODE_CUR=1")
    s.cmd("AT+CWMODE?", rb"\+CWMODE:1\r\n\r\nOK")
    s.cmd("AT+CIPMUX=%d" % multi)
    s.cmd('AT+CWJAP="testnet","secret"', rb"WIFI GOT IP\r\n\r\nOK")
    s.cmd("AT+CIPSTATUS", rb"STATUS:2\r\n\r\nOK")
    s.cmd("AT+CIFSR", rb'\+CIFSR:STAMAC,"[0-9a-f:]+"\r\n\r\nOK')
    tag = "0," if multi else ""
    s.cmd('AT+CIPSTART=%s"TCP","localhost",%d,10' % (tag, port), tag.encode() + rb"CONNECT\r\n\r\nOK")
    data = request(port)
    s.prompt("AT+CIPSEND=%s%d" % (tag, len(data)), b"OK\r\n\r\n>")
    s.at.write(data)
    s.expect(rb"SEND OK")
    got = bytearray()
    while True:
        m = s.at.expect(re.compile(rb"\+IPD,(?:0,)?(\d+):|\r\n(?:0,)?CLOSED\r\n"))[1]
        if m.group(1) is None:
            break
        got.extend(s.payload(int(m.group(1))))
    s.cmd("AT+CWQAP")
    return bytes(got)


# ---- Quectel BG96: QIACT, QIOPEN in buffer mode, QIRD ---------------------------------


def bg96(s, port):
    s.cmd("ATE0")
    s.cmd("AT+CMEE=2")
    s.cmd("ATI", rb"Revision: \S+\r\n\r\nOK")
    s.cmd('AT+QICSGP=1,1,"internet","","",1')
    s.cmd("AT+QIACT=1")
    s.cmd("AT+QIACT?", rb'\+QIACT: 1,1,1,"[\d.]+"\r\n\r\nOK')
    s.cmd("AT+CGATT=1")
    s.cmd('AT+QIOPEN=1,0,"TCP","localhost",%d,0,0' % port, rb"\+QIOPEN: 0,0")
    s.cmd("AT+QISTATE=1,0", rb'\+QISTATE: 0,"TCP","127.0.0.1",%d,\d+,2,1,0,0,"uart1"\r\n\r\nOK' % port)
    data = request(port)
    s.prompt("AT+QISEND=0,%d" % len(data), b">")
    s.at.write(data)
    s.expect(rb"SEND OK")
    s.cmd("AT+QISEND=0,0", rb"\+QISEND: %d,%d,0\r\n\r\nOK" % (len(data), len(data)))
    got = bytearray()

    def step():
        m = s.cmd("AT+QIRD=0,1500", rb"\+QIRD: (\d+)")
        n = int(m.group(1))
        got.extend(s.payload(n))
        s.expect(rb"OK")
        return n > 0

    def drained_and_closed():
        m = s.cmd("AT+QIRD=0,0", rb"\+QIRD: (\d+),(\d+),(\d+)\r\n\r\nOK")
        return s.saw(b'+QIURC: "closed",0') and m.group(3) == b"0"

    poll(step, drained_and_closed)
    s.cmd("AT+QICLOSE=0")
    s.cmd("AT+QIDEACT=1")
    return bytes(got)


# ---- u-blox SARA-R4: CGACT, USOCR, asynchronous USOCO, short USOWR, USORD ------------


def sara_r4(s, port):
    s.cmd("ATE0")
    s.cmd("AT+CMEE=2")
    s.cmd("AT+CGMM", rb"SARA-R4\S*\r\n\r\nOK")
    for line in ("AT+CGATT=1", 'AT+CGDCONT=1,"IP","internet"', 'AT+CGAUTH=1,0,"",""', "AT+CGACT=1,1"):
        s.cmd(line)
    socket_id = int(s.cmd("AT+USOCR=6", rb"\+USOCR: (\d)\r\n\r\nOK").group(1))
    s.cmd("AT+USOSO=%d,6,1,1" % socket_id)
    s.cmd('AT+USOCO=%d,"localhost",%d,1' % (socket_id, port))  # asynchronous: OK first,
    s.expect(rb"\+UUSOCO: %d,0" % socket_id)                   # the outcome later
    s.cmd("AT+USOCTL=%d,10" % socket_id, rb"\+USOCTL: %d,10,4\r\n\r\nOK" % socket_id)  # ESTABLISHED
    data = request(port)
    while data:  # a write may take less than offered: send the rest again
        s.prompt("AT+USOWR=%d,%d" % (socket_id, len(data)), b"@")
        time.sleep(0.05)  # the manual: wait 50 ms after @
        s.at.write(data)
        taken = int(s.expect(rb"\+USOWR: %d,(\d+)\r\n\r\nOK" % socket_id).group(1))
        data = data[taken:]
    got = bytearray()

    def available():
        return int(s.cmd("AT+USORD=%d,0" % socket_id, rb"\+USORD: %d,(\d+)\r\n\r\nOK" % socket_id).group(1))

    def step():
        if not available():
            return False
        m = s.cmd("AT+USORD=%d,1024" % socket_id, rb'\+USORD: %d,(\d+),"' % socket_id, end=b"")
        got.extend(s.payload(int(m.group(1))))
        s.expect(rb'"\r\n\r\nOK')
        return True

    poll(step, lambda: s.saw(b"+UUSOCL: %d" % socket_id) and not available())
    s.cmd("AT+USOCL=%d" % socket_id)
    return bytes(got)


# ---- SIMCom SIM7080G: CNACT, CAOPEN, CASEND, CARECV -----------------------------------


def sim7080(s, port):
    for line in ("ATE0", "AT+CMEE=2", "AT+CLTS=1", "AT+CBATCHK=1", 'AT+CGDCONT=1,"IP","internet"', "AT+CGATT=1",
                 'AT+CNCFG=0,1,"internet"'):
        s.cmd(line)
    s.cmd("AT+CNACT=0,1", rb"\+APP PDP: 0,ACTIVE")
    s.cmd("AT+CNACT?", rb'\+CNACT: 0,1,"[\d.]+"')
    s.expect(rb"OK")
    s.cmd("AT+CACID=0")
    s.cmd("AT+CASSLCFG=0,SSL,0")  # TinyGSM leaves the words unquoted
    s.cmd('AT+CAOPEN=0,0,"TCP","localhost",%d' % port, rb"\+CAOPEN: 0,0\r\n\r\nOK")
    data = request(port)
    s.prompt("AT+CASEND=0,%d" % len(data), b">")
    s.at.write(data)
    s.expect(rb"OK")
    got = bytearray()

    def step():
        m = s.cmd("AT+CARECV=0,1460", rb"\+CARECV: (\d+)(?:,|\r\n\r\nOK\r\n)", end=b"")
        n = int(m.group(1))
        if n:
            got.extend(s.payload(n))
            s.expect(rb"OK")
        return n > 0

    def drained_and_closed():
        s.cmd("AT+CASTATE?", rb"OK")
        if not s.saw(b"+CASTATE: 0,0"):
            return False
        s.cmd("AT+CARECV?", rb"OK")
        return b"+CARECV: 0," not in s.last  # no data left on link 0

    poll(step, drained_and_closed)
    s.cmd("AT+CACLOSE=0")
    s.cmd("AT+CNACT=0,0", rb"\+APP PDP: 0,DEACTIVE")
    return bytes(got)


DRIVERS = {
    ("sim800", "multi-link pull (TinyGSM)"): sim800_multi_link,
    ("sim800", "single-link push, CIPQSEND=0 (FONA)"): sim800_single_link_push,
    ("sim7600", "CIPOPEN pull (TinyGSM)"): sim7600,
    ("a7670", "CIPOPEN pull (TinyGSM A7672x)"): sim7600,
    ("esp_at", "multi-link +IPD (TinyGSM)"): lambda s, port: esp_at(s, port, multi=1),
    ("esp_at", "single-link +IPD, keep-alive argument"): lambda s, port: esp_at(s, port, multi=0),
    ("bg96", "QIOPEN buffer mode (TinyGSM)"): bg96,
    ("sara_r4", "asynchronous USOCO (TinyGSM)"): sara_r4,
    ("sim7080", "CAOPEN (TinyGSM)"): sim7080,
}


@pytest.mark.parametrize("family,style", list(DRIVERS), ids=["%s: %s" % k for k in DRIVERS])
def test_a_manual_following_driver_gets_a_page(family, style, http_server):
    with Emulator(family) as emu:
        script = Script(emu.path)
        try:
            raw = DRIVERS[family, style](script, http_server.port)
        finally:
            script.close()
        check_response(raw)
        assert emu._thread.is_alive()
