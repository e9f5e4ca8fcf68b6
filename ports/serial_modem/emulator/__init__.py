"""An AT-command modem on a pseudo-terminal, for tests and demos (CPython only).

    python -m microhttplib.ports.serial_modem.emulator --family sim800 --link /tmp/modem

speaks one family's dialect as /work/shared/reference/at-modems.md describes
it: echo until ATE0, bring-up replies, DNS through the host resolver, TCP and
TLS links opened as real sockets (TLS checked only once the driver configured
verification, as on real modules; --cafile is a CA stored on the module), pull or
push delivery, the family's size limits and URCs. --baud paces the bytes at
the line rate (10 bits a byte). Faults (engine.FAULTS, listed by --help)
can be armed from the command line or, in-process, with Emulator.fault().
"""

from .dialect import DIALECTS, Dialect
from .engine import Emulator, Link, split_args, FAULTS, PERSISTENT_FAULTS, ONE_SHOT_FAULTS
from . import sim800, sim7600, esp_at, bg96, sara_r4, sim7080, a7670  # noqa: F401  (they register their dialects)

__all__ = ("Emulator", "Dialect", "DIALECTS", "Link", "split_args", "FAULTS", "PERSISTENT_FAULTS", "ONE_SHOT_FAULTS")
