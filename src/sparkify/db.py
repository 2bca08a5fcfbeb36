"""The warehouse connection: connect, say why a connection failed, create and drop databases.

Every command connects through here, so a server that is down or a database that is
missing always reads as the same one line with what to do next.
"""

from __future__ import annotations

import time

import psycopg
from psycopg import sql

from sparkify import localpg
from sparkify.errors import DatabaseUnavailable
from sparkify.settings import ConnectionSettings

# The local cluster may still be starting when the first command connects.
_STARTING_UP_RETRIES = 3


def connect(
    settings: ConnectionSettings, database: str | None = None, autocommit: bool = False
) -> psycopg.Connection:
    """Connect, turning libpq's failures into one line that says what to do."""
    attempts = _STARTING_UP_RETRIES if settings.is_local_cluster else 1
    for attempt in range(1, attempts + 1):
        try:
            return psycopg.connect(settings.conninfo(database), autocommit=autocommit)
        except psycopg.OperationalError as exc:
            if attempt < attempts and "starting up" in str(exc):
                time.sleep(1)
                continue
            raise DatabaseUnavailable(describe_connection_error(settings, exc)) from None
    raise DatabaseUnavailable(f"cannot connect to Postgres at {settings.describe()}")


def first_line(exc: BaseException) -> str:
    """The first line of an error's message (psycopg adds DETAIL and HINT lines)."""
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def describe_connection_error(settings: ConnectionSettings, exc: Exception) -> str:
    """One line: where, what libpq said, and what to do about it."""
    reason = " ".join(str(exc).split()) or type(exc).__name__
    reason = reason.split(": ", 1)[-1] if reason.startswith("connection failed") else reason
    if "role" in reason and "does not exist" in reason:
        hint = (
            "set PGUSER to a role that exists on that server (the local cluster's is "
            "'sparkify'), or have its administrator create the role"
        )
    elif "does not exist" in reason:
        hint = "create it ('make db' creates PGDATABASE) or set PGDATABASE"
    elif settings.is_local_cluster:
        hint = "run 'make db' to start the project's local Postgres"
    else:
        hint = "check that the server is up and the PG* variables are right"
    return f"cannot connect to Postgres at {settings.describe()}: {reason}; {hint}"


def ensure_database(settings: ConnectionSettings) -> None:
    """Start the local cluster when the settings point at it, then create the database."""
    if settings.is_local_cluster:
        localpg.local_cluster(settings, create_account=True).ensure_running()
    create_database(settings)


def create_database(settings: ConnectionSettings, database: str | None = None) -> bool:
    """Create the database (settings.database by default) if missing; True when created."""
    name = database or settings.database
    with connect(settings, database="postgres", autocommit=True) as conn:
        exists = conn.execute("select 1 from pg_database where datname = %s", [name]).fetchone()
        if exists:
            return False
        conn.execute(sql.SQL("create database {}").format(sql.Identifier(name)))
        return True


def drop_database(settings: ConnectionSettings, database: str) -> None:
    """Drop the database if it exists, closing its sessions first."""
    with connect(settings, database="postgres", autocommit=True) as conn:
        conn.execute(
            sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(database))
        )


def recreate_database(settings: ConnectionSettings, database: str) -> ConnectionSettings:
    """An empty database of that name on the same server; returns settings that point at it."""
    drop_database(settings, database)
    create_database(settings, database)
    return settings.with_database(database)
