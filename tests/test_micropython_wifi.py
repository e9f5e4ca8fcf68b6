"""Wi-Fi bring-up helper (ports/micropython/wifi.py) on the real MicroPython
unix port.

The unix port has no radio and no ``network`` module, so these tests run
against a STAND-IN ``network`` module (tests/mp_fake_network.py, put on
MICROPYPATH as network.py) that replays scripted ``wlan.status()`` codes
with the ESP32's and the Pico W's real STAT_* values.  They check the
helper's logic (reuse, deadline, status codes in words, disconnect after
failure), not a radio.
"""

import json
import os
import shutil

import pytest

from mp_helpers import ROOT, run_mp


@pytest.fixture(scope="module")
def fake_network(tmp_path_factory):
    d = tmp_path_factory.mktemp("fake_network")
    shutil.copyfile(os.path.join(ROOT, "tests", "mp_fake_network.py"), d / "network.py")
    return str(d)


PRELUDE = """
import json, time, network
from microhttplib.ports.micropython import wifi
def attempt(**kw):
    t0 = time.ticks_ms()
    try:
        w = wifi.connect(SSID, PASSWORD, **kw)
        r = {"ok": True, "ip": wifi.address(w)}
    except wifi.WiFiError as e:
        r = {"ok": False, "msg": str(e), "status": e.status, "errno": e.errno,
             "oserror": isinstance(e, OSError)}
    r["ms"] = time.ticks_diff(time.ticks_ms(), t0)
    r["calls"] = [c[0] for c in network.calls]
    r["connect"] = [list(c[1:]) for c in network.calls if c[0] == "connect"]
    print(json.dumps(r))
"""


def run(fake_network, body, tree="mp"):
    out = run_mp(PRELUDE + body, tree=tree, path=[fake_network], SSID="home", PASSWORD="pw")
    return json.loads(out.strip().splitlines()[-1])


@pytest.mark.parametrize("tree", ["mp", "mpy"])
def test_esp32_connects_and_reports_ip(fake_network, tree):
    r = run(fake_network, "network.setup('esp32', [1000, 1001, 1001, 1010])\nattempt(timeout=5)", tree)
    assert r["ok"] is True, r
    assert r["ip"] == "192.168.4.2"
    assert r["connect"] == [["home", "pw"]]
    assert "active" in r["calls"]
    assert "disconnect" not in r["calls"]


def test_picow_connects_through_noip_state(fake_network):
    # CYW43: 1 joining, 2 joined without IP (DHCP), 3 up
    r = run(fake_network, "network.setup('picow', [0, 1, 2, 2, 3])\nattempt(timeout=5)")
    assert r["ok"] is True, r
    assert r["connect"] == [["home", "pw"]]


def test_existing_connection_is_reused(fake_network):
    r = run(fake_network,
            "network.setup('esp32', [1010], connected=True, ssid='home', active=True)\n"
            "attempt(timeout=5)")
    assert r["ok"] is True
    assert r["connect"] == []  # no new join
    assert "disconnect" not in r["calls"]


def test_connection_to_another_ssid_is_replaced(fake_network):
    r = run(fake_network,
            "network.setup('esp32', [1001, 1010], connected=True, ssid='neighbour', active=True)\n"
            "attempt(timeout=5)")
    assert r["ok"] is True
    assert r["calls"].index("disconnect") < r["calls"].index("connect")
    assert r["connect"] == [["home", "pw"]]


def test_esp32_wrong_password_fails_fast_in_words(fake_network):
    r = run(fake_network, "network.setup('esp32', [1001, 1001, 202])\nattempt(timeout=10)")
    assert r["ok"] is False and r["oserror"] is True
    assert "STAT_WRONG_PASSWORD" in r["msg"] and "wrong password" in r["msg"]
    assert "'home'" in r["msg"]
    assert r["status"] == 202
    assert r["ms"] < 2000  # did not sit out the 10 s deadline
    assert r["calls"][-1] == "disconnect"  # stop background retries


@pytest.mark.parametrize("code, words", [
    (-1, "STAT_CONNECT_FAIL"),
    (-2, "STAT_NO_AP_FOUND"),
    (-3, "STAT_WRONG_PASSWORD"),
])
def test_picow_negative_codes_fail_fast_in_words(fake_network, code, words):
    r = run(fake_network, "network.setup('picow', [1, 1, %d])\nattempt(timeout=10)" % code)
    assert r["ok"] is False
    assert words in r["msg"] and "CYW43_LINK" in r["msg"] and "(%d)" % code in r["msg"]
    assert r["status"] == code
    assert r["ms"] < 2000


def test_esp32_no_ap_found_reported_at_deadline(fake_network):
    # The ESP32 keeps retrying after NO_AP_FOUND, so the helper waits for the
    # deadline and then names the failure.
    r = run(fake_network, "network.setup('esp32', [1001, 201])\nattempt(timeout=0.5)")
    assert r["ok"] is False
    assert "STAT_NO_AP_FOUND" in r["msg"] and "no access point" in r["msg"]
    assert r["status"] == 201
    assert 450 <= r["ms"] < 3000


def test_deadline_while_connecting(fake_network):
    r = run(fake_network, "network.setup('picow', [1, 2])\nattempt(timeout=0.4)")
    assert r["ok"] is False
    assert "no IP address after 0.4 s" in r["msg"]
    assert "CYW43_LINK_NOIP" in r["msg"]
    assert r["errno"] == 110
    assert 350 <= r["ms"] < 3000
    assert r["calls"][-1] == "disconnect"


def test_status_names_for_both_boards(fake_network):
    out = run_mp(
        """
        import network, json
        from microhttplib.ports.micropython import wifi
        res = {}
        for port, codes in (("esp32", (1000, 1001, 1010, 201, 202, 200, 203, 204, 15, 999)),
                            ("picow", (0, 1, 2, 3, -1, -2, -3))):
            network.setup(port, [0])
            res[port] = [wifi.status_name(c) for c in codes]
        print(json.dumps(res))
        """,
        path=[fake_network],
    )
    res = json.loads(out)
    assert res["esp32"] == [
        "STAT_IDLE", "STAT_CONNECTING", "STAT_GOT_IP", "STAT_NO_AP_FOUND",
        "STAT_WRONG_PASSWORD", "STAT_BEACON_TIMEOUT", "STAT_ASSOC_FAIL",
        "STAT_HANDSHAKE_TIMEOUT", "4WAY_HANDSHAKE_TIMEOUT (wrong password?)",
        "unknown status 999",
    ]
    assert res["picow"] == [
        "STAT_IDLE", "STAT_CONNECTING", "CYW43_LINK_NOIP (joined, waiting for DHCP)",
        "STAT_GOT_IP", "STAT_CONNECT_FAIL (CYW43_LINK_FAIL)",
        "STAT_NO_AP_FOUND (CYW43_LINK_NONET)", "STAT_WRONG_PASSWORD (CYW43_LINK_BADAUTH)",
    ]
