"""Write the Sparkify report: one self-contained HTML page (charts inlined, opens offline)
answering the business questions from the marts. Build the marts first (`make build`).

Connection settings come from PGHOST, PGPORT, PGUSER, PGPASSWORD and PGDATABASE; the user
is the report's role, sparkify_reporter, unless PGUSER names another.
"""

from __future__ import annotations

from pathlib import Path

from sparkify.cli import ArgumentParser, run_command
from sparkify.report.build import (
    DEFAULT_OUTPUT,
    DEFAULT_QUALITY_SCHEMA,
    DEFAULT_RAW_SCHEMA,
    DEFAULT_SCHEMA,
    write_report,
)
from sparkify.report.format import utc
from sparkify.settings import REPORTER, connection_settings

PROGRAM = "build_report.py"


def main(argv: list[str] | None = None) -> int:
    parser = ArgumentParser(prog=PROGRAM, description=__doc__)
    parser.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_OUTPUT,
        help=f"the HTML file (default: {DEFAULT_OUTPUT})",
    )
    parser.add_argument(
        "--schema", default=DEFAULT_SCHEMA, help=f"schema of the marts (default: {DEFAULT_SCHEMA})"
    )
    parser.add_argument(
        "--quality-schema",
        default=DEFAULT_QUALITY_SCHEMA,
        help=f"schema of the data-quality marts (default: {DEFAULT_QUALITY_SCHEMA})",
    )
    parser.add_argument(
        "--raw-schema",
        default=DEFAULT_RAW_SCHEMA,
        help="the loader's schema, to tell whether the marts are current "
        f"(default: {DEFAULT_RAW_SCHEMA})",
    )
    args = parser.parse_args(argv)

    settings = connection_settings(job=REPORTER)
    report = write_report(settings, args.out, args.schema, args.quality_schema, args.raw_schema)
    view = report.overview
    print(
        f"report: {len(report.sections)} questions, {view.plays:,} plays from "
        f"{utc(view.first_play)} to {utc(view.last_play)}"
    )
    print(f"report: the marts of build {report.build.build_id}: {report.build.outcome()}")
    print(f"report written to {args.out.resolve()}")
    return 0


def run() -> None:
    """The console entry point."""
    run_command(main, PROGRAM)
