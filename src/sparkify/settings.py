"""Settings, read once from the process: the libpq variables (with defaults for the
local cluster) and, when they point at it, how the local cluster is run.

| variable | |
|---|---|
| PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE | where to connect (libpq's own names) |
| PGPASSFILE | the passwords (default for the local cluster: .pgpass in the working directory) |
| SPARKIFY_ADMIN_PASSFILE | the local cluster's superuser password (default: .pgpass-admin) |
| SPARKIFY_LOCAL_PORT | the local cluster's port (default 54329), and PGPORT's default |
| SPARKIFY_PGDATA | the local cluster's directory (default: .pgdata in the working directory) |
| PG_BINDIR | the server binaries to run it with (default: found, see sparkify.pgbinaries) |
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

# The project's own cluster listens on loopback only, on a port that will not
# clash with a system Postgres on 5432.
LOCAL_HOST = "127.0.0.1"
LOCAL_PORT = "54329"
LOCAL_DATABASE = "sparkify"
LOOPBACK_HOSTS = (LOCAL_HOST, "localhost")
# The local cluster's passwords (sparkify.access.passfile), unless PGPASSFILE says otherwise:
# the job roles' in one file, the superuser's in another, which no job is pointed at.
LOCAL_PASSFILE = ".pgpass"
LOCAL_ADMIN_PASSFILE = ".pgpass-admin"

# One role per job; each command connects as its job's role unless PGUSER names another
# (sparkify.access.roles says what each may do). ADMIN exists on the local cluster only:
# the superuser that `make db` uses to create the roles and databases, and nothing else.
ADMIN = "admin"
LOADER = "loader"
TRANSFORMER = "transformer"
REPORTER = "reporter"
ANALYST = "analyst"
STEWARD = "steward"
JOBS = (ADMIN, LOADER, TRANSFORMER, REPORTER, ANALYST, STEWARD)
# Clusters made before roles existed: their superuser, accepted while they still trust.
LEGACY_ADMIN_USER = "sparkify"

DEFAULTS = {
    "PGHOST": LOCAL_HOST,
    "PGPORT": LOCAL_PORT,
    "PGDATABASE": LOCAL_DATABASE,
}


def role_name(job: str) -> str:
    """The role a job connects as by default: 'loader' -> 'sparkify_loader'."""
    if job not in JOBS:
        raise ValueError(f"unknown job {job!r}")
    return f"sparkify_{job}"


@dataclass(frozen=True)
class LocalClusterSettings:
    """How the project runs its own cluster: where it lives and with which binaries."""

    project_dir: Path  # the working directory: .pgdata goes there by default
    pgdata: Path | None  # SPARKIFY_PGDATA, used as given; None: <project_dir>/.pgdata
    bindir: Path | None  # PG_BINDIR; None: found (see sparkify.pgbinaries)


@dataclass(frozen=True)
class ConnectionSettings:
    host: str
    port: str
    user: str
    database: str
    password: str | None
    local: LocalClusterSettings | None = None  # set when PG* point at the local cluster
    passfile: Path | None = None  # PGPASSFILE; for the local cluster its own by default
    admin_passfile: Path | None = None  # the local cluster's superuser's password
    user_chosen: bool = False  # PGUSER was set: every job connects as that user

    @property
    def is_local_cluster(self) -> bool:
        """True when the settings point at the cluster this project runs itself."""
        return self.local is not None

    def describe(self) -> str:
        return f"{self.user}@{self.host}:{self.port}/{self.database}"

    def conninfo(self, database: str | None = None) -> str:
        """A libpq connection string (the password stays in the environment)."""
        from psycopg.conninfo import make_conninfo

        return make_conninfo(
            host=self.host,
            port=self.port,
            user=self.user,
            dbname=database or self.database,
            connect_timeout="5",
            application_name="sparkify",
            passfile=str(self.password_file) if self.password_file else None,
        )

    @property
    def password_file(self) -> Path | None:
        """The pgpass file for this user: the superuser's own file, or the jobs' one."""
        if self.admin_passfile is not None and self.user == role_name(ADMIN):
            return self.admin_passfile
        return self.passfile

    def for_job(self, job: str) -> ConnectionSettings:
        """The same server and database as the job's own role (unless PGUSER chose one)."""
        return self if self.user_chosen else replace(self, user=role_name(job))

    def as_admin(self) -> ConnectionSettings:
        """Who creates roles and databases: the local cluster's superuser, else PGUSER."""
        return replace(self, user=role_name(ADMIN)) if self.is_local_cluster else self

    def with_database(self, database: str) -> ConnectionSettings:
        """The same server and user, another database."""
        return replace(self, database=database)

    def env(self) -> dict[str, str]:
        """Environment for child processes (dbt, psql) that reach the same database."""
        env = dict(os.environ)
        env.update(PGHOST=self.host, PGPORT=self.port, PGUSER=self.user, PGDATABASE=self.database)
        if self.password_file:
            env["PGPASSFILE"] = str(self.password_file)
        return env


def connection_settings(
    environ: Mapping[str, str] | None = None, cwd: Path | None = None, job: str = ADMIN
) -> ConnectionSettings:
    """Read PG* from the environment, falling back to the local cluster's defaults and to
    the job's role for the user (see role_name).

    The settings point at the local cluster when PGHOST is loopback and PGPORT is the
    local cluster's port (SPARKIFY_LOCAL_PORT, 54329 by default); its directory defaults
    to .pgdata in cwd (the working directory unless given).
    """
    environ = os.environ if environ is None else environ
    local_port = environ.get("SPARKIFY_LOCAL_PORT") or LOCAL_PORT
    defaults = {**DEFAULTS, "PGPORT": local_port}

    def get(name: str) -> str:
        return environ.get(name) or defaults[name]

    def path(name: str) -> Path | None:
        value = environ.get(name)
        return Path(value).expanduser().absolute() if value else None

    host, port = get("PGHOST"), get("PGPORT")
    is_local = host in LOOPBACK_HOSTS and port == local_port
    project_dir = (cwd or Path.cwd()).absolute()
    passfile = path("PGPASSFILE") or (project_dir / LOCAL_PASSFILE if is_local else None)
    admin_passfile = path("SPARKIFY_ADMIN_PASSFILE") or (
        project_dir / LOCAL_ADMIN_PASSFILE if is_local else None
    )
    local = (
        LocalClusterSettings(
            project_dir=project_dir,
            pgdata=path("SPARKIFY_PGDATA"),
            bindir=path("PG_BINDIR"),
        )
        if is_local
        else None
    )
    return ConnectionSettings(
        host=host,
        port=port,
        user=environ.get("PGUSER") or role_name(job),
        database=get("PGDATABASE"),
        password=environ.get("PGPASSWORD") or None,
        local=local,
        passfile=passfile,
        admin_passfile=admin_passfile,
        user_chosen=bool(environ.get("PGUSER")),
    )
