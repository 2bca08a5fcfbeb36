"""Prove that the incremental fct_songplays equals a full refresh.

In a scratch database (created next to the one the PG* variables point at, and
dropped afterwards), on a copy of a data directory:

1. load the song catalogue and the first half of the log files, `dbt build`;
2. add the other log files, rewrite one already-loaded log file (some plays
   dropped, one changed) and change a catalogue song so that an already-loaded
   play now matches it; load again: the loader replaces those files' rows;
3. `dbt build` (the fact incremental, every test run on it) and keep a copy of the fact;
4. `dbt run --full-refresh --select fct_songplays` and compare both ways (EXCEPT ALL), and
   the play count with the NextSong events in the data dir.

Exits 0 when the two facts are identical, 1 with the differences otherwise.
This is a development check (sparkify.checks), not part of the pipeline.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

import psycopg
from psycopg import sql

from sparkify import db
from sparkify.checks.project import Project, executable, model_seconds, run
from sparkify.errors import CheckFailed, UsageError
from sparkify.settings import connection_settings

FACT = sql.SQL("marts.fct_songplays")
SNAPSHOT = sql.SQL("public.fct_songplays_incremental")

Loader = Callable[[Path, dict[str, str]], None]


def loader_from_command(command: Sequence[str], project: Project) -> Loader:
    """A loader that runs `command --data-dir DIR` with the given environment."""

    def load(data_dir: Path, env: dict[str, str]) -> None:
        run([*command, "--data-dir", str(data_dir)], env, project.root)

    return load


def rewrite_log_file(path: Path) -> tuple[int, int]:
    """Drop every third play and retitle one other; returns (plays before, plays after)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    plays = [
        i for i, line in enumerate(lines) if line.strip() and json.loads(line)["page"] == "NextSong"
    ]
    if len(plays) < 4:
        raise UsageError(f"{path} has too few plays to rewrite; use a larger data dir")
    dropped = set(plays[::3])
    changed = plays[1]
    record = json.loads(lines[changed])
    record["song"] = f"{record['song']} (edited)"
    lines[changed] = json.dumps(record, ensure_ascii=True, separators=(",", ":"))
    kept = [line for i, line in enumerate(lines) if i not in dropped]
    path.write_text("\n".join(kept) + "\n", encoding="utf-8")
    return len(plays), len(plays) - len(dropped)


def make_a_loaded_play_match(song_file: Path, log_files: Sequence[Path]) -> str:
    """Rewrite a catalogue song so that an already-loaded play (ASCII names, so no
    mojibake repair is involved) now matches it; returns the play's song title."""
    for path in log_files:
        for line in path.read_text(encoding="utf-8").splitlines():
            play = json.loads(line) if line.strip() else {}
            names = f"{play.get('song')}{play.get('artist')}"
            if play.get("page") == "NextSong" and names.isascii() and play.get("length"):
                song = json.loads(song_file.read_text(encoding="utf-8"))
                song.update(title=play["song"], artist_name=play["artist"], duration=play["length"])
                song_file.write_text(json.dumps(song), encoding="utf-8")
                return str(play["song"])
    raise UsageError("the data dir has no NextSong play with ASCII names to match")


def count_plays(data_dir: Path) -> int:
    """NextSong events in the log files of a data dir: what the fact must hold."""
    return sum(
        1
        for path in (data_dir / "log_data").rglob("*.json")
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip() and json.loads(line).get("page") == "NextSong"
    )


def copy_files(files: Sequence[Path], source_root: Path, target_root: Path) -> None:
    for file in files:
        target = target_root / file.relative_to(source_root)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(file, target)


def connect(database: str) -> psycopg.Connection:
    """A connection to `database` on the server the PG* variables point at."""
    return db.connect(connection_settings().with_database(database), autocommit=True)


def compare(database: str, expected_plays: int) -> int:
    """Print the rows only in one of the two facts; returns how many differences there are."""
    differences = 0
    with connect(database) as conn:
        for label, left, right in (
            ("only in the incremental fact", SNAPSHOT, FACT),
            ("only in the full refresh", FACT, SNAPSHOT),
        ):
            rows = conn.execute(
                sql.SQL("select * from {} except all select * from {}").format(left, right)
            ).fetchall()
            differences += len(rows)
            for row in rows[:20]:
                print(f"  {label}: {row}")
        row = conn.execute(sql.SQL("select count(*) from {}").format(FACT)).fetchone()
    plays = row[0] if row else 0
    print(f"full refresh: {plays} songplays; the data dir has {expected_plays} NextSong events")
    if plays != expected_plays:
        differences += 1
    return differences


def check(project: Project, data_dir: Path, load: Loader, keep_database: bool) -> None:
    """Run the four steps; raises CheckFailed when the two facts differ."""
    server = connection_settings()
    database = f"{server.database}_check_incremental"
    env = {**os.environ, "PGDATABASE": database}
    dbt = executable("dbt")

    def dbt_step(*args: str) -> None:
        run([dbt, *args], env, project.root)

    log_files = sorted((data_dir / "log_data").rglob("*.json"))
    song_files = sorted((data_dir / "song_data").rglob("*.json"))
    if len(log_files) < 2:
        raise UsageError(f"need at least 2 log files under {data_dir / 'log_data'}")
    first, rest = log_files[: len(log_files) // 2], log_files[len(log_files) // 2 :]

    db.recreate_database(server, database)
    try:
        with tempfile.TemporaryDirectory(prefix="check_incremental_") as tmp:
            work = Path(tmp)
            data = work / "data"
            profiles = work / "profiles"
            profiles.mkdir()
            shutil.copy(project.profiles_example, profiles / "profiles.yml")
            env |= {
                "DBT_PROFILES_DIR": str(profiles),
                "DBT_TARGET_PATH": str(work / "target"),
                "DBT_LOG_PATH": str(work / "logs"),
            }

            print(f"== 1. load {len(song_files)} song files and {len(first)} log files, build")
            copy_files([*song_files, *first], data_dir, data)
            load(data, env)
            dbt_step("build", "--full-refresh")

            rewritten = data / first[0].relative_to(data_dir)
            before, after = rewrite_log_file(rewritten)
            print(f"== 2. add {len(rest)} log files; {rewritten.name}: {before} -> {after} plays")
            copy_files(rest, data_dir, data)
            song_file = sorted((data / "song_data").rglob("*.json"))[0]
            already_loaded = [data / path.relative_to(data_dir) for path in first[1:]]
            title = make_a_loaded_play_match(song_file, already_loaded)
            print(f"   and change a catalogue song so that a loaded play of {title!r} matches it")
            load(data, env)

            # `dbt build` as `make run` does it: every test, the fact's own included
            # (unique keys, only current file versions, equal to a full rebuild), must
            # hold on the incremental result, not only on a freshly built one.
            print("== 3. incremental build")
            dbt_step("build")
            incremental_seconds = model_seconds(work / "target", "fct_songplays")
            with connect(database) as conn:
                conn.execute(sql.SQL("create table {} as select * from {}").format(SNAPSHOT, FACT))

            print("== 4. full refresh")
            dbt_step("run", "--full-refresh", "--select", "fct_songplays")
            full_seconds = model_seconds(work / "target", "fct_songplays")
            differences = compare(database, count_plays(data))
    finally:
        if not keep_database:
            db.drop_database(server, database)

    print(
        f"fct_songplays build time: incremental {incremental_seconds:.2f}s,"
        f" full refresh {full_seconds:.2f}s"
    )
    if differences:
        raise CheckFailed(
            f"incremental and full-refresh fct_songplays differ in {differences} rows "
            "(listed above)"
        )
    print("OK: incremental and full-refresh fct_songplays are identical")
