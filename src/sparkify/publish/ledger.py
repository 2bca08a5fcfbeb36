"""The `publish.builds` table: one row per build, whether it was published, and the load it
saw, so that the report can refuse marts that a failed build or a newer load has outdated.

The schema is neither dbt's (it survives every swap) nor the loader's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import psycopg
from psycopg import sql
from psycopg.rows import class_row

from sparkify.access.grants import grant_ledger
from sparkify.publish.dbt import BuildResult, describe_outcome

LEDGER_SCHEMA = "publish"

_CREATE = """
create schema if not exists {schema};
create table if not exists {schema}.builds (
    build_id bigint generated always as identity primary key,
    started_at timestamptz not null default clock_timestamp(),
    finished_at timestamptz,
    status text not null
        check (status in ('running', 'published', 'failed', 'interrupted')),
    loaded_through timestamptz,
    passed integer,
    warned integer,
    skipped integer,
    failures text[],
    dbt_args text not null
);
comment on table {schema}.builds is
    'One row per write-audit-publish build (scripts/build.py): running, published, failed '
    'or interrupted; loaded_through is the newest raw load the build read.';
"""


@dataclass(frozen=True)
class Build:
    """A row of publish.builds."""

    build_id: int
    started_at: datetime
    finished_at: datetime | None
    status: str
    loaded_through: datetime | None
    passed: int | None
    warned: int | None
    skipped: int | None
    failures: list[str] | None
    dbt_args: str

    def outcome(self) -> str:
        """'276 checks passed, 1 warned' (as the report's header says it)."""
        return describe_outcome(
            self.passed or 0, self.warned or 0, self.failures or (), noun="checks"
        )


def _ledger(query: str) -> sql.Composed:
    return sql.SQL(query).format(schema=sql.Identifier(LEDGER_SCHEMA))


def ensure_ledger(conn: psycopg.Connection) -> None:
    conn.execute(_ledger(_CREATE))
    grant_ledger(conn, LEDGER_SCHEMA, "builds")


def close_abandoned(conn: psycopg.Connection) -> int:
    """Builds still 'running' while the caller holds the build lock were killed outright."""
    cursor = conn.execute(
        _ledger("update {schema}.builds set status = 'interrupted' where status = 'running'")
    )
    return cursor.rowcount


def start(conn: psycopg.Connection, raw_schema: str, dbt_args: list[str]) -> Build:
    """A 'running' row, with the newest load the build is about to read."""
    loaded_through = newest_load(conn, raw_schema)
    with conn.cursor(row_factory=class_row(Build)) as cursor:
        cursor.execute(
            _ledger(
                "insert into {schema}.builds (status, loaded_through, dbt_args) "
                "values ('running', %s, %s) returning *"
            ),
            [loaded_through, " ".join(dbt_args)],
        )
        return cursor.fetchone()


def finish(conn: psycopg.Connection, build: Build, status: str, result: BuildResult | None) -> None:
    conn.execute(
        _ledger(
            "update {schema}.builds set status = %s, finished_at = clock_timestamp(), "
            "passed = %s, warned = %s, skipped = %s, failures = %s where build_id = %s"
        ),
        [
            status,
            result.passed if result else None,
            result.warned if result else None,
            result.skipped if result else None,
            list(result.failures) if result else None,
            build.build_id,
        ],
    )


def newest_load(conn: psycopg.Connection, raw_schema: str) -> datetime | None:
    """When the newest file version in the raw layer was loaded (null: nothing loaded)."""
    exists = conn.execute("select to_regclass(%s)", [f'"{raw_schema}".loaded_files']).fetchone()
    if exists[0] is None:
        return None
    query = sql.SQL("select max(loaded_at) from {}.loaded_files").format(sql.Identifier(raw_schema))
    return conn.execute(query).fetchone()[0]


def latest(conn: psycopg.Connection, status: str | None = None) -> Build | None:
    """The newest build (of that status); None when there is none or no ledger."""
    exists = conn.execute("select to_regclass(%s)", [f"{LEDGER_SCHEMA}.builds"]).fetchone()
    if exists[0] is None:
        return None
    where = sql.SQL("where status = {}").format(status) if status else sql.SQL("")
    query = sql.SQL("select * from {}.builds {} order by build_id desc limit 1").format(
        sql.Identifier(LEDGER_SCHEMA), where
    )
    with conn.cursor(row_factory=class_row(Build)) as cursor:
        return cursor.execute(query).fetchone()
