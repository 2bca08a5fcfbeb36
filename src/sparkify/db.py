"""The warehouse connection: connect, say why a connection failed, create and drop databases.

Every command connects through here, so a server that is down or a database that is
missing always reads as the same one line with what to do next.
"""

from __future__ import annotations

import time
from dataclasses import replace

import psycopg
from psycopg import sql

from sparkify import localpg
from sparkify.access import roles
from sparkify.access.passfile import PassFile, new_password
from sparkify.errors import ConnectionLimitReached, DatabaseUnavailable, SetupError
from sparkify.settings import LEGACY_ADMIN_USER, LOADER, ConnectionSettings

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
            message = describe_connection_error(settings, exc)
            if _no_connection_left(str(exc)):
                raise ConnectionLimitReached(message, _server_words(exc)) from None
            raise DatabaseUnavailable(message) from None
    raise DatabaseUnavailable(f"cannot connect to Postgres at {settings.describe()}")


# What libpq says when the server has no connection left (SQLSTATE 53300, which a failed
# connection does not expose).
_NO_CONNECTION_LEFT = ("too many connections", "too many clients", "connection slots are reserved")


def _no_connection_left(said: str) -> bool:
    return any(words in said for words in _NO_CONNECTION_LEFT)


def _server_words(exc: psycopg.OperationalError) -> str:
    """What the server said, without libpq's "connection to server at ... failed:"."""
    said = " ".join(first_line(exc).split()).rsplit(" failed: ", 1)[-1]
    return said.removeprefix("FATAL: ")


def first_line(exc: BaseException) -> str:
    """The first line of an error's message (psycopg adds DETAIL and HINT lines)."""
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def describe_connection_error(settings: ConnectionSettings, exc: Exception) -> str:
    """One line: where, what libpq said, and what to do about it."""
    reason = " ".join(str(exc).split()) or type(exc).__name__
    reason = reason.split(": ", 1)[-1] if reason.startswith("connection failed") else reason
    if "role" in reason and "does not exist" in reason:
        hint = (
            "set PGUSER to a role that exists on that server, or create the project's "
            "roles ('make db' on the local cluster; 'python scripts/pg.py roles' elsewhere)"
        )
    elif "password" in reason:
        hint = (
            f"check PGUSER; a role's password comes from PGPASSWORD or the pgpass file "
            f"({settings.passfile or '~/.pgpass'}), which 'make db' writes for the local "
            "cluster's roles"
        )
    elif "does not exist" in reason and settings.is_local_cluster:
        hint = "create it ('make db' creates PGDATABASE) or set PGDATABASE"
    elif "does not exist" in reason:
        hint = (
            "have the server's DBA create it with the project's roles "
            "('PGUSER=<dba> python scripts/pg.py roles'), or set PGDATABASE"
        )
    elif _no_connection_left(reason):
        hint = (
            "the server has no connection left for this role (max_connections, or the "
            "role's CONNECTION LIMIT): wait for other sessions to end, or raise the limit"
        )
    elif settings.is_local_cluster:
        hint = "run 'make db' to start the project's local Postgres"
    else:
        hint = "check that the server is up and the PG* variables are right"
    return f"cannot connect to Postgres at {settings.describe()}: {reason}; {hint}"


def ensure_database(settings: ConnectionSettings) -> None:
    """Start the local cluster when the settings point at it (with its roles and their
    passwords), then create the database. Elsewhere the database is created only by a
    PGUSER that was named (the DBA's); otherwise it must exist, which the loader's role
    checks (nothing in the pipeline needs more)."""
    if settings.is_local_cluster:
        ensure_local_cluster(settings)
    elif not settings.user_chosen:
        connect(settings.for_job(LOADER)).close()
        return
    create_database(settings)


def ensure_local_cluster(settings: ConnectionSettings) -> None:
    """Initialise and start the local cluster, require passwords, create the job roles."""
    admin = settings.as_admin()
    admin_passfile = PassFile(admin.password_file, settings.host, settings.port)
    cluster = localpg.local_cluster(settings, create_account=True)
    passfile = PassFile(settings.passfile, settings.host, settings.port)
    password = admin_passfile.password(admin.user)
    if password is None and passfile.password(admin.user):
        # Kept with the jobs' passwords by an earlier version: moved out of their file.
        password = passfile.password(admin.user)
        admin_passfile.store(admin.user, password)
        passfile.remove(admin.user)
    if password is None and not cluster.is_initialised():
        password = new_password()
        admin_passfile.store(admin.user, password)  # kept before initdb uses it
    cluster.ensure_running(admin.user, password or "")
    if cluster.trusts():
        _require_passwords(cluster, admin, admin_passfile)
    elif password is None:
        raise SetupError(
            f"the local cluster's superuser password is not in {admin.password_file}: "
            "restore that file, or delete the cluster and its data with 'make clean'"
        )
    with connect(admin, database="postgres", autocommit=True) as conn:
        created = roles.ensure_roles(conn, passfile)
    if created:
        print(f"  created the roles {', '.join(created)} (passwords in {settings.passfile})")


def _require_passwords(
    cluster: localpg.LocalCluster, admin: ConnectionSettings, passfile: PassFile
) -> None:
    """A cluster from before passwords trusts loopback: give its superuser a password
    (while trust still lets us in), then require passwords of everyone."""
    print("  the local cluster trusts every connection: requiring passwords from now on")
    password = passfile.password(admin.user) or new_password()
    passfile.store(admin.user, password)
    for user in (admin.user, LEGACY_ADMIN_USER):
        try:
            conn = connect(replace(admin, user=user), database="postgres", autocommit=True)
        except DatabaseUnavailable:
            continue
        with conn:
            verifier = conn.pgconn.encrypt_password(
                password.encode(), admin.user.encode(), b"scram-sha-256"
            ).decode()
            exists = conn.execute("select 1 from pg_roles where rolname = %s", [admin.user])
            verb = "alter" if exists.fetchone() else "create"
            conn.execute(
                sql.SQL("{} role {} with superuser login password {}").format(
                    sql.SQL(verb), sql.Identifier(admin.user), sql.Literal(verifier)
                )
            )
            databases = [
                name
                for (name,) in conn.execute(
                    "select datname from pg_database where not datistemplate "
                    "and datname <> 'postgres'"
                )
            ]
        break
    else:
        raise SetupError(
            f"the local cluster in {cluster.root} trusts connections but has no superuser "
            f"'{admin.user}' or '{LEGACY_ADMIN_USER}': delete it with 'make clean'"
        )
    cluster.require_passwords()
    # What the old superuser built now belongs to the jobs that build it now.
    with connect(admin, database="postgres", autocommit=True) as conn:
        roles.ensure_roles(conn, PassFile(admin.passfile, admin.host, admin.port))
    for database in databases:
        with connect(admin, database=database, autocommit=True) as conn:
            roles.hand_over_legacy_objects(conn, LEGACY_ADMIN_USER)


def create_database(settings: ConnectionSettings, database: str | None = None) -> bool:
    """Create the database (settings.database by default) if missing, open to the job
    roles (sparkify.access.roles); True when created. On the local cluster the superuser
    does it; elsewhere PGUSER, who needs CREATEDB."""
    name = database or settings.database
    admin = settings.as_admin()
    with connect(admin, database="postgres", autocommit=True) as conn:
        exists = conn.execute("select 1 from pg_database where datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(sql.SQL("create database {}").format(sql.Identifier(name)))
        # Elsewhere only a database of our own, and only once `pg.py roles` made the roles.
        opening = (settings.is_local_cluster or not exists) and roles.roles_exist(conn)
        if opening:
            roles.open_database(conn, name)
    if opening:
        with connect(admin, database=name, autocommit=True) as conn:
            roles.prepare_schemas(conn)
    return not exists


def drop_database(settings: ConnectionSettings, database: str) -> None:
    """Drop the database if it exists, closing its sessions first."""
    with connect(settings.as_admin(), database="postgres", autocommit=True) as conn:
        conn.execute(
            sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(database))
        )


def recreate_database(settings: ConnectionSettings, database: str) -> ConnectionSettings:
    """An empty database of that name on the same server; returns settings that point at it."""
    drop_database(settings, database)
    create_database(settings, database)
    return settings.with_database(database)
