"""AT-command modems as a microhttplib transport.

    modem = Modem("/dev/ttyUSB0", "sim800", apn="internet")
    conn = HTTPConnection("example.com", transport=modem)

Families: sim800, sim7600, esp_at, bg96, sara_r4 (see family.py for what a
family table holds). emulator/ is a CPython-only test double.
"""

from .engine import (
    ModemError,
    CommandError,
    ConnectFailed,
    DNSError,
    ModemTimeout,
    ModemReset,
    NetworkDown,
    NotReady,
    SendFailed,
)
from .modem import Modem, ModemSocket, FAMILIES


def unverified_context():
    """https over the modem without verifying the server: the explicit opt-out."""
    from .tls import unverified_context as make

    return make()


__all__ = (
    "Modem",
    "ModemSocket",
    "FAMILIES",
    "unverified_context",
    "ModemError",
    "CommandError",
    "ConnectFailed",
    "DNSError",
    "ModemTimeout",
    "ModemReset",
    "NetworkDown",
    "NotReady",
    "SendFailed",
)
