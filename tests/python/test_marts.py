"""Each analytics mart, built by dbt on the real dataset (conftest's `warehouse`), against
figures computed another way: straight from the raw JSON files with Python (and the seed's
CSV), never from the models.
"""

from __future__ import annotations

import csv
import json
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cached_property
from pathlib import Path
from typing import Any

import psycopg
import pytest
from conftest import REPO_ROOT
from psycopg.rows import dict_row

from sparkify.settings import ConnectionSettings

MARTS_SCHEMA = "marts"

# Figures of the real dataset, verified independently (see its SOURCE.md).
REAL_PLAYS = 6_820
REAL_LISTENERS = 96
REAL_USERS = 97


def repair(text: str | None) -> str | None:
    """Undo UTF-8 read as Latin-1, up to twice (the logs' double mojibake), then trim spaces."""
    if text is None:
        return None
    for _ in range(2):
        try:
            text = text.encode("latin-1").decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            break
    return text.strip(" ") or None


def moment(event: dict[str, Any]) -> datetime:
    return datetime.fromtimestamp(event["ts"] / 1000, tz=UTC)


def state_codes(location: str) -> list[str]:
    """ "St. Louis, MO-IL" -> ["MO", "IL"]: the codes after the location's last comma."""
    return location.rsplit(", ", 1)[1].split("-")


@dataclass(frozen=True)
class RawData:
    events: list[dict[str, Any]]

    @cached_property
    def plays(self) -> list[dict[str, Any]]:
        return [event for event in self.events if event["page"] == "NextSong"]

    @cached_property
    def data_end(self) -> datetime:
        return max(moment(play) for play in self.plays)


@pytest.fixture(scope="module")
def raw(real_data: Path) -> RawData:
    events = []
    for path in sorted((real_data / "log_data").rglob("*.json")):
        with path.open(encoding="utf-8") as handle:
            events += [json.loads(line) for line in handle if line.strip()]
    return RawData(events)


@pytest.fixture(scope="module")
def states() -> dict[str, dict[str, str]]:
    with (REPO_ROOT / "seeds" / "us_states.csv").open(encoding="utf-8") as handle:
        return {row["state_code"]: row for row in csv.DictReader(handle)}


@pytest.fixture(scope="module")
def marts(warehouse: tuple[ConnectionSettings, dict[str, str]]) -> Iterator[psycopg.Connection]:
    settings, _ = warehouse
    with psycopg.connect(settings.conninfo(), autocommit=True, row_factory=dict_row) as conn:
        yield conn


def select(conn: psycopg.Connection, table: str, where: str = "true") -> list[dict[str, Any]]:
    return conn.execute(f"select * from {MARTS_SCHEMA}.{table} where {where}").fetchall()


def test_the_real_dataset_is_the_one_described(raw: RawData) -> None:
    assert len(raw.plays) == REAL_PLAYS
    assert len({play["userId"] for play in raw.plays}) == REAL_LISTENERS


# --- 1. Geography -------------------------------------------------------------------------


def test_plays_by_state_follow_the_multi_state_rule(
    marts: psycopg.Connection, raw: RawData
) -> None:
    plays: Counter[str] = Counter()
    users: defaultdict[str, set[str]] = defaultdict(set)
    for play in raw.plays:
        for code in state_codes(play["location"]):
            plays[code] += 1
            users[code].add(play["userId"])
    rows = select(marts, "listening_by_state")

    assert {row["state_code"]: row["plays"] for row in rows} == dict(plays)
    assert {row["state_code"]: row["active_users"] for row in rows} == {
        code: len(ids) for code, ids in users.items()
    }
    # Multi-state plays count in every state: the states hold more plays than there are.
    multi_state = sum(1 for play in raw.plays if "-" in play["location"].rsplit(", ", 1)[1])
    assert multi_state > 0
    assert sum(row["plays"] for row in rows) > REAL_PLAYS


def test_plays_by_region_count_each_play_once_per_region(
    marts: psycopg.Connection, raw: RawData, states: dict[str, dict[str, str]]
) -> None:
    plays: Counter[str] = Counter()
    for play in raw.plays:
        for region in {states[code]["census_region"] for code in state_codes(play["location"])}:
            plays[region] += 1
    rows = select(marts, "listening_by_census_region")

    assert {row["census_region"]: row["plays"] for row in rows} == dict(plays)
    assert REAL_PLAYS <= sum(plays.values()) < 2 * REAL_PLAYS
    # Least traction: the region with the fewest plays per active user ranks first.
    users: defaultdict[str, set[str]] = defaultdict(set)
    for play in raw.plays:
        for code in state_codes(play["location"]):
            users[states[code]["census_region"]].add(play["userId"])
    weakest = min(plays, key=lambda region: plays[region] / len(users[region]))
    assert {row["census_region"] for row in rows if row["least_traction_rank"] == 1} == {weakest}


def test_metro_areas_split_all_plays(marts: psycopg.Connection, raw: RawData) -> None:
    plays = Counter(play["location"] for play in raw.plays)
    rows = select(marts, "listening_by_metro_area")

    assert {row["location"]: row["plays"] for row in rows} == dict(plays)
    assert sum(row["plays"] for row in rows) == REAL_PLAYS
    assert sum(row["share_of_plays"] for row in rows) == pytest.approx(1)


# --- 2. User agents -----------------------------------------------------------------------


def test_each_user_agent_dimension_splits_plays_sessions_and_users(
    marts: psycopg.Connection, raw: RawData
) -> None:
    sessions = {play["sessionId"] for play in raw.plays}
    for dimension in ("browser", "operating_system", "device_class"):
        values = select(marts, f"listening_by_{dimension}")
        assert sum(row["plays"] for row in values) == REAL_PLAYS, dimension
        assert sum(row["sessions"] for row in values) == len(sessions), dimension
        assert sum(row["active_users"] for row in values) == REAL_LISTENERS, dimension
        assert sum(row["share_of_plays"] for row in values) == pytest.approx(1), dimension


def test_browser_and_os_figures_match_the_raw_user_agents(
    marts: psycopg.Connection, raw: RawData
) -> None:
    by_value = {
        (dimension, row[dimension]): row
        for dimension in ("browser", "operating_system", "device_class")
        for row in select(marts, f"listening_by_{dimension}")
    }
    firefox = [play for play in raw.plays if "Firefox/" in play["userAgent"]]
    iphone = [play for play in raw.plays if "iPhone" in play["userAgent"]]

    assert by_value["browser", "Firefox"]["plays"] == len(firefox)
    assert by_value["browser", "Firefox"]["sessions"] == len({p["sessionId"] for p in firefox})
    assert by_value["browser", "Firefox"]["active_users"] == len({p["userId"] for p in firefox})
    assert by_value["operating_system", "iOS"]["plays"] == len(iphone)
    assert by_value["device_class", "mobile"]["plays"] == len(iphone)
    assert float(by_value["browser", "Firefox"]["plays_per_session"]) == pytest.approx(
        len(firefox) / len({p["sessionId"] for p in firefox})
    )


# --- 3. Popularity ------------------------------------------------------------------------


def test_top_songs_and_artists_overall(marts: psycopg.Connection, raw: RawData) -> None:
    song_plays = Counter((repair(p["song"]), repair(p["artist"])) for p in raw.plays)
    artist_plays = Counter(repair(p["artist"]) for p in raw.plays)
    artist_listeners: defaultdict[str | None, set[str]] = defaultdict(set)
    for play in raw.plays:
        artist_listeners[repair(play["artist"])].add(play["userId"])

    songs = select(marts, "listening_by_song")
    artists = {row["artist_name"]: row for row in select(marts, "listening_by_artist")}
    top_song = min(songs, key=lambda row: (row["plays_rank"], row["song_title"]))

    assert (top_song["song_title"], top_song["artist_name"]) == ("You're The One", "Dwight Yoakam")
    assert top_song["plays"] == song_plays["You're The One", "Dwight Yoakam"] == 37
    assert len(songs) == len(song_plays)
    assert {name: row["plays"] for name, row in artists.items()} == dict(artist_plays)
    assert {name: row["listeners"] for name, row in artists.items()} == {
        name: len(ids) for name, ids in artist_listeners.items()
    }
    leader, plays = artist_plays.most_common(1)[0]
    assert artists[leader]["plays_rank"] == 1
    assert artists[leader]["plays"] == plays


def test_weekly_artist_plays_and_week_over_week_change(
    marts: psycopg.Connection, raw: RawData
) -> None:
    weekly: Counter[tuple[str | None, date]] = Counter()
    for play in raw.plays:
        day = moment(play).date()
        weekly[repair(play["artist"]), day - timedelta(days=day.weekday())] += 1
    weeks = sorted({week for _, week in weekly})
    rows = select(marts, "listening_by_artist_and_week")
    by_key = {(row["artist_name"], row["iso_week_start"]): row for row in rows}

    assert {key: row["plays"] for key, row in by_key.items() if row["plays"]} == dict(weekly)
    for (artist, week), row in by_key.items():
        if week == weeks[0]:
            assert row["previous_week_plays"] is None
            continue
        before = weekly.get((artist, week - timedelta(days=7)), 0)
        assert row["previous_week_plays"] == before, (artist, week)
        assert row["plays_change"] == weekly.get((artist, week), 0) - before, (artist, week)
    # An artist dropped to nothing shows as a row with 0 plays and a negative change.
    assert any(row["plays"] == 0 and row["plays_change"] < 0 for row in rows)


# --- 4. Churn risk ------------------------------------------------------------------------


def test_churn_windows_run_back_from_the_end_of_the_data(
    marts: psycopg.Connection, raw: RawData
) -> None:
    end = raw.data_end
    last: Counter[int] = Counter()
    previous: Counter[int] = Counter()
    last_played: dict[int, datetime] = {}
    for play in raw.plays:
        user, at = int(play["userId"]), moment(play)
        if at > end - timedelta(days=7):
            last[user] += 1
        elif at > end - timedelta(days=14):
            previous[user] += 1
        last_played[user] = max(at, last_played.get(user, at))
    rows = {row["user_id"]: row for row in select(marts, "user_churn_risk")}

    assert len(rows) == REAL_USERS
    assert {row["data_end_at"] for row in rows.values()} == {end}
    for user, row in rows.items():
        assert row["plays_last_7_days"] == last[user], user
        assert row["plays_previous_7_days"] == previous[user], user
        expected_days = (end - last_played[user]).days if user in last_played else None
        assert row["days_since_last_play"] == expected_days, user


def test_churn_flags_follow_the_pages_and_the_rule(marts: psycopg.Connection, raw: RawData) -> None:
    def visitors(page: str) -> set[int]:
        return {int(e["userId"]) for e in raw.events if e["page"] == page and e["userId"]}

    rows = {row["user_id"]: row for row in select(marts, "user_churn_risk")}
    downgraded = visitors("Submit Downgrade")

    assert downgraded == {15}
    assert {u for u, r in rows.items() if r["visited_submit_downgrade"]} == downgraded
    assert {u for u, r in rows.items() if r["visited_cancellation_confirmation"]} == visitors(
        "Cancellation Confirmation"
    )
    for user, row in rows.items():
        if user in downgraded:
            expected = "downgraded"
        elif row["plays_last_7_days"] == 0:
            expected = "inactive"
        elif row["plays_last_7_days"] * 2 < row["plays_previous_7_days"]:
            expected = "listening_less"
        else:
            expected = None
        assert row["churn_risk_reason"] == expected, user
        assert row["is_churn_risk"] is (expected is not None), user


# --- 5. Free vs paid ----------------------------------------------------------------------


def test_plays_and_users_per_level(marts: psycopg.Connection, raw: RawData) -> None:
    plays = Counter(play["level"] for play in raw.plays)
    ordered = sorted(
        (e for e in raw.events if e["userId"]), key=lambda e: (e["ts"], e["itemInSession"])
    )
    current = Counter({e["userId"]: e["level"] for e in ordered}.values())
    rows = {row["level"]: row for row in select(marts, "listening_by_level")}

    assert {level: row["plays"] for level, row in rows.items()} == dict(plays)
    assert sum(plays.values()) == REAL_PLAYS
    assert {level: row["current_users"] for level, row in rows.items()} == dict(current)
    paid_seconds = sum(p["length"] for p in raw.plays if p["level"] == "paid")
    paid_listeners = {p["userId"] for p in raw.plays if p["level"] == "paid"}
    assert float(rows["paid"]["listening_seconds_per_user"]) == pytest.approx(
        paid_seconds / len(paid_listeners)
    )


def test_level_changes_come_from_the_level_history(marts: psycopg.Connection, raw: RawData) -> None:
    ordered = sorted(
        (e for e in raw.events if e["userId"]),
        key=lambda e: (e["ts"], e["itemInSession"], e["sessionId"]),
    )
    level: dict[int, str] = {}
    changes: Counter[tuple[int, str]] = Counter()
    for event in ordered:
        user = int(event["userId"])
        if user in level and level[user] != event["level"]:
            changes[user, "upgrade" if event["level"] == "paid" else "downgrade"] += 1
        level[user] = event["level"]
    rows = select(marts, "level_changes")
    levels = {row["level"]: row for row in select(marts, "listening_by_level")}
    upgraded = {user for user, kind in changes if kind == "upgrade"}
    downgraded = {user for user, kind in changes if kind == "downgrade"}

    assert Counter((row["user_id"], row["change_type"]) for row in rows) == changes
    # SOURCE.md: seven users go free -> paid, user 15 goes paid -> free -> paid.
    assert upgraded == {15, 16, 29, 36, 49, 80, 85, 88}
    assert downgraded == {15}
    assert levels["paid"]["users_switched_to"] == len(upgraded)
    assert levels["free"]["users_switched_to"] == len(downgraded)


# --- 6. Time ------------------------------------------------------------------------------


def test_plays_by_hour_weekday_and_day_on_the_utc_clock(
    marts: psycopg.Connection, raw: RawData
) -> None:
    times = [moment(play) for play in raw.plays]

    def plays(mart: str, key: str) -> dict[Any, int]:
        return {row[key]: row["plays"] for row in select(marts, mart)}

    assert plays("listening_by_hour_of_day", "hour_of_day") == {
        hour: sum(1 for t in times if t.hour == hour) for hour in range(24)
    }
    assert plays("listening_by_weekday", "iso_weekday") == {
        day: sum(1 for t in times if t.isoweekday() == day) for day in range(1, 8)
    }
    first, last = min(times).date(), max(times).date()
    span = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    assert plays("listening_by_day", "date_day") == {
        day: sum(1 for t in times if t.date() == day) for day in span
    }
    assert plays("listening_by_month", "month_start") == {date(2018, 11, 1): REAL_PLAYS}
    # Per-day averages divide by the days the period covers: November 2018 has five
    # Thursdays (the data starts on Thursday 1st) and four Sundays.
    days = {
        row["weekday_name"]: row["days_in_period"] for row in select(marts, "listening_by_weekday")
    }
    assert days["Thursday"] == 5
    assert days["Sunday"] == 4


def test_listeners_by_hour_weekday_and_day_are_distinct_users_on_the_utc_clock(
    marts: psycopg.Connection, raw: RawData
) -> None:
    plays = [(moment(play), int(play["userId"])) for play in raw.plays]

    def listeners(of: Callable[[datetime], Any]) -> dict[Any, int]:
        users: defaultdict[Any, set[int]] = defaultdict(set)
        for at, user in plays:
            users[of(at)].add(user)
        return {key: len(group) for key, group in users.items()}

    def mart(name: str, key: str, column: str = "listeners") -> dict[Any, Any]:
        return {row[key]: row[column] for row in select(marts, name)}

    by_hour = listeners(lambda at: at.hour)
    assert mart("listening_by_hour_of_day", "hour_of_day") == {
        hour: by_hour.get(hour, 0) for hour in range(24)
    }
    by_day = listeners(lambda at: at.date())
    assert {day: n for day, n in mart("listening_by_day", "date_day").items() if n} == by_day
    assert mart("listening_by_weekday", "iso_weekday") == {
        day: listeners(lambda at: at.isoweekday()).get(day, 0) for day in range(1, 8)
    }
    assert mart("listening_by_month", "month_start") == {date(2018, 11, 1): REAL_LISTENERS}
    # An hour's listeners per day: each day's distinct listeners in that hour, averaged
    # over every day of the span.
    days = len(mart("listening_by_day", "date_day"))
    day_hours = listeners(lambda at: (at.date(), at.hour))
    per_day = mart("listening_by_hour_of_day", "hour_of_day", "listeners_per_day")
    for hour in range(24):
        in_hour = sum(n for (_, h), n in day_hours.items() if h == hour)
        assert float(per_day[hour]) == pytest.approx(in_hour / days)


# --- The figures the report shows beside the marts above ------------------------------------


def test_the_summary_describes_the_whole_data(marts: psycopg.Connection, raw: RawData) -> None:
    (summary,) = select(marts, "listening_summary")
    times = [moment(play) for play in raw.plays]
    sessions = {play["sessionId"] for play in raw.plays}
    iphone = [play for play in raw.plays if "iPhone" in play["userAgent"]]

    assert (summary["first_played_at"], summary["last_played_at"]) == (min(times), max(times))
    assert summary["days_in_span"] == (max(times).date() - min(times).date()).days + 1 == 30
    assert (summary["plays"], summary["listeners"], summary["identified_users"]) == (
        REAL_PLAYS,
        REAL_LISTENERS,
        REAL_USERS,
    )
    assert summary["sessions"] == len(sessions)
    assert float(summary["plays_per_listener"]) == pytest.approx(REAL_PLAYS / REAL_LISTENERS)
    assert float(summary["plays_per_session"]) == pytest.approx(REAL_PLAYS / len(sessions))
    # The real data's only handheld is the iPhone (no tablets, no Android).
    assert float(summary["share_of_plays_on_handhelds"]) == pytest.approx(len(iphone) / REAL_PLAYS)


def test_users_at_churn_risk_by_reason_and_level(marts: psycopg.Connection, raw: RawData) -> None:
    end = raw.data_end
    last: Counter[int] = Counter()
    previous: Counter[int] = Counter()
    for play in raw.plays:
        user, at = int(play["userId"]), moment(play)
        if at > end - timedelta(days=7):
            last[user] += 1
        elif at > end - timedelta(days=14):
            previous[user] += 1
    ordered = sorted(
        (e for e in raw.events if e["userId"]), key=lambda e: (e["ts"], e["itemInSession"])
    )
    level = {int(e["userId"]): e["level"] for e in ordered}
    pages: defaultdict[int, set[str]] = defaultdict(set)
    for event in ordered:
        pages[int(event["userId"])].add(event["page"])
    expected: Counter[tuple[str, str]] = Counter()
    for user in level:
        if "Cancellation Confirmation" in pages[user]:
            reason = "cancelled"
        elif "Submit Downgrade" in pages[user]:
            reason = "downgraded"
        elif last[user] == 0:
            reason = "inactive"
        elif last[user] * 2 < previous[user]:
            reason = "listening_less"
        else:
            continue
        expected[reason, level[user]] += 1
    rows = {row["churn_risk_reason"]: row for row in select(marts, "churn_risk_by_reason")}
    (summary,) = select(marts, "listening_summary")

    assert set(rows) == {"cancelled", "downgraded", "inactive", "listening_less"}
    for reason, row in rows.items():
        assert row["free_users"] == expected[reason, "free"], reason
        assert row["paid_users"] == expected[reason, "paid"], reason
        assert row["flagged_users"] == expected[reason, "free"] + expected[reason, "paid"], reason
    assert summary["users_at_churn_risk"] == sum(expected.values()) == 38


def test_the_seven_day_average_and_the_trend_week(marts: psycopg.Connection, raw: RawData) -> None:
    daily = Counter(moment(play).date() for play in raw.plays)
    first, last = min(daily), max(daily)
    span = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    rows = {row["date_day"]: row for row in select(marts, "listening_by_day")}
    for index, day in enumerate(span):
        window = span[max(0, index - 6) : index + 1]
        average = sum(daily[d] for d in window) / len(window)
        assert float(rows[day]["plays_7_day_average"]) == pytest.approx(average), day

    # Trends are read from the latest week whose seven days all lie in the data.
    full_weeks = [d for d in span if d.isoweekday() == 1 and d + timedelta(days=6) <= last]
    weeks = select(marts, "listening_by_week")
    assert [row["iso_week_start"] for row in weeks if row["is_trend_week"]] == [full_weeks[-1]]
    trend = full_weeks[-1]
    change: Counter[str | None] = Counter()
    for play in raw.plays:
        day = moment(play).date()
        week = day - timedelta(days=day.weekday())
        if week == trend:
            change[repair(play["artist"])] += 1
        elif week == trend - timedelta(days=7):
            change[repair(play["artist"])] -= 1
    risers = select(
        marts, "listening_by_artist_and_week", "is_trend_week and plays_change_rank = 1"
    )
    assert {row["plays_change"] for row in risers} == {max(change.values())}
