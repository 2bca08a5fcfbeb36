"""Benchmarks: the loader against a bare COPY of the same bytes, and dbt build times.

Every measured command runs as its own process, so wall time and peak RSS
(from wait4) are the figures a user would see.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from sparkify import db
from sparkify.checks.project import executable, model_seconds
from sparkify.errors import CheckFailed
from sparkify.loader.discover import discover_files
from sparkify.settings import ConnectionSettings

# CSV with quote and delimiter bytes that never occur in JSON text: each line
# reaches jsonb untouched, which is the cheapest way to land JSON Lines at all.
BARE_COPY = (
    "copy bare_copy (record) from stdin with (format csv, quote e'\\x01', delimiter e'\\x02')"
)


@dataclass(frozen=True)
class Measurement:
    label: str
    seconds: float
    peak_rss_mb: float

    def rates(self, records: int, data_bytes: int) -> str:
        return (
            f"{self.label:<22} {self.seconds:8.2f} s  {records / self.seconds:>11,.0f} rec/s  "
            f"{data_bytes / self.seconds / 1e6:7.1f} MB/s  peak RSS {self.peak_rss_mb:6.1f} MB"
        )


def measure(label: str, command: list[str], env: dict[str, str], cwd: Path) -> Measurement:
    """Run a command to completion; its wall time and peak resident memory."""
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, cwd=cwd, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise CheckFailed(f"{label} failed (exit {process.returncode}): {' '.join(command)}")
    return Measurement(label, seconds, usage.ru_maxrss / 1024)  # ru_maxrss is in KiB


def generate_dataset(directory: Path, events: int, days: int, seed: int = 7) -> None:
    marker = directory / ".complete"
    if marker.exists():
        return
    print(f"generating {events:,} events into {directory} ...", flush=True)
    subprocess.run(
        [
            executable("sparkify-generate"), "--out", str(directory),
            "--events", str(events), "--days", str(days), "--users", str(max(100, events // 1000)),
            "--songs", str(max(500, events // 200)), "--seed", str(seed), "--force",
        ],
        check=True,
    )  # fmt: skip
    marker.touch()


def bare_copy(settings: ConnectionSettings, data_dir: Path) -> int:
    """COPY every input line into a one-column jsonb table, no validation; rows copied."""
    rows = 0
    with db.connect(settings, autocommit=True) as conn:
        conn.execute("drop table if exists bare_copy")
        conn.execute("create table bare_copy (record jsonb not null)")
        for source_file in discover_files(data_dir):
            with conn.transaction(), conn.cursor() as cursor:
                with cursor.copy(BARE_COPY) as copy, open(source_file.path, "rb") as handle:
                    while block := handle.read(256 * 1024):
                        copy.write(block)
                rows += cursor.rowcount
    return rows


def dataset_size(data_dir: Path) -> tuple[int, int]:
    """(records, bytes): one record per song file, one per log line."""
    records = data_bytes = 0
    for source_file in discover_files(data_dir):
        data_bytes += source_file.path.stat().st_size
        if source_file.source == "song_data":
            records += 1
        else:
            with open(source_file.path, "rb") as handle:
                records += sum(1 for _ in handle)
    return records, data_bytes


def vacuum_all(settings: ConnectionSettings) -> None:
    # Start each measured step from the same state: no dirty pages, fresh statistics.
    with db.connect(settings, autocommit=True) as conn:
        conn.execute("checkpoint")
        conn.execute("vacuum analyze")


def table_count(settings: ConnectionSettings, table: str) -> int:
    with db.connect(settings) as conn:
        row = conn.execute(f"select count(*) from {table}").fetchone()
        return int(row[0]) if row else 0


def forget_file(settings: ConnectionSettings, relative: str) -> None:
    """Remove one loaded log file from raw, as if it had never been loaded."""
    with db.connect(settings, autocommit=True) as conn, conn.transaction():
        conn.execute("delete from raw.log_data where _source_file = %s", [relative])
        conn.execute("delete from raw.loaded_files where source_file = %s", [relative])


TARGET_RATIO = 0.7
TARGET_RSS_MB = 150


def bench_loader(
    project: Path, server: ConnectionSettings, data_dir: Path
) -> tuple[ConnectionSettings, int]:
    """The loader against a bare COPY of the same files; prints the figures and returns the
    loader's database (kept for the dbt benchmark) and the record count."""
    records, data_bytes = dataset_size(data_dir)
    print(f"dataset: {data_dir} ({records:,} records, {data_bytes / 1e6:,.1f} MB)", flush=True)
    loader_db = db.recreate_database(server, "sparkify_bench")
    bare_db = db.recreate_database(server, "sparkify_bench_bare")
    bare_step = [sys.executable, "-m", "sparkify.cli.bench", "--bare-copy", str(data_dir)]
    bare = measure("bare COPY (jsonb)", bare_step, bare_db.env(), project)
    vacuum_all(bare_db)
    load = [executable("sparkify-load"), "--data-dir", str(data_dir), "--no-progress"]
    loader = measure("load_raw.py", load, loader_db.env(), project)
    landed = table_count(loader_db, "raw.log_data") + table_count(loader_db, "raw.song_data")
    if landed != records or table_count(bare_db, "bare_copy") != records:
        raise CheckFailed(
            f"expected {records:,} rows in both databases, the loader's has {landed:,}"
        )
    db.drop_database(server, bare_db.database)

    print()
    print(loader.rates(records, data_bytes))
    print(bare.rates(records, data_bytes))
    print(
        f"loader / bare COPY throughput: {bare.seconds / loader.seconds:.2f}x "
        f"(target >= {TARGET_RATIO}x)"
    )
    print(f"loader peak RSS: {loader.peak_rss_mb:.0f} MB (target < {TARGET_RSS_MB} MB)")
    return loader_db, records


def bench_dbt(project: Path, settings: ConnectionSettings, data_dir: Path, work: Path) -> None:
    """dbt build, fct_songplays full refresh, and an incremental run after one more day."""
    dbt = executable("dbt")
    target = work / "target"
    env = settings.env()
    env.update(
        DBT_PROFILES_DIR=str(project),
        DBT_TARGET_PATH=str(target),
        DBT_LOG_PATH=str(work / "logs"),
        DBT_SEND_ANONYMOUS_USAGE_STATS="false",
    )
    # Unload the last day so that loading it again is "one more day" for dbt.
    last_day = sorted((data_dir / "log_data").rglob("*.json"))[-1].relative_to(data_dir)
    forget_file(settings, last_day.as_posix())
    vacuum_all(settings)

    def timed_dbt(label: str, *args: str) -> tuple[float, float]:
        step = measure(label, [dbt, *args, "-q"], env, project)
        return step.seconds, model_seconds(target)

    steps = {"dbt build": timed_dbt("dbt build", "build", "--full-refresh")}
    steps["fct_songplays full refresh"] = timed_dbt(
        "fct_songplays full refresh", "run", "--select", "fct_songplays", "--full-refresh"
    )
    load_day = [executable("sparkify-load"), "--data-dir", str(data_dir), "--no-progress"]
    measure("load one more day", load_day, env, project)
    steps["fct_songplays incremental"] = timed_dbt(
        "fct_songplays incremental", "run", "--select", "fct_songplays"
    )
    print()
    print(f"{'dbt step':<28} {'wall':>9} {'in the database':>16}")
    for label, (wall, database) in steps.items():
        print(f"{label:<28} {wall:8.2f}s {database:15.2f}s")
    incremental_wall, incremental_db = steps["fct_songplays incremental"]
    print(
        f"incremental run / full dbt build: {incremental_wall / steps['dbt build'][0]:.0%} "
        "(target < 20%)"
    )
    print(
        "incremental / full refresh of fct_songplays, in the database: "
        f"{incremental_db / steps['fct_songplays full refresh'][1]:.0%}"
    )
