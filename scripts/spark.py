"""Manage the project's local Spark cluster (master + one worker): start, stop, status."""

from sparkify.cli.spark import run

if __name__ == "__main__":
    run()
