# policykb — `make run` sets up and serves the app on the bundled corpus; `make test` sets up and runs every test;
# `make test-fast` runs the unit tests only (no model, no subprocess, no server, no browser; under a minute);
# `make lint` runs ruff and mypy (settings in pyproject.toml).
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip

.PHONY: run test test-fast lint setup setup-test browser clean-kb

run: setup
	$(VENV)/bin/policykb serve

# Two workers (pytest-xdist), each file kept on one worker so that its module fixtures (servers, KBs) start once;
# the session KBs are built once per run and copied to each worker (tests/support/built_once.py).
TEST_WORKERS ?= 2

test: setup-test
	$(VENV)/bin/pytest -n $(TEST_WORKERS) --dist loadfile

# The inner loop: tests marked integration (see tests/conftest.py), slow, browser or server are left out; CI runs `make test`.
test-fast: setup $(VENV)/.installed-test
	HYPOTHESIS_PROFILE=fast $(PY) -m pytest -q -m "not integration and not slow and not browser and not server"

lint: $(VENV)/.installed $(VENV)/.installed-test
	$(PY) -m ruff check .
	$(PY) scripts/typecheck.py

setup: $(VENV)/.installed

# torch first: the pinned CPU wheel is on disk here; a later resolver pass must not pull a CUDA build.
$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet torch==2.13.0
	$(PIP) install --quiet -e .
	touch $@

setup-test: setup browser $(VENV)/.installed-test

$(VENV)/.installed-test: pyproject.toml
	$(PIP) install --quiet -e '.[test]'
	touch $@

# Browser tests drive Debian's Chromium through the playwright package (never `playwright install`).
browser:
	@command -v chromium >/dev/null 2>&1 || bash scripts/install-chromium.sh

clean-kb:
	rm -rf data
