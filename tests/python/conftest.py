"""Fixtures: a real Postgres (the project's local cluster, or the server PG* point at).

Nothing about the database is mocked. When the server binaries are missing the
tests fail with the setup message: integration tests are never skipped silently.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import psycopg
import pytest

from sparkify.db import create_database, drop_database, ensure_database
from sparkify.errors import SparkifyError
from sparkify.pgbinaries import find_server_binaries
from sparkify.settings import ConnectionSettings, connection_settings

REPO_ROOT = Path(__file__).resolve().parents[2]
# The course dataset lives beside the repository, never in it.
REAL_DATA = Path(
    os.environ.get("SPARKIFY_REAL_DATA", REPO_ROOT.parent / "shared" / "data" / "sparkify")
)
# One database per test run, so two runs (or a run and `make run`) never collide.
TEST_DATABASE = f"sparkify_pytest_{os.getpid()}"


def pytest_report_header(config: pytest.Config) -> str:
    """One line: which server the tests use and, for the local cluster, which binaries."""
    settings = connection_settings(cwd=REPO_ROOT)
    if settings.local is None:
        return f"postgres: the server at {settings.host}:{settings.port} (PG* variables)"
    try:
        binaries = find_server_binaries(settings.local.bindir).describe()
    except SparkifyError as exc:
        binaries = f"none ({exc})"
    where = f"{settings.host}:{settings.port}"
    return f"postgres: the local cluster on {where}, server binaries: {binaries}"


@pytest.fixture(scope="session")
def pg_settings() -> Iterator[ConnectionSettings]:
    """Settings for a database of the test run's own, on a server that is up."""
    server = connection_settings(cwd=REPO_ROOT)
    try:
        ensure_database(server)
        drop_database(server, TEST_DATABASE)
    except SparkifyError as exc:
        pytest.fail(f"cannot set up Postgres for the tests: {exc}", pytrace=False)
    settings = replace(server, database=TEST_DATABASE)
    create_database(settings)
    yield settings
    drop_database(server, TEST_DATABASE)


@pytest.fixture
def schema(pg_settings: ConnectionSettings) -> Iterator[str]:
    """A raw schema of the test's own, dropped afterwards."""
    name = f"raw_{uuid.uuid4().hex[:10]}"
    yield name
    with psycopg.connect(pg_settings.conninfo(), autocommit=True) as conn:
        conn.execute(f'drop schema if exists "{name}" cascade')


@pytest.fixture
def db(pg_settings: ConnectionSettings) -> Iterator[psycopg.Connection]:
    with psycopg.connect(pg_settings.conninfo(), autocommit=True) as conn:
        yield conn


@pytest.fixture(scope="session")
def real_data() -> Path:
    if not (REAL_DATA / "log_data").is_dir():
        pytest.fail(
            f"the real dataset is missing: expected it at {REAL_DATA} "
            "(set SPARKIFY_REAL_DATA to its folder)",
            pytrace=False,
        )
    return REAL_DATA


def run_script(
    script: str, *args: str, settings: ConnectionSettings | None = None, **env: str
) -> subprocess.CompletedProcess:
    """Run one of scripts/ as a user would, with the test database's settings."""
    environment = settings.env() if settings else dict(os.environ)
    environment.update(env)
    return subprocess.run(
        [sys.executable, str(REPO_ROOT / "scripts" / script), *args],
        capture_output=True,
        text=True,
        env=environment,
        cwd=REPO_ROOT,
        timeout=600,
    )


def dbt_env(settings: ConnectionSettings, work: Path) -> dict[str, str]:
    """Environment for dbt on the given database, with its own target and log folders."""
    env = settings.env()
    env.update(
        DBT_PROFILES_DIR=str(REPO_ROOT),
        DBT_TARGET_PATH=str(work / "target"),
        DBT_LOG_PATH=str(work / "logs"),
        DBT_SEND_ANONYMOUS_USAGE_STATS="false",
    )
    return env


def run_dbt(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    dbt = Path(sys.executable).with_name("dbt")
    result = subprocess.run(
        [str(dbt), *args], capture_output=True, text=True, env=env, cwd=REPO_ROOT, timeout=1200
    )
    if result.returncode != 0:
        pytest.fail(f"dbt {' '.join(args)} failed:\n{result.stdout[-4000:]}", pytrace=False)
    return result


@pytest.fixture(scope="session")
def warehouse(
    pg_settings: ConnectionSettings, real_data: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[ConnectionSettings, dict[str, str]]]:
    """The real dataset loaded and built by dbt, in a database of its own."""
    settings = replace(pg_settings, database=f"{pg_settings.database}_dbt")
    drop_database(pg_settings, settings.database)
    create_database(settings)
    env = dbt_env(settings, tmp_path_factory.mktemp("dbt"))
    if not (REPO_ROOT / "profiles.yml").exists():
        shutil.copy(REPO_ROOT / "profiles.yml.example", REPO_ROOT / "profiles.yml")
    loaded = run_script("load_raw.py", "--data-dir", str(real_data), settings=settings)
    assert loaded.returncode == 0, loaded.stderr
    run_dbt(env, "build")
    yield settings, env
    drop_database(pg_settings, settings.database)
