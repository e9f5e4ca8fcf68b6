"""Real servers on loopback for the tests, the demo and the benchmarks.

- `serve_http()`: waitress (PyPI), a real HTTP/1.1 server with keep-alive and
  chunked responses, running the WSGI app below.
- `serve_https()`: cheroot (PyPI) with its builtin TLS adapter and
  certificates made by trustme, running the same app.
- `serve_cheroot_http()`, `serve_stdlib_http()`: cheroot without TLS and
  http.server, which keep the connection after bodiless responses that carry
  no length (204, 304, HEAD).
- `ScriptedServer`: a raw socket server that answers each connection with
  bytes a test scripts, for malformed and hostile responses.
"""

import json
import socket
import threading
import time
from urllib.parse import parse_qs


def pattern(n):
    """The deterministic body of /bytes/N and /chunked/N."""
    block = bytes(i % 251 for i in range(251 * 64))
    reps, rest = divmod(n, len(block))
    return block * reps + block[:rest]


INDEX_HTML = (b"<!doctype html>\n<html><head><title>Welcome to Python.org</title></head>\n"
              b"<body><h1>Python</h1><p>The official home of the Python Programming Language"
              b"</p></body></html>\n")


def _read_body(environ):
    stream = environ["wsgi.input"]
    length = environ.get("CONTENT_LENGTH")
    if length:
        return stream.read(int(length))
    return stream.read()


def app(environ, start_response):
    method = environ["REQUEST_METHOD"]
    path = environ.get("PATH_INFO", "/")
    body = _read_body(environ)

    def reply(status, payload, headers=()):
        start_response(status, [("Content-Length", str(len(payload)))] + list(headers))
        # waitress can let a HEAD body through late; a client then rightly
        # refuses to reuse the connection. The app sends none.
        return [b"" if method == "HEAD" else payload]

    if path == "/index.html":
        return reply("200 OK", INDEX_HTML, [("Content-Type", "text/html; charset=utf-8")])
    if path == "/parrot.spam":
        return reply("404 Not Found", b"Nobody here but us parrots.\n",
                     [("Content-Type", "text/plain")])
    if path == "/" and method == "POST":
        form = parse_qs(body.decode("latin-1"))
        number = form.get("@number", ["0"])[0]
        host = environ.get("HTTP_HOST", "localhost")
        target = "http://%s/issue%s" % (host, number)
        page = 'Redirecting to <a href="%s">%s</a>' % (target, target)
        return reply("302 Found", page.encode(), [("Location", target),
                                                  ("Content-Type", "text/html")])
    if path == "/file" and method == "PUT":
        return reply("200 OK", b"", [("X-Stored-Bytes", str(len(body)))])
    if path == "/echo":
        headers = {k[5:].replace("_", "-").title(): v for k, v in environ.items()
                   if k.startswith("HTTP_")}
        if environ.get("CONTENT_TYPE"):
            headers["Content-Type"] = environ["CONTENT_TYPE"]
        if environ.get("CONTENT_LENGTH"):
            headers["Content-Length"] = environ["CONTENT_LENGTH"]
        doc = {"method": method, "path": path, "query": environ.get("QUERY_STRING", ""),
               "headers": headers, "body": body.decode("latin-1"),
               "peer_port": environ.get("REMOTE_PORT")}
        return reply("200 OK", json.dumps(doc).encode(), [("Content-Type", "application/json")])
    if path.startswith("/bytes/"):
        return reply("200 OK", pattern(int(path[7:])),
                     [("Content-Type", "application/octet-stream")])
    if path.startswith("/chunked/"):
        data = pattern(int(path[9:]))
        start_response("200 OK", [("Content-Type", "application/octet-stream")])
        return (data[i:i + 4000] for i in range(0, len(data), 4000))
    if path.startswith("/status/"):
        code = int(path[8:])
        from http import HTTPStatus
        return reply("%d %s" % (code, HTTPStatus(code).phrase),
                     b"" if code in (204, 304) else b"status body\n")
    if path == "/peer":
        return reply("200 OK", str(environ.get("REMOTE_PORT")).encode())
    if path.startswith("/bare/"):  # 204 or 304 without any length header
        code = int(path[6:])
        from http import HTTPStatus
        start_response("%d %s" % (code, HTTPStatus(code).phrase), [])
        return []
    return reply("404 Not Found", b"no route\n")


class _Running:
    def __init__(self, host, port, stop):
        self.host = host
        self.port = port
        self._stop = stop

    @property
    def url(self):
        return "http://%s:%d" % (self.host, self.port)

    def stop(self):
        self._stop()


def serve_http(host="127.0.0.1"):
    """waitress on an ephemeral port, in a thread."""
    from waitress.server import create_server
    server = create_server(app, host=host, port=0, threads=8, channel_timeout=30,
                           _quiet=True) if _accepts_quiet() else \
        create_server(app, host=host, port=0, threads=8, channel_timeout=30)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    return _Running(host, int(server.effective_port), server.close)


def _accepts_quiet():
    import inspect
    from waitress.server import create_server
    return "_quiet" in inspect.signature(create_server).parameters


class TLSFiles:
    """A trustme CA and a server certificate for localhost/127.0.0.1, written to dir."""

    def __init__(self, directory, names=("localhost", "127.0.0.1")):
        import trustme
        self.ca = trustme.CA()
        cert = self.ca.issue_cert(*names)
        self.ca_pem_path = str(directory / "ca.pem")
        self.cert_path = str(directory / "server.pem")
        self.key_path = str(directory / "server.key")
        self.ca.cert_pem.write_to_path(self.ca_pem_path)
        cert.cert_chain_pems[0].write_to_path(self.cert_path)
        for extra in cert.cert_chain_pems[1:]:
            extra.write_to_path(self.cert_path, append=True)
        cert.private_key_pem.write_to_path(self.key_path)
        client = self.ca.issue_cert("client@example.com")
        self.client_cert_path = str(directory / "client.pem")
        self.client_key_path = str(directory / "client.key")
        client.cert_chain_pems[0].write_to_path(self.client_cert_path)
        client.private_key_pem.write_to_path(self.client_key_path)

    @property
    def ca_pem(self):
        return self.ca.cert_pem.bytes().decode()


def serve_https(tls, host="127.0.0.1", require_client_cert=False):
    """cheroot with its builtin TLS adapter, in a thread."""
    import ssl
    from cheroot import wsgi
    from cheroot.ssl.builtin import BuiltinSSLAdapter
    server = wsgi.Server((host, 0), app, numthreads=8)
    adapter = BuiltinSSLAdapter(tls.cert_path, tls.key_path)
    if require_client_cert:
        adapter.context.verify_mode = ssl.CERT_REQUIRED
        adapter.context.load_verify_locations(tls.ca_pem_path)
    server.ssl_adapter = adapter
    server.prepare()
    thread = threading.Thread(target=server.serve, daemon=True)
    thread.start()
    port = server.bind_addr[1]
    return _Running(host, port, server.stop)


def serve_cheroot_http(host="127.0.0.1"):
    """cheroot without TLS, in a thread: it keeps the connection after a 204/304
    without a length header (waitress closes it)."""
    from cheroot import wsgi
    server = wsgi.Server((host, 0), app, numthreads=4)
    server.prepare()
    threading.Thread(target=server.serve, daemon=True).start()
    return _Running(host, server.bind_addr[1], server.stop)


def serve_stdlib_http(host="127.0.0.1"):
    """http.server (HTTP/1.1, keep-alive), in a thread: the one real server here
    that answers HEAD without a length, or with Transfer-Encoding: chunked,
    and keeps the connection. `.peers` holds the client addresses of the
    requests: one per connection."""
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def parse_request(self):
            running.peers.add(self.client_address)
            return BaseHTTPRequestHandler.parse_request(self)

        def do_GET(self):
            if self.path in ("/204", "/304"):
                self.send_response(int(self.path[1:]))
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Length", "5")
            self.end_headers()
            self.wfile.write(b"small")

        def do_HEAD(self):
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            if self.path == "/chunked":
                self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer((host, 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()

    def stop():
        server.shutdown()
        server.server_close()

    running = _Running(host, server.server_address[1], stop)
    running.peers = set()
    return running


class ScriptedServer:
    """Accepts connections and plays a script on each: the test's hostile server.

    `script(conn)` gets the accepted socket; the request it received so far is
    available with `read_request(conn)`.
    """

    def __init__(self, script, host="127.0.0.1"):
        self.script = script
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind((host, 0))
        self.listener.listen(16)
        self.host = host
        self.port = self.listener.getsockname()[1]
        self.connections = 0
        self.requests = []
        self.errors = []
        self._stopping = False
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self):
        while not self._stopping:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._play, args=(conn,), daemon=True).start()

    def _play(self, conn):
        try:
            self.script(self, conn)
        except Exception as exc:  # the client hanging up early is part of some scripts
            self.errors.append(exc)
        finally:
            try:
                conn.close()
            except OSError:
                pass

    def read_request(self, conn, timeout=5.0):
        """Read one request head (and a Content-Length body); returns the raw bytes."""
        conn.settimeout(timeout)
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(65536)
            if not chunk:
                return data
            data += chunk
        head, _, rest = data.partition(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        while len(rest) < length:
            chunk = conn.recv(65536)
            if not chunk:
                break
            rest += chunk
        self.requests.append(head + b"\r\n\r\n" + rest)
        return head + b"\r\n\r\n" + rest

    def stop(self):
        self._stopping = True
        try:
            self.listener.close()
        except OSError:
            pass


def wait_for_port(host, port, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection((host, port), 0.5).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("nothing listens on %s:%d" % (host, port))
