"""The byte pipe under the engine: write(), readinto() that never blocks,
and wait(ms) until bytes may be readable.

On MicroPython the caller passes a machine.UART (or anything with any(),
readinto(buf, n) and write()); on CPython a device path or pyserial URL is
opened with pyserial, which is imported only here.
"""

try:
    import select
except ImportError:
    select = None

from .engine import sleep_ms


class StreamPort:
    """A machine.UART or UART-like object: any() / readinto(buf, n) / write()."""

    def __init__(self, stream):
        self.stream = stream
        self._poll = None
        if select is not None:
            try:
                poll = select.poll()
                poll.register(stream, select.POLLIN)
                poll.poll(0)
                self._poll = poll
                self._ipoll = getattr(poll, "ipoll", None) or poll.poll
            except Exception:  # objects without a stream ioctl cannot be polled
                self._poll = None

    def readinto(self, mv):
        n = self.stream.any()
        if not n:
            return 0
        return self.stream.readinto(mv, min(n, len(mv))) or 0

    def write(self, data):
        return self.stream.write(data) or 0

    def wait(self, ms):
        if self._poll is not None:
            for _ in self._ipoll(ms):  # ipoll: no list allocated per wait
                return True
            return False
        sleep_ms(min(ms, 1))
        return True

    def close(self):
        close = getattr(self.stream, "close", None)
        if close:
            close()


class SerialPort:
    """pyserial on CPython: a device path or any serial_for_url URL."""

    def __init__(self, url, baudrate):
        import serial  # CPython only; MicroPython passes a UART instead

        if isinstance(url, str):
            self.serial = serial.serial_for_url(url, baudrate=baudrate, timeout=0)
        else:
            self.serial = url
            self.serial.timeout = 0
        try:
            self._fd = self.serial.fileno()
        except Exception:  # socket:// and loop:// URLs have no descriptor
            self._fd = None

    def readinto(self, mv):
        if self._fd is not None:
            import os

            try:
                return os.readv(self._fd, [mv])
            except BlockingIOError:
                return 0
        n = self.serial.in_waiting
        if not n:
            return 0
        data = self.serial.read(min(n, len(mv)))
        mv[:len(data)] = data
        return len(data)

    def write(self, data):
        return self.serial.write(data) or 0

    def wait(self, ms):
        if self._fd is not None:
            readable = select.select([self._fd], [], [], ms / 1000)[0]
            return bool(readable)
        sleep_ms(min(ms, 2))
        return True

    def close(self):
        self.serial.close()


def open_port(port, baudrate):
    """Adapter for what the user passed as the Modem's port."""
    if isinstance(port, str) or not hasattr(port, "any"):
        return SerialPort(port, baudrate)
    return StreamPort(port)
