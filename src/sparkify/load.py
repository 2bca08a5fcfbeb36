"""Load a data directory into the raw schema: COPY streams, whole files per transaction.

For every file: hash it; skip it when that path was loaded with that content;
otherwise, in one transaction, delete what an earlier version of the file left,
COPY its valid records and then its rejects, and record the file in
``loaded_files``. Log files get a transaction each; song files (one small record
each) share one, up to SONG_FILES_PER_TRANSACTION whole files. A crash at any point
leaves each file fully loaded or not at all.
"""

from __future__ import annotations

import hashlib
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import psycopg
from psycopg import sql

from sparkify import accounting, pgcopy
from sparkify.accounting import FileResult, PreviousLoad, RunSummary
from sparkify.contract import CONTRACTS
from sparkify.db import connect
from sparkify.discover import SourceFile, discover_files
from sparkify.errors import DatabaseUnavailable, SparkifyError
from sparkify.progress import Progress
from sparkify.records import Blank, Parsed, Record, Reject, parse_document, parse_lines
from sparkify.settings import ConnectionSettings

PROGRESS_EVERY_LINES = 5000
SONG_FILES_PER_TRANSACTION = 500
REJECT_SPOOL_BYTES = 8 * 1024 * 1024  # rejects beyond this spill to a temp file


class FileChangedWhileLoading(Exception):
    pass


@dataclass
class _Counts:
    loaded: int = 0
    rejected: int = 0
    blank: int = 0


def load_data_dir(
    settings: ConnectionSettings, data_dir: Path, schema: str = "raw", progress: bool | None = None
) -> RunSummary:
    """Load every input file under data_dir; return the run's summary."""
    files = discover_files(data_dir)
    meter = Progress(len(files), enabled=progress)
    try:
        with connect(settings, autocommit=True) as conn:
            return _load_files(conn, files, data_dir, schema, meter)
    except psycopg.OperationalError as exc:
        raise DatabaseUnavailable(
            f"lost the connection to Postgres while loading {meter.current or data_dir} "
            f"({_first_line(exc)}); files committed before it are kept: rerun to finish"
        ) from None
    except psycopg.Error as exc:
        raise SparkifyError(
            f"Postgres refused the load of {meter.current or data_dir}: {_first_line(exc)}"
        ) from None
    finally:
        meter.close()


def _first_line(exc: Exception) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def _load_files(
    conn: psycopg.Connection, files: list[SourceFile], data_dir: Path, schema: str, meter: Progress
) -> RunSummary:
    pgcopy.create_raw_schema(conn, schema)
    with _exclusive_load(conn, schema):
        accounting.close_abandoned_runs(conn, schema)
        load_id = accounting.start_run(conn, schema, str(data_dir))
        summary = RunSummary(load_id, schema, str(data_dir), files_seen=len(files))
        try:
            previous = accounting.previous_loads(conn, schema)
            for batch in _batches(files):
                meter.start_file(_describe_batch(batch))
                if batch[0].source == "song_data":
                    results = load_song_files(conn, batch, schema, load_id, previous)
                else:
                    results = [load_file(conn, batch[0], schema, load_id, previous, meter)]
                summary.results.extend(results)
                meter.finish_files(len(batch))
        except BaseException:
            # Ctrl-C or a lost connection: committed files stay, the current one rolls back.
            summary.finish()
            _record_interruption(conn, summary)
            raise
        summary.finish()
        accounting.finish_run(conn, summary, "failed" if summary.failures else "completed")
    return summary


def _record_interruption(conn: psycopg.Connection, summary: RunSummary) -> None:
    # The connection itself may be what failed; then the next run closes this one.
    with suppress(psycopg.Error):
        accounting.finish_run(conn, summary, "interrupted")


@contextmanager
def _exclusive_load(conn: psycopg.Connection, schema: str) -> Iterator[None]:
    """Hold a session advisory lock so two loaders never load the same schema at once."""
    key = f"sparkify.load_raw.{schema}"
    row = conn.execute("select pg_try_advisory_lock(hashtext(%s))", [key]).fetchone()
    if not (row and row[0]):
        print(
            f"another load into schema {schema} is running; waiting for it to finish "
            "(Ctrl-C to give up)",
            file=sys.stderr,
            flush=True,
        )
        conn.execute("select pg_advisory_lock(hashtext(%s))", [key])
    try:
        yield
    finally:
        if not conn.closed and not conn.broken:
            conn.execute("select pg_advisory_unlock(hashtext(%s))", [key])


def _describe_batch(batch: list[SourceFile]) -> str:
    if len(batch) == 1:
        return batch[0].relative
    return f"{len(batch)} song files from {batch[0].relative} to {batch[-1].relative}"


def _batches(files: list[SourceFile]) -> Iterator[list[SourceFile]]:
    """Log files one at a time; song files (one small record each) in batches."""
    batch: list[SourceFile] = []
    for source_file in files:
        if source_file.source == "song_data":
            batch.append(source_file)
            if len(batch) == SONG_FILES_PER_TRANSACTION:
                yield batch
                batch = []
            continue
        if batch:
            yield batch
            batch = []
        yield [source_file]
    if batch:
        yield batch


@dataclass(frozen=True)
class _SongFile:
    source_file: SourceFile
    sha256: str
    size: int
    earlier: PreviousLoad | None
    parsed: Parsed


def load_song_files(
    conn: psycopg.Connection,
    files: list[SourceFile],
    schema: str,
    load_id: int,
    previous: dict[str, PreviousLoad],
) -> list[FileResult]:
    """Load whole song files, many per transaction: a transaction per tiny file would
    cost more than the file. Each file is still loaded entirely or not at all."""
    results: list[FileResult] = []
    pending: list[_SongFile] = []
    for source_file in files:
        relative = source_file.relative
        try:
            # Read once: the bytes hashed are the bytes parsed.
            content = source_file.path.read_bytes()
        except OSError as exc:
            results.append(FileResult(relative, "failed", error=_unreadable(relative, exc)))
            continue
        sha256 = hashlib.sha256(content).hexdigest()
        earlier = previous.get(relative)
        if earlier is not None and earlier.sha256 == sha256:
            results.append(FileResult(relative, "skipped", file_bytes=len(content)))
            continue
        parsed = parse_document(content, CONTRACTS["song_data"])
        pending.append(_SongFile(source_file, sha256, len(content), earlier, parsed))
    if not pending:
        return results

    records, rejects, loaded = [], [], []
    for song in pending:
        file_rows = _FileRows(song.source_file, song.sha256, load_id)
        if isinstance(song.parsed, Record):
            records.append(file_rows.record(song.parsed))
        elif isinstance(song.parsed, Reject):
            rejects.append(file_rows.reject(song.parsed))
        counts = (
            int(isinstance(song.parsed, Record)),
            int(isinstance(song.parsed, Reject)),
            int(isinstance(song.parsed, Blank)),
        )
        status = "loaded" if song.earlier is None else "replaced"
        result = FileResult(song.source_file.relative, status, *counts, song.size)
        loaded.append((song.source_file.source, song.sha256, result))

    with conn.transaction(), conn.cursor() as cursor:
        for song in pending:
            if song.earlier is not None:
                _delete_earlier_version(cursor, schema, song.source_file, song.earlier)
        copied = pgcopy.copy_rows(
            cursor, pgcopy.copy_statement(schema, "song_data", pgcopy.RECORD_COLUMNS), records
        )
        rejected = 0
        if rejects:
            reject_table = pgcopy.copy_statement(schema, "rejected_records", pgcopy.REJECT_COLUMNS)
            rejected = pgcopy.copy_rows(cursor, reject_table, rejects)
        _check_stored(f"{len(pending)} song files", len(records), len(rejects), copied, rejected)
        accounting.record_loaded_files(cursor, schema, loaded, load_id)
    return results + [result for _, _, result in loaded]


def _unreadable(relative: str, exc: OSError) -> str:
    return f"cannot read {relative}: {exc.strerror}"


def _check_stored(what: str, records: int, rejects: int, copied: int, rejected: int) -> None:
    # Postgres's own row counts must match what was parsed: the proof nothing was dropped.
    if (copied, rejected) != (records, rejects):
        raise AssertionError(
            f"{what}: parsed {records} + {rejects} records, Postgres stored {copied} + {rejected}"
        )


class _FileRows:
    """COPY rows (text format) for one file version's records and rejects."""

    def __init__(self, source_file: SourceFile, sha256: str, load_id: int):
        path_text = pgcopy.encode_text(source_file.relative)
        self._record_suffix = b"\t%s\t%s\t%d\n" % (path_text, sha256.encode("ascii"), load_id)
        self._reject_prefix = b"%s\t%s\t" % (source_file.source.encode("ascii"), path_text)
        self._reject_suffix = b"\t%d\n" % load_id

    def record(self, record: Record) -> bytes:
        return pgcopy.escape_text(record.text) + b"\t%d" % record.line + self._record_suffix

    def reject(self, reject: Reject) -> bytes:
        raw_text = reject.raw.decode("utf-8", "backslashreplace")
        fields = (
            b"%d" % reject.line,
            pgcopy.encode_text(reject.reason),
            pgcopy.encode_text(raw_text),
            pgcopy.bytea_text(reject.raw),
        )
        return self._reject_prefix + b"\t".join(fields) + self._reject_suffix


def file_sha256(path: Path) -> tuple[str, int]:
    with open(path, "rb") as handle:
        digest = hashlib.file_digest(handle, "sha256")
        return digest.hexdigest(), handle.tell()


def load_file(
    conn: psycopg.Connection,
    source_file: SourceFile,
    schema: str,
    load_id: int,
    previous: dict[str, PreviousLoad],
    meter: Progress,
) -> FileResult:
    relative = source_file.relative
    try:
        sha256, size = file_sha256(source_file.path)
    except OSError as exc:
        return FileResult(relative, "failed", error=_unreadable(relative, exc))
    earlier = previous.get(relative)
    if earlier is not None and earlier.sha256 == sha256:
        return FileResult(relative, "skipped", file_bytes=size)

    try:
        with conn.transaction(), conn.cursor() as cursor:
            if earlier is not None:
                _delete_earlier_version(cursor, schema, source_file, earlier)
            counts = _copy_file(cursor, source_file, schema, load_id, sha256, meter)
            status = "replaced" if earlier is not None else "loaded"
            result = FileResult(
                relative, status, counts.loaded, counts.rejected, counts.blank, size
            )
            accounting.record_loaded_files(
                cursor, schema, [(source_file.source, sha256, result)], load_id
            )
    except OSError as exc:
        return FileResult(relative, "failed", error=_unreadable(relative, exc))
    except FileChangedWhileLoading:
        return FileResult(
            relative, "failed", error=f"{relative} changed while it was being loaded; rerun"
        )
    return result


def _delete_earlier_version(
    cursor: psycopg.Cursor, schema: str, source_file: SourceFile, earlier: PreviousLoad
) -> None:
    # All rows of one file version share its transaction's _loaded_at (BRIN-indexed).
    cursor.execute(
        sql.SQL("delete from {}.{} where _loaded_at = %s and _source_file = %s").format(
            sql.Identifier(schema), sql.Identifier(source_file.source)
        ),
        [earlier.loaded_at, source_file.relative],
    )
    cursor.execute(
        sql.SQL("delete from {}.rejected_records where source_file = %s").format(
            sql.Identifier(schema)
        ),
        [source_file.relative],
    )


def _copy_file(
    cursor: psycopg.Cursor,
    source_file: SourceFile,
    schema: str,
    load_id: int,
    sha256: str,
    meter: Progress,
) -> _Counts:
    """COPY a file's records, then its rejects; check the file did not change meanwhile."""
    rows = _FileRows(source_file, sha256, load_id)
    counts = _Counts()
    hasher = hashlib.sha256()

    with (
        open(source_file.path, "rb") as handle,
        tempfile.SpooledTemporaryFile(max_size=REJECT_SPOOL_BYTES) as rejects,
    ):

        def record_rows() -> Iterator[bytes]:
            pending = 0
            for parsed in _parse_file(source_file, handle, hasher):
                if isinstance(parsed, Record):
                    counts.loaded += 1
                    yield rows.record(parsed)
                elif isinstance(parsed, Reject):
                    counts.rejected += 1
                    rejects.write(rows.reject(parsed))
                else:
                    counts.blank += 1
                pending += 1
                if pending == PROGRESS_EVERY_LINES:
                    meter.add_records(pending)
                    pending = 0
            meter.add_records(pending)

        record_table = pgcopy.copy_statement(schema, source_file.source, pgcopy.RECORD_COLUMNS)
        copied = pgcopy.copy_rows(cursor, record_table, record_rows())
        rejected = 0
        if counts.rejected:
            reject_table = pgcopy.copy_statement(schema, "rejected_records", pgcopy.REJECT_COLUMNS)
            rejected = pgcopy.copy_spooled(cursor, reject_table, rejects)

    if hasher.hexdigest() != sha256:
        raise FileChangedWhileLoading(source_file.relative)
    _check_stored(source_file.relative, counts.loaded, counts.rejected, copied, rejected)
    return counts


def _parse_file(source_file: SourceFile, handle: IO[bytes], hasher: Any) -> Iterator[Parsed]:
    contract = CONTRACTS[source_file.source]
    if source_file.source == "song_data":
        # One record per file, possibly pretty-printed: song files are small.
        content = handle.read()
        hasher.update(content)
        yield parse_document(content, contract)
        return

    def hashed_lines() -> Iterator[bytes]:
        for line in handle:
            hasher.update(line)
            yield line

    yield from parse_lines(hashed_lines(), contract)
