"""Settings, read once from the process: the libpq variables (with defaults for the
local cluster) and, when they point at it, how the local cluster is run.

| variable | |
|---|---|
| PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE | where to connect (libpq's own names) |
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
LOCAL_USER = "sparkify"
LOCAL_DATABASE = "sparkify"
LOOPBACK_HOSTS = (LOCAL_HOST, "localhost")

DEFAULTS = {
    "PGHOST": LOCAL_HOST,
    "PGPORT": LOCAL_PORT,
    "PGUSER": LOCAL_USER,
    "PGDATABASE": LOCAL_DATABASE,
}


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
        )

    def with_database(self, database: str) -> ConnectionSettings:
        """The same server and user, another database."""
        return replace(self, database=database)

    def env(self) -> dict[str, str]:
        """Environment for child processes (dbt, psql) that reach the same database."""
        env = dict(os.environ)
        env.update(PGHOST=self.host, PGPORT=self.port, PGUSER=self.user, PGDATABASE=self.database)
        return env


def connection_settings(
    environ: Mapping[str, str] | None = None, cwd: Path | None = None
) -> ConnectionSettings:
    """Read PG* from the environment, falling back to the local cluster's defaults.

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
    local = (
        LocalClusterSettings(
            project_dir=(cwd or Path.cwd()).absolute(),
            pgdata=path("SPARKIFY_PGDATA"),
            bindir=path("PG_BINDIR"),
        )
        if is_local
        else None
    )
    return ConnectionSettings(
        host=host,
        port=port,
        user=get("PGUSER"),
        database=get("PGDATABASE"),
        password=environ.get("PGPASSWORD") or None,
        local=local,
    )
