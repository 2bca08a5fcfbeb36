"""Prove that the incremental fct_songplays equals a full refresh (see sparkify.checks.incremental).

python scripts/check_incremental.py --data-dir DIR [--loader-command CMD] [--project-dir DIR]
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
        "--loader-command",
        help="command that loads a data dir; `--data-dir DIR` is appended "
        "(default: the installed sparkify-load)",
    )
    parser.add_argument(
        "--project-dir", type=Path, default=Path(), help="the dbt project (default: .)"
    )
    parser.add_argument("--keep-database", action="store_true", help="keep the scratch database")
    args = parser.parse_args(argv)
    project = Project.at(args.project_dir)
    loader = (
        shlex.split(args.loader_command) if args.loader_command else [executable("sparkify-load")]
    )
    incremental.check(
        project,
        args.data_dir.resolve(),
        incremental.loader_from_command(loader, project),
        args.keep_database,
    )
    return 0


def run() -> None:
    """The console entry point."""
    run_command(main, PROGRAM)
