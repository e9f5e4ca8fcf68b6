"""Board defaults on the real MicroPython interpreter: a hostile head line is a
LineTooLong within the default 8 KiB, never a MemoryError from a growing buffer."""

from mp_helpers import lines, run_mp


def test_default_line_limit_on_a_small_heap(scripted):
    def script(server, conn):
        server.read_request(conn)
        conn.sendall(b"HTTP/1.1 200 OK\r\nX-Big: " + b"a" * 100000 + b"\r\n\r\n")
    server = scripted(script)
    out = run_mp("""
import microhttplib as httplib
conn = httplib.HTTPConnection(HOST, PORT, timeout=5)
print(conn.max_line)
conn.request("GET", "/")
try:
    conn.getresponse()
except httplib.LineTooLong as exc:
    print("LineTooLong", exc)
""", heapsize="160k", HOST=server.host, PORT=server.port)
    assert lines(out) == ["8192", "LineTooLong got more than 8192 bytes when reading header line"]
