"""Tests of the synthetic data generator: layout, encoding, quirks, determinism. No database."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime
from itertools import pairwise
from pathlib import Path

import pytest

from sparkify.errors import GenerationError
from sparkify.generate import (
    GenerationOptions,
    GenerationSummary,
    Progress,
    double_mojibake,
    generate_dataset,
)

REPO_ROOT = Path(__file__).resolve().parents[2]
SCRIPT = REPO_ROOT / "scripts" / "generate_data.py"

# Pages the real month never shows, with the method and status eventsim logs them with.
# The others are compared with the real logs (see real_requests).
NOT_IN_THE_REAL_MONTH = {
    "Add to Playlist": ("PUT", 200),
    "Add Friend": ("PUT", 307),
    "Thumbs Up": ("PUT", 307),
    "Thumbs Down": ("PUT", 307),
    "Cancel": ("PUT", 307),
    "Cancellation Confirmation": ("GET", 200),
}
USER_FIELDS = ("firstName", "lastName", "gender", "location", "registration", "userAgent")
ID_PATTERN = r"[A-Z0-9]{16}"

SMALL = {"events": 3_000, "users": 40, "songs": 120, "days": 3, "seed": 7}


def generate(out: Path, **overrides: object) -> GenerationSummary:
    settings = {**SMALL, **overrides}
    return generate_dataset(GenerationOptions(out_dir=out, **settings))  # type: ignore[arg-type]


def file_bytes(root: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(root)): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def log_lines(root: Path) -> list[str]:
    return [
        line
        for path in sorted(root.glob("log_data/*/*/*.json"))
        for line in path.read_text(encoding="ascii").split("\n")
    ]


def fixed(text: str) -> str:
    """The repair data/README.md describes, written out (not the package's)."""
    return text.encode("latin-1").decode("utf-8").encode("latin-1").decode("utf-8")


@dataclass
class RealData:
    log_rows: list[dict]
    songs: list[dict]


@pytest.fixture(scope="module")
def real(real_data: Path) -> RealData:
    log_rows = [
        json.loads(line)
        for path in sorted(real_data.glob("log_data/**/*.json"))
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    songs = [
        json.loads(path.read_text(encoding="utf-8"))
        for path in sorted(real_data.glob("song_data/**/*.json"))
    ]
    return RealData(log_rows, songs)


def one_key_order(rows: list[dict]) -> list[str]:
    orders = {tuple(row) for row in rows}
    assert len(orders) == 1, orders
    return list(orders.pop())


@dataclass
class Dataset:
    root: Path
    summary: GenerationSummary
    log_files: dict[Path, str]  # path -> raw text
    rows: list[dict]
    song_files: dict[Path, str]
    songs: list[dict]

    @property
    def next_songs(self) -> list[dict]:
        return [row for row in self.rows if row["page"] == "NextSong"]

    def catalogue_keys(self) -> set[tuple[str, str, float]]:
        return {(s["title"], s["artist_name"], s["duration"]) for s in self.songs}


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> Dataset:
    root = tmp_path_factory.mktemp("generated")
    summary = generate(root)
    log_files = {
        path: path.read_text(encoding="ascii") for path in sorted(root.glob("log_data/**/*.json"))
    }
    song_files = {
        path: path.read_text(encoding="ascii") for path in sorted(root.glob("song_data/**/*.json"))
    }
    rows = [json.loads(line) for text in log_files.values() for line in text.split("\n")]
    songs = [json.loads(text) for text in song_files.values()]
    return Dataset(root, summary, log_files, rows, song_files, songs)


# --- Determinism ---------------------------------------------------------------


def test_same_seed_and_options_give_identical_bytes(tmp_path: Path) -> None:
    generate(tmp_path / "a")
    generate(tmp_path / "b")
    first, second = file_bytes(tmp_path / "a"), file_bytes(tmp_path / "b")
    assert first and first == second


def test_the_sample_in_data_is_what_its_readme_command_makes(tmp_path: Path) -> None:
    # data/README.md promises that its command made data/: run it, into another folder.
    readme = (REPO_ROOT / "data" / "README.md").read_text(encoding="utf-8")
    commands = re.findall(r"^python scripts/generate_data\.py (.+)$", readme, flags=re.MULTILINE)
    assert len(commands) == 1
    args = commands[0].split()
    assert args[args.index("--out") + 1] == "data"
    args[args.index("--out") + 1] = str(tmp_path)
    result = run_cli(*args)
    assert result.returncode == 0, result.stderr
    made = file_bytes(tmp_path)
    sample = {
        name: data
        for name, data in file_bytes(REPO_ROOT / "data").items()
        if name.startswith(("song_data/", "log_data/"))
    }
    assert made and made == sample


def test_another_seed_gives_other_data(tmp_path: Path) -> None:
    generate(tmp_path / "a", seed=1)
    generate(tmp_path / "b", seed=2)
    assert log_lines(tmp_path / "a") != log_lines(tmp_path / "b")
    songs_a = {p.name for p in (tmp_path / "a").rglob("TR*.json")}
    songs_b = {p.name for p in (tmp_path / "b").rglob("TR*.json")}
    assert songs_a.isdisjoint(songs_b)


# --- Layout and file format ------------------------------------------------------


def test_log_files_are_one_per_day_named_by_date(dataset: Dataset) -> None:
    names = [str(path.relative_to(dataset.root)) for path in dataset.log_files]
    assert names == [
        "log_data/2018/11/2018-11-01-events.json",
        "log_data/2018/11/2018-11-02-events.json",
        "log_data/2018/11/2018-11-03-events.json",
    ]
    assert dataset.summary.log_files == 3


def test_log_files_have_no_final_newline_and_no_blank_lines(dataset: Dataset) -> None:
    # Like the real files: the loader must cope with a last line without "\n".
    for text in dataset.log_files.values():
        assert not text.endswith("\n")
        assert "\n\n" not in text


def test_song_files_are_partitioned_by_track_id(dataset: Dataset) -> None:
    assert len(dataset.song_files) == SMALL["songs"] == dataset.summary.song_files
    for path in dataset.song_files:
        parts = path.relative_to(dataset.root).parts
        assert parts[0] == "song_data"
        track_id = path.stem
        assert re.fullmatch(r"TR" + ID_PATTERN, track_id)
        assert parts[1:4] == (track_id[2], track_id[3], track_id[4])
        assert path.suffix == ".json"


def test_song_files_look_like_the_real_ones(dataset: Dataset, real: RealData) -> None:
    real_keys = one_key_order(real.songs)
    for text, song in zip(dataset.song_files.values(), dataset.songs, strict=True):
        assert list(song) == real_keys
        # Python's default json style (", " and ": ", ASCII only), no final newline.
        assert text == json.dumps(song)
        assert song["num_songs"] == 1
        assert re.fullmatch("AR" + ID_PATTERN, song["artist_id"])
        assert re.fullmatch("SO" + ID_PATTERN, song["song_id"])
        assert isinstance(song["duration"], float)
        assert song["duration"] == round(song["duration"], 5)
        assert isinstance(song["year"], int)
        assert isinstance(song["artist_location"], str)
        for key in ("artist_latitude", "artist_longitude"):
            assert song[key] is None or isinstance(song[key], float)
    assert len({s["song_id"] for s in dataset.songs}) == len(dataset.songs)
    year_zero = sum(s["year"] == 0 for s in dataset.songs) / len(dataset.songs)
    assert 0.4 < year_zero < 0.8
    assert any(s["artist_latitude"] is None for s in dataset.songs)
    assert any(s["artist_location"] == "" for s in dataset.songs)


def test_artists_have_several_songs_and_records_that_disagree(dataset: Dataset) -> None:
    by_artist: dict[str, set[tuple]] = defaultdict(set)
    for song in dataset.songs:
        by_artist[song["artist_id"]].add(
            (
                song["artist_name"],
                song["artist_location"],
                song["artist_latitude"],
                song["artist_longitude"],
            )
        )
    assert len(by_artist) < len(dataset.songs)
    assert any(len(versions) > 1 for versions in by_artist.values())


def test_every_log_line_is_compact_ascii_json_with_slashes_escaped(dataset: Dataset) -> None:
    lines = [line for text in dataset.log_files.values() for line in text.split("\n")]
    assert len(lines) == len(dataset.rows)
    for line, row in zip(lines, dataset.rows, strict=True):
        assert line.isascii()
        assert "/" not in line.replace("\\/", "")
        # Key order, separators and escaping all as in the real files.
        assert line == json.dumps(row, separators=(",", ":")).replace("/", "\\/")


def test_log_rows_have_the_real_key_order_and_types(dataset: Dataset, real: RealData) -> None:
    assert one_key_order(dataset.rows) == one_key_order(real.log_rows)
    for row in dataset.rows:
        assert isinstance(row["userId"], str)
        assert isinstance(row["ts"], int)
        assert isinstance(row["sessionId"], int)
        assert isinstance(row["itemInSession"], int)
        assert isinstance(row["status"], int)
        assert row["level"] in ("free", "paid")
        if row["registration"] is not None:
            assert isinstance(row["registration"], float)
            assert row["registration"].is_integer()
            assert row["registration"] < row["ts"]


def test_every_event_falls_on_its_files_day_in_time_order(dataset: Dataset) -> None:
    for path, text in dataset.log_files.items():
        stamps = [json.loads(line)["ts"] for line in text.split("\n")]
        assert stamps == sorted(stamps)
        days = {datetime.fromtimestamp(ts / 1000, UTC).date().isoformat() for ts in stamps}
        assert days == {path.name.removesuffix("-events.json")}


# --- Quirks ----------------------------------------------------------------------


def test_logged_out_rows_have_no_user(dataset: Dataset) -> None:
    logged_out = [row for row in dataset.rows if row["auth"] == "Logged Out"]
    assert logged_out
    assert logged_out == [row for row in dataset.rows if row["userId"] == ""]
    for row in logged_out:
        assert row["page"] in ("Home", "Login", "About", "Help")
        assert all(row[key] is None for key in USER_FIELDS)
    assert {row["auth"] for row in dataset.rows} == {"Logged In", "Logged Out"}


def test_user_agents_are_wrapped_in_literal_quotes(dataset: Dataset) -> None:
    agents = {row["userAgent"] for row in dataset.rows if row["userAgent"] is not None}
    assert len(agents) > 3
    for agent in agents:
        assert agent.startswith('"Mozilla/5.0 (')
        assert agent.endswith('"')
        assert '"' not in agent[1:-1]


def test_each_users_attributes_never_change(dataset: Dataset) -> None:
    seen: dict[str, set[tuple]] = defaultdict(set)
    for row in dataset.rows:
        if row["userId"]:
            seen[row["userId"]].add(tuple(row[key] for key in USER_FIELDS))
    assert len(seen) > 10
    assert all(len(values) == 1 for values in seen.values())


def test_pages_methods_and_statuses(dataset: Dataset, real: RealData) -> None:
    real_requests = {row["page"]: (row["method"], row["status"]) for row in real.log_rows}
    assert len(real_requests) == len(
        {tuple(r[k] for k in ("page", "method", "status")) for r in real.log_rows}
    )
    assert real_requests.keys().isdisjoint(NOT_IN_THE_REAL_MONTH)
    requests = {**real_requests, **NOT_IN_THE_REAL_MONTH}
    assert {row["page"] for row in dataset.rows} <= requests.keys()
    for row in dataset.rows:
        assert (row["method"], row["status"]) == requests[row["page"]]
        song_fields = (row["artist"], row["song"], row["length"])
        if row["page"] == "NextSong":
            assert row["auth"] == "Logged In"
            assert isinstance(row["artist"], str)
            assert isinstance(row["song"], str)
            assert isinstance(row["length"], float)
        else:
            assert song_fields == (None, None, None)
    share = len(dataset.next_songs) / len(dataset.rows)
    assert 0.75 < share < 0.92


def test_session_and_item_identify_an_event(dataset: Dataset) -> None:
    keys = [(row["sessionId"], row["itemInSession"]) for row in dataset.rows]
    assert len(keys) == len(set(keys))
    items: dict[int, list[int]] = defaultdict(list)
    users: dict[int, set[str]] = defaultdict(set)
    for row in dataset.rows:
        items[row["sessionId"]].append(row["itemInSession"])
        if row["userId"]:
            users[row["sessionId"]].add(row["userId"])
    for session_items in items.values():
        assert sorted(session_items) == list(range(len(session_items)))
    assert all(len(ids) == 1 for ids in users.values())


def test_ts_repeats_across_users_but_not_within_a_users_songs(dataset: Dataset) -> None:
    plays = [(row["ts"], row["userId"]) for row in dataset.next_songs]
    assert len(plays) == len(set(plays))
    repeated = [ts for ts, n in Counter(ts for ts, _ in plays).items() if n > 1]
    assert repeated, "some ts should occur twice among NextSong events"
    assert len(repeated) < 0.1 * len(plays)


def test_level_changes_up_down_and_back(dataset: Dataset) -> None:
    paths: dict[str, list[str]] = defaultdict(list)
    mid_session = 0
    previous: dict[str, dict] = {}
    for row in sorted(dataset.rows, key=lambda r: (r["ts"], r["sessionId"], r["itemInSession"])):
        user = row["userId"]
        if not user:
            continue
        if not paths[user] or paths[user][-1] != row["level"]:
            paths[user].append(row["level"])
            before = previous.get(user)
            if before is not None and before["sessionId"] == row["sessionId"]:
                mid_session += 1
        previous[user] = row
    kinds = Counter("->".join(levels) for levels in paths.values())
    assert kinds["free->paid"] and kinds["paid->free"] and kinds["free->paid->free"]
    assert mid_session > 0
    assert kinds["free"] + kinds["paid"] > len(paths) / 2


def test_level_changes_follow_a_submit(dataset: Dataset) -> None:
    by_session: dict[int, list[dict]] = defaultdict(list)
    for row in dataset.rows:
        by_session[row["sessionId"]].append(row)
    for rows in by_session.values():
        rows.sort(key=lambda r: r["itemInSession"])
        for before, after in pairwise(rows):
            if before["level"] != after["level"]:
                wanted = "Submit Upgrade" if after["level"] == "paid" else "Submit Downgrade"
                assert before["page"] == wanted


def test_a_user_who_cancels_has_no_events_afterwards(dataset: Dataset) -> None:
    confirmations = {
        row["userId"]: row["ts"]
        for row in dataset.rows
        if row["page"] == "Cancellation Confirmation"
    }
    assert confirmations
    for row in dataset.rows:
        if row["userId"] in confirmations:
            assert row["ts"] <= confirmations[row["userId"]]
    cancels = [row for row in dataset.rows if row["page"] == "Cancel"]
    assert {row["userId"] for row in cancels} == set(confirmations)


def test_log_names_are_double_mojibake_of_the_song_data_names(dataset: Dataset) -> None:
    catalogue = dataset.catalogue_keys()
    garbled = [row for row in dataset.next_songs if fixed(row["song"]) != row["song"]]
    garbled += [row for row in dataset.next_songs if fixed(row["artist"]) != row["artist"]]
    assert garbled
    for row in dataset.next_songs:
        title, artist = fixed(row["song"]), fixed(row["artist"])
        assert double_mojibake(title) == row["song"]
        assert double_mojibake(artist) == row["artist"]
    matched_non_ascii = [
        row
        for row in garbled
        if (fixed(row["song"]), fixed(row["artist"]), row["length"]) in catalogue
    ]
    assert matched_non_ascii
    song_data_text = {s["title"] for s in dataset.songs} | {s["artist_name"] for s in dataset.songs}
    assert any(not name.isascii() for name in song_data_text)


def test_a_title_ending_in_a_grave_ends_in_a_no_break_space_in_the_logs(dataset: Dataset) -> None:
    titles = {row["song"] for row in dataset.next_songs}
    # As data/README.md spells it, byte for byte.
    assert "Reste L\u00c3\u0083\u00c2\u00a0" in titles
    ending = [t for t in titles if fixed(t).endswith("à")]
    assert ending
    for title in ending:
        assert title.endswith("\u00a0")
        # Trimming before repairing destroys the name: the order matters downstream.
        with pytest.raises(UnicodeError):
            fixed(title.strip())


def test_some_logged_titles_have_edge_spaces(dataset: Dataset) -> None:
    spaced = {row["song"] for row in dataset.next_songs if row["song"] != row["song"].strip(" ")}
    assert spaced


def test_match_share_is_close_to_the_option(dataset: Dataset) -> None:
    catalogue = dataset.catalogue_keys()
    plays = dataset.next_songs
    matched = sum(
        (fixed(row["song"]), fixed(row["artist"]), row["length"]) in catalogue for row in plays
    )
    assert abs(matched / len(plays) - 0.9) < 0.04


@pytest.mark.parametrize("share", [0.0, 0.5, 1.0])
def test_match_share_option_is_honoured(tmp_path: Path, share: float) -> None:
    generate(tmp_path, events=1_500, users=20, songs=60, days=2, match_share=share)
    songs = [json.loads(p.read_text()) for p in tmp_path.glob("song_data/*/*/*/*.json")]
    catalogue = {(s["title"], s["artist_name"], s["duration"]) for s in songs}
    plays = [r for r in map(json.loads, log_lines(tmp_path)) if r["page"] == "NextSong"]
    matched = sum((fixed(r["song"]), fixed(r["artist"]), r["length"]) in catalogue for r in plays)
    assert abs(matched / len(plays) - share) < 0.06


# --- Options ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("events", "days", "users"),
    [(1, 1, 1), (7, 10, 3), (1_234, 5, 7), (2_001, 3, 80), (5_000, 1, 3)],
)
def test_event_count_is_exact(tmp_path: Path, events: int, days: int, users: int) -> None:
    summary = generate(tmp_path, events=events, days=days, users=users, songs=20)
    assert len(log_lines(tmp_path)) == events == summary.events
    assert summary.log_files == min(events, days)
    assert len(list(tmp_path.glob("log_data/*/*/*.json"))) == min(events, days)


def test_progress_reaches_the_total(tmp_path: Path) -> None:
    seen: list[Progress] = []
    generate_dataset(
        GenerationOptions(out_dir=tmp_path, events=20_000, users=50, songs=20, days=2),
        seen.append,
    )
    assert seen[-1] == Progress(day=2, days=2, events_written=20_000, events_total=20_000)
    written = [p.events_written for p in seen]
    assert written == sorted(written) and len(seen) > 2


@pytest.mark.parametrize(
    "overrides",
    [
        {"events": 0},
        {"songs": 0},
        {"days": 0},
        {"users": 0},
        {"match_share": 1.5},
        {"events": 100_000, "users": 1, "days": 1},
        {"start_date": date(1960, 1, 1)},
    ],
)
def test_unusable_options_are_refused_before_writing(tmp_path: Path, overrides: dict) -> None:
    with pytest.raises(GenerationError):
        generate(tmp_path / "out", **overrides)
    assert not (tmp_path / "out").exists()


def test_a_non_empty_directory_is_refused_without_force(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(GenerationError, match="not empty"):
        generate(tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


def test_force_replaces_only_what_the_generator_writes(tmp_path: Path) -> None:
    generate(tmp_path, events=300, songs=10)
    stale = tmp_path / "log_data" / "2000" / "01" / "2000-01-01-events.json"
    stale.parent.mkdir(parents=True)
    stale.write_text("{}")
    (tmp_path / "README.md").write_text("keep me")
    generate(tmp_path, events=300, songs=10, force=True)
    assert not stale.exists()
    assert (tmp_path / "README.md").read_text() == "keep me"
    assert len(log_lines(tmp_path)) == 300


# --- The command line --------------------------------------------------------------


def run_cli(*args: str, hash_seed: str = "0") -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        env={**os.environ, "PYTHONHASHSEED": hash_seed},
        timeout=60,
    )


def test_output_does_not_depend_on_string_hashing(tmp_path: Path) -> None:
    # Set iteration order changes with PYTHONHASHSEED; the bytes must not.
    options = ["--events", "400", "--songs", "30", "--days", "2", "--users", "12"]
    for name, hash_seed in (("a", "1"), ("b", "2")):
        result = run_cli("--out", str(tmp_path / name), *options, hash_seed=hash_seed)
        assert result.returncode == 0, result.stderr
    assert file_bytes(tmp_path / "a") == file_bytes(tmp_path / "b")


def test_cli_generates_and_summarises(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run_cli("--out", str(out), "--events", "250", "--songs", "15", "--days", "2")
    assert result.returncode == 0, result.stderr
    assert "250 events" in result.stdout
    assert len(result.stdout.strip().splitlines()) == 1
    assert len(log_lines(out)) == 250


def test_cli_refuses_a_non_empty_directory_in_one_line(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    result = run_cli("--out", str(tmp_path), "--events", "10", "--songs", "5")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "--force" in result.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["--events", "0"],
        ["--match-share", "2"],
        ["--start-date", "2018-13-01"],
        ["--events", "10000000", "--users", "1"],
    ],
)
def test_cli_reports_bad_options_in_one_line(tmp_path: Path, args: list[str]) -> None:
    result = run_cli("--out", str(tmp_path / "out"), *args)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
