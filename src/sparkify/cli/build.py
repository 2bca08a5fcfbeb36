"""Build the warehouse with write-audit-publish: `dbt build` (every model, data test and
unit test) into a copy of the published schemas (`staging__build`, `marts__build`, ...),
then publish the copy in one transaction, only when every error-severity test passed.
A failure names what failed and leaves the published warehouse exactly as it was.

Connection settings come from PGHOST, PGPORT, PGUSER, PGPASSWORD and PGDATABASE; the user
is dbt's role, sparkify_transformer, unless PGUSER names another. dbt reads the profile
from DBT_PROFILES_DIR as usual. On Spark (--target spark) the published
databases are views over the last passing build's copy, switched one by one (see
sparkify.publish.spark for what the engine cannot give).
"""

from __future__ import annotations

import json
from pathlib import Path

from sparkify.checks.project import Project
from sparkify.cli import ArgumentParser, run_command
from sparkify.loader.names import check_schema_name
from sparkify.publish import build_and_publish
from sparkify.settings import TRANSFORMER, connection_settings

PROGRAM = "build.py"


def main(argv: list[str] | None = None) -> int:
    parser = ArgumentParser(prog=PROGRAM, description=__doc__)
    parser.add_argument(
        "--full-refresh",
        action="store_true",
        help="rebuild the incremental models from scratch (dbt build --full-refresh)",
    )
    parser.add_argument(
        "--target",
        choices=("postgres", "spark"),
        default="postgres",
        help="the engine: the Postgres of the PG* variables, or Spark (default: postgres)",
    )
    parser.add_argument("--raw-schema", default="raw", help="the loader's schema (default: raw)")
    parser.add_argument(
        "--project-dir", type=Path, default=Path.cwd(), help="the dbt project (default: .)"
    )
    args = parser.parse_args(argv)
    check_schema_name(args.raw_schema)
    project = Project.at(args.project_dir)
    dbt_args = ["--full-refresh"] if args.full_refresh else []
    if args.raw_schema != "raw":  # dbt reads the same schema the ledger watches
        dbt_args += ["--vars", json.dumps({"raw_schema": args.raw_schema})]
    if args.target == "spark":
        # Imported here: the Postgres path never loads the Spark code.
        from sparkify.publish.spark import build_and_publish_spark

        result = build_and_publish_spark(project.root, dbt_args)
    else:
        settings = connection_settings(job=TRANSFORMER)
        result = build_and_publish(settings, project.root, dbt_args, args.raw_schema)
    print(f"build.py: published: {result.outcome()}")
    return 0


def run() -> None:
    """The console entry point."""
    run_command(main, PROGRAM)
