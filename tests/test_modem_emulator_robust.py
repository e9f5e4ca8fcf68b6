"""The emulator never dies: random and mutated AT lines, thrown at every
family through the real pty, each get a final result code, and a normal
GET through the modem driver works afterwards.

Seeds are every command the family's dialect knows (its tables and
handlers), so a new command is fuzzed the day it is added. The number of
cases is EMULATOR_FUZZ_EXAMPLES per family (make test: 250).
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

EXAMPLES = int(os.environ.get("EMULATOR_FUZZ_EXAMPLES", "250"))
# Arguments a mutation draws from: malformed, out of range, and hosts and
# ports on loopback only (nothing listens on port 1), so no fuzzed line
# leaves the machine or opens a link.
ARGS = ["", "0", "1", "2", "3", "4", "6", "-1", "65536", "99999999999999999999", "1.5", "x", '"', '""',
        '"127.0.0.1"', '"localhost"', '"TCP"', '"SSL"', '"UDP"', "\x00", "\xff", "(0,1)", "1,2,3,4,5,6,7,8,9"]
BASIC = ["", "I", "I9", "E0", "E1", "Z", "&F", "&W", "V1", "Q0", "&FZE0&W", "S0=0", "X", "&"]
# Lines real drivers send with links open, prompts and uploads: mutated by
# one argument (or kept), they reach the data paths. {port} is the loopback
# HTTP server, so links really open and fuzzed bytes really go out.
VALID = {
    "sim800": ['AT+CIPSTART=0,"TCP","localhost","{port}"', "AT+CIPSEND=0,5", "AT+CIPRXGET=2,0,100",
               "AT+CIPRXGET=4,0", "AT+CIPCLOSE=0", 'AT+CDNSGIP="localhost"', "AT+CIPSTATUS=0",
               'AT+SAPBR=3,1,"APN","x"', "AT+CIPMUX=1", "AT+CIPQSEND=1", "AT+CIPRXGET=1"],
    "sim7600": ['AT+CIPOPEN=0,"TCP","localhost",{port}', "AT+CIPSEND=0,5", "AT+CIPRXGET=2,0,100",
                "AT+CIPRXGET=4,0", "AT+CIPCLOSE=0", 'AT+CCHOPEN=0,"localhost",{port},2', "AT+CCHSEND=0,5",
                "AT+CCHRECV=0,100", 'AT+CCERTDOWN="x.pem",5', 'AT+CSSLCFG="authmode",0,1'],
    "esp_at": ['AT+CIPSTART=0,"TCP","localhost",{port}', "AT+CIPSEND=0,5", "AT+CIPRECVDATA=0,100",
               "AT+CIPRECVLEN?", "AT+CIPCLOSE=0", "AT+CIPMUX=1", "AT+CIPRECVMODE=1", 'AT+CIPDOMAIN="localhost"'],
    "bg96": ['AT+QIOPEN=1,0,"TCP","localhost",{port},0,0', "AT+QISEND=0,5", "AT+QIRD=0,100", "AT+QIRD=0,0",
             "AT+QICLOSE=0", 'AT+QIDNSGIP=1,"localhost"', 'AT+QFUPL="UFS:x.pem",5,60', "AT+QISTATE=1,0"],
    "sara_r4": ["AT+USOCR=6", 'AT+USOCO=0,"localhost",{port}', 'AT+USOCO=0,"localhost",{port},1', "AT+USOWR=0,5",
                "AT+USORD=0,100", "AT+USORD=0,0", "AT+USOCL=0", "AT+USOCTL=0,10", 'AT+UDNSRN=0,"localhost"'],
    "sim7080": ['AT+CAOPEN=0,0,"TCP","localhost",{port}', "AT+CASEND=0,5", "AT+CARECV=0,100", "AT+CACLOSE=0",
                "AT+CARECV?", "AT+CASTATE?", 'AT+CFSWFILE=3,"x.pem",0,5,1000', "AT+CFSINIT",
                'AT+CDNSGIP="localhost",1,1000'],
}
VALID["a7670"] = VALID["sim7600"]
# What a driver starting up would send to close what an earlier run left
# open (a real module keeps its links and sockets across a host restart).
CLEAN_UP = {
    "sim800": ["AT+CIPSHUT"],
    "sim7600": ["AT+CIPCLOSE=%d" % n for n in range(10)] + ["AT+CCHCLOSE=0", "AT+CCHCLOSE=1"],
    "esp_at": ["AT+CIPCLOSE=5", "AT+CIPCLOSE"],
    "bg96": ["AT+QICLOSE=%d" % n for n in range(12)],
    "sara_r4": ["AT+USOCL=%d" % n for n in range(7)],
    "sim7080": ["AT+CACLOSE=%d" % n for n in range(13)],
}
CLEAN_UP["a7670"] = CLEAN_UP["sim7600"]


def seeds(family):
    dialect = DIALECTS[family]
    names = set(dialect.settings) | set(dialect.tests) | set(dialect.accepted)
    names |= {name.rstrip("?") for name in dialect.answers}
    for attr in dir(dialect):
        if attr.startswith(("at_", "read_")):
            names.add("+" + attr.split("_", 1)[1])
    return sorted(n for n in names if n.startswith("+"))


@st.composite
def one_argument_off(draw, line):
    """The line as is, or with one argument replaced, dropped or added."""
    head, eq, rest = line.partition("=")
    args = rest.split(",") if eq else []
    how = draw(st.sampled_from(["keep", "replace", "drop", "add"]))
    if how == "replace" and args:
        args[draw(st.integers(0, len(args) - 1))] = draw(st.sampled_from(ARGS))
    elif how == "drop" and args:
        del args[draw(st.integers(0, len(args) - 1))]
    elif how == "add":
        args.append(draw(st.sampled_from(ARGS)))
    return head + ("=" + ",".join(args) if eq or args else "")


def mutated(family, port):
    valid = [line.format(port=port) for line in VALID[family]]
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
        st.sampled_from(valid).flatmap(one_argument_off),
        st.sampled_from(valid).flatmap(one_argument_off),  # twice as likely: these reach the links
    )
    return line.map(lambda text: text.replace("\r", "").encode("latin-1", "replace"))


@pytest.mark.parametrize("family", FAMILIES)
def test_random_and_mutated_lines_are_answered_and_a_get_still_works(family, http_server):
    counted = []
    # short data and connect timeouts: a fuzzed prompt or a TLS open of the
    # plain HTTP server gives up quickly (and answers) instead of in seconds
    with Emulator(family, data_timeout=0.3, connect_timeout=0.5) as emu:
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
        @given(st.lists(mutated(family, http_server.port), min_size=1, max_size=3))
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
            client.quiet(0.5)  # a prompt left open gives up
            for line in CLEAN_UP[family]:
                client.at(line)  # answered, whether there was something to close or not
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


def test_a_prompt_whose_bytes_never_come_gives_up_and_serving_goes_on(http_server):
    with Emulator("bg96", data_timeout=0.5) as emu:
        client = ATClient(emu.path, timeout=5)
        try:
            for line in ("ATE0", "AT+QIACT=1"):
                client.at(line)
            client.at('AT+QIOPEN=1,0,"TCP","localhost",%d,0,0' % http_server.port)
            client.expect(rb"\+QIOPEN: 0,0\r\n")
            client.write(b"AT+QISEND=0,100\r\n")
            client.expect(b"> ")
            client.write(b"only 20 bytes here..")
            assert client.expect(rb"\r\n(OK|ERROR)\r\n", timeout=3)[1].group(1) == b"ERROR"
            assert client.at("AT+CSQ") == [b"+CSQ: 24,0", b"OK"]  # commands, not data, again
        finally:
            client.close()
