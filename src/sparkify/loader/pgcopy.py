"""COPY ... FROM STDIN: rows in COPY's text format, and the streams that send them.

Rows are built from the original bytes; nothing is inserted row by row and nothing
is re-serialised.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import IO

import psycopg
from psycopg import sql

from sparkify.loader.records import Record, Reject

COPY_CHUNK_BYTES = 256 * 1024

# When the server aborts a COPY, psycopg warns through its logger as it closes the stream
# ("error ignored terminating <psycopg.Copy [BAD]>"), and with no logging set up Python
# would print that above the loader's own one-line error, which already says it all.
logging.getLogger("psycopg").addHandler(logging.NullHandler())

RECORD_COLUMNS = ("record", "_source_line", "_source_file", "_file_sha256", "_load_id")
REJECT_COLUMNS = (
    "source_name", "source_file", "source_line", "reason", "reason_kind", "raw_text",
    "raw_bytes", "load_id",
)  # fmt: skip


def copy_statement(schema: str, table: str, columns: Iterable[str]) -> sql.Composed:
    return sql.SQL("copy {}.{} ({}) from stdin").format(
        sql.Identifier(schema),
        sql.Identifier(table),
        sql.SQL(", ").join(sql.Identifier(column) for column in columns),
    )


def escape_text(value: bytes) -> bytes:
    """Escape a value for COPY's text format (backslash, tab, newline, carriage return)."""
    value = value.replace(b"\\", b"\\\\")
    if b"\t" in value or b"\n" in value or b"\r" in value:
        value = value.replace(b"\t", b"\\t").replace(b"\n", b"\\n").replace(b"\r", b"\\r")
    return value


def encode_text(value: str) -> bytes:
    """A Python string as COPY text: NUL cannot be stored in Postgres text, so show it."""
    return escape_text(value.replace("\x00", "\\x00").encode("utf-8", "backslashreplace"))


def bytea_text(value: bytes) -> bytes:
    # COPY's text format turns "\\x" into the bytea hex prefix "\x".
    return b"\\\\x" + value.hex().encode("ascii")


class FileRows:
    """COPY rows for one file version's records (RECORD_COLUMNS) and rejects (REJECT_COLUMNS)."""

    def __init__(self, source: str, relative: str, sha256: str, load_id: int):
        path_text = encode_text(relative)
        self._record_suffix = b"\t%s\t%s\t%d\n" % (path_text, sha256.encode("ascii"), load_id)
        self._reject_prefix = b"%s\t%s\t" % (source.encode("ascii"), path_text)
        self._reject_suffix = b"\t%d\n" % load_id

    def record(self, record: Record) -> bytes:
        return escape_text(record.text) + b"\t%d" % record.line + self._record_suffix

    def reject(self, reject: Reject, kind: str) -> bytes:
        """The reject's row; ``kind`` is records.reason_kind(reject.reason)."""
        raw_text = reject.raw.decode("utf-8", "backslashreplace")
        fields = (
            b"%d" % reject.line,
            encode_text(reject.reason),
            encode_text(kind),
            encode_text(raw_text),
            bytea_text(reject.raw),
        )
        return self._reject_prefix + b"\t".join(fields) + self._reject_suffix


def copy_rows(cursor: psycopg.Cursor, statement: sql.Composed, rows: Iterable[bytes]) -> int:
    """Stream pre-formatted COPY rows in chunks; return the row count Postgres reports."""
    with cursor.copy(statement) as copy:
        chunk: list[bytes] = []
        size = 0
        for row in rows:
            chunk.append(row)
            size += len(row)
            if size >= COPY_CHUNK_BYTES:
                copy.write(b"".join(chunk))
                chunk, size = [], 0
        if chunk:
            copy.write(b"".join(chunk))
    return cursor.rowcount


def copy_spooled(cursor: psycopg.Cursor, statement: sql.Composed, spool: IO[bytes]) -> int:
    """COPY rows already formatted in a (spooled) file."""
    spool.seek(0)
    with cursor.copy(statement) as copy:
        while block := spool.read(COPY_CHUNK_BYTES):
            copy.write(block)
    return cursor.rowcount
