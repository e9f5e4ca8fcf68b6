"""The emulator as a user runs it: python -m microhttplib.ports.serial_modem.emulator,
as a subprocess. --help explains every family, fault and flag; bad
arguments are one line and exit status 2; SIGTERM removes the link as
Ctrl-C does; --log writes the AT exchange with timestamps.
"""

import os
import re
import signal
import subprocess
import sys

import pytest

from at_client import ATClient
from microhttplib.ports.serial_modem.emulator import DIALECTS, FAULTS

EMULATOR = [sys.executable, "-m", "microhttplib.ports.serial_modem.emulator"]


def run(*args):
    return subprocess.run(EMULATOR + list(args), capture_output=True, text=True, timeout=30)


def start(*args):
    proc = subprocess.Popen(EMULATOR + list(args), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = proc.stdout.readline()
    assert "modem on" in line, proc.stderr.read()
    return proc


def test_help_lists_every_family_fault_and_flag():
    result = run("--help")
    assert result.returncode == 0
    text = result.stdout
    for family in DIALECTS:
        assert re.search(r"^  %s +\S" % family, text, re.M), family  # each with what it models
    for fault, (arg, what) in FAULTS.items():
        assert re.search(r"^  %s(:%s)? +%s" % (re.escape(fault), arg, re.escape(what[:30])), text, re.M), fault
    for flag in ("--family", "--link", "--baud", "--cafile", "--fault", "--log", "--firmware", "--sim",
                 "--registration", "--register-after", "--packet", "--netclose-delay", "--no-boot"):
        assert re.search(r"^  %s\b.*\S" % flag, text, re.M), flag


@pytest.mark.parametrize("args,says", [
    (["--fault", "nosuch", "--link", "LINK"], "unknown fault 'nosuch'"),
    (["--family", "nokia", "--link", "LINK"], "invalid choice: 'nokia'"),
    (["--link", "/nonexistent-dir/modem"], "cannot create --link /nonexistent-dir/modem"),
    (["--cafile", "/nonexistent-ca.pem", "--link", "LINK"], "No such file"),
    (["--baud", "fast", "--link", "LINK"], "invalid int value: 'fast'"),
    (["--family", "bg96"], "the following arguments are required: --link"),
])
def test_bad_arguments_are_one_line(args, says, tmp_path):
    result = run(*[str(tmp_path / "modem") if a == "LINK" else a for a in args])
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert says in result.stderr
    assert not os.path.lexists(tmp_path / "modem")


def test_a_link_path_that_is_not_a_symlink_is_left_alone(tmp_path):
    precious = tmp_path / "notes.txt"
    precious.write_text("keep me")
    result = run("--link", str(precious))
    assert result.returncode == 2 and "exists and is not a symlink" in result.stderr
    assert precious.read_text() == "keep me"


@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGINT])
def test_sigterm_removes_the_link_as_ctrl_c_does(how, tmp_path):
    link = tmp_path / "modem"
    proc = start("--family", "bg96", "--link", str(link))
    try:
        assert os.path.islink(link)
        client = ATClient(str(link))
        assert client.at("AT+CGMM")[-2:] == [b"BG96", b"OK"]
        client.close()
    finally:
        proc.send_signal(how)
        proc.wait(timeout=10)
    assert proc.returncode == 0
    assert not os.path.lexists(link)
    assert "Traceback" not in proc.stderr.read()


def test_log_writes_the_exchange_with_timestamps(tmp_path):
    link, log = tmp_path / "modem", tmp_path / "at.log"
    proc = start("--family", "sim800", "--no-boot", "--link", str(link), "--log", str(log))
    try:
        client = ATClient(str(link))
        client.at("AT+CSQ")
        client.close()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    sent = {"host>": "", "modem>": ""}
    for line in log.read_text().splitlines():  # one line per chunk as it went
        stamp, who, text = re.match(r"(\d\d:\d\d:\d\d\.\d\d\d) (host>|modem>) +(.*)$", line).groups()
        sent[who] += text
    assert sent["host>"] == "AT+CSQ\\r\\n"
    assert "\\r\\n+CSQ: 24,0\\r\\n\\r\\nOK\\r\\n" in sent["modem>"]
