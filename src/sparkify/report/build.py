"""Building the report: read every section from the marts, render the page, write it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import psycopg
from psycopg import sql

from sparkify.db import connect, first_line
from sparkify.errors import DatabaseUnavailable, MartsMissing, ReportError, StaleMarts
from sparkify.publish import ledger
from sparkify.report import (
    churn,
    geography,
    levels,
    listening_time,
    popularity,
    quality,
    user_agents,
)
from sparkify.report.format import utc
from sparkify.report.marts import MARTS, Query, Section
from sparkify.report.page import Overview, Report, render
from sparkify.settings import ConnectionSettings

DEFAULT_SCHEMA = "marts"
DEFAULT_QUALITY_SCHEMA = "quality"
DEFAULT_RAW_SCHEMA = "raw"
DEFAULT_OUTPUT = Path("reports") / "sparkify_report.html"

# The questions, in the report's order.
SECTIONS: tuple[Callable[[Query], Section], ...] = (
    geography.section,
    user_agents.section,
    popularity.section,
    churn.section,
    levels.section,
    listening_time.section,
)


def overview(query: Query) -> Overview:
    summary = query.summary()
    if not summary["plays"]:
        raise MartsMissing("the marts hold no plays; load data and run `make build`")
    return Overview(
        first_play=summary["first_played_at"],
        last_play=summary["last_played_at"],
        days=summary["days_in_span"],
        plays=summary["plays"],
        users=summary["listeners"],
        row_counts={
            name: query.rows("select count(*) as n from {}", name)[0]["n"] for name in MARTS
        },
    )


def published_build(conn: psycopg.Connection, raw_schema: str) -> ledger.Build:
    """The build the marts come from; refused when a later build failed or a later load
    has not been built yet (the marts would not say what the raw layer holds)."""
    published = ledger.latest(conn, "published")
    if published is None:
        raise MartsMissing(
            "no published build is recorded (publish.builds): build the marts with "
            "`make build` (scripts/build.py), not a plain `dbt build`"
        )
    failed = ledger.latest(conn, "failed")
    if failed is not None and failed.build_id > published.build_id:
        what = f" ({', '.join(failed.failures)})" if failed.failures else ""
        raise StaleMarts(
            f"build {failed.build_id} (started {utc(failed.started_at)}) failed{what}, after "
            f"build {published.build_id}, whose marts these are; fix it and run `make build`"
        )
    newest = ledger.newest_load(conn, raw_schema)
    built_through = published.loaded_through
    if newest is not None and (built_through is None or newest > built_through):
        raise StaleMarts(
            f"the marts (build {published.build_id}, published {utc(published.finished_at)}) "
            f"are older than the last load ({utc(newest)}); run `make build`"
        )
    return published


def lock_marts(conn: psycopg.Connection, tables: list[tuple[str, str]]) -> None:
    """Share-lock every mart the report reads before its first query, so that a publish
    (which swaps the schemas under an exclusive lock) happens wholly before or after."""
    # In the publish's order (byte order of "schema.name"), so the two never deadlock.
    ordered = sorted(tables, key=lambda table: f"{table[0]}.{table[1]}".encode())
    names = sql.SQL(", ").join(sql.Identifier(schema, name) for schema, name in ordered)
    conn.execute(sql.SQL("lock table {} in access share mode").format(names))


def collect(
    settings: ConnectionSettings,
    schema: str = DEFAULT_SCHEMA,
    quality_schema: str = DEFAULT_QUALITY_SCHEMA,
    raw_schema: str = DEFAULT_RAW_SCHEMA,
) -> Report:
    """Query the marts and build every section, in one snapshot of a published build."""
    try:
        with connect(settings) as conn:
            conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
            conn.read_only = True
            lock_marts(
                conn,
                [(schema, name) for name in MARTS]
                + [(quality_schema, name) for name in quality.QUALITY_MARTS],
            )
            build = published_build(conn, raw_schema)
            query = Query(conn, schema)
            summary = overview(query)
            sections = [make(query) for make in SECTIONS]
            sections.append(quality.section(Query(conn, quality_schema), build))
    except (
        psycopg.errors.UndefinedTable,
        psycopg.errors.UndefinedColumn,
        psycopg.errors.InvalidSchemaName,
    ) as exc:
        raise MartsMissing(
            f"the marts in {settings.describe()} (schema {schema!r}) are missing or out of date "
            f"({first_line(exc)}); run `make build` first"
        ) from None
    except psycopg.OperationalError as exc:
        raise DatabaseUnavailable(
            f"lost the connection to Postgres at {settings.describe()} ({first_line(exc)})"
        ) from None
    except psycopg.Error as exc:
        raise ReportError(f"querying the marts failed: {first_line(exc)}") from None
    return Report(summary, sections, schema, datetime.now(UTC), build)


def write_report(
    settings: ConnectionSettings,
    out: Path = DEFAULT_OUTPUT,
    schema: str = DEFAULT_SCHEMA,
    quality_schema: str = DEFAULT_QUALITY_SCHEMA,
    raw_schema: str = DEFAULT_RAW_SCHEMA,
) -> Report:
    """Query the marts and write the report to `out` (its directory is created)."""
    report = collect(settings, schema, quality_schema, raw_schema)
    page = render(report)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(page, encoding="utf-8")
    except OSError as exc:
        raise ReportError(f"cannot write the report to {out}: {exc.strerror or exc}") from None
    return report
