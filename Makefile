# One entry point for set-up, tests, lint and the demo, locally and in CI.
#   make demo   — install, start a local Label Studio, run the whole pipeline on the bundled article
#   make test   — install and run the tests (integration tests start Label Studio themselves)
#   make lint   — ruff (lint + format check) and mypy
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: install browser test test-unit lint format demo bench ls-start ls-stop ls-status clean

install: $(STAMP)

# The project's own virtualenv, from the lock file (every dependency pinned).
$(STAMP): requirements.lock pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check uv==0.13.9 || true
	if [ -x $(VENV)/bin/uv ]; then \
	  $(VENV)/bin/uv pip install --quiet --python $(PY) -r requirements.lock; \
	else \
	  $(PY) -m pip install --quiet -r requirements.lock; \
	fi
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	# Bytecode for the venv and the package: with PYTHONDONTWRITEBYTECODE=1 (set on some
	# machines) every CLI start would otherwise recompile every module it imports.
	# A few third-party test files don't compile on purpose: their errors are ignored.
	$(PY) -m compileall -q -j 0 $$($(PY) -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])') annotate >/dev/null || true
	touch $(STAMP)

# Debian's Chromium for the browser tests (Playwright drives it; it never downloads a browser).
# Installed when missing and we are root (CI); elsewhere the browser tests say how and skip.
browser:
	@if ! command -v chromium >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else \
	    echo "chromium is not installed (sudo apt-get install chromium): browser tests will be skipped"; \
	  fi; \
	fi

test: install browser
	$(PY) -m pytest -q

test-unit: install
	ANNOTATE_SKIP_LS=1 $(PY) -m pytest -q -m "not integration and not slow"

lint: install
	$(VENV)/bin/ruff check annotate tests scripts
	$(VENV)/bin/ruff format --check annotate tests scripts
	$(VENV)/bin/mypy

format: install
	$(VENV)/bin/ruff check --fix annotate tests scripts
	$(VENV)/bin/ruff format annotate tests scripts

demo: install
	scripts/label-studio.sh start
	$(PY) scripts/demo.py

# Benchmarks report ratios against a baseline measured in the same run (sizes: see each file).
bench: install
	$(PY) -m pytest tests/benchmarks/bench_*.py --benchmark-enable -q -s

ls-start:
	scripts/label-studio.sh start

ls-stop:
	scripts/label-studio.sh stop

ls-status:
	scripts/label-studio.sh status

clean:
	rm -rf .demo .pytest_cache .mypy_cache .ruff_cache build dist
