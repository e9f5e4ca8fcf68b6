"""The emulator never dies: random and mutated AT lines, thrown at every
family through the real pty, each get a final result code, and a normal
GET through the modem driver works afterwards.

Seeds are every command the family's dialect knows (its tables and
handlers), so a new command is fuzzed the day it is added. The number of
cases is EMULATOR_FUZZ_EXAMPLES per family (make test: 400).
"""

import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import servers
from at_client import ATClient
from modem_helpers import FAMILIES, credentials
from microhttplib import HTTPConnection
from microhttplib.ports.serial_modem import Modem
from microhttplib.ports.serial_modem.emulator import DIALECTS, Emulator

EXAMPLES = int(os.environ.get("EMULATOR_FUZZ_EXAMPLES", "400"))
# Arguments a mutation draws from: malformed, out of range, and hosts and
# ports on loopback only (nothing listens on port 1), so no fuzzed line
# leaves the machine or opens a link.
ARGS = ["", "0", "1", "2", "3", "4", "6", "-1", "65536", "99999999999999999999", "1.5", "x", '"', '""',
        '"127.0.0.1"', '"localhost"', '"TCP"', '"SSL"', '"UDP"', "\x00", "\xff", "(0,1)", "1,2,3,4,5,6,7,8,9"]
BASIC = ["", "I", "I9", "E0", "E1", "Z", "&F", "&W", "V1", "Q0", "&FZE0&W", "S0=0", "X", "&"]


def seeds(family):
    dialect = DIALECTS[family]
    names = set(dialect.settings) | set(dialect.tests) | set(dialect.accepted)
    names |= {name.rstrip("?") for name in dialect.answers}
    for attr in dir(dialect):
        if attr.startswith(("at_", "read_")):
            names.add("+" + attr.split("_", 1)[1])
    return sorted(n for n in names if n.startswith("+"))


def mutated(family):
    names = st.sampled_from(seeds(family))
    args = st.lists(st.sampled_from(ARGS), max_size=7).map(",".join)
    op = st.sampled_from(["", "?", "=?", "="])
    extended = st.builds(lambda n, o, a: n + o + (a if o == "=" else ""), names, op, args)
    compound = st.builds(lambda a, b: a + ";" + b, extended, st.sampled_from(BASIC + ["+CSQ", "E0"]))
    line = st.one_of(
        st.builds(lambda case, body: case + body, st.sampled_from(["AT", "at", "At"]), extended),
        st.builds(lambda body: "AT" + body, compound),
        st.builds(lambda body: "AT" + body, st.sampled_from(BASIC)),
        st.binary(min_size=1, max_size=80).map(lambda b: b.replace(b"\r", b"").decode("latin-1")),
        st.builds(lambda head, tail: "AT" + head + tail, extended, st.text(max_size=20)),
    )
    return line.map(lambda text: text.replace("\r", "").encode("latin-1", "replace"))


@pytest.mark.parametrize("family", FAMILIES)
def test_random_and_mutated_lines_are_answered_and_a_get_still_works(family, http_server):
    counted = []
    with Emulator(family) as emu:
        # a first GET brings the network up, so the fuzz also reaches the online commands
        modem = Modem(emu.path, family, **credentials(family))
        conn = HTTPConnection("localhost", http_server.port, timeout=20, transport=modem)
        conn.request("GET", "/bytes/1000")
        assert conn.getresponse().read() == servers.pattern(1000)
        conn.close()
        modem.close()

        client = ATClient(emu.path, timeout=5)

        @settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
                  suppress_health_check=list(HealthCheck))
        @given(st.lists(mutated(family), min_size=1, max_size=3))
        def answers_every_line(lines):
            for line in lines:
                if not line.strip(b"\n "):
                    continue  # an empty line is ignored, as by a module
                counted.append(line)
                try:
                    client.at(line)
                except TimeoutError as exc:
                    raise AssertionError("%s: no final result for %r (%s)" % (family, line, exc))
                assert emu._thread.is_alive(), line

        try:
            answers_every_line()
        finally:
            client.close()
        assert emu._thread.is_alive()

        modem = Modem(emu.path, family, **credentials(family))
        conn = HTTPConnection("localhost", http_server.port, timeout=20, transport=modem)
        conn.request("GET", "/bytes/5000")
        assert conn.getresponse().read() == servers.pattern(5000)
        conn.close()
        modem.close()
    print("%s: %d fuzzed lines answered" % (family, len(counted)))
    assert len(counted) >= EXAMPLES


@pytest.mark.parametrize("family", FAMILIES)
def test_over_long_lines_are_refused_and_serving_goes_on(family):
    with Emulator(family) as emu:
        client = ATClient(emu.path, timeout=5)
        try:
            limit = DIALECTS[family].max_line
            assert client.at("AT+" + "A" * (limit + 10))[-1] == b"ERROR"
            client.buf.clear()
            client.write(b"AT" + b"Z" * 70000)  # no CR at all for a while: the buffer overflows
            client.quiet(0.2)
            assert client.at("")[-1] == b"ERROR"  # the CR ends the dropped line
            assert client.at("AT")[-1] == b"OK"
        finally:
            client.close()
