"""The raw landing schema: its tables, created (idempotently) at the start of every run."""

from __future__ import annotations

from importlib import resources

import psycopg
from psycopg import sql

from sparkify.access.grants import grant_raw_layer


def create_raw_schema(conn: psycopg.Connection, schema: str) -> None:
    """Create the raw schema and its tables (raw_schema.sql) if missing, readable by
    those who need each (sparkify.access.grants)."""
    ddl = resources.files(__package__).joinpath("raw_schema.sql").read_text(encoding="utf-8")
    quoted = sql.Identifier(schema).as_string(conn)
    with conn.transaction():
        # Two loaders starting on an empty database must not race on CREATE.
        conn.execute("select pg_advisory_xact_lock(hashtext('sparkify.raw_schema'))")
        conn.execute(ddl.replace("{schema}", quoted))
        grant_raw_layer(conn, schema)
