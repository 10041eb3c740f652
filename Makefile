# Two commands matter: `make run` and `make test`. Both create .venv on first use.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: run test test-sqlite test-postgresql bench lint clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(PY) main.py

# The suite runs twice: on SQLite files, then on a throwaway PostgreSQL server
# (tests/pg_cluster.py) when PostgreSQL is installed (Debian's layout; PG_BIN=... to
# point elsewhere). REQUIRE_PG=1 (CI) makes a missing PostgreSQL an error.
PG_BIN ?= $(or $(lastword $(sort $(wildcard /usr/lib/postgresql/*/bin))),/usr/lib/postgresql/15/bin)
PYTEST := QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q -p no:cacheprovider

test: test-sqlite test-postgresql
	$(VENV)/bin/lint-imports --no-cache
	$(VENV)/bin/ruff check .

test-sqlite: $(STAMP)
	@echo "== the suite on SQLite =="
	$(PYTEST)

test-postgresql: $(STAMP)
	@if [ -x "$(PG_BIN)/initdb" ]; then \
		echo "== the suite on PostgreSQL ($(PG_BIN)) =="; \
		FLARESCOPE_TEST_DB=postgresql FLARESCOPE_PG_BIN="$(PG_BIN)" $(PYTEST); \
	else \
		echo "PostgreSQL not installed: skipped the PostgreSQL pass ($(PG_BIN)/initdb not found)"; \
		[ -z "$(REQUIRE_PG)" ]; \
	fi

bench: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) benchmarks/run_all.py

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports --no-cache

clean:
	rm -rf $(VENV) build *.egg-info
