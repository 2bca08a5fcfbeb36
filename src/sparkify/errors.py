"""Errors a person can act on: the command-line scripts print them as one line."""


class SparkifyError(Exception):
    """An expected failure: its message says what failed and what to do next."""


class DatabaseUnavailable(SparkifyError):
    """The database cannot be reached or refuses the connection."""


class SetupError(SparkifyError):
    """The machine lacks something the project needs (server binaries, a user)."""
