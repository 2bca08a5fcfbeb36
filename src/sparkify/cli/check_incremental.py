"""Prove that every incremental model equals a full refresh (see sparkify.checks.incremental).

python scripts/check_incremental.py --data-dir DIR [--target postgres|spark]
    [--loader-command CMD] [--project-dir DIR]
"""

from __future__ import annotations

import argparse
import shlex
from pathlib import Path

from sparkify.checks import incremental
from sparkify.checks.project import Project, executable
from sparkify.cli import ArgumentParser, run_command

PROGRAM = "check_incremental.py"


def main(argv: list[str] | None = None) -> int:
    parser = ArgumentParser(
        prog=PROGRAM, description=incremental.__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument(
        "--data-dir", type=Path, default=Path("data"), help="the data to load (default: data)"
    )
    parser.add_argument(
        "--target",
        choices=("postgres", "spark"),
        default="postgres",
        help="the engine (default: postgres); spark: on the cluster SPARK_MASTER names, "
        "else the local one (python scripts/spark.py start)",
    )
    parser.add_argument(
        "--loader-command",
        help="command that loads a data dir; `--data-dir DIR` is appended "
        "(default: the installed sparkify-load, with --target spark on Spark)",
    )
    parser.add_argument(
        "--project-dir", type=Path, default=Path(), help="the dbt project (default: .)"
    )
    parser.add_argument(
        "--keep-database", action="store_true", help="keep the scratch database (Spark: state dir)"
    )
    args = parser.parse_args(argv)
    project = Project.at(args.project_dir)
    loader = (
        shlex.split(args.loader_command)
        if args.loader_command
        else [executable("sparkify-load"), "--target", args.target]
    )
    incremental.check(
        project,
        args.data_dir.resolve(),
        incremental.loader_from_command(loader, project),
        args.keep_database,
        args.target,
    )
    return 0


def run() -> None:
    """The console entry point."""
    run_command(main, PROGRAM)
