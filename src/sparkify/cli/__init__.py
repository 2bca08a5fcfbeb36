"""Shared plumbing for the thin scripts in scripts/: one line per expected failure."""

from __future__ import annotations

import argparse
import signal
import sys
from collections.abc import Callable
from typing import NoReturn

from sparkify.errors import SparkifyError

EXIT_FAILURE = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as a shell reports Ctrl-C
EXIT_TERMINATED = 143  # 128 + SIGTERM


class Terminated(KeyboardInterrupt):
    """SIGTERM (a service manager, `kill`): handled exactly like Ctrl-C."""


def _raise_terminated(signum: int, frame: object) -> None:
    raise Terminated


class ArgumentParser(argparse.ArgumentParser):
    """argparse, with a bad command line reported as one line on stderr (exit 2)."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see --help)\n")


def run_command(main: Callable[[], int], program: str, failure_code: int = EXIT_FAILURE) -> None:
    """Run main() and exit with its code; expected failures print one line, no traceback.

    SIGTERM interrupts main() as Ctrl-C does (what was committed stays, the run is marked
    interrupted), with its own exit code.
    """
    signal.signal(signal.SIGTERM, _raise_terminated)
    try:
        code = main()
    except SparkifyError as exc:
        print(f"{program}: error: {exc}", file=sys.stderr)
        code = failure_code
    except Terminated:
        print(f"{program}: terminated (SIGTERM)", file=sys.stderr)
        code = EXIT_TERMINATED
    except KeyboardInterrupt:
        print(f"{program}: interrupted", file=sys.stderr)
        code = EXIT_INTERRUPTED
    sys.exit(code)
