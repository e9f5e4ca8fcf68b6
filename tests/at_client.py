"""A bare AT client on a pty through pyserial: what a user's own script does.

Independent of microhttplib's modem driver: it writes command lines and
reads the raw reply stream, so tests can check the emulator's wire format.
"""

import re
import time

import serial

FINAL = re.compile(rb"\r\n(OK|ERROR|\+CME ERROR: [^\r\n]*|SHUT OK|(?:\d, )?CLOSE OK|SEND OK|SEND FAIL|"
                   rb"\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})\r\n")


class ATClient:
    def __init__(self, path, timeout=10):
        self.port = serial.Serial(path, 115200, timeout=0)
        self.timeout = timeout
        self.buf = bytearray()

    def close(self):
        self.port.close()

    def write(self, data):
        self.port.write(data)

    def _fill(self, deadline):
        chunk = self.port.read(65536)
        if chunk:
            self.buf += chunk
        elif time.monotonic() > deadline:
            raise TimeoutError("no answer; got %r" % bytes(self.buf[-300:]))
        else:
            time.sleep(0.001)

    def expect(self, pattern, timeout=None):
        """Everything up to the end of the first match of pattern (bytes regex); the rest stays buffered."""
        pattern = re.compile(pattern) if isinstance(pattern, bytes) else pattern
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            snapshot = bytes(self.buf)  # the match keeps slicing what it searched
            match = pattern.search(snapshot)
            if match:
                del self.buf[:match.end()]
                return snapshot[:match.end()], match
            self._fill(deadline)

    def read_exact(self, n, timeout=None):
        deadline = time.monotonic() + (timeout or self.timeout)
        while len(self.buf) < n:
            self._fill(deadline)
        got = bytes(self.buf[:n])
        del self.buf[:n]
        return got

    def at(self, line, final=FINAL, timeout=None):
        """Send one command line; the reply lines up to its final result code."""
        self.buf.clear()
        self.write(line.encode("latin-1") if isinstance(line, str) else line)
        self.write(b"\r\n")
        got, _ = self.expect(final, timeout)
        return [part for part in got.split(b"\r\n") if part]

    def quiet(self, seconds=0.05):
        """Drop whatever arrives in the next moment (late URCs)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            self.buf += self.port.read(65536)
            time.sleep(0.005)
        self.buf.clear()
