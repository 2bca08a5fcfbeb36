"""The project's one error hierarchy.

Every expected failure is a SparkifyError whose message says what failed and what to
do next; the command-line entry points (sparkify.cli.run_command) print it as one line,
without a traceback. Anything else is a bug and keeps its traceback.
"""


class SparkifyError(Exception):
    """An expected failure: its message says what failed and what to do next."""


class UsageError(SparkifyError):
    """A command was called with arguments it cannot work with."""


class SetupError(SparkifyError):
    """The machine lacks something the project needs (server binaries, a user)."""


class DatabaseUnavailable(SparkifyError):
    """The database cannot be reached or refuses the connection."""


class ConnectionLimitReached(DatabaseUnavailable):
    """The server has no connection left for the role (max_connections, CONNECTION LIMIT)."""

    def __init__(self, message: str, reason: str):
        super().__init__(message)
        self.reason = reason  # libpq's words, without the hint


# --- the loader -------------------------------------------------------------------------


class LoadError(SparkifyError):
    """A data directory or a file in it could not be loaded."""


class LoadIntegrityError(LoadError):
    """What the database stored differs from what the loader sent (a bug or a fault)."""


# --- the generator ----------------------------------------------------------------------


class GenerationError(SparkifyError):
    """The generator was asked for a dataset it cannot produce, or cannot write it."""


# --- the report -------------------------------------------------------------------------


class ReportError(SparkifyError):
    """The report cannot be built."""


class MartsMissing(ReportError):
    """The marts the report reads are not built yet."""


class StaleMarts(ReportError):
    """The published marts are older than the last load, or the last build failed."""


# --- development checks (benchmarks, incremental check, docs check) ---------------------


class CheckFailed(SparkifyError):
    """A development check found the project does not keep one of its promises."""


# --- write-audit-publish ----------------------------------------------------------------


class BuildFailed(SparkifyError):
    """A dbt build did not pass, so nothing was published."""
