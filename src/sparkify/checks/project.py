"""What the development checks need of a dbt project: its directory, the commands next to
this Python (dbt and the project's own), and a command runner that stops on failure."""

from __future__ import annotations

import json
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from sparkify.errors import CheckFailed, SetupError, UsageError


@dataclass(frozen=True)
class Project:
    """A checkout of this dbt project (the folder that holds dbt_project.yml)."""

    root: Path

    @classmethod
    def at(cls, directory: Path) -> Project:
        root = directory.resolve()
        if not (root / "dbt_project.yml").is_file():
            raise UsageError(
                f"{root} holds no dbt_project.yml; run from the project's folder "
                "or pass --project-dir"
            )
        return cls(root)

    @property
    def profiles_example(self) -> Path:
        return self.root / "profiles.yml.example"


def executable(name: str) -> str:
    """A command installed next to this Python (the venv), else on PATH."""
    beside_python = Path(sys.executable).parent / name
    found = str(beside_python) if beside_python.exists() else shutil.which(name)
    if found is None:
        raise SetupError(f"{name} not found next to this Python or on PATH; run make setup")
    return found


def run(command: list[str], env: dict[str, str], cwd: Path) -> None:
    """Run a command, echoing it; a failure stops the check with one line."""
    print(f"$ {shlex.join(command)}", flush=True)
    result = subprocess.run(command, cwd=cwd, env=env, check=False)
    if result.returncode != 0:
        raise CheckFailed(f"command failed ({result.returncode}): {shlex.join(command)}")


def _run_results(target_path: Path) -> list[dict]:
    results = json.loads((target_path / "run_results.json").read_text(encoding="utf-8"))
    return results["results"]


def model_seconds(target_path: Path, model: str | None = None) -> float:
    """Time the last dbt command spent in the database, in seconds (for one model if named)."""
    return sum(
        float(result["execution_time"])
        for result in _run_results(target_path)
        if model is None or result["unique_id"] == f"model.sparkify.{model}"
    )


def rows_written(target_path: Path) -> dict[str, int]:
    """The rows each model of the last dbt command wrote (inserted, or created its table
    with), by model name, where the adapter reports it (Postgres)."""
    written = {}
    for result in _run_results(target_path):
        kind, _package, name = result["unique_id"].split(".", 2)
        affected = (result.get("adapter_response") or {}).get("rows_affected")
        if kind == "model" and isinstance(affected, int):
            written[name] = affected
    return written


# The comment macros/test_watermarks.sql ends a row test's condition with, and the
# condition it writes when the test has a watermark (it then reads only the newer rows).
ROW_TEST_MARK = "/* test_watermark {"
NARROWED_ROW_TEST = "(_built_at > "


def row_tests_narrowed(target_path: Path) -> tuple[int, int]:
    """Of the last dbt command's row tests that opted in to watermarks, how many read only
    the rows written since they last passed, and how many there were."""
    opted_in = [
        result.get("compiled_code") or ""
        for result in _run_results(target_path)
        if result["unique_id"].startswith("test.")
        and ROW_TEST_MARK in (result.get("compiled_code") or "")
    ]
    return sum(NARROWED_ROW_TEST in code for code in opted_in), len(opted_in)


def slowest_nodes(target_path: Path, count: int) -> list[tuple[str, float]]:
    """The last dbt command's slowest nodes (models, tests, seeds): name and seconds."""
    timed = [
        (describe_node(result["unique_id"]), float(result["execution_time"]))
        for result in _run_results(target_path)
    ]
    return sorted(timed, key=lambda node: -node[1])[:count]


def describe_node(unique_id: str) -> str:
    """'test.sparkify.unique_x.abc123' -> 'test unique_x'; 'model.sparkify.dim_users' ->
    'model dim_users'; a unit test keeps its model: 'unit_test dim_users.some_case'."""
    kind, _package, *rest = unique_id.split(".")
    if kind == "test" and len(rest) > 1 and len(rest[-1]) == 10:
        rest = rest[:-1]  # the hash dbt appends to generic test names
    return f"{kind} {'.'.join(rest)}"
