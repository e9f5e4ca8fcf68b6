"""Shared fixtures: real servers on loopback (see tests/servers.py)."""

import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))

import servers  # noqa: E402

# CPython's own test file, run by test_cpython_suite.py against microhttplib.
collect_ignore = ["cpython_suite/upstream/test_httplib.py"]


@pytest.fixture(scope="session")
def http_server():
    running = servers.serve_http()
    servers.wait_for_port(running.host, running.port)
    yield running
    running.stop()


@pytest.fixture(scope="session")
def tls_files(tmp_path_factory):
    return servers.TLSFiles(tmp_path_factory.mktemp("tls"))


@pytest.fixture(scope="session")
def tls_server(tls_files):
    running = servers.serve_https(tls_files)
    servers.wait_for_port(running.host, running.port)
    running.ca_pem_path = tls_files.ca_pem_path
    running.ca_pem = tls_files.ca_pem
    yield running
    running.stop()


@pytest.fixture
def scripted():
    """scripted(script) -> a ScriptedServer; all are stopped after the test."""
    made = []

    def make(script):
        server = servers.ScriptedServer(script)
        made.append(server)
        return server

    yield make
    for server in made:
        server.stop()


@pytest.fixture(scope="session")
def connect_proxy():
    """proxy.py (PyPI), a real forward proxy that implements CONNECT, in a subprocess."""
    import socket
    import subprocess
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    proc = subprocess.Popen(
        [sys.executable, "-m", "proxy", "--hostname", "127.0.0.1", "--port", str(port),
         "--num-workers", "1", "--num-acceptors", "1", "--log-level", "WARNING"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        servers.wait_for_port("127.0.0.1", port, timeout=30)
        yield ("127.0.0.1", port)
    finally:
        proc.terminate()
        proc.wait(10)
