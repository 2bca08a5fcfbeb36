"""Manage the project's local Spark cluster (a standalone master and one worker on
127.0.0.1): start (waits until the worker is ALIVE), stop, status (exit 3 when stopped).
With SPARK_MASTER set the cluster is an existing one and nothing local starts or stops."""

from __future__ import annotations

from sparkify.cli import ArgumentParser, run_command
from sparkify.spark import cluster
from sparkify.spark.settings import spark_settings

PROGRAM = "spark.py"
ACTIONS = ["start", "stop", "status"]
EXIT_STOPPED = 3


def main(argv: list[str] | None = None) -> int:
    parser = ArgumentParser(prog=PROGRAM, description=__doc__)
    parser.add_argument("action", choices=ACTIONS)
    args = parser.parse_args(argv)
    settings = spark_settings()

    if not settings.local:
        where = f"SPARK_MASTER is {settings.master}: an existing cluster"
        print(f"{where}, nothing local to {args.action}")
        return 0
    if args.action == "start":
        if not cluster.start(settings):
            print(f"local spark already running: {settings.describe()}")
            return 0
        print(f"local spark ready: {settings.describe()}")
        return 0
    if args.action == "stop":
        stopped = cluster.stop(settings)
        print("local spark stopped" if stopped else "local spark was not running")
        return 0
    current = cluster.status(settings)
    state = "running" if current.running else "stopped"
    print(f"local spark ({settings.state_dir}): {state}")
    for line in current.describe():
        print(f"  {line}")
    return 0 if current.running else EXIT_STOPPED


def run() -> None:
    """The console entry point."""
    run_command(main, PROGRAM)
