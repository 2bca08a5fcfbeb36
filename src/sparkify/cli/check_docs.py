"""Fail when a model, seed, snapshot or source of this project, or one of its columns, has no
description. Run `dbt docs generate` first.

    python scripts/check_docs.py [--target-path target]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sparkify import docs_check
from sparkify.cli import run_command

PROGRAM = "check_docs.py"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--target-path", type=Path, default=Path("target"))
    args = parser.parse_args()

    manifest = docs_check.load(args.target_path / "manifest.json")
    catalog = docs_check.load(args.target_path / "catalog.json")
    found = list(docs_check.problems(manifest, catalog))
    for problem in found:
        print(problem)
    if found:
        print(f"check_docs: {len(found)} missing descriptions", file=sys.stderr)
        return 1
    checked = sum(1 for _ in docs_check.project_nodes(manifest))
    print(f"check_docs: all {checked} models, seeds, snapshots and sources are documented")
    return 0


def run() -> None:
    """The console entry point."""
    run_command(main, PROGRAM)
