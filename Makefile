PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PACKAGES := domain application infrastructure api cli demo
# The folders as the `assess` namespace on disk, for tools that read files rather than
# import (mypy, import-linter); the editable install maps the same names at run time.
TREE := $(VENV)/src/assess

.PHONY: run test lint format bench clean assets

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

# The console's browser assets, pinned: fetched from the npm registry (no Node toolchain
# is needed to run or test; the files are committed). Bump the versions here.
HTMX := 2.0.11
VENDOR := api/console/static/vendor

assets:
	rm -rf $(VENDOR)/tmp && mkdir -p $(VENDOR)/tmp
	cd $(VENDOR)/tmp && npm pack --silent htmx.org@$(HTMX) >/dev/null && tar xzf htmx.org-$(HTMX).tgz
	cp $(VENDOR)/tmp/package/dist/htmx.min.js $(VENDOR)/htmx.min.js
	cp $(VENDOR)/tmp/package/LICENSE $(VENDOR)/htmx.LICENSE
	echo "htmx.org $(HTMX) (npm), BSD Zero Clause License: htmx.LICENSE" > $(VENDOR)/VERSIONS
	rm -rf $(VENDOR)/tmp

bench: $(STAMP)
	$(BIN)/python -m bench.ingest

clean:
	rm -rf $(VENV) assess.db assess.db-* demo .pytest_cache .ruff_cache
