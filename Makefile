# Local workflow: `make run` (stack + demo sale, until Ctrl-C) and `make test`.
# Needs only python3.11 (with venv and pip) and make; everything else installs into .venv.

PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
# Reinstalls when pyproject.toml changes (new or updated dependencies).
STAMP := $(VENV)/.installed-stamp

.PHONY: .venv run demo worker test lint typecheck clean distclean

.venv: $(STAMP)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

run: $(STAMP)  ## Dev server + UI (:8233), worker, API (:8000/docs), demo sale and staff tokens; Ctrl-C stops
	$(BIN)/mnd dev

demo: $(STAMP)  ## Same as run, but exits when the demo sale completes
	$(BIN)/python -m mnd.devstack demo

worker: $(STAMP)  ## Worker only, against TEMPORAL_ADDRESS (default localhost:7233)
	$(BIN)/python worker.py

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: lint typecheck  ## Lint, format check, types, then the test suite
	$(BIN)/pytest

typecheck: $(STAMP)
	$(BIN)/mypy mnd workflows activities worker.py starter.py

clean:  ## Local data (outbox, records, dev server database) and caches
	rm -rf var .pytest_cache .mypy_cache .ruff_cache build *.egg-info
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV)
