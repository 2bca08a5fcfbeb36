"""Find the input files: song_data/**/*.json and log_data/**/*.json under a data dir."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from sparkify.errors import SparkifyError

SOURCES = ("song_data", "log_data")


@dataclass(frozen=True)
class SourceFile:
    source: str  # "song_data" or "log_data"
    path: Path
    relative: str  # path relative to the data dir, with "/" separators: its identity


def _json_files(root: Path) -> list[Path]:
    """*.json files below root, sorted; an unreadable directory is an error, not a skip.

    Path.rglob would silently pass over directories it cannot list. Symlinked
    directories are followed (each real directory once, so a cycle cannot loop).
    """

    def refuse(error: OSError) -> None:
        raise SparkifyError(
            f"cannot read directory {error.filename}: {error.strerror}; "
            "fix its permissions (or remove it) and rerun"
        )

    files: list[Path] = []
    seen: set[str] = set()
    for directory, subdirectories, names in os.walk(root, onerror=refuse, followlinks=True):
        real = os.path.realpath(directory)
        if real in seen:
            subdirectories.clear()
            continue
        seen.add(real)
        for name in names:
            if name.endswith(".json"):
                # Broken links are kept so that the load reports them as unreadable.
                files.append(Path(directory) / name)
    return sorted(files)


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
        if root.is_dir():
            found += [
                SourceFile(source=source, path=path, relative=path.relative_to(data_dir).as_posix())
                for path in _json_files(root)
            ]
    if not found:
        raise SparkifyError(
            f"no input files in {data_dir}: expected song_data/**/*.json or log_data/**/*.json"
        )
    return found
