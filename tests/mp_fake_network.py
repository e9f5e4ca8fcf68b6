"""Stand-in for MicroPython's ``network`` module (copied as network.py onto
MICROPYPATH by tests/test_micropython_wifi.py).

The unix port has no radio and no ``network`` module, so this fake replays a
scripted sequence of ``wlan.status()`` codes with the constants of a real
port: ``setup('esp32', ...)`` uses the ESP32's STAT_* values, ``'picow'``
the Pico W's CYW43 ones.  Every WLAN call is recorded in ``calls``.
"""

STA_IF = 0
AP_IF = 1

_PORTS = {
    "esp32": {
        "STAT_IDLE": 1000, "STAT_CONNECTING": 1001, "STAT_GOT_IP": 1010,
        "STAT_NO_AP_FOUND": 201, "STAT_WRONG_PASSWORD": 202,
        "STAT_BEACON_TIMEOUT": 200, "STAT_ASSOC_FAIL": 203,
        "STAT_HANDSHAKE_TIMEOUT": 204, "STAT_CONNECT_FAIL": 205,
    },
    "picow": {
        "STAT_IDLE": 0, "STAT_CONNECTING": 1, "STAT_GOT_IP": 3,
        "STAT_CONNECT_FAIL": -1, "STAT_NO_AP_FOUND": -2, "STAT_WRONG_PASSWORD": -3,
    },
}

calls = []
_state = {}


def setup(port, statuses, connected=False, ssid=None, active=False):
    """statuses: codes returned by successive status() calls (the last one
    repeats); the interface counts as connected once the code is
    STAT_GOT_IP, or from the start if ``connected``."""
    g = globals()
    for name in list(g):
        if name.startswith("STAT_"):
            del g[name]
    for name, value in _PORTS[port].items():
        g[name] = value
    del calls[:]
    _state.clear()
    _state.update(port=port, statuses=list(statuses), connected=connected,
                  ssid=ssid, active=active, i=0, last=None)


class WLAN:
    def __init__(self, interface=STA_IF):
        calls.append(("WLAN", interface))

    def active(self, *a):
        calls.append(("active",) + a)
        if a:
            _state["active"] = bool(a[0])
            return None
        return _state["active"]

    def connect(self, ssid=None, key=None):
        calls.append(("connect", ssid, key))
        if not _state["active"]:
            raise OSError("Wifi Not Started")
        _state["ssid"] = ssid
        _state["connecting"] = True

    def disconnect(self):
        calls.append(("disconnect",))
        _state["connected"] = False

    def status(self, *a):
        s = _state["statuses"]
        i = _state["i"]
        code = s[i] if i < len(s) else s[-1]
        _state["i"] = i + 1
        _state["last"] = code
        if code == globals()["STAT_GOT_IP"]:
            _state["connected"] = True
        return code

    def isconnected(self):
        return _state["connected"]

    def config(self, *a, **kw):
        calls.append(("config", a, kw))
        if a == ("ssid",) or a == ("essid",):
            return _state["ssid"]
        if kw:
            return None
        raise ValueError("unknown config param")

    def ifconfig(self):
        return ("192.168.4.2", "255.255.255.0", "192.168.4.1", "192.168.4.1")

    def ipconfig(self, key):
        if key == "addr4":
            return ("192.168.4.2", "255.255.255.0")
        raise ValueError(key)


def hostname(name=None):
    calls.append(("hostname", name))
