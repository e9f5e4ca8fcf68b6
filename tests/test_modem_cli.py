"""python -m microhttplib: plain sockets, and an emulated modem on a pty."""

import json
import os
import subprocess
import sys

import servers
from modem_helpers import Rig

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def cli(*args):
    return subprocess.run([sys.executable, "-m", "microhttplib"] + list(args),
                          capture_output=True, timeout=60, cwd=ROOT)


def test_cli_without_a_modem(http_server):
    url = "http://127.0.0.1:%s" % http_server.port
    result = cli(url + "/index.html")
    assert result.returncode == 0 and result.stdout == servers.INDEX_HTML
    result = cli("-X", "PUT", "-d", "hello", url + "/echo")
    doc = json.loads(result.stdout)
    assert doc["method"] == "PUT" and doc["body"] == "hello"
    result = cli("-f", url + "/parrot.spam")
    assert result.returncode == 22
    result = cli("http://127.0.0.1:1/")
    assert result.returncode == 7 and b"microhttplib:" in result.stderr


def test_cli_over_a_modem_to_a_file(http_server, tmp_path):
    target = tmp_path / "body.bin"
    with Rig("bg96") as rig:
        rig.modem.close()  # the CLI process opens the port itself
        result = cli("--modem", rig.path, "--family", "bg96", "--apn", "internet",
                     "-o", str(target), "http://localhost:%s/bytes/200000" % http_server.port)
        assert result.returncode == 0, result.stderr
        assert target.read_bytes() == servers.pattern(200000)
        assert result.stderr == b""  # no progress bar when stderr is not a terminal
        result = cli("--modem", rig.path, "--family", "bg96", "--apn", "internet",
                     "-d", "a=\r\nOK\r\n", "http://localhost:%s/echo" % http_server.port)
        assert json.loads(result.stdout)["body"] == "a=\r\nOK\r\n"
