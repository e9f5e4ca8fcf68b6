"""Shared pieces of the benchmarks: the canned responses, statistics, the machine."""

import os
import platform
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
QUICK = os.environ.get("BENCH_QUICK", "") not in ("", "0")

SMALL_BODY = b'{"id":421,"name":"sensor-7","temp":21.5,"ok":true,"tags":["a"]}\n'
assert len(SMALL_BODY) == 64, len(SMALL_BODY)

# One realistic response: status line, 10 headers, a 64-byte body.
SMALL_RESPONSE = (
    b"HTTP/1.1 200 OK\r\n"
    b"Date: Thu, 26 Nov 2026 06:50:36 GMT\r\n"
    b"Server: nginx/1.24.0\r\n"
    b"Content-Type: application/json; charset=utf-8\r\n"
    b"Content-Length: 64\r\n"
    b"Connection: keep-alive\r\n"
    b"Cache-Control: no-cache, no-store, must-revalidate\r\n"
    b'ETag: "5f2b-1a2b3c4d"\r\n'
    b"Vary: Accept-Encoding\r\n"
    b"X-Request-Id: 7f3e2a10-9c4b-4e1a-8d2f-0b6c5a4e3d21\r\n"
    b"Strict-Transport-Security: max-age=31536000\r\n"
    b"\r\n" + SMALL_BODY)

JSON_BODY = (b'{"device":"sensor-07","readings":[21.5,21.6,21.4,21.7],'
             b'"unit":"C","ok":true,"next_poll_s":60}')
JSON_RESPONSE = (b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                 b"Content-Length: %d\r\nConnection: keep-alive\r\n\r\n" % len(JSON_BODY)
                 + JSON_BODY)


def body_block(n):
    """n deterministic body bytes (i % 251, as tests/servers.pattern)."""
    block = bytes(i % 251 for i in range(251 * 64))
    reps, rest = divmod(n, len(block))
    return block * reps + block[:rest]


def median(xs):
    return statistics.median(xs) if xs else float("nan")


def spread(xs):
    """(min, max) of the rounds, to show how noisy the machine was."""
    return (min(xs), max(xs)) if xs else (float("nan"), float("nan"))


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def package_version(name):
    try:
        from importlib.metadata import version
        return version(name)
    except Exception:
        return None


def machine_info():
    info = {
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "python": "%s %s" % (platform.python_implementation(), platform.python_version()),
        "platform": platform.platform(),
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "load": " ".join("%.2f" % x for x in os.getloadavg()),
    }
    micropython = os.path.join(os.path.dirname(sys.executable), "micropython")
    if os.path.exists(micropython):
        try:
            out = subprocess.run([micropython, "-c", "import sys; print(sys.version)"],
                                 capture_output=True, text=True, timeout=10).stdout.strip()
            info["micropython"] = out
        except Exception:
            pass
    return info


class CannedServer:
    """bench/canned_server.py in its own process."""

    def __init__(self):
        self.proc = subprocess.Popen(
            [sys.executable, os.path.join(HERE, "canned_server.py")],
            stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        if not line.startswith("PORT "):
            self.proc.kill()
            raise RuntimeError("canned server did not start: %r" % line)
        self.host = "127.0.0.1"
        self.port = int(line.split()[1])

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()
