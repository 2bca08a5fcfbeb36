"""Reading the marts: one connection, the marts' schema, numerics as floats.

The report only reads: every figure it shows is a column of a mart (see the dbt exposure
`sparkify_report`), and its queries only pick, order and limit rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import plotly.graph_objects as go
import psycopg
from psycopg import sql
from psycopg.rows import dict_row

from sparkify.errors import MartsMissing

Row = dict[str, Any]

# The marts the report reads, in the order of the row counts its header shows; the same
# list as the exposure's depends_on.
MARTS = (
    "listening_summary",
    "listening_by_census_region",
    "listening_by_state",
    "listening_by_browser",
    "listening_by_operating_system",
    "listening_by_device_class",
    "listening_by_song",
    "listening_by_artist",
    "listening_by_artist_and_week",
    "listening_by_week",
    "user_churn_risk",
    "churn_risk_by_reason",
    "listening_by_level",
    "level_changes",
    "listening_by_hour_of_day",
    "listening_by_weekday",
    "listening_by_day",
    "listening_by_month",
)


class Query:
    """Runs the report's queries on one connection, against the marts' schema."""

    def __init__(self, conn: psycopg.Connection, schema: str) -> None:
        self.conn = conn
        self.schema = schema

    def rows(self, query: str, *tables: str, params: Sequence[Any] = ()) -> list[Row]:
        """Rows of `query`, whose {} placeholders take the given marts; numerics as floats."""
        statement = sql.SQL(query).format(*(sql.Identifier(self.schema, name) for name in tables))
        with self.conn.cursor(row_factory=dict_row) as cursor:
            cursor.execute(statement, params)
            return [
                {
                    key: float(value) if isinstance(value, Decimal) else value
                    for key, value in row.items()
                }
                for row in cursor.fetchall()
            ]

    def some(self, query: str, *tables: str, params: Sequence[Any] = ()) -> list[Row]:
        """Like rows(), but an empty answer means the marts are not built."""
        found = self.rows(query, *tables, params=params)
        if not found:
            raise MartsMissing(f"{tables[0]} in schema {self.schema!r} is empty; run `make build`")
        return found

    def one(self, query: str, *tables: str, params: Sequence[Any] = ()) -> Row:
        """The first row of `query`, which must have one."""
        return self.some(query, *tables, params=params)[0]

    def summary(self) -> Row:
        """The one row of listening_summary: the data as a whole."""
        return self.one("select * from {}", "listening_summary")


@dataclass(frozen=True)
class Section:
    """One question of the report: its chart and the two lines that read it."""

    number: int
    question: str
    marts: tuple[str, ...]
    figure: go.Figure
    reading: tuple[str, str]
