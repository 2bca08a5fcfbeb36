"""Rejects are visible in the warehouse: a drifting source fails dbt's build, per source."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from conftest import Warehouse, dbt, dbt_env, run_script

from sparkify.db import create_database, drop_database
from sparkify.generate.hostile import (
    BAD_EVENTS,
    BAD_SONGS,
    CONFLICTING_SONG_ID,
    GOOD_USER_ID,
    HostileFiles,
    add_hostile_files,
)
from sparkify.settings import ConnectionSettings


@pytest.fixture
def drifted(
    pg_settings: ConnectionSettings, real_data: Path, tmp_path: Path
) -> tuple[dict[str, str], int, int]:
    """The real dataset with one day whose userIds arrived as JSON numbers, loaded with
    the loader's own gate opened (--max-reject-share 1), in a database of its own.
    Returns dbt's environment, that day's records and how many of them broke."""
    settings = replace(pg_settings, database=f"{pg_settings.database}_drift")
    drop_database(pg_settings, settings.database)
    create_database(settings)
    data = shutil.copytree(real_data, tmp_path / "data")
    day = sorted((data / "log_data").rglob("*.json"))[0]
    events = [json.loads(text) for text in day.read_text().splitlines() if text.strip()]
    drifted = [dict(e, userId=int(e["userId"])) if e["userId"] else e for e in events]
    day.write_text("".join(json.dumps(e) + "\n" for e in drifted))
    broken = sum(1 for e in events if e["userId"])
    loaded = run_script(
        "load_raw.py", "--data-dir", str(data), "--max-reject-share", "1", settings=settings
    )
    assert loaded.returncode == 0, loaded.stderr
    yield dbt_env(settings, tmp_path / "dbt"), len(events), broken
    drop_database(pg_settings, settings.database)


def test_a_drifted_day_fails_the_build_and_any_reject_warns(
    drifted: tuple[dict[str, str], int, int],
) -> None:
    env, records, broken = drifted
    assert broken / records > 0.05  # the day is mostly logged-in events
    select = ("--select", "stg_sparkify__loaded_files", "--indirect-selection", "cautious")
    result = dbt(env, "build", *select)
    assert result.returncode == 1, result.stdout[-3000:]
    assert "Failure in test log_data_files_reject_at_most_max_reject_share" in result.stdout
    assert "Warning in test log_data_files_reject_nothing" in result.stdout
    assert "Failure in test song_data" not in result.stdout  # the songs are fine
    assert "Warning in test song_data" not in result.stdout

    tolerant = dbt(
        env, "build", *select,
        "--vars", "{max_reject_share: 1}",
    )  # fmt: skip
    assert tolerant.returncode == 0, tolerant.stdout[-3000:]
    assert "Warning in test log_data_files_reject_nothing" in tolerant.stdout


# --- the data rules: one bad value never takes the warehouse down -----------------------


@pytest.fixture
def hostile(own_warehouse: Warehouse) -> tuple[Warehouse, HostileFiles]:
    """The real dataset plus a day of bad values, bad songs and a conflicting song."""
    files = add_hostile_files(own_warehouse.data)
    loaded = own_warehouse.load()
    assert loaded.returncode == 0, loaded.stderr  # nothing here breaks the loader's contract
    return own_warehouse, files


def test_bad_values_are_quarantined_with_rule_field_and_text_and_the_build_publishes(
    hostile: tuple[Warehouse, HostileFiles], real_data: Path
) -> None:
    warehouse, files = hostile
    play = files.play
    built = warehouse.build()
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr
    day_file = str(files.day.relative_to(warehouse.data))

    quarantined = warehouse.fetch(
        "select source_line, data_rule, field, raw_value from quality.quarantined_events "
        "where source_file = %s order by source_line",
        day_file,
    )
    expected = [
        (line, rule, field, value)
        for line, (_changes, rule, field, value) in enumerate(BAD_EVENTS, start=1)
    ]
    duplicate = (len(BAD_EVENTS) + 1, "duplicate_key", "sessionId, itemInSession",
                 f"{play['sessionId']}, {play['itemInSession']}")  # fmt: skip
    assert quarantined == [*expected, duplicate]
    # Only the good play of the day goes on; the real event it duplicated stays once.
    assert warehouse.fetch(
        "select user_id, session_id from marts.fct_songplays where _source_file = %s", day_file
    ) == [(int(GOOD_USER_ID), files.good_play_session)]

    songs = warehouse.fetch(
        "select regexp_replace(source_file, '^.*/', ''), data_rule, field, raw_value "
        "from quality.quarantined_songs order by 1"
    )
    conflict = ("conflicting_records", "song_id", CONFLICTING_SONG_ID)
    assert songs == sorted(
        [(f"TRBAD{n}.json", *expected) for n, (_changes, *expected) in enumerate(BAD_SONGS)]
        + [("TRCONFLICTone.json", *conflict), ("TRCONFLICTtwo.json", *conflict)]
    )
    assert warehouse.fetch(
        "select count(*) from marts.dim_songs where song_id like 'SOBAD%%' or song_id = %s",
        CONFLICTING_SONG_ID,
    ) == [(0,)]

    # The answers are those of the real data plus one play: no play dated 2100 or 1969.
    real_plays = [
        json.loads(line)["ts"]
        for path in (real_data / "log_data").rglob("*.json")
        for line in path.read_text().splitlines()
        if line.strip() and json.loads(line)["page"] == "NextSong"
    ]
    first = datetime.fromtimestamp(min(real_plays) / 1000, UTC)
    last = datetime.fromtimestamp(max(real_plays) / 1000, UTC)
    assert warehouse.fetch(
        "select first_played_at, last_played_at, days_in_span, plays from marts.listening_summary"
    ) == [(first, last, (last.date() - first.date()).days + 1, len(real_plays) + 1)]
    assert warehouse.fetch(
        "select min(length_seconds) > 0, min(start_time) >= %s, max(start_time) <= %s "
        "from marts.fct_songplays",
        first, last,
    ) == [(True, True, True)]  # fmt: skip

    # Every raw record, per file, is a page view or quarantined (counted from raw here).
    unaccounted = warehouse.fetch(
        """
        with raw as (select _source_file as f, count(*) as n from raw.log_data group by 1),
        views as (select _source_file as f, count(*) as n from marts.fct_page_views group by 1),
        held as (select source_file as f, count(*) as n from quality.quarantined_events group by 1)
        select raw.f, raw.n, coalesce(views.n, 0), coalesce(held.n, 0)
        from raw left join views using (f) left join held using (f)
        where raw.n <> coalesce(views.n, 0) + coalesce(held.n, 0)
        """
    )
    assert unaccounted == []
    assert warehouse.fetch("select count(*) from quality.quarantined_events") == [
        (len(BAD_EVENTS) + 1,)
    ]


def test_a_number_too_small_for_a_double_is_quarantined_not_a_failed_build(
    own_warehouse: Warehouse,
) -> None:
    """1e-400 is a finite JSON number (the contract passes it) that underflows a double."""
    warehouse = own_warehouse
    song = json.loads(next((warehouse.data / "song_data").rglob("*.json")).read_text())
    song = dict(song, song_id="SOTINY000000000000", artist_latitude=None)
    text = json.dumps(song).replace('"artist_latitude": null', '"artist_latitude": 1e-400')
    path = warehouse.data / "song_data" / "Z" / "Z" / "Y" / "TRTINY.json"
    path.parent.mkdir(parents=True)
    path.write_text(text)
    assert warehouse.load().returncode == 0

    built = warehouse.build()
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr
    ((rule, field, raw),) = warehouse.fetch(
        "select data_rule, field, raw_value from quality.quarantined_songs "
        "where source_file like '%%TRTINY.json'"
    )
    # jsonb keeps the number as a numeric: its text is written out in full.
    assert (rule, field) == ("uncastable", "artist_latitude")
    assert raw == "0." + "0" * 399 + "1"
