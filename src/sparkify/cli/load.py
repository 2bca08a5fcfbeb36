"""Load Sparkify's raw JSON (song_data, log_data) into Postgres or Spark, every record counted.

Postgres (the default): connection settings come from PGHOST, PGPORT, PGUSER, PGPASSWORD
and PGDATABASE; the user is the loader's role, sparkify_loader, unless PGUSER names
another. Spark (--target spark): SPARK_MASTER (default: the local cluster of
scripts/spark.py) and SPARKIFY_SPARK_DIR (warehouse and metastore, default .spark).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sparkify.cli import EXIT_FAILURE, ArgumentParser, run_command
from sparkify.errors import UsageError
from sparkify.loader.names import check_schema_name
from sparkify.loader.results import FileResult, RunSummary
from sparkify.loader.summary import report_lines

EXIT_REJECTS = 3
# A file with more rejects than this share of its records stops the line (and dbt's
# max_reject_share var says the same). Day files of the course data reject nothing.
DEFAULT_MAX_REJECT_SHARE = 0.05

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
        "--max-reject-share",
        type=_share,
        default=DEFAULT_MAX_REJECT_SHARE,
        metavar="SHARE",
        help=f"exit {EXIT_REJECTS} when a file's rejected share of its records passes this "
        f"(0 to 1; default: {DEFAULT_MAX_REJECT_SHARE}); its loaded records stay loaded",
    )
    parser.add_argument(
        "--strict", action="store_true", help=f"exit {EXIT_REJECTS} when any record is rejected"
    )
    parser.add_argument(
        "--streams",
        type=_streams,
        default=None,
        metavar="N",
        help="Postgres: COPY streams at once, each a connection (default: one per core, at most 2)",
    )
    progress = parser.add_mutually_exclusive_group()
    progress.add_argument("--progress", dest="progress", action="store_true", default=None)
    progress.add_argument("--no-progress", dest="progress", action="store_false")
    args = parser.parse_args(argv)

    summary = _load(args.target, args.data_dir, args.schema, args.progress, args.streams)
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
    drifted = [r for r in summary.results if r.reject_share > args.max_reject_share]
    for result in drifted:
        print(
            f"{PROGRAM}: error: {too_many_rejects(result, args.max_reject_share)}", file=sys.stderr
        )
    if args.strict and summary.records_rejected:
        print(
            f"{PROGRAM}: {summary.records_rejected:,} record(s) rejected (--strict)",
            file=sys.stderr,
        )
        return EXIT_REJECTS
    return EXIT_REJECTS if drifted else 0


def too_many_rejects(result: FileResult, max_share: float) -> str:
    """One line: the file, its rejected share, the most common reason, what stayed."""
    records = result.records_loaded + result.records_rejected
    return (
        f"{result.relative}: {result.records_rejected:,} of {records:,} records rejected "
        f"({result.reject_share:.1%}, over --max-reject-share {max_share:g}); most common "
        f"reason: {result.top_reject}; the {result.records_loaded:,} valid records are loaded: "
        "fix the file (or its producer) and rerun"
    )


def _share(text: str) -> float:
    try:
        share = float(text)
    except ValueError:
        share = -1.0
    if not 0 <= share <= 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a share between 0 and 1")
    return share


def _schema_name(text: str) -> str:
    try:
        return check_schema_name(text)
    except UsageError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _streams(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 16:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of streams from 1 to 16")
    return int(text)


def _load(
    target: str, data_dir: Path, schema: str, progress: bool | None, streams: int | None
) -> RunSummary:
    if target == "spark":
        # Imported here: the Postgres path never loads the Spark code.
        from sparkify.loader.spark.run import load_data_dir as load_into_spark

        return load_into_spark(data_dir, schema, progress)
    from sparkify.loader import load_data_dir
    from sparkify.loader.run import DEFAULT_STREAMS
    from sparkify.settings import LOADER, connection_settings

    settings = connection_settings(job=LOADER)
    return load_data_dir(settings, data_dir, schema, progress, streams or DEFAULT_STREAMS)


def run() -> None:
    """The console entry point."""
    run_command(main, PROGRAM)
