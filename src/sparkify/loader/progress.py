"""The loader's progress line: files done, records read, rate, current file."""

from __future__ import annotations

import time
from typing import TextIO

from sparkify.progress import StatusLine


class Progress:
    """The loader's progress: files done, records read, rate, current file."""

    def __init__(self, total_files: int, stream: TextIO | None = None, enabled: bool | None = None):
        self.line = StatusLine(stream, enabled)
        self.total_files = total_files
        self.files_done = 0
        self.records = 0
        self.current = ""
        self.started = time.monotonic()

    def start_file(self, name: str) -> None:
        self.current = name
        self._draw()

    def add_records(self, count: int) -> None:
        self.records += count
        self._draw()

    def finish_files(self, count: int = 1) -> None:
        self.files_done += count
        self._draw()

    def close(self) -> None:
        self.line.clear()

    def _draw(self) -> None:
        if not self.line.enabled:
            return
        rate = self.records / max(time.monotonic() - self.started, 1e-9)
        self.line.show(
            f"[{self.files_done:,}/{self.total_files:,} files] "
            f"{self.records:,} records, {rate:,.0f}/s  {self.current[-50:]}",
            force=self.files_done >= self.total_files,
        )
