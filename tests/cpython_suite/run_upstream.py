"""Run CPython's own test_httplib.py against microhttplib and report per-test outcomes.

    python run_upstream.py [--baseline] OUT.json [unittest-name ...]

The upstream file is copied from the running interpreter's `test` package
(it is not vendored: it is the acceptance check of the exact CPython in use),
rewritten so that the module under test, `client`, is microhttplib, and run
with unittest in this process. OUT.json maps "Class.test_name" to one of
pass / fail / error / skip / xfail / xpass, plus the first lines of the
failure for the ones that did not pass.

Network tests stay skipped by upstream's own guard (support.requires('network')):
like regrtest, this runner enables no resources.
"""

import faulthandler
import importlib.util
import json
import os
import sys
import tempfile
import time
import unittest

# (old, new, expected count): every rewrite must match exactly, so that a
# change in the upstream file is noticed instead of silently testing http.client.
REWRITES = [
    ("from http import client, HTTPStatus\n",
     "import microhttplib as client\nfrom http import HTTPStatus\n", 1),
    # test_all: the objects defined by the module under test.
    ('getattr(module_object, "__module__", None) == "http.client"',
     'str(getattr(module_object, "__module__", None)).split(".")[0] == "microhttplib"', 1),
    # The certificates stay in CPython's test directory.
    ("here = os.path.dirname(__file__)\n", "here = %(here)r\n", 1),
    # test_send_file reads the test file itself; keep it the upstream file.
    ("with open(__file__, 'rb') as body:", "with open(%(upstream)r, 'rb') as body:", 1),
]

# A second, adapted run of the tests whose setUp reaches into http.client's
# internals (it wraps resp.fp, the makefile() file, in io.BufferedReader; in
# microhttplib resp.fp is the socket). Without that line these tests exercise
# the public peek/read1/readline API. Outcomes are named "adapted.Class.test".
ADAPTED_REWRITES = [
    ("        resp.fp = io.BufferedReader(resp.fp)\n", "", 1),
]
ADAPTED_TESTS = ["ExtendedReadTest", "ExtendedReadTestChunked"]

# A test that does not finish in this many seconds is reported as a hang (the
# whole run is aborted with a traceback dump; the caller sees it as a crash).
PER_RUN_TIMEOUT = 120


def upstream_path():
    """The checked-in copy of the upstream file (see upstream/NOTICE.md)."""
    return os.path.join(os.path.dirname(os.path.abspath(__file__)), "upstream", "test_httplib.py")


def support_dir():
    """The interpreter's test package: the certificates the upstream tests open."""
    import test
    return os.path.dirname(test.__file__)


def _apply(source, rewrites, values):
    for old, new, count in rewrites:
        found = source.count(old)
        if found != count:
            raise SystemExit("upstream test_httplib.py changed: %r found %d times, expected %d"
                             % (old, found, count))
        source = source.replace(old, new % values if "%(" in new else new)
    return source


def rewritten_source(path, baseline=False):
    with open(path, encoding="utf-8") as f:
        source = f.read()
    if baseline:  # the same run against http.client itself, for comparison
        return source.replace("here = os.path.dirname(__file__)\n", "here = %r\n"
                              % support_dir()).replace(
            "with open(__file__, 'rb') as body:", "with open(%r, 'rb') as body:" % path)
    values = {"here": support_dir(), "upstream": path}
    source = _apply(source, REWRITES, values)
    if "http.client import" in source or "from http import client" in source:
        raise SystemExit("upstream test_httplib.py still imports http.client")
    return source


class RecordingResult(unittest.TestResult):
    def __init__(self):
        unittest.TestResult.__init__(self)
        self.outcomes = {}
        self.details = {}
        self.times = {}
        self._started = {}
        self.prefix = ""

    def _name(self, test):
        # "module.Class.test" -> "Class.test"; subtests are folded into their test.
        test = getattr(test, "test_case", test)
        parts = test.id().split(".")
        return self.prefix + ".".join(parts[-2:])

    def _set(self, test, outcome, detail=None):
        name = self._name(test)
        worse = {"pass": 0, "skip": 0, "xfail": 0, "xpass": 1, "fail": 2, "error": 3}
        if name not in self.outcomes or worse[outcome] > worse[self.outcomes[name]]:
            self.outcomes[name] = outcome
            if detail:
                self.details[name] = detail

    @staticmethod
    def _summary(err_text):
        lines = [line for line in err_text.strip().splitlines() if line.strip()]
        return "\n".join(lines[-6:])

    def startTest(self, test):
        unittest.TestResult.startTest(self, test)
        self._started[self._name(test)] = time.monotonic()

    def stopTest(self, test):
        unittest.TestResult.stopTest(self, test)
        name = self._name(test)
        self.times[name] = round(time.monotonic() - self._started.pop(name, time.monotonic()), 3)

    def addSuccess(self, test):
        self._set(test, "pass")

    def addFailure(self, test, err):
        unittest.TestResult.addFailure(self, test, err)
        self._set(test, "fail", self._summary(self.failures[-1][1]))

    def addError(self, test, err):
        unittest.TestResult.addError(self, test, err)
        self._set(test, "error", self._summary(self.errors[-1][1]))

    def addSkip(self, test, reason):
        self._set(test, "skip", reason)

    def addExpectedFailure(self, test, err):
        self._set(test, "xfail")

    def addUnexpectedSuccess(self, test):
        self._set(test, "xpass")

    def addSubTest(self, test, subtest, err):
        if err is None:
            return
        if issubclass(err[0], test.failureException):
            unittest.TestResult.addFailure(self, subtest, err)
            self._set(test, "fail", self._summary(self.failures[-1][1]))
        else:
            unittest.TestResult.addError(self, subtest, err)
            self._set(test, "error", self._summary(self.errors[-1][1]))


def _load(source, workdir, name):
    module_path = os.path.join(workdir, name + ".py")
    with open(module_path, "w", encoding="utf-8") as f:
        f.write(source)
    spec = importlib.util.spec_from_file_location(name, module_path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _older_test_support(support):
    """What 3.11's test_httplib.py takes from test.support, on 3.8-3.10.

    3.10 lacks requires_working_socket (a guard for platforms without
    sockets); 3.8/3.9 keep os_helper's and warnings_helper's names (3.8 also
    socket_helper's) in test.support itself.
    """
    if not hasattr(support, "requires_working_socket"):
        support.requires_working_socket = lambda module=False: None
    for helper in ("os_helper", "socket_helper", "warnings_helper"):
        name = "test.support." + helper
        try:
            __import__(name)
        except ImportError:
            sys.modules[name] = support
            setattr(support, helper, support)


def main(argv):
    baseline = "--baseline" in argv
    argv = [a for a in argv if a != "--baseline"]
    out = argv[1]
    names = argv[2:]
    from test import support
    support.use_resources = []  # as under regrtest without -u: no network
    _older_test_support(support)
    path = upstream_path()
    source = rewritten_source(path, baseline)
    workdir = tempfile.mkdtemp(prefix="upstream_httplib_")
    loader = unittest.TestLoader()
    module = _load(source, workdir, "test_httplib_microhttplib")
    if names:
        suite = loader.loadTestsFromNames(names, module)
    else:
        suite = loader.loadTestsFromModule(module)
    faulthandler.dump_traceback_later(PER_RUN_TIMEOUT, exit=True)
    result = RecordingResult()
    suite.run(result)
    if not names and not baseline:
        adapted = _load(_apply(source, ADAPTED_REWRITES, {}), workdir, "adapted")
        result.prefix = "adapted."
        loader.loadTestsFromNames(ADAPTED_TESTS, adapted).run(result)
    faulthandler.cancel_dump_traceback_later()
    with open(out, "w") as f:
        json.dump({"upstream": path, "python": sys.version, "outcomes": result.outcomes,
                   "details": result.details, "times": result.times}, f, indent=1,
                  sort_keys=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
