"""Progress on a terminal: files and records so far, redrawn in place a few times a second."""

from __future__ import annotations

import sys
import time
from typing import TextIO

REDRAW_SECONDS = 0.2


class Progress:
    def __init__(self, total_files: int, stream: TextIO | None = None, enabled: bool | None = None):
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self.total_files = total_files
        self.files_done = 0
        self.records = 0
        self.current = ""
        self.started = time.monotonic()
        self._last_draw = 0.0

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
        if self.enabled:
            self.stream.write("\r\x1b[K")
            self.stream.flush()

    def _draw(self) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self._last_draw < REDRAW_SECONDS and self.files_done < self.total_files:
            return
        self._last_draw = now
        rate = self.records / max(now - self.started, 1e-9)
        self.stream.write(
            f"\r\x1b[K[{self.files_done:,}/{self.total_files:,} files] "
            f"{self.records:,} records, {rate:,.0f}/s  {self.current[-50:]}"
        )
        self.stream.flush()
