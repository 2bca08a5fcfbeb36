"""Load Sparkify's raw JSON (song_data, log_data) into Postgres, accounting for every record.

Connection settings come from PGHOST, PGPORT, PGUSER, PGPASSWORD and PGDATABASE.
"""

from __future__ import annotations

import sys
from pathlib import Path

from sparkify.cli import EXIT_FAILURE, ArgumentParser, run_command
from sparkify.loader import load_data_dir
from sparkify.loader.summary import report_lines
from sparkify.settings import connection_settings

EXIT_REJECTS = 3

PROGRAM = "load_raw.py"


def main(argv: list[str] | None = None) -> int:
    parser = ArgumentParser(prog=PROGRAM, description=__doc__)
    parser.add_argument(
        "--data-dir", type=Path, default=Path("data"), help="holds song_data/ and log_data/"
    )
    parser.add_argument("--schema", default="raw", help="target schema (default: raw)")
    parser.add_argument(
        "--strict", action="store_true", help=f"exit {EXIT_REJECTS} when any record is rejected"
    )
    progress = parser.add_mutually_exclusive_group()
    progress.add_argument("--progress", dest="progress", action="store_true", default=None)
    progress.add_argument("--no-progress", dest="progress", action="store_false")
    args = parser.parse_args(argv)

    summary = load_data_dir(connection_settings(), args.data_dir, args.schema, args.progress)
    print("\n".join(report_lines(summary)))
    for failure in summary.failures:
        print(f"{PROGRAM}: error: {failure.error}", file=sys.stderr)
    if summary.failures:
        print(
            f"{PROGRAM}: {len(summary.failures)} file(s) not loaded; fix them and rerun "
            "(loaded files are kept and will be skipped)",
            file=sys.stderr,
        )
        return EXIT_FAILURE
    if args.strict and summary.records_rejected:
        print(
            f"{PROGRAM}: {summary.records_rejected:,} record(s) rejected (--strict)",
            file=sys.stderr,
        )
        return EXIT_REJECTS
    return 0


def run() -> None:
    """The console entry point."""
    run_command(main, PROGRAM)
