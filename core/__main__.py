"""A small curl: python -m microhttplib [options] URL

    python -m microhttplib http://example.com/
    python -m microhttplib -X PUT -d @file.bin -o reply.json https://host/path
    python -m microhttplib --modem /dev/ttyUSB0 --family sim800 --apn internet URL
    python -m microhttplib --modem /tmp/modem --family esp_at --ssid net --psk key URL

Without --modem it uses the platform's sockets. Every failure is one line on
stderr and one of curl's exit codes (see EXIT_CODES), so that scripts written
for curl can test them. CPython only: `import microhttplib` never loads it.
"""

import argparse
import errno
import sys
import time

from . import HTTPConnection, HTTPSConnection, HTTPException, IncompleteRead, InvalidURL

EXIT_CODES = (
    (0, "success (with -f: an HTTP status below 400)"),
    (1, "an unexpected error: a bug, please report it"),
    (2, "bad option or argument: a -H without a colon, --modem without pyserial or --apn/--ssid"),
    (3, "bad URL"),
    (6, "could not resolve the host name"),
    (7, "could not connect (refused, unreachable, modem not answering)"),
    (8, "the server's reply is not valid HTTP"),
    (18, "the body ended early (partial transfer)"),
    (22, "HTTP status 400 or above, with -f"),
    (23, "could not write the body (-o FILE, or stdout)"),
    (26, "could not read the request body (-d @FILE)"),
    (28, "timed out (--timeout)"),
    (35, "TLS handshake or TLS setup failed"),
    (52, "the server closed the connection without a reply"),
    (55, "sending the request failed"),
    (56, "receiving the reply failed"),
    (60, "the server's TLS certificate could not be verified"),
    (77, "could not read the CA file (--cacert)"),
    (130, "interrupted (Ctrl-C)"),
)
BLOCK = 16384
MAX_TIMEOUT = 31536000  # a year; more overflows the platform's clocks (0 waits forever)
URL_FORM = "the form is http[s]://host[:port][/path][?query]"
SERIAL_EXTRA = "pip install 'microhttplib[serial]'"


class Failure(Exception):
    """What failed and what to do, as one line, with curl's exit code."""

    def __init__(self, code, message):
        Exception.__init__(self, message)
        self.code = code


# ---------------------------------------------------------------- arguments


def split_url(url):
    """(tls, authority, target) of an http:// or https:// URL.

    The authority (host[:port]) is left to HTTPConnection, which parses and
    checks the port as it does for any caller; the fragment is dropped and
    non-ASCII characters in the path and query are sent percent-encoded
    (UTF-8), as browsers do.
    """
    if any(c <= " " or c == "\x7f" for c in url):
        raise InvalidURL("a URL cannot hold spaces or control characters; percent-encode them (%20)")
    scheme, sep, rest = url.partition("://")
    if not sep:
        scheme, rest = "http", url  # like curl: a bare host means http
    scheme = scheme.lower()
    if scheme not in ("http", "https"):
        raise InvalidURL("only http:// and https:// are supported, not %s://" % scheme)
    rest = rest.partition("#")[0]
    end = len(rest)
    for stop in "/?":
        if stop in rest:
            end = min(end, rest.index(stop))
    authority, target = rest[:end], rest[end:]
    target = "".join(c if c < "\x80" else "".join("%%%02X" % b for b in c.encode("utf-8")) for c in target)
    if not target.startswith("/"):
        target = "/" + target
    if "@" in authority:
        raise InvalidURL("user:password@ in the URL is not supported; send -H 'Authorization: ...'")
    if authority.startswith("["):
        close = authority.find("]")
        if close < 0 or authority[close + 1:close + 2] not in ("", ":"):
            raise InvalidURL("an IPv6 address must be written [address] or [address]:port")
    elif "[" in authority or "]" in authority:
        raise InvalidURL("brackets belong only around an IPv6 address")
    if authority.endswith(":"):
        authority = authority[:-1]  # an empty port is the default port (RFC 3986 §3.2.3)
    if not authority or authority.startswith(":"):
        raise InvalidURL("no host name")
    return scheme == "https", authority, target


def _check_host_name(host):
    """A name DNS can carry (labels of 1 to 63 characters, IDNA for non-ASCII); IPv6 literals pass."""
    if ":" in host:
        return
    try:
        host.encode("idna")
    except UnicodeError:
        raise InvalidURL("%r is not a host name: each dot-separated part must have 1 to 63 characters" % host)


def header_argument(text):
    """-H 'Name: value' as (name, value); anything else is refused."""
    name, colon, value = text.partition(":")
    if not colon or not name.strip() or name != name.strip() or " " in name or "\t" in name:
        raise argparse.ArgumentTypeError("%r is not a header: write it as 'Name: value'" % text)
    return name, value.strip()


def timeout_argument(text):
    """Seconds > 0, or 0 for no timeout (as curl's --max-time 0)."""
    try:
        seconds = float(text)
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds <= MAX_TIMEOUT:
        raise argparse.ArgumentTypeError("%r is not a number of seconds up to %d (0 = wait forever)"
                                         % (text, MAX_TIMEOUT))
    return seconds or None


class Parser(argparse.ArgumentParser):
    def error(self, message):
        """One line, like every other failure, and argparse's exit code 2."""
        self.exit(2, "microhttplib: %s (see --help)\n" % message)


def build_parser():
    from .ports.serial_modem.modem import ALIASES, FAMILIES

    epilog = "exit codes (curl's):\n" + "".join("  %3d  %s\n" % row for row in EXIT_CODES)
    parser = Parser(
        prog="python -m microhttplib",
        description="Fetch a URL, like a small curl: the body goes to stdout or to -o FILE,\n"
        "over the platform's sockets or over an AT-command modem (--modem).",
        epilog=epilog,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "url", metavar="URL",
        help="http:// or https:// URL (no scheme: http://); host, [IPv6], :port, path and ?query "
        "are used, a #fragment is dropped")
    parser.add_argument("-X", "--request", metavar="METHOD", help="request method (default: GET, or POST with -d)")
    parser.add_argument(
        "-d", "--data", metavar="DATA",
        help="request body, sent as is; @FILE reads it from FILE, @- from stdin "
        "(default Content-Type: application/x-www-form-urlencoded)")
    parser.add_argument(
        "-H", "--header", metavar="'NAME: VALUE'", action="append", default=[], type=header_argument,
        help="extra request header, repeatable; a header without a colon is refused")
    parser.add_argument("-o", "--output", metavar="FILE", help="write the body to FILE (default: stdout)")
    parser.add_argument("-i", "--include", action="store_true",
                        help="write the status line and response headers before the body")
    parser.add_argument("-f", "--fail", action="store_true",
                        help="on an HTTP status >= 400 write no body and exit with 22")
    parser.add_argument("-s", "--silent", action="store_true",
                        help="no progress bar and no error message (the exit code still tells)")
    parser.add_argument("-S", "--show-error", action="store_true",
                        help="with -s, still print the error message")
    parser.add_argument("-k", "--insecure", action="store_true",
                        help="do not verify the TLS server's certificate (also over --modem)")
    parser.add_argument("--cacert", metavar="FILE",
                        help="verify the TLS server with the CA certificates in FILE (PEM) instead of "
                        "the system's; with --modem they are stored on the module")
    parser.add_argument("--timeout", metavar="SECONDS", type=timeout_argument, default="30",
                        help="give up on a connect or a receive after SECONDS; 0 waits forever "
                        "(default: %(default)s)")
    modem = parser.add_argument_group(
        "AT-command modem, instead of the platform's sockets (needs pyserial: " + SERIAL_EXTRA + ")")
    modem.add_argument("--modem", metavar="PORT",
                       help="serial device (/dev/ttyUSB0, COM3) or pyserial URL of the modem")
    aliases = ", ".join("%s = %s" % pair for pair in sorted(ALIASES.items()))
    modem.add_argument("--family", default="sim800", choices=FAMILIES + tuple(sorted(ALIASES)), metavar="FAMILY",
                       help="modem family: %s; modules sold under other names: %s (default: %%(default)s)"
                       % (", ".join(FAMILIES), aliases))
    modem.add_argument("--baud", type=int, default=115200, help="serial line rate (default: %(default)s)")
    modem.add_argument("--apn", help="cellular families: access point name of the SIM's operator")
    modem.add_argument("--user", help="cellular families: APN user name, if the operator wants one")
    modem.add_argument("--password", help="cellular families: APN password, if the operator wants one")
    modem.add_argument("--ssid", help="esp_at: Wi-Fi network to join")
    modem.add_argument("--psk", help="esp_at: Wi-Fi password")
    return parser


# ---------------------------------------------------------------- progress


class Progress:
    """A one-line progress bar on stderr, redrawn at most ten times a second."""

    def __init__(self, total, stream):
        self.total = total
        self.stream = stream
        self.done = 0
        self.started = time.monotonic()
        self.drawn = 0.0
        self.open = False  # a bar is on the line: end it before anything else

    def advance(self, n):
        self.done += n
        now = time.monotonic()
        if now - self.drawn >= 0.1:
            self.draw(now)

    def draw(self, now):
        self.drawn = now
        rate = self.done / max(now - self.started, 1e-6)
        if self.total:
            width = 30
            filled = min(width, width * self.done // self.total)
            bar = "[%s%s] %3d%%" % ("#" * filled, " " * (width - filled), 100 * self.done // self.total)
        else:
            bar = "[%s]" % _size(self.done)
        self.stream.write("\r%s %9s %9s/s" % (bar, _size(self.done), _size(rate)))
        self.stream.flush()
        self.open = True

    def finish(self):
        self.draw(time.monotonic())
        self.end()

    def end(self):
        if self.open:
            self.stream.write("\n")
            self.stream.flush()
            self.open = False


def _size(n):
    for unit in ("B", "kB", "MB"):
        if n < 1000 or unit == "MB":
            return ("%d %s" if unit == "B" else "%.1f %s") % (n, unit)
        n /= 1000.0


# ---------------------------------------------------------------- the fetch


class Fetch:
    """One request and its reply, and enough state to explain a failure."""

    def __init__(self, args, stdout, stderr):
        self.args = args
        self.stdout = stdout
        self.stderr = stderr
        self.modem = None
        self.conn = None
        self.phase = "setup"
        self.received = 0  # body bytes received so far
        self.progress = None

    # -- naming things, for messages

    def where(self):
        conn = self.conn
        place = "%s:%d" % (("[%s]" if ":" in conn.host else "%s") % conn.host, conn.port)
        if self.args.modem:
            place += " (through the %s modem on %s)" % (self.args.family, self.args.modem)
        return place

    def run(self):
        args = self.args
        body = read_body(args.data)
        try:
            tls, authority, target = split_url(args.url)
            self.modem = open_modem(args) if args.modem else None
            if tls:
                context, cadata = tls_settings(args, self.modem)
                self.conn = HTTPSConnection(authority, timeout=args.timeout, transport=self.modem,
                                            context=context, cadata=cadata)
            else:
                self.conn = HTTPConnection(authority, timeout=args.timeout, transport=self.modem)
            _check_host_name(self.conn.host)
        except InvalidURL as exc:
            raise Failure(3, "bad URL %r: %s; %s" % (args.url, exc, URL_FORM))
        try:
            if self.modem is not None:
                self.phase = "modem"
                _check_credentials(args, self.modem.family)
                self.modem.start()  # bring-up, so that its failures name the modem
            self.exchange(target, body)
        finally:
            self.conn.close()
            if self.modem is not None:
                self.modem.close()

    def exchange(self, target, body):
        args, conn = self.args, self.conn
        headers = dict(args.header)
        if body is not None and not any(h.lower() == "content-type" for h in headers):
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        method = args.request or ("POST" if body is not None else "GET")
        self.phase = "connect"
        conn.connect()
        self.phase = "send"
        try:
            conn.request(method, target, body=body, headers=headers)
        except InvalidURL as exc:
            raise Failure(3, "bad URL %r: %s; %s" % (args.url, exc, URL_FORM))
        except ValueError as exc:  # a control character in -X or -H
            raise Failure(2, "cannot send this request: %s" % exc)
        self.phase = "receive"
        response = conn.getresponse()
        if args.fail and response.status >= 400:
            raise Failure(22, "%s answered %d %s for %s" % (self.where(), response.status, response.reason, target))
        sink = self.open_sink()
        try:
            if args.include:
                head = "HTTP/%s %d %s\r\n" % ("1.1" if response.version == 11 else "1.0",
                                              response.status, response.reason)
                head += "".join("%s: %s\r\n" % kv for kv in response.getheaders()) + "\r\n"
                self.write(sink, head.encode("latin-1"))
            if self.wants_progress():
                length = response.getheader("Content-Length")
                self.progress = Progress(int(length) if length and length.isdigit() else None, self.stderr)
            self.copy(response, sink)
            if self.progress:
                self.progress.finish()
        finally:
            if sink is not self.stdout:
                sink.close()

    def copy(self, response, sink):
        while True:
            try:
                block = response.read1(BLOCK)  # what arrived: a stall loses nothing
            except IncompleteRead as exc:
                self.write(sink, exc.partial)
                self.received += len(exc.partial)
                raise
            if not block:
                return
            self.write(sink, block)
            self.received += len(block)
            if self.progress:
                self.progress.advance(len(block))

    def wants_progress(self):
        """curl's rule: a bar when the body goes elsewhere than the terminal the bar is on."""
        args = self.args
        if args.silent or not _isatty(sys.stderr):
            return False
        return bool(args.output) or not _isatty(sys.stdout)

    def open_sink(self):
        if not self.args.output:
            return self.stdout
        try:
            return open(self.args.output, "wb")
        except OSError as exc:
            raise Failure(23, "cannot write to %s: %s; check the path (-o)" % (self.args.output, exc.strerror or exc))

    def write(self, sink, data):
        try:
            sink.write(data)
            sink.flush()  # what arrived is on disk (or in the pipe) even if the transfer breaks
        except OSError as exc:
            if sink is self.stdout:
                if isinstance(exc, BrokenPipeError):
                    _mute_stdout()
                raise Failure(23, "cannot write the body to stdout: %s" % (exc.strerror or exc))
            raise Failure(23, "cannot write to %s: %s" % (self.args.output, exc.strerror or exc))

    # -- turning an exception into one line and an exit code

    def explain(self, exc):
        """(exit code, message) for an exception raised during run()."""
        if isinstance(exc, Failure):
            return exc.code, str(exc)
        where = self.where() if self.conn is not None else self.args.url
        timeout = self.args.timeout
        got = " after %d body bytes" % self.received if self.phase == "receive" and self.received else ""
        ssl = sys.modules.get("ssl")
        if ssl is not None and isinstance(exc, ssl.SSLCertVerificationError):
            return 60, ("TLS certificate of %s not trusted: %s; pass --cacert FILE with its CA "
                        "(or -k to skip verification)" % (where, exc.verify_message or exc))
        if ssl is not None and isinstance(exc, ssl.SSLError):
            return 35, "TLS with %s failed: %s; is it an https server on that port?" % (where, exc.reason or exc)
        if isinstance(exc, IncompleteRead):
            missing = " (%d more expected)" % exc.expected if exc.expected is not None else ""
            return 18, ("%s closed the connection after %d body bytes%s; the transfer is incomplete "
                        "(what came was written), try again" % (where, self.received, missing))
        if isinstance(exc, HTTPException):
            if type(exc).__name__ == "RemoteDisconnected":
                return 52, "%s closed the connection without a reply; is it an HTTP server (https://?)" % where
            return 8, ("%s sent a reply that is not valid HTTP: %s: %s; is it an HTTP server on that port?"
                       % (where, type(exc).__name__, exc))
        if not isinstance(exc, OSError):
            return 1, "unexpected %s: %s (please report it, with the command line)" % (type(exc).__name__, exc)
        reason = _reason(exc)
        if self.phase == "modem":
            return 7, ("the %s modem on %s did not come up: %s; check --modem, --family and --baud"
                       % (self.args.family, self.args.modem, self.modem_words(reason)))
        if _is_timeout(exc):
            return 28, ("timed out after %s s %s %s%s: %s; a larger --timeout may help"
                        % (_seconds(timeout), _TIMEOUT_WHILE.get(self.phase, "talking to"), where, got, reason))
        if _is_dns_error(exc):
            return 6, "cannot resolve %r: %s; check the host name%s" % (
                self.conn.host, reason, " and the modem's network" if self.modem else "")
        if self.phase == "connect" and self.modem is not None and isinstance(self.conn, HTTPSConnection):
            return self.explain_modem_tls(exc, where, reason)
        if self.phase == "connect":
            refused = isinstance(exc, ConnectionRefusedError)
            hint = "is a server listening there?" if refused else "check the host and port"
            return 7, "cannot connect to %s: %s; %s" % (where, reason, hint)
        if self.phase == "send":
            return 55, "sending the request to %s failed: %s; try again" % (where, reason)
        return 56, "receiving the reply from %s failed%s: %s; try again" % (where, got, reason)

    def modem_words(self, reason):
        """A modem error without its leading family name (the line names the modem already)."""
        prefix = self.modem.name + ": "
        return reason[len(prefix):] if reason.startswith(prefix) else reason

    def explain_modem_tls(self, exc, where, reason):
        """A modem reports a failed TLS open as a failed connect; a refused
        TLS setting (no CA, a module that cannot verify) as a ModemError."""
        from .ports.serial_modem import ConnectFailed

        reason = self.modem_words(reason)
        if isinstance(exc, ConnectFailed):
            return 7, ("cannot connect to %s: %s; over https this is also how the modem reports a server "
                       "certificate it cannot verify (--cacert FILE gives it the CA)" % (where, reason))
        for api_advice in ("; ", ": "):  # the modem's own advice names Python arguments
            reason = reason.split(api_advice)[0]
        return 35, ("TLS to %s refused: %s; on the command line --cacert FILE gives the module a CA, "
                    "-k skips verification" % (where, reason))


_TIMEOUT_WHILE = {"connect": "connecting to",
                  "send": "sending to", "receive": "waiting for data from"}


def _seconds(timeout):
    return "%g" % timeout if timeout else "?"


def _reason(exc):
    """The operating system's words for an OSError, without the [Errno n] prefix."""
    if exc.strerror and not isinstance(exc.args[-1], OSError):
        return exc.strerror
    return str(exc) or type(exc).__name__


def _is_timeout(exc):
    import socket

    return isinstance(exc, (TimeoutError, socket.timeout)) or exc.errno == errno.ETIMEDOUT


def _is_dns_error(exc):
    import socket

    return isinstance(exc, socket.gaierror) or type(exc).__name__ == "DNSError"


def _isatty(stream):
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def _mute_stdout():
    """After a broken pipe, let the interpreter's final flush go nowhere."""
    import os

    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


def read_body(data):
    if data is None:
        return None
    if not data.startswith("@"):
        return data.encode("utf-8")
    name = data[1:]
    try:
        if name == "-":
            return sys.stdin.buffer.read()
        with open(name, "rb") as f:
            return f.read()
    except OSError as exc:
        raise Failure(26, "cannot read the request body from %s: %s; check the file after -d @"
                      % (name, exc.strerror or exc))


def open_modem(args):
    try:
        import serial  # noqa: F401 (the modem port imports it when it opens the line)
    except ImportError:
        raise Failure(2, "--modem needs pyserial, which is not installed: %s (or pip install pyserial)"
                      % SERIAL_EXTRA)
    from .ports.serial_modem import Modem

    return Modem(args.modem, args.family, baudrate=args.baud, apn=args.apn, user=args.user,
                 password=args.password, ssid=args.ssid, psk=args.psk)


def _check_credentials(args, family):
    """The options a family's bring-up needs (apn, or ssid and psk), before any AT command."""
    missing = ["--" + need for need in family.needs if not getattr(args, need, None)]
    if missing:
        raise Failure(2, "--family %s needs %s" % (args.family, " and ".join(missing)))


def tls_settings(args, modem):
    """(context, cadata) for HTTPSConnection from -k and --cacert.

    Over a modem, --cacert goes to the module (cadata) and -k is the modem
    port's own opt-out; a family that cannot verify refuses https without -k.
    """
    cadata = _read_cacert(args.cacert) if args.cacert else None
    if not args.insecure:
        return None, cadata
    if modem is None:
        from .ports.cpython import unverified_context
    else:
        from .ports.serial_modem import unverified_context
    return unverified_context(), None


def _read_cacert(name):
    """The PEM text of --cacert (as str: every port's cadata takes it)."""
    try:
        with open(name, "rb") as f:
            pem = f.read()
    except OSError as exc:
        raise Failure(77, "cannot read the CA file %s: %s; check --cacert" % (name, exc.strerror or exc))
    if b"-----BEGIN CERTIFICATE-----" not in pem:
        raise Failure(77, "the CA file %s holds no PEM certificate (-----BEGIN CERTIFICATE-----)" % name)
    return pem.decode("latin-1")


# ---------------------------------------------------------------- main


def main(argv=None):
    args = build_parser().parse_args(argv)
    fetch = Fetch(args, sys.stdout.buffer, sys.stderr)
    try:
        fetch.run()
        return 0
    except KeyboardInterrupt:
        code, message = 130, None  # like curl: the user knows, no message
    except Exception as exc:
        code, message = fetch.explain(exc)
    if fetch.progress:
        fetch.progress.end()
    if message and (not args.silent or args.show_error):
        sys.stderr.write("microhttplib: %s\n" % message)
        sys.stderr.flush()
    return code


if __name__ == "__main__":
    sys.exit(main())
