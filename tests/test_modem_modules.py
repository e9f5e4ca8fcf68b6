"""What real modules do that a friendly test double would not: firmware
dialects, packet-sized reads, slow closes, full buffers, SIM and network
states, silent reboots, unsolicited chatter and broken replies. Each runs
the driver through pyserial on a pty against the emulator's model of it."""

import time

import pytest

from microhttplib import HTTPConnection, HTTPSConnection
from microhttplib.ports.serial_modem import (
    CommandError,
    Modem,
    ModemError,
    ModemReset,
    ModemTimeout,
    NotReady,
    SendFailed,
    unverified_context,
)

import servers
from modem_helpers import FAMILIES, OPEN_COMMAND, SEND_COMMAND, Rig, credentials

CELLULAR = ("sim800", "sim7600", "bg96", "sara_r4")


def get(conn, path):
    conn.request("GET", path)
    response = conn.getresponse()
    return response, response.read()


# ---- firmware dialects --------------------------------------------------

def test_esp8266_nonos_1_7_reads_and_refuses_unverifiable_https(http_server, tls_server):
    with Rig("esp_at", firmware="1.7") as rig:
        conn = HTTPConnection("localhost", http_server.port, timeout=5, transport=rig.modem)
        for size in (300, 50000):
            response, body = get(conn, "/bytes/%d" % size)
            assert body == servers.pattern(size)
        assert rig.commands("AT+CIPRECVDATA=")  # the 1.7 "+CIPRECVDATA,<n>:" replies
        conn = HTTPSConnection("localhost", tls_server.port, timeout=5, transport=rig.modem, cadata=tls_server.ca_pem)
        with pytest.raises(ModemError, match="esp_at: this module cannot verify TLS certificates"):
            get(conn, "/index.html")
        conn = HTTPSConnection("localhost", tls_server.port, timeout=5, transport=rig.modem,
                               context=unverified_context())
        assert get(conn, "/bytes/2000")[1] == servers.pattern(2000)
        assert not rig.commands("AT+CIPSSLCSNI")  # 1.7 has none


@pytest.mark.parametrize("firmware", ["1.7", "2.2"])
@pytest.mark.parametrize("ssid, psk, reason", [("nosuchnet", "secret", "Wi-Fi access point not found"),
                                               ("testnet", "wrong", "Wi-Fi password rejected")])
def test_a_failed_wifi_join_is_an_immediate_error_naming_the_reason(firmware, ssid, psk, reason):
    with Rig("esp_at", firmware=firmware) as rig:
        modem = Modem(rig.path, "esp_at", ssid=ssid, psk=psk)
        started = time.monotonic()
        with pytest.raises(CommandError, match="esp_at: %s" % reason):
            modem.start()
        assert time.monotonic() - started < 3  # not the join step's 20 s
        modem.close()


# ---- read paths ---------------------------------------------------------

@pytest.mark.parametrize("family", ["sim800", "sim7600", "a7670", "bg96"])
def test_packet_sized_pull_reads(family, http_server):
    """A read may return one packet while more is buffered, and the module
    sends no new notice until drained: the driver uses <left> (SIMCom) or
    reads on until a read returns 0 (Quectel). It used to wait for a notice
    that never came."""
    with Rig(family, packet=536) as rig:
        conn = HTTPConnection("localhost", http_server.port, timeout=3, transport=rig.modem)
        response, body = get(conn, "/bytes/60000")
        assert body == servers.pattern(60000)
        response, body = get(conn, "/bytes/700")
        assert body == servers.pattern(700)
        assert len(rig.commands(OPEN_COMMAND[family])) == 1


def test_sim7600_waits_for_netclose_before_netopen(http_server):
    with Rig("sim7600", netclose_delay=1.0) as rig:
        rig.modem.start()
        rig.modem.close()
        again = Modem(rig.path, "sim7600", apn="internet")  # the network is still open on the module
        conn = HTTPConnection("localhost", http_server.port, timeout=5, transport=again)
        assert get(conn, "/bytes/1000")[1] == servers.pattern(1000)
        again.close()


def test_bg96_send_fail_means_a_full_buffer_and_is_retried(http_server):
    with Rig("bg96") as rig:
        conn = HTTPConnection("localhost", http_server.port, timeout=10, transport=rig.modem)
        get(conn, "/index.html")
        rig.emulator.fault("send-full", 3)
        conn.request("POST", "/echo", body=b"z" * 3000)
        assert b"z" * 3000 in conn.getresponse().read()
        assert len(rig.commands("AT+QISEND=")) >= 5  # three refused, then the blocks
        rig.emulator.fault("send-full", 50)  # a buffer that never drains
        with pytest.raises(SendFailed, match="bg96: send failed .*the buffer stayed full"):
            conn.request("POST", "/echo", body=b"z" * 100)


# ---- SIM and network readiness -----------------------------------------

@pytest.mark.parametrize("family", CELLULAR)
@pytest.mark.parametrize("setting, message", [
    ({"sim": "absent"}, "no SIM"),
    ({"sim": "pin"}, "SIM SIM PIN required"),
    ({"registration": "denied"}, r"not registered \(denied"),
    ({"registration": "searching"}, r"not registered \(searching"),
])
def test_sim_and_registration_errors_say_what_is_wrong(family, setting, message):
    with Rig(family, **setting) as rig:
        modem = Modem(rig.path, family, apn="internet", timeout_scale=0.01)
        with pytest.raises(NotReady, match="%s: %s" % (family, message)):
            modem.start()
        assert not [c for c in rig.emulator.commands if c.startswith(("AT+CGATT=1", "AT+NETOPEN", "AT+QIACT=",
                                                                         "AT+CIICR"))]
        modem.close()


@pytest.mark.parametrize("family", CELLULAR)
def test_bring_up_waits_while_the_module_searches(family, http_server):
    with Rig(family, register_after=0.8) as rig:
        conn = HTTPConnection("localhost", http_server.port, timeout=0.5, transport=rig.modem)
        assert get(conn, "/bytes/100")[1] == servers.pattern(100)  # the HTTP timeout does not bound it
        query = rig.modem.family.registration[0]
        assert rig.emulator.commands.count(query) >= 2


def test_start_timeout_still_bounds_the_whole_bring_up():
    with Rig("sara_r4", register_after=30) as rig:
        modem = Modem(rig.path, "sara_r4", apn="internet", start_timeout=1.5)
        started = time.monotonic()
        with pytest.raises((NotReady, ModemTimeout)):
            modem.start()
        assert time.monotonic() - started < 4
        modem.close()


def test_vendor_step_timeouts_are_not_cut_by_the_http_timeout(http_server):
    with Rig("bg96") as rig:
        conn = HTTPConnection("localhost", http_server.port, timeout=0.5, transport=rig.modem)
        get(conn, "/index.html")
        conn.close()
        rig.emulator.fault("stall", 1.5)  # DNS and QIOPEN take longer than the HTTP timeout
        assert get(conn, "/bytes/100")[1] == servers.pattern(100)


# ---- silent reboot ------------------------------------------------------

@pytest.mark.parametrize("family", FAMILIES)
def test_silent_reboot_mid_session(family, http_server):
    with Rig(family) as rig:
        conn = HTTPConnection("localhost", http_server.port, timeout=5, transport=rig.modem)
        assert get(conn, "/bytes/500")[1] == servers.pattern(500)
        rig.emulator.fault("reboot")  # no banner; echo comes back on
        assert get(conn, "/bytes/600")[1] == servers.pattern(600)  # brought up again, GET retried once
        assert rig.emulator.commands.count("ATE0") == 2
        rig.modem.peer_closed(conn.sock)  # settle a late data notice (one pull read) first
        rig.emulator.fault("reboot")  # so the reboot hits the POST's first send
        sends = len(rig.commands(SEND_COMMAND[family]))
        with pytest.raises(ModemReset, match="%s: modem reset" % family):
            conn.request("POST", "/echo", body=b"once only")
        assert len(rig.commands(SEND_COMMAND[family])) == sends + 1  # the refused one, never resent
        conn.close()
        assert get(conn, "/bytes/700")[1] == servers.pattern(700)


# ---- power-up, chatter --------------------------------------------------

@pytest.mark.parametrize("family", CELLULAR)
def test_unsolicited_chatter_never_corrupts_an_exchange(family, http_server):
    with Rig(family, faults=("chatter",)) as rig:  # between command and reply, and after each prompt
        conn = HTTPConnection("localhost", http_server.port, timeout=5, transport=rig.modem)
        assert get(conn, "/bytes/40000")[1] == servers.pattern(40000)
        conn.request("POST", "/echo", body=b"+CPIN: NOT READY\r\nOK\r\n" * 500)
        assert b"+CPIN: NOT READY\\r\\nOK\\r\\n" * 500 in conn.getresponse().read()
        assert len(rig.commands(OPEN_COMMAND[family])) == 1


def test_boot_codes_and_echo_at_power_up_are_taken_in_stride(http_server):
    for family in FAMILIES:
        with Rig(family, boot=True) as rig:
            conn = HTTPConnection("localhost", http_server.port, timeout=5, transport=rig.modem)
            assert get(conn, "/bytes/100")[1] == servers.pattern(100)
            assert rig.emulator.commands.count("ATE0") == 1  # the boot codes were not taken for a reset


# ---- bad input ----------------------------------------------------------

@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("fault", ["cut", "overlong", "mute"])
def test_a_broken_or_silent_reply_times_out_and_yields_no_reply_bytes(family, fault, scripted):
    def serve(server, conn):
        while server.read_request(conn):
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n" + b"x" * 5000)

    server = scripted(serve)
    with Rig(family) as rig:
        conn = HTTPConnection("localhost", server.port, timeout=1, transport=rig.modem)
        assert get(conn, "/")[1] == b"x" * 5000
        conn.request("GET", "/")
        response = conn.getresponse()
        rig.emulator.fault(fault, 300 if fault == "overlong" else None)
        started = time.monotonic()
        body = b""
        with pytest.raises(OSError) as caught:
            while True:
                chunk = response.read(1000)
                if not chunk:
                    break
                body += chunk
        assert isinstance(caught.value, ModemError) or isinstance(caught.value.__context__, ModemError)
        assert time.monotonic() - started < 3
        assert set(body) <= {ord("x")}  # never a byte of an AT reply


@pytest.mark.parametrize("family", FAMILIES)
def test_a_prompt_that_never_comes(family, http_server):
    with Rig(family) as rig:
        conn = HTTPConnection("localhost", http_server.port, timeout=1, transport=rig.modem)
        get(conn, "/index.html")
        rig.modem.peer_closed(conn.sock)
        rig.emulator.fault("no-prompt")
        started = time.monotonic()
        with pytest.raises(ModemTimeout):
            conn.request("POST", "/echo", body=b"p" * 100)
        assert time.monotonic() - started < 3


def test_a_reply_announcing_more_than_asked_is_refused():
    """The engine never moves more payload than it asked for: a larger count
    is noise, and the bytes after it could be replies."""
    import os
    import pty
    import threading
    from microhttplib.ports.serial_modem.engine import ATEngine
    from microhttplib.ports.serial_modem.port import open_port
    from microhttplib.ports.serial_modem.sim800 import SIM800, Link

    master, slave = pty.openpty()
    port = open_port(os.ttyname(slave), 115200)
    engine = ATEngine(port, SIM800(), lambda *a: None)

    def answer():
        data = b""
        while b"\r" not in data:
            data += os.read(master, 100)
        os.write(master, b"\r\n+CIPRXGET: 2,0,900,0\r\n" + b"y" * 100 + b"\r\nOK\r\n")

    threading.Thread(target=answer, daemon=True).start()
    dest = bytearray(100)
    with pytest.raises(ModemError, match="answered 900 bytes, more than the 100 asked"):
        engine.read(b"AT+CIPRXGET=2,0,100", memoryview(dest), Link, 2000)
    port.close()
    os.close(master)
    os.close(slave)


@pytest.mark.parametrize("header", [b"+CIPRXGET: 2,0,x,0", b"+CIPRXGET: 2,0,5,x", b"+CIPRXGET: 2,0"])
def test_a_garbled_read_header_is_a_modem_error(header):
    """A count field that is not a number is a ModemError (the HTTP layer
    expects one), never a ValueError, and no byte after it is payload."""
    import os
    import pty
    import threading
    from microhttplib.ports.serial_modem.engine import ATEngine
    from microhttplib.ports.serial_modem.port import open_port
    from microhttplib.ports.serial_modem.sim800 import SIM800, Link

    master, slave = pty.openpty()
    port = open_port(os.ttyname(slave), 115200)
    engine = ATEngine(port, SIM800(), lambda *a: None)

    def answer():
        data = b""
        while b"\r" not in data:
            data += os.read(master, 100)
        os.write(master, b"\r\n" + header + b"\r\nhello\r\nOK\r\n")

    threading.Thread(target=answer, daemon=True).start()
    dest = bytearray(100)
    with pytest.raises(ModemError, match="garbled reply"):
        engine.read(b"AT+CIPRXGET=2,0,100", memoryview(dest), Link, 2000)
    assert engine.late_reply
    assert dest == bytearray(100)
    port.close()
    os.close(master)
    os.close(slave)
