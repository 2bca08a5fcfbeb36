"""Manage the project's local PostgreSQL: start (and create the database), stop, status,
psql, destroy (stop and delete its data), summary (what the raw schema holds)."""

from __future__ import annotations

import argparse
import os
import shutil

from sparkify import accounting, db, localpg
from sparkify.cli import run_command
from sparkify.settings import connection_settings

PROGRAM = "pg.py"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("action", choices=["start", "stop", "status", "psql", "destroy", "summary"])
    args = parser.parse_args()
    settings = connection_settings()

    if args.action == "start":
        db.ensure_database(settings)
        print(f"postgres ready: {settings.describe()}")
        return 0
    if args.action == "summary":
        with db.connect(settings) as conn:
            print(accounting.raw_totals(conn))
        return 0
    if args.action == "psql":
        db.ensure_database(settings)
        psql = shutil.which("psql") or str(localpg.find_server_binaries() / "psql")
        os.execve(psql, [psql], settings.env())
    if not settings.is_local_cluster:
        print(f"PGHOST/PGPORT point at {settings.host}:{settings.port}, not the local cluster")
        return 0
    cluster = localpg.local_cluster()
    if args.action == "stop":
        stopped = cluster.stop()
        print("local postgres stopped" if stopped else "local postgres was not running")
        return 0
    if args.action == "destroy":
        cluster.stop()
        shutil.rmtree(cluster.root, ignore_errors=True)
        print(f"local postgres removed: {cluster.root}")
        return 0
    running = cluster.is_running()
    print(f"local postgres ({cluster.root}): {'running' if running else 'stopped'}")
    return 0 if running else 3


def run() -> None:
    """The console entry point."""
    run_command(main, PROGRAM)
