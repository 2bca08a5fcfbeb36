"""Rejects are visible in the warehouse: a drifting source fails dbt's build, per source."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import REPO_ROOT, dbt_env, run_script

from sparkify.db import create_database, drop_database
from sparkify.settings import ConnectionSettings


def dbt(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    """dbt as a user runs it; the exit code is the test's to judge."""
    dbt_binary = Path(sys.executable).with_name("dbt")
    return subprocess.run(
        [str(dbt_binary), *args], capture_output=True, text=True, env=env, cwd=REPO_ROOT
    )


@pytest.fixture
def drifted(
    pg_settings: ConnectionSettings, real_data: Path, tmp_path: Path
) -> tuple[dict[str, str], int, int]:
    """The real dataset with one day whose userIds arrived as JSON numbers, loaded with
    the loader's own gate opened (--max-reject-share 1), in a database of its own.
    Returns dbt's environment, that day's records and how many of them broke."""
    settings = replace(pg_settings, database=f"{pg_settings.database}_drift")
    drop_database(pg_settings, settings.database)
    create_database(settings)
    data = shutil.copytree(real_data, tmp_path / "data")
    day = sorted((data / "log_data").rglob("*.json"))[0]
    events = [json.loads(text) for text in day.read_text().splitlines() if text.strip()]
    drifted = [dict(e, userId=int(e["userId"])) if e["userId"] else e for e in events]
    day.write_text("".join(json.dumps(e) + "\n" for e in drifted))
    broken = sum(1 for e in events if e["userId"])
    loaded = run_script(
        "load_raw.py", "--data-dir", str(data), "--max-reject-share", "1", settings=settings
    )
    assert loaded.returncode == 0, loaded.stderr
    yield dbt_env(settings, tmp_path / "dbt"), len(events), broken
    drop_database(pg_settings, settings.database)


def test_a_drifted_day_fails_the_build_and_any_reject_warns(
    drifted: tuple[dict[str, str], int, int],
) -> None:
    env, records, broken = drifted
    assert broken / records > 0.05  # the day is mostly logged-in events
    select = ("--select", "stg_sparkify__loaded_files", "--indirect-selection", "cautious")
    result = dbt(env, "build", *select)
    assert result.returncode == 1, result.stdout[-3000:]
    assert "Failure in test log_data_files_reject_at_most_max_reject_share" in result.stdout
    assert "Warning in test log_data_files_reject_nothing" in result.stdout
    assert "Failure in test song_data" not in result.stdout  # the songs are fine
    assert "Warning in test song_data" not in result.stdout

    tolerant = dbt(
        env, "build", *select,
        "--vars", "{max_reject_share: 1}",
    )  # fmt: skip
    assert tolerant.returncode == 0, tolerant.stdout[-3000:]
    assert "Warning in test log_data_files_reject_nothing" in tolerant.stdout
