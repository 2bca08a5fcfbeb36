"""The ledger on Spark: load_runs and loaded_files, each rewritten whole and switched at once.

Both tables are small (a row per run, a row per file), so the driver reads them and
writes the next version (storage.Store.replace_table). loaded_files is the visibility
rule's source of truth: a row of log_data, song_data or rejected_records counts only
when its (file, load id) is registered here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sparkify.loader.discover import IgnoredPath
from sparkify.loader.results import RunStatus, RunSummary
from sparkify.loader.spark.schema import (
    IGNORED_FILES_COLUMNS,
    LOAD_RUNS_COLUMNS,
    LOADED_FILES_COLUMNS,
)
from sparkify.loader.spark.storage import Store
from sparkify.loader.spark.tasks import Figures

if TYPE_CHECKING:
    from pyspark.sql import Row

CLOSED = ("completed", "failed")  # a run closed so has removed every unregistered row


@dataclass(frozen=True)
class Registered:
    """What loaded_files says of a file: the version that is current."""

    sha256: str
    load_id: int


def read_runs(store: Store) -> list[dict[str, Any]]:
    rows = store.spark.table(store.name("load_runs")).collect()
    return sorted((row.asDict() for row in rows), key=lambda run: run["load_id"])


def write_runs(store: Store, runs: list[dict[str, Any]]) -> None:
    names = [column.split()[0] for column in LOAD_RUNS_COLUMNS.split(", ")]
    frame = store.spark.createDataFrame(
        [tuple(run[name] for name in names) for run in runs], LOAD_RUNS_COLUMNS
    )
    store.replace_table("load_runs", frame)


def close_abandoned_runs(store: Store, runs: list[dict[str, Any]], now: datetime) -> bool:
    """Runs still 'running' while we hold the load lock died without saying so: close them
    as 'interrupted' with what they registered in loaded_files (a run registers its files
    at its end, all at once: a run killed before that committed nothing)."""
    dead = [run for run in runs if run["status"] == "running"]
    if not dead:
        return False
    committed = {
        row["load_id"]: row.asDict()
        for row in store.spark.sql(
            f"select load_id, count(*) as files, sum(records_loaded) as records_loaded, "
            f"sum(records_rejected) as records_rejected, sum(blank_lines) as blank_lines "
            f"from {store.name('loaded_files')} group by load_id"
        ).collect()
    }
    nothing = dict(files=0, records_loaded=0, records_rejected=0, blank_lines=0)
    for run in dead:
        figures = committed.get(run["load_id"], nothing)
        run.update(
            status="interrupted", finished_at=now, files_loaded=figures["files"],
            records_loaded=figures["records_loaded"],
            records_rejected=figures["records_rejected"], blank_lines=figures["blank_lines"],
        )  # fmt: skip
    return True


def needs_cleanup(runs: list[dict[str, Any]]) -> bool:
    """True when a run was interrupted after the last run that closed cleanly."""
    last_closed = max((run["load_id"] for run in runs if run["status"] in CLOSED), default=0)
    return any(run["status"] not in CLOSED and run["load_id"] > last_closed for run in runs)


def new_run(load_id: int, data_dir: str, started: datetime) -> dict[str, Any]:
    return dict(
        load_id=load_id, data_dir=data_dir, started_at=started, finished_at=None,
        status="running", files_loaded=0, files_replaced=0, files_skipped=0,
        records_loaded=0, records_rejected=0, blank_lines=0,
    )  # fmt: skip


def close_run(run: dict[str, Any], summary: RunSummary, status: RunStatus, now: datetime) -> None:
    run.update(
        status=status, finished_at=now,
        files_loaded=summary.count("loaded"), files_replaced=summary.count("replaced"),
        files_skipped=summary.count("skipped"), records_loaded=summary.records_loaded,
        records_rejected=summary.records_rejected, blank_lines=summary.blank_lines,
    )  # fmt: skip


def registered_files(store: Store) -> dict[str, Registered]:
    rows: list[Row] = (
        store.spark.table(store.name("loaded_files"))
        .select("source_file", "file_sha256", "load_id")
        .collect()
    )
    return {row[0]: Registered(row[1], int(row[2])) for row in rows}


def register_files(store: Store, figures: list[Figures], load_id: int, loaded_at: datetime) -> None:
    """The new ledger: earlier rows of other files, plus a row per file version landed now."""
    spark = store.spark
    rows = [
        (f.relative, f.source, f.sha256, f.file_bytes, f.records_loaded, f.records_rejected,
         f.blank_lines, load_id, loaded_at)
        for f in figures
    ]  # fmt: skip
    landed = spark.createDataFrame(rows, LOADED_FILES_COLUMNS)
    earlier = spark.table(store.name("loaded_files")).join(
        landed.select("source_file"), "source_file", "left_anti"
    )
    store.replace_table("loaded_files", earlier.unionByName(landed))


def record_ignored(
    store: Store, ignored: list[IgnoredPath], load_id: int, ignored_at: datetime
) -> None:
    """Earlier runs' ignored_files rows, plus one per path this run did not read."""
    if not ignored:
        return
    spark = store.spark
    rows = [(load_id, path.source, path.relative, path.reason, ignored_at) for path in ignored]
    now = spark.createDataFrame(rows, IGNORED_FILES_COLUMNS)
    earlier = spark.table(store.name("ignored_files"))
    store.replace_table("ignored_files", earlier.unionByName(now))
