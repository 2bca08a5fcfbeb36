"""Fail when a model, seed, snapshot or source of this project, or one of its columns, has no
description. Run `dbt docs generate` first.

    python scripts/check_docs.py [--target-path target]
"""

from __future__ import annotations

from pathlib import Path

from sparkify.checks import docs
from sparkify.cli import ArgumentParser, run_command
from sparkify.errors import CheckFailed

PROGRAM = "check_docs.py"


def main(argv: list[str] | None = None) -> int:
    parser = ArgumentParser(prog=PROGRAM, description=__doc__)
    parser.add_argument("--target-path", type=Path, default=Path("target"))
    args = parser.parse_args(argv)

    manifest = docs.load(args.target_path / "manifest.json")
    catalog = docs.load(args.target_path / "catalog.json")
    found = list(docs.problems(manifest, catalog))
    for problem in found:
        print(problem)
    if found:
        raise CheckFailed(f"{len(found)} missing descriptions (listed above)")
    checked = sum(1 for _ in docs.project_nodes(manifest))
    print(f"check_docs: all {checked} models, seeds, snapshots and sources are documented")
    return 0


def run() -> None:
    """The console entry point."""
    run_command(main, PROGRAM)
