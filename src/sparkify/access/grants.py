"""The grants the pipeline makes on what it creates: the raw layer and the build ledger.

dbt grants the models' tables itself (the `grants` configs in dbt_project.yml); schemas
carry no dbt config, so build.py's publish grants USAGE on the published schemas (see
sparkify.publish.swap). The functions here skip a role that does not exist, so the
loader runs on a server without the project's roles; dbt's grants do not (its build
fails naming the role): run `pg.py roles` first.
"""

from __future__ import annotations

import psycopg
from psycopg import sql

from sparkify.settings import REPORTER, STEWARD, TRANSFORMER, role_name

# The raw layer: dbt reads the records and the ledger; the report reads the ledger (when
# the last load was); the data steward reads the rejected records' raw text, which
# nobody else but the loader may (it can hold anything: names, locations, garbage).
# The detailed reason is raw text too: it quotes up to 40 characters of the offending
# value (`firstName: expected string, got array ["..."]`); dbt reads its value-free
# form, reason_kind (sparkify.loader.records.reason_kind).
RAW_RECORDS = ("log_data", "song_data")
RAW_LEDGER = ("load_runs", "loaded_files", "ignored_files")
REJECTED = "rejected_records"
REJECTED_RAW_COLUMNS = ("raw_text", "raw_bytes", "reason")


def grant_raw_layer(conn: psycopg.Connection, schema: str) -> None:
    """Grant the raw layer's readers what each needs, in the caller's transaction."""
    readers = _existing(conn, TRANSFORMER, REPORTER, STEWARD)
    if not readers:
        return
    transformer, reporter, steward = (role_name(job) for job in (TRANSFORMER, REPORTER, STEWARD))
    _grant(conn, "grant usage on schema {} to {}", [sql.Identifier(schema)], readers)
    tables = sql.SQL(", ").join(sql.Identifier(schema, t) for t in (*RAW_RECORDS, *RAW_LEDGER))
    ledger = sql.SQL(", ").join(sql.Identifier(schema, t) for t in RAW_LEDGER)
    rejected = sql.Identifier(schema, REJECTED)
    _grant(conn, "grant select on {} to {}", [tables], _among(readers, transformer))
    _grant(conn, "grant select on {} to {}", [ledger], _among(readers, reporter))
    columns = conn.execute(
        "select attname from pg_attribute where attrelid = %s::regclass and attnum > 0 "
        "and not attisdropped and attname <> all(%s) order by attnum",
        [rejected.as_string(conn), list(REJECTED_RAW_COLUMNS)],
    ).fetchall()
    listed = sql.SQL(", ").join(sql.Identifier(name) for (name,) in columns)
    if transformer in readers:
        # Column by column: lineage and the value-free reason_kind, never the record's
        # text nor the detailed reason (which quotes the value).
        revoke = sql.SQL("revoke select on {} from {}")
        conn.execute(revoke.format(rejected, sql.Identifier(transformer)))
        _grant(conn, "grant select ({}) on {} to {}", [listed, rejected], [transformer])
    _grant(conn, "grant select on {} to {}", [rejected], _among(readers, steward))


def grant_ledger(conn: psycopg.Connection, schema: str, table: str) -> None:
    """The report reads the build ledger (which build it shows, and whether it is current)."""
    readers = _existing(conn, REPORTER)
    _grant(conn, "grant usage on schema {} to {}", [sql.Identifier(schema)], readers)
    _grant(conn, "grant select on {} to {}", [sql.Identifier(schema, table)], readers)


def grant_schema_usage(conn: psycopg.Connection, schema: str, roles: list[str]) -> None:
    """Let the roles (those that exist) look into the schema; its tables carry their grants."""
    readers = [role for role in roles if _role_exists(conn, role)]
    _grant(conn, "grant usage on schema {} to {}", [sql.Identifier(schema)], readers)


def revoke_schema_usage(conn: psycopg.Connection, schema: str, roles: list[str]) -> None:
    """Take the roles' (those that exist) look into the schema away."""
    readers = [role for role in roles if _role_exists(conn, role)]
    if readers:
        names = sql.SQL(", ").join(sql.Identifier(role) for role in readers)
        revoke = sql.SQL("revoke usage on schema {} from {}")
        conn.execute(revoke.format(sql.Identifier(schema), names))


def _grant(conn: psycopg.Connection, template: str, objects: list, roles: list[str]) -> None:
    if roles:
        names = sql.SQL(", ").join(sql.Identifier(role) for role in roles)
        conn.execute(sql.SQL(template).format(*objects, names))


def _among(readers: list[str], role: str) -> list[str]:
    return [role] if role in readers else []


def _existing(conn: psycopg.Connection, *jobs: str) -> list[str]:
    return [role_name(job) for job in jobs if _role_exists(conn, role_name(job))]


def _role_exists(conn: psycopg.Connection, role: str) -> bool:
    return conn.execute("select 1 from pg_roles where rolname = %s", [role]).fetchone() is not None
