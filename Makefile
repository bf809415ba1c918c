# Aftersales: `make run` serves the product, `make test` runs the tests.
SHELL := /bin/bash
PORT ?= 8000
UV := $(shell command -v uv 2>/dev/null || echo "python3 -m uv")
PY := .venv/bin/python
MANAGE := $(PY) manage.py
PYTEST_WORKERS ?= 2

.PHONY: run install test test-fast test-browser lint format check-migrations bench messages

install:
	@command -v uv >/dev/null 2>&1 || python3 -m uv --version >/dev/null 2>&1 || python3 -m pip install --quiet uv
	@$(UV) sync --frozen --quiet

run: install
	@$(MANAGE) serve --port $(PORT)

test: install
	@$(PY) -m pytest -n $(PYTEST_WORKERS) -q $(PYTEST_ARGS)

test-fast: install
	@$(PY) -m pytest -n $(PYTEST_WORKERS) -q -m "not browser" $(PYTEST_ARGS)

test-browser: install
	@$(PY) -m pytest -q -m browser $(PYTEST_ARGS)

lint: install
	@.venv/bin/ruff check .
	@.venv/bin/ruff format --check .

format: install
	@.venv/bin/ruff check --fix .
	@.venv/bin/ruff format .

check-migrations: install
	@AFTERSALES_DATA_DIR=$$(mktemp -d) $(MANAGE) makemigrations --check --dry-run

messages: install
	@AFTERSALES_DATA_DIR=$$(mktemp -d) $(MANAGE) makemessages -l zh_Hans -l zh_Hant -l en --no-obsolete --ignore ".venv/*" --ignore "var/*" --ignore "bench/*" --ignore "tests/*" --ignore "*/tests/*"
	@AFTERSALES_DATA_DIR=$$(mktemp -d) $(MANAGE) compilemessages --ignore ".venv/*" --ignore "var/*"

bench: install
	@$(PY) bench/run.py
