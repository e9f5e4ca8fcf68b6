"""A small curl: python -m microhttplib [options] URL

    python -m microhttplib http://example.com/
    python -m microhttplib -X PUT -d @file.bin -o reply.json https://host/path
    python -m microhttplib --modem /dev/ttyUSB0 --family sim800 --apn internet URL
    python -m microhttplib --modem /tmp/modem --family esp_at --ssid net --psk key URL

Without --modem it uses the platform's sockets. The body goes to stdout, or
to -o FILE with a progress bar on stderr.
"""

import argparse
import sys
import time

from . import HTTPConnection, HTTPSConnection


def parse_url(url):
    """(tls, host, port, target) from an http:// or https:// URL."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        scheme, rest = "http", url
    scheme = scheme.lower()
    if scheme not in ("http", "https"):
        raise ValueError("only http:// and https:// URLs are supported, not %s://" % scheme)
    authority, slash, path = rest.partition("/")
    target = "/" + path if slash else "/"
    if "@" in authority:
        raise ValueError("credentials in the URL are not supported")
    host, port = authority, None
    if authority.startswith("["):
        host, _, tail = authority[1:].partition("]")
        if tail.startswith(":"):
            port = int(tail[1:])
    elif ":" in authority:
        host, _, port_text = authority.rpartition(":")
        port = int(port_text)
    if not host:
        raise ValueError("no host in %r" % url)
    return scheme == "https", host, port, target


def read_data(data):
    if data is None:
        return None
    if data.startswith("@"):
        with open(data[1:], "rb") as f:
            return f.read()
    return data.encode("utf-8")


def make_transport(args):
    if not args.modem:
        return None
    from .ports.serial_modem import Modem

    return Modem(
        args.modem,
        args.family,
        baudrate=args.baud,
        apn=args.apn,
        user=args.user,
        password=args.password,
        ssid=args.ssid,
        psk=args.psk,
    )


def tls_context(args, transport):
    if transport is not None:
        return None  # the modem's own TLS: its CA store lives on the module
    if args.insecure:
        from .ports.cpython.transport import unverified_context

        return unverified_context()
    if args.cacert:
        import ssl

        return ssl.create_default_context(cafile=args.cacert)
    return None


class Progress:
    """A one-line progress bar on stderr, redrawn at most ten times a second."""

    def __init__(self, total, stream):
        self.total = total
        self.stream = stream
        self.done = 0
        self.started = time.monotonic()
        self.drawn = 0.0

    def advance(self, n, final=False):
        self.done += n
        now = time.monotonic()
        if not final and now - self.drawn < 0.1:
            return
        self.drawn = now
        rate = self.done / max(now - self.started, 1e-6)
        if self.total:
            width = 30
            filled = min(width, width * self.done // self.total)
            bar = "[%s%s] %3d%%" % ("#" * filled, " " * (width - filled), 100 * self.done // self.total)
        else:
            bar = "[%s]" % _size(self.done)
        self.stream.write("\r%s %9s %9s/s" % (bar, _size(self.done), _size(rate)))
        if final:
            self.stream.write("\n")
        self.stream.flush()


def _size(n):
    for unit in ("B", "kB", "MB"):
        if n < 1000 or unit == "MB":
            return ("%d %s" if unit == "B" else "%.1f %s") % (n, unit)
        n /= 1000.0


def fetch(args, out, err):
    tls, host, port, target = parse_url(args.url)
    transport = make_transport(args)
    kwargs = {"timeout": args.timeout, "transport": transport}
    if tls:
        context = tls_context(args, transport)
        conn = HTTPSConnection(host, port, context=context, **kwargs)
    else:
        conn = HTTPConnection(host, port, **kwargs)
    body = read_data(args.data)
    method = args.request or ("POST" if body is not None else "GET")
    headers = {}
    for header in args.header:
        name, _, value = header.partition(":")
        headers[name.strip()] = value.strip()
    if body is not None and not any(h.lower() == "content-type" for h in headers):
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    try:
        conn.request(method, target, body=body, headers=headers)
        response = conn.getresponse()
        if args.include:
            head = "HTTP/%s %d %s\r\n" % ("1.1" if response.version == 11 else "1.0", response.status, response.reason)
            head += "".join("%s: %s\r\n" % kv for kv in response.getheaders()) + "\r\n"
            (err if args.output else out).write(head.encode("latin-1"))
        sink = open(args.output, "wb") if args.output else out
        length = response.getheader("Content-Length")
        progress = Progress(int(length) if length and length.isdigit() else None, sys.stderr) if args.output else None
        try:
            while True:
                block = response.read(4096)
                if not block:
                    break
                sink.write(block)
                if progress:
                    progress.advance(len(block))
            if progress:
                progress.advance(0, final=True)
        finally:
            if args.output:
                sink.close()
        out.flush()
        return response.status
    finally:
        conn.close()
        if transport is not None:
            transport.close()


def build_parser():
    parser = argparse.ArgumentParser(prog="python -m microhttplib", description="Fetch a URL (a small curl).")
    parser.add_argument("url")
    parser.add_argument("-X", "--request", metavar="METHOD", help="request method (default GET, POST with -d)")
    parser.add_argument("-d", "--data", help="request body; @FILE reads it from a file")
    parser.add_argument("-H", "--header", action="append", default=[], help="extra header 'Name: value'")
    parser.add_argument("-o", "--output", metavar="FILE", help="write the body to FILE, with a progress bar")
    parser.add_argument("-i", "--include", action="store_true", help="print the response head too")
    parser.add_argument("-f", "--fail", action="store_true", help="exit with 22 on HTTP status >= 400")
    parser.add_argument("-k", "--insecure", action="store_true", help="do not verify the TLS server")
    parser.add_argument("--cacert", metavar="FILE", help="CA bundle to verify the TLS server with")
    parser.add_argument("--timeout", type=float, default=30.0, help="socket timeout in seconds")
    modem = parser.add_argument_group("AT-command modem (instead of the platform's sockets)")
    modem.add_argument("--modem", metavar="PORT", help="serial device or pyserial URL of the modem")
    modem.add_argument("--family", default="sim800",
                       choices=("sim800", "sim7600", "esp_at", "bg96", "sara_r4"))
    modem.add_argument("--baud", type=int, default=115200)
    modem.add_argument("--apn")
    modem.add_argument("--user")
    modem.add_argument("--password")
    modem.add_argument("--ssid")
    modem.add_argument("--psk")
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    out = sys.stdout.buffer
    try:
        status = fetch(args, out, sys.stderr.buffer)
    except (OSError, ValueError) as exc:
        sys.stderr.write("microhttplib: %s\n" % (exc,))
        return 7 if isinstance(exc, OSError) else 2
    except Exception as exc:  # HTTPException and friends from the core
        sys.stderr.write("microhttplib: %s: %s\n" % (type(exc).__name__, exc))
        return 1
    if args.fail and status >= 400:
        sys.stderr.write("microhttplib: HTTP status %d\n" % status)
        return 22
    return 0


if __name__ == "__main__":
    sys.exit(main())
