"""The README and docs say what the code does: the CLI's exit codes, install
lines that work from a checkout, and robustness claims that name real tests."""

import glob
import os
import re

from microhttplib.__main__ import EXIT_CODES

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def read(name):
    with open(os.path.join(ROOT, name), encoding="utf-8") as f:
        return f.read()


def test_readme_exit_code_table_is_the_clis():
    readme = read("README.md")
    rows = re.findall(r"^\| (\d+) \| (.+) \|$", readme, re.M)
    assert [(int(code), text) for code, text in rows] == list(EXIT_CODES)


def test_install_lines_name_no_placeholder():
    readme = read("README.md")
    for line in ("pip install .", "pip install '.[serial]'", "mpremote mip install ./package.json",
                 "mpremote mip install ./package-serial_modem.json", "make demo", "make test"):
        assert line in readme, line
    for name in ["README.md", "tools/build_mpy.py"] + glob.glob(os.path.join(ROOT, "docs", "*.md")):
        assert "OWNER" not in read(name), name


def test_every_test_the_robustness_table_names_exists():
    table = [line for line in read("docs/robustness.md").splitlines() if line.startswith("| ")]
    named = set()
    for line in table:
        named.update(re.findall(r"`(test_[a-z0-9_]+\*?)`", line))
    assert len(named) > 40
    sources = "".join(read(os.path.relpath(p, ROOT)) for p in glob.glob(os.path.join(ROOT, "tests", "*.py")))
    defined = set(re.findall(r"^def (test_\w+)", sources, re.M))
    for name in named:
        if name.endswith("*"):
            assert any(d.startswith(name[:-1]) for d in defined), name
        else:
            assert name in defined, name


def test_readme_keeps_the_hostile_input_table_in_docs():
    readme = read("README.md")
    assert "| Hostile input or fault |" not in readme
    assert "| Hostile input or fault |" in read("docs/robustness.md")
    assert "docs/robustness.md" in readme
