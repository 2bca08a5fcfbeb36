"""Load Sparkify's raw JSON (song_data, log_data) into Postgres or Spark, every record counted.

Postgres (the default): connection settings come from PGHOST, PGPORT, PGUSER, PGPASSWORD
and PGDATABASE. Spark (--target spark): SPARK_MASTER (default: the local cluster of
scripts/spark.py) and SPARKIFY_SPARK_DIR (warehouse and metastore, default .spark).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sparkify.cli import EXIT_FAILURE, ArgumentParser, run_command
from sparkify.errors import UsageError
from sparkify.loader.names import check_schema_name
from sparkify.loader.results import RunSummary
from sparkify.loader.summary import report_lines

EXIT_REJECTS = 3

PROGRAM = "load_raw.py"


def main(argv: list[str] | None = None) -> int:
    parser = ArgumentParser(prog=PROGRAM, description=__doc__)
    parser.add_argument(
        "--data-dir", type=Path, default=Path("data"), help="holds song_data/ and log_data/"
    )
    parser.add_argument(
        "--target",
        choices=("postgres", "spark"),
        default="postgres",
        help="the engine to land in (default: postgres)",
    )
    parser.add_argument(
        "--schema",
        type=_schema_name,
        default="raw",
        help="target schema (Spark: database): lowercase letters, digits and _, "
        "at most 63 bytes (default: raw)",
    )
    parser.add_argument(
        "--strict", action="store_true", help=f"exit {EXIT_REJECTS} when any record is rejected"
    )
    progress = parser.add_mutually_exclusive_group()
    progress.add_argument("--progress", dest="progress", action="store_true", default=None)
    progress.add_argument("--no-progress", dest="progress", action="store_false")
    args = parser.parse_args(argv)

    summary = _load(args.target, args.data_dir, args.schema, args.progress)
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


def _schema_name(text: str) -> str:
    try:
        return check_schema_name(text)
    except UsageError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _load(target: str, data_dir: Path, schema: str, progress: bool | None) -> RunSummary:
    if target == "spark":
        # Imported here: the Postgres path never loads the Spark code.
        from sparkify.loader.spark.run import load_data_dir as load_into_spark

        return load_into_spark(data_dir, schema, progress)
    from sparkify.loader import load_data_dir
    from sparkify.settings import connection_settings

    return load_data_dir(connection_settings(), data_dir, schema, progress)


def run() -> None:
    """The console entry point."""
    run_command(main, PROGRAM)
