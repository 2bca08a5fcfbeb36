"""The ledger of loads: the SQL of load_runs (one row per run) and loaded_files (one per file).

The raw tables themselves are written by COPY (sparkify.loader.pgcopy); this module
keeps the books that make a rerun skip what it already holds.
"""

from __future__ import annotations

import psycopg
from psycopg import sql

from sparkify.errors import LoadIntegrityError
from sparkify.loader.discover import IgnoredPath
from sparkify.loader.results import FileResult, PreviousLoad, RawTotals, RunStatus, RunSummary


def start_run(conn: psycopg.Connection, schema: str, data_dir: str) -> int:
    """Open a run in load_runs (status 'running'); return its load_id."""
    row = conn.execute(
        sql.SQL("insert into {}.load_runs (data_dir) values (%s) returning load_id").format(
            sql.Identifier(schema)
        ),
        [data_dir],
    ).fetchone()
    if row is None:  # "returning" always gives a row; said for the type checker's sake
        raise LoadIntegrityError(f"Postgres opened no run in {schema}.load_runs; rerun")
    return int(row[0])


def close_abandoned_runs(conn: psycopg.Connection, schema: str) -> None:
    """Runs still 'running' when we hold the load lock died without saying so (kill -9, a
    crash): close them as 'interrupted' with what they committed, as loaded_files shows it
    (a file version it replaced counts as loaded: the ledger does not keep which it was)."""
    conn.execute(
        sql.SQL(
            """
            update {runs} as r set
                status = 'interrupted', finished_at = clock_timestamp(),
                files_loaded = committed.files, records_loaded = committed.records_loaded,
                records_rejected = committed.records_rejected,
                blank_lines = committed.blank_lines
            from (
                select
                    dead.load_id,
                    count(f.source_file) as files,
                    coalesce(sum(f.records_loaded), 0) as records_loaded,
                    coalesce(sum(f.records_rejected), 0) as records_rejected,
                    coalesce(sum(f.blank_lines), 0) as blank_lines
                from {runs} as dead
                left join {files} as f on f.load_id = dead.load_id
                where dead.status = 'running'
                group by dead.load_id
            ) as committed
            where r.load_id = committed.load_id
            """
        ).format(
            runs=sql.Identifier(schema, "load_runs"), files=sql.Identifier(schema, "loaded_files")
        )
    )


def finish_run(
    conn: psycopg.Connection,
    summary: RunSummary,
    status: RunStatus,
) -> None:
    """Close the run in load_runs with its status and totals."""
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


def record_ignored(
    conn: psycopg.Connection, schema: str, ignored: list[IgnoredPath], load_id: int
) -> None:
    """One ignored_files row per path the run did not read, with the reason."""
    if not ignored:
        return
    with conn.cursor() as cursor:
        cursor.executemany(
            sql.SQL(
                "insert into {} (load_id, source_name, source_file, reason) values (%s, %s, %s, %s)"
            ).format(sql.Identifier(schema, "ignored_files")),
            [(load_id, path.source, path.relative, path.reason) for path in ignored],
        )


def previous_loads(conn: psycopg.Connection, schema: str) -> dict[str, PreviousLoad]:
    """Every file loaded so far, by relative path: what a run compares its files with."""
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


def raw_totals(conn: psycopg.Connection, schema: str = "raw") -> RawTotals | None:
    """What the raw schema holds now, over all loads; None when it holds no loads yet."""
    exists = conn.execute("select to_regclass(%s)", [f"{schema}.loaded_files"]).fetchone()
    if not exists or exists[0] is None:
        return None
    row = conn.execute(
        sql.SQL(
            "select count(*), coalesce(sum(records_loaded), 0), coalesce(sum(records_rejected), 0) "
            "from {}.loaded_files"
        ).format(sql.Identifier(schema))
    ).fetchone()
    return RawTotals(*row) if row else RawTotals(0, 0, 0)
