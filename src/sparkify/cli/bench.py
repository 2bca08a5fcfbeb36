"""Benchmark the loader (vs a bare COPY of the same bytes) and dbt on a generated dataset.

    python scripts/bench.py --events 1000000 [3000000 ...] [--target spark]

Prints records/s, MB/s and peak RSS for load_raw.py and for a bare COPY into a
one-column jsonb table, their ratio; then the one-pass reference query (every field of
every raw event extracted and cast once), dbt build --full-refresh and its ratio to the
reference, and an incremental dbt build after one more day with the fact's share, with
the peak memory of dbt and of the Postgres server.
With --target spark, the Spark landing and the same dbt steps on the project's Spark
master follow on the same dataset, then a table of both engines side by side. Several
--events values run one after the other. The datasets and dbt's output go to
PROJECT/.bench/ (git-ignored).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sparkify.checks import bench
from sparkify.checks.project import Project
from sparkify.cli import ArgumentParser, run_command
from sparkify.db import ensure_database
from sparkify.errors import UsageError
from sparkify.settings import connection_settings

PROGRAM = "bench.py"


def main(argv: list[str] | None = None) -> int:
    parser = ArgumentParser(prog=PROGRAM, description=__doc__.splitlines()[0])
    parser.add_argument(
        "--events", type=int, nargs="+", default=[1_000_000], help="events (default: 1000000)"
    )
    parser.add_argument(
        "--target",
        choices=("postgres", "spark"),
        default="postgres",
        help="spark: Spark beside Postgres (default: Postgres only)",
    )
    parser.add_argument("--days", type=int, default=30, help="days of log files (default: 30)")
    parser.add_argument(
        "--songs", type=int, help="song files (default: events / 200, at least 500)"
    )
    parser.add_argument("--users", type=int, help="users (default: events / 1000, at least 100)")
    parser.add_argument(
        "--skip-dbt", action="store_true", help="benchmark the landing only (on both engines)"
    )
    parser.add_argument(
        "--project-dir", type=Path, default=Path(), help="the dbt project (default: .)"
    )
    parser.add_argument("--bare-copy", type=Path, help=argparse.SUPPRESS)  # internal step
    parser.add_argument("--reference", action="store_true", help=argparse.SUPPRESS)  # internal
    args = parser.parse_args(argv)

    sys.stdout.reconfigure(line_buffering=True)  # figures show as they come
    server = connection_settings()
    if args.bare_copy:
        bench.bare_copy(server, args.bare_copy)
        return 0
    if args.reference:
        bench.reference_pass(server)
        return 0
    project = Project.at(args.project_dir)
    ensure_database(server)
    work = project.root / ".bench"
    for events in args.events:
        if events < 1:
            raise UsageError("--events must be at least 1")
    if any(value is not None and value < 1 for value in (args.songs, args.users, args.days)):
        raise UsageError("--days, --songs and --users must be at least 1")
    for events in args.events:
        songs, users = bench.dataset_shape(events, args.songs, args.users)
        data_dir = work / f"events-{events}-days-{args.days}-songs-{songs}-users-{users}"
        bench.generate_dataset(data_dir, events, args.days, songs, users)
        print(
            f"\n=== {events:,} events over {args.days} days, {songs:,} songs, {users:,} users",
            flush=True,
        )
        loader_db, records, loader = bench.bench_loader(project, server, data_dir)
        steps = (
            {}
            if args.skip_dbt
            else bench.bench_dbt(project, loader_db, data_dir, work / "postgres")
        )
        if args.target == "spark":
            spark_loader, spark_steps = bench.bench_spark(
                project, data_dir, records, work / "spark", dbt=not args.skip_dbt
            )
            bench.print_side_by_side(
                records,
                {"postgres": loader, "spark": spark_loader},
                {"postgres": steps, "spark": spark_steps},
            )
    return 0


def run() -> None:
    """The console entry point."""
    run_command(main, PROGRAM)


if __name__ == "__main__":  # the benchmark runs its bare-COPY step as a module
    run()
