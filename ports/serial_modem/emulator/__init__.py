"""An AT-command modem on a pseudo-terminal, for tests and demos (CPython only).

    python -m microhttplib.ports.serial_modem.emulator --family sim800 --link /tmp/modem

speaks one family's dialect as /work/shared/reference/at-modems.md describes
it: echo until ATE0, bring-up replies, DNS through the host resolver, TCP and
TLS links opened as real sockets (TLS checked only once the driver configured
verification, as on real modules; --cafile is a CA stored on the module), pull or
push delivery, the family's size limits and URCs. --baud paces the bytes at
the line rate (10 bits a byte). Faults can be armed from the command line or,
in-process, with Emulator.fault():

  reset         the next command gets the reset banner instead of a reply
  send-fail     the next data send fails (and the link drops)
  dns-fail      the next DNS lookup fails
  connect-fail  the next link open fails
  stall:S       the next command is answered S seconds late
  close:K       the next link opened is closed by the peer after K bytes
  busy          (esp_at) the next command is dropped with "busy p..."
  netdown       the data context (or Wi-Fi) drops between two commands:
                every link is gone until the next bring-up
  reboot        silent reboot: no banner, echo back on, links gone
  send-full:K   (bg96) the next K sends answer SEND FAIL (buffer full), link kept
  cut           the next pull-read reply stops mid-line, then silence
  overlong:N    the next pull-read reply carries N bytes less than it announces
  no-prompt     the next data prompt never comes
  mute          the module stops answering altogether
  urc           (persistent) URCs between every command and its reply and
                inside pull-read replies
  garbage       (persistent) line noise before every reply
  chatter       (persistent) *PSUTTZ, DST, +CTZV, +CGEV, +QUSIM, +CPIN, +CFUN
                between every command and its reply and after data prompts
"""

from .dialect import DIALECTS, Dialect
from .engine import Emulator, Link, split_args, PERSISTENT_FAULTS, ONE_SHOT_FAULTS
from . import sim800, sim7600, esp_at, bg96, sara_r4, sim7080, a7670  # noqa: F401  (they register their dialects)

__all__ = ("Emulator", "Dialect", "DIALECTS", "Link", "split_args", "PERSISTENT_FAULTS", "ONE_SHOT_FAULTS")
