"""The raw loader against a real Postgres: figures come from the database."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import psycopg
import pytest
from conftest import REPO_ROOT, Engine, PostgresEngine, SparkEngine, run_script
from psycopg import sql

from sparkify.errors import LoadIntegrityError, SparkifyError
from sparkify.loader import files, load_data_dir
from sparkify.loader.commit_order import CommitOrder
from sparkify.loader.contract import CONTRACTS
from sparkify.loader.discover import discover_files
from sparkify.loader.progress import Progress
from sparkify.loader.records import Record, parse_lines, reason_kind
from sparkify.loader.schema import create_raw_schema
from sparkify.loader.summary import report_lines
from sparkify.settings import ConnectionSettings

SONG = {
    "num_songs": 1,
    "artist_id": "ARJIE2Y1187B994AB7",
    "artist_latitude": None,
    "artist_longitude": None,
    "artist_location": "",
    "artist_name": "Line Renaud",
    "song_id": "SOUPIRU12A6D4FA1E1",
    "title": "Der Kleine Dompfaff",
    "duration": 152.92036,
    "year": 0,
}


def event(n: int, **changes: object) -> dict:
    record = {
        "artist": "Des'ree",
        "auth": "Logged In",
        "firstName": "Kaylee",
        "gender": "F",
        "itemInSession": n,
        "lastName": "Summers",
        "length": 246.30812,
        "level": "free",
        "location": "Phoenix-Mesa-Scottsdale, AZ",
        "method": "PUT",
        "page": "NextSong",
        "registration": 1540344794796.0,
        "sessionId": 139,
        "song": "You Gotta Be",
        "status": 200,
        "ts": 1541106106796 + n,
        "userAgent": '"Mozilla/5.0 (Windows NT 6.1; WOW64)"',
        "userId": "8",
    }
    record.update(changes)
    return record


def line(record: dict) -> bytes:
    return json.dumps(record).encode()


def write(root: Path, relative: str, content: bytes) -> Path:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return path


def counts(db: psycopg.Connection, schema: str) -> dict[str, int]:
    return {
        table: db.execute(f'select count(*) from "{schema}".{table}').fetchone()[0]
        for table in ("song_data", "log_data", "rejected_records", "loaded_files")
    }


def holding(
    song_data: int = 0, log_data: int = 0, rejected_records: int = 0, loaded_files: int = 0
) -> dict[str, int]:
    """What counts() returns for a schema holding that many rows."""
    return {
        "song_data": song_data,
        "log_data": log_data,
        "rejected_records": rejected_records,
        "loaded_files": loaded_files,
    }


@contextmanager
def load_lock_held(db: psycopg.Connection, schema: str) -> Iterator[None]:
    """As if a loader were running on the schema: hold its load lock."""
    key = f"sparkify.load_raw.{schema}"
    db.execute("select pg_advisory_lock(hashtext(%s))", [key])
    try:
        yield
    finally:
        db.execute("select pg_advisory_unlock(hashtext(%s))", [key])


def start_loader(settings: ConnectionSettings, data_dir: Path, schema: str) -> subprocess.Popen:
    """scripts/load_raw.py in the background, as a user would start it."""
    return subprocess.Popen(
        [sys.executable, str(REPO_ROOT / "scripts/load_raw.py"), "--data-dir", str(data_dir),
         "--schema", schema],
        env=settings.env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def rejects(db: psycopg.Connection, schema: str) -> list[tuple]:
    return db.execute(
        f'select source_file, source_line, reason from "{schema}".rejected_records '
        "order by source_file, source_line"
    ).fetchall()


def test_real_dataset_lands_whole_and_a_rerun_changes_nothing(
    engine: Engine, real_data: Path
) -> None:
    engine.load(real_data)
    assert engine.counts() == holding(song_data=71, log_data=8056, loaded_files=101)
    nextsong = engine.fetch("select count(*) from {s}.log_data where {json:page} = 'NextSong'")
    assert nextsong[0][0] == 6820
    lineage = "select _source_file, _source_line, _loaded_at from {s}.log_data order by 1, 2"
    before = engine.fetch(lineage)
    assert before[0][:2] == ("log_data/2018/11/2018-11-01-events.json", 1)

    second = engine.load(real_data)
    assert (second.count("skipped"), second.records_loaded) == (101, 0)
    assert engine.fetch(lineage) == before  # not even _loaded_at moved
    runs = engine.fetch(
        "select status, files_loaded, files_skipped, records_loaded from {s}.load_runs "
        "order by load_id"
    )
    assert runs == [("completed", 101, 0, 8056 + 71), ("completed", 0, 101, 0)]


def test_bad_lines_are_rejected_with_reasons_and_good_ones_kept(
    engine: Engine, tmp_path: Path
) -> None:
    day = "log_data/2018/11/2018-11-02-events.json"
    content = b"\r\n".join(
        [
            b"\xef\xbb\xbf" + line(event(0)),  # BOM at file start, CRLF endings
            b'{"ts": 1, "page": "Home", oops}',  # malformed mid-file
            b"[1, 2, 3]",  # an array, not an object
            line({k: v for k, v in event(3).items() if k != "ts"}),  # missing required
            line(event(4, userId=4)),  # wrong type
            b'{"page": "caf\xe9", "ts": 5}',  # invalid UTF-8
            b"   ",  # blank: skipped and counted
            line(event(7)),
            b'{"ts": 8, "page": "Next',  # truncated last line, no newline
        ]
    )
    write(tmp_path, day, content)
    write(tmp_path, "log_data/2018/11/2018-11-03-events.json", b"")  # empty file
    summary = engine.load(tmp_path)

    assert engine.counts() == holding(log_data=2, rejected_records=6, loaded_files=2)
    assert engine.rejects() == [
        (
            day,
            2,
            "invalid JSON: Expecting property name enclosed in double quotes (line 1, column 27)",
        ),
        (day, 3, "expected a JSON object, got array"),
        (day, 4, "ts: required field is missing"),
        (day, 5, "userId: expected string, got number 4"),
        (day, 6, "not valid UTF-8 (byte 14 of the record)"),
        (day, 9, "invalid JSON: Unterminated string starting at (line 1, column 19)"),
    ]
    raw = engine.fetch("select raw_text, raw_bytes from {s}.rejected_records where source_line = 6")
    assert raw == [('{"page": "caf\\xe9", "ts": 5}', b'{"page": "caf\xe9", "ts": 5}')]
    files = engine.fetch(
        "select source_file, records_loaded, records_rejected, blank_lines, file_bytes "
        "from {s}.loaded_files order by 1"
    )
    assert files == [
        (day, 2, 6, 1, len(content)),
        ("log_data/2018/11/2018-11-03-events.json", 0, 0, 0, 0),
    ]
    assert (summary.records_loaded, summary.records_rejected, summary.blank_lines) == (2, 6, 1)
    lines = engine.fetch("select _source_line from {s}.log_data order by 1")
    assert lines == [(1,), (8,)]


def test_song_files_pretty_printed_or_not_one_record_each(engine: Engine, tmp_path: Path) -> None:
    pretty = json.dumps(SONG, indent=4).encode()
    write(tmp_path, "song_data/A/A/A/TRAAAAW128F429D538.json", pretty)
    write(tmp_path, "song_data/A/A/B/TRAABJL12903CDCF1A.json", line(SONG) + b"\n" + line(SONG))
    write(tmp_path, "song_data/A/A/C/TRAACCG128F92E8A55.json", b"[" + line(SONG) + b"]")
    write(tmp_path, "song_data/notes.txt", b"ignored: not *.json")
    engine.load(tmp_path)

    stored = engine.fetch("select record, _source_line from {s}.song_data")
    assert [(engine.record(record), number) for record, number in stored] == [(SONG, 1)]
    assert [r[2] for r in engine.rejects()] == [
        "invalid JSON: Extra data (line 2, column 1)",
        "expected a JSON object, got array",
    ]


def test_strings_round_trip_exactly_and_file_names_are_data(engine: Engine, tmp_path: Path) -> None:
    tricky = 'it\'s "quoted"\\ back\\slash\ttab \\N \\. \n newline 🎵 Ana Cañas'
    name = "log_data/x'; drop table raw.log_data; --.json"
    write(tmp_path, name, line(event(0, song=tricky, artist="\\.")) + b"\n")
    engine.load(tmp_path)

    row = engine.fetch("select {json:song}, {json:artist}, _source_file from {s}.log_data")
    assert row == [(tricky, "\\.", name)]


def test_a_changed_file_replaces_its_rows_and_rejects(engine: Engine, tmp_path: Path) -> None:
    day = "log_data/2018/11/2018-11-04-events.json"
    other = "log_data/2018/11/2018-11-05-events.json"
    write(tmp_path, day, b"\n".join([line(event(0)), line(event(1)), b"{bad"]))
    write(tmp_path, other, line(event(9)))
    engine.load(tmp_path)
    loaded_at = "select _loaded_at from {s}.log_data where _source_file = ?"
    other_before = engine.fetch(loaded_at, other)

    write(tmp_path, day, line(event(5)) + b"\n")
    summary = engine.load(tmp_path)

    assert (summary.count("replaced"), summary.count("skipped")) == (1, 1)
    items = engine.fetch(
        "select cast({json:itemInSession} as int) from {s}.log_data where _source_file = ?", day
    )
    assert items == [(5,)]  # no duplicates, no leftovers
    assert engine.rejects() == []
    assert engine.fetch(loaded_at, other) == other_before
    sha = engine.fetch(
        "select file_sha256, records_loaded from {s}.loaded_files where source_file = ?", day
    )
    assert sha[0][1] == 1 and len(sha[0][0]) == 64


def test_an_interrupted_run_leaves_files_whole_and_the_next_run_finishes(
    pg_settings: ConnectionSettings,
    db: psycopg.Connection,
    schema: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for day in (1, 2, 3):
        rows = b"\n".join(line(event(n)) for n in range(20)) + b"\n{bad}\n"
        write(tmp_path, f"log_data/2018/11/2018-11-0{day}-events.json", rows)
    monkeypatch.setattr(files, "PROGRESS_EVERY_LINES", 5)
    calls = {"n": 0}
    real_add = Progress.add_records

    def interrupt_in_second_file(self: Progress, count: int) -> None:
        calls["n"] += 1
        if self.files_done == 1 and calls["n"] > 6:  # part-way through the second file
            raise KeyboardInterrupt
        real_add(self, count)

    monkeypatch.setattr(Progress, "add_records", interrupt_in_second_file)
    with pytest.raises(KeyboardInterrupt):
        load_data_dir(pg_settings, tmp_path, schema, streams=1)
    assert counts(db, schema) == holding(log_data=20, rejected_records=1, loaded_files=1)
    status = db.execute(f'select status from "{schema}".load_runs').fetchall()
    assert status == [("interrupted",)]

    monkeypatch.undo()
    summary = load_data_dir(pg_settings, tmp_path, schema)
    assert (summary.count("loaded"), summary.count("skipped")) == (2, 1)
    assert counts(db, schema)["log_data"] == 60


def test_an_interrupt_on_one_stream_stops_the_others_and_leaves_files_whole(
    pg_settings: ConnectionSettings,
    db: psycopg.Connection,
    schema: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Two COPY streams: an interrupt part-way through one file cancels the other stream's
    transaction too; every file is then wholly loaded or not at all, and the run is closed
    as interrupted."""
    for day in range(1, 9):
        rows = b"\n".join(line(event(n)) for n in range(400)) + b"\n{bad}\n"
        write(tmp_path, f"log_data/2018/11/2018-11-0{day}-events.json", rows)
    monkeypatch.setattr(files, "PROGRESS_EVERY_LINES", 50)
    calls = {"n": 0}
    real_add = Progress.add_records

    def interrupt_part_way(self: Progress, count: int) -> None:
        calls["n"] += 1
        if calls["n"] == 20:  # about two and a half files in, two of them in flight
            raise KeyboardInterrupt
        real_add(self, count)

    monkeypatch.setattr(Progress, "add_records", interrupt_part_way)
    with pytest.raises(KeyboardInterrupt):
        load_data_dir(pg_settings, tmp_path, schema, streams=2)
    per_file = db.execute(
        f'select f.source_file, f.records_loaded, f.records_rejected, count(l.*) from "{schema}"'
        f'.loaded_files f left join "{schema}".log_data l '
        "on l._source_file = f.source_file and l._load_id = f.load_id group by 1, 2, 3"
    ).fetchall()
    assert 1 <= len(per_file) < 8
    assert all(row[1:] == (400, 1, 400) for row in per_file)
    held = counts(db, schema)
    assert held["log_data"] == 400 * len(per_file) and held["rejected_records"] == len(per_file)
    status = db.execute(f'select status from "{schema}".load_runs').fetchall()
    assert status == [("interrupted",)]
    assert (
        db.execute("select count(*) from pg_stat_activity where state like 'idle in%'").fetchone()[
            0
        ]
        == 0
    )

    monkeypatch.undo()
    summary = load_data_dir(pg_settings, tmp_path, schema, streams=2)
    assert (summary.count("loaded"), summary.count("skipped")) == (8 - len(per_file), len(per_file))
    assert counts(db, schema)["log_data"] == 3200


def test_two_streams_land_exactly_what_one_does(
    pg_settings: ConnectionSettings, db: psycopg.Connection, real_data: Path
) -> None:
    """The same files on one stream and on two: the same rows, lines and ledger."""
    landed = {}
    for streams in (1, 2):
        schema = f"raw_streams_{streams}"
        db.execute(f'drop schema if exists "{schema}" cascade')
        summary = load_data_dir(pg_settings, real_data, schema, streams=streams)
        landed[streams] = (
            [(r.relative, r.status, r.records_loaded, r.records_rejected) for r in summary.results],
            db.execute(
                f'select _source_file, _source_line, md5(record::text) from "{schema}".log_data '
                f'union all select _source_file, _source_line, md5(record::text) from "{schema}"'
                ".song_data order by 1, 2"
            ).fetchall(),
            db.execute(
                f'select source_file, file_sha256, records_loaded from "{schema}".loaded_files '
                "order by 1"
            ).fetchall(),
        )
        db.execute(f'drop schema "{schema}" cascade')
    assert landed[1] == landed[2]
    assert len(landed[2][1]) > 8000


def test_a_file_begun_later_commits_after_the_earlier_one_so_no_build_can_skip_it(
    pg_settings: ConnectionSettings,
    db: psycopg.Connection,
    schema: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Two streams: the file begun second is copied first, yet commits only after the
    first one, whose `_loaded_at` is earlier. A build between the two commits would
    otherwise see the later stamp alone and move its watermark past the earlier file."""
    write(tmp_path, "log_data/2018/11/2018-11-01-events.json", line(event(1)))
    write(tmp_path, "log_data/2018/11/2018-11-02-events.json", line(event(2)))
    first_copying, first_may_commit = threading.Event(), threading.Event()
    second_copied = threading.Event()
    real_begin, real_copy = files._load_versions, files._copy_versions

    def first(versions: list) -> bool:
        return versions[0].source_file.relative.endswith("01-events.json")

    def begin_in_turn(conn: psycopg.Connection, versions: list, *args: Any, **kw: Any) -> list:
        if not first(versions):
            assert first_copying.wait(60)  # the first file's transaction began first
        return real_begin(conn, versions, *args, **kw)

    def copy_in_turn(cursor: psycopg.Cursor, versions: list, *args: Any) -> None:
        if first(versions):
            first_copying.set()
            real_copy(cursor, versions, *args)
            assert first_may_commit.wait(60)
        else:
            real_copy(cursor, versions, *args)
            second_copied.set()

    monkeypatch.setattr(files, "_load_versions", begin_in_turn)
    monkeypatch.setattr(files, "_copy_versions", copy_in_turn)
    run = threading.Thread(
        target=load_data_dir,
        args=(pg_settings, tmp_path, schema),
        kwargs={"progress": False, "streams": 2},
        daemon=True,
    )
    run.start()
    try:
        assert second_copied.wait(60)
        run.join(1.0)  # time enough for the second file to commit, were it not held
        assert counts(db, schema)["log_data"] == 0
    finally:
        first_may_commit.set()
        run.join(60)
    assert not run.is_alive()
    stamps = db.execute(
        f'select _source_file, _loaded_at from "{schema}".log_data order by _loaded_at'
    ).fetchall()
    assert [path for path, _ in stamps] == [
        "log_data/2018/11/2018-11-01-events.json",
        "log_data/2018/11/2018-11-02-events.json",
    ]
    assert stamps[0][1] < stamps[1][1]


def test_a_transaction_that_fails_lets_the_later_ones_commit(
    pg_settings: ConnectionSettings, db: psycopg.Connection, schema: str
) -> None:
    """The order waits for an earlier transaction to end, committed or rolled back."""
    db.execute(f'create schema "{schema}"')
    db.execute(f'create table "{schema}".landed (stream text, at timestamptz default now())')
    order = CommitOrder()
    earlier_began, earlier_may_fail = threading.Event(), threading.Event()
    failed: list[BaseException] = []

    def earlier() -> None:
        with psycopg.connect(pg_settings.conninfo(), autocommit=True) as conn:
            try:
                with order.transaction(conn):
                    conn.execute(f"insert into \"{schema}\".landed (stream) values ('earlier')")
                    earlier_began.set()
                    assert earlier_may_fail.wait(60)
                    raise RuntimeError("the earlier file failed")
            except RuntimeError as exc:
                failed.append(exc)

    stream = threading.Thread(target=earlier, daemon=True)
    stream.start()
    try:
        assert earlier_began.wait(60)
        with psycopg.connect(pg_settings.conninfo(), autocommit=True) as conn:
            later = threading.Thread(target=lambda: _land_later(order, conn, schema), daemon=True)
            later.start()
            later.join(1.0)
            assert later.is_alive()  # it waits for the earlier one
            assert db.execute(f'select count(*) from "{schema}".landed').fetchone()[0] == 0
            earlier_may_fail.set()
            later.join(60)
            assert not later.is_alive()
    finally:
        earlier_may_fail.set()
        stream.join(60)
    assert len(failed) == 1
    assert db.execute(f'select stream from "{schema}".landed').fetchall() == [("later",)]


def _land_later(order: CommitOrder, conn: psycopg.Connection, schema: str) -> None:
    with order.transaction(conn):
        conn.execute(f"insert into \"{schema}\".landed (stream) values ('later')")


@pytest.mark.parametrize("limit", [1, 2])
def test_a_server_that_refuses_a_stream_loads_on_fewer(
    pg_settings: ConnectionSettings,
    db: psycopg.Connection,
    schema: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    limit: int,
) -> None:
    """A role allowed `limit` connections: the run's own takes one, so it gets one stream
    (limit 2) or none (limit 1, the run's connection loads); either way every file lands,
    and stderr says why the run has fewer streams than asked for."""
    monkeypatch.delenv("PGPASSWORD", raising=False)  # the role's password is in its file
    role = f"few_connections_{uuid.uuid4().hex[:8]}"
    db.execute(
        sql.SQL("create role {} login password 'few' connection limit {}").format(
            sql.Identifier(role), sql.Literal(limit)
        )
    )
    try:
        db.execute(
            sql.SQL("grant connect, create, temporary on database {} to {}").format(
                sql.Identifier(pg_settings.database), sql.Identifier(role)
            )
        )
        for day in range(4):
            events = [event(n) for n in range(50)]
            day_file = f"log_data/2018/11/2018-11-0{day + 1}-events.json"
            write(tmp_path, day_file, b"\n".join(line(e) for e in events))
        passfile = tmp_path / "pgpass"
        passfile.write_text(f"{pg_settings.host}:{pg_settings.port}:*:{role}:few\n")
        passfile.chmod(0o600)
        limited = replace(pg_settings, user=role, passfile=passfile, user_chosen=True)
        summary = load_data_dir(limited, tmp_path, schema, streams=2)
        assert summary.status == "completed" and summary.count("loaded") == 4
        assert counts(db, schema)["log_data"] == 200
        (refused,) = capsys.readouterr().err.splitlines()
        assert refused.startswith("loading on 1 of 2 streams: the server refused another")
        assert f'connection (too many connections for role "{role}")' in refused
        assert refused.endswith("the run's own connection loads the files") == (limit == 1)
        assert "make db" not in refused
    finally:
        db.execute(sql.SQL("drop schema if exists {} cascade").format(sql.Identifier(schema)))
        db.execute(sql.SQL("drop owned by {}").format(sql.Identifier(role)))
        db.execute(sql.SQL("drop role {}").format(sql.Identifier(role)))


@pytest.fixture(scope="module")
def many_days(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """60 generated day files of 4,000 events: a run long enough to stop part-way."""
    out = tmp_path_factory.mktemp("many_days")
    result = run_script(
        "generate_data.py", "--out", str(out), "--events", "240000", "--days", "60",
        "--songs", "50",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return out


def committed_figures(db: psycopg.Connection, schema: str, load_id: int) -> tuple:
    """What loaded_files shows of one run: files, records loaded, rejected, blank lines."""
    return db.execute(
        f"select count(*), coalesce(sum(records_loaded), 0), coalesce(sum(records_rejected), 0), "
        f'coalesce(sum(blank_lines), 0) from "{schema}".loaded_files where load_id = %s',
        [load_id],
    ).fetchone()


def stop_part_way(
    settings: ConnectionSettings, db: psycopg.Connection, schema: str, data: Path, how: int
) -> subprocess.CompletedProcess:
    """Start the loader, and send it `how` once some files of the run are committed."""
    loader = start_loader(settings, data, schema)
    deadline = time.monotonic() + 120
    while loader.poll() is None:
        assert time.monotonic() < deadline, "the loader never committed a log file"
        exists = db.execute("select to_regclass(%s)", [f"{schema}.loaded_files"]).fetchone()
        if exists != (None,) and committed_figures(db, schema, 1)[0] > 52:  # songs + 2 days
            break
        time.sleep(0.05)
    loader.send_signal(how)
    out, err = loader.communicate(timeout=120)
    return subprocess.CompletedProcess(loader.args, loader.returncode, out, err)


def run_row(db: psycopg.Connection, schema: str, load_id: int) -> tuple:
    return db.execute(
        f"select status, files_loaded, records_loaded, records_rejected, blank_lines "
        f'from "{schema}".load_runs where load_id = %s',
        [load_id],
    ).fetchone()


def test_sigterm_stops_a_run_like_ctrl_c_one_line_exit_143_run_interrupted(
    pg_settings: ConnectionSettings, db: psycopg.Connection, schema: str, many_days: Path
) -> None:
    result = stop_part_way(pg_settings, db, schema, many_days, signal.SIGTERM)
    assert result.returncode == 143, result.stderr
    assert result.stderr.strip() == "load_raw.py: terminated (SIGTERM)"
    files, loaded, rejected, blank = committed_figures(db, schema, 1)
    assert 52 < files < 110  # part-way: 50 song files and 60 day files in all
    assert run_row(db, schema, 1) == ("interrupted", files, loaded, rejected, blank)
    stored = counts(db, schema)
    assert stored["log_data"] + stored["song_data"] == loaded  # the rest rolled back

    rerun = load_data_dir(pg_settings, many_days, schema)
    assert rerun.count("skipped") == files and rerun.status == "completed"
    stored = counts(db, schema)
    songs = len(list((many_days / "song_data").rglob("*.json")))  # one record per file
    events = sum(
        1
        for path in (many_days / "log_data").rglob("*.json")
        for text in path.read_bytes().splitlines()
        if text.strip()
    )
    assert stored["log_data"] + stored["song_data"] + stored["rejected_records"] == songs + events


def test_after_kill_9_the_next_run_records_what_the_dead_run_committed(
    pg_settings: ConnectionSettings, db: psycopg.Connection, schema: str, many_days: Path
) -> None:
    result = stop_part_way(pg_settings, db, schema, many_days, signal.SIGKILL)
    assert result.returncode == -signal.SIGKILL
    assert run_row(db, schema, 1)[0] == "running"  # nobody could say otherwise yet
    committed = committed_figures(db, schema, 1)

    load_data_dir(pg_settings, many_days, schema)
    assert run_row(db, schema, 1) == ("interrupted", *committed)
    assert committed[1] > 0


def test_a_second_loader_waits_for_the_first(
    pg_settings: ConnectionSettings, db: psycopg.Connection, schema: str, tmp_path: Path
) -> None:
    write(tmp_path, "log_data/2018/11/2018-11-06-events.json", line(event(0)) + b"\n")
    load_data_dir(pg_settings, tmp_path, schema)  # creates the schema
    write(tmp_path, "log_data/2018/11/2018-11-07-events.json", line(event(1)) + b"\n")
    with load_lock_held(db, schema):
        loader = start_loader(pg_settings, tmp_path, schema)
        time.sleep(2)
        assert loader.poll() is None, "the second loader did not wait"
        assert counts(db, schema)["log_data"] == 1
    out, err = loader.communicate(timeout=60)
    assert loader.returncode == 0, err
    assert "waiting for it to finish" in err
    assert "1 loaded" in out and "1 skipped" in out
    assert counts(db, schema)["log_data"] == 2


def test_an_unreadable_file_fails_the_run_in_one_line_and_the_rest_loads(
    pg_settings: ConnectionSettings, db: psycopg.Connection, schema: str, tmp_path: Path
) -> None:
    write(tmp_path, "log_data/2018/11/2018-11-08-events.json", line(event(0)))
    broken = tmp_path / "log_data/2018/11/2018-11-09-events.json"
    broken.symlink_to(tmp_path / "missing.json")
    result = run_script(
        "load_raw.py", "--data-dir", str(tmp_path), "--schema", schema, settings=pg_settings
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert (
        "load_raw.py: error: cannot read log_data/2018/11/2018-11-09-events.json: "
        "No such file or directory"
    ) in result.stderr
    assert counts(db, schema)["log_data"] == 1


HOSTILE_SCHEMAS = {
    # the placeholder once stood in a comment of raw_schema.sql: a newline ended the comment
    "newline": "raw\ncreate table public.pwned (x int); --",
    "quote": 'raw"; create table public.pwned (x int); --',
    "upper case": "Raw",
    # Postgres keeps 63 bytes: this name and one with another last letter are one schema
    "64 bytes": "raw_" + "x" * 60,
}


@pytest.mark.parametrize("target", ["postgres", "spark"])
@pytest.mark.parametrize("name", HOSTILE_SCHEMAS.values(), ids=HOSTILE_SCHEMAS.keys())
def test_a_schema_name_that_is_not_a_plain_identifier_is_refused_before_any_sql(
    pg_settings: ConnectionSettings, db: psycopg.Connection, name: str, target: str
) -> None:
    result = run_script(
        "load_raw.py", "--target", target, "--data-dir", str(REPO_ROOT / "data"),
        "--schema", name, settings=pg_settings,
    )  # fmt: skip
    assert result.returncode == 2, result.stderr
    (message,) = result.stderr.strip().splitlines()
    assert message.startswith("load_raw.py: error: argument --schema: ")
    assert "schema name" in message and message.endswith("(see --help)")
    truncated = db.execute("select count(*) from pg_namespace where nspname = left(%s, 63)", [name])
    assert truncated.fetchone() == (0,)
    assert db.execute("select to_regclass('public.pwned')").fetchone() == (None,)


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ("missing", "data directory {dir}/nope does not exist"),
        ("a file", "data directory {dir}/nope is not a directory"),
        ("empty", "no input files in {dir}"),
    ],
)
def test_a_missing_or_empty_data_dir_is_one_line(
    pg_settings: ConnectionSettings, schema: str, tmp_path: Path, setup: str, message: str
) -> None:
    if setup == "a file":
        write(tmp_path, "nope", line(event(0)))
    data_dir = tmp_path if setup == "empty" else tmp_path / "nope"
    result = run_script(
        "load_raw.py", "--data-dir", str(data_dir), "--schema", schema, settings=pg_settings
    )
    assert result.returncode == 1
    assert result.stderr.startswith("load_raw.py: error: " + message.format(dir=tmp_path))
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("errcode", "message"),
    [
        ("disk_full", "the Postgres server ran out of disk space while loading "
         "log_data/2018/11/2018-11-13-events.json (could not extend file (SQLSTATE 53100)); "
         "files committed before it are kept: free space on the server's disk and rerun"),
        ("out_of_memory", "the Postgres server ran out of resources while loading "
         "log_data/2018/11/2018-11-13-events.json (could not extend file (SQLSTATE 53200)); "
         "files committed before it are kept: fix the server and rerun"),
        ("insufficient_privilege", "Postgres refused the load of "
         "log_data/2018/11/2018-11-13-events.json: could not extend file (SQLSTATE 42501); "
         "files committed before it are kept"),
    ],
    ids=["disk full", "out of memory", "no privilege"],
)  # fmt: skip
def test_a_server_error_is_named_for_what_it_is_and_fails_the_run(
    pg_settings: ConnectionSettings,
    db: psycopg.Connection,
    schema: str,
    tmp_path: Path,
    errcode: str,
    message: str,
) -> None:
    write(tmp_path, "log_data/2018/11/2018-11-12-events.json", line(event(0)))
    load_data_dir(pg_settings, tmp_path, schema)
    # The server fails the next file's COPY as a full disk (or a value over a limit) would.
    db.execute(
        f'create function "{schema}".fail() returns trigger language plpgsql as $$ '
        f"begin raise exception 'could not extend file' using errcode = '{errcode}'; end $$"
    )
    db.execute(
        f'create trigger fail before insert on "{schema}".log_data '
        f'for each row execute function "{schema}".fail()'
    )
    # Large enough that the server's error arrives while the loader still streams.
    many = b"\n".join(line(event(n)) for n in range(50_000))
    write(tmp_path, "log_data/2018/11/2018-11-13-events.json", many)
    result = run_script(
        "load_raw.py", "--data-dir", str(tmp_path), "--schema", schema, settings=pg_settings
    )
    assert result.returncode == 1
    assert result.stderr.strip() == f"load_raw.py: error: {message}"  # one line, nothing above
    status = db.execute(f'select status from "{schema}".load_runs order by load_id').fetchall()
    assert status == [("completed",), ("failed",)]
    assert counts(db, schema)["log_data"] == 1


def test_a_stream_that_fails_stops_the_run_when_it_fails(
    pg_settings: ConnectionSettings, db: psycopg.Connection, schema: str, tmp_path: Path
) -> None:
    """The streams take the largest batch first, so the first file in the files' order
    (the smallest here) would run last: a failure elsewhere must stop the run at once,
    not when that file is done."""
    write(tmp_path, "log_data/2018/11/2018-11-01-events.json", line(event(0)))
    for day in range(2, 10):
        rows = b"\n".join(line(event(n)) for n in range(2000 + day))
        write(tmp_path, f"log_data/2018/11/2018-11-0{day}-events.json", rows)
    create_raw_schema(db, schema)
    db.execute(
        f'create function "{schema}".fail() returns trigger language plpgsql as $$ '
        "begin raise exception 'could not extend file' using errcode = '53100'; end $$"
    )
    db.execute(  # the largest day, the first to start
        f'create trigger fail before insert on "{schema}".log_data for each row '
        f"when (new._source_file like '%09-events.json') execute function \"{schema}\".fail()"
    )
    with pytest.raises(SparkifyError, match=r"2018-11-09-events\.json"):
        load_data_dir(pg_settings, tmp_path, schema, progress=False, streams=2)
    loaded = db.execute(f'select source_file from "{schema}".loaded_files').fetchall()
    assert len(loaded) <= 2  # the other stream's batch, at most two, not the other seven
    status = db.execute(f'select status from "{schema}".load_runs').fetchall()
    assert status == [("failed",)]


def test_a_record_the_server_refuses_is_a_reject_with_its_reason_and_the_run_goes_on(
    pg_settings: ConnectionSettings, db: psycopg.Connection, schema: str, tmp_path: Path
) -> None:
    write(tmp_path, "log_data/2018/11/2018-11-12-events.json", line(event(0)))
    load_data_dir(pg_settings, tmp_path, schema)  # the schema, for the trigger below
    # As jsonb refuses a string over 256 MB: one record, by its content, whatever its size.
    db.execute(
        f'create function "{schema}".refuse() returns trigger language plpgsql as $$ '
        "begin if new.record->>'page' = 'Refused' then raise exception 'string too long' "
        "using errcode = 'program_limit_exceeded'; end if; return new; end $$"
    )
    db.execute(
        f'create trigger refuse before insert on "{schema}".log_data '
        f'for each row execute function "{schema}".refuse()'
    )
    events = [event(n) for n in range(2500)]
    events[1700]["page"] = "Refused"
    day = "log_data/2018/11/2018-11-13-events.json"
    write(tmp_path, day, b"\n".join(line(e) for e in events) + b"\n")
    write(tmp_path, "log_data/2018/11/2018-11-14-events.json", line(event(0)))

    summary = load_data_dir(pg_settings, tmp_path, schema)
    assert summary.status == "completed" and summary.count("loaded") == 2
    (result,) = [r for r in summary.results if r.relative == day]
    assert (result.records_loaded, result.records_rejected) == (2499, 1)
    (refused,) = db.execute(
        f'select source_line, reason, raw_text from "{schema}".rejected_records'
    ).fetchall()
    assert refused[:2] == (1701, "Postgres refused the record: string too long")
    assert json.loads(refused[2]) == events[1700]
    stored = db.execute(
        f'select count(*), count(distinct _source_line) from "{schema}".log_data '
        "where _source_file = %s",
        [day],
    ).fetchone()
    assert stored == (2499, 2499)
    assert counts(db, schema)["loaded_files"] == 3


def test_a_record_over_jsonbs_limit_is_a_reject_with_its_reason_and_the_run_goes_on(
    pg_settings: ConnectionSettings, db: psycopg.Connection, schema: str, tmp_path: Path
) -> None:
    """The real thing: an artist name of 2**28 bytes, one more than a jsonb string holds
    (the contract passes it: it is a string). About 1 GB of memory for a few seconds."""
    events = [event(n) for n in range(100)]
    events[40]["artist"] = "a" * 2**28
    day = "log_data/2018/11/2018-11-15-events.json"
    write(tmp_path, day, b"\n".join(line(e) for e in events) + b"\n")
    write(tmp_path, "log_data/2018/11/2018-11-16-events.json", line(event(0)))
    del events

    summary = load_data_dir(pg_settings, tmp_path, schema)
    assert summary.status == "completed" and summary.count("loaded") == 2
    (result,) = [r for r in summary.results if r.relative == day]
    assert (result.records_loaded, result.records_rejected) == (99, 1)
    (refused,) = db.execute(
        f'select source_line, reason, octet_length(raw_bytes) from "{schema}".rejected_records'
    ).fetchall()
    assert refused[0] == 41
    assert refused[1].startswith("Postgres refused the record: string too long")
    assert refused[2] > 2**28  # the whole line, kept
    assert counts(db, schema)["loaded_files"] == 2


DRIFTED_DAY = "log_data/2018/11/2018-11-20-events.json"


def write_drifted_day(root: Path) -> str:
    """A day whose userIds arrived as JSON numbers: 811 of its 844 records break the
    contract. Returns the loader's line for it."""
    events = [event(n, userId=n) if n < 811 else event(n) for n in range(844)]
    write(root, DRIFTED_DAY, b"\n".join(line(e) for e in events) + b"\n")
    write(root, "log_data/2018/11/2018-11-21-events.json", line(event(0)))
    return (
        f"load_raw.py: error: {DRIFTED_DAY}: 811 of 844 records rejected (96.1%, over "
        "--max-reject-share 0.05); most common reason: userId: expected string, got "
        "number (811); the 33 valid records are loaded: fix the file (or its producer) "
        "and rerun"
    )


def test_a_drifted_file_stops_the_line_in_one_line_and_its_valid_records_stay(
    pg_settings: ConnectionSettings, db: psycopg.Connection, schema: str, tmp_path: Path
) -> None:
    message = write_drifted_day(tmp_path)
    args = ("load_raw.py", "--data-dir", str(tmp_path), "--schema", schema)
    result = run_script(*args, settings=pg_settings)
    assert result.returncode == 3
    assert result.stderr.strip() == message
    assert counts(db, schema) == holding(log_data=34, rejected_records=811, loaded_files=2)

    write(tmp_path, DRIFTED_DAY, (tmp_path / DRIFTED_DAY).read_bytes() + line(event(900)))
    tolerant = run_script(*args, "--max-reject-share", "1", settings=pg_settings)
    assert tolerant.returncode == 0, tolerant.stderr
    refused = run_script(*args, "--max-reject-share", "2", settings=pg_settings)
    assert refused.returncode == 2
    assert "'2' is not a share between 0 and 1" in refused.stderr


def test_an_unknown_role_is_one_line_that_names_pguser(
    pg_settings: ConnectionSettings, schema: str
) -> None:
    # The server asks for a password before it says whether the role exists (it never
    # tells a stranger which roles there are): without one, the line says where
    # passwords come from; with a wrong one, authentication fails, as for a wrong role.
    args = ("load_raw.py", "--data-dir", str(REPO_ROOT / "data"), "--schema", schema)
    for password, said in (("", "no password supplied"), ("x", "authentication failed")):
        result = run_script(
            *args, settings=pg_settings, PGUSER="nobody_by_that_name", PGPASSWORD=password
        )
        assert result.returncode == 1
        (message,) = result.stderr.strip().splitlines()
        assert said in message and "nobody_by_that_name@" in message
        assert "check PGUSER" in message and str(pg_settings.passfile) in message


def test_a_database_that_is_down_is_one_line(real_data: Path) -> None:
    result = run_script("load_raw.py", "--data-dir", str(real_data), PGHOST="127.0.0.1", PGPORT="1")
    assert result.returncode == 1
    assert result.stderr.startswith("load_raw.py: error: cannot connect to Postgres at ")
    assert "check that the server is up" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_strict_exits_non_zero_on_rejects(
    pg_settings: ConnectionSettings, schema: str, tmp_path: Path
) -> None:
    write(tmp_path, "log_data/2018/11/2018-11-10-events.json", line(event(0)) + b"\n{x}\n")
    result = run_script(
        "load_raw.py", "--data-dir", str(tmp_path), "--schema", schema, "--strict",
        settings=pg_settings,
    )  # fmt: skip
    assert result.returncode == 3
    assert "1 loaded, 1 rejected" in result.stdout
    assert "1 record(s) rejected (--strict)" in result.stderr


def test_the_data_sample_loads_without_rejects(engine: Engine, tmp_path: Path) -> None:
    sample = REPO_ROOT / "data"
    copy = shutil.copytree(sample, tmp_path / "data")
    summary = engine.load(copy)
    assert summary.records_rejected == 0
    assert engine.counts()["log_data"] == summary.records_loaded - engine.counts()["song_data"]
    assert engine.counts()["log_data"] > 1000


def test_losing_the_database_mid_run_is_one_line(
    pg_settings: ConnectionSettings, db: psycopg.Connection, schema: str, tmp_path: Path
) -> None:
    write(tmp_path, "log_data/2018/11/2018-11-11-events.json", line(event(0)) + b"\n")
    load_data_dir(pg_settings, tmp_path, schema)
    with load_lock_held(db, schema):
        loader = start_loader(pg_settings, tmp_path, schema)
        waiting = []
        for _ in range(100):  # until the loader is blocked on the lock
            waiting = db.execute(
                "select pid from pg_stat_activity where application_name = 'sparkify' "
                "and wait_event = 'advisory'"
            ).fetchall()
            if waiting:
                break
            time.sleep(0.1)
        assert waiting, "the loader never waited for the lock"
        db.execute("select pg_terminate_backend(%s)", [waiting[0][0]])
        _, err = loader.communicate(timeout=60)
    assert loader.returncode == 1
    assert "Traceback" not in err
    assert "load_raw.py: error: lost the connection to Postgres while loading" in err
    assert "rerun to finish" in err


def test_song_files_load_in_batches_and_a_changed_one_is_replaced(
    engine: Engine, tmp_path: Path
) -> None:
    for n in range(7):
        write(tmp_path, f"song_data/A/B/C/TRABC{n:013d}.json", line({**SONG, "song_id": f"S{n}"}))
    (tmp_path / "song_data/A/B/C/TRABCbroken.json").symlink_to(tmp_path / "gone.json")
    first = engine.load(tmp_path)
    assert (first.count("loaded"), first.count("failed")) == (7, 1)
    assert first.failures[0].error == (
        "cannot read song_data/A/B/C/TRABCbroken.json: No such file or directory"
    )

    write(tmp_path, "song_data/A/B/C/TRABC0000000000003.json", b'{"song_id": 3}')
    second = engine.load(tmp_path)
    assert (second.count("replaced"), second.count("skipped")) == (1, 6)
    ids = engine.fetch("select {json:song_id} from {s}.song_data order by 1")
    assert [row[0] for row in ids] == ["S0", "S1", "S2", "S4", "S5", "S6"]
    assert [r[1:] for r in engine.rejects()] == [(1, "song_id: expected string, got number 3")]
    files = engine.fetch(
        "select count(*), sum(records_loaded), sum(records_rejected) from {s}.loaded_files"
    )
    assert files == [(7, 6, 1)]


def test_discovery_walks_links_once_and_never_skips_an_unreadable_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path, "log_data/2018/11/2018-11-12-events.json", line(event(0)))
    (tmp_path / "log_data/2018/12").mkdir()
    (tmp_path / "log_data/2018/12/loop").symlink_to(tmp_path / "log_data/2018")  # a cycle
    assert [f.relative for f in discover_files(tmp_path)] == [
        "log_data/2018/11/2018-11-12-events.json"
    ]

    # Root reads every directory, so the refusal a normal user would get is simulated.
    def refuse(path: object) -> None:
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(os, "scandir", refuse)
    with pytest.raises(SparkifyError, match=r"cannot read directory .*log_data: Permission denied"):
        discover_files(tmp_path)


def test_only_regular_files_inside_their_source_are_read_the_rest_is_listed_with_a_reason(
    engine: Engine, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    write(data, "log_data/2018/11/2018-11-12-events.json", line(event(0)))
    song = write(data, "song_data/A/A/A/TRAAAAA.json", b'{"song_id": "S1", "num_songs": 1}')
    private = write(tmp_path, "private/secret.json", line(event(7, firstName="Secret")))
    os.mkfifo(data / "log_data/2018/11/fifo.json")  # would block a reader forever
    (data / "log_data/2018/11/zero.json").symlink_to("/dev/zero")  # would never end
    (data / "log_data/2018/11/secret.json").symlink_to(private)  # out of the data dir
    (data / "log_data/2018/11/song.json").symlink_to(song)  # a song file as events
    (data / "log_data/loop").symlink_to(data)  # the whole data dir again, as log data
    reasons = {
        "log_data/2018/11/fifo.json": "not a regular file (a FIFO): not read",
        "log_data/2018/11/secret.json": f"a link leading out of log_data/ (to {private}): not read",
        "log_data/2018/11/song.json": f"a link leading out of log_data/ (to {song}): not read",
        "log_data/2018/11/zero.json": "a link leading out of log_data/ (to /dev/zero): not read",
        "log_data/loop": f"a link leading out of log_data/ (to {data}): not read",
    }

    summary = engine.load(data)
    assert summary.status == "completed"
    assert (summary.count("loaded"), summary.count("ignored"), summary.files_seen) == (2, 5, 7)
    ignored = {r.relative: r.error for r in summary.results if r.status == "ignored"}
    assert ignored == reasons
    lines = report_lines(summary)
    assert (
        "2 loaded, 0 replaced (content changed), 0 skipped (unchanged), 0 failed, 5 ignored"
        in (lines[1])
    )
    assert (
        f"  ignored: log_data/2018/11/fifo.json: {reasons['log_data/2018/11/fifo.json']}" in lines
    )
    assert engine.counts() == holding(song_data=1, log_data=1, loaded_files=2)
    stored = engine.fetch("select source_file, reason, load_id from {s}.ignored_files")
    assert sorted(stored) == [(path, reason, summary.load_id) for path, reason in reasons.items()]
    assert engine.fetch("select count(*) from {s}.log_data where {json:firstName} = 'Secret'") == [
        (0,)
    ]


def test_a_file_name_that_is_not_utf8_is_ignored_with_a_reason_and_the_rest_loads(
    engine: Engine, tmp_path: Path
) -> None:
    write(tmp_path, "log_data/2018/11/2018-11-12-events.json", line(event(0)))
    latin1 = os.fsencode(tmp_path / "log_data/2018/11") + b"/caf\xe9.json"
    with open(latin1, "wb") as handle:
        handle.write(line(event(1)))
    summary = engine.load(tmp_path)
    assert (summary.count("loaded"), summary.count("ignored")) == (1, 1)
    (ignored,) = [r for r in summary.results if r.status == "ignored"]
    assert ignored.relative == "log_data/2018/11/caf\\xe9.json"
    assert ignored.error is not None and "not valid UTF-8" in ignored.error
    assert engine.fetch("select source_file from {s}.ignored_files") == [(ignored.relative,)]
    assert engine.counts()["log_data"] == 1


def test_rows_postgres_did_not_store_stop_the_load_and_keep_nothing_of_the_file(
    pg_settings: ConnectionSettings, db: psycopg.Connection, schema: str, tmp_path: Path
) -> None:
    write(tmp_path, "log_data/2018/11/2018-11-13-events.json", line(event(0)) + b"\n")
    load_data_dir(pg_settings, tmp_path, schema)  # creates the schema
    db.execute(
        f'create function "{schema}".drop_row() returns trigger language plpgsql '
        "as $$ begin return null; end $$"
    )
    db.execute(
        f'create trigger drop_rows before insert on "{schema}".log_data '
        f'for each row execute function "{schema}".drop_row()'
    )
    day = "log_data/2018/11/2018-11-14-events.json"
    write(tmp_path, day, line(event(1)) + b"\n" + line(event(2)) + b"\n{bad\n")

    with pytest.raises(LoadIntegrityError) as raised:
        load_data_dir(pg_settings, tmp_path, schema)
    assert str(raised.value).startswith(
        f"{day}: parsed 2 records and 1 rejects, but Postgres stored 0 and 1, so none of it"
    )
    assert f"trigger, rule or policy on {schema}.log_data" in str(raised.value)
    assert counts(db, schema) == holding(log_data=1, loaded_files=1)


@pytest.mark.parametrize(
    ("field", "literal"),
    [
        ("status", str(2**63 - 1)),
        ("status", str(2**63)),
        ("status", str(-(2**63))),
        ("status", str(-(2**63) - 1)),
        ("length", str(10**308)),
        ("length", str(2 * 10**308)),
        ("length", str(-2 * 10**308)),
        ("length", "1.5e308"),
        ("length", "1e309"),
    ],
)
def test_the_contracts_number_ranges_are_postgres_bigint_and_double(
    db: psycopg.Connection, field: str, literal: str
) -> None:
    cast = "bigint" if field == "status" else "double precision"
    try:
        db.execute(f"select %s::numeric::{cast}", [literal])
        postgres_takes_it = True
    except psycopg.errors.NumericValueOutOfRange:
        postgres_takes_it = False
    record = line(event(0, **{field: "NUMBER"})).replace(b'"NUMBER"', literal.encode())
    (parsed,) = parse_lines([record], CONTRACTS["log_data"])
    assert isinstance(parsed, Record) == postgres_takes_it, parsed


# --- Spark only: crash safety without transactions, and the command line -----------------


def spark_day_files(root: Path, days: range, items: int = 5) -> None:
    for day in days:
        rows = b"\n".join(line(event(n + 100 * day)) for n in range(items)) + b"\n{bad}\n"
        write(root, f"log_data/2018/11/2018-11-{day:02d}-events.json", rows)


def assert_each_file_whole(engine: SparkEngine) -> None:
    """Through the visibility rule, every registered file shows exactly its rows."""
    shown = dict(
        engine.fetch(
            "select t._source_file, count(*) from {s}.log_data t left semi join "
            "{s}.loaded_files f on t._source_file = f.source_file and t._load_id = f.load_id "
            "group by 1"
        )
    )
    registered = engine.fetch(
        "select source_file, records_loaded from {s}.loaded_files where source_name = 'log_data'"
    )
    assert {path: n for path, n in registered if n} == shown


@pytest.mark.parametrize("step", ["partitions_added", "registered"])
def test_a_spark_run_killed_between_its_steps_leaves_files_whole_and_the_next_run_finishes(
    spark: object,
    spark_env: dict[str, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    step: str,
) -> None:
    from sparkify.loader.spark import run
    from sparkify.loader.spark.storage import Store

    engine = SparkEngine(spark, spark_env, f"raw_{uuid.uuid4().hex[:10]}")
    spark_day_files(tmp_path, range(1, 2))
    engine.load(tmp_path)
    first_version = engine.fetch("select count(*) from {s}.log_data")[0][0]
    spark_day_files(tmp_path, range(1, 4), items=7)  # day 1 changed, days 2 and 3 new

    def crash(at: str) -> None:
        if at == step:
            raise KeyboardInterrupt

    monkeypatch.setattr(run, "checkpoint", crash)
    with pytest.raises(KeyboardInterrupt):
        engine.load(tmp_path)
    assert engine.fetch("select status from {s}.load_runs order by load_id") == [
        ("completed",),
        ("interrupted",),
    ]
    assert_each_file_whole(engine)
    if step == "partitions_added":  # nothing registered: the old version is what shows
        assert engine.visible("log_data") == first_version == 5
    else:  # registered: the new versions show; the replaced rows are still stored
        assert engine.visible("log_data") == 21
        assert engine.counts()["log_data"] == 21 + 5

    monkeypatch.undo()
    rerun = engine.load(tmp_path)
    done = (rerun.count("loaded") + rerun.count("replaced"), rerun.count("skipped"))
    assert done == ((3, 0) if step == "partitions_added" else (0, 3))
    assert engine.counts() == holding(log_data=21, rejected_records=3, loaded_files=3)
    assert engine.visible("log_data") == 21 and engine.visible("rejected_records") == 3
    once = engine.fetch("select _source_file, _source_line from {s}.log_data")
    assert len(set(once)) == len(once)  # no duplicates
    assert Store(spark, engine.schema).remove_leftovers("log_data") == []  # no orphan dirs
    spark.sql(f"drop database `{engine.schema}` cascade")  # type: ignore[attr-defined]


def test_a_spark_loader_killed_hard_mid_run_leaves_files_whole_and_a_rerun_loads_once(
    spark_env: dict[str, str], tmp_path: Path
) -> None:
    """kill -9 of the loader and its JVM while it writes; then a fresh process finishes."""
    data = shutil.copytree(REPO_ROOT / "data", tmp_path / "data")
    env = {**spark_env, "SPARKIFY_SPARK_DIR": str(tmp_path / "spark")}  # its own metastore
    loader = subprocess.Popen(
        [sys.executable, str(REPO_ROOT / "scripts/load_raw.py"), "--target", "spark",
         "--data-dir", str(data), "--schema", "raw_kill", "--no-progress"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    written = tmp_path / "spark/warehouse/raw_kill.db/log_data"
    deadline = time.monotonic() + 300
    while not list(written.glob("_load_id=*/*/_SUCCESS")) and loader.poll() is None:
        assert time.monotonic() < deadline, "the loader never wrote its log_data partition"
        time.sleep(0.05)
    os.killpg(loader.pid, signal.SIGKILL)
    loader.wait(timeout=60)
    time.sleep(2)  # the JVM's own exit

    check = f"""
import json, sys
from pathlib import Path
from sparkify.loader.spark.run import load_data_dir
from sparkify.spark.session import spark_session
from sparkify.spark.settings import spark_settings
VISIBLE = '''select count(*) from raw_kill.{{t}} t left semi join raw_kill.loaded_files f
  on t.{{f}} = f.source_file and t.{{i}} = f.load_id'''
PER_FILE = '''select f.source_file, f.records_loaded, count(t._source_file) from
  raw_kill.loaded_files f left join raw_kill.log_data t
  on t._source_file = f.source_file and t._load_id = f.load_id
  where f.source_name = 'log_data' group by 1, 2'''
settings = spark_settings()
with spark_session(settings, "check") as spark:
    def figures():
        per_file = [tuple(r) for r in spark.sql(PER_FILE).collect()]
        stored = spark.table("raw_kill.log_data").count()
        shown = spark.sql(VISIBLE.format(t="log_data", f="_source_file", i="_load_id")).first()[0]
        return dict(per_file=per_file, stored=stored, shown=shown)
    before = figures()
    committed = spark.sql('''select count(*), coalesce(sum(records_loaded), 0)
      from raw_kill.loaded_files where load_id = 1''').first()
    summary = load_data_dir(Path({str(data)!r}), "raw_kill", False, settings, spark=spark)
    after = figures()
    dead = spark.sql("select * from raw_kill.load_runs where load_id = 1").first().asDict()
    json.dump(dict(before=before, after=after, loaded=summary.records_loaded,
                   skipped=summary.count("skipped"), committed=list(committed),
                   dead=[dead["status"], dead["files_loaded"], dead["records_loaded"]]),
              sys.stdout)
"""
    result = subprocess.run(
        [sys.executable, "-c", check], env=env, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stderr[-3000:]
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    before, after = figures["before"], figures["after"]
    assert all(loaded == shown for _, loaded, shown in before["per_file"])  # whole or absent
    assert all(loaded == shown for _, loaded, shown in after["per_file"])
    total = sum(loaded for _, loaded, _ in after["per_file"])
    assert total > 1000
    assert after["stored"] == after["shown"] == total  # exactly once, no leftovers
    assert before["stored"] >= before["shown"]  # unregistered rows may be stored, never shown
    # the dead run is closed with what it registered (a Spark run registers at its end)
    assert figures["dead"] == ["interrupted", *figures["committed"]]
    registered_before = sum(loaded for _, loaded, _ in before["per_file"])
    assert before["shown"] == registered_before
    assert figures["loaded"] >= total - registered_before  # the rerun finished the job


@pytest.fixture
def spark_cli(
    spark: object, spark_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """load_raw.py --target spark in this process, on the tests' session; yields a database."""
    from sparkify.loader.spark import run

    @contextmanager
    def shared_session(settings: object, app_name: str) -> Iterator[object]:
        yield spark

    monkeypatch.setattr(run, "spark_session", shared_session)
    for name, value in spark_env.items():
        monkeypatch.setenv(name, value)
    database = f"raw_{uuid.uuid4().hex[:10]}"
    yield database
    spark.sql(f"drop database if exists `{database}` cascade")  # type: ignore[attr-defined]


def test_spark_cli_stops_the_line_on_a_drifted_file_like_postgres(
    spark_cli: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from sparkify.cli import load

    message = write_drifted_day(tmp_path)
    args = ["--target", "spark", "--data-dir", str(tmp_path), "--schema", spark_cli]
    assert load.main([*args, "--no-progress"]) == 3
    assert capsys.readouterr().err.strip() == message


def test_spark_cli_reports_unreadable_files_and_strict_rejects_like_postgres(
    spark_cli: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from sparkify.cli import load

    write(tmp_path, "log_data/2018/11/2018-11-08-events.json", line(event(0)))
    broken = tmp_path / "log_data/2018/11/2018-11-09-events.json"
    broken.symlink_to(tmp_path / "missing.json")
    args = ["--target", "spark", "--data-dir", str(tmp_path), "--schema", spark_cli]
    assert load.main([*args, "--no-progress"]) == 1
    out, err = capsys.readouterr()
    assert "1 loaded, 0 replaced (content changed), 0 skipped (unchanged), 1 failed" in out
    assert (
        "load_raw.py: error: cannot read log_data/2018/11/2018-11-09-events.json: "
        "No such file or directory"
    ) in err

    broken.unlink()
    write(tmp_path, "log_data/2018/11/2018-11-10-events.json", line(event(0)) + b"\n{x}\n")
    assert load.main([*args, "--strict"]) == 3
    out, err = capsys.readouterr()
    assert "1 loaded, 1 rejected" in out and "1 skipped" in out
    assert "1 record(s) rejected (--strict)" in err


@pytest.mark.parametrize(
    ("variables", "advice"),
    [
        ({"SPARKIFY_SPARK_PORT": "1"}, "start it with `python scripts/spark.py start`"),
        ({"SPARK_MASTER": "spark://127.0.0.1:1"}, "check SPARK_MASTER and that the cluster is up"),
    ],
)
def test_a_spark_master_that_is_down_is_one_line(
    real_data: Path, tmp_path: Path, variables: dict[str, str], advice: str
) -> None:
    env = {k: v for k, v in os.environ.items() if k != "SPARK_MASTER"}
    env.update(variables, SPARKIFY_SPARK_DIR=str(tmp_path))
    result = subprocess.run(
        [sys.executable, str(REPO_ROOT / "scripts/load_raw.py"), "--target", "spark",
         "--data-dir", str(real_data)],
        env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 1
    assert result.stderr.startswith(
        "load_raw.py: error: cannot reach the Spark master at spark://127.0.0.1:1 "
    )
    assert advice in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


# --- a reject's detailed reason and its value-free kind ----------------------------------

MARKER = "Zebulon Quixote"


def test_a_rejects_kind_holds_no_value_of_the_record(engine: Engine, tmp_path: Path) -> None:
    """Beside the detailed reason, which quotes the record, every reject has its kind
    (records.reason_kind), which does not: the same on both engines."""
    lines = [
        line(event(0)),
        line(event(1, ts=MARKER)),
        line(event(2, firstName=[MARKER])),
        line(event(3, location={"city": MARKER})),
        line(event(4, **{MARKER: "\u0000"})),  # a NUL under a key of the record's own
        line(event(5, status=2**64)),
        line(event(6))[:-9],  # cut short
    ]
    write(tmp_path, "log_data/2018/11/2018-11-20-events.json", b"\n".join(lines))
    engine.load(tmp_path)
    rows = engine.fetch(
        "select source_line, reason, reason_kind from {s}.rejected_records order by source_line"
    )
    assert [(number, kind) for number, _, kind in rows] == [
        (2, "ts: expected integer, got string"),
        (3, "firstName: expected string, got array"),
        (4, "location: expected string, got object"),
        (5, "a field outside the contract: \\u0000 or a lone surrogate, which jsonb cannot store"),
        (6, "status: integer N does not fit in 64 bits"),
        (7, "invalid JSON: Unterminated string starting at"),
    ]
    assert [number for number, reason, _ in rows if MARKER in reason] == [2, 3, 4, 5]
    assert all(kind == reason_kind(reason) for _, reason, kind in rows)


def _older_rejected_records(engine: Engine) -> None:
    """The raw schema as a loader before reason_kind left it: rejected_records without the
    column, holding a reject whose reason quotes the marker (load 1)."""
    reason = f'ts: expected integer, got string "{MARKER}"'
    if isinstance(engine, SparkEngine):
        from datetime import UTC, datetime

        from sparkify.loader.spark.storage import Store

        columns = (
            "source_name string, source_file string, source_line int, reason string, "
            "raw_text string, raw_bytes binary, rejected_at timestamp"
        )
        spark: Any = engine.spark
        spark.sql(f"create database `{engine.schema}`")
        spark.sql(
            f"create table `{engine.schema}`.rejected_records ({columns}, load_id bigint) "
            "using parquet partitioned by (load_id)"
        )
        row = ("log_data", "log_data/old.json", 3, reason, "x", b"x", datetime.now(UTC))
        frame = spark.createDataFrame([row], columns)
        Store(spark, engine.schema).add_partition("rejected_records", 1, frame)
        return
    assert isinstance(engine, PostgresEngine)
    schema = f'"{engine.schema}"'
    engine.conn.execute(f"create schema {schema}")
    engine.conn.execute(
        f"create table {schema}.rejected_records (source_name text not null, "
        "source_file text not null, source_line integer not null, reason text not null, "
        "raw_text text not null, raw_bytes bytea not null, load_id bigint not null, "
        "rejected_at timestamptz not null default now())"
    )
    engine.conn.execute(
        f"insert into {schema}.rejected_records (source_name, source_file, source_line, "
        "reason, raw_text, raw_bytes, load_id) "
        "values ('log_data', 'log_data/old.json', 3, %s, 'x', 'x', 1)",
        [reason],
    )


def test_an_older_rejected_records_gets_the_kind_and_its_rows_are_filled(
    engine: Engine, tmp_path: Path
) -> None:
    _older_rejected_records(engine)
    write(tmp_path, "log_data/2018/11/2018-11-21-events.json", line(event(0, userId=7)))
    engine.load(tmp_path)
    engine.load(tmp_path)  # nothing more to do
    rows = engine.fetch(
        "select source_file, reason, reason_kind from {s}.rejected_records order by 1"
    )
    assert [(file, kind) for file, _, kind in rows] == [
        ("log_data/2018/11/2018-11-21-events.json", "userId: expected string, got number"),
        ("log_data/old.json", "ts: expected integer, got string"),
    ]
    assert MARKER in rows[1][1]
    if isinstance(engine, PostgresEngine):
        nullable = engine.fetch(
            "select is_nullable from information_schema.columns "
            "where table_schema = ? and table_name = 'rejected_records' "
            "and column_name = 'reason_kind'",
            engine.schema,
        )
        assert nullable == [("NO",)]


def test_a_refusal_the_server_words_with_a_value_has_a_kind_without_it(
    pg_settings: ConnectionSettings, db: psycopg.Connection, schema: str, tmp_path: Path
) -> None:
    """Postgres's message may quote the record (`invalid input syntax ...: "..."`): the
    reason keeps it for the steward, the kind stops before it."""
    write(tmp_path, "log_data/2018/11/2018-11-12-events.json", line(event(0)))
    load_data_dir(pg_settings, tmp_path, schema)
    db.execute(
        f'create function "{schema}".refuse() returns trigger language plpgsql as $$ '
        "begin if new.record->>'page' = 'Refused' then raise exception "
        "'invalid input syntax for type json: \"%\"', new.record->>'firstName' "
        "using errcode = 'invalid_text_representation'; end if; return new; end $$"
    )
    db.execute(
        f'create trigger refuse before insert on "{schema}".log_data '
        f'for each row execute function "{schema}".refuse()'
    )
    events = [event(0), event(1, page="Refused", firstName=MARKER), event(2)]
    write(tmp_path, "log_data/2018/11/2018-11-13-events.json", b"\n".join(map(line, events)))
    load_data_dir(pg_settings, tmp_path, schema)
    refused = db.execute(
        f'select source_line, reason, reason_kind from "{schema}".rejected_records'
    ).fetchall()
    assert refused == [
        (
            2,
            f'Postgres refused the record: invalid input syntax for type json: "{MARKER}"',
            "Postgres refused the record: invalid input syntax for type json",
        )
    ]
