"""Hostile values: one day file of events and a few song files, each record with one
value that the loader's contract accepts (the right JSON type) but a data rule refuses,
beside the rule, field and raw text the quarantine must show for it.

Added to a dataset (real or generated) by the data rules' tests and by the engine check,
so that both engines are shown to quarantine the same rows.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

# (changes to a real play, rule, JSON field, raw text kept), one line each, in order.
BAD_EVENTS: tuple[tuple[dict, str, str, str | None], ...] = (
    ({"userId": "abc"}, "uncastable", "userId", "abc"),
    ({"userId": "99999999999"}, "uncastable", "userId", "99999999999"),
    ({"userId": "39\n"}, "uncastable", "userId", "39\n"),  # a number only up to a line break
    ({"itemInSession": 3_000_000_000}, "uncastable", "itemInSession", "3000000000"),
    ({"ts": 10**16}, "uncastable", "ts", "10000000000000000"),  # after the year 294,276
    ({"ts": 4_102_444_800_000}, "implausible_time", "ts", "4102444800000"),  # 2100-01-01
    ({"ts": -1000}, "implausible_time", "ts", "-1000"),  # 1969
    ({"registration": 4_102_444_800_000.0}, "implausible_time", "registration", "4102444800000.0"),
    ({"length": -5.0}, "implausible_length", "length", "-5.0"),
    ({"length": 1e9}, "implausible_length", "length", "1000000000.0"),
    ({"level": "premium"}, "unknown_value", "level", "premium"),
    ({"page": "Dance"}, "unknown_value", "page", "Dance"),
    ({"gender": "X"}, "unknown_value", "gender", "X"),
    ({"auth": "Hacker"}, "unknown_value", "auth", "Hacker"),
    ({"method": "DELETE"}, "unknown_value", "method", "DELETE"),
    ({"status": 2**40}, "uncastable", "status", str(2**40)),
    ({"userId": ""}, "logged_in_without_user", "userId", None),
)
# (changes to a real song record, rule, field, raw text), one file each.
BAD_SONGS: tuple[tuple[dict, str, str, str | None], ...] = (
    ({"year": 99_999_999_999}, "uncastable", "year", "99999999999"),
    ({"artist_id": ""}, "missing_value", "artist_id", None),
    ({"duration": -1.0}, "implausible_length", "duration", "-1.0"),
    ({"artist_latitude": 123.0}, "implausible_location", "artist_latitude", "123.0"),
)
CONFLICTING_SONG_ID = "SOCONFLICT00000000"  # two records, two contents
GOOD_USER_ID = "990001"  # the one play of the day that goes on
FIRST_SESSION_ID = 980_000


@dataclass(frozen=True)
class HostileFiles:
    day: Path  # the log file: BAD_EVENTS, then a duplicate of `play`'s key, then a good play
    play: dict  # the dataset's first play, which every hostile event is a copy of
    song_files: tuple[Path, ...]  # BAD_SONGS' files, then the two conflicting ones

    @property
    def good_play_session(self) -> int:
        return FIRST_SESSION_ID + len(BAD_EVENTS)


def add_hostile_files(data_dir: Path) -> HostileFiles:
    """Write the hostile files into data_dir (log_data/2099/..., song_data/Z/Z/Z/)."""
    first_day = sorted((data_dir / "log_data").rglob("*.json"))[0]
    with first_day.open(encoding="utf-8") as lines:
        events = (json.loads(line) for line in lines if line.strip())
        play = next(event for event in events if event.get("page") == "NextSong")
    records = [
        {**play, "sessionId": FIRST_SESSION_ID + number, "itemInSession": 0, **changes}
        for number, (changes, *_expected) in enumerate(BAD_EVENTS)
    ]
    records.append(dict(play))  # a duplicate of a real event's (sessionId, itemInSession)
    records.append(
        {**play, "sessionId": FIRST_SESSION_ID + len(BAD_EVENTS), "itemInSession": 0,
         "userId": GOOD_USER_ID}
    )  # fmt: skip
    day = data_dir / "log_data" / "2099" / "12" / "2099-12-31-events.json"
    day.parent.mkdir(parents=True, exist_ok=True)
    day.write_text("".join(json.dumps(record) + "\n" for record in records), encoding="utf-8")

    song = json.loads(next((data_dir / "song_data").rglob("*.json")).read_text(encoding="utf-8"))
    folder = data_dir / "song_data" / "Z" / "Z" / "Z"
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for number, (changes, *_expected) in enumerate(BAD_SONGS):
        path = folder / f"TRBAD{number}.json"
        path.write_text(json.dumps({**song, "song_id": f"SOBAD{number:013d}", **changes}))
        written.append(path)
    for version in ("one", "two"):
        path = folder / f"TRCONFLICT{version}.json"
        path.write_text(
            json.dumps({**song, "song_id": CONFLICTING_SONG_ID, "title": f"Version {version}"})
        )
        written.append(path)
    return HostileFiles(day, play, tuple(written))
