"""Generate a deterministic synthetic Sparkify dataset: OUT/song_data/ and OUT/log_data/.

Example:
    python scripts/generate_data.py --out data --seed 42 --events 5000 --users 60 \\
        --songs 200 --days 7 --force
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import fields
from datetime import date
from pathlib import Path

from sparkify import generate
from sparkify.cli import EXIT_INTERRUPTED, EXIT_USAGE, ArgumentParser, run_command
from sparkify.errors import GenerationError
from sparkify.progress import StatusLine

PROGRAM = "generate_data"
# Unusable options the generator finds (not argparse) share argparse's exit code.
EXIT_EXPECTED_ERROR = EXIT_USAGE


def iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def share(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"must be between 0 and 1: {text!r}")
    return value


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1: {text!r}")
    return value


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = ArgumentParser(
        description=(
            "Write a synthetic Sparkify dataset with the real data's layout and quirks. "
            "The same seed and options give byte-identical files."
        )
    )
    parser.add_argument(
        "--out", dest="out_dir", metavar="OUT", required=True, type=Path, help="output directory"
    )
    parser.add_argument(
        "--seed", type=int, default=generate.DEFAULT_SEED, help="default: %(default)s"
    )
    parser.add_argument(
        "--events",
        type=positive_int,
        default=generate.DEFAULT_EVENTS,
        help="exact number of log events over all days (default: %(default)s)",
    )
    parser.add_argument(
        "--users",
        type=positive_int,
        default=None,
        help=(
            f"number of users (default: events / (days * {generate.AUTO_EVENTS_PER_USER_DAY}), "
            f"at least {generate.MIN_AUTO_USERS})"
        ),
    )
    parser.add_argument(
        "--songs", type=positive_int, default=generate.DEFAULT_SONGS, help="default: %(default)s"
    )
    parser.add_argument(
        "--days", type=positive_int, default=generate.DEFAULT_DAYS, help="default: %(default)s"
    )
    parser.add_argument(
        "--start-date",
        type=iso_date,
        default=generate.DEFAULT_START_DATE,
        help="first day, UTC (default: %(default)s)",
    )
    parser.add_argument(
        "--match-share",
        type=share,
        default=generate.DEFAULT_MATCH_SHARE,
        help="share of NextSong events naming a catalogue song exactly (default: %(default)s)",
    )
    parser.add_argument(
        "--force",
        action="store_true",
        help="write into a non-empty --out, replacing only its song_data/ and log_data/",
    )
    return parser.parse_args(argv)


def describe(summary: generate.GenerationSummary) -> str:
    """The one line the command prints when it is done."""
    rate = summary.events / summary.seconds if summary.seconds > 0 else 0.0
    return (
        f"wrote {summary.log_files + summary.song_files:,} files to {summary.out_dir} "
        f"({summary.log_files:,} log files with {summary.events:,} events, "
        f"{summary.song_files:,} song files by {summary.artists:,} artists, "
        f"{summary.users:,} users) in {summary.seconds:.1f} s ({rate:,.0f} events/s)"
    )


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    # The options' dests are GenerationOptions' field names: one list of settings.
    options = generate.GenerationOptions(
        **{field.name: getattr(args, field.name) for field in fields(generate.GenerationOptions)}
    )
    status = StatusLine()

    def show(progress: generate.Progress) -> None:
        status.show(
            f"day {progress.day:,}/{progress.days:,}: "
            f"{progress.events_written:,}/{progress.events_total:,} events"
        )

    try:
        summary = generate.generate_dataset(options, show)
    except OSError as exc:
        raise GenerationError(str(exc)) from None
    except KeyboardInterrupt:
        print(f"{PROGRAM}: interrupted; {args.out_dir} is incomplete", file=sys.stderr)
        return EXIT_INTERRUPTED
    finally:
        status.clear()
    print(describe(summary))
    return 0


def run() -> None:
    """The console entry point."""
    run_command(main, PROGRAM, failure_code=EXIT_EXPECTED_ERROR)
