"""Running `dbt build` into the build schemas, and reading what it did.

dbt's own output streams to the terminal (its progress); afterwards run_results.json and
manifest.json say which nodes failed and which schemas the build wrote.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sparkify.checks.project import describe_node, executable
from sparkify.errors import BuildFailed

# The environment variable macros/generate_schema_name.sql appends to every layer's schema.
SUFFIX_VARIABLE = "SPARKIFY_BUILD_SCHEMA_SUFFIX"
# run_results.json statuses that fail a build; "warn" does not.
FAILING = {"error", "fail", "runtime error"}


@dataclass(frozen=True)
class BuildResult:
    """What one `dbt build` did: node counts by outcome, what failed, the schemas built."""

    passed: int
    warned: int
    skipped: int
    failures: tuple[str, ...]  # "test <name>" / "model <name>", as a person reads them
    schemas: tuple[str, ...]  # the build schemas its models and seeds live in
    relations: tuple[tuple[str, str], ...] = ()  # (build schema, name) of each of them
    # (build schema, roles its models grant to): who may look into it once published
    readers: tuple[tuple[str, tuple[str, ...]], ...] = ()

    @property
    def succeeded(self) -> bool:
        return not self.failures

    def outcome(self) -> str:
        return describe_outcome(self.passed, self.warned, self.failures, self.skipped)


def describe_outcome(
    passed: int, warned: int, failures: Sequence[str], skipped: int = 0, noun: str = ""
) -> str:
    """One phrase: '276 passed, 1 warned' or '3 failed (test x, ...), 12 skipped'."""
    parts = [f"{passed:,} {noun + ' ' if noun else ''}passed"]
    if warned:
        parts.append(f"{warned} warned")
    if failures:
        parts.append(f"{len(failures)} failed ({', '.join(failures)})")
    if skipped:
        parts.append(f"{skipped} skipped")
    return ", ".join(parts)


def target_path(env: dict[str, str], project_dir: Path) -> Path:
    """Where dbt writes its artifacts: DBT_TARGET_PATH, else the project's target/."""
    return Path(env.get("DBT_TARGET_PATH") or project_dir / "target")


def run_build(
    project_dir: Path, suffix: str, dbt_args: list[str], env: dict[str, str] | None = None
) -> BuildResult:
    """`dbt build` with every layer's schema suffixed, then what it did. (On Spark, dbt's
    JVM has exited when this returns: the caller may open its own session.) env: dbt's
    environment (default: this process's)."""
    env = dict(os.environ if env is None else env, **{SUFFIX_VARIABLE: suffix})
    artifacts = target_path(env, project_dir)
    (artifacts / "run_results.json").unlink(missing_ok=True)
    command = [executable("dbt"), "build", *dbt_args]
    completed = subprocess.run(command, cwd=project_dir, env=env, check=False)
    try:
        results = json.loads((artifacts / "run_results.json").read_text(encoding="utf-8"))
        manifest = json.loads((artifacts / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise BuildFailed(
            f"dbt build stopped before building anything (exit {completed.returncode}); "
            "see its output above"
        ) from None
    if results["metadata"].get("invocation_id") != manifest["metadata"].get("invocation_id"):
        raise BuildFailed(
            f"another dbt command rewrote {artifacts} during the build (run_results.json and "
            "manifest.json come from two commands); run the build again alone"
        )
    result = read_results(results, manifest, suffix)
    if not result.schemas:
        raise BuildFailed(f"the build wrote no schema ending in {suffix!r}; nothing to publish")
    if completed.returncode != 0 and result.succeeded:
        raise BuildFailed(f"dbt build failed (exit {completed.returncode}); see its output above")
    return result


def read_results(results: dict, manifest: dict, suffix: str) -> BuildResult:
    """The counts and failures of run_results.json, the build schemas of manifest.json."""
    statuses = [(result["unique_id"], result["status"]) for result in results["results"]]
    failures = tuple(
        describe_node(unique_id) for unique_id, status in statuses if status in FAILING
    )
    built = [
        node
        for node in manifest["nodes"].values()
        if node["resource_type"] in {"model", "seed", "snapshot"}
        and node["config"].get("enabled", True)
        and node["schema"].endswith(suffix)
    ]
    relations = sorted((node["schema"], node["alias"] or node["name"]) for node in built)
    readers: dict[str, set[str]] = {}
    for node in built:
        grantees = readers.setdefault(node["schema"], set())
        for roles in (node["config"].get("grants") or {}).values():
            grantees.update([roles] if isinstance(roles, str) else roles)
    return BuildResult(
        passed=sum(status in {"success", "pass"} for _, status in statuses),
        warned=sum(status == "warn" for _, status in statuses),
        skipped=sum(status == "skipped" for _, status in statuses),
        failures=failures,
        schemas=tuple(sorted({schema for schema, _ in relations})),
        relations=tuple(relations),
        readers=tuple((schema, tuple(sorted(roles))) for schema, roles in sorted(readers.items())),
    )
