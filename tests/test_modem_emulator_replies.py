"""The emulator answers what drivers written for real modules send, in the
module's own reply format (SIM800 AT manual v1.09 and TCP/IP application
note, SIM7600 AT manual v1.12, esp-at 2.x reference, BG96 TCP/IP AT manual
1.1, u-blox SARA-R4 AT manual), including each finding of issue 11: lines
that used to kill the serving thread, read forms answered wrongly, and
commands answered ERROR.
"""

import re

import pytest

from at_client import ATClient
from microhttplib.ports.serial_modem.emulator import Emulator

NET_UP = {
    "sim800": ['AT+CSTT="internet"', "AT+CIICR"],
    "sim7600": ["AT+NETOPEN"],
    "a7670": ["AT+NETOPEN"],
    "sim7080": ["AT+CNACT=0,1"],
    "esp_at": ['AT+CWJAP="testnet","secret"'],
    "bg96": ["AT+QIACT=1"],
    "sara_r4": ["AT+CGACT=1,1"],
}

# (family, network up first, command line, the reply lines, OK or final included)
CASES = [
    # SIM800: identification and status
    ("sim800", False, "ATI", [b"SIM800 R14.18", b"OK"]),
    ("sim800", False, "AT+GMR", [b"Revision:1418B04SIM800L24", b"OK"]),
    ("sim800", False, "AT+GSN", [b"867962040000001", b"OK"]),
    ("sim800", False, "AT+CSQ", [b"+CSQ: 24,0", b"OK"]),
    ("sim800", False, "AT+CREG?", [b"+CREG: 0,1", b"OK"]),
    ("sim800", False, "AT+CPIN?", [b"+CPIN: READY", b"OK"]),
    ("sim800", False, "AT+CIPSTATUS", [b"OK", b"STATE: IP INITIAL"]),
    ("sim800", True, "AT+CIPSTATUS", [b"OK", b"STATE: IP GPRSACT"]),
    # SIM800: read and test forms
    ("sim800", False, "AT+CGATT?", [b"+CGATT: 1", b"OK"]),
    ("sim800", False, "AT+CIPMUX?", [b"+CIPMUX: 0", b"OK"]),
    ("sim800", False, "AT+CIPQSEND?", [b"+CIPQSEND: 0", b"OK"]),
    ("sim800", False, "AT+CIPSEND?", [b"+CIPSEND: 1460", b"OK"]),
    ("sim800", False, "AT+CIPRXGET?", [b"+CIPRXGET: 0", b"OK"]),
    ("sim800", False, "AT+CIPMUX=?", [b"+CIPMUX: (0,1)", b"OK"]),
    ("sim800", False, "AT+CIPSTART=?",
     [b'+CIPSTART: (0-5),("TCP","UDP"),("(0-255).(0-255).(0-255).(0-255)"),(1-65535)', b"OK"]),
    ("sim800", False, "AT+CIICR=?", [b"OK"]),
    ("sim800", False, "AT+NOSUCH=?", [b"ERROR"]),
    ("sim800", True, "AT+CSTT?", [b'+CSTT: "internet","",""', b"OK"]),
    # SIM800: lines that killed the serving thread
    ("sim800", True, "AT+CIPRXGET=2", [b"ERROR"]),
    ("sim800", True, "AT+CDNSGIP", [b"ERROR"]),
    ("sim800", True, "AT+CIPSEND", [b"ERROR"]),
    ("sim800", True, "AT+CIPCLOSE", [b"ERROR"]),
    # SIM800: bearer, DNS servers, compound commands
    ("sim800", False, 'AT+SAPBR=3,1,"Contype","GPRS"', [b"OK"]),
    ("sim800", False, "AT+SAPBR=2,1", [b'+SAPBR: 1,3,"0.0.0.0"', b"OK"]),
    ("sim800", False, "AT+SAPBR=1,1;+SAPBR=2,1", [b'+SAPBR: 1,1,"10.64.0.3"', b"OK"]),
    ("sim800", False, "AT+SAPBR=0,1", [b"ERROR"]),
    ("sim800", False, 'AT+CDNSCFG="8.8.8.8","8.8.4.4";+CDNSCFG?',
     [b"PrimaryDns: 8.8.8.8", b"SecondaryDns: 8.8.4.4", b"OK"]),
    ("sim800", True, "AT+CIFSR;E0", [b"10.64.0.2", b"OK"]),
    ("sim800", False, "AT&FZE0&W", [b"OK"]),
    ("sim800", True, "AT+CMEE=2;+CIPSTART=9", [b"+CME ERROR: Incorrect parameters"]),
    # SIM7600
    ("sim7600", False, "AT+NETOPEN?", [b"+NETOPEN: 0", b"OK"]),
    ("sim7600", True, "AT+NETOPEN?", [b"+NETOPEN: 1", b"OK"]),
    ("sim7600", True, "AT+CIPCLOSE?", [b"+CIPCLOSE: 0,0,0,0,0,0,0,0,0,0", b"OK"]),
    ("sim7600", False, "AT+CIPCCFG=10,0,0,0,1,0,75000;+CIPCCFG?", [b"+CIPCCFG: 10,0,0,0,1,0,75000", b"OK"]),
    ("sim7600", False, "AT+CIPTIMEOUT=75000,15000,15000;+CIPTIMEOUT?", [b"+CIPTIMEOUT: 75000,15000,15000", b"OK"]),
    ("sim7600", False, "AT+CIPSENDMODE=0;+CIPSENDMODE?", [b"+CIPSENDMODE: 0", b"OK"]),
    ("sim7600", True, "AT+CIPRXGET=4,0", [b"ERROR"]),  # no link 0 open
    ("sim7600", False, "AT+CGMR", [b"+CGMR: LE20B04SIM7600M22", b"OK"]),
    ("sim7600", False, "AT+CICCID", [b"+ICCID: 89860000000000000001", b"OK"]),
    ("sim7600", True, "AT+CCHRECV?", [b"+CCHRECV: LEN,0,0", b"OK"]),
    ("a7670", False, "AT+CTCPKA=1,2,5,1;+CTCPKA?", [b"+CTCPKA: 1,2,5,1", b"OK"]),
    ("a7670", False, "ATI", [b"Manufacturer: INCORPORATED", b"Model: A7670E-LASE", b"Revision: A7670M7_V1.11.1",
                             b"IMEI: 867962040000002", b"+GCAP: +CGSM,+FCLASS,+DS", b"OK"]),
    # ESP-AT
    ("esp_at", False, "AT+GMR", [b"AT version:2.2.0.0(c6fa6bf - ESP32 - Jul  2 2021 06:44:05)",
                                 b"SDK version:v4.2.2-76-gefa6eca", b"compile time(3a696ba):Jul  2 2021 11:54:43",
                                 b"Bin version:2.2.0(WROOM-32)", b"OK"]),
    ("esp_at", False, "AT+CWJAP?", [b"No AP", b"OK"]),
    ("esp_at", True, "AT+CWJAP?", [b'+CWJAP:"testnet","24:0a:c4:00:00:99",6,-45,0,0,0,0,0', b"OK"]),
    ("esp_at", False, "AT+CIPRECVMODE?", [b"+CIPRECVMODE:0", b"OK"]),
    ("esp_at", False, "AT+CWMODE?", [b"+CWMODE:1", b"OK"]),
    ("esp_at", False, "AT+CIPMUX?", [b"+CIPMUX:0", b"OK"]),
    ("esp_at", False, "AT+CWMODE_CUR=1", [b"OK"]),
    ("esp_at", False, "AT+UART_CUR=115200,8,1,0,0", [b"OK"]),
    ("esp_at", False, "AT+CIPSSLSIZE=4096", [b"OK"]),
    ("esp_at", True, "AT+CIFSR", [b'+CIFSR:STAIP,"192.168.4.2"', b'+CIFSR:STAMAC,"24:0a:c4:00:00:01"', b"OK"]),
    ("esp_at", True, "AT+CIPSTA?", [b'+CIPSTA:ip:"192.168.4.2"', b'+CIPSTA:gateway:"192.168.4.1"',
                                    b'+CIPSTA:netmask:"255.255.255.0"', b"OK"]),
    ("esp_at", True, "AT+CIPSTATUS", [b"STATUS:2", b"OK"]),
    ("esp_at", False, "AT+CIPSTATUS", [b"STATUS:5", b"OK"]),
    ("esp_at", True, "AT+CWQAP", [b"OK"]),
    # BG96
    ("bg96", False, "AT+CGATT=1", [b"OK"]),
    ("bg96", False, "AT+QIACT?", [b"OK"]),
    ("bg96", True, "AT+QIACT?", [b'+QIACT: 1,1,1,"10.64.0.2"', b"OK"]),
    ("bg96", True, "AT+QISTATE", [b"OK"]),
    ("bg96", True, "AT+QIDNSGIP", [b"ERROR"]),
    ("bg96", False, "ATI", [b"Quectel", b"BG96", b"Revision: BG96MAR02A07M1G", b"OK"]),
    ("bg96", False, 'AT+QICSGP=1,1,"internet","","",1;+QICSGP=1', [b'+QICSGP: 1,"internet","","",0', b"OK"]),
    # SARA-R4
    ("sara_r4", False, 'AT+CGAUTH=1,0,"user","pwd"', [b"OK"]),
    ("sara_r4", True, "AT+USOCR=6;+USOCTL=0,10", [b"+USOCR: 0", b"+USOCTL: 0,10,0", b"OK"]),
    ("sara_r4", True, "AT+USOCTL=3,10", [b"ERROR"]),
    ("sara_r4", False, "AT+CGACT?", [b"+CGACT: 1,0", b"OK"]),
    ("sara_r4", False, "AT+CGMM", [b"SARA-R410M-02B", b"OK"]),
]


@pytest.mark.parametrize("family,online,line,expected", CASES,
                         ids=["%s:%s%s" % (c[0], c[2], "(online)" if c[1] else "") for c in CASES])
def test_reply_format(family, online, line, expected):
    with Emulator(family) as emu:
        client = ATClient(emu.path, timeout=5)
        try:
            client.at("ATE0")
            if online:
                for command in NET_UP[family]:
                    client.at(command)
                client.quiet()
            last = re.compile(rb"(^|\r\n)" + re.escape(expected[-1]) + rb"\r\n")
            assert client.at(line, final=last) == expected
            assert emu._thread.is_alive()
        finally:
            client.close()


def test_esp_at_restart_answers_ok_then_ready_with_echo_back_on():
    with Emulator("esp_at") as emu:
        client = ATClient(emu.path, timeout=5)
        try:
            client.at("ATE0")
            assert client.at("AT+RST") == [b"OK"]
            client.expect(b"\r\nready\r\n")
            assert client.at("AT") == [b"AT\r", b"OK"]  # echo is on again after a reboot
        finally:
            client.close()


@pytest.mark.parametrize("mux,qsend,confirmation", [
    ("1", "0", b"0, SEND OK"),  # the module default: confirmed once the server acknowledged it
    ("1", "1", b"DATA ACCEPT:0,5"),  # quick send: confirmed once buffered
    ("0", "0", b"SEND OK"),
    ("0", "1", b"DATA ACCEPT:5"),
])
@pytest.mark.parametrize("ctrl_z", [False, True], ids=["length", "ctrl-z"])
def test_sim800_send_confirmation_follows_cipqsend(mux, qsend, confirmation, ctrl_z, http_server):
    with Emulator("sim800") as emu:
        client = ATClient(emu.path, timeout=5)
        try:
            for line in ("ATE0", "AT+CIPMUX=" + mux, "AT+CIPQSEND=" + qsend, 'AT+CSTT="internet"', "AT+CIICR"):
                client.at(line)
            link = "0," if mux == "1" else ""
            opened = re.compile(rb"\r\n(0, )?CONNECT OK\r\n")
            client.at('AT+CIPSTART=%s"TCP","127.0.0.1","%d"' % (link, http_server.port), final=opened)
            client.buf.clear()
            if ctrl_z:  # no length: the text ends at Ctrl-Z
                client.write(b"AT+CIPSEND%s\r\n" % (b"=0" if link else b""))
            else:
                client.write(b"AT+CIPSEND=%s5\r\n" % link.encode())
            client.expect(b"> ")
            client.write(b"HEAD \x1a" if ctrl_z else b"HEAD ")
            assert client.expect(rb"\r\n([^\r\n]+)\r\n")[1].group(1) == confirmation
        finally:
            client.close()
