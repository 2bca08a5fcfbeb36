"""Prove that every incremental model (the checked and cleaned events, the fact, the page
views: whichever dbt's manifest lists) equals a full refresh, on Postgres or Spark.

In a scratch warehouse (Postgres: a database created next to the one the PG*
variables point at; Spark, --target spark: a state dir of its own, i.e. its own
warehouse and metastore, on the cluster SPARK_MASTER or the local one names;
both removed afterwards), on a copy of a data directory:

1. load the song catalogue and the first half of the log files, `dbt build`;
2. add the other log files, rewrite one already-loaded log file (some plays
   dropped, one changed) and change a catalogue song so that an already-loaded
   play now matches it; load again: the loader replaces those files' rows. Also
   add duplicates that step 4 promotes: a copy of a new play, and a play of its own
   whose copy comes in the same load; then load, on their own, a play and an event that
   breaks a data rule;
3. `dbt build` (the incremental models incremental, every test run on them);
4. rewrite one log file loaded in step 2, catalogue unchanged, so that only the
   replaced version's plays must go (on Spark: the `_load_id` partitions they
   were in are rewritten), and the file of the play of its own, so that the
   duplicates above become the first of their keys; add a file that sorts first,
   with a copy of a loaded play and a page view with another loaded play's key
   (both loaded plays become duplicates); change the play loaded on its own (its load
   then has no row that goes on); load, `dbt build` again;
   4b, 4c (4b only on Spark): add a file of a new session after every loaded event
   (a play, a page view, and a page view at another level), nothing replaced, load,
   `dbt build` (the common run: on Postgres the second build's models skip their
   deletes, as no loader run since their last rows replaced a file, and the models
   that carry a user's state carry it on with the new events: they must write fewer
   rows than their full refresh);
   4d, 4e (Postgres): add a late file, a play at an old time, load, `dbt build`, and
   compare as in step 5 (what 4c and 4d carried); replace 4c's file without its last
   event (its user's latest), load, `dbt build`;
   4f (Postgres): add a new session, load, `dbt build`; then a file that sorts first
   with a page view that has the key of 4c's play, nothing replaced (the play leaves
   the fact: the carried models must read every event again because of the duplicate
   key), load, `dbt build`; check that the last build's row tests read only the rows
   written since they last passed (macros/test_watermarks.sql);
5. keep a copy of every incremental model (the models materialized `incremental` in
   dbt's manifest), `dbt run --full-refresh` of them and every model between them, and
   compare each with its copy both ways (EXCEPT ALL, every column but `_built_at`), and
   the fact's play count with the NextSong events in the data dir.

Exits 0 when every model is identical to its full refresh, 1 with the differences otherwise.
This is a development check (sparkify.checks), not part of the pipeline.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol

import psycopg
from psycopg import sql

from sparkify import db
from sparkify.checks.project import (
    Project,
    executable,
    model_seconds,
    row_tests_narrowed,
    rows_written,
    run,
)
from sparkify.errors import CheckFailed, UsageError
from sparkify.settings import connection_settings

FACT = "marts.fct_songplays"
# A one-event log file that sorts before every other one (a duplicate of a play).
EARLY = "0000-early-duplicate.json"
# 4f's file, which sorts before 4c's: its page view becomes the first of a play's key.
EARLY_KEY = "0001-early-key.json"
# The incremental models and every model between them (the ones the full refresh rebuilds).
INCREMENTAL_CHAIN = "config.materialized:incremental+,+config.materialized:incremental"

# When the build that wrote a row started (macros/test_watermarks.sql): an incremental
# model's rows and their full refresh's differ there by design, so it is not compared.
BUILD_TIME_COLUMNS = frozenset({"_built_at"})

Loader = Callable[[Path, dict[str, str]], None]
Difference = tuple[str, tuple[object, ...]]


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


def first_play(path: Path) -> dict[str, object]:
    """The first NextSong event of a log file (one that rewrite_log_file drops)."""
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and (event := json.loads(line)).get("page") == "NextSong":
            return dict(event)
    raise UsageError(f"{path} has no play")


def as_page_view(event: dict[str, object]) -> dict[str, object]:
    """The same event key, as a visit to the home page (no song)."""
    return {**event, "page": "Home", "song": None, "artist": None, "length": None}


def latest_ts(data_dir: Path) -> int:
    """The time (`ts`) of the latest event in a data dir's log files."""
    return max(
        int(json.loads(line)["ts"])
        for path in (data_dir / "log_data").rglob("*.json")
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    )


def next_events_of_user(event: dict[str, object], after_ts: int, number: int) -> list[dict]:
    """Three events of the event's user after `after_ts`, in a new session (its id from
    `number`): a play and a page view as a free user, then a page view as a paid one
    (a change of level, so a new level period)."""
    session = {**event, "sessionId": 900_000 + number, "ts": after_ts}
    return [
        {**session, "itemInSession": 0, "ts": after_ts + 60_000, "level": "free"},
        {**as_page_view(session), "itemInSession": 1, "ts": after_ts + 120_000, "level": "free"},
        {**as_page_view(session), "itemInSession": 2, "ts": after_ts + 180_000, "level": "paid"},
    ]


def write_events(path: Path, *events: dict[str, object]) -> str:
    """Write a log file of these events; returns its name. An event with the key of
    another in a file that sorts after it is the first of its key, and the other a
    duplicate (README "Data rules")."""
    path.write_text(
        "".join(json.dumps(event, separators=(",", ":")) + "\n" for event in events),
        encoding="utf-8",
    )
    return path.name


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
    """The event keys of a data dir's log files whose first event, by file and line,
    is a NextSong (the others are duplicates): what the fact must hold."""
    first_pages: dict[tuple[object, object], object] = {}
    for path in sorted((data_dir / "log_data").rglob("*.json")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                event = json.loads(line)
                key = (event.get("sessionId"), event.get("itemInSession"))
                first_pages.setdefault(key, event.get("page"))
    return sum(1 for page in first_pages.values() if page == "NextSong")


def copy_files(files: Sequence[Path], source_root: Path, target_root: Path) -> None:
    for file in files:
        target = target_root / file.relative_to(source_root)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(file, target)


def project_models(target_path: Path) -> list[dict]:
    """The project's own models, as dbt's manifest describes them."""
    manifest = json.loads((target_path / "manifest.json").read_text(encoding="utf-8"))
    return [
        node
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["package_name"] == "sparkify"
    ]


def incremental_models(target_path: Path) -> list[str]:
    """The project's incremental models, as schema.name, from dbt's manifest."""
    return sorted(
        f"{node['schema']}.{node['alias']}"
        for node in project_models(target_path)
        if node["config"].get("materialized") == "incremental"
    )


def carried_state_models(target_path: Path) -> set[str]:
    """The models that carry a user's state from run to run (their pre-hook is
    macros/carried_user_state.sql's forget_user_state), by name, from dbt's manifest."""
    return {
        node["name"]
        for node in project_models(target_path)
        if any("forget_user_state" in hook["sql"] for hook in node["config"].get("pre-hook", []))
    }


def check_state_carried(incremental: dict[str, int], full: dict[str, int], target: str) -> None:
    """The last incremental build's models that carry a user's state (Postgres) wrote
    only their new user's rows, fewer than their full refresh: they carried the state on
    instead of reading every event again (their pre-hook found nothing that stops it)."""
    if target != "postgres":
        return  # Spark rebuilds them as tables
    if not incremental:
        raise CheckFailed("no model that carries a user's state reported the rows it wrote")
    for name, rows in sorted(incremental.items()):
        print(f"   {name}: the last build wrote {rows} rows, the full refresh {full.get(name)}")
        if name not in full or rows >= full[name]:
            raise CheckFailed(
                f"{name} wrote {rows} rows in the last incremental build, as many as its full"
                f" refresh ({full.get(name)}): it read every event again instead of carrying"
                " its users' state on (macros/carried_user_state.sql)"
            )


def copy_name(model: str) -> str:
    """Where the copy of a model's incremental result goes: the scratch warehouse's
    default schema, e.g. marts.fct_songplays -> fct_songplays_incremental."""
    return f"{model.split('.')[-1]}_incremental"


class Warehouse(Protocol):
    """The scratch warehouse of one engine: where the check loads, builds and compares."""

    target: str  # the dbt target

    def env(self) -> dict[str, str]:
        """Variables that point the loader and dbt at the scratch warehouse."""
        ...

    def create(self) -> None: ...

    def drop(self) -> None: ...

    def snapshot(self, models: Sequence[str]) -> None:
        """Keep a copy of each model as it is now (the incremental result)."""
        ...

    def compare(self, models: Sequence[str]) -> tuple[list[Difference], int, int]:
        """Rows only in one of a model and its copy (the first 20 each way), how many
        there are in all, and the fact's row count."""
        ...


def except_all(left: str, right: str, columns: Sequence[str]) -> str:
    compared = ", ".join(column for column in columns if column not in BUILD_TIME_COLUMNS)
    return f"select {compared} from {left} except all select {compared} from {right}"


def directions(model: str, copy: str) -> tuple[tuple[str, str, str], ...]:
    return (
        (f"only in the incremental {model}", copy, model),
        (f"only in the full refresh of {model}", model, copy),
    )


class PostgresWarehouse:
    """A database of its own on the server the PG* variables point at."""

    target = "dev"

    def __init__(self) -> None:
        self.server = connection_settings()
        self.database = f"{self.server.database}_check_incremental"

    def env(self) -> dict[str, str]:
        return {"PGDATABASE": self.database}

    def create(self) -> None:
        db.recreate_database(self.server, self.database)

    def drop(self) -> None:
        db.drop_database(self.server, self.database)

    def _connect(self) -> psycopg.Connection:
        return db.connect(self.server.with_database(self.database), autocommit=True)

    def snapshot(self, models: Sequence[str]) -> None:
        with self._connect() as conn:
            for model in models:
                copy = f"public.{copy_name(model)}"
                conn.execute(sql.SQL(f"drop table if exists {copy}"))
                conn.execute(sql.SQL(f"create table {copy} as select * from {model}"))

    def compare(self, models: Sequence[str]) -> tuple[list[Difference], int, int]:
        differences: list[Difference] = []
        count = 0
        with self._connect() as conn:
            for model in models:
                schema, name = model.split(".")
                columns = [
                    row[0]
                    for row in conn.execute(
                        "select column_name from information_schema.columns "
                        "where table_schema = %s and table_name = %s order by ordinal_position",
                        (schema, name),
                    )
                ]
                for label, left, right in directions(model, f"public.{copy_name(model)}"):
                    rows = conn.execute(sql.SQL(except_all(left, right, columns))).fetchall()
                    count += len(rows)
                    differences += [(label, tuple(row)) for row in rows[:20]]
            row = conn.execute(sql.SQL(f"select count(*) from {FACT}")).fetchone()
        return differences, count, (row[0] if row else 0)


class SparkWarehouse:
    """A Spark state dir of its own (warehouse and Derby metastore), on the cluster the
    environment names (SPARK_MASTER, else the project's local cluster)."""

    target = "spark"

    def __init__(self, state_dir: Path) -> None:
        self.state_dir = state_dir

    def env(self) -> dict[str, str]:
        return {"SPARKIFY_SPARK_DIR": str(self.state_dir)}

    def create(self) -> None:
        shutil.rmtree(self.state_dir, ignore_errors=True)
        self.state_dir.mkdir(parents=True)

    def drop(self) -> None:
        shutil.rmtree(self.state_dir, ignore_errors=True)

    def _session(self):  # pyspark is an optional extra: imported here
        from sparkify.spark.session import spark_session
        from sparkify.spark.settings import spark_settings

        settings = spark_settings({**os.environ, **self.env()})
        # end_jvm: dbt, run next, opens the Derby metastore in a JVM of its own
        return spark_session(settings, "sparkify-check-incremental", end_jvm=True)

    def snapshot(self, models: Sequence[str]) -> None:
        with self._session() as spark:
            for model in models:
                copy = f"default.{copy_name(model)}"
                spark.sql(f"drop table if exists {copy}")
                spark.sql(f"create table {copy} using parquet as select * from {model}")

    def compare(self, models: Sequence[str]) -> tuple[list[Difference], int, int]:
        differences: list[Difference] = []
        count = 0
        with self._session() as spark:
            for model in models:
                columns = spark.table(model).columns
                for label, left, right in directions(model, f"default.{copy_name(model)}"):
                    rows = spark.sql(except_all(left, right, columns))
                    count += rows.count()
                    differences += [(label, tuple(row)) for row in rows.take(20)]
            plays = spark.sql(f"select count(*) from {FACT}").first()
        return differences, count, (plays[0] if plays else 0)


def report(differences: list[Difference], count: int, plays: int, expected_plays: int) -> int:
    """Print the differing rows and the play count; returns how many differences there are."""
    for label, row in differences:
        print(f"  {label}: {row}")
    print(f"full refresh: {plays} songplays; the data dir has {expected_plays} NextSong events")
    return count + (1 if plays != expected_plays else 0)


def check(
    project: Project, data_dir: Path, load: Loader, keep_database: bool, target: str = "postgres"
) -> None:
    """Run the five steps; raises CheckFailed when a model differs from its full refresh."""
    dbt = executable("dbt")
    log_files = sorted((data_dir / "log_data").rglob("*.json"))
    song_files = sorted((data_dir / "song_data").rglob("*.json"))
    if len(log_files) < 4:
        raise UsageError(f"need at least 4 log files under {data_dir / 'log_data'}")
    first, rest = log_files[: len(log_files) // 2], log_files[len(log_files) // 2 :]

    with tempfile.TemporaryDirectory(prefix="check_incremental_") as tmp:
        work = Path(tmp)
        warehouse: Warehouse = (
            SparkWarehouse(work / "spark") if target == "spark" else PostgresWarehouse()
        )
        if keep_database and target == "spark":
            warehouse = SparkWarehouse(Path(tempfile.mkdtemp(prefix="check_incremental_spark_")))
        data = work / "data"
        profiles = work / "profiles"
        profiles.mkdir()
        shutil.copy(project.profiles_example, profiles / "profiles.yml")
        env = {
            **os.environ,
            **warehouse.env(),
            "DBT_PROFILES_DIR": str(profiles),
            "DBT_TARGET_PATH": str(work / "target"),
            "DBT_LOG_PATH": str(work / "logs"),
        }

        def dbt_step(*args: str) -> None:
            run([dbt, *args, "--target", warehouse.target], env, project.root)

        warehouse.create()
        try:
            print(f"== 1. load {len(song_files)} song files and {len(first)} log files, build")
            copy_files([*song_files, *first], data_dir, data)
            load(data, env)
            dbt_step("build", "--full-refresh")

            rewritten = data / first[0].relative_to(data_dir)
            before, after = rewrite_log_file(rewritten)
            print(f"== 2. add {len(rest)} log files; {rewritten.name}: {before} -> {after} plays")
            copy_files(rest, data_dir, data)
            # Duplicates that step 4 promotes: a copy of a play of a file loaded now
            # (loaded right after it), and a play of a new key in a file of its own with
            # a copy in the next file (one load: Spark keeps both in one partition).
            copied = data / rest[0].relative_to(data_dir)
            late = write_events(copied.with_name(f"{copied.stem}_late.json"), first_play(copied))
            play = {**first_play(data / rest[1].relative_to(data_dir)), "itemInSession": 99_999}
            alone = write_events(data / "log_data" / "zz-a.json", play)
            write_events(data / "log_data" / "zz-b.json", play)
            print(f"   and {late}, a copy of a play; {alone}, a play of its own, and its copy")
            song_file = sorted((data / "song_data").rglob("*.json"))[0]
            already_loaded = [data / path.relative_to(data_dir) for path in first[1:]]
            title = make_a_loaded_play_match(song_file, already_loaded)
            print(f"   and change a catalogue song so that a loaded play of {title!r} matches it")
            load(data, env)
            # A load of its own with two files: a play that step 4 changes, and an event
            # that breaks a data rule. Once the play's file is replaced, the load has rows
            # in the checked events but none in the cleaned ones (on Spark, a partition
            # that only the post-hook can empty).
            changed_alone = {**play, "itemInSession": 99_997}
            lone = write_events(data / "log_data" / "zz-c.json", changed_alone)
            write_events(
                data / "log_data" / "zz-d.json",
                # not a play (count_plays counts every play); unknown_value
                {**as_page_view(play), "itemInSession": 99_996, "level": "platinum"},
            )
            print(f"== 2b. load {lone}, a play, and zz-d.json, a quarantined event, on their own")
            load(data, env)

            # `dbt build` as `make run` does it: every test, the fact's own included
            # (unique keys, only current file versions, equal to a full rebuild), must
            # hold on the incremental result, not only on a freshly built one.
            print("== 3. incremental build")
            dbt_step("build")

            rewritten = data / rest[0].relative_to(data_dir)
            before, after = rewrite_log_file(rewritten)
            print(f"== 4. {rewritten.name} (loaded in 2): {before} -> {after} plays")
            write_events(data / "log_data" / "zz-a.json", {**play, "itemInSession": 99_998})
            print(f"   {alone}: its play has another key now (its copy is the first of the key)")
            write_events(data / "log_data" / lone, {**changed_alone, "song": "Changed"})
            print(f"   {lone}: its play changes (its load keeps only a quarantined event)")
            # Events that come first by file name: loaded plays become duplicates.
            early = write_events(
                data / "log_data" / EARLY,
                first_play(data / first[1].relative_to(data_dir)),
                as_page_view(first_play(data / first[2].relative_to(data_dir))),
            )
            print(f"   and {early}: a copy of a loaded play, and a page view with another's key")
            load(data, env)
            dbt_step("build")
            incremental_seconds = model_seconds(work / "target", "fct_songplays")

            # The common case: runs that only add files. The first build after them
            # still sees step 4's run (it finished after the rows it loaded); the
            # second does not, so its models skip their deletes (the raw.load_runs
            # guard, on Postgres only: Spark has no such path, so one round there).
            # 4b and 4c: the new events come after every loaded one, as a new day's do:
            # the models that carry a user's state (macros/carried_user_state.sql) carry
            # it on with them, rather than reading every event again. 4d: a late file,
            # a play before its user's latest event, so the ordered ones read every event.
            rounds = (("4b", "zz-e.json", 99_995), ("4c", "zz-f.json", 99_994))
            for step, name, item in rounds if target == "postgres" else rounds[:1]:
                session = next_events_of_user(play, latest_ts(data), item)
                added = write_events(data / "log_data" / name, *session)
                print(f"== {step}. add {added}, a new session with a play; load, build")
                load(data, env)
                dbt_step("build")
            carried = carried_state_models(work / "target")
            carried_written = {
                name: rows
                for name, rows in rows_written(work / "target").items()
                if name in carried
            }
            models = incremental_models(work / "target")

            def compare_with_a_full_refresh(step: str) -> int:
                """Copy the models, full-refresh them (and every model between them),
                compare both ways; returns how many rows differ (listed)."""
                warehouse.snapshot(models)
                print(f"== {step}. full refresh of {', '.join(models)} and the models between")
                dbt_step("run", "--full-refresh", "--select", INCREMENTAL_CHAIN)
                return report(*warehouse.compare(models), count_plays(data))

            carried_differences = 0
            if target == "postgres":
                late = write_events(
                    data / "log_data" / "zz-g.json", {**play, "itemInSession": 99_993}
                )
                print(f"== 4d. add {late}, a play at an old time (a late file); load, build")
                load(data, env)
                dbt_step("build")
                # The models as 4c and 4d carried them (4e makes them read every event).
                carried_differences = compare_with_a_full_refresh("4d'")
                check_state_carried(carried_written, rows_written(work / "target"), target)
                # The user's latest event goes: the carried state must be read again.
                write_events(data / "log_data" / added, *session[:-1])
                print(f"== 4e. {added} loses its last event, its user's latest; load, build")
                load(data, env)
                dbt_step("build")
                # 4f: a loaded play leaves the fact and nothing is replaced, so only the
                # duplicate-key condition can make the carried models read every event
                # again. A first load moves their watermark past 4e's replacing run.
                filler = write_events(
                    data / "log_data" / "zz-h.json",
                    *next_events_of_user(play, latest_ts(data), 99_992),
                )
                print(f"== 4f. add {filler}, a new session after every loaded event; load, build")
                load(data, env)
                dbt_step("build")
                displacing = write_events(data / "log_data" / EARLY_KEY, as_page_view(session[0]))
                print(f"   add {displacing}, a page view with the key of 4c's play; load, build")
                load(data, env)
                dbt_step("build")
            # Every build so far passed, so each row test has a watermark and read only
            # the rows written since it last passed (macros/test_watermarks.sql).
            narrowed, row_tests = row_tests_narrowed(work / "target")
            counts = f"{narrowed} of {row_tests}"
            print(f"   row tests that read only the rows written since they passed: {counts}")
            if row_tests == 0 or narrowed != row_tests:
                raise CheckFailed(
                    f"{row_tests - narrowed} of {row_tests} row tests read every row after"
                    " builds that passed: their watermarks (macros/test_watermarks.sql) were"
                    " not kept or not read"
                )
            differences = carried_differences + compare_with_a_full_refresh("5")
            full_seconds = model_seconds(work / "target", "fct_songplays")
        finally:
            if keep_database:
                print(f"kept the scratch warehouse: {warehouse.env()}")
            else:
                warehouse.drop()

    print(
        f"fct_songplays build time: incremental {incremental_seconds:.2f}s,"
        f" full refresh {full_seconds:.2f}s"
    )
    if differences:
        raise CheckFailed(
            f"incremental and full-refresh models differ in {differences} rows (listed above)"
        )
    print(f"OK: incremental and full-refresh {', '.join(models)} are identical ({target})")
