"""The star schema built by dbt on the real dataset: figures that are also true of the raw JSON."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest
from conftest import REPO_ROOT, run_script

from sparkify.settings import ConnectionSettings


@pytest.fixture(scope="module")
def marts(warehouse: tuple[ConnectionSettings, dict[str, str]]) -> psycopg.Connection:
    settings, _ = warehouse
    with psycopg.connect(settings.conninfo(), autocommit=True) as conn:
        yield conn


def scalar(conn: psycopg.Connection, query: str) -> object:
    row = conn.execute(query).fetchone()
    assert row is not None
    return row[0]


def raw_events(real_data: Path) -> list[dict]:
    events = []
    for path in sorted((real_data / "log_data").rglob("*.json")):
        events += [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return events


def test_grain_and_counts_match_the_raw_json(marts: psycopg.Connection, real_data: Path) -> None:
    events = raw_events(real_data)
    plays = [e for e in events if e["page"] == "NextSong"]
    assert len(plays) == 6820
    assert scalar(marts, "select count(*) from marts.fct_songplays") == len(plays)
    assert scalar(marts, "select count(distinct user_id) from marts.fct_songplays") == 96
    assert scalar(marts, "select count(*) from marts.dim_users") == 97
    assert scalar(marts, "select count(*) from marts.dim_songs") == 71
    assert scalar(marts, "select count(*) from marts.dim_artists") == 69
    distinct_times = len({e["ts"] for e in plays})
    assert scalar(marts, "select count(*) from marts.dim_time") == distinct_times


def test_page_views_and_calendar_match_the_raw_json(
    marts: psycopg.Connection, real_data: Path
) -> None:
    events = raw_events(real_data)
    assert scalar(marts, "select count(*) from marts.fct_page_views") == len(events)
    assert scalar(marts, "select count(*) from marts.fct_page_views where is_songplay") == sum(
        e["page"] == "NextSong" for e in events
    )
    logged_out = sum(e["userId"] == "" for e in events)
    assert scalar(marts, "select count(*) from marts.fct_page_views where user_id is null") == (
        logged_out
    )
    days = sorted({datetime.fromtimestamp(e["ts"] / 1000, UTC).date() for e in events})
    span = [days[0] + timedelta(n) for n in range((days[-1] - days[0]).days + 1)]
    calendar = marts.execute(
        "select date_day, iso_week_start, month_start, iso_weekday, weekday_name, is_weekend "
        "from marts.dim_date order by date_day"
    ).fetchall()
    assert calendar == [
        (
            day,
            day - timedelta(day.weekday()),
            day.replace(day=1),
            day.isoweekday(),
            day.strftime("%A"),
            day.isoweekday() >= 6,
        )
        for day in span
    ]


def test_exactly_one_play_matches_the_catalogue(marts: psycopg.Connection) -> None:
    matched = marts.execute(
        "select p.user_id, s.title, a.name, p.start_time at time zone 'utc' "
        "from marts.fct_songplays as p "
        "join marts.dim_songs as s on p.song_id = s.song_id "
        "join marts.dim_artists as a on p.artist_id = a.artist_id"
    ).fetchall()
    assert [(m[0], m[1], m[2], m[3].isoformat()) for m in matched] == [
        (15, "Setanta matins", "Elena", "2018-11-21T21:56:47.796000")
    ]


def test_level_history_finds_the_eight_users_who_changed(marts: psycopg.Connection) -> None:
    changed = marts.execute(
        "select user_id from marts.dim_users_history group by user_id "
        "having count(*) > 1 order by user_id"
    ).fetchall()
    assert [row[0] for row in changed] == [15, 16, 29, 36, 49, 80, 85, 88]


def test_no_mojibake_is_left_in_names(marts: psycopg.Connection) -> None:
    garbled = scalar(
        marts,
        "select count(*) from marts.fct_songplays "
        "where song_title ~ '[ÃÂ]' or artist_name ~ '[ÃÂ]'",
    )
    assert garbled == 0
    assert (
        scalar(marts, "select count(*) from marts.fct_songplays where artist_name = 'Ana Cañas'")
        > 0
    )


def test_the_star_schema_is_fully_documented(
    warehouse: tuple[ConnectionSettings, dict[str, str]],
) -> None:
    from conftest import run_dbt

    _, env = warehouse
    run_dbt(env, "docs", "generate")
    result = run_script(
        "check_docs.py", "--target-path", env["DBT_TARGET_PATH"], **{"PATH": env["PATH"]}
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_incremental_models_equal_a_full_refresh_after_a_file_changes(
    pg_settings: ConnectionSettings, real_data: Path
) -> None:
    result = run_script(
        "check_incremental.py",
        "--data-dir", str(real_data),
        "--loader-command", f"{sys.executable} {REPO_ROOT / 'scripts' / 'load_raw.py'}",
        settings=pg_settings,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert (
        "OK: incremental and full-refresh intermediate.int_events_checked,"
        " intermediate.int_events_text_cleaned, intermediate.int_listener_hours,"
        " intermediate.int_user_latest_events, intermediate.int_user_level_periods,"
        " marts.fct_page_views,"
        " marts.fct_songplays are identical" in result.stdout
    )
