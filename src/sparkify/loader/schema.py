"""The raw landing schema: its tables, created (idempotently) at the start of every run."""

from __future__ import annotations

from importlib import resources

import psycopg
from psycopg import sql

from sparkify.access.grants import grant_raw_layer
from sparkify.errors import LoadError
from sparkify.loader.records import reason_kind


def create_raw_schema(conn: psycopg.Connection, schema: str) -> None:
    """Create the raw schema and its tables (raw_schema.sql) if missing, bring tables of
    an older loader up to date, and make them readable by those who need each
    (sparkify.access.grants)."""
    ddl = resources.files(__package__).joinpath("raw_schema.sql").read_text(encoding="utf-8")
    quoted = sql.Identifier(schema).as_string(conn)
    with conn.transaction():
        # Two loaders starting on an empty database must not race on CREATE.
        conn.execute("select pg_advisory_xact_lock(hashtext('sparkify.raw_schema'))")
        # Made for the loader when its database is opened (access.roles.prepare_schemas);
        # another one only by a role that may (CREATE SCHEMA IF NOT EXISTS would need
        # that right even when the schema exists).
        missing = conn.execute("select to_regnamespace(%s) is null", [quoted]).fetchone()
        if missing and missing[0]:
            _create_schema(conn, schema)
        conn.execute(ddl.replace("{schema}", quoted))
        add_reason_kinds(conn, schema)
        grant_raw_layer(conn, schema)


def _create_schema(conn: psycopg.Connection, schema: str) -> None:
    try:
        conn.execute(sql.SQL("create schema {}").format(sql.Identifier(schema)))
    except psycopg.errors.InsufficientPrivilege:
        user = conn.info.user
        raise LoadError(
            f"the schema {schema} does not exist and {user} may not create it: have the "
            f"database's owner run 'create schema {schema} authorization {user}' (the "
            "schema raw is made for the loader when the database is opened)"
        ) from None


def add_reason_kinds(conn: psycopg.Connection, schema: str) -> None:
    """A rejected_records table made before reason_kind: add the column, fill it from each
    row's reason (records.reason_kind: the one definition, which SQL cannot repeat) and
    make it not null, in the caller's transaction.

    Only when the column is missing or nullable: ALTER TABLE locks out the table's
    readers (dbt, the steward) even when it has nothing to do, so it is not run on every
    load as raw_schema.sql's idempotent statements are.
    """
    table = sql.Identifier(schema, "rejected_records")
    column = conn.execute(
        "select attnotnull from pg_attribute where attrelid = %s::regclass "
        "and attname = 'reason_kind' and not attisdropped",
        [table.as_string(conn)],
    ).fetchone()
    if column is not None and column[0]:
        return
    if column is None:
        conn.execute(sql.SQL("alter table {} add column reason_kind text").format(table))
    reasons = [
        reason
        for (reason,) in conn.execute(
            sql.SQL("select distinct reason from {} where reason_kind is null").format(table)
        )
    ]
    if reasons:
        conn.execute(
            sql.SQL(
                "update {} as rejected set reason_kind = kinds.kind "
                "from unnest(%s::text[], %s::text[]) as kinds (reason, kind) "
                "where rejected.reason_kind is null and rejected.reason = kinds.reason"
            ).format(table),
            [reasons, [reason_kind(reason) for reason in reasons]],
        )
    conn.execute(sql.SQL("alter table {} alter column reason_kind set not null").format(table))
