"""What the executors do: read, hash and parse files into rows (no pyspark needed here).

The driver hands every task a few files (``plan_tasks``: balanced by size, so thousands
of tiny song files are not a task each). ``process_files`` runs inside the task: it
hashes each file, emits only a figure for a file already registered with that content,
and otherwise parses it with the loader's own ``records`` and ``contract`` modules, the
very code the Postgres loader runs, and emits its record rows, its reject rows and one
figure row. Every row is tagged with the table it belongs to.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sparkify.loader.contract import CONTRACTS
from sparkify.loader.records import (
    Parsed,
    Record,
    Reject,
    parse_document,
    parse_lines,
    reason_kind,
)
from sparkify.loader.results import RejectKinds

# Row tags: the first element of every row a task emits.
FIGURES = "loaded_files"
REJECTS = "rejected_records"

# A task holds about this many bytes of input, and the plan makes at least this many
# tasks per core so that one large file does not leave the other cores idle.
TASK_BYTES = 64 * 1024 * 1024
TASKS_PER_CORE = 2


@dataclass(frozen=True)
class FileTask:
    """One input file, as the driver describes it to an executor (picklable)."""

    source: str  # "song_data" or "log_data"
    path: str  # absolute path, readable on the executors
    relative: str  # its identity: the path relative to the data dir
    size: int  # from stat on the driver: only for balancing the tasks
    registered_sha256: str | None  # the version loaded_files holds, if any


@dataclass(frozen=True)
class Figures:
    """What one file gave: the row of its result (the driver turns it into a FileResult)."""

    relative: str
    source: str
    status: str  # loaded, replaced, skipped, failed
    sha256: str
    file_bytes: int
    records_loaded: int = 0
    records_rejected: int = 0
    blank_lines: int = 0
    error: str | None = None
    top_reject: str | None = None


def plan_tasks(files: list[FileTask], cores: int) -> list[list[FileTask]]:
    """Spread files over tasks by size (largest first, each to the lightest task)."""
    if not files:
        return []
    total = sum(max(f.size, 1) for f in files)
    count = max(cores * TASKS_PER_CORE, -(-total // TASK_BYTES))
    count = min(count, len(files))
    tasks: list[list[FileTask]] = [[] for _ in range(count)]
    loads = [0] * count
    for file in sorted(files, key=lambda f: (-f.size, f.relative)):
        lightest = loads.index(min(loads))
        tasks[lightest].append(file)
        loads[lightest] += max(file.size, 1)
    return [sorted(task, key=lambda f: f.relative) for task in tasks if task]


def unreadable(relative: str, exc: OSError) -> str:
    """The Postgres loader's words for a file that cannot be read."""
    return f"cannot read {relative}: {exc.strerror}"


def reject_text(value: str) -> str:
    """Text as the Postgres loader stores it: NUL shown, not stored (pgcopy.encode_text)."""
    return value.replace("\x00", "\\x00")


def process_files(
    tasks: Iterable[list[FileTask]],
    load_id: int,
    loaded_at: datetime,
    counters: tuple[Any, Any] | None = None,
) -> Iterator[tuple]:
    """mapPartitions: every file of the task's lists, as tagged rows.

    Rows: ``(source, record, _source_file, _source_line, _file_sha256, _loaded_at)``,
    ``(REJECTS, source_name, source_file, source_line, reason, reason_kind, raw_text,
    raw_bytes, rejected_at)`` and ``(FIGURES, Figures)``. ``counters`` are optional accumulators
    of files and lines done, for the progress line on the driver.
    """
    for task in tasks:
        for file in task:
            lines = 0
            for row in _process_file(file, loaded_at):
                if row[0] != FIGURES:
                    lines += 1
                else:
                    lines += row[1].blank_lines
                yield row
            if counters is not None:
                counters[0].add(1)
                counters[1].add(lines)


def _process_file(file: FileTask, loaded_at: datetime) -> Iterator[tuple]:
    try:
        with open(file.path, "rb") as handle:
            content = handle.read()
    except OSError as exc:
        yield (
            FIGURES,
            Figures(
                file.relative, file.source, "failed", "", 0, error=unreadable(file.relative, exc)
            ),
        )
        return
    sha256 = hashlib.sha256(content).hexdigest()
    if sha256 == file.registered_sha256:
        yield FIGURES, Figures(file.relative, file.source, "skipped", sha256, len(content))
        return
    loaded = rejected = blank = 0
    kinds = RejectKinds()
    for parsed in _parse(file.source, content):
        if isinstance(parsed, Record):
            loaded += 1
            # Valid UTF-8 by the parser's check: the text is the record's exact bytes.
            yield (
                file.source,
                parsed.text.decode("utf-8"),
                file.relative,
                parsed.line,
                sha256,
                loaded_at,
            )
        elif isinstance(parsed, Reject):
            rejected += 1
            kind = reason_kind(parsed.reason)
            kinds.add(kind)
            yield (
                REJECTS,
                file.source,
                file.relative,
                parsed.line,
                reject_text(parsed.reason),
                reject_text(kind),
                reject_text(parsed.raw.decode("utf-8", "backslashreplace")),
                parsed.raw,
                loaded_at,
            )
        else:
            blank += 1
    status = "loaded" if file.registered_sha256 is None else "replaced"
    yield (
        FIGURES,
        Figures(
            file.relative, file.source, status, sha256, len(content), loaded, rejected, blank,
            top_reject=kinds.most_common(),
        ),
    )  # fmt: skip


def _parse(source: str, content: bytes) -> Iterator[Parsed]:
    contract = CONTRACTS[source]
    if source == "song_data":
        yield parse_document(content, contract)
    else:
        # BytesIO splits on b"\n" only, exactly as reading the file does.
        yield from parse_lines(io.BytesIO(content), contract)
