"""Wi-Fi bring-up for ESP32 and Raspberry Pi Pico W (network.WLAN STA_IF).

    from microhttplib.ports.micropython import wifi
    wlan = wifi.connect("my-ssid", "secret", timeout=20)
    print(wifi.address(wlan))

``connect`` reuses a connection that is already up (same SSID), otherwise
activates the interface, joins, and waits until the board reports an IP
address or the deadline passes.  Failures raise ``WiFiError`` whose message
names the board's status code in words (``STAT_WRONG_PASSWORD``,
``STAT_NO_AP_FOUND``, the Pico W's negative CYW43 codes, ...).

Status codes differ per port, so names are read from the ``network`` module
itself (``network.STAT_*``), completed by a table of codes the ports return
without a named constant (CYW43 link states, ESP32 disconnect reasons).
"""

import time

try:
    from micropython import const
except ImportError:

    def const(x):
        return x


_POLL_MS = const(100)
_ETIMEDOUT = const(110)

# Codes some ports return without a network.STAT_* name.
_EXTRA = {
    # Pico W (CYW43 link status)
    2: "CYW43_LINK_NOIP (joined, waiting for DHCP)",
    # ESP32 (esp_wifi disconnect reasons passed through by wlan.status())
    15: "4WAY_HANDSHAKE_TIMEOUT (wrong password?)",
    205: "STAT_CONNECT_FAIL",
    210: "NO_AP_FOUND_W_COMPATIBLE_SECURITY",
    211: "NO_AP_FOUND_IN_AUTHMODE_THRESHOLD",
    212: "NO_AP_FOUND_IN_RSSI_THRESHOLD",
}
# Pico W negative CYW43 codes, used when the network module lacks the name.
_CYW43 = {
    -1: "STAT_CONNECT_FAIL (CYW43_LINK_FAIL)",
    -2: "STAT_NO_AP_FOUND (CYW43_LINK_NONET)",
    -3: "STAT_WRONG_PASSWORD (CYW43_LINK_BADAUTH)",
}
_HINTS = {
    "STAT_WRONG_PASSWORD": "wrong password",
    "STAT_NO_AP_FOUND": "no access point with that SSID in range",
    "STAT_CONNECT_FAIL": "connection failed",
    "STAT_ASSOC_FAIL": "association failed",
    "STAT_HANDSHAKE_TIMEOUT": "handshake timed out (wrong password?)",
    "STAT_BEACON_TIMEOUT": "lost the access point's beacon",
    "STAT_IDLE": "idle, not connecting",
    "STAT_CONNECTING": "still connecting",
    "STAT_GOT_IP": "connected",
}
# The ports' network.STAT_* names (looked up with getattr: dir() on a module
# is not reliable on MicroPython).
_NAMES = (
    "STAT_IDLE", "STAT_CONNECTING", "STAT_GOT_IP", "STAT_WRONG_PASSWORD",
    "STAT_NO_AP_FOUND", "STAT_CONNECT_FAIL", "STAT_ASSOC_FAIL",
    "STAT_HANDSHAKE_TIMEOUT", "STAT_BEACON_TIMEOUT",
)
# Failures after which retrying with the same credentials is pointless.
_FATAL = ("STAT_WRONG_PASSWORD",)


class WiFiError(OSError):
    """Wi-Fi did not come up; ``.status`` is the board's last status code."""

    def __str__(self):
        return self.args[1]


def _network():
    import network

    return network


def status_name(code, network=None):
    """The board's WLAN status code in words, e.g. 'STAT_WRONG_PASSWORD'."""
    if network is None:
        network = _network()
    for name in _NAMES:
        if getattr(network, name, None) == code:
            if code < 0 and code in _CYW43:
                return _CYW43[code]
            return name
    if code in _CYW43:
        return _CYW43[code]
    return _EXTRA.get(code, "unknown status %d" % code)


def describe(code, network=None):
    """'STAT_NO_AP_FOUND (-2): no access point with that SSID in range'."""
    name = status_name(code, network)
    hint = _HINTS.get(name.split(" ", 1)[0])
    return "%s (%d)%s" % (name, code, ": " + hint if hint else "")


def _is_failure(network, code):
    if code < 0:  # CYW43: every negative link status is a failure
        return True
    for name in _NAMES[3:]:
        if getattr(network, name, None) == code:
            return True
    return 200 <= code < 300 or code == 15


def _ssid(wlan):
    for key in ("ssid", "essid"):
        try:
            return wlan.config(key)
        except (ValueError, OSError, TypeError):
            pass
    return None


def address(wlan):
    """The interface's IPv4 address as a string."""
    try:
        return wlan.ipconfig("addr4")[0]
    except (AttributeError, ValueError, OSError, TypeError):
        return wlan.ifconfig()[0]


def connect(ssid, password=None, timeout=20, wlan=None, hostname=None, pm=None,
            verbose=False):
    """Join ``ssid`` and wait up to ``timeout`` seconds for an IP address.

    Returns the ``network.WLAN`` object.  An interface already connected to
    ``ssid`` is returned at once.  Raises ``WiFiError`` naming the status
    (``.status`` holds the code) on a definite failure or at the deadline;
    the interface is then disconnected so it stops retrying in the
    background.  ``pm`` is passed to ``wlan.config(pm=...)`` (Pico W power
    management, e.g. ``0xa11140`` to disable power saving).
    """
    network = _network()
    if wlan is None:
        wlan = network.WLAN(network.STA_IF)
    if hostname is not None:
        try:
            network.hostname(hostname)
        except AttributeError:
            wlan.config(dhcp_hostname=hostname)
    if not wlan.active():
        wlan.active(True)
    if pm is not None:
        wlan.config(pm=pm)
    if wlan.isconnected():
        current = _ssid(wlan)
        if current is None or current == ssid:
            if verbose:
                print("wifi: already connected to", ssid, address(wlan))
            return wlan
        wlan.disconnect()
    got_ip = getattr(network, "STAT_GOT_IP", None)
    if password is None:
        wlan.connect(ssid)
    else:
        wlan.connect(ssid, password)
    start = time.ticks_ms()
    ms = int(timeout * 1000)
    failure = None
    last = None
    while True:
        code = wlan.status()
        if code != last and verbose:
            print("wifi:", describe(code, network))
        last = code
        if wlan.isconnected():
            if verbose:
                print("wifi: connected to", ssid, address(wlan))
            return wlan
        if code != got_ip and _is_failure(network, code):
            failure = code
            if code < 0 or status_name(code, network) in _FATAL:
                break
        if time.ticks_diff(time.ticks_ms(), start) >= ms:
            break
        time.sleep_ms(_POLL_MS)
    try:
        wlan.disconnect()
    except OSError:
        pass
    if failure is not None and (failure == last or failure < 0 or
                                status_name(failure, network) in _FATAL):
        err = WiFiError(failure, "Wi-Fi %r failed: %s" % (ssid, describe(failure, network)))
    else:
        msg = "Wi-Fi %r: no IP address after %s s; last status %s" % (
            ssid, timeout, describe(last, network))
        if failure is not None:
            msg += "; earlier failure %s" % describe(failure, network)
        err = WiFiError(_ETIMEDOUT, msg)
    err.status = last if failure is None else failure
    raise err
