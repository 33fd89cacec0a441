# The two commands: `make run` and `make test`. Everything else here serves them.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
CB := $(BIN)/casebridge
# Django 6 needs Python 3.12 or newer; take the newest one this machine has.
PYTHON ?= $(shell for p in python3.14 python3.13 python3.12 $$HOME/.pyenv/versions/3.13*/bin/python3 $$HOME/.pyenv/versions/3.12*/bin/python3 python3; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null && { command -v $$p; break; }; done)
# The suite runs in one process per core, at most four (tests/redis_db.py has Redis room for seven).
TEST_PROCESSES ?= $(shell n=$$(nproc 2>/dev/null || echo 2); [ $$n -gt 4 ] && n=4; echo $$n)
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test setup setup-dev lint typecheck pytest bench clean

$(VENV)/.installed: pyproject.toml
	@test -n "$(PYTHON)" || { echo "Casebridge needs Python 3.12 or newer; none was found." >&2; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	touch $@

setup: $(VENV)/.installed node_modules/.installed

setup-dev: setup $(VENV)/.installed-dev
	@bash scripts/ensure-chromium

run: setup
	$(CB) migrate --no-input
	$(CB) collectstatic --no-input --verbosity 0
	$(CB) seed-demo --if-empty
	$(CB) serve --host $(HOST) --port $(PORT)

lint: setup-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(CB) makemigrations --check --dry-run
	$(CB) check

typecheck: setup-dev
	$(BIN)/mypy casebridge

pytest: setup-dev
	$(CB) collectstatic --no-input --verbosity 0
	$(BIN)/pytest -q -n $(TEST_PROCESSES) --durations=30

test: lint typecheck pytest

bench: setup-dev
	$(BIN)/python bench/pages.py

clean:
	rm -rf $(VENV) node_modules var staticfiles
