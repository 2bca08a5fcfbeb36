"""Benchmarks: the loader against a bare COPY of the same bytes, and dbt build times.

Every measured command runs as its own process, so wall time and peak RSS
(from wait4) are the figures a user would see.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path

import psycopg

from sparkify import db
from sparkify.discover import discover_files
from sparkify.settings import ConnectionSettings

REPO_ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = REPO_ROOT / "scripts"

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


def measure(label: str, command: list[str], env: dict[str, str]) -> Measurement:
    """Run a command to completion; its wall time and peak resident memory."""
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, cwd=REPO_ROOT, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"bench: {label} failed (exit {process.returncode}): {' '.join(command)}")
    return Measurement(label, seconds, usage.ru_maxrss / 1024)  # ru_maxrss is in KiB


def generate_dataset(directory: Path, events: int, days: int, seed: int = 7) -> None:
    marker = directory / ".complete"
    if marker.exists():
        return
    print(f"generating {events:,} events into {directory} ...", flush=True)
    subprocess.run(
        [
            sys.executable, str(SCRIPTS / "generate_data.py"), "--out", str(directory),
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


def fresh_database(server: ConnectionSettings, name: str) -> ConnectionSettings:
    db.drop_database(server, name)
    settings = replace(server, database=name)
    db.create_database(settings)
    return settings


def vacuum_all(settings: ConnectionSettings) -> None:
    # Start each measured step from the same state: no dirty pages, fresh statistics.
    with db.connect(settings, autocommit=True) as conn:
        conn.execute("checkpoint")
        conn.execute("vacuum analyze")


def table_count(settings: ConnectionSettings, table: str) -> int:
    with psycopg.connect(settings.conninfo()) as conn:
        row = conn.execute(f"select count(*) from {table}").fetchone()
        return int(row[0]) if row else 0


def forget_file(settings: ConnectionSettings, relative: str) -> None:
    """Remove one loaded log file from raw, as if it had never been loaded."""
    with db.connect(settings, autocommit=True) as conn, conn.transaction():
        conn.execute("delete from raw.log_data where _source_file = %s", [relative])
        conn.execute("delete from raw.loaded_files where source_file = %s", [relative])
