# Freeze microhttplib into a MicroPython firmware (a micropython-lib style manifest).
#
#   make mpy        # lays the board files out as a package: build/frozen/lib/microhttplib/
#
# then, in the board's manifest (keep the port's own modules first):
#
#   include("$(PORT_DIR)/boards/manifest.py")
#   include("/path/to/microhttplib/manifest.py")                     # core + Wi-Fi/socket port
#   include("/path/to/microhttplib/manifest.py", serial_modem=True)  # + the AT-modem port
#   include("/path/to/microhttplib/manifest.py", base="/elsewhere/mp/lib")  # build_mpy.py --out
#
# or build with FROZEN_MANIFEST=/path/to/microhttplib/manifest.py to freeze
# microhttplib alone (docs/micropython.md has the unix-port build and its figures).
#
# Why the built tree and not the sources: the repository keeps the package as
# core/ (microhttplib) and ports/ (microhttplib.ports), mapped by pyproject's
# package-dir, while package() freezes a directory under its own name.
# `make mpy` lays out exactly the files a board gets (CPython-only ones left
# out), with the modules a request loads merged into one (microhttplib._request)
# as in the .mpy tree: every module object costs RAM, frozen or not.
#
# No require(): microhttplib needs only built-in modules (socket, select, and
# tls for HTTPS, or ussl/ssl on firmware older than 1.23).
options.defaults(serial_modem=False, opt=None, base="build/frozen/lib")

import os

_BASE = options.base


def _version():
    with open("pyproject.toml") as f:
        for line in f:
            if line.startswith("version"):
                return line.split("=", 1)[1].strip().strip('"')


def _files():
    """Paths under build/frozen/lib/microhttplib, relative to it."""
    top = os.path.join(_BASE, "microhttplib")
    if not os.path.isdir(top):
        raise Exception("%s is missing: run `make mpy` first" % os.path.abspath(top))
    found = []
    for dirpath, dirnames, filenames in os.walk(top):
        rel = os.path.relpath(dirpath, top)
        if rel.replace(os.sep, "/").startswith("ports/serial_modem") and not options.serial_modem:
            continue
        found += [os.path.normpath(os.path.join(rel, f)) for f in filenames if f.endswith(".py")]
    return sorted(found)


metadata(
    description="The httplib / http.client API over a minimal-allocation HTTP/1.1 parser",
    version=_version(),
    license="MIT",
)
package("microhttplib", files=_files(), base_path=_BASE, opt=options.opt)
