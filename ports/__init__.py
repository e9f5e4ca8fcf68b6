"""Transports: how bytes reach the network on each platform.

Nothing here is imported by the core until the first connect, so a board
only pays for the port it uses.
"""

_PORTS = ("cpython", "micropython", "serial_modem")


def __getattr__(name):
    """`microhttplib.ports.cpython` without an import statement of its own."""
    if name not in _PORTS:
        raise AttributeError(name)
    import sys
    __import__(__name__ + "." + name)
    return sys.modules[__name__ + "." + name]
