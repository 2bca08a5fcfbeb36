"""The roles, one per job, and what each may do; creating them and opening a database to them.

- sparkify_loader (load_raw.py): owns and writes the raw schema, which is made for it;
  it may create no other schema (so it cannot take a name dbt will use).
- sparkify_transformer (dbt, build.py): reads the raw layer (not the rejected records'
  raw text); owns staging, intermediate, marts, quality, restricted, the build ledger.
- sparkify_reporter (build_report.py): what the analyst reads, plus the data-quality
  summaries, the build ledger and the raw layer's lineage (when the last load was).
- sparkify_analyst: reads the published marts (schema marts).
- sparkify_steward: reads the rejected records' raw text, the quarantined rows and users'
  names (schema restricted).

None of them is a superuser or may create roles or databases, and each searches only
`public` (where nobody but the database's owner may create anything): no role can put a
function where another role's unqualified call would find it. The grants on tables are
made by whoever creates them (sparkify.access.grants, dbt's `grants` configs); this module
creates the roles and gives them the database-level privileges that no object carries.
Passwords are generated here, stored in the pgpass file, and sent to the server as SCRAM
verifiers: the server never sees them in clear.
"""

from __future__ import annotations

import psycopg
from psycopg import sql

from sparkify.access.passfile import PassFile, new_password
from sparkify.errors import SetupError
from sparkify.settings import ANALYST, LOADER, REPORTER, STEWARD, TRANSFORMER, role_name

# The jobs that log in, and what each does (printed by `pg.py roles`).
JOBS = {
    LOADER: "loads the raw layer (load_raw.py)",
    TRANSFORMER: "builds and publishes the warehouse (dbt, build.py)",
    REPORTER: "writes the HTML report (build_report.py)",
    ANALYST: "reads the published marts",
    STEWARD: "reads rejected raw records, quarantined rows and users' names",
}
# The loader's schema, made for it by whoever opens the database (prepare_schemas).
RAW_SCHEMA = "raw"
# Role attributes none of the job roles may have.
POWERS = ("rolsuper", "rolcreaterole", "rolcreatedb", "rolreplication", "rolbypassrls")


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
        powers = conn.execute(
            sql.SQL("select {} from pg_roles where rolname = %s").format(
                sql.SQL(", ").join(sql.Identifier(power) for power in POWERS)
            ),
            [role],
        ).fetchone()
        if powers is None:
            # Explicitly without any power (the defaults, said for the reader).
            conn.execute(
                sql.SQL(
                    "create role {} with login nosuperuser nocreatedb nocreaterole "
                    "noreplication nobypassrls password {}"
                ).format(sql.Identifier(role), sql.Literal(verifier))
            )
            created.append(role)
        elif any(powers):
            raise SetupError(
                f"the role {role} exists with powers no job needs (superuser, createrole, "
                f"createdb, replication or bypassrls): have a superuser run 'alter role {role} "
                "nosuperuser nocreaterole nocreatedb noreplication nobypassrls' and rerun"
            )
        else:
            # Only what a DBA with CREATEROLE may change (not the powers, already none).
            conn.execute(
                sql.SQL("alter role {} with login password {}").format(
                    sql.Identifier(role), sql.Literal(verifier)
                )
            )
        conn.execute(sql.SQL("alter role {} set search_path = public").format(sql.Identifier(role)))
    # The report reads what the analyst reads, and a little more.
    conn.execute(
        sql.SQL("grant {} to {}").format(
            sql.Identifier(role_name(ANALYST)), sql.Identifier(role_name(REPORTER))
        )
    )
    return created


def open_database(conn: psycopg.Connection, database: str) -> None:
    """Let the roles connect to the database (and only them: PUBLIC loses its default
    CONNECT and TEMPORARY), and let dbt create its schemas in it (only dbt: a loader that
    could would be able to take a schema name before dbt does, and own what dbt puts
    there)."""
    name = sql.Identifier(database)
    roles = sql.SQL(", ").join(sql.Identifier(role_name(job)) for job in JOBS)
    loader, transformer = sql.Identifier(role_name(LOADER)), sql.Identifier(role_name(TRANSFORMER))
    conn.execute(sql.SQL("revoke all on database {} from public").format(name))
    conn.execute(sql.SQL("grant connect on database {} to {}").format(name, roles))
    conn.execute(sql.SQL("grant create, temporary on database {} to {}").format(name, transformer))
    conn.execute(sql.SQL("grant temporary on database {} to {}").format(name, loader))
    conn.execute(sql.SQL("revoke create on database {} from {}").format(name, loader))


def prepare_schemas(conn: psycopg.Connection) -> None:
    """In the connection's database: nobody but its owner creates anything in `public`
    (Postgres 15's default, not older servers'), and the raw schema exists, the loader's."""
    conn.execute("revoke create on schema public from public")
    conn.execute(
        sql.SQL("create schema if not exists {} authorization {}").format(
            sql.Identifier(RAW_SCHEMA), sql.Identifier(role_name(LOADER))
        )
    )


def hand_over_legacy_objects(conn: psycopg.Connection, legacy_user: str) -> None:
    """In the connection's database: what a cluster's old superuser (before roles) built
    goes to the role that builds it now: raw layers (schemas with a loaded_files table) to
    the loader, everything else to dbt's role."""
    if conn.execute("select 1 from pg_roles where rolname = %s", [legacy_user]).fetchone() is None:
        return
    # In one transaction, so that a failure leaves nothing half handed over.
    with conn.transaction():
        # The database itself goes to the superuser running this: its owner may create in
        # `public`, which no job role may.
        conn.execute(
            sql.SQL("alter database {} owner to current_user").format(
                sql.Identifier(conn.info.dbname)
            )
        )
        loader = sql.Identifier(role_name(LOADER))
        raw_layers = conn.execute(
            "select n.nspname from pg_namespace n join pg_roles r on r.oid = n.nspowner "
            "where r.rolname = %s "
            "and to_regclass(format('%%I.loaded_files', n.nspname)) is not null",
            [legacy_user],
        ).fetchall()
        for (schema,) in raw_layers:
            tables = conn.execute(
                "select format('%%I.%%I', schemaname, tablename) from pg_tables "
                "where schemaname = %s",
                [schema],
            ).fetchall()
            conn.execute(
                sql.SQL("alter schema {} owner to {}").format(sql.Identifier(schema), loader)
            )
            for (table,) in tables:
                conn.execute(sql.SQL("alter table {} owner to {}").format(sql.SQL(table), loader))
        # The rest, object by object, not `reassign owned by`, which fails when the old
        # superuser is the cluster's bootstrap user (it owns the system catalogs); what an
        # extension installed stays with it.
        transformer = sql.Identifier(role_name(TRANSFORMER))
        for (schema,) in conn.execute(
            "select quote_ident(n.nspname) from pg_namespace n "
            "join pg_roles r on r.oid = n.nspowner "
            f"where r.rolname = %s and n.nspname <> 'public' and {_NOT_A_SYSTEM_SCHEMA} "
            f"and {_NOT_FROM_AN_EXTENSION.format(catalog='pg_namespace', oid='n.oid')}",
            [legacy_user],
        ).fetchall():
            conn.execute(
                sql.SQL("alter schema {} owner to {}").format(sql.SQL(schema), transformer)
            )
        # Tables (their sequences, indexes and types follow), views, materialized views,
        # foreign tables, and sequences of their own.
        for kind, relation in conn.execute(
            "select case c.relkind when 'v' then 'view' when 'm' then 'materialized view' "
            "when 'f' then 'foreign table' when 'S' then 'sequence' else 'table' end, "
            "format('%%I.%%I', n.nspname, c.relname) "
            "from pg_class c join pg_namespace n on n.oid = c.relnamespace "
            "join pg_roles r on r.oid = c.relowner "
            "where r.rolname = %s and c.relkind in ('r', 'p', 'v', 'm', 'f', 'S') "
            f"and {_NOT_A_SYSTEM_SCHEMA} "
            f"and {_NOT_FROM_AN_EXTENSION.format(catalog='pg_class', oid='c.oid')} "
            # a serial or identity column's sequence follows its table
            "and not (c.relkind = 'S' and exists (select 1 from pg_depend d "
            "where d.classid = 'pg_class'::regclass and d.objid = c.oid "
            "and d.deptype in ('a', 'i')))",
            [legacy_user],
        ).fetchall():
            conn.execute(
                sql.SQL("alter {} {} owner to {}").format(
                    sql.SQL(kind), sql.SQL(relation), transformer
                )
            )


_NOT_A_SYSTEM_SCHEMA = "n.nspname <> 'information_schema' and n.nspname not like 'pg\\_%%'"
_NOT_FROM_AN_EXTENSION = (
    "not exists (select 1 from pg_depend e where e.classid = '{catalog}'::regclass "
    "and e.objid = {oid} and e.deptype = 'e')"
)


def roles_exist(conn: psycopg.Connection) -> bool:
    """Whether this server has the project's roles (`pg.py roles` was run)."""
    names = [role_name(job) for job in JOBS]
    found = conn.execute("select count(*) from pg_roles where rolname = any(%s)", [names])
    return found.fetchone()[0] == len(names)
