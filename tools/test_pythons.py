"""make test-pythons: the test suite on every CPython 3.8+ this machine has.

    python tools/test_pythons.py [--only 3.8,3.12] [pytest args ...]

Interpreters are found as pyenv versions (~/.pyenv/versions/X.Y.Z) and as
python3.X on PATH, one per minor version (pyenv's first). Each gets its own
venv, .venv-X.Y, with `pip install -e '.[test]'` (redone when pyproject.toml
changes), and runs `pytest -q tests` there. One summary line per version at
the end; the exit status is 1 when any version failed or could not install.
"""

import glob
import os
import re
import shutil
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OLDEST = (3, 8)


def version_of(python):
    try:
        out = subprocess.run([python, "-c", "import sys; print('%d.%d.%d' % sys.version_info[:3])"],
                             capture_output=True, text=True, timeout=30).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return tuple(int(p) for p in out.split(".")) if out else None


def discover():
    """{(major, minor): (full version, interpreter path)}, oldest first."""
    candidates = sorted(glob.glob(os.path.expanduser("~/.pyenv/versions/*/bin/python3")))
    for minor in range(OLDEST[1], 20):
        found = shutil.which("python3.%d" % minor)
        if found:
            candidates.append(found)
    found = {}
    for python in candidates:
        version = version_of(python)
        if version and version[:2] >= OLDEST and version[:2] not in found:
            found[version[:2]] = (version, python)
    return dict(sorted(found.items()))


def ensure_venv(python, minor):
    """.venv-X.Y with the test extra installed; returns its python, or an error text."""
    venv = os.path.join(ROOT, ".venv-%d.%d" % minor)
    stamp = os.path.join(venv, ".installed-stamp")
    venv_python = os.path.join(venv, "bin", "python")
    if os.path.exists(stamp) and \
            os.path.getmtime(stamp) >= os.path.getmtime(os.path.join(ROOT, "pyproject.toml")):
        return venv_python, None
    steps = [[python, "-m", "venv", venv],
             [venv_python, "-m", "pip", "install", "-q", "--upgrade", "pip"],
             [venv_python, "-m", "pip", "install", "-q", "-e", ".[test]"]]
    for step in steps:
        r = subprocess.run(step, cwd=ROOT, capture_output=True, text=True)
        if r.returncode:
            return None, "%s failed:\n%s" % (" ".join(step[-3:]), (r.stdout + r.stderr)[-2000:])
    with open(stamp, "w"):
        pass
    return venv_python, None


def counts(output):
    """{'passed': n, 'failed': n, ...} from pytest's last line."""
    last = [line for line in output.splitlines() if line.strip()][-1:] or [""]
    return {word: int(n) for n, word in re.findall(r"(\d+) (\w+)", last[0])}


def main(argv):
    only = None
    if argv[:1] == ["--only"]:
        only = {tuple(int(p) for p in v.split(".")) for v in argv[1].split(",")}
        argv = argv[2:]
    pythons = discover()
    if only:
        pythons = {k: v for k, v in pythons.items() if k in only}
    if not pythons:
        print("test-pythons: no CPython >= 3.8 found (pyenv versions or python3.X on PATH)")
        return 1
    print("test-pythons: %s" % ", ".join("%d.%d.%d" % v for v, _ in pythons.values()))
    summary = []
    ok = True
    for minor, (version, python) in pythons.items():
        name = "%d.%d.%d" % version
        print("\n=== Python %s (%s) ===" % (name, python), flush=True)
        venv_python, error = ensure_venv(python, minor)
        if error:
            print(error)
            summary.append("%-8s install failed" % name)
            ok = False
            continue
        started = time.monotonic()
        r = subprocess.run([venv_python, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rfEs",
                            "tests"] + argv, cwd=ROOT, capture_output=True, text=True)
        seconds = time.monotonic() - started
        print(r.stdout[-6000:] + r.stderr[-2000:])
        got = counts(r.stdout)
        line = "%-8s %4d passed, %3d failed, %3d skipped, %2d errors  (%.0f s)" % (
            name, got.get("passed", 0), got.get("failed", 0), got.get("skipped", 0),
            got.get("errors", got.get("error", 0)), seconds)
        summary.append(line)
        ok = ok and r.returncode == 0
    print("\n=== test-pythons summary ===")
    for line in summary:
        print(line)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
