#!/usr/bin/env python3
"""What the emulator answers, per family, now and before issue 11.

    .venv/bin/python tools/emulator_coverage.py [FAMILY ...]

Every command name a family's dialect knows (its tables and handlers) is
sent in its exec, read (?) and test (=?) forms, with the network up, to
today's emulator and to the single-module emulator of commit 113ac3c
(taken from git); a form counts as answered when the final result is not
ERROR / +CME ERROR. "killed by" counts the forms after which the serving
thread was dead (the emulator is restarted and the probe goes on).
"""
import importlib.util
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests"))
from at_client import ATClient  # noqa: E402
from microhttplib.ports.serial_modem.emulator import Emulator, DIALECTS  # noqa: E402

BEFORE = "113ac3c"


def old_emulator():
    source = subprocess.run(["git", "-C", ROOT, "show", BEFORE + ":ports/serial_modem/emulator.py"],
                            capture_output=True, check=True).stdout
    path = os.path.join(tempfile.mkdtemp(), "old_emulator.py")
    with open(path, "wb") as f:
        f.write(source)
    spec = importlib.util.spec_from_file_location("old_emulator", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module

NET = {"sim800": ['AT+CSTT="internet"', "AT+CIICR"], "sim7600": ["AT+NETOPEN"], "a7670": ["AT+NETOPEN"],
       "esp_at": ['AT+CWJAP="a","b"'], "bg96": ["AT+QIACT=1"], "sara_r4": ["AT+CGACT=1,1"], "sim7080": ["AT+CNACT=0,1"]}


def names(fam):
    d = DIALECTS[fam]
    ns = set(d.settings) | set(d.tests) | set(d.accepted) | {n.rstrip("?") for n in d.answers}
    for a in dir(d):
        if a.startswith(("at_", "read_")): ns.add("+" + a.split("_", 1)[1])
    return sorted(n for n in ns if n.startswith("+"))


def up(cls, fam):
    emu = cls(fam); emu.start()
    c = ATClient(emu.path, timeout=0.5)
    c.at("ATE0")
    for l in NET[fam]:
        c.at(l)
    c.quiet(0.05)
    return emu, c


def probe(cls, fam, cmds):
    ok, died = set(), []
    emu, c = up(cls, fam)
    for cmd in cmds:
        try:
            r = c.at("AT" + cmd)
            if r and r[-1] != b"ERROR" and not r[-1].startswith(b"+CME ERROR"):
                ok.add(cmd)
            c.quiet(0.01)
            failed = False
        except Exception:
            failed = True
        if failed or not emu._thread.is_alive():
            died.append(cmd)
            c.close(); emu.stop()
            emu, c = up(cls, fam)
    c.close(); emu.stop()
    return ok, died


old_emulator = old_emulator()
fams = sys.argv[1:] or list(DIALECTS)
for fam in fams:
    cmds = [n + f for n in names(fam) for f in ("", "?", "=?")] + ["I"]
    new, newdied = probe(Emulator, fam, cmds)
    if fam in old_emulator.DIALECTS:
        old, olddied = probe(old_emulator.Emulator, fam, cmds)
    else:
        old, olddied = set(), []
    newnames = {re.sub(r"(\?|=\?)$", "", c) for c in new}
    oldnames = {re.sub(r"(\?|=\?)$", "", c) for c in old}
    print("%-8s probed %3d forms of %3d names | before: %3d forms, %2d names, killed by %d | after: %3d forms, %3d names, killed by %d"
          % (fam, len(cmds), len(names(fam)), len(old), len(oldnames), len(olddied), len(new), len(newnames), len(newdied)))
    print("   newly answered:", " ".join(sorted(newnames - oldnames)))
