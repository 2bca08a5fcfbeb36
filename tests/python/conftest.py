"""Fixtures: a real Postgres (the project's local cluster, or the server PG* point at).

Nothing about the database is mocked. When the server binaries are missing the
tests fail with the setup message: integration tests are never skipped silently.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import psycopg
import pytest

from sparkify import localpg
from sparkify.errors import SparkifyError
from sparkify.settings import ConnectionSettings, connection_settings

REPO_ROOT = Path(__file__).resolve().parents[2]
REAL_DATA = REPO_ROOT.parent / "shared" / "data" / "sparkify"
TEST_DATABASE = "sparkify_pytest"


@pytest.fixture(scope="session")
def pg_settings() -> Iterator[ConnectionSettings]:
    """Settings for a database of the test run's own, on a server that is up."""
    server = connection_settings()
    try:
        localpg.ensure_database(server)
        localpg.drop_database(server, TEST_DATABASE)
    except SparkifyError as exc:
        pytest.fail(f"cannot set up Postgres for the tests: {exc}", pytrace=False)
    settings = replace(server, database=TEST_DATABASE)
    localpg.create_database_if_missing(settings)
    yield settings
    localpg.drop_database(server, TEST_DATABASE)


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
        pytest.fail(f"the real dataset is missing: expected it at {REAL_DATA}", pytrace=False)
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
