"""Find the input files: song_data/**/*.json and log_data/**/*.json under a data dir.

Only regular files whose real path lies inside their source's directory are read. A
link leading elsewhere (out of the data dir, to /dev/zero, from log_data into song_data)
and anything that is not a regular file (a FIFO, a socket, a device) is *ignored*: listed
with its reason, never opened, so it can neither hang the loader nor land as data. A
dangling link is kept: reading it fails, and the run reports the file as unreadable.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from sparkify.errors import SparkifyError
from sparkify.loader.results import FileResult

SOURCES = ("song_data", "log_data")

FILE_KINDS = {
    stat.S_IFIFO: "a FIFO",
    stat.S_IFSOCK: "a socket",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFDIR: "a directory",
}


@dataclass(frozen=True)
class SourceFile:
    source: str  # "song_data" or "log_data"
    path: Path
    relative: str  # path relative to the data dir, with "/" separators: its identity


@dataclass(frozen=True)
class IgnoredPath:
    """A path under a source's directory that is not read, and why."""

    source: str
    relative: str
    reason: str


@dataclass
class Discovery:
    files: list[SourceFile] = field(default_factory=list)
    ignored: list[IgnoredPath] = field(default_factory=list)

    @property
    def paths(self) -> int:
        """Every path a run accounts for: the files it reads and those it ignores."""
        return len(self.files) + len(self.ignored)

    def ignored_results(self) -> list[FileResult]:
        return [FileResult(path.relative, "ignored", error=path.reason) for path in self.ignored]


def _printable(name: str) -> str:
    """A name as UTF-8 text: bytes that are not UTF-8 (os.fsdecode keeps them as lone
    surrogates, which no database column takes) become \\x escapes."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _inside(real: str, root: str) -> bool:
    return real == root or real.startswith(root.rstrip(os.sep) + os.sep)


def _walk_source(data_dir: Path, source: str, found: Discovery) -> None:
    """The source's *.json files into found, sorted; an unreadable directory is an error.

    Path.rglob would silently pass over directories it cannot list. Linked directories
    inside the source's own directory are followed, each real directory once (a cycle
    cannot loop).
    """

    def refuse(error: OSError) -> None:
        raise SparkifyError(
            f"cannot read directory {error.filename}: {error.strerror}; "
            "fix its permissions (or remove it) and rerun"
        )

    root = data_dir / source
    real_root = os.path.realpath(root)

    def relative(path: Path) -> str:
        return path.relative_to(data_dir).as_posix()

    def ignore(path: Path, reason: str) -> None:
        found.ignored.append(IgnoredPath(source, _printable(relative(path)), reason))

    files: list[Path] = []
    seen: set[str] = set()
    for directory, subdirectories, names in os.walk(root, onerror=refuse, followlinks=True):
        real = os.path.realpath(directory)
        if not _inside(real, real_root):
            ignore(Path(directory), f"a link leading out of {source}/ (to {real}): not read")
            subdirectories.clear()
            continue
        if real in seen:
            subdirectories.clear()
            continue
        seen.add(real)
        for name in names:
            if not name.endswith(".json"):
                continue
            path = Path(directory) / name
            if _printable(relative(path)) != relative(path):
                ignore(path, "its name is not valid UTF-8: rename the file (convmv can) and rerun")
                continue
            if not os.path.exists(path):  # a dangling link: the load says it is unreadable
                files.append(path)
                continue
            target = os.path.realpath(path)
            if not _inside(target, real_root):
                ignore(path, f"a link leading out of {source}/ (to {target}): not read")
                continue
            kind = stat.S_IFMT(os.stat(path).st_mode)
            if kind != stat.S_IFREG:
                ignore(path, f"not a regular file ({FILE_KINDS.get(kind, 'special')}): not read")
                continue
            files.append(path)
    found.files += [SourceFile(source, path, relative(path)) for path in sorted(files)]
    found.ignored.sort(key=lambda ignored: (ignored.source, ignored.relative))


def discover(data_dir: Path) -> Discovery:
    """Every input file, sorted by source then path so runs are reproducible, and what
    was ignored."""
    if not data_dir.is_dir():
        problem = "is not a directory" if data_dir.exists() else "does not exist"
        raise SparkifyError(
            f"data directory {data_dir} {problem}; "
            "pass --data-dir or run scripts/generate_data.py to make one"
        )
    found = Discovery()
    for source in SOURCES:
        if (data_dir / source).is_dir():
            _walk_source(data_dir, source, found)
    if not found.files and not found.ignored:
        raise SparkifyError(
            f"no input files in {data_dir}: expected song_data/**/*.json or log_data/**/*.json"
        )
    return found


def discover_files(data_dir: Path) -> list[SourceFile]:
    """The files a run reads (discover(data_dir).files)."""
    return discover(data_dir).files
