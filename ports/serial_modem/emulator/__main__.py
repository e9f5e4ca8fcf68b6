"""python -m microhttplib.ports.serial_modem.emulator --family sim800 --link /tmp/modem

Runs one emulated modem until Ctrl-C or SIGTERM, which both remove --link.
Bad arguments end in one line on stderr (exit status 2), never a traceback.
"""

import argparse
import signal
import sys
import time

from . import DIALECTS, FAULTS, Emulator

PROG = "python -m microhttplib.ports.serial_modem.emulator"


def summary(dialect):
    """What a family's emulation models: its module docstring's first line."""
    doc = " ".join((sys.modules[dialect.__module__].__doc__ or "").split())
    return doc.split(". ")[0].rstrip(".") + "."


def epilog():
    lines = ["families:"]
    for name in sorted(DIALECTS):
        lines.append("  %-9s %s" % (name, summary(DIALECTS[name])))
    lines += ["", "faults (--fault NAME or NAME:ARG; repeatable):"]
    for name, (arg, what) in FAULTS.items():
        lines.append("  %-13s %s" % (name + (":" + arg if arg else ""), what))
    lines += [
        "",
        "Point a driver at the --link path (pyserial, minicom, socat to a USB-UART",
        "adapter, or: python -m microhttplib --modem LINK --family FAMILY URL).",
        "DNS uses this machine's resolver and links are real sockets.",
    ]
    return "\n".join(lines)


class OneLineParser(argparse.ArgumentParser):
    def error(self, message):
        self.exit(2, "%s: %s (see --help)\n" % (PROG, message))


def build_parser():
    parser = OneLineParser(prog=PROG, description="An AT-command modem on a pseudo-terminal: a test double for "
                           "firmware and scripts that drive a real module.", epilog=epilog(),
                           formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--family", default="sim800", choices=sorted(DIALECTS), metavar="FAMILY",
                        help="the module's command set (default: %(default)s; see families below)")
    parser.add_argument("--link", required=True, help="symlink to create for the pty device (removed on exit)")
    parser.add_argument("--baud", type=int, default=None,
                        help="pace both directions at this line rate, 10 bits a byte (default: unpaced)")
    parser.add_argument("--cafile", default=None,
                        help="a CA certificate already stored on the module (TLS verification uses it once "
                             "the driver turns verification on)")
    parser.add_argument("--fault", action="append", default=[], metavar="NAME[:ARG]",
                        help="arm a fault at start (repeatable; see faults below)")
    parser.add_argument("--log", default=None, metavar="FILE",
                        help="write the AT exchange to FILE, one timestamped line per chunk (- for stdout)")
    parser.add_argument("--firmware", default=None,
                        help='esp_at firmware generation: "1.7" (ESP8266 NonOS AT), "2.2" (default), "3.2"')
    parser.add_argument("--sim", default="ready", choices=("ready", "absent", "pin"),
                        help="what AT+CPIN? finds (default: %(default)s)")
    parser.add_argument("--registration", default="home", choices=("home", "roaming", "denied", "searching"),
                        help="what AT+CREG?/CGREG?/CEREG? report (default: %(default)s)")
    parser.add_argument("--register-after", type=float, default=0.0, metavar="S",
                        help="report 'searching' for S seconds after power-up (default: 0)")
    parser.add_argument("--packet", type=int, default=None, metavar="N",
                        help="a pull read returns at most N bytes, as real modules return one packet")
    parser.add_argument("--netclose-delay", type=float, default=0.0, metavar="S",
                        help="(sim7600) +NETCLOSE: 0 comes S seconds after OK (default: 0)")
    parser.add_argument("--no-boot", action="store_true",
                        help="print no boot codes at start (as if powered up long ago)")
    return parser


def run(args):
    for spec in args.fault:
        if spec.partition(":")[0] not in FAULTS:
            raise ValueError("unknown fault %r (known: %s)" % (spec, ", ".join(FAULTS)))
    log = None
    if args.log:
        log = sys.stdout if args.log == "-" else open(args.log, "a")
    emu = Emulator(args.family, link=args.link, baud=args.baud, cafile=args.cafile, faults=args.fault,
                   firmware=args.firmware, sim=args.sim, registration=args.registration,
                   register_after=args.register_after, packet=args.packet, netclose_delay=args.netclose_delay,
                   boot=not args.no_boot)
    emu.log = log
    try:
        path = emu.start()
    except OSError as exc:
        raise OSError("cannot create --link %s: %s" % (args.link, exc.strerror or exc))
    print("%s modem on %s -> %s" % (args.family, args.link, path), flush=True)
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))  # leave through finally, as Ctrl-C does
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        emu.stop()
        if log is not None and log is not sys.stdout:
            log.close()


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        run(args)
    except (OSError, ValueError) as exc:
        parser.exit(2, "%s: %s\n" % (PROG, exc))


if __name__ == "__main__":
    main()
