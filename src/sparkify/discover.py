"""Find the input files: song_data/**/*.json and log_data/**/*.json under a data dir."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sparkify.errors import SparkifyError

SOURCES = ("song_data", "log_data")


@dataclass(frozen=True)
class SourceFile:
    source: str  # "song_data" or "log_data"
    path: Path
    relative: str  # path relative to the data dir, with "/" separators: its identity


def discover_files(data_dir: Path) -> list[SourceFile]:
    """Every input file, sorted by source then path so runs are reproducible."""
    if not data_dir.is_dir():
        raise SparkifyError(
            f"data directory {data_dir} does not exist; "
            "pass --data-dir or run scripts/generate_data.py to make one"
        )
    found: list[SourceFile] = []
    for source in SOURCES:
        root = data_dir / source
        if not root.is_dir():
            continue
        for path in sorted(root.rglob("*.json")):
            # Broken links are kept so that the load reports them as unreadable.
            if path.is_file() or path.is_symlink():
                relative = path.relative_to(data_dir).as_posix()
                found.append(SourceFile(source=source, path=path, relative=relative))
    if not found:
        raise SparkifyError(
            f"no input files in {data_dir}: expected song_data/**/*.json or log_data/**/*.json"
        )
    return found
