"""Aliases: related modules load the family whose command set they speak.

The new families run in every shared test like the first five
(test_modem_http.py, test_modem_faults.py, test_modem_tls.py,
test_modem_micropython.py, test_modem_emulator_robust.py).
"""

import subprocess
import sys

import pytest

from microhttplib import HTTPConnection
from microhttplib.ports.serial_modem import Modem
from microhttplib.ports.serial_modem.emulator import Emulator
from microhttplib.ports.serial_modem.modem import ALIASES, load_family


@pytest.mark.parametrize("alias", sorted(ALIASES))
def test_aliases_load_the_family_of_their_command_set(alias):
    assert load_family(alias).name == ALIASES[alias]


def test_an_alias_drives_the_emulator(http_server):
    with Emulator("bg96") as emu:
        modem = Modem(emu.path, "ec21", apn="internet")
        conn = HTTPConnection("localhost", http_server.port, timeout=10, transport=modem)
        conn.request("GET", "/index.html")
        assert conn.getresponse().status == 200
        conn.close()
        modem.close()


def test_the_command_line_tool_takes_an_alias(http_server):
    with Emulator("bg96") as emu:
        result = subprocess.run([sys.executable, "-m", "microhttplib", "--modem", emu.path, "--family", "eg25",
                                 "--apn", "internet", "http://localhost:%d/index.html" % http_server.port],
                                capture_output=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(b"<!doctype html>")

