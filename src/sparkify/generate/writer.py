"""The files: the output folder, one JSON file per song, one JSON Lines file per day."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from itertools import islice
from pathlib import Path

from sparkify.errors import GenerationError

GENERATED_DIRS = ("song_data", "log_data")
FLUSH_LINES = 8_192


def prepare_output_dir(out_dir: Path, force: bool) -> None:
    """Refuse a non-empty directory unless forced; then remove only what we write."""
    if out_dir.exists() and not out_dir.is_dir():
        raise GenerationError(f"{out_dir} exists and is not a directory")
    if out_dir.is_dir() and any(out_dir.iterdir()):
        if not force:
            raise GenerationError(
                f"{out_dir} is not empty; use --force to replace its song_data/ and log_data/"
            )
        for name in GENERATED_DIRS:
            target = out_dir / name
            if target.is_symlink() or target.is_file():
                target.unlink()
            elif target.is_dir():
                shutil.rmtree(target)
    out_dir.mkdir(parents=True, exist_ok=True)


def song_path(out_dir: Path, track_id: str) -> Path:
    """song_data/ partitioned by the track id's 3rd, 4th and 5th characters, as in the MSD."""
    return out_dir / "song_data" / track_id[2] / track_id[3] / track_id[4] / f"{track_id}.json"


def log_path(out_dir: Path, day: date) -> Path:
    return out_dir / "log_data" / f"{day:%Y}" / f"{day:%m}" / f"{day:%Y-%m-%d}-events.json"


def write_song_files(out_dir: Path, songs: Iterable[tuple[str, dict[str, object]]]) -> int:
    """Write each (track id, record) to its file; return how many."""
    made_dirs: set[Path] = set()
    written = 0
    for track_id, record in songs:
        path = song_path(out_dir, track_id)
        if path.parent not in made_dirs:
            path.parent.mkdir(parents=True, exist_ok=True)
            made_dirs.add(path.parent)
        # json.dumps defaults give the real files' style: ", " and ": ", ASCII only,
        # and no newline at the end.
        path.write_text(json.dumps(record), encoding="ascii")
        written += 1
    return written


def write_log_file(path: Path, lines: Iterator[str], on_flush: Callable[[int], None]) -> int:
    """Write the lines, newline-separated, in chunks; on_flush(lines so far) after each."""
    path.parent.mkdir(parents=True, exist_ok=True)
    written = 0
    with path.open("w", encoding="ascii", newline="", buffering=1 << 20) as out:
        while chunk := list(islice(lines, FLUSH_LINES)):
            # The real files have no newline after their last line.
            out.write(("\n" if written else "") + "\n".join(chunk))
            written += len(chunk)
            del chunk  # before the next chunk is read: one chunk in memory, not two
            on_flush(written)
    return written
