"""Prove that Postgres and Spark build the same marts (see sparkify.checks.engines).

python scripts/check_engines.py [--real-data DIR] [--events N] [--dataset real|generated]
                                [--engines postgres,spark] [--project-dir DIR] [--keep]
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from sparkify.checks import engines
from sparkify.checks.project import Project
from sparkify.cli import ArgumentParser, run_command
from sparkify.errors import UsageError

PROGRAM = "check_engines.py"
DATASETS = ("real", "generated")


def default_real_data(project: Project) -> Path:
    """SPARKIFY_REAL_DATA, else the course dataset beside the checkout (like the tests)."""
    configured = os.environ.get("SPARKIFY_REAL_DATA")
    return Path(configured) if configured else project.root.parent / "shared" / "data" / "sparkify"


def main(argv: list[str] | None = None) -> int:
    parser = ArgumentParser(
        prog=PROGRAM, description=engines.__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument(
        "--real-data",
        type=Path,
        help="the real dataset (default: $SPARKIFY_REAL_DATA, else ../shared/data/sparkify)",
    )
    parser.add_argument(
        "--events",
        type=int,
        default=engines.MIN_GENERATED_EVENTS,
        help=f"events in the generated dataset (default and minimum: "
        f"{engines.MIN_GENERATED_EVENTS:,})",
    )
    parser.add_argument(
        "--dataset",
        action="append",
        choices=DATASETS,
        help="compare on this dataset only (repeatable; default: real and generated)",
    )
    parser.add_argument(
        "--engines",
        default=",".join(engines.ENGINES),
        help="the two engines compared (default: postgres,spark; postgres,postgres compares "
        "two Postgres builds, a self-test of the check)",
    )
    parser.add_argument(
        "--project-dir", type=Path, default=Path(), help="the dbt project (default: .)"
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the scratch database and Spark state dir"
    )
    parser.add_argument("--allow-small", action="store_true", help=argparse.SUPPRESS)  # tests
    args = parser.parse_args(argv)
    if args.events < engines.MIN_GENERATED_EVENTS and not args.allow_small:
        raise UsageError(f"--events must be at least {engines.MIN_GENERATED_EVENTS:,}")

    sys.stdout.reconfigure(line_buffering=True)  # progress shows as it comes
    project = Project.at(args.project_dir)
    chosen = args.dataset or list(DATASETS)
    datasets: list[engines.Dataset | int] = []
    if "real" in chosen:
        real = (args.real_data or default_real_data(project)).resolve()
        if not (real / "log_data").is_dir():
            raise UsageError(
                f"the real dataset is missing: no log_data/ in {real} "
                "(pass --real-data or set SPARKIFY_REAL_DATA)"
            )
        datasets.append(engines.Dataset("real", real))
    if "generated" in chosen:
        datasets.append(args.events)
    engines.check(project, datasets, args.engines.split(","), args.keep)
    return 0


def run() -> None:
    """The console entry point."""
    run_command(main, PROGRAM)
