"""The CONNECT exchange that opens a tunnel through an HTTP proxy (set_tunnel).

Kept out of connection.py so that a board that never uses a proxy never
loads it.
"""

from .connection import _to_bytes


def open_tunnel(conn):
    """Ask the proxy for a tunnel to conn's tunnel host; OSError when refused."""
    host = conn._tunnel_host
    if ":" in host:
        host = "[%s]" % host
    lines = ["CONNECT %s:%d %s" % (host, conn._tunnel_port, conn._http_vsn_str)]
    if not any(k.lower() == "host" for k in conn._tunnel_headers):
        lines.append("Host: %s:%d" % (host, conn._tunnel_port))
    for name, value in conn._tunnel_headers.items():
        conn._check_header(_to_bytes(name, "ascii", "header name"),
                           _to_bytes(value, "latin-1", "header value"))
        lines.append("%s: %s" % (name, value))
    head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
    conn.send(head)  # one send, through send() as in http.client (it prints "send:")
    response = conn._new_response("CONNECT")
    p = conn._parser
    response._read_head(response.head_timeout)
    while p.status < 200:
        p.reset()
        response._read_head(response.head_timeout)
    if conn.debuglevel > 0:
        response._print_head(True)
    if p.status != 200:
        conn.close()
        raise OSError("Tunnel connection failed: %d %s" % (p.status, p.reason))
    p.reset()
