"""Shared pieces of the modem tests: an emulated modem plus a Modem on it."""

from microhttplib.ports.serial_modem import Modem
from microhttplib.ports.serial_modem.emulator import Emulator

FAMILIES = ("sim800", "sim7600", "esp_at", "bg96", "sara_r4", "sim7080", "a7670")
MAX_SEND = {"sim800": 1460, "sim7600": 1500, "esp_at": 2048, "bg96": 1460, "sara_r4": 1024, "sim7080": 1460,
            "a7670": 1500}
SEND_COMMAND = {
    "sim800": "AT+CIPSEND=",
    "sim7600": "AT+CIPSEND=",
    "esp_at": "AT+CIPSEND=",
    "bg96": "AT+QISEND=",
    "sara_r4": "AT+USOWR=",
    "sim7080": "AT+CASEND=",
    "a7670": "AT+CIPSEND=",
}
OPEN_COMMAND = {
    "sim800": "AT+CIPSTART=",
    "sim7600": "AT+CIPOPEN=",
    "esp_at": "AT+CIPSTART=",
    "bg96": "AT+QIOPEN=",
    "sara_r4": "AT+USOCO=",
    "sim7080": "AT+CAOPEN=",
    "a7670": "AT+CIPOPEN=",
}


def credentials(family):
    if family == "esp_at":
        return {"ssid": "testnet", "psk": "secret"}
    return {"apn": "internet"}


class Rig:
    """An emulator on a pty and a Modem opened on it through pyserial."""

    def __init__(self, family, cafile=None, receive="pull", **emulator_options):
        self.family = family
        self.emulator = Emulator(family, cafile=cafile, **emulator_options)
        self.path = self.emulator.start()
        self.modem = Modem(self.path, family, receive=receive, **credentials(family))

    def commands(self, prefix):
        return [c for c in self.emulator.commands if c.startswith(prefix)]

    def close(self):
        self.modem.close()
        self.emulator.stop()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
