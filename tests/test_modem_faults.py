"""Faults the emulator injects on demand: each gives a clear exception in
bounded time, loses no delivered byte, and the next request works."""

import socket
import time

import pytest

from microhttplib import HTTPConnection, IncompleteRead
from microhttplib.ports.serial_modem import (
    ConnectFailed,
    DNSError,
    Modem,
    ModemReset,
    ModemTimeout,
    NetworkDown,
    SendFailed,
)

import servers
from modem_helpers import FAMILIES, OPEN_COMMAND, Rig, credentials


@pytest.fixture(params=FAMILIES)
def rig(request):
    with Rig(request.param) as made:
        yield made


def get(conn, path):
    conn.request("GET", path)
    response = conn.getresponse()
    return response, response.read()


def works_again(conn):
    conn.close()
    response, body = get(conn, "/bytes/5000")
    assert response.status == 200 and body == servers.pattern(5000)


def head_length(server, path):
    """Bytes of the response head the server sends for path (no modem)."""
    with socket.create_connection((server.host, server.port)) as sock:
        sock.sendall(b"GET %s HTTP/1.1\r\nHost: localhost\r\n\r\n" % path.encode())
        data = b""
        while b"\r\n\r\n" not in data:
            data += sock.recv(4096)
    return data.index(b"\r\n\r\n") + 4


def test_dns_failure(rig, http_server):
    conn = HTTPConnection("localhost", http_server.port, timeout=5, transport=rig.modem)
    rig.emulator.fault("dns-fail")
    with pytest.raises(DNSError, match="%s: DNS lookup of 'localhost' failed" % rig.family):
        conn.request("GET", "/index.html")
    works_again(conn)


def test_connect_failure(rig, http_server):
    conn = HTTPConnection("localhost", http_server.port, timeout=5, transport=rig.modem)
    rig.emulator.fault("connect-fail")
    with pytest.raises(ConnectFailed, match="%s: connect to localhost:%s failed" % (rig.family, http_server.port)):
        conn.request("GET", "/index.html")
    works_again(conn)


def test_send_failure(rig, http_server):
    conn = HTTPConnection("localhost", http_server.port, timeout=5, transport=rig.modem)
    get(conn, "/index.html")
    rig.emulator.fault("send-fail")
    with pytest.raises(SendFailed, match="%s: send failed" % rig.family):
        conn.request("POST", "/echo", body=b"x" * 3000)
    works_again(conn)


def test_reset_mid_body(rig, http_server):
    conn = HTTPConnection("localhost", http_server.port, timeout=1, transport=rig.modem)
    conn.request("GET", "/bytes/200000")
    response = conn.getresponse()
    first = response.read(50000)
    assert first == servers.pattern(50000)
    rig.emulator.fault("reset")
    if rig.family == "sara_r4":
        # u-blox prints no banner: the reset shows as silence, then as echo
        # of the next command, which triggers a new bring-up.
        with pytest.raises(ModemTimeout, match="sara_r4: no answer to AT\\+USORD"):
            response.read()
    else:
        with pytest.raises(ModemReset, match="%s: modem reset" % rig.family):
            response.read()
    works_again(conn)
    assert rig.emulator.commands.count("ATE0") == 2  # brought up again


def test_network_lost_mid_body_and_while_idle(rig, http_server):
    conn = HTTPConnection("localhost", http_server.port, timeout=5, transport=rig.modem)
    conn.request("GET", "/bytes/200000")
    response = conn.getresponse()
    assert response.read(30000) == servers.pattern(30000)
    rig.emulator.fault("netdown")
    with pytest.raises(NetworkDown, match="%s: network lost" % rig.family):
        response.read()
    works_again(conn)
    rig.emulator.fault("netdown")  # now while the kept-alive link is idle
    time.sleep(0.2)
    response, body = get(conn, "/bytes/3000")  # reconnects after a new bring-up
    assert body == servers.pattern(3000)
    assert rig.emulator.commands.count("ATE0") == 3


def test_remote_close_mid_body_delivers_every_byte(rig, http_server):
    cut = 30000
    head = head_length(http_server, "/bytes/100000")
    conn = HTTPConnection("localhost", http_server.port, timeout=5, transport=rig.modem)
    rig.emulator.fault("close", cut)
    conn.request("GET", "/bytes/100000")
    response = conn.getresponse()
    with pytest.raises(IncompleteRead) as caught:
        response.read()
    assert caught.value.partial == servers.pattern(cut - head)
    works_again(conn)


def test_stalled_modem_during_read(rig, http_server):
    conn = HTTPConnection("localhost", http_server.port, timeout=0.5, transport=rig.modem)
    get(conn, "/index.html")
    conn.request("GET", "/bytes/3000")
    rig.emulator.fault("stall", 2.0)
    started = time.monotonic()
    with pytest.raises(TimeoutError) as caught:  # the core may rephrase it
        conn.getresponse().read()
    assert isinstance(caught.value, ModemTimeout) or isinstance(caught.value.__context__, ModemTimeout)
    assert time.monotonic() - started < 1.5  # the 0.5 s timeout, not the 2 s stall
    conn.timeout = 5
    works_again(conn)  # the late reply, payload and all, was skipped


@pytest.mark.parametrize("family", ["sim800", "sara_r4"])
def test_stalled_modem_during_send(family, http_server):
    with Rig(family) as rig:
        conn = HTTPConnection("localhost", http_server.port, timeout=0.5, transport=rig.modem)
        get(conn, "/index.html")
        # A data notice that came inside the last read is checked before the
        # next request (one pull read): settle it now, so the stall hits the send.
        rig.modem.peer_closed(conn.sock)
        rig.emulator.fault("stall", 1.0)
        with pytest.raises(ModemTimeout):
            conn.request("POST", "/echo", body=b"y" * 100)
        conn.timeout = 5
        works_again(conn)  # the late prompt did not eat the next commands


@pytest.mark.parametrize("family", FAMILIES)
def test_urcs_and_garbage_everywhere(family, http_server):
    with Rig(family, faults=("urc", "garbage")) as rig:
        conn = HTTPConnection("localhost", http_server.port, timeout=5, transport=rig.modem)
        response, body = get(conn, "/bytes/60000")
        assert body == servers.pattern(60000)
        conn.request("POST", "/echo", body=b"OK\r\n" * 2000)
        assert b"OK\\r\\n" * 2000 in conn.getresponse().read()
        response, body = get(conn, "/chunked/9000")
        assert body == servers.pattern(9000)


def test_dead_modem_fails_in_bounded_time():
    with Rig("sim800", faults=("stall:60",)) as rig:
        started = time.monotonic()
        with pytest.raises(ModemTimeout, match="no answer to AT"):
            rig.modem.start()
        assert time.monotonic() - started < 5


def test_esp_at_busy_module_gets_the_command_again(http_server):
    with Rig("esp_at") as rig:
        conn = HTTPConnection("localhost", http_server.port, timeout=5, transport=rig.modem)
        get(conn, "/index.html")
        before = len(rig.emulator.commands)
        rig.emulator.fault("busy")
        response, body = get(conn, "/bytes/4000")
        assert body == servers.pattern(4000)
        # the dropped command (the send, or a probe of a late data notice
        # before it when the machine is loaded), sent again
        dropped, again = rig.emulator.commands[before:before + 2]
        assert dropped == again


@pytest.mark.parametrize("family", FAMILIES)
def test_a_notice_inside_a_short_read_does_not_reopen_the_link(family, http_server):
    """A data notice that arrives inside a pull-read reply which returned less
    than asked used to leave the link flagged "notified but not readable":
    the next request then closed and reopened a healthy kept-alive link."""
    with Rig(family, faults=("urc",)) as rig:  # a notice inside every read reply
        conn = HTTPConnection("localhost", http_server.port, timeout=5, transport=rig.modem)
        for path in ("/bytes/300", "/bytes/3000", "/bytes/1200", "/bytes/300"):
            response, body = get(conn, path)  # short reads, and one that fills the buffer
            assert body == servers.pattern(int(path.rsplit("/", 1)[1]))
        assert len(rig.commands(OPEN_COMMAND[family])) == 1


def test_esp_at_bring_up_closes_links_an_earlier_run_left_open(http_server):
    """A module keeps its links across a host restart, and then refuses
    AT+CIPMUX=1 with "link is builded"; bring-up closes them first."""
    with Rig("esp_at") as rig:
        rig.modem.close()
        for attempt in range(2):
            modem = Modem(rig.path, "esp_at", ssid="net", psk="key")
            conn = HTTPConnection("localhost", http_server.port, timeout=10, transport=modem)
            conn.request("GET", "/index.html")
            assert conn.getresponse().status == 200
            modem._port.close()  # the program dies: no AT+CIPCLOSE, the link stays open on the module
            assert rig.emulator.links


@pytest.mark.parametrize("family", FAMILIES)
def test_sockets_a_crashed_program_left_open_do_not_use_up_the_module(family, http_server):
    """A module keeps its sockets across host restarts (a SARA-R4 has 7, and
    AT+USOCR fails once all are taken); each bring-up frees what an earlier
    run left open, so restarting more often than that still GETs."""
    with Rig(family) as rig:
        rig.modem.close()
        for attempt in range(8):
            modem = Modem(rig.path, family, **credentials(family))
            conn = HTTPConnection("localhost", http_server.port, timeout=10, transport=modem)
            response, body = get(conn, "/bytes/100")
            assert response.status == 200 and body == servers.pattern(100)
            modem._port.close()  # the program dies: no close, the socket stays open on the module
            assert rig.emulator.links
