"""A fast canned-response HTTP/1.1 server, run in its own process by the benchmarks.

    python bench/canned_server.py [--port 0]     # prints "PORT <n>" once listening

Every request head on a kept-alive connection gets a fixed reply, so the
client's CPU time is what the benchmark sees, not the server's. Paths:

    /small         the realistic response of bench/common.py (10 headers, 64-byte body)
    /json          a small JSON document (what a board fetches)
    /bytes/N       N bytes of body, Content-Length framed, sent in 1 MiB writes
    /chunked/N     N bytes of body in 4000-byte chunks
    /close         the small response, then the connection is closed

Requests are read as heads only (no request bodies). Stdlib only.
"""

import os
import socket
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from common import JSON_RESPONSE, SMALL_RESPONSE, body_block  # noqa: E402

_BLOCK = body_block(1 << 20)


def _send_bytes(conn, n, chunked=False):
    if chunked:
        data = body_block(n)
        out = [b"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
               b"Transfer-Encoding: chunked\r\n\r\n"]
        for pos in range(0, n, 4000):
            piece = data[pos:pos + 4000]
            out.append(b"%x\r\n" % len(piece) + piece + b"\r\n")
        out.append(b"0\r\n\r\n")
        conn.sendall(b"".join(out))
        return
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
                 b"Content-Length: %d\r\n\r\n" % n)
    view = memoryview(_BLOCK)
    while n > 0:
        k = min(n, len(_BLOCK))
        conn.sendall(view[:k])
        n -= k


def handle(conn):
    conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    pending = b""
    try:
        while True:
            data = conn.recv(65536)
            if not data:
                return
            pending += data
            replies = []
            while True:
                end = pending.find(b"\r\n\r\n")
                if end < 0:
                    break
                head = pending[:end]
                pending = pending[end + 4:]
                line = head.split(b"\r\n", 1)[0]
                parts = line.split(b" ")
                path = parts[1] if len(parts) > 1 else b"/"
                if path.startswith(b"http://"):
                    path = b"/" + path.split(b"/", 3)[3] if path.count(b"/") >= 3 else b"/"
                if path == b"/small" or path == b"/":
                    replies.append(SMALL_RESPONSE)
                elif path == b"/json":
                    replies.append(JSON_RESPONSE)
                elif path.startswith(b"/bytes/") or path.startswith(b"/chunked/"):
                    if replies:
                        conn.sendall(b"".join(replies))
                        replies = []
                    chunked = path.startswith(b"/chunked/")
                    _send_bytes(conn, int(path.rsplit(b"/", 1)[1]), chunked)
                elif path == b"/close":
                    replies.append(SMALL_RESPONSE.replace(
                        b"Connection: keep-alive", b"Connection: close"))
                    conn.sendall(b"".join(replies))
                    return
                else:
                    replies.append(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
                if b"Connection: close" in head or b"HTTP/1.0" in line:
                    # HTTP/1.0 clients (urequests) read until close.
                    reply = b"".join(replies)
                    if b"Connection: keep-alive" in reply:
                        reply = reply.replace(b"Connection: keep-alive", b"Connection: close")
                    conn.sendall(reply)
                    return
            if replies:
                conn.sendall(b"".join(replies))
    except OSError:
        pass
    finally:
        try:
            conn.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        conn.close()


def main():
    port = 0
    if "--port" in sys.argv:
        port = int(sys.argv[sys.argv.index("--port") + 1])
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", port))
    listener.listen(128)
    print("PORT %d" % listener.getsockname()[1], flush=True)
    while True:
        conn, _ = listener.accept()
        threading.Thread(target=handle, args=(conn,), daemon=True).start()


if __name__ == "__main__":
    main()
