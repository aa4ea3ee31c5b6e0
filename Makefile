# Two commands on a fresh machine: `make run` and `make test`. Both set up .venv themselves.
PYTHON ?= python3
PORT ?= 8501
VENV := .venv
BIN := $(VENV)/bin
RUN_STAMP := $(VENV)/.run-deps
TEST_STAMP := $(VENV)/.test-deps
PIP := $(BIN)/python -m pip install --quiet --disable-pip-version-check

.PHONY: run test test-slow security lint typecheck unit e2e bench bench-pages db clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(RUN_STAMP): pyproject.toml | $(BIN)/python
	$(PIP) -e .
	touch $@

$(TEST_STAMP): pyproject.toml | $(BIN)/python
	$(PIP) -e '.[test]'
	touch $@ $(RUN_STAMP)

## run: set up, migrate the SQLite default, load the demo when empty, serve on $(PORT)
run: $(RUN_STAMP)
	$(BIN)/roadmap init-db --demo-if-empty
	$(BIN)/streamlit run app.py --server.headless true --server.port $(PORT)

## db: only create or upgrade the database (and load the demo into an empty one)
db: $(RUN_STAMP)
	$(BIN)/roadmap init-db --demo-if-empty

## test: lint, format check, types, and the pytest suite (unit, integration, app, browser)
test: lint typecheck
	$(BIN)/pytest -m "not slow"

## test-slow: the comparisons with pabutools that take it minutes per file (CI runs these too)
test-slow: $(TEST_STAMP)
	$(BIN)/pytest -m slow

## security: every boundary probed with hostile input (docs/security.md), the slow full matrix
## included; on SQLite, and on PostgreSQL too when ROADMAP_TEST_DATABASE_URL is set
security: $(TEST_STAMP)
	$(BIN)/pytest -m security

lint: $(TEST_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

typecheck: $(TEST_STAMP)
	$(BIN)/mypy src/roadmap

unit: $(TEST_STAMP)
	$(BIN)/pytest -m "not slow" tests/unit tests/integration tests/app

e2e: $(TEST_STAMP)
	$(BIN)/pytest tests/e2e

## bench: print measured ratios (never asserted); see bench/README.md
bench: $(TEST_STAMP)
	$(BIN)/python bench/allocation.py --quick
	$(BIN)/python bench/scaling.py --quick
	$(BIN)/python bench/assignment.py --quick

## bench-pages: every page's rerun on 100x the demo data against the demo (first run builds
## and caches the data sets, about 13 minutes; then about 3 minutes)
bench-pages: $(TEST_STAMP)
	$(BIN)/python bench/pages.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
