"""Building the report: read every section from the marts, render the page, write it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import psycopg

from sparkify.db import connect
from sparkify.errors import DatabaseUnavailable, MartsMissing, ReportError
from sparkify.report import churn, geography, levels, listening_time, popularity, user_agents
from sparkify.report.marts import MARTS, Query, Section
from sparkify.report.page import Overview, Report, render
from sparkify.settings import ConnectionSettings

DEFAULT_SCHEMA = "marts"
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


def collect(settings: ConnectionSettings, schema: str = DEFAULT_SCHEMA) -> Report:
    """Query the marts and build every section."""
    try:
        with connect(settings) as conn:
            conn.read_only = True
            query = Query(conn, schema)
            summary = overview(query)
            sections = [build(query) for build in SECTIONS]
    except (psycopg.errors.UndefinedTable, psycopg.errors.UndefinedColumn) as exc:
        raise MartsMissing(
            f"the marts in {settings.describe()} (schema {schema!r}) are missing or out of date "
            f"({_first_line(exc)}); run `make build` first"
        ) from None
    except psycopg.OperationalError as exc:
        raise DatabaseUnavailable(
            f"lost the connection to Postgres at {settings.describe()} ({_first_line(exc)})"
        ) from None
    except psycopg.Error as exc:
        raise ReportError(f"querying the marts failed: {_first_line(exc)}") from None
    return Report(summary, sections, schema, datetime.now(UTC))


def write_report(
    settings: ConnectionSettings, out: Path = DEFAULT_OUTPUT, schema: str = DEFAULT_SCHEMA
) -> Report:
    """Query the marts and write the report to `out` (its directory is created)."""
    report = collect(settings, schema)
    page = render(report)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(page, encoding="utf-8")
    except OSError as exc:
        raise ReportError(f"cannot write the report to {out}: {exc.strerror or exc}") from None
    return report


def _first_line(exc: Exception) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]
