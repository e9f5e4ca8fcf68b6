"""`pip install .` gives a working `import microhttplib` with its ports (not the editable install)."""

import os
import subprocess
import sys
import venv
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_wheel_maps_core_and_ports(tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps",
                    "-q", "-w", str(tmp_path), ROOT], check=True)
    wheel = next(p for p in os.listdir(tmp_path) if p.endswith(".whl"))
    names = set(zipfile.ZipFile(os.path.join(tmp_path, wheel)).namelist())
    for module in ("microhttplib/__init__.py", "microhttplib/parser.py",
                   "microhttplib/connection.py", "microhttplib/ports/__init__.py",
                   "microhttplib/ports/cpython/transport.py",
                   "microhttplib/ports/micropython/transport.py",
                   "microhttplib/ports/serial_modem/__init__.py",
                   "microhttplib/ports/serial_modem/emulator/__init__.py",
                   "microhttplib/ports/serial_modem/emulator/__main__.py",
                   "microhttplib/ports/serial_modem/emulator/sim800.py"):
        assert module in names, module
    assert not any(n.startswith(("core/", "ports/", "tests/")) for n in names)

    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    python = str(env_dir / "bin" / "python")
    site = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    zipfile.ZipFile(os.path.join(tmp_path, wheel)).extractall(site)
    code = ("import microhttplib as httplib, microhttplib.ports.cpython as p;"
            "print(httplib.__file__.startswith(%r), httplib.responses[404],"
            " httplib.HTTPConnection('h:8080').port, p.SocketTransport.__name__)" % site)
    out = subprocess.run([python, "-I", "-c", code], capture_output=True, text=True,
                         cwd=str(tmp_path), check=True).stdout
    assert out.split() == ["True", "Not", "Found", "8080", "SocketTransport"]
    # the emulator subpackage is in the wheel and runs as a module
    help_text = subprocess.run([python, "-I", "-m", "microhttplib.ports.serial_modem.emulator", "--help"],
                               capture_output=True, text=True, cwd=str(tmp_path), check=True).stdout
    assert "--family" in help_text and "sim800" in help_text
