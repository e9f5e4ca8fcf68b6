"""python -m microhttplib fails like curl: one line on stderr, curl's exit code.

Every test runs the CLI as a subprocess against real servers on loopback
(waitress, cheroot with trustme certificates, raw scripted sockets) or the
modem emulator on a pty.
"""

import os
import pty
import select
import signal
import socket
import subprocess
import sys
import time

import servers
from modem_helpers import Rig

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def cli(*args, **kw):
    return subprocess.run([sys.executable, "-m", "microhttplib"] + list(args),
                          capture_output=True, timeout=60, cwd=ROOT, **kw)


def one_line(result):
    """The CLI's single error line (asserting there is exactly one)."""
    lines = result.stderr.decode().splitlines()
    assert len(lines) == 1 and lines[0].startswith("microhttplib: "), result.stderr
    assert b"Traceback" not in result.stderr
    return lines[0]


def closed_port():
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    return port


def serve_then(after_head_body, length):
    """A script: answer with Content-Length `length`, send `after_head_body`, then close."""
    def script(server, conn):
        server.read_request(conn)
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % length + after_head_body)
    return script


def stall_after(body, length, seconds=30):
    """A script that sends part of a body and then goes silent."""
    def script(server, conn):
        server.read_request(conn)
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % length + body)
        time.sleep(seconds)
    return script


def run_on_a_tty(args):
    """Run the CLI with stderr on a pseudo-terminal: (exit code, what the terminal showed)."""
    master, slave = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "microhttplib"] + list(args), cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=slave)
    os.close(slave)
    shown = b""
    while True:
        ready, _, _ = select.select([master], [], [], 30)
        if not ready:
            break
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        shown += chunk
    os.close(master)
    return proc.wait(30), shown.replace(b"\r\n", b"\n")


# ---------------------------------------------------------------- URLs (3)


def test_nonnumeric_port_is_a_bad_url():
    result = cli("http://127.0.0.1:abc/")
    assert result.returncode == 3
    line = one_line(result)
    assert "bad URL" in line and "'abc'" in line and "int()" not in line


def test_port_out_of_range_is_a_bad_url():
    result = cli("http://127.0.0.1:70000/")
    assert result.returncode == 3 and "port out of range" in one_line(result)


def test_unclosed_ipv6_bracket_is_a_bad_url_not_a_dns_error():
    result = cli("http://[::1/")
    assert result.returncode == 3
    line = one_line(result)
    assert "bad URL" in line and "resolve" not in line


def test_query_right_after_the_port_is_kept_and_the_fragment_dropped(scripted):
    server = scripted(serve_then(b"ok", 2))
    base = "http://127.0.0.1:%d" % server.port
    assert cli(base + "?q=1").stdout == b"ok"
    assert cli(base + "#frag").stdout == b"ok"
    assert cli(base + "/p?a=b#frag").stdout == b"ok"
    assert cli(base + "/\u00e9t\u00e9?q=\u00fc").stdout == b"ok"
    lines = [request.split(b"\r\n")[0] for request in server.requests]
    assert lines == [b"GET /?q=1 HTTP/1.1", b"GET / HTTP/1.1", b"GET /p?a=b HTTP/1.1",
                     b"GET /%C3%A9t%C3%A9?q=%C3%BC HTTP/1.1"]


def test_other_schemes_and_credentials_are_bad_urls():
    for url in ("ftp://127.0.0.1/", "http://user:pw@127.0.0.1/", "http:///path", "http://127.0.0.1:1/a b",
                "http://127.0.0.1:1/a\r\nX-Injected: 1", "http://a..b/", "http://%s.example/" % ("a" * 64)):
        result = cli(url)
        assert result.returncode == 3, url
        assert "bad URL" in one_line(result)


# ---------------------------------------------------------------- connecting (6, 7, 28)


def test_refused_names_host_and_port():
    port = closed_port()
    result = cli("http://127.0.0.1:%d/" % port)
    assert result.returncode == 7
    line = one_line(result)
    assert "127.0.0.1:%d" % port in line and "refused" in line


def test_unresolvable_host_over_the_modem_exits_6(http_server):
    with Rig("sim800") as rig:
        rig.modem.close()
        rig.emulator.fault("dns-fail")
        result = cli("--modem", rig.path, "--family", "sim800", "--apn", "internet",
                     "http://nowhere.example:%d/" % http_server.port)
    assert result.returncode == 6
    line = one_line(result)
    assert "nowhere.example" in line and "resolve" in line


def test_stalled_server_times_out_with_28(scripted):
    server = scripted(stall_after(b"", 10, seconds=10))
    result = cli("--timeout", "0.5", "http://127.0.0.1:%d/" % server.port)
    assert result.returncode == 28
    line = one_line(result)
    assert "timed out" in line and "127.0.0.1:%d" % server.port in line


def test_stalled_body_times_out_with_28_after_the_bytes_that_came(scripted):
    server = scripted(stall_after(b"x" * 1000, 5000, seconds=10))
    result = cli("--timeout", "0.5", "http://127.0.0.1:%d/" % server.port)
    assert result.returncode == 28
    assert "after 1000 body bytes" in one_line(result)
    assert result.stdout == b"x" * 1000


def test_timeout_zero_waits_instead_of_failing(http_server):
    result = cli("--timeout", "0", http_server.url + "/bytes/300000")
    assert result.returncode == 0, result.stderr
    assert result.stdout == servers.pattern(300000)


def test_negative_nan_or_huge_timeout_is_a_bad_argument():
    for seconds in ("-1", "nan", "inf", "1e308", "soon"):
        result = cli("--timeout", seconds, "http://127.0.0.1:1/")
        assert result.returncode == 2 and "--timeout" in one_line(result), seconds


def test_modem_that_cannot_be_opened_names_family_and_port(tmp_path):
    missing = str(tmp_path / "no-modem-here")
    result = cli("--modem", missing, "--family", "bg96", "--apn", "internet", "http://127.0.0.1:1/")
    assert result.returncode == 7
    line = one_line(result)
    assert "bg96" in line and missing in line and "--modem" in line


def test_modem_that_does_not_answer_exits_7_naming_it():
    master, slave = pty.openpty()  # a serial line with nothing on the other end
    try:
        port = os.ttyname(slave)
        result = cli("--modem", port, "--family", "sim800", "--apn", "internet", "http://127.0.0.1:1/")
    finally:
        os.close(master)
        os.close(slave)
    assert result.returncode == 7
    line = one_line(result)
    assert "the sim800 modem on %s did not come up" % port in line and "no answer" in line


def test_modem_family_without_its_credentials_is_a_bad_argument():
    result = cli("--modem", "/dev/null", "--family", "esp_at", "http://127.0.0.1:1/")
    assert result.returncode == 2 and "--family esp_at needs --ssid" in one_line(result)
    result = cli("--modem", "/dev/null", "--family", "sim800", "http://127.0.0.1:1/")
    assert result.returncode == 2 and "--family sim800 needs --apn" in one_line(result)


def test_modem_path_without_pyserial_names_the_extra():
    code = ("import sys, runpy; sys.modules['serial'] = None; sys.argv[0] = 'microhttplib'; "
            "runpy.run_module('microhttplib', run_name='__main__')")
    result = subprocess.run([sys.executable, "-c", code, "--modem", "/dev/ttyUSB0", "http://127.0.0.1:1/"],
                            capture_output=True, timeout=60, cwd=ROOT)
    assert result.returncode == 2
    assert "pip install 'microhttplib[serial]'" in one_line(result)


# ---------------------------------------------------------------- TLS (35, 60, 77)


def test_untrusted_certificate_exits_60_and_cacert_or_k_get_through(tls_server):
    url = "https://127.0.0.1:%d/index.html" % tls_server.port
    result = cli(url)
    assert result.returncode == 60
    line = one_line(result)
    assert "127.0.0.1:%d" % tls_server.port in line and "--cacert" in line
    result = cli("--cacert", tls_server.ca_pem_path, url)
    assert result.returncode == 0 and result.stdout == servers.INDEX_HTML
    result = cli("-k", url)
    assert result.returncode == 0 and result.stdout == servers.INDEX_HTML


def test_https_to_a_plain_http_server_exits_35(scripted):
    def plain_http(server, conn):
        conn.recv(4096)  # the TLS ClientHello
        conn.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
    server = scripted(plain_http)
    result = cli("https://127.0.0.1:%d/" % server.port)
    assert result.returncode == 35
    line = one_line(result)
    assert "TLS" in line and "127.0.0.1:%d" % server.port in line


def test_missing_or_empty_ca_file_exits_77(tmp_path, tls_server):
    missing = str(tmp_path / "ca.pem")
    result = cli("--cacert", missing, "https://127.0.0.1:%d/" % tls_server.port)
    assert result.returncode == 77 and missing in one_line(result)
    empty = tmp_path / "empty.pem"
    empty.write_bytes(b"")
    result = cli("--cacert", str(empty), "https://127.0.0.1:%d/" % tls_server.port)
    assert result.returncode == 77 and str(empty) in one_line(result)


# ---------------------------------------------------------------- the body (18, 23, 26)


def test_cut_body_exits_18_with_the_total_received(scripted, tmp_path):
    server = scripted(serve_then(servers.pattern(50000), 100000))
    target = tmp_path / "body"
    result = cli("-o", str(target), "http://127.0.0.1:%d/" % server.port)
    assert result.returncode == 18
    line = one_line(result)
    assert "after 50000 body bytes" in line and "50000 more expected" in line
    assert target.read_bytes() == servers.pattern(50000)  # nothing received is lost


def test_unwritable_output_exits_23(http_server, tmp_path):
    result = cli("-o", "/dev/full", http_server.url + "/bytes/100000")
    assert result.returncode == 23 and "/dev/full" in one_line(result)
    missing_dir = str(tmp_path / "no" / "such" / "dir" / "file")
    result = cli("-o", missing_dir, http_server.url + "/index.html")
    assert result.returncode == 23 and missing_dir in one_line(result)


def test_missing_data_file_exits_26_and_names_it(scripted, tmp_path):
    server = scripted(serve_then(b"", 0))
    missing = str(tmp_path / "body.bin")
    result = cli("-d", "@" + missing, "http://127.0.0.1:%d/" % server.port)
    assert result.returncode == 26 and missing in one_line(result)
    assert server.connections == 0


def test_data_from_a_file_and_from_stdin(http_server, tmp_path):
    import json
    body = tmp_path / "body.bin"
    body.write_bytes(b"a=1&b=2")
    result = cli("-d", "@" + str(body), http_server.url + "/echo")
    assert json.loads(result.stdout)["body"] == "a=1&b=2"
    result = cli("-d", "@-", http_server.url + "/echo", input=b"from stdin")
    assert json.loads(result.stdout)["body"] == "from stdin"


# ---------------------------------------------------------------- headers, -f, -i


def test_header_without_a_colon_is_refused_before_connecting(scripted):
    server = scripted(serve_then(b"", 0))
    result = cli("-H", "NoColon", "http://127.0.0.1:%d/" % server.port)
    assert result.returncode == 2
    assert "NoColon" in one_line(result)
    assert server.connections == 0


def test_headers_are_sent(http_server):
    import json
    result = cli("-H", "X-One: 1", "-H", "X-Empty:", http_server.url + "/echo")
    headers = json.loads(result.stdout)["headers"]
    assert headers["X-One"] == "1" and headers["X-Empty"] == ""


def test_fail_exits_22_without_the_body(http_server):
    result = cli("-f", http_server.url + "/parrot.spam")
    assert result.returncode == 22 and result.stdout == b""
    assert "404" in one_line(result)
    assert cli(http_server.url + "/parrot.spam").returncode == 0


def test_include_puts_the_head_before_the_body_in_the_same_place(http_server, tmp_path):
    target = tmp_path / "out"
    cli("-i", "-o", str(target), http_server.url + "/index.html")
    head, _, body = target.read_bytes().partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200 OK\r\n") and body == servers.INDEX_HTML


def test_server_closing_without_a_reply_exits_52(scripted):
    def hang_up(server, conn):
        server.read_request(conn)
    server = scripted(hang_up)
    result = cli("http://127.0.0.1:%d/" % server.port)
    assert result.returncode == 52 and "without a reply" in one_line(result)


def test_reset_during_the_body_exits_56(scripted):
    import struct

    def reset(server, conn):
        server.read_request(conn)
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n" + b"x" * 1000)
        time.sleep(0.2)
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    server = scripted(reset)
    result = cli("http://127.0.0.1:%d/" % server.port)
    assert result.returncode == 56
    line = one_line(result)
    assert "127.0.0.1:%d" % server.port in line and "after 1000 body bytes" in line


def test_garbage_reply_exits_8(scripted):
    def garbage(server, conn):
        server.read_request(conn)
        conn.sendall(b"SSH-2.0-OpenSSH_9.6\r\n")
    server = scripted(garbage)
    result = cli("http://127.0.0.1:%d/" % server.port)
    assert result.returncode == 8 and "not valid HTTP" in one_line(result)


# ---------------------------------------------------------------- progress, -s, Ctrl-C


def test_no_progress_bar_when_stderr_is_not_a_terminal(http_server, tmp_path):
    result = cli("-o", str(tmp_path / "out"), http_server.url + "/bytes/200000")
    assert result.returncode == 0 and result.stderr == b""


def test_progress_bar_on_a_terminal_ends_with_a_newline(http_server, tmp_path):
    code, shown = run_on_a_tty(["-o", str(tmp_path / "out"), http_server.url + "/bytes/200000"])
    assert code == 0
    assert b"100%" in shown and shown.endswith(b"\n")


def test_progress_bar_is_ended_before_the_error_message(scripted, tmp_path):
    server = scripted(serve_then(servers.pattern(50000), 100000))
    code, shown = run_on_a_tty(["-o", str(tmp_path / "out"), "http://127.0.0.1:%d/" % server.port])
    assert code == 18
    bar, _, message = shown.rpartition(b"\n" + b"microhttplib: ")
    assert b"%" in bar and b"\n" not in bar.split(b"\r")[-1]
    assert message.startswith(b"127.0.0.1:") and message.count(b"\n") == 1


def test_silent_shows_neither_bar_nor_error_and_show_error_brings_the_error_back(scripted, tmp_path):
    server = scripted(serve_then(servers.pattern(50000), 100000))
    url = "http://127.0.0.1:%d/" % server.port
    code, shown = run_on_a_tty(["-s", "-o", str(tmp_path / "out"), url])
    assert code == 18 and shown == b""
    code, shown = run_on_a_tty(["-s", "-S", "-o", str(tmp_path / "out"), url])
    assert code == 18 and shown.startswith(b"microhttplib: ") and b"%" not in shown


def test_ctrl_c_during_a_download_exits_130_without_a_traceback(scripted, tmp_path):
    server = scripted(stall_after(b"x" * 5000, 10 ** 9))
    target = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, "-m", "microhttplib", "-o", str(target),
                             "http://127.0.0.1:%d/" % server.port], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 30
    while not (target.exists() and target.stat().st_size) and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 130
    assert b"Traceback" not in err and err == b""


# ---------------------------------------------------------------- --help


def test_help_explains_every_option_with_its_default():
    from microhttplib.__main__ import build_parser
    from microhttplib.ports.serial_modem import FAMILIES

    for action in build_parser()._actions:
        assert action.help, action.option_strings or action.dest
    result = cli("--help")
    text = result.stdout.decode()
    assert result.returncode == 0
    for family in FAMILIES:
        assert family in text
    for expected in ("URL", "default: 115200", "default: sim800", "default: 30", "--apn", "--ssid",
                     "--psk", "exit codes", " 28 ", " 60 ", "130"):
        assert expected in text, expected


# ---------------------------------------------------------------- the CLI stays off boards


def test_import_microhttplib_does_not_load_the_cli():
    code = "import sys, microhttplib; microhttplib.HTTPConnection; print('microhttplib.__main__' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=60, cwd=ROOT)
    assert result.stdout.strip() == b"False"


def modem_cli(rig, *args):
    rig.modem.close()  # the CLI process opens the port itself
    return cli("--modem", rig.path, "--family", rig.family, "--apn", "internet", *args)


def test_cacert_over_a_modem_is_stored_on_the_module_and_verifies(tls_server):
    url = "https://localhost:%d/index.html" % tls_server.port
    with Rig("bg96") as rig:
        result = modem_cli(rig, "--cacert", tls_server.ca_pem_path, url)
        uploads = rig.commands("AT+QFUPL=")
    assert result.returncode == 0, result.stderr
    assert result.stdout == servers.INDEX_HTML
    assert uploads  # the CA went to the module


def test_https_over_a_modem_without_a_ca_is_refused_with_35(tls_server):
    with Rig("bg96") as rig:
        result = modem_cli(rig, "https://localhost:%d/" % tls_server.port)
    assert result.returncode == 35
    line = one_line(result)
    assert "--cacert" in line and "-k" in line and "bg96 modem" in line


def test_insecure_over_a_modem_uses_the_modem_ports_opt_out(tls_server):
    with Rig("bg96") as rig:
        result = modem_cli(rig, "-k", "https://localhost:%d/index.html" % tls_server.port)
    assert result.returncode == 0, result.stderr
    assert result.stdout == servers.INDEX_HTML


def test_family_that_cannot_verify_refuses_https_unless_k(tls_server):
    url = "https://localhost:%d/index.html" % tls_server.port
    with Rig("sim800") as rig:
        result = modem_cli(rig, "--cacert", tls_server.ca_pem_path, url)
        assert result.returncode == 35
        line = one_line(result)
        assert "cannot verify" in line and "-k" in line
        result = modem_cli(rig, "-k", url)
    assert result.returncode == 0, result.stderr
    assert result.stdout == servers.INDEX_HTML


def test_wrong_ca_over_a_modem_is_a_failed_connect_that_says_why_it_may_be(tls_server, tmp_path):
    import trustme
    other = tmp_path / "other-ca.pem"
    trustme.CA().cert_pem.write_to_path(str(other))
    with Rig("bg96") as rig:
        result = modem_cli(rig, "--cacert", str(other), "https://localhost:%d/" % tls_server.port)
    assert result.returncode == 7
    assert "certificate" in one_line(result)


def test_reader_closing_the_pipe_exits_23_without_a_traceback(http_server):
    proc = subprocess.Popen([sys.executable, "-m", "microhttplib", http_server.url + "/bytes/5000000"],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.read(10)  # like `| head -c 10`
    proc.stdout.close()
    err = proc.stderr.read()
    assert proc.wait(30) == 23
    assert err.decode().splitlines() == ["microhttplib: cannot write the body to stdout: Broken pipe"]


def test_family_aliases_name_the_module_sold(http_server):
    with Rig("bg96") as rig:
        rig.modem.close()
        result = cli("--modem", rig.path, "--family", "ec25", "--apn", "internet",
                     "http://localhost:%d/index.html" % http_server.port)
    assert result.returncode == 0, result.stderr
    assert result.stdout == servers.INDEX_HTML
    assert "ec25 = bg96" in cli("--help").stdout.decode()
