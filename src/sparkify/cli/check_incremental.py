"""Prove that the incremental fct_songplays equals a full refresh (see sparkify.incremental_check).

python scripts/check_incremental.py [--data-dir DIR] [--loader-command CMD]
"""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path

from sparkify import incremental_check
from sparkify.cli import run_command

PROGRAM = "check_incremental.py"


def main() -> int:
    parser = argparse.ArgumentParser(
        description=incremental_check.__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--data-dir", type=Path, default=incremental_check.DEFAULT_DATA_DIR)
    parser.add_argument(
        "--loader-command",
        default=f"{shlex.quote(sys.executable)} scripts/load_raw.py",
        help="command that loads a data dir; `--data-dir DIR` is appended",
    )
    parser.add_argument("--keep-database", action="store_true", help="keep the scratch database")
    args = parser.parse_args()
    return incremental_check.check(
        args.data_dir,
        incremental_check.loader_from_command(shlex.split(args.loader_command)),
        args.keep_database,
    )


def run() -> None:
    """The console entry point."""
    run_command(main, PROGRAM)
