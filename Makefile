# Two commands on a fresh machine: `make run` and `make test`. Both set up .venv themselves,
# installing the exact versions pinned in requirements.lock (`make lock` updates it).
PYTHON ?= python3
PORT ?= 8501
VENV := .venv
BIN := $(VENV)/bin
RUN_STAMP := $(VENV)/.run-deps
TEST_STAMP := $(VENV)/.test-deps
LOCK := requirements.lock
PIP := $(BIN)/python -m pip install --quiet --disable-pip-version-check -c $(LOCK)

.PHONY: run test test-slow security lint typecheck unit e2e bench bench-pages db lock clean screenshots

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(RUN_STAMP): pyproject.toml $(LOCK) | $(BIN)/python
	$(PIP) -e .
	touch $@

$(TEST_STAMP): pyproject.toml $(LOCK) | $(BIN)/python
	$(PIP) -e '.[test]'
	touch $@ $(RUN_STAMP)

## run: set up, migrate the SQLite default, load the demo when empty, serve on $(PORT)
run: $(RUN_STAMP)
	$(BIN)/roadmap init-db --demo-if-empty
	$(BIN)/streamlit run app.py --server.headless true --server.port $(PORT)

## db: only create or upgrade the database (and load the demo into an empty one)
db: $(RUN_STAMP)
	$(BIN)/roadmap init-db --demo-if-empty

## test: lint, format check, types, and the pytest suite (unit, integration, app, browser),
## in two processes (pytest-xdist; each test file stays in one, so a module's app server
## serves all its tests)
test: lint typecheck
	$(BIN)/pytest -m "not slow" -n 2 --dist loadfile

## test-slow: what takes minutes: the comparisons with pabutools, the long browser journeys
## (a foundation's first year, governance, planning, set-up, links, homes, 390 px) and the
## full fuzz matrix; in two processes like make test (CI runs these too)
test-slow: $(TEST_STAMP)
	$(BIN)/pytest -m slow -n 2 --dist loadfile

## security: every boundary probed with hostile input (docs/security.md), the slow full matrix
## included; on SQLite, and on PostgreSQL too when ROADMAP_TEST_DATABASE_URL is set
security: $(TEST_STAMP)
	$(BIN)/pytest -m security

lint: $(TEST_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

# Three runs: the package; the router and the page scripts (named pages.<key>, so that
# pages/roadmap.py is not taken for the package `roadmap`); the bench scripts as the scripts
# they are (they import each other and tests/unit/allocation/allocation_support.py by path).
typecheck: $(TEST_STAMP)
	$(BIN)/mypy src/roadmap
	$(BIN)/mypy --explicit-package-bases app.py pages
	MYPYPATH=bench:tests/unit/allocation $(BIN)/mypy bench

unit: $(TEST_STAMP)
	$(BIN)/pytest -m "not slow" tests/unit tests/integration tests/app

e2e: $(TEST_STAMP)
	$(BIN)/pytest tests/e2e

## screenshots: every page for each role that sees it, at 1,440 and 390 px, on the demo data
## (with its plan published) into screenshots/ (git-ignored); a few minutes
screenshots: $(TEST_STAMP)
	$(BIN)/python tests/e2e/screenshots.py screenshots

## bench: print measured ratios (never asserted); see bench/README.md
bench: $(TEST_STAMP)
	$(BIN)/python bench/allocation.py --quick
	$(BIN)/python bench/scaling.py --quick
	$(BIN)/python bench/assignment.py --quick

## bench-pages: every page's rerun on 100x the demo data against the demo (first run builds
## and caches the data sets, about 13 minutes; then about 3 minutes)
bench-pages: $(TEST_STAMP)
	$(BIN)/python bench/pages.py

## lock: pin every distribution a fresh .venv of '.[test]' gets, newest allowed by pyproject.toml,
## into requirements.lock (built in a throw-away venv; commit the result with the change)
lock:
	rm -rf $(VENV)-lock
	$(PYTHON) -m venv $(VENV)-lock
	$(VENV)-lock/bin/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	{ echo "# Exact versions of every distribution in a fresh venv of '.[test]' (Python $$($(VENV)-lock/bin/python -c 'import platform; print(platform.python_version())'))."; \
	  echo "# make run and make test install with: pip install -c requirements.lock -e '.[test]'"; \
	  echo "# Regenerate with: make lock"; \
	  $(VENV)-lock/bin/python -m pip freeze --exclude-editable --disable-pip-version-check; } > $(LOCK).tmp
	mv $(LOCK).tmp $(LOCK)
	rm -rf $(VENV)-lock

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
