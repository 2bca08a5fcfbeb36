"""The per-file load flow, written once for both sources.

For every file: hash it; skip it when that path was loaded with that content;
otherwise, in one transaction, delete what an earlier version of the file left,
COPY its valid records and then its rejects, check that Postgres stored every one,
and record the file in ``loaded_files``. A transaction holds one log file, or up to
``files_per_transaction`` song files (one small record each: a transaction per tiny
file would cost more than the file). A crash at any point leaves each file fully
loaded or not at all.
"""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import psycopg
from psycopg import sql

from sparkify.errors import LoadIntegrityError
from sparkify.loader import ledger, pgcopy
from sparkify.loader.commit_order import CommitOrder
from sparkify.loader.contract import CONTRACTS
from sparkify.loader.discover import SourceFile
from sparkify.loader.progress import Progress
from sparkify.loader.records import (
    REFUSED_BY_POSTGRES,
    Parsed,
    Record,
    Reject,
    parse_document,
    parse_lines,
    reason_kind,
)
from sparkify.loader.results import FileResult, PreviousLoad, RejectKinds

PROGRESS_EVERY_LINES = 5000
REJECT_SPOOL_BYTES = 8 * 1024 * 1024  # rejects beyond this spill to a temp file
# SQLSTATE classes of a value the server will not store although the contract passed it
# (data exception, program limit exceeded: a string over jsonb's 256 MB, say).
REFUSED_CLASSES = ("22", "54")
CAREFUL_CHUNK_ROWS = 1000  # the careful load's COPY size, each under a savepoint


@dataclass(frozen=True)
class Reading:
    """How a source's files are read."""

    # True: one record per file (pretty-printing allowed), read whole into memory, so
    # the file can no longer fail once hashed and many files can share a transaction.
    # False: JSON Lines, streamed and hashed again as they are parsed, one per transaction.
    whole_file: bool
    files_per_transaction: int


READING = {
    "song_data": Reading(whole_file=True, files_per_transaction=500),
    "log_data": Reading(whole_file=False, files_per_transaction=1),
}


class FileChangedWhileLoading(Exception):
    pass


@dataclass
class _Version:
    """A file version to load: new, or changed since the version loaded earlier."""

    source_file: SourceFile
    sha256: str
    size: int
    earlier: PreviousLoad | None
    content: bytes | None  # a whole file's bytes: those hashed are those parsed
    loaded: int = 0
    rejected: int = 0
    blank: int = 0
    kinds: RejectKinds = field(default_factory=RejectKinds)

    def parse(self) -> Iterator[Parsed]:
        contract = CONTRACTS[self.source_file.source]
        if self.content is not None:
            yield parse_document(self.content, contract)
            return
        hasher = hashlib.sha256()
        with open(self.source_file.path, "rb") as handle:

            def hashed_lines() -> Iterator[bytes]:
                for line in handle:
                    hasher.update(line)
                    yield line

            yield from parse_lines(hashed_lines(), contract)
        if hasher.hexdigest() != self.sha256:
            raise FileChangedWhileLoading(self.source_file.relative)

    def result(self) -> FileResult:
        status = "loaded" if self.earlier is None else "replaced"
        return FileResult(
            self.source_file.relative,
            status,
            self.loaded,
            self.rejected,
            self.blank,
            self.size,
            top_reject=self.kinds.most_common(),
        )


def load_files(
    conn: psycopg.Connection,
    files: list[SourceFile],
    schema: str,
    load_id: int,
    previous: dict[str, PreviousLoad],
    meter: Progress,
    order: CommitOrder,
) -> list[FileResult]:
    """Load files of one source in one transaction, committed in `order` (the source's:
    sparkify.loader.commit_order); return a result per file.

    Unreadable and unchanged files come first in the results, then the loaded ones.
    """
    results: list[FileResult] = []
    versions: list[_Version] = []
    for source_file in files:
        examined = _examine(source_file, previous.get(source_file.relative))
        if isinstance(examined, FileResult):
            results.append(examined)
        else:
            versions.append(examined)
    if versions:
        results += _load_versions(conn, versions, schema, load_id, meter, order)
    return results


def describe_files(files: list[SourceFile]) -> str:
    """The files of one transaction, in a few words: for the progress line and errors."""
    if len(files) == 1:
        return files[0].relative
    kind = files[0].source.removesuffix("_data")
    return f"{len(files)} {kind} files from {files[0].relative} to {files[-1].relative}"


def _examine(source_file: SourceFile, earlier: PreviousLoad | None) -> _Version | FileResult:
    """Hash the file: a version to load, or the result of a file unreadable or unchanged."""
    relative = source_file.relative
    content = None
    try:
        if READING[source_file.source].whole_file:
            content = source_file.path.read_bytes()
            sha256, size = hashlib.sha256(content).hexdigest(), len(content)
        else:
            sha256, size = _file_sha256(source_file.path)
    except OSError as exc:
        return FileResult(relative, "failed", error=_unreadable(relative, exc))
    if earlier is not None and earlier.sha256 == sha256:
        return FileResult(relative, "skipped", file_bytes=size)
    return _Version(source_file, sha256, size, earlier, content)


def _file_sha256(path: Path) -> tuple[str, int]:
    with open(path, "rb") as handle:
        digest = hashlib.file_digest(handle, "sha256")
        return digest.hexdigest(), handle.tell()


def _unreadable(relative: str, exc: OSError) -> str:
    return f"cannot read {relative}: {exc.strerror}"


def _load_versions(
    conn: psycopg.Connection,
    versions: list[_Version],
    schema: str,
    load_id: int,
    meter: Progress,
    order: CommitOrder,
    careful: bool = False,
) -> list[FileResult]:
    """Load the versions in one transaction. When the server refuses a record the contract
    let through, the transaction is redone carefully: that record becomes a reject."""
    # Only a streamed file can fail part-way, and it has a transaction of its own.
    try:
        with order.transaction(conn), conn.cursor() as cursor:
            for version in versions:
                if version.earlier is not None:
                    _delete_earlier_version(cursor, schema, version.source_file, version.earlier)
            _copy_versions(cursor, versions, schema, load_id, meter, careful)
            loaded = [(v.source_file.source, v.sha256, v.result()) for v in versions]
            ledger.record_loaded_files(cursor, schema, loaded, load_id)
    except psycopg.Error as exc:
        if careful or not _refused(exc):
            raise
        for version in versions:
            meter.add_records(-(version.loaded + version.rejected + version.blank))
            version.loaded = version.rejected = version.blank = 0
            version.kinds.clear()
        return _load_versions(conn, versions, schema, load_id, meter, order, careful=True)
    except OSError as exc:
        return [_failed(v, _unreadable(v.source_file.relative, exc)) for v in versions]
    except FileChangedWhileLoading:
        return [
            _failed(v, f"{v.source_file.relative} changed while it was being loaded; rerun")
            for v in versions
        ]
    return [result for _, _, result in loaded]


def _failed(version: _Version, error: str) -> FileResult:
    return FileResult(version.source_file.relative, "failed", error=error)


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


def _refused(exc: BaseException) -> bool:
    return isinstance(exc, psycopg.Error) and (exc.sqlstate or "")[:2] in REFUSED_CLASSES


@dataclass(frozen=True, slots=True)
class _Row:
    """A record's COPY row, with what turns it into a reject if the server refuses it."""

    version: _Version
    rows: pgcopy.FileRows
    record: Record
    text: bytes


def _copy_versions(
    cursor: psycopg.Cursor,
    versions: list[_Version],
    schema: str,
    load_id: int,
    meter: Progress,
    careful: bool = False,
) -> None:
    """COPY the files' records in one stream, then their rejects; count every line.

    Careful: in chunks under savepoints, and a chunk the server refuses row by row, so
    that each refused record is a reject with the server's reason.
    """
    source = versions[0].source_file.source
    with tempfile.SpooledTemporaryFile(max_size=REJECT_SPOOL_BYTES) as rejects:

        def record_rows() -> Iterator[_Row]:
            pending = 0
            for version in versions:
                rows = pgcopy.FileRows(
                    source, version.source_file.relative, version.sha256, load_id
                )
                for parsed in version.parse():
                    if isinstance(parsed, Record):
                        version.loaded += 1
                        yield _Row(version, rows, parsed, rows.record(parsed))
                    elif isinstance(parsed, Reject):
                        _add_reject(version, rows, parsed, rejects)
                    else:
                        version.blank += 1
                    pending += 1
                    if pending == PROGRESS_EVERY_LINES:
                        meter.add_records(pending)
                        pending = 0
            meter.add_records(pending)

        record_table = pgcopy.copy_statement(schema, source, pgcopy.RECORD_COLUMNS)
        if careful:
            copied = _copy_carefully(cursor, record_table, record_rows(), rejects)
        else:
            copied = pgcopy.copy_rows(cursor, record_table, (row.text for row in record_rows()))
        rejected = 0
        if any(version.rejected for version in versions):
            reject_table = pgcopy.copy_statement(schema, "rejected_records", pgcopy.REJECT_COLUMNS)
            rejected = pgcopy.copy_spooled(cursor, reject_table, rejects)
    _check_stored(versions, schema, copied, rejected)


def _copy_carefully(
    cursor: psycopg.Cursor, statement: sql.Composed, rows: Iterator[_Row], rejects: IO[bytes]
) -> int:
    copied = 0
    chunk: list[_Row] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == CAREFUL_CHUNK_ROWS:
            copied += _copy_chunk(cursor, statement, chunk, rejects)
            chunk = []
    return copied + (_copy_chunk(cursor, statement, chunk, rejects) if chunk else 0)


def _copy_chunk(
    cursor: psycopg.Cursor, statement: sql.Composed, chunk: list[_Row], rejects: IO[bytes]
) -> int:
    """COPY the rows under a savepoint; if refused, each row alone; a refused row alone
    is a reject with the server's reason. Returns the rows stored."""
    try:
        with cursor.connection.transaction():
            return pgcopy.copy_rows(cursor, statement, [row.text for row in chunk])
    except psycopg.Error as exc:
        if not _refused(exc):
            raise
        if len(chunk) > 1:
            return sum(_copy_chunk(cursor, statement, [row], rejects) for row in chunk)
        (row,) = chunk
        reason = exc.diag.message_primary or type(exc).__name__
        refused = Reject(row.record.line, f"{REFUSED_BY_POSTGRES}{reason}", row.record.text)
        row.version.loaded -= 1
        _add_reject(row.version, row.rows, refused, rejects)
        return 0


def _add_reject(
    version: _Version, rows: pgcopy.FileRows, reject: Reject, rejects: IO[bytes]
) -> None:
    """Count a reject and spool its row: the reason, for the loader and the data steward,
    and its value-free kind (records.reason_kind), which dbt reads."""
    kind = reason_kind(reject.reason)
    version.rejected += 1
    version.kinds.add(kind)
    rejects.write(rows.reject(reject, kind))


def _check_stored(versions: list[_Version], schema: str, copied: int, rejected: int) -> None:
    """Postgres's own row counts must match what was parsed: the proof nothing was dropped."""
    records = sum(version.loaded for version in versions)
    rejects = sum(version.rejected for version in versions)
    if (copied, rejected) == (records, rejects):
        return
    what = describe_files([version.source_file for version in versions])
    tables = f"{schema}.{versions[0].source_file.source} or {schema}.rejected_records"
    raise LoadIntegrityError(
        f"{what}: parsed {records:,} records and {rejects:,} rejects, but Postgres stored "
        f"{copied:,} and {rejected:,}, so none of it was kept; look for a trigger, rule or "
        f"policy on {tables} that drops rows, remove it and rerun"
    )
