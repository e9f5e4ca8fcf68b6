"""Modem transport throughput through the emulator at a real line rate.

    python bench/modem_throughput.py [--family F ...] [--json]

For each family: a GET of a body over the paced pseudo-terminal, in pull
mode, reporting body bytes/s (body size over the time from sending the
request to the last body byte) as a fraction of the line rate (baud/10
bytes a second: 8N1 framing), AT round trips per request and time to first
byte (request sent to response head parsed). 115200 baud with a 100 kB body, then
9600 baud with a 5 kB body. The download runs on a kept-alive link, so
bring-up and the TCP open are not counted. Each figure is the median of
ROUNDS interleaved rounds (every family once per round), as the other
benchmarks do: the machine is shared, and one slow round says little.
"""

import argparse
import json
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "tests"))

import servers  # noqa: E402
from microhttplib import HTTPConnection  # noqa: E402
from microhttplib.ports.serial_modem import FAMILIES, Modem  # noqa: E402
from microhttplib.ports.serial_modem.emulator import Emulator  # noqa: E402

RUNS = ((115200, 100_000), (9600, 5_000))
ROUNDS = 3


def credentials(family):
    return {"ssid": "bench", "psk": "secret"} if family == "esp_at" else {"apn": "internet"}


def measure(family, baud, size, server):
    emulator = Emulator(family, baud=baud)
    path = emulator.start()
    modem = Modem(path, family, baudrate=baud, **credentials(family))
    try:
        conn = HTTPConnection("localhost", server.port, timeout=60, transport=modem)
        conn.request("GET", "/bytes/10")
        conn.getresponse().read()  # bring-up, DNS and the link open happen here
        before = modem.engine.round_trips
        started = time.monotonic()
        conn.request("GET", "/bytes/%d" % size)
        response = conn.getresponse()
        first_byte = time.monotonic() - started
        body = response.read()
        elapsed = time.monotonic() - started
        if body != servers.pattern(size):
            raise AssertionError("%s: body corrupted" % family)
        round_trips = modem.engine.round_trips - before
        conn.close()
    finally:
        modem.close()
        emulator.stop()
    rate = size / elapsed
    return {
        "family": family,
        "baud": baud,
        "body_bytes": size,
        "bytes_per_s": round(rate),
        "line_fraction": round(rate / (baud / 10), 3),
        "round_trips": round_trips,
        "ttfb_ms": round(first_byte * 1000, 1),
    }


def median_row(runs):
    """The run with the median rate, with every round's rate alongside."""
    ordered = sorted(runs, key=lambda row: row["bytes_per_s"])
    row = dict(ordered[len(ordered) // 2])
    row["rounds"] = len(runs)
    row["line_fractions"] = [r["line_fraction"] for r in runs]
    return row


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--family", action="append", choices=FAMILIES)
    parser.add_argument("--json", action="store_true", help="print JSON rows instead of a table")
    args = parser.parse_args(argv)
    server = servers.serve_http()
    servers.wait_for_port(server.host, server.port)
    rows = []
    try:
        for baud, size in RUNS:
            families = args.family or FAMILIES
            rounds = {family: [] for family in families}
            for _ in range(ROUNDS):
                for family in families:
                    rounds[family].append(measure(family, baud, size, server))
            for family in families:
                row = median_row(rounds[family])
                rows.append(row)
                if not args.json:
                    print("%-8s %6d baud %7d B  %7d B/s  %5.1f%% of line  %4d AT round trips  TTFB %7.1f ms" % (
                        family, baud, size, row["bytes_per_s"], 100 * row["line_fraction"],
                        row["round_trips"], row["ttfb_ms"]), flush=True)
    finally:
        server.stop()
    if args.json:
        print(json.dumps(rows, indent=1))
    return rows


if __name__ == "__main__":
    main()
