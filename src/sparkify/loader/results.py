"""What a run did: the result of every file, and the run's totals (plain data, no I/O)."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Literal

FileStatus = Literal["loaded", "replaced", "skipped", "failed", "ignored"]
RunStatus = Literal["completed", "failed", "interrupted"]


@dataclass(frozen=True)
class PreviousLoad:
    """What loaded_files says about the version of a file loaded before."""

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
    top_reject: str | None = None  # the most common kind of reject, with its count

    @property
    def reject_share(self) -> float:
        records = self.records_loaded + self.records_rejected
        return self.records_rejected / records if records else 0.0


class RejectKinds:
    """How often each kind of reject (records.reason_kind) occurred in one file."""

    def __init__(self) -> None:
        self._counts: Counter[str] = Counter()

    def add(self, kind: str) -> None:
        self._counts[kind] += 1

    def clear(self) -> None:
        self._counts.clear()

    def most_common(self) -> str | None:
        """``kind (count)`` of the most common kind (ties: the first in order), or None."""
        if not self._counts:
            return None
        ((kind, count),) = self._counts.most_common(1)
        return f"{kind} ({count:,})"


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

    @property
    def status(self) -> RunStatus:
        return "failed" if self.failures else "completed"

    def finish(self) -> None:
        self.elapsed = time.monotonic() - self.started


@dataclass(frozen=True)
class RawTotals:
    """What a raw schema holds now, over all loads."""

    files: int
    records_loaded: int
    records_rejected: int
