"""The song catalogue: artists, the song_data records, and the songs the logs may name."""

from __future__ import annotations

import math
import string
from dataclasses import dataclass, field, replace
from random import Random

from sparkify.generate.encoding import double_mojibake, json_string_like_eventsim
from sparkify.generate.names import NameMaker
from sparkify.generate.reference import (
    ARTIST_LOCATIONS,
    ID_CHARS,
    TITLE_ENDING_IN_A_GRAVE,
    TITLES_WITH_EDGE_SPACES,
)

# As in song_data: many artists have no place, some a place but no coordinates.
NO_PLACE_SHARE = 0.4
NO_COORDINATES_SHARE = 0.35
YEAR_ZERO_SHARE = 0.6
# Of the artists with several songs, the first and this share of the others have a
# record that describes them differently.
DISAGREEING_RECORD_SHARE = 0.2
NEAR_MISS_SHARE = 0.2  # off-catalogue songs: a catalogue song with another length
KNOWN_ARTIST_SHARE = 0.2  # off-catalogue songs: a new title by a catalogue artist
MIN_OFF_CATALOGUE_SONGS = 50


@dataclass(slots=True)
class Artist:
    artist_id: str
    name: str
    location: str
    latitude: float | None
    longitude: float | None


@dataclass(slots=True)
class Song:
    """A song as a NextSong event names it, with its pre-encoded log fields."""

    title: str
    artist_name: str
    duration: float
    artist_json: str = field(init=False)
    title_json: str = field(init=False)
    duration_json: str = field(init=False)
    seconds: int = field(init=False)

    def __post_init__(self) -> None:
        self.artist_json = json_string_like_eventsim(double_mojibake(self.artist_name))
        self.title_json = json_string_like_eventsim(double_mojibake(self.title))
        self.duration_json = repr(self.duration)
        self.seconds = max(1, round(self.duration))


@dataclass(slots=True)
class Catalogue:
    records: list[dict[str, object]]  # song_data records, in popularity order
    track_ids: list[str]
    songs: list[Song]  # what NextSong events of catalogue songs name, same order
    off_catalogue: list[Song]  # songs the logs name that are not in song_data
    artists: int


def unique_id(rng: Random, taken: set[str], prefix: str, *parts: tuple[str, int]) -> str:
    """prefix, then for each (alphabet, length) part that many random characters of it."""
    while True:
        candidate = prefix + "".join("".join(rng.choices(chars, k=k)) for chars, k in parts)
        if candidate not in taken:
            taken.add(candidate)
            return candidate


def random_id(rng: Random, prefix: str, taken: set[str]) -> str:
    """An MSD-style id: a two-letter prefix and 16 uppercase letters or digits."""
    return unique_id(rng, taken, prefix, (ID_CHARS, 16))


def random_track_id(rng: Random, taken: set[str]) -> str:
    """A track id whose partition characters (2, 3, 4) are letters, as in the MSD."""
    return unique_id(rng, taken, "TR", (string.ascii_uppercase, 3), (ID_CHARS, 13))


def random_duration(rng: Random) -> float:
    # Song lengths are skewed like the real ones: mostly 3-5 minutes, a long tail.
    return round(min(1_800.0, max(15.0, rng.lognormvariate(math.log(235.0), 0.35))), 5)


def make_artist(rng: Random, names: NameMaker, taken_ids: set[str]) -> Artist:
    place, latitude, longitude = "", None, None
    if rng.random() >= NO_PLACE_SHARE:
        place, latitude, longitude = rng.choice(ARTIST_LOCATIONS)
        if rng.random() < NO_COORDINATES_SHARE:
            latitude = longitude = None
    return Artist(random_id(rng, "AR", taken_ids), names.artist_name(), place, latitude, longitude)


def disagreeing_artist_record(rng: Random, artist: Artist, names: NameMaker) -> Artist:
    """The same artist as another song record of the MSD may describe it."""
    choice = rng.randrange(3)
    if choice == 0:
        if artist.name.startswith("The "):
            return replace(artist, name=artist.name.removeprefix("The "))
        return replace(artist, name=f"{artist.name} featuring {names.person_name()}")
    if choice == 1:
        # "Memphis, TN" in one record, "Memphis" in another; or a place where there was none.
        if artist.location:
            return replace(artist, location=artist.location.split(",")[0])
        return replace(artist, location=rng.choice(ARTIST_LOCATIONS)[0])
    if artist.latitude is None:
        place, latitude, longitude = rng.choice(ARTIST_LOCATIONS)
        location = artist.location or place
        return replace(artist, location=location, latitude=latitude, longitude=longitude)
    return replace(artist, latitude=None, longitude=None)


def artists_of_songs(rng: Random, names: NameMaker, taken_ids: set[str], songs: int) -> list:
    """The artist of each song: every artist has one, a skewed few have several."""
    artist_count = max(1, (songs + 2) // 3)
    artists = [make_artist(rng, names, taken_ids) for _ in range(artist_count)]
    song_artists = list(artists) + [
        artists[int(artist_count * rng.random() ** 2)] for _ in range(songs - artist_count)
    ]
    rng.shuffle(song_artists)
    return song_artists


def song_titles(names: NameMaker, songs: int) -> list[str]:
    """Titles in popularity order, the special ones popular enough for small datasets."""
    titles = [names.title() for _ in range(songs)]
    # Played in small datasets too, without topping the charts.
    for index, special in enumerate((TITLE_ENDING_IN_A_GRAVE, *TITLES_WITH_EDGE_SPACES)):
        titles[min(songs - 1, 5 + 3 * index)] = special
    return titles


def artists_as_recorded(rng: Random, song_artists: list[Artist], names: NameMaker) -> list:
    """Each song's artist as its record describes it: some artists two ways (as in the MSD)."""
    songs_of_artist: dict[str, list[int]] = {}
    for index, artist in enumerate(song_artists):
        songs_of_artist.setdefault(artist.artist_id, []).append(index)
    repeated = [indexes for indexes in songs_of_artist.values() if len(indexes) > 1]
    record_artists = list(song_artists)
    for number, indexes in enumerate(repeated):
        if number == 0 or rng.random() < DISAGREEING_RECORD_SHARE:
            last = indexes[-1]
            record_artists[last] = disagreeing_artist_record(rng, song_artists[last], names)
    return record_artists


def song_record(artist: Artist, song_id: str, title: str, duration: float, year: int) -> dict:
    """A song_data record, its keys in the real files' order."""
    return {
        "num_songs": 1,
        "artist_id": artist.artist_id,
        "artist_latitude": artist.latitude,
        "artist_longitude": artist.longitude,
        "artist_location": artist.location,
        "artist_name": artist.name,
        "song_id": song_id,
        "title": title,
        "duration": duration,
        "year": year,
    }


def off_catalogue_songs(
    rng: Random, names: NameMaker, songs: list[Song], record_artists: list[Artist]
) -> list[Song]:
    """Songs the logs name that no song_data record has: near misses and unknown songs."""
    catalogue_keys = {(s.title, s.artist_name, s.duration) for s in songs}
    song_count = len(songs)
    off_catalogue: list[Song] = []
    while len(off_catalogue) < max(MIN_OFF_CATALOGUE_SONGS, song_count):
        roll = rng.random()
        if roll < NEAR_MISS_SHARE:
            base = songs[rng.randrange(song_count)]
            duration = round(base.duration + rng.choice((-1, 1)) * rng.uniform(0.1, 3.0), 5)
            candidate = Song(base.title, base.artist_name, duration)
        elif roll < NEAR_MISS_SHARE + KNOWN_ARTIST_SHARE:
            artist_name = record_artists[rng.randrange(song_count)].name
            candidate = Song(names.title(), artist_name, random_duration(rng))
        else:
            candidate = Song(names.title(), names.artist_name(), random_duration(rng))
        if (candidate.title, candidate.artist_name, candidate.duration) not in catalogue_keys:
            off_catalogue.append(candidate)
    return off_catalogue


def build_catalogue(rng: Random, song_count: int) -> Catalogue:
    """The song_data records and the songs the logs may name."""
    names = NameMaker(rng)
    taken_ids: set[str] = set()
    song_artists = artists_of_songs(rng, names, taken_ids, song_count)
    titles = song_titles(names, song_count)
    record_artists = artists_as_recorded(rng, song_artists, names)
    records: list[dict[str, object]] = []
    track_ids: list[str] = []
    songs: list[Song] = []
    for artist, title in zip(record_artists, titles, strict=True):
        duration = random_duration(rng)
        song_id = random_id(rng, "SO", taken_ids)
        year = 0 if rng.random() < YEAR_ZERO_SHARE else rng.randrange(1958, 2011)
        records.append(song_record(artist, song_id, title, duration, year))
        track_ids.append(random_track_id(rng, taken_ids))
        songs.append(Song(title, artist.name, duration))
    off_catalogue = off_catalogue_songs(rng, names, songs, record_artists)
    artists = len({artist.artist_id for artist in song_artists})
    return Catalogue(records, track_ids, songs, off_catalogue, artists)
