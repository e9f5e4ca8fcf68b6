"""python -m microhttplib.ports.serial_modem.emulator --family sim800 --link /tmp/modem"""

import argparse
import time

from . import DIALECTS, Emulator


def main(argv=None):
    parser = argparse.ArgumentParser(description="AT-command modem emulator on a pseudo-terminal")
    parser.add_argument("--family", default="sim800", choices=sorted(DIALECTS))
    parser.add_argument("--link", required=True, help="symlink to create for the pty device")
    parser.add_argument("--baud", type=int, default=None, help="pace output at this line rate")
    parser.add_argument("--cafile", default=None, help="CA bundle the modem verifies TLS servers with")
    parser.add_argument("--fault", action="append", default=[], help="NAME[:ARG], repeatable")
    args = parser.parse_args(argv)
    emu = Emulator(args.family, link=args.link, baud=args.baud, cafile=args.cafile, faults=args.fault)
    path = emu.start()
    print("%s modem on %s -> %s" % (args.family, args.link, path), flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        emu.stop()


if __name__ == "__main__":
    main()
