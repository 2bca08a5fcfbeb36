"""Fail when a column derived from a personal (PII-tagged) column is not tagged, a tag is
not a known kind, or a direct identifier is in a mart outside models/marts/restricted/.
Run `dbt build` and `dbt docs generate` first (compiled SQL and the built columns).

    python scripts/check_pii.py [--target-path target]
"""

from __future__ import annotations

from pathlib import Path

from sparkify.checks import docs, pii
from sparkify.cli import ArgumentParser, run_command
from sparkify.errors import CheckFailed

PROGRAM = "check_pii.py"


def main(argv: list[str] | None = None) -> int:
    parser = ArgumentParser(prog=PROGRAM, description=__doc__)
    parser.add_argument("--target-path", type=Path, default=Path("target"))
    args = parser.parse_args(argv)

    manifest = docs.load(args.target_path / "manifest.json")
    catalog = docs.load(args.target_path / "catalog.json")
    report = pii.check(manifest, catalog)
    for problem in report.problems:
        print(problem)
    if report.problems:
        raise CheckFailed(f"{len(report.problems)} PII tag problems (listed above)")
    tagged = report.tagged
    print(
        f"check_pii: traced {report.columns} columns of {report.models} models to their "
        f"parents; {sum(tagged.values())} tagged ({tagged[pii.DIRECT]} direct, "
        f"{tagged[pii.QUASI]} quasi identifiers), none missing"
    )
    return 0


def run() -> None:
    """The console entry point."""
    run_command(main, PROGRAM)
