"""Write-audit-publish: `make build` (scripts/build.py) builds and tests a copy of the
warehouse and publishes it in one transaction only when every error-severity test passed.
A late failure leaves the published warehouse exactly as it was, and the report refuses
what a failed build or a newer load has outdated."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import psycopg
from conftest import REPO_ROOT, Warehouse

# The schemas readers see, and the tables in them (views read raw live, see the README).
PUBLISHED = ("staging", "intermediate", "marts", "quality", "reference")


def fingerprint(warehouse: Warehouse) -> dict[str, tuple[int, str]]:
    """Every published table's row count and a hash of its rows, in a canonical order."""
    tables = warehouse.fetch(
        "select table_schema, table_name from information_schema.tables "
        "where table_schema = any(%s) and table_type = 'BASE TABLE' order by 1, 2",
        list(PUBLISHED),
    )
    prints = {}
    for schema, table in tables:
        ((rows, digest),) = warehouse.fetch(
            f"select count(*), md5(coalesce(string_agg(t::text, '|' order by t::text), '')) "
            f'from "{schema}"."{table}" as t'
        )
        prints[f"{schema}.{table}"] = (rows, digest)
    return prints


def fact_build_line(dbt_output: str) -> str:
    """dbt's line for the fact's model, without its colours."""
    (line,) = [
        re.sub(r"\x1b\[[0-9;]*m", "", line)
        for line in dbt_output.splitlines()
        if "OK created" in line and "fct_songplays" in line
    ]
    return line


def fact_build_sql(warehouse: Warehouse) -> str:
    """The statement dbt ran to build the fact in the warehouse's last build."""
    run = Path(warehouse.env["DBT_TARGET_PATH"]) / "run" / "sparkify" / "models"
    return (run / "marts" / "core" / "fct_songplays.sql").read_text()


def write_day(warehouse: Warehouse, name: str, events: list[dict]) -> Path:
    path = warehouse.data / "log_data" / "2018" / "12" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(event) + "\n" for event in events))
    return path


def a_play(warehouse: Warehouse) -> dict:
    """A real NextSong event of the copied dataset."""
    first_day = sorted((warehouse.data / "log_data").rglob("*.json"))[0]
    events = (json.loads(line) for line in first_day.read_text().splitlines() if line.strip())
    return next(event for event in events if event["page"] == "NextSong")


def test_a_late_failure_publishes_nothing_names_the_test_and_stops_the_report(
    own_warehouse: Warehouse, tmp_path: Path
) -> None:
    warehouse = own_warehouse
    before = fingerprint(warehouse)
    assert before["marts.fct_songplays"][0] == 6820  # the real dataset's plays
    report = tmp_path / "report.html"
    assert warehouse.report(report).returncode == 0

    # A new user from a state the seed does not know: no data rule stops it, but the test on
    # listening_by_state, one of the last nodes of the build, fails.
    play = dict(a_play(warehouse), userId="990001", sessionId=990001, location="Springfield, ZZ")
    day = write_day(warehouse, "2018-12-01-events.json", [play])
    assert warehouse.load().returncode == 0

    stale = warehouse.report(report)
    assert stale.returncode == 1
    assert "older than the last load" in stale.stderr and len(stale.stderr.splitlines()) == 1

    failed = warehouse.build()
    assert failed.returncode == 1, failed.stdout[-3000:]
    (error,) = failed.stderr.splitlines()
    assert error.startswith("build.py: error: dbt build failed: test ")
    assert "every_state_in_the_data_is_in_the_us_states_seed" in error
    assert "nothing published: readers still see build 1" in error
    assert fingerprint(warehouse) == before  # the published warehouse, unchanged
    assert warehouse.fetch("select status from publish.builds order by build_id") == [
        ("published",),
        ("failed",),
    ]
    refused = warehouse.report(report)
    assert refused.returncode == 1
    assert "build 2 (started" in refused.stderr and "failed" in refused.stderr
    assert "every_state_in_the_data_is_in_the_us_states_seed" in refused.stderr

    # The producer fixes the file; the next build publishes, incrementally.
    day.write_text(json.dumps(dict(play, location="Springfield, IL")) + "\n")
    assert warehouse.load().returncode == 0
    fixed = warehouse.build()
    assert fixed.returncode == 0, fixed.stdout[-3000:]
    # Incremental: the fact inserted the one new play, not a full table of them.
    fact_line = fact_build_line(fixed.stdout)
    assert "incremental model" in fact_line and "[INSERT 0 1 in" in fact_line, fact_line
    after = fingerprint(warehouse)
    assert after["marts.fct_songplays"][0] == 6821
    assert after.keys() == before.keys()
    written = warehouse.report(report)
    assert written.returncode == 0, written.stderr
    assert "the marts of build 3" in written.stdout
    page = report.read_text(encoding="utf-8")
    assert "The marts are build 3, published" in page and "Data quality" in page


def test_a_reader_sees_one_build_whole_while_another_is_published(
    own_warehouse: Warehouse,
) -> None:
    """A publish waits for a reader that locked the marts (as the report does), and the
    reader's snapshot holds the old build whole, however long it reads."""
    warehouse = own_warehouse

    def waiting_publish() -> bool:
        return warehouse.fetch(
            "select count(*) > 0 from pg_locks where not granted and mode = 'AccessExclusiveLock'"
        )[0][0]

    play = dict(a_play(warehouse), sessionId=990002)
    write_day(warehouse, "2018-12-02-events.json", [play])
    assert warehouse.load().returncode == 0

    with psycopg.connect(warehouse.settings.conninfo()) as reader:
        reader.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        reader.execute(
            "lock table marts.fct_songplays, marts.listening_summary in access share mode"
        )
        assert reader.execute("select count(*) from marts.fct_songplays").fetchone() == (6820,)
        outcome: dict[str, object] = {}
        publisher = threading.Thread(target=lambda: outcome.update(result=warehouse.build()))
        publisher.start()
        # The build runs; its publish then waits for the reader's locks.
        deadline = time.monotonic() + 600
        while publisher.is_alive() and time.monotonic() < deadline and not waiting_publish():
            time.sleep(0.5)
        assert publisher.is_alive(), "the publish did not wait for the reader"
        assert reader.execute("select count(*) from marts.fct_songplays").fetchone() == (6820,)
        assert reader.execute("select plays from marts.listening_summary").fetchone() == (6820,)
    publisher.join(timeout=600)
    result = outcome["result"]
    assert result.returncode == 0, result.stdout[-3000:]
    assert warehouse.fetch("select count(*) from marts.fct_songplays") == [(6821,)]
    assert warehouse.fetch("select plays from marts.listening_summary") == [(6821,)]


# --- Spark: the published databases are views over the last passing build's copy -------

SPARK_PEEK = """
import json, sys
from sparkify.spark.session import spark_session
from sparkify.spark.settings import spark_settings
with spark_session(spark_settings(), "peek", end_jvm=True) as spark:
    plays = spark.sql("select count(*) from marts.fct_songplays").collect()[0][0]
    summary = spark.sql("select plays from marts.listening_summary").collect()[0][0]
    kind = spark.catalog.getTable("marts.fct_songplays").tableType
    ledger = [tuple(row) for row in spark.sql(
        "select build_id, status, copy from publish.builds where status <> 'publishing' "
        "order by build_id").collect()]
print(json.dumps({"plays": plays, "summary": summary, "kind": kind, "ledger": ledger}))
"""


def test_spark_publishes_by_switching_views_and_a_failed_build_switches_none(
    spark_env: dict[str, str], tmp_path: Path
) -> None:
    env = dbt_env_for_spark(spark_env, tmp_path)
    data = shutil.copytree(REPO_ROOT / "data", tmp_path / "data")

    def run(script: str, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, str(REPO_ROOT / "scripts" / script), *args],
            capture_output=True, text=True, env=env, cwd=REPO_ROOT, timeout=1800,
        )  # fmt: skip

    def peek() -> dict:
        result = subprocess.run(
            [sys.executable, "-c", SPARK_PEEK], capture_output=True, text=True, env=env,
            cwd=REPO_ROOT, timeout=600,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr[-3000:]
        return json.loads(result.stdout.splitlines()[-1])

    load = ("--target", "spark", "--data-dir", str(data), "--no-progress")
    assert run("load_raw.py", *load).returncode == 0
    first = run("build.py", "--target", "spark")
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr
    published = peek()
    assert published["kind"] == "VIEW"
    assert published["plays"] == published["summary"] > 0
    assert published["ledger"] == [[1, "published", "__blue"]]

    day = data / "log_data" / "2018" / "12" / "2018-12-01-events.json"
    day.parent.mkdir(parents=True)
    first_day = sorted((data / "log_data").rglob("*.json"))[0]
    events = (json.loads(line) for line in first_day.read_text().splitlines() if line.strip())
    play = next(event for event in events if event["page"] == "NextSong")
    day.write_text(json.dumps(dict(play, userId="990001", sessionId=990001,
                                   location="Springfield, ZZ")) + "\n")  # fmt: skip
    assert run("load_raw.py", *load).returncode == 0
    failed = run("build.py", "--target", "spark")
    assert failed.returncode == 1, failed.stdout[-3000:]
    # One line of ours (the JVM may say "Using incubator modules" above it).
    (error,) = [line for line in failed.stderr.splitlines() if line.startswith("build.py")]
    assert "every_state_in_the_data_is_in_the_us_states_seed" in error
    assert "nothing published: readers still see the blue copy" in error
    after = peek()
    assert (after["plays"], after["summary"]) == (published["plays"], published["summary"])
    assert after["ledger"] == [[1, "published", "__blue"], [2, "failed", "__green"]]


def dbt_env_for_spark(spark_env: dict[str, str], tmp_path: Path) -> dict[str, str]:
    """The Spark settings with a state dir of the test's own (its own Derby metastore:
    the session-wide one stays with the test run's JVM), and dbt's folders in tmp."""
    if not (REPO_ROOT / "profiles.yml").exists():
        shutil.copy(REPO_ROOT / "profiles.yml.example", REPO_ROOT / "profiles.yml")
    return dict(
        spark_env,
        SPARKIFY_SPARK_DIR=str(tmp_path / "spark"),
        DBT_PROFILES_DIR=str(REPO_ROOT),
        DBT_TARGET_PATH=str(tmp_path / "target"),
        DBT_LOG_PATH=str(tmp_path / "logs"),
        DBT_SEND_ANONYMOUS_USAGE_STATS="false",
        SPARK_CONF_DIR=str(REPO_ROOT / "src" / "sparkify" / "spark" / "conf"),
    )


def test_after_a_full_refresh_is_published_the_next_build_starts_afresh(
    own_warehouse: Warehouse,
) -> None:
    """The copy a full refresh replaced holds the state it was run to fix: it goes."""
    warehouse = own_warehouse
    refreshed = warehouse.build("--full-refresh")
    assert refreshed.returncode == 0, refreshed.stdout[-3000:]
    schemas = warehouse.fetch("select nspname from pg_namespace where nspname like '%%__build'")
    assert schemas == []
    after = warehouse.build()
    assert after.returncode == 0, after.stdout[-3000:]
    # Every play built into a new table, not a batch added to a copy: the statement
    # creates the fact (an incremental run deletes and inserts into the one it has).
    fact_sql = fact_build_sql(warehouse)
    assert "create table" in fact_sql and "delete from" not in fact_sql, fact_sql[:2000]
    assert warehouse.fetch("select count(*) from marts.fct_songplays") == [(6820,)]


def test_a_conflicting_song_record_redoes_the_plays_it_matched(own_warehouse: Warehouse) -> None:
    """A record that conflicts with a catalogue song quarantines both: the play that
    matched the song loses its match in the incremental fact as in a full refresh."""
    warehouse = own_warehouse
    matched = "SOZCTXZ12AB0182364"  # the one song the real plays match
    assert warehouse.fetch(
        "select count(*) from marts.fct_songplays where song_id = %s", matched
    ) == [(1,)]
    original = next(
        path
        for path in (warehouse.data / "song_data").rglob("*.json")
        if json.loads(path.read_text())["song_id"] == matched
    )
    conflicting = dict(json.loads(original.read_text()), duration=1.0)
    (warehouse.data / "song_data" / "Z").mkdir()
    (warehouse.data / "song_data" / "Z" / "TRCONFLICT.json").write_text(json.dumps(conflicting))
    assert warehouse.load().returncode == 0

    built = warehouse.build()
    assert built.returncode == 0, built.stdout[-3000:]
    assert warehouse.fetch(
        "select count(*) from marts.fct_songplays where song_id = %s", matched
    ) == [(0,)]
    assert warehouse.fetch(
        "select count(*) from quality.quarantined_songs where raw_value = %s", matched
    ) == [(2,)]
