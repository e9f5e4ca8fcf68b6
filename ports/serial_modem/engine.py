"""The one AT-command engine every modem family runs on.

It owns the serial line: it writes commands, splits what comes back into
lines, hands unsolicited result codes (URCs) to a callback wherever they
appear (even between a command and its reply), and moves payload bytes by
their announced length, never by scanning for terminators. Families only
supply tables (see family.py); the control flow lives here once.

Runs on CPython and MicroPython: no typing, no f-strings, no re.
"""

try:
    from time import ticks_ms, ticks_add, ticks_diff, sleep_ms
except ImportError:  # CPython
    import time as _time

    def ticks_ms():
        return int(_time.monotonic() * 1000)

    def ticks_add(ticks, delta):
        return ticks + delta

    def ticks_diff(end, start):
        return end - start

    def sleep_ms(ms):
        _time.sleep(ms / 1000)


READABLE = 1  # URC kinds: data is waiting in the modem for a link
CLOSED = 2  # the peer closed a link
NETDOWN = 3  # the data context / Wi-Fi association is gone
RESET = 4  # the modem rebooted: every link is gone
IGNORE = 5  # known chatter that must not be mistaken for a reply

ETIMEDOUT = 110

_CR_LF = (10, 13, 32)
_RESYNC_QUIET_MS = 200


class ModemError(OSError):
    """Anything the modem refused or failed to do."""


class CommandError(ModemError):
    """The modem answered ERROR (or a vendor failure word) to a command.

    reply holds the modem's words, for callers that rephrase the error.
    """

    reply = ""


class DNSError(ModemError):
    """The modem could not resolve a host name."""


class ConnectFailed(ModemError):
    """The modem could not open a link (CONNECT FAIL and friends)."""


class SendFailed(ModemError):
    """The modem could not send data on a link (SEND FAIL and friends)."""


class ModemReset(ModemError):
    """The modem rebooted; its links and network context are gone."""


class NetworkDown(ModemError):
    """The modem lost its data context or Wi-Fi association."""


class NotReady(ModemError):
    """No usable SIM, or no network registration: the modem cannot go online."""


try:

    class ModemTimeout(ModemError, TimeoutError):
        """The modem did not answer in time (also a TimeoutError on CPython)."""

except NameError:  # MicroPython has no TimeoutError: OSError(110) is the idiom

    class ModemTimeout(ModemError):
        """The modem did not answer in time."""


def deadline_after(ms):
    return ticks_add(ticks_ms(), int(ms))


def remaining_ms(deadline):
    return ticks_diff(deadline, ticks_ms())


def text(line):
    """A modem line as str for messages, even if it holds line noise."""
    try:
        return line.decode()
    except UnicodeError:
        return str(line)[2:-1]


def int_field(line, prefix, index):
    """The index-th comma-separated field after prefix, as an int.

    Parsed in place: the read path runs once per packet and should not
    allocate a list of fields each time. A leading minus sign is kept.
    """
    i = len(prefix)
    end = len(line)
    while index:
        while i < end and line[i] != 44:  # ","
            i += 1
        i += 1
        index -= 1
    sign = 1
    if i < end and line[i] == 45:  # "-"
        sign = -1
        i += 1
    value = 0
    digits = 0
    while i < end and 48 <= line[i] <= 57:
        value = value * 10 + line[i] - 48
        i += 1
        digits += 1
    if not digits:
        raise ValueError(line)
    return sign * value


class ATEngine:
    """Serial-line state machine shared by all families.

    port: object with write(data), readinto(memoryview) -> count (0 when
    nothing is available) and wait(ms) -> bool (see port.py).
    on_urc(kind, channel, link, line): called for every URC.
    on_push(channel, link, size): a memoryview of size bytes to move a
    push-mode payload frame into, or None to discard it.
    """

    def __init__(self, port, family, on_urc, on_push=None, rx_size=512):
        self.port = port
        self.family = family
        self.on_urc = on_urc
        self.on_push = on_push
        self.name = family.name
        self._rx = bytearray(rx_size)
        self._rxv = memoryview(self._rx)
        self._head = 0
        self._tail = 0
        self._prompt = None  # the data prompt we wait for (bytes)
        self._header = None  # (prefix, end byte) of a pull-read reply header
        self._framed = False  # last line ended at a header end byte, not LF
        self._sent = None  # last command line, to spot an echo after a reset
        self._busy = False  # a command is in flight
        self._unanswered = False  # ... and nothing has answered it yet
        # A timed-out command whose reply may still come: True, a pull-read
        # header (prefix, end, got field) or ("prompt", prompt bytes, size).
        self.late_reply = None
        self.expect_echo = True  # echo is normal until ATE0 has been answered
        self.booting = False  # reset banners are expected (bring-up)
        self.round_trips = 0
        self.last_info = b""  # last unrecognised line, for error messages
        self.left = 0  # bytes a pull read said are still buffered (left_field)

    # ---- bytes in -------------------------------------------------------

    def _fill(self, deadline):
        """Read more bytes into the receive buffer; False on timeout."""
        if self._head == self._tail:
            self._head = self._tail = 0
        elif self._tail == len(self._rx) and self._head:
            n = self._tail - self._head
            self._rx[0:n] = self._rx[self._head:self._tail]
            self._head, self._tail = 0, n
        while True:
            n = self.port.readinto(self._rxv[self._tail:])
            if n:
                self._tail += n
                return True
            left = remaining_ms(deadline)
            if left <= 0:
                return False
            self.port.wait(min(left, 100))

    def _take_line(self):
        """Next complete line from the buffer, or None if more bytes are needed.

        A data prompt comes back as the prompt byte alone; a pull-read or
        push header comes back without its end byte (self._framed is set).
        """
        rx = self._rx
        h, t = self._head, self._tail
        while h < t and rx[h] in _CR_LF:
            h += 1
        self._head = h
        if h == t:
            return None
        prompt = self._prompt
        if prompt is not None and rx[h] == prompt[0]:
            if t - h < len(prompt) and prompt.startswith(bytes(self._rxv[h:t])):
                return None  # the rest of a multi-byte prompt is on its way
            if rx.startswith(prompt, h):
                self._head = h + len(prompt)
                self._unanswered = False
                return b">"
        for header in (self._header, self.family.push_header):
            if header is None:
                continue
            prefix, end = header
            if t - h < len(prefix):
                if prefix.startswith(bytes(self._rxv[h:t])):
                    return None
                continue
            if not rx.startswith(prefix, h):
                continue
            e = rx.find(end, h + len(prefix), t)
            nl = rx.find(b"\n", h + len(prefix), t)
            if e >= 0 and (nl < 0 or e < nl or end == b"\n"):
                self._head = e + 1
                self._framed = end != b"\n"
                return self._line(h, e)
            if nl < 0:
                if t - h == len(rx):
                    break  # an overlong "header" is noise
                return None
        i = rx.find(b"\n", h, t)
        if i < 0:
            if h == 0 and t == len(rx):  # line noise longer than the buffer
                self._head = self._tail = 0
            return None
        self._head = i + 1
        self._framed = False
        return self._line(h, i)

    def _line(self, start, end):
        """Bytes of rx[start:end] without trailing CR and spaces."""
        rx = self._rx
        while end > start and rx[end - 1] in _CR_LF:
            end -= 1
        return bytes(self._rxv[start:end])

    def read_exact(self, dest, n, deadline):
        """Move exactly n payload bytes into memoryview dest (None: discard).

        Bytes already buffered are copied; the rest is read from the port
        straight into dest, so payload never passes through a bytes object.
        """
        done = 0
        while done < n:
            avail = self._tail - self._head
            if avail:
                k = min(avail, n - done)
                if dest is not None:
                    dest[done:done + k] = self._rxv[self._head:self._head + k]
                self._head += k
                done += k
                continue
            if dest is not None:
                k = self.port.readinto(dest[done:n])
                if k:
                    done += k
                    continue
            elif self._fill(deadline):
                continue
            left = remaining_ms(deadline)
            if left <= 0:
                raise ModemTimeout(ETIMEDOUT, "%s: payload stalled after %d of %d bytes" % (self.name, done, n))
            self.port.wait(min(left, 100))

    def _next_line(self, deadline, wanted=None):
        """Next line that is not blank, an echo, a URC or a push frame.

        A line starting with `wanted` is returned before URC matching, so a
        reply that looks like a URC still reaches the command waiting for it.
        """
        while True:
            line = self._take_line()
            if line is None:
                if not self._fill(deadline):
                    raise ModemTimeout(ETIMEDOUT, "%s: no answer to %s" % (self.name, self._what()))
                continue
            if not line:
                continue
            if self._framed and self.family.push_header and line.startswith(self.family.push_header[0]):
                self._push(line)
                continue
            if self._unanswered and self._is_busy(line):
                continue
            if wanted and line.startswith(wanted):
                self._unanswered = False
                return line
            if self._sent is not None and line == self._sent:
                if self.expect_echo:
                    continue
                self._reset(line + b" (echoed: the modem rebooted)")
                continue
            if self._urc(line):
                continue
            self._unanswered = False
            return line

    def _is_busy(self, line):
        """ESP-AT drops a command that arrives while it is busy ("busy p...")
        and says so instead of answering: wait a little and send it again."""
        for word in self.family.busy_words:
            if line.startswith(word):
                sleep_ms(100)
                self.round_trips += 1
                self.write(self._sent)
                self.write(b"\r\n")
                return True
        return False

    def _what(self):
        if self._sent is None:
            return "the last command"
        return text(self._sent)

    def _push(self, header):
        channel, link, size = self.family.parse_push(header)
        sink = self.on_push(channel, link, size) if self.on_push else None
        self.read_exact(sink, size, deadline_after(2000))

    def _urc(self, line):
        """Dispatch line if it is a URC or banner; True when it was one."""
        fam = self.family
        if line in fam.banners:
            self._reset(line)
            return True
        for prefix, suffix, kind, channel in fam.urc_table:
            if line.startswith(prefix) and line.endswith(suffix):
                link = -1
                rest = line[len(prefix):len(line) - len(suffix)]
                i = 0
                while i < len(rest) and 48 <= rest[i] <= 57:
                    i += 1
                if i:
                    link = int(rest[:i])
                if kind != IGNORE:
                    self.on_urc(kind, channel, link, line)
                return True
        return False

    def _reset(self, line):
        self.on_urc(RESET, None, -1, line)
        self.expect_echo = True
        if self._busy and not self.booting:
            self.late_reply = True
            raise ModemReset("%s: modem reset (%s)" % (self.name, text(line)))

    # ---- bytes out ------------------------------------------------------

    def write(self, data):
        n = self.port.write(data)
        if n == len(data):
            return
        mv = memoryview(data)  # a short write: only now pay for slicing
        off = n or 0
        while off < len(mv):
            n = self.port.write(mv[off:])
            if n:
                off += n
            else:
                sleep_ms(1)

    def _begin(self, cmd):
        if self.late_reply is not None:
            self.resync()
        self._busy = True
        self._unanswered = True  # no reply line yet: a "busy" may still come
        self._sent = cmd
        self.last_info = b""  # words explaining an error belong to this command
        self.round_trips += 1
        self.write(cmd)
        self.write(b"\r\n")

    def _end(self):
        self._busy = False
        self._unanswered = False
        self._prompt = None
        self._header = None

    def _timed_out(self, read_header=None):
        """Remember that a reply (maybe with payload) is still due."""
        self.late_reply = read_header or True
        self._end()

    def final(self, line):
        """1 for a success result, -1 for an error result, 0 otherwise."""
        fam = self.family
        if line == b"OK":
            return 1
        for word in fam.ok_words:
            if line.endswith(word):
                return 1
        if line == b"ERROR" or line.startswith(b"+CME ERROR") or line.startswith(b"+CMS ERROR"):
            return -1
        for word in fam.error_words:
            if line.endswith(word):
                return -1
        return 0

    def resync(self):
        """Swallow the late reply of a timed-out command before the next one.

        Sends AT and reads until a final result has arrived and the line has
        been quiet for a moment; a late pull-read payload is skipped by its
        announced length, so its bytes are never parsed as replies.
        """
        stale, self.late_reply = self.late_reply, None
        header = stale if isinstance(stale, tuple) and stale[0] != "prompt" else None
        self._header = header[:2] if header else None
        self._busy = True
        give_up = deadline_after(3000)
        quiet = None
        try:
            if header is None and isinstance(stale, tuple):
                self._fill_late_prompt(stale[1], stale[2], give_up)
            self._sent = b"AT"
            self.write(b"AT\r\n")
            while True:
                wait = give_up if quiet is None else quiet
                try:
                    line = self._next_line(wait)
                except ModemTimeout:
                    if quiet is None:
                        self.late_reply = True
                        raise ModemTimeout(ETIMEDOUT, "%s: modem stopped answering" % self.name)
                    return
                if header and line.startswith(header[0]):
                    got = self._count(line, header[0], header[2])
                    self.read_exact(None, got, deadline_after(2000))
                    self._header = None
                elif self.final(line):
                    quiet = deadline_after(_RESYNC_QUIET_MS)
        finally:
            self._end()

    def _fill_late_prompt(self, prompt, size, deadline):
        """A send timed out before its prompt: when the prompt does come,
        the modem takes the next size bytes as data, so give it filler
        (the link is abandoned anyway) rather than our next commands."""
        self._prompt = prompt
        try:
            while self._next_line(deadline) != b">":
                pass
        except ModemTimeout:
            self.late_reply = ("prompt", prompt, size)
            raise ModemTimeout(ETIMEDOUT, "%s: modem stopped answering" % self.name)
        self._prompt = None
        self.write(bytes(size))

    # ---- transactions ---------------------------------------------------

    def command(self, cmd, timeout_ms, result=None, parse=None, bare=False, listing=False):
        """Run one command and wait for its final result.

        result: prefix of an information line to return; it may come before
        or after OK (SIMCom and Quectel report outcomes after OK), and the
        wait continues past OK until it has come. parse(line) may return None
        to keep waiting for another result line (multi-line answers).
        bare: the reply is a single line with no OK (AT+CIFSR).
        listing: the result line may be absent (a list without the entry):
        OK then returns None instead of waiting on.
        Raises CommandError on ERROR, ModemTimeout after timeout_ms.
        """
        self._begin(cmd)
        deadline = deadline_after(timeout_ms)
        found = None
        ok = False
        try:
            while True:
                line = self._next_line(deadline, result)
                if (result and line.startswith(result)) or (bare and not self.final(line)):
                    try:
                        value = parse(line) if parse else line
                    except ModemError:
                        if not ok:
                            self.late_reply = True  # the final result is still due
                        raise
                    if value is None:
                        continue
                    found = value
                    if ok or bare:
                        return found
                    continue
                verdict = self.final(line)
                if verdict > 0:
                    ok = True
                    if result is None or found is not None or listing:
                        return found
                elif verdict < 0:
                    reply = self._explain(line)
                    err = CommandError("%s: %s failed (%s)" % (self.name, cmd.decode(), reply))
                    err.reply = reply
                    raise err
                else:
                    self.last_info = line
        except ModemTimeout:
            self._timed_out()
            raise
        finally:
            if self._busy:
                self._end()

    def _explain(self, line):
        info, self.last_info = self.last_info, b""
        if info:
            return "%s %s" % (text(info), text(line))
        return text(line)

    def send(self, cmd, data, channel, timeout_ms):
        """Write one data block after the family's prompt; return bytes
        accepted, or -1 when the module's buffer was full (send_full)."""
        self._begin(cmd)
        deadline = deadline_after(timeout_ms)
        self._prompt = channel.prompt
        prompted = False
        try:
            while True:
                line = self._next_line(deadline)
                if line == b">":
                    break
                if self.final(line) < 0:
                    raise CommandError("%s: %s refused (%s)" % (self.name, cmd.decode(), self._explain(line)))
            prompted = True
            self._prompt = None
            if channel.prompt_delay_ms:
                sleep_ms(channel.prompt_delay_ms)
            self.write(data)
            while True:
                line = self._next_line(deadline, channel.send_done)
                if line.startswith(channel.send_done):
                    sent = len(data)
                    if channel.sent_field is not None:
                        sent = self._count(line, channel.send_done, channel.sent_field)
                    if sent < 0:
                        raise SendFailed("%s: send failed (%s)" % (self.name, text(line)))
                    if channel.ok_after_send_done:
                        self._until_final(deadline)
                    return sent
                for word in channel.send_full:
                    if line.endswith(word):
                        return -1
                for word in channel.send_fail:
                    if line.endswith(word):
                        raise SendFailed("%s: send failed (%s)" % (self.name, text(line)))
                if self.final(line) < 0:
                    raise SendFailed("%s: send failed (%s)" % (self.name, self._explain(line)))
        except ModemTimeout:
            # A prompt that comes late would swallow the next command as data.
            self._timed_out(None if prompted else ("prompt", channel.prompt, len(data)))
            raise
        finally:
            if self._busy:
                self._end()

    def _until_final(self, deadline):
        """Consume the rest of a reply up to its final result, so a trailing
        OK cannot be taken as the answer to the next command."""
        while True:
            line = self._next_line(deadline)
            verdict = self.final(line)
            if verdict > 0:
                return
            if verdict < 0:
                raise CommandError("%s: %s failed (%s)" % (self.name, self._what(), self._explain(line)))

    def _count(self, line, prefix, index):
        """A count field of a reply header. A garbled one means the exchange
        is out of step, so what follows it cannot be trusted as payload."""
        try:
            return int_field(line, prefix, index)
        except ValueError:
            self.late_reply = True
            raise ModemError("%s: garbled reply (%s)" % (self.name, text(line)))

    def read(self, cmd, dest, channel, timeout_ms):
        """Pull up to len(dest) buffered bytes of a link into dest; return count.

        An ERROR answer means "nothing buffered" (SIM7600 says so with
        +IP ERROR: No data), so it returns 0 as well.
        """
        self._begin(cmd)
        deadline = deadline_after(timeout_ms)
        prefix = channel.read_header
        self._header = (prefix, channel.read_header_end)
        got = -1
        try:
            while True:
                line = self._next_line(deadline, prefix)
                if line.startswith(prefix) and got < 0:
                    got = self._count(line, prefix, channel.got_field)
                    if channel.left_field is not None:
                        self.left = self._count(line, prefix, channel.left_field)
                    self._header = None
                    if got > len(dest):
                        # More than asked: the count is noise, and what follows
                        # could be replies taken for payload. Trust none of it.
                        self.late_reply = True
                        raise ModemError("%s: %s answered %d bytes, more than the %d asked (a garbled reply)"
                                         % (self.name, text(cmd), got, len(dest)))
                    self.read_exact(dest, got, deadline)
                elif line.startswith(channel.read_done):
                    return max(got, 0)
                elif self.final(line) < 0:
                    return max(got, 0)
        except ModemTimeout:
            if got < 0:
                self._timed_out((prefix, channel.read_header_end, channel.got_field))
            else:
                self._timed_out()
            raise
        finally:
            if self._busy:
                self._end()

    def pump(self, deadline):
        """Process incoming lines until a URC arrives or the deadline passes.

        Returns True if something was dispatched. Stray lines (a late OK,
        noise) are dropped here, outside any command.
        """
        while True:
            line = self._take_line()
            if line is None:
                if not self._fill(deadline):
                    return False
                continue
            if not line:
                continue
            if self._framed and self.family.push_header and line.startswith(self.family.push_header[0]):
                self._push(line)
                return True
            if self._urc(line):
                return True
            self.last_info = line
