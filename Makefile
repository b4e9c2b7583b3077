PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PACKAGES := domain application infrastructure api cli demo
# The folders as the `assess` namespace on disk, for tools that read files rather than
# import (mypy, import-linter); the editable install maps the same names at run time.
TREE := $(VENV)/src/assess

.PHONY: run test lint format bench clean

$(STAMP): pyproject.toml Makefile
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	mkdir -p $(TREE)
	for package in $(PACKAGES); do ln -sfn "$(CURDIR)/$$package" "$(TREE)/$$package"; done
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/assess serve --demo

# xdist workers, one per core here; each has a PostgreSQL database of its own.
WORKERS ?= 2

test: $(STAMP) lint
	$(BIN)/python -m pytest -q -n $(WORKERS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	PYTHONPATH=$(VENV)/src $(BIN)/lint-imports
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: $(STAMP)
	$(BIN)/python -m bench.ingest

clean:
	rm -rf $(VENV) assess.db assess.db-* demo .pytest_cache .ruff_cache
