"""Account for a run: what happened to every file and record, in the database and on screen."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Literal

import psycopg
from psycopg import sql

FileStatus = Literal["loaded", "replaced", "skipped", "failed"]


@dataclass(frozen=True)
class PreviousLoad:
    sha256: str
    loaded_at: object  # a datetime, compared only for equality with stored rows


@dataclass(frozen=True)
class FileResult:
    relative: str
    status: FileStatus
    records_loaded: int = 0
    records_rejected: int = 0
    blank_lines: int = 0
    file_bytes: int = 0
    error: str | None = None


@dataclass
class RunSummary:
    load_id: int
    schema: str
    data_dir: str
    files_seen: int
    results: list[FileResult] = field(default_factory=list)
    started: float = field(default_factory=time.monotonic)
    elapsed: float = 0.0

    def count(self, status: FileStatus) -> int:
        return sum(1 for result in self.results if result.status == status)

    @property
    def records_loaded(self) -> int:
        return sum(result.records_loaded for result in self.results)

    @property
    def records_rejected(self) -> int:
        return sum(result.records_rejected for result in self.results)

    @property
    def blank_lines(self) -> int:
        return sum(result.blank_lines for result in self.results)

    @property
    def bytes_read(self) -> int:
        return sum(r.file_bytes for r in self.results if r.status in ("loaded", "replaced"))

    @property
    def failures(self) -> list[FileResult]:
        return [result for result in self.results if result.status == "failed"]

    def finish(self) -> None:
        self.elapsed = time.monotonic() - self.started

    def report_lines(self) -> list[str]:
        """The closing summary: files, records, and the proof that nothing was dropped."""
        records = self.records_loaded + self.records_rejected
        seconds = max(self.elapsed, 1e-9)
        lines = [
            f"load {self.load_id} into schema {self.schema} from {self.data_dir}: "
            f"{self.elapsed:.1f} s",
            f"  files:   {self.files_seen:,} found: {self.count('loaded'):,} loaded, "
            f"{self.count('replaced'):,} replaced (content changed), "
            f"{self.count('skipped'):,} skipped (unchanged), {self.count('failed'):,} failed",
            f"  records: {records:,} read: {self.records_loaded:,} loaded, "
            f"{self.records_rejected:,} rejected; {self.blank_lines:,} blank lines skipped",
            f"  speed:   {records / seconds:,.0f} records/s, "
            f"{self.bytes_read / seconds / 1e6:,.1f} MB/s",
        ]
        if self.records_rejected:
            lines.append(
                f"  rejects: see {self.schema}.rejected_records where load_id = {self.load_id}"
            )
        return lines


def start_run(conn: psycopg.Connection, schema: str, data_dir: str) -> int:
    row = conn.execute(
        sql.SQL("insert into {}.load_runs (data_dir) values (%s) returning load_id").format(
            sql.Identifier(schema)
        ),
        [data_dir],
    ).fetchone()
    assert row is not None
    return int(row[0])


def close_abandoned_runs(conn: psycopg.Connection, schema: str) -> None:
    """Runs still 'running' when we hold the load lock died without saying so."""
    conn.execute(
        sql.SQL(
            "update {}.load_runs set status = 'interrupted', finished_at = clock_timestamp() "
            "where status = 'running'"
        ).format(sql.Identifier(schema))
    )


def finish_run(
    conn: psycopg.Connection,
    summary: RunSummary,
    status: Literal["completed", "failed", "interrupted"],
) -> None:
    conn.execute(
        sql.SQL(
            """
            update {}.load_runs set
                status = %s, finished_at = clock_timestamp(),
                files_loaded = %s, files_replaced = %s, files_skipped = %s,
                records_loaded = %s, records_rejected = %s, blank_lines = %s
            where load_id = %s
            """
        ).format(sql.Identifier(summary.schema)),
        [
            status,
            summary.count("loaded"),
            summary.count("replaced"),
            summary.count("skipped"),
            summary.records_loaded,
            summary.records_rejected,
            summary.blank_lines,
            summary.load_id,
        ],
    )


def previous_loads(conn: psycopg.Connection, schema: str) -> dict[str, PreviousLoad]:
    rows = conn.execute(
        sql.SQL("select source_file, file_sha256, loaded_at from {}.loaded_files").format(
            sql.Identifier(schema)
        )
    ).fetchall()
    return {path: PreviousLoad(sha256=sha, loaded_at=at) for path, sha, at in rows}


def record_loaded_files(
    cursor: psycopg.Cursor,
    schema: str,
    files: list[tuple[str, str, FileResult]],
    load_id: int,
) -> None:
    """Upsert one loaded_files row per (source, sha256, result); pipelined by psycopg."""
    cursor.executemany(
        sql.SQL(
            """
            insert into {}.loaded_files as f (
                source_file, source_name, file_sha256, file_bytes,
                records_loaded, records_rejected, blank_lines, load_id, loaded_at
            ) values (%s, %s, %s, %s, %s, %s, %s, %s, now())
            on conflict (source_file) do update set
                source_name = excluded.source_name,
                file_sha256 = excluded.file_sha256,
                file_bytes = excluded.file_bytes,
                records_loaded = excluded.records_loaded,
                records_rejected = excluded.records_rejected,
                blank_lines = excluded.blank_lines,
                load_id = excluded.load_id,
                loaded_at = excluded.loaded_at
            """
        ).format(sql.Identifier(schema)),
        [
            (
                result.relative,
                source,
                sha256,
                result.file_bytes,
                result.records_loaded,
                result.records_rejected,
                result.blank_lines,
                load_id,
            )
            for source, sha256, result in files
        ],
    )


def raw_totals(conn: psycopg.Connection, schema: str = "raw") -> str:
    """One line: what the raw schema holds now, over all loads."""
    exists = conn.execute("select to_regclass(%s)", [f"{schema}.loaded_files"]).fetchone()
    if not exists or exists[0] is None:
        return f"schema {schema} holds no loads yet: run make load"
    row = conn.execute(
        sql.SQL(
            "select count(*), coalesce(sum(records_loaded), 0), coalesce(sum(records_rejected), 0) "
            "from {}.loaded_files"
        ).format(sql.Identifier(schema))
    ).fetchone()
    files, loaded, rejected = row if row else (0, 0, 0)
    return (
        f"schema {schema} holds {files:,} files: {loaded:,} records loaded, "
        f"{rejected:,} rejected (see {schema}.rejected_records)"
    )
