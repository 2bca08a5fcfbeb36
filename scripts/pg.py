"""Manage the project's local PostgreSQL: start (and create the database), stop, status,
psql, destroy (stop and delete its data), summary (what the raw schema holds)."""

from sparkify.cli.pg import run

if __name__ == "__main__":
    run()
