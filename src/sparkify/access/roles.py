"""The roles, one per job, and what each may do; creating them and opening a database to them.

- sparkify_loader (load_raw.py): creates schemas in the database, writes its raw layer.
- sparkify_transformer (dbt, build.py): reads the raw layer (not the rejected records'
  raw text); owns staging, intermediate, marts, quality, restricted, the build ledger.
- sparkify_reporter (build_report.py): what the analyst reads, plus the data-quality
  summaries, the build ledger and the raw layer's lineage (when the last load was).
- sparkify_analyst: reads the published marts (schema marts).
- sparkify_steward: reads the rejected records' raw text, the quarantined rows and users'
  names (schema restricted).

None of them is a superuser or may create roles or databases. The grants on tables are
made by whoever creates them (sparkify.access.grants, dbt's `grants` configs); this module
creates the roles and gives them the database-level privileges that no object carries.
Passwords are generated here, stored in the pgpass file, and sent to the server as SCRAM
verifiers: the server never sees them in clear.
"""

from __future__ import annotations

import psycopg
from psycopg import sql

from sparkify.access.passfile import PassFile, new_password
from sparkify.settings import ANALYST, LOADER, REPORTER, STEWARD, TRANSFORMER, role_name

# The jobs that log in, and what each does (printed by `pg.py roles`).
JOBS = {
    LOADER: "loads the raw layer (load_raw.py)",
    TRANSFORMER: "builds and publishes the warehouse (dbt, build.py)",
    REPORTER: "writes the HTML report (build_report.py)",
    ANALYST: "reads the published marts",
    STEWARD: "reads rejected raw records, quarantined rows and users' names",
}
# Roles that create schemas (and temporary tables) in the database.
CREATORS = (LOADER, TRANSFORMER)


def ensure_roles(conn: psycopg.Connection, passfile: PassFile) -> list[str]:
    """Create every job's role, or bring it back to what it should be; return those created.

    A role's password is the one the pgpass file holds for it, or a new one (stored there
    first), so running this again changes nothing and a lost password is replaced.
    """
    created = []
    for job in JOBS:
        role = role_name(job)
        password = passfile.password(role)
        if password is None:
            password = new_password()
            passfile.store(role, password)
        verifier = conn.pgconn.encrypt_password(
            password.encode(), role.encode(), b"scram-sha-256"
        ).decode()
        exists = conn.execute("select 1 from pg_roles where rolname = %s", [role]).fetchone()
        verb = "alter" if exists else "create"
        conn.execute(
            sql.SQL(
                "{} role {} with login nosuperuser nocreatedb nocreaterole noreplication "
                "nobypassrls password {}"
            ).format(sql.SQL(verb), sql.Identifier(role), sql.Literal(verifier))
        )
        if not exists:
            created.append(role)
    # The report reads what the analyst reads, and a little more.
    conn.execute(
        sql.SQL("grant {} to {}").format(
            sql.Identifier(role_name(ANALYST)), sql.Identifier(role_name(REPORTER))
        )
    )
    return created


def open_database(conn: psycopg.Connection, database: str) -> None:
    """Let the roles connect to the database (and only them: PUBLIC loses its default
    CONNECT and TEMPORARY), and let the loader and dbt create their schemas in it."""
    name = sql.Identifier(database)
    roles = sql.SQL(", ").join(sql.Identifier(role_name(job)) for job in JOBS)
    creators = sql.SQL(", ").join(sql.Identifier(role_name(job)) for job in CREATORS)
    conn.execute(sql.SQL("revoke all on database {} from public").format(name))
    conn.execute(sql.SQL("grant connect on database {} to {}").format(name, roles))
    conn.execute(sql.SQL("grant create, temporary on database {} to {}").format(name, creators))


def roles_exist(conn: psycopg.Connection) -> bool:
    """Whether this server has the project's roles (`pg.py roles` was run)."""
    names = [role_name(job) for job in JOBS]
    found = conn.execute("select count(*) from pg_roles where rolname = any(%s)", [names])
    return found.fetchone()[0] == len(names)
