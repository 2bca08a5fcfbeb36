"""Connection settings: only the libpq variables, with defaults for the local cluster."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, replace

# The project's own cluster listens on loopback only, on a port that will not
# clash with a system Postgres on 5432.
LOCAL_HOST = "127.0.0.1"
LOCAL_PORT = "54329"
LOCAL_USER = "sparkify"
LOCAL_DATABASE = "sparkify"

DEFAULTS = {
    "PGHOST": LOCAL_HOST,
    "PGPORT": LOCAL_PORT,
    "PGUSER": LOCAL_USER,
    "PGDATABASE": LOCAL_DATABASE,
}


@dataclass(frozen=True)
class ConnectionSettings:
    host: str
    port: str
    user: str
    database: str
    password: str | None

    @property
    def is_local_cluster(self) -> bool:
        """True when the settings point at the cluster this project runs itself."""
        return self.host in (LOCAL_HOST, "localhost") and self.port == LOCAL_PORT

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


def connection_settings(environ: Mapping[str, str] | None = None) -> ConnectionSettings:
    """Read PG* from the environment, falling back to the local cluster's defaults."""
    environ = os.environ if environ is None else environ

    def get(name: str) -> str:
        return environ.get(name) or DEFAULTS[name]

    return ConnectionSettings(
        host=get("PGHOST"),
        port=get("PGPORT"),
        user=get("PGUSER"),
        database=get("PGDATABASE"),
        password=environ.get("PGPASSWORD") or None,
    )
