# Local workflow: `make run` (stack + demo sale, until Ctrl-C) and `make test`; CI runs `make test-all`.
# Needs only python3.11 (with venv and pip) and make; everything else installs into .venv.

PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
# Reinstalls when pyproject.toml changes (new or updated dependencies).
STAMP := $(VENV)/.installed-stamp

# pytest-xdist workers: each is a process with its own time-skipping and dev servers. One more
# than the cores: the tests spend part of their time waiting on those servers, PostgreSQL and
# Chromium (`make test`'s tests on 2 cores: 1:52 with 2 workers, 1:45 with 3, 2:02 with 4).
PYTEST_WORKERS ?= $(shell $(PYTHON) -c "import os; print((os.cpu_count() or 1) + 1)")
# worksteal: a worker that runs out takes half of another's queue. The default `load` hands out
# chunks of consecutive tests it never takes back: one worker was left with 80 s of tests while
# the other two idled (2:40 in all; 2:10 with worksteal, same tests).
PARALLEL = -n $(PYTEST_WORKERS) --dist worksteal
# The project's bytecode, written once before the tests (0.4 s): where PYTHONDONTWRITEBYTECODE is
# set (this machine, many CI images) every xdist worker and every Python process a test starts
# (worker.py, `mnd dev`, the crash tests' workers) would otherwise compile the project from
# source again: 15 s of CPU in `make test`.
COMPILE = $(BIN)/python -m compileall -q -j0 mnd workflows activities tests benchmarks worker.py starter.py
# `make test` leaves out the long fault injection (crash: minutes each; fault: outages, kills).
FAST_TESTS := -m "not crash and not fault"

.PHONY: help .venv run demo worker test fast-tests test-all lint typecheck screenshots diagnose-sdk-fault clean distclean

help:  ## These targets, each with what it does
	@awk -F ':.*## ' '/^[a-z.-]+:.*## / { printf "  %-20s %s\n", $$1, $$2 }' $(MAKEFILE_LIST)

.venv: $(STAMP)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

run: $(STAMP)  ## Dev server + UI (:8233), worker, API (:8000/docs), demo sale and staff tokens; Ctrl-C stops
	$(BIN)/mnd dev

demo: $(STAMP)  ## The demo sale on the dev server and worker, without the API; exits (0 when it completed)
	$(BIN)/python -m mnd.devstack demo

worker: $(STAMP)  ## Worker only, against TEMPORAL_ADDRESS (default localhost:7233)
	$(BIN)/python worker.py

lint: $(STAMP)  ## ruff check and ruff format --check, product, tests and benchmarks; import contracts
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

# mypy --num-workers: one checking process per core; a cold check (a fresh clone) takes 11 s
# instead of 16 s on 2 cores.
typecheck: $(STAMP)  ## mypy strict, product, tests and benchmarks
	$(BIN)/mypy --num-workers auto mnd workflows activities worker.py starter.py tests benchmarks

test: lint  ## Lint, then types and every test but the long fault injection, side by side
	@$(MAKE) --no-print-directory -j2 typecheck fast-tests

# mypy beside the tests: they leave a quarter of the CPU idle (waiting on servers), and most of
# the check fits in it (`make test` after the install: 6-10 s less than one after the other).
fast-tests: $(STAMP)
	$(COMPILE)
	$(BIN)/pytest $(PARALLEL) $(FAST_TESTS)

test-all: lint typecheck  ## As test, then the fault tests, then the crash tests (one at a time)
	$(COMPILE)
	$(BIN)/pytest $(PARALLEL) -m "not crash"
	$(BIN)/pytest -p no:xdist -m crash

screenshots: $(STAMP)  ## The console's browser tests, writing the README's screenshots into docs/screenshots/
	MND_SCREENSHOTS_DIR=docs/screenshots MND_REQUIRE_BROWSER=1 $(BIN)/pytest -p no:xdist tests/console/test_console_browser.py

diagnose-sdk-fault: $(STAMP)  ## Stages the SDK query race (timing-dependent; see README)
	$(BIN)/python -m tests.diagnostics.sdk_query_fault

clean:  ## Local data (outbox, records, dev server database) and caches
	rm -rf var .pytest_cache .mypy_cache .ruff_cache build *.egg-info
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV)
