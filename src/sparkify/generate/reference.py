"""A deterministic, streaming generator of synthetic Sparkify data.

It writes the layout of the real Udacity Sparkify data with its quirks (see
data/README.md): one MSD-style JSON song per file under song_data/, and one
JSON Lines file of eventsim-style events per day under log_data/.

Unlike the real data, most NextSong events name a song of the generated catalogue
exactly, so that the dbt song/artist lookups have something to find.

Memory does not grow with the event count: events are merged in time order from one
lazy generator per active user and written straight to the day's file. What is held is
the catalogue, the users and each active user's current session.
"""

from __future__ import annotations

import heapq
import json
import math
import shutil
import string
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from random import Random

from sparkify.errors import GenerationError

DEFAULT_SEED = 42
DEFAULT_EVENTS = 10_000
DEFAULT_SONGS = 1_000
DEFAULT_DAYS = 30
DEFAULT_START_DATE = date(2018, 11, 1)
MIN_START_DATE = date(1971, 1, 1)
DEFAULT_MATCH_SHARE = 0.9

# Used when --users is not given: a typical active listener makes a few dozen
# events a day, so the users scale with the events instead of being squeezed.
AUTO_EVENTS_PER_USER_DAY = 40
MIN_AUTO_USERS = 10
# Past these a user would have to act every few seconds all day long.
MAX_AVG_EVENTS_PER_USER_DAY = 2_000
MAX_EVENTS_PER_USER_DAY = 20_000
MAX_SONGS = 1_000_000
MAX_DAYS = 3_660

SECONDS_PER_DAY = 86_400
GENERATED_DIRS = ("song_data", "log_data")
FLUSH_LINES = 8_192

# Behaviour knobs, chosen to look like the real logs (about 85% NextSong).
INACTIVE_DAY_SHARE = 0.35
LOGGED_OUT_PRELUDE_SHARE = 0.12
LOGOUT_EPILOGUE_SHARE = 0.10
LOGGED_OUT_ONLY_SESSION_SHARE = 0.25
CHANGE_AT_SESSION_END_SHARE = 0.25
SAVE_AFTER_SETTINGS_SHARE = 0.4
MEAN_SESSION_EVENTS = 15
MEAN_SESSION_GAP_S = 3 * 3_600
MAX_PAGE_GAP_S = 40
EVENT_GAP_ESTIMATE_S = 210  # mean time to the next event: mostly a song's length
# Eventsim time is whole seconds plus one fixed millisecond offset per dataset
# (every real ts and registration ends in 796), which makes ts collide often.
# A few more collisions are forced so that small datasets have some too.
DUPLICATE_TS_WINDOW_S = 10
DUPLICATE_TS_SHARE = 0.1

# --- Pages -------------------------------------------------------------------

NEXT_SONG = "NextSong"
# page -> (method, status), as eventsim logs them.
PAGE_REQUESTS: dict[str, tuple[str, int]] = {
    "NextSong": ("PUT", 200),
    "Home": ("GET", 200),
    "Login": ("PUT", 307),
    "Logout": ("PUT", 307),
    "Settings": ("GET", 200),
    "Save Settings": ("PUT", 307),
    "Add to Playlist": ("PUT", 200),
    "Add Friend": ("PUT", 307),
    "Thumbs Up": ("PUT", 307),
    "Thumbs Down": ("PUT", 307),
    "Help": ("GET", 200),
    "About": ("GET", 200),
    "Upgrade": ("GET", 200),
    "Submit Upgrade": ("PUT", 307),
    "Downgrade": ("GET", 200),
    "Submit Downgrade": ("PUT", 307),
    "Error": ("GET", 404),
    "Cancel": ("PUT", 307),
    "Cancellation Confirmation": ("GET", 200),
}
LOGGED_OUT_PAGES = ("Home", "Login", "About", "Help")
# Pages of a logged-in session between its special events. "Plan" stands for
# Upgrade (free users) or Downgrade (paid users) viewed without submitting.
MIDDLE_PAGE_WEIGHTS: dict[str, float] = {
    "NextSong": 0.900,
    "Home": 0.025,
    "Thumbs Up": 0.025,
    "Add to Playlist": 0.013,
    "Add Friend": 0.009,
    "Thumbs Down": 0.007,
    "Plan": 0.007,
    "Settings": 0.005,
    "Help": 0.005,
    "About": 0.002,
    "Error": 0.002,
}
LOGGED_OUT_PRELUDES = (
    ("Login",),
    ("Home", "Login"),
    ("Home", "About", "Login"),
    ("Home", "Help", "Login"),
)
LEVEL_PLANS = ("free->paid", "paid->free", "free->paid->free", "paid->free->paid")

# --- Word lists (invented names; real place names only for locations) -------


def words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


FIRST_NAMES_F = words(
    "Abigail Alice Amara Anna Aubrey Beatrix Bianca Camila Chloe Clara Daisy Delia Eleanor Elena "
    "Eliza Emma Esther Fiona Freya Gemma Grace Hannah Harper Hazel Iris Isla Ivy Jade Julia June "
    "Keira Layla Leah Lena Lily Lucia Lydia Mabel Maya Mia Nadia Naomi Nora Olive Paige Piper "
    "Quinn Rosa Ruby Sadie Sara Sienna Sofia Stella Tessa Vera Violet Willa Zara Zoe"
)
FIRST_NAMES_M = words(
    "Aaron Adrian Alex Andre Arlo Arthur Axel Ben Caleb Carter Cole Damian Dexter Eli Ellis Emil "
    "Ezra Felix Finn Gabriel Gus Harvey Hugo Ian Isaac Jack Jasper Jonah Jude Kai Leo Levi Liam "
    "Luca Marcus Mason Milo Nate Nico Noah Oscar Otto Owen Paul Quentin Reid Rhys Roman Rory "
    "Ryan Sam Silas Theo Tobias Tristan Victor Wade Wes Xavier Zane"
)
LAST_NAMES = words(
    "Abbott Alder Ashby Barlow Beckett Bellamy Blackwood Bramble Calloway Carver Cole Crane "
    "Dalton Darrow Eastwood Ellery Fairbanks Fenwick Finch Forsythe Garrity Goodwin Hale Harlow "
    "Hartley Holloway Ingram Jarvis Keane Kendrick Langley Larkin Lowell Lyle Maddox Marlow "
    "Mercer Merritt Nash Norwood Oakley Orton Pace Pemberton Quill Radford Reyes Rowan Sawyer "
    "Sinclair Spencer Stroud Thorne Tolliver Underwood Vance Voss Wilder Winslow Wren Yardley "
    "Yates Zeller"
)
ADJECTIVES = words(
    "Velvet Electric Silent Golden Paper Neon Hollow Crimson Lonely Wild Broken Midnight Copper "
    "Silver Amber Crystal Restless Sleepy Distant Burning Frozen Gentle Hidden Lucky Northern "
    "Painted Quiet Rusty Secret Static Sunday Tender Violet Wandering Young Bright Cosmic Dusty "
    "Endless Faded Glass Honey Indigo Jade Kinetic Lunar Marble Nomad Orange Pale Radiant Salty "
    "Tidal Urban Vivid Wooden Yellow Hazy Savage Modern"
)
BAND_NOUNS = words(
    "Foxes Lanterns Rivers Engines Saints Wolves Harbors Pilots Ghosts Satellites Horses Echoes "
    "Mirrors Sparrows Tigers Orchids Comets Sailors Thieves Dreamers Kings Shadows Machines "
    "Parades Gardens Bandits Islands Strangers Voices Wires Magnets Arrows Owls Lions Cowboys "
    "Drifters Monarchs Rockets Pilgrims Tramps"
)
TITLE_NOUNS = words(
    "Heart Road Summer Rain Fire Light Night City Ocean Train Window River Letter Highway Garden "
    "Moon Morning Thunder Dance Song Kiss Storm Ghost Shadow Mountain Island Dream Mirror Radio "
    "Telephone Harbor Winter Sugar Diamond Satellite Lullaby Carousel Avenue Paradise Echo Wire "
    "Compass Feather Lantern Horizon Engine Valley Weekend Motel Skyline"
)
VERBS = words(
    "Chase Follow Burn Hold Remember Forget Catch Leave Light Wake Save Call Break Carry Find "
    "Lose Hide Free Kiss Hear"
)
# Invented names with non-ASCII letters: the logs garble these (double mojibake).
NON_ASCII_ARTISTS = (
    "Café Nebulosa",
    "Los Tigres de Añil",
    "Zoë Marchetti",
    "Ólafur Stjarna",
    "Mañana Eléctrica",
    "Hélène et les Rivières",
    "Jörg Sänger Trio",
    "Søren Blåhvid",
    "Ümit Güneşli",
    "Łukasz Wiatrak",
    "Çağla Deniz & Band",
    "Дмитрий Облаков",
    "Hoshizora 夜の港",
    "Ñandú Quartet",
    "Aurélie Fontaine",
    "Böhm & Kästner",
)
NON_ASCII_TITLES = (
    "Canción del Río",
    "Über den Dächern",
    "Pequeña Lluvia",
    "Noite de São João",
    "Fiancée du Désert",
    "Tschüss Sommer",
    "Días Azules",
    "Ça Tourne",
    "Mélodie Perdue",
    "Señorita Nube",
    "Smörgåsbord Blues",
    "Naïve Hearts",
    "Crème Brûlée Rain",
    "Ελαφρύ Φως",
    "夜明けの歌",
    "Café für Zwei",
)
# A title whose correct form ends in "à": its double mojibake ends in U+00A0, which
# str.strip() would wrongly remove before the encoding is repaired.
TITLE_ENDING_IN_A_GRAVE = "Reste Là"
TITLES_WITH_EDGE_SPACES = (" Paper Lanterns", "Slow Tide ", " Ghost Harbor ")
ARTIST_LOCATIONS: tuple[tuple[str, float, float], ...] = (
    ("Memphis, TN", 35.14968, -90.04892),
    ("Nashville, TN", 36.16778, -86.77836),
    ("Austin, TX", 30.26759, -97.74299),
    ("Chicago, IL", 41.88415, -87.63241),
    ("Detroit, MI", 42.33168, -83.04792),
    ("Seattle, WA", 47.60356, -122.32944),
    ("Brooklyn, NY", 40.65507, -73.94888),
    ("Los Angeles, CA", 34.05349, -118.24532),
    ("Atlanta, GA", 33.74831, -84.39111),
    ("New Orleans, LA", 29.95369, -90.07771),
    ("Minneapolis, MN", 44.97903, -93.26493),
    ("Portland, OR", 45.51179, -122.67563),
    ("London, England", 51.50632, -0.12714),
    ("Manchester, England", 53.47910, -2.24887),
    ("Glasgow, Scotland", 55.85720, -4.24460),
    ("Dublin, Ireland", 53.34376, -6.24953),
    ("Berlin, Germany", 52.51607, 13.37698),
    ("Paris, France", 48.85692, 2.34121),
    ("Stockholm, Sweden", 59.33217, 18.06243),
    ("Toronto, Ontario, Canada", 43.64856, -79.38533),
    ("Melbourne, Australia", -37.81753, 144.96715),
    ("Kingston, Jamaica", 17.99702, -76.79358),
    ("São Paulo, Brazil", -23.56288, -46.65466),
    ("Montréal, Québec", 45.51228, -73.55439),
    ("Reykjavík, Iceland", 64.13548, -21.89541),
    ("Zürich, Switzerland", 47.37689, 8.54169),
    ("Malmö, Sweden", 55.60498, 13.00382),
    ("Ciudad de México", 19.43261, -99.13321),
)
# Metro areas as eventsim writes them: Census CBSA titles with their state codes.
USER_LOCATIONS = (
    "New York-Newark-Jersey City, NY-NJ-PA",
    "Los Angeles-Long Beach-Anaheim, CA",
    "Chicago-Naperville-Elgin, IL-IN-WI",
    "Dallas-Fort Worth-Arlington, TX",
    "Houston-The Woodlands-Sugar Land, TX",
    "Washington-Arlington-Alexandria, DC-VA-MD-WV",
    "Miami-Fort Lauderdale-West Palm Beach, FL",
    "Philadelphia-Camden-Wilmington, PA-NJ-DE-MD",
    "Atlanta-Sandy Springs-Roswell, GA",
    "Boston-Cambridge-Newton, MA-NH",
    "Phoenix-Mesa-Scottsdale, AZ",
    "San Francisco-Oakland-Hayward, CA",
    "Riverside-San Bernardino-Ontario, CA",
    "Detroit-Warren-Dearborn, MI",
    "Seattle-Tacoma-Bellevue, WA",
    "Minneapolis-St. Paul-Bloomington, MN-WI",
    "San Diego-Carlsbad, CA",
    "Tampa-St. Petersburg-Clearwater, FL",
    "Denver-Aurora-Lakewood, CO",
    "St. Louis, MO-IL",
    "Baltimore-Columbia-Towson, MD",
    "Charlotte-Concord-Gastonia, NC-SC",
    "Orlando-Kissimmee-Sanford, FL",
    "San Antonio-New Braunfels, TX",
    "Portland-Vancouver-Hillsboro, OR-WA",
    "Sacramento--Roseville--Arden-Arcade, CA",
    "Pittsburgh, PA",
    "Las Vegas-Henderson-Paradise, NV",
    "Cincinnati, OH-KY-IN",
    "Kansas City, MO-KS",
    "Columbus, OH",
    "Indianapolis-Carmel-Anderson, IN",
    "Cleveland-Elyria, OH",
    "San Jose-Sunnyvale-Santa Clara, CA",
    "Nashville-Davidson--Murfreesboro--Franklin, TN",
    "Virginia Beach-Norfolk-Newport News, VA-NC",
    "Providence-Warwick, RI-MA",
    "Milwaukee-Waukesha-West Allis, WI",
    "Jacksonville, FL",
    "Memphis, TN-MS-AR",
    "Louisville/Jefferson County, KY-IN",
    "Salt Lake City, UT",
    "Raleigh, NC",
    "New Orleans-Metairie, LA",
    "Winston-Salem, NC",
    "Urban Honolulu, HI",
)
# (weight, user agent): desktop browsers on Windows, macOS and Linux, then phones
# and tablets on iOS and Android.
USER_AGENTS: tuple[tuple[int, str], ...] = (
    (
        14,
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/70.0.3538.77 Safari/537.36",
    ),
    (
        8,
        "Mozilla/5.0 (Windows NT 6.1; WOW64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/69.0.3497.100 Safari/537.36",
    ),
    (6, "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:63.0) Gecko/20100101 Firefox/63.0"),
    (3, "Mozilla/5.0 (Windows NT 6.1; WOW64; rv:60.0) Gecko/20100101 Firefox/60.0"),
    (
        5,
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/64.0.3282.140 Safari/537.36 Edge/17.17134",
    ),
    (4, "Mozilla/5.0 (Windows NT 6.1; WOW64; Trident/7.0; rv:11.0) like Gecko"),
    (1, "Mozilla/5.0 (compatible; MSIE 10.0; Windows NT 6.2; WOW64; Trident/6.0)"),
    (
        7,
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_14_1) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Version/12.0.1 Safari/605.1.15",
    ),
    (
        7,
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_13_6) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/70.0.3538.77 Safari/537.36",
    ),
    (2, "Mozilla/5.0 (Macintosh; Intel Mac OS X 10.13; rv:63.0) Gecko/20100101 Firefox/63.0"),
    (2, "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:63.0) Gecko/20100101 Firefox/63.0"),
    (
        2,
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/70.0.3538.77 Safari/537.36",
    ),
    (
        9,
        "Mozilla/5.0 (iPhone; CPU iPhone OS 12_1 like Mac OS X) AppleWebKit/605.1.15 "
        "(KHTML, like Gecko) Version/12.0 Mobile/15E148 Safari/604.1",
    ),
    (
        2,
        "Mozilla/5.0 (iPhone; CPU iPhone OS 12_0 like Mac OS X) AppleWebKit/605.1.15 "
        "(KHTML, like Gecko) CriOS/70.0.3538.75 Mobile/15E148 Safari/605.1",
    ),
    (
        6,
        "Mozilla/5.0 (Linux; Android 8.1.0; Pixel 2) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/70.0.3538.80 Mobile Safari/537.36",
    ),
    (
        5,
        "Mozilla/5.0 (Linux; Android 8.0.0; SM-G960F Build/R16NW) AppleWebKit/537.36 "
        "(KHTML, like Gecko) Chrome/62.0.3202.84 Mobile Safari/537.36",
    ),
    (1, "Mozilla/5.0 (Android 8.0.0; Mobile; rv:63.0) Gecko/63.0 Firefox/63.0"),
    (
        3,
        "Mozilla/5.0 (iPad; CPU OS 12_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Version/12.0 Mobile/15E148 Safari/604.1",
    ),
    (
        2,
        "Mozilla/5.0 (Linux; Android 7.0; SM-T580) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/70.0.3538.80 Safari/537.36",
    ),
)

ID_CHARS = string.ascii_uppercase + string.digits


@dataclass(frozen=True)
class GenerationOptions:
    out_dir: Path
    seed: int = DEFAULT_SEED
    events: int = DEFAULT_EVENTS
    users: int | None = None  # None: scale with events (AUTO_EVENTS_PER_USER_DAY)
    songs: int = DEFAULT_SONGS
    days: int = DEFAULT_DAYS
    start_date: date = DEFAULT_START_DATE
    match_share: float = DEFAULT_MATCH_SHARE
    force: bool = False

    def user_count(self) -> int:
        if self.users is not None:
            return self.users
        wanted = math.ceil(self.events / (max(self.days, 1) * AUTO_EVENTS_PER_USER_DAY))
        return max(MIN_AUTO_USERS, wanted)


@dataclass(frozen=True)
class Progress:
    day: int  # days finished or in progress, from 1
    days: int
    events_written: int
    events_total: int


@dataclass(frozen=True)
class GenerationSummary:
    out_dir: Path
    log_files: int
    song_files: int
    events: int
    songs: int
    artists: int
    users: int
    seconds: float

    def describe(self) -> str:
        rate = self.events / self.seconds if self.seconds > 0 else 0.0
        return (
            f"wrote {self.log_files + self.song_files:,} files to {self.out_dir} "
            f"({self.log_files:,} log files with {self.events:,} events, "
            f"{self.song_files:,} song files by {self.artists:,} artists, "
            f"{self.users:,} users) in {self.seconds:.1f} s ({rate:,.0f} events/s)"
        )


# --- Encoding helpers --------------------------------------------------------


def double_mojibake(text: str) -> str:
    """Garble text as the real logs do: UTF-8 bytes read as Latin-1, twice."""
    for _ in range(2):
        text = text.encode("utf-8").decode("latin-1")
    return text


def repair_double_mojibake(text: str) -> str:
    """Undo double_mojibake (the repair the dbt staging model applies)."""
    for _ in range(2):
        text = text.encode("latin-1").decode("utf-8")
    return text


def json_string_like_eventsim(value: str | None) -> str:
    """A JSON value as the real logs write it: ASCII only, with "/" escaped as "\\/"."""
    if value is None:
        return "null"
    # Outside strings JSON has no "/", so replacing it everywhere is safe.
    return json.dumps(value).replace("/", "\\/")


def random_id(rng: Random, prefix: str, taken: set[str]) -> str:
    """An MSD-style id: a two-letter prefix and 16 uppercase letters or digits."""
    while True:
        candidate = prefix + "".join(rng.choices(ID_CHARS, k=16))
        if candidate not in taken:
            taken.add(candidate)
            return candidate


def random_track_id(rng: Random, taken: set[str]) -> str:
    """A track id whose partition characters (2, 3, 4) are letters, as in the MSD."""
    while True:
        candidate = (
            "TR"
            + "".join(rng.choices(string.ascii_uppercase, k=3))
            + "".join(rng.choices(ID_CHARS, k=13))
        )
        if candidate not in taken:
            taken.add(candidate)
            return candidate


# --- The song catalogue -----------------------------------------------------


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


class NameMaker:
    """Invents artist names and song titles; artist names are unique."""

    def __init__(self, rng: Random) -> None:
        self.rng = rng
        self.artist_names: set[str] = set()
        self.unused_non_ascii_artists = list(NON_ASCII_ARTISTS)
        rng.shuffle(self.unused_non_ascii_artists)

    def person_name(self) -> str:
        rng = self.rng
        first = rng.choice(FIRST_NAMES_F if rng.random() < 0.5 else FIRST_NAMES_M)
        return f"{first} {rng.choice(LAST_NAMES)}"

    def artist_name(self) -> str:
        rng = self.rng
        if self.unused_non_ascii_artists and rng.random() < 0.08:
            name = self.unused_non_ascii_artists.pop()
            self.artist_names.add(name)
            return name
        for attempt in range(50):
            pattern = rng.randrange(6)
            if pattern == 0:
                name = f"The {rng.choice(ADJECTIVES)} {rng.choice(BAND_NOUNS)}"
            elif pattern == 1:
                name = self.person_name()
            elif pattern == 2:
                name = f"{rng.choice(ADJECTIVES)} {rng.choice(BAND_NOUNS)}"
            elif pattern == 3:
                name = f"{self.person_name()} & the {rng.choice(BAND_NOUNS)}"
            elif pattern == 4:
                name = f"DJ {rng.choice(ADJECTIVES)} {rng.choice(TITLE_NOUNS)}"
            else:
                name = f"{rng.choice(LAST_NAMES)} / {rng.choice(LAST_NAMES)}"
            if attempt > 10:
                # Big catalogues run out of short names.
                name = f"{name} {rng.choice(ADJECTIVES)} {rng.randrange(2, 99)}"
            if name not in self.artist_names:
                self.artist_names.add(name)
                return name
        raise GenerationError("could not invent enough distinct artist names")

    def title(self) -> str:
        rng = self.rng
        roll = rng.random()
        if roll < 0.05:
            return rng.choice(NON_ASCII_TITLES)
        if roll < 0.06:
            return rng.choice(TITLES_WITH_EDGE_SPACES)
        pattern = rng.randrange(7)
        if pattern == 0:
            return f"{rng.choice(ADJECTIVES)} {rng.choice(TITLE_NOUNS)}"
        if pattern == 1:
            return f"{rng.choice(VERBS)} the {rng.choice(TITLE_NOUNS)}"
        if pattern == 2:
            return f"{rng.choice(TITLE_NOUNS)} in the {rng.choice(TITLE_NOUNS)}"
        if pattern == 3:
            return f"Don't {rng.choice(VERBS)} Me"
        if pattern == 4:
            return (
                f"{rng.choice(ADJECTIVES)} {rng.choice(TITLE_NOUNS)} ({rng.choice(ADJECTIVES)} Mix)"
            )
        if pattern == 5:
            return f"Another {rng.choice(ADJECTIVES)} {rng.choice(TITLE_NOUNS)}"
        return f"{rng.choice(TITLE_NOUNS)} No. {rng.randrange(1, 20)}"


def random_duration(rng: Random) -> float:
    # Song lengths are skewed like the real ones: mostly 3-5 minutes, a long tail.
    return round(min(1_800.0, max(15.0, rng.lognormvariate(math.log(235.0), 0.35))), 5)


def make_artist(rng: Random, names: NameMaker, taken_ids: set[str]) -> Artist:
    if rng.random() < 0.4:
        return Artist(random_id(rng, "AR", taken_ids), names.artist_name(), "", None, None)
    place, latitude, longitude = rng.choice(ARTIST_LOCATIONS)
    if rng.random() < 0.35:
        return Artist(random_id(rng, "AR", taken_ids), names.artist_name(), place, None, None)
    return Artist(random_id(rng, "AR", taken_ids), names.artist_name(), place, latitude, longitude)


def disagreeing_artist_record(rng: Random, artist: Artist, names: NameMaker) -> Artist:
    """The same artist as another song record of the MSD may describe it."""
    choice = rng.randrange(3)
    if choice == 0:
        name = (
            artist.name.removeprefix("The ")
            if artist.name.startswith("The ")
            else f"{artist.name} featuring {names.person_name()}"
        )
        return Artist(artist.artist_id, name, artist.location, artist.latitude, artist.longitude)
    if choice == 1:
        # "Memphis, TN" in one record, "Memphis" in another; or a place where there was none.
        location = (
            artist.location.split(",")[0] if artist.location else rng.choice(ARTIST_LOCATIONS)[0]
        )
        return Artist(artist.artist_id, artist.name, location, artist.latitude, artist.longitude)
    if artist.latitude is None:
        place, latitude, longitude = rng.choice(ARTIST_LOCATIONS)
        return Artist(artist.artist_id, artist.name, artist.location or place, latitude, longitude)
    return Artist(artist.artist_id, artist.name, artist.location, None, None)


@dataclass(slots=True)
class Catalogue:
    records: list[dict[str, object]]  # song_data records, in popularity order
    track_ids: list[str]
    songs: list[Song]  # what NextSong events of catalogue songs name, same order
    off_catalogue: list[Song]  # songs the logs name that are not in song_data
    artists: int


def build_catalogue(rng: Random, song_count: int) -> Catalogue:
    """The song_data records and the songs the logs may name."""
    names = NameMaker(rng)
    taken_ids: set[str] = set()
    artist_count = max(1, (song_count + 2) // 3)
    artists = [make_artist(rng, names, taken_ids) for _ in range(artist_count)]
    # Every artist gets one song, the rest go to a skewed few: several songs each.
    song_artists = list(artists) + [
        artists[int(artist_count * rng.random() ** 2)] for _ in range(song_count - artist_count)
    ]
    rng.shuffle(song_artists)
    titles = [names.title() for _ in range(song_count)]
    # The catalogue is in popularity order (see user_day_events).
    # Popular enough to be played in small datasets, without topping the charts.
    for index, special in enumerate((TITLE_ENDING_IN_A_GRAVE, *TITLES_WITH_EDGE_SPACES)):
        position = min(song_count - 1, 5 + 3 * index)
        titles[position] = special

    # The MSD describes some artists differently in different song records.
    songs_of_artist: dict[str, list[int]] = {}
    for index, artist in enumerate(song_artists):
        songs_of_artist.setdefault(artist.artist_id, []).append(index)
    repeated = [indexes for indexes in songs_of_artist.values() if len(indexes) > 1]
    record_artists = list(song_artists)
    for number, indexes in enumerate(repeated):
        if number == 0 or rng.random() < 0.2:
            last = indexes[-1]
            record_artists[last] = disagreeing_artist_record(rng, song_artists[last], names)

    records: list[dict[str, object]] = []
    track_ids: list[str] = []
    songs: list[Song] = []
    for artist, title in zip(record_artists, titles, strict=True):
        duration = random_duration(rng)
        records.append(
            {
                "num_songs": 1,
                "artist_id": artist.artist_id,
                "artist_latitude": artist.latitude,
                "artist_longitude": artist.longitude,
                "artist_location": artist.location,
                "artist_name": artist.name,
                "song_id": random_id(rng, "SO", taken_ids),
                "title": title,
                "duration": duration,
                "year": 0 if rng.random() < 0.6 else rng.randrange(1958, 2011),
            }
        )
        track_ids.append(random_track_id(rng, taken_ids))
        songs.append(Song(title, artist.name, duration))

    catalogue_keys = {(s.title, s.artist_name, s.duration) for s in songs}
    off_catalogue: list[Song] = []
    while len(off_catalogue) < max(50, song_count):
        roll = rng.random()
        if roll < 0.2:
            # A near miss: a catalogue song logged with another length.
            base = songs[rng.randrange(song_count)]
            duration = round(base.duration + rng.choice((-1, 1)) * rng.uniform(0.1, 3.0), 5)
            candidate = Song(base.title, base.artist_name, duration)
        elif roll < 0.4:
            artist_name = record_artists[rng.randrange(song_count)].name
            candidate = Song(names.title(), artist_name, random_duration(rng))
        else:
            candidate = Song(names.title(), names.artist_name(), random_duration(rng))
        key = (candidate.title, candidate.artist_name, candidate.duration)
        if key not in catalogue_keys:
            off_catalogue.append(candidate)
    return Catalogue(records, track_ids, songs, off_catalogue, artist_count)


# --- Users -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Persona:
    """The pre-encoded pieces of a log line that only depend on who is acting.

    A line is assembled from these and the event's own fields (see user_day_events):
    building it from a few big pieces is what makes the generator fast.
    """

    auth_to_item: str  # ,"auth":...,"itemInSession":
    last_name_to_length: str  # ,"lastName":...,"length":
    location_to_method: str  # ","location":...,"method":"
    registration_to_session: str  # registration value and ,"sessionId":
    tail: str  # ,"userAgent":...,"userId":...}


def logged_in_persona(
    first: str, gender: str, last: str, location: str, registration: str, agent: str, user_id: str
) -> Persona:
    # The real user agents carry literal double quotes inside the JSON string.
    agent_json = json_string_like_eventsim(f'"{agent}"')
    return Persona(
        auth_to_item=(
            f',"auth":"Logged In","firstName":{json_string_like_eventsim(first)},'
            f'"gender":{json_string_like_eventsim(gender)},"itemInSession":'
        ),
        last_name_to_length=f',"lastName":{json_string_like_eventsim(last)},"length":',
        location_to_method=f'","location":{json_string_like_eventsim(location)},"method":"',
        registration_to_session=f'{registration},"sessionId":',
        tail=f',"userAgent":{agent_json},"userId":"{user_id}"}}',
    )


LOGGED_OUT = Persona(
    auth_to_item=',"auth":"Logged Out","firstName":null,"gender":null,"itemInSession":',
    last_name_to_length=',"lastName":null,"length":',
    location_to_method='","location":null,"method":"',
    registration_to_session='null,"sessionId":',
    tail=',"userAgent":null,"userId":""}',
)


@dataclass(slots=True)
class User:
    index: int
    level: str
    weight: float
    change_days: list[int]  # days on which a planned level change is due, ascending
    cancel_day: int | None
    persona: Persona  # what the user's logged-in events say about them
    cancelled: bool = False


def weighted_user_agents() -> list[str]:
    return [agent for weight, agent in USER_AGENTS for _ in range(weight)]


def build_users(rng: Random, count: int, days: int, start: datetime, offset_ms: int) -> list[User]:
    agents = weighted_user_agents()
    order = list(range(count))
    rng.shuffle(order)
    # Guarantee each kind of level change and a cancellation in small datasets too.
    forced_plans = {order[i]: LEVEL_PLANS[i] for i in range(min(3, count)) if count >= 3}
    forced_cancel = order[3] if count >= 10 else None
    start_s = int(start.timestamp())
    users: list[User] = []
    for index in range(count):
        gender = "F" if rng.random() < 0.5 else "M"
        first = rng.choice(FIRST_NAMES_F if gender == "F" else FIRST_NAMES_M)
        last = rng.choice(LAST_NAMES)
        registered_s = start_s - rng.randrange(SECONDS_PER_DAY, 200 * SECONDS_PER_DAY)
        plan = forced_plans.get(index)
        if plan is None:
            roll = rng.random()
            plan = (
                rng.choice(LEVEL_PLANS[:2])
                if roll < 0.15
                else rng.choice(LEVEL_PLANS[2:])
                if roll < 0.2
                else ""
            )
        level = plan.split("->")[0] if plan else ("free" if rng.random() < 0.55 else "paid")
        # Forced plans happen early so that later days can absorb a deferral.
        latest = max(1, days // 2) if index in forced_plans else days
        change_days = sorted(rng.randrange(latest) for _ in range(plan.count("->")))
        cancel_day = None
        if index == forced_cancel or (
            index != order[0] and forced_cancel is not None and rng.random() < 0.04
        ):
            cancel_day = rng.randrange(days // 2, days) if days > 1 else 0
        weight = rng.lognormvariate(0.0, 0.8)
        if index in forced_plans:
            weight = max(weight, 1.5)
        persona = logged_in_persona(
            first=first,
            gender=gender,
            last=last,
            location=rng.choice(USER_LOCATIONS),
            registration=repr(float(registered_s * 1000 + offset_ms)),
            agent=rng.choice(agents),
            user_id=str(index + 1),
        )
        users.append(
            User(
                index=index,
                level=level,
                weight=weight,
                change_days=change_days,
                cancel_day=cancel_day,
                persona=persona,
            )
        )
    return users


# --- Event counts per day and per user ----------------------------------------


def split_exactly(total: int, weights: list[float]) -> list[int]:
    """Split total into integer parts proportional to weights (largest remainder)."""
    weight_sum = sum(weights)
    shares = [total * w / weight_sum for w in weights]
    parts = [int(s) for s in shares]
    by_remainder = sorted(range(len(weights)), key=lambda i: (parts[i] - shares[i], i))
    for i in by_remainder[: total - sum(parts)]:
        parts[i] += 1
    return parts


def events_per_day(rng: Random, events: int, days: int, start: date) -> list[int]:
    """An exact split of the events over the days, weekends a little quieter."""
    weights = [
        rng.uniform(0.7, 1.3) * (0.8 if (start + timedelta(days=d)).weekday() >= 5 else 1.0)
        for d in range(days)
    ]
    if events >= days:
        # Every day gets at least one event, hence one file.
        return [1 + part for part in split_exactly(events - days, weights)]
    return split_exactly(events, weights)


def events_per_user(rng: Random, users: list[User], day: int, quota: int) -> list[tuple[User, int]]:
    """An exact split of one day's events over the users still subscribed."""
    active = [user for user in users if not user.cancelled]
    weights = []
    for user in active:
        must_act = (user.cancel_day is not None and user.cancel_day <= day) or (
            user.change_days and user.change_days[0] <= day
        )
        if not must_act and rng.random() < INACTIVE_DAY_SHARE:
            weights.append(0.0)
        else:
            weights.append(user.weight * rng.uniform(0.5, 1.5))
    busy = sum(1 for w in weights if w > 0)
    if busy * MAX_EVENTS_PER_USER_DAY < quota:
        weights = [user.weight for user in active]
    if len(active) * MAX_EVENTS_PER_USER_DAY < quota:
        raise GenerationError(
            f"day {day + 1} needs {quota:,} events but only {len(active):,} users are left; "
            "use more --users"
        )
    counts = split_exactly(quota, weights)
    # Cap very heavy users; their excess goes to the others, most eligible first.
    excess = 0
    for i, count in enumerate(counts):
        if count > MAX_EVENTS_PER_USER_DAY:
            excess += count - MAX_EVENTS_PER_USER_DAY
            counts[i] = MAX_EVENTS_PER_USER_DAY
    i = 0
    while excess:
        room = MAX_EVENTS_PER_USER_DAY - counts[i]
        moved = min(room, excess)
        counts[i] += moved
        excess -= moved
        i += 1
    return [(user, count) for user, count in zip(active, counts, strict=True) if count]


# --- Events --------------------------------------------------------------------

# Shared (page, logged in) steps: long sessions hold references, not new tuples.
LOGGED_IN_STEPS: dict[str, tuple[str, bool]] = {page: (page, True) for page in PAGE_REQUESTS}
STATE_CHANGING_PAGES = frozenset(
    ("Submit Upgrade", "Submit Downgrade", "Cancellation Confirmation")
)
# page -> the line pieces around its "page" and "status" values.
PAGE_PIECES: dict[str, tuple[str, str]] = {
    page: (f'{method}","page":"{page}","registration":', f',"status":{status},"ts":')
    for page, (method, status) in PAGE_REQUESTS.items()
}


def middle_page_table() -> list[str]:
    """A 1000-slot lookup table: picking a page costs one random() call."""
    table: list[str] = []
    for page, weight in MIDDLE_PAGE_WEIGHTS.items():
        table.extend([page] * round(weight * 1000))
    return table


class EventWriter:
    """Produces the events of one dataset, day by day, in time order."""

    def __init__(self, rng: Random, catalogue: Catalogue, match_share: float, offset_ms: int):
        self.rng = rng
        self.songs = catalogue.songs
        self.off_catalogue = catalogue.off_catalogue
        self.match_share = match_share
        self.offset_suffix = f"{offset_ms:03d}"
        self.next_session_id = 1
        self.page_table = middle_page_table()

    def plan_session(
        self, user: User, size: int, day: int, cancels: bool
    ) -> list[tuple[str, bool]]:
        """The (page, logged in) steps of one session of exactly `size` events."""
        rng = self.rng
        if not cancels and size <= 2 and rng.random() < LOGGED_OUT_ONLY_SESSION_SHARE:
            # A visitor who never logs in: only the logged-out pages.
            return [("Home", False)] + [(rng.choice(LOGGED_OUT_PAGES[2:]), False)] * (size - 1)
        prelude: list[tuple[str, bool]] = []
        epilogue: list[tuple[str, bool]] = []
        if cancels:
            epilogue = [("Cancel", True), ("Cancellation Confirmation", True)]
        elif rng.random() < LOGOUT_EPILOGUE_SHARE:
            epilogue = [("Logout", True)] + ([("Home", False)] if rng.random() < 0.5 else [])
        if rng.random() < LOGGED_OUT_PRELUDE_SHARE:
            prelude = [(page, False) for page in rng.choice(LOGGED_OUT_PRELUDES)]
        if len(prelude) + len(epilogue) >= size:
            prelude = []
        if len(epilogue) >= size and not cancels:
            epilogue = []
        middle_size = size - len(prelude) - len(epilogue)
        level = user.level
        table = self.page_table
        middle: list[tuple[str, bool]] = []
        while len(middle) < middle_size:
            page = table[int(rng.random() * 1000)]
            if page == "Plan":
                page = "Upgrade" if level == "free" else "Downgrade"
            middle.append(LOGGED_IN_STEPS[page])
            if page == "Settings" and rng.random() < SAVE_AFTER_SETTINGS_SHARE:
                middle.append(LOGGED_IN_STEPS["Save Settings"])
        del middle[middle_size:]
        if user.change_days and user.change_days[0] <= day and middle_size >= 2:
            # Mostly mid-session, so that the level changes between two events of a session.
            user.change_days.pop(0)
            view, submit = ("Upgrade", "Submit Upgrade")
            if level == "paid":
                view, submit = ("Downgrade", "Submit Downgrade")
            at_end = middle_size == 2 or rng.random() < CHANGE_AT_SESSION_END_SHARE
            at = middle_size - 2 if at_end else rng.randrange(middle_size - 2)
            middle[at : at + 2] = [(view, True), (submit, True)]
        return prelude + middle + epilogue

    def user_day_events(
        self, user: User, count: int, day: int, day_start_s: int
    ) -> Iterator[tuple[int, str, str]]:
        """Yield (ts in seconds, line up to ts, line after ts) for one user's day."""
        rng = self.rng
        cancels = user.cancel_day is not None and user.cancel_day <= day and count >= 2
        mean_size = max(MEAN_SESSION_EVENTS, count / 5)
        pause_share = MEAN_SESSION_GAP_S / mean_size  # pause time per event, on average
        # Start so that the day's sessions and pauses, about natural_s long, end by midnight.
        natural_s = count * (EVENT_GAP_ESTIMATE_S + pause_share)
        latest_start_s = max(0.0, SECONDS_PER_DAY - min(natural_s, 0.85 * SECONDS_PER_DAY))
        t = day_start_s + int(rng.random() * latest_start_s)
        day_last_s = day_start_s + SECONDS_PER_DAY - 1
        remaining = count
        songs, off_catalogue = self.songs, self.off_catalogue
        popular_bound, off_bound = len(songs), len(off_catalogue)
        match_share = self.match_share
        random = rng.random
        while remaining:
            size = min(remaining, 1 + int(rng.expovariate(1 / (mean_size - 1))))
            if cancels and remaining - size < 2:
                size = remaining  # the last session ends with the cancellation
            session_id = self.next_session_id
            self.next_session_id += 1
            plan = self.plan_session(user, size, day, cancels and size == remaining)
            last_item = len(plan) - 1
            for item, (page, logged_in) in enumerate(plan):
                page_piece, status_piece = PAGE_PIECES[page]
                if page == NEXT_SONG:
                    if random() < match_share:
                        # Skewed popularity: the head of the catalogue is played most.
                        song = songs[int(popular_bound * random() ** 2)]
                    else:
                        song = off_catalogue[int(off_bound * random())]
                    artist, title, length = song.artist_json, song.title_json, song.duration_json
                    gap = song.seconds
                else:
                    artist = title = length = "null"
                    gap = 1 + int(random() * MAX_PAGE_GAP_S)
                who = user.persona if logged_in else LOGGED_OUT
                head = (
                    f'{{"artist":{artist}{who.auth_to_item}{item}{who.last_name_to_length}'
                    f'{length},"level":"{user.level}{who.location_to_method}{page_piece}'
                    f'{who.registration_to_session}{session_id},"song":{title}{status_piece}'
                )
                tail = who.tail
                yield t, head, tail
                if page in STATE_CHANGING_PAGES:
                    if page == "Submit Upgrade":
                        user.level = "paid"
                    elif page == "Submit Downgrade":
                        user.level = "free"
                    else:
                        user.cancelled = True
                remaining -= 1
                if not remaining:
                    return
                # Each remaining event keeps at least one second before midnight, and a
                # user too busy for the time left has every gap shortened alike: an event's
                # gap gets at most a fair share of the room, a pause only the room to spare.
                room = day_last_s - t
                need = remaining * (EVENT_GAP_ESTIMATE_S + pause_share)
                limit = room // remaining
                gap_s = gap
                if item == last_item:
                    gap_s += rng.expovariate(1 / MEAN_SESSION_GAP_S)
                    limit = max(limit, int(room - need))
                step = int(gap_s * room / need) if need > room else int(gap_s)
                if step > limit:
                    # Somewhere in the room rather than all at its edge (midnight).
                    step = 1 + int(random() * limit)
                t += step if step > 0 else 1

    def write_day(
        self,
        path: Path,
        allocation: list[tuple[User, int]],
        day: int,
        day_start_s: int,
        on_flush: Callable[[int], None],
    ) -> int:
        """Merge the users' events in time order into one file; return the event count."""
        rng = self.rng
        heap: list[tuple[int, int, str, str, Iterator[tuple[int, str, str]]]] = []
        for user, count in allocation:
            events = self.user_day_events(user, count, day, day_start_s)
            t, head, tail = next(events)
            heap.append((t, user.index, head, tail, events))
        heapq.heapify(heap)
        last_emitted_s = {user.index: -1 for user, _ in allocation}
        suffix = self.offset_suffix
        written = 0
        previous_t, previous_user, previous_shared = -1, -1, False
        lines: list[str] = []
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", encoding="ascii", newline="", buffering=1 << 20) as out:
            while heap:
                t, user_index, head, tail, events = heap[0]
                if (
                    t - previous_t <= DUPLICATE_TS_WINDOW_S
                    and t != previous_t
                    and not previous_shared
                    and user_index != previous_user
                    and previous_t > last_emitted_s[user_index]
                    and rng.random() < DUPLICATE_TS_SHARE
                ):
                    # Moved back onto the previous event's ts, never onto or before this
                    # user's own previous event: the file and each user stay in order.
                    t = previous_t
                previous_shared = t == previous_t
                last_emitted_s[user_index] = t
                lines.append(f"{head}{t}{suffix}{tail}")
                previous_t, previous_user = t, user_index
                step = next(events, None)
                if step is None:
                    heapq.heappop(heap)
                else:
                    heapq.heapreplace(heap, (step[0], user_index, step[1], step[2], events))
                if len(lines) >= FLUSH_LINES:
                    # The real files have no newline after their last line.
                    out.write(("\n" if written else "") + "\n".join(lines))
                    written += len(lines)
                    lines.clear()
                    on_flush(written)
            if lines:
                out.write(("\n" if written else "") + "\n".join(lines))
                written += len(lines)
        return written


# --- The whole dataset -------------------------------------------------------------


def validate_options(options: GenerationOptions) -> None:
    users = options.user_count()
    if options.events < 1:
        raise GenerationError("--events must be at least 1")
    if users < 1:
        raise GenerationError("--users must be at least 1")
    if not 1 <= options.songs <= MAX_SONGS:
        raise GenerationError(f"--songs must be between 1 and {MAX_SONGS:,}")
    if not 1 <= options.days <= MAX_DAYS:
        raise GenerationError(f"--days must be between 1 and {MAX_DAYS:,}")
    if not 0.0 <= options.match_share <= 1.0:
        raise GenerationError("--match-share must be between 0 and 1")
    # Registrations go back 200 days and ts is written as seconds then a millisecond
    # suffix, which only works for times after 1970.
    if options.start_date < MIN_START_DATE:
        raise GenerationError(f"--start-date must be {MIN_START_DATE} or later")
    if options.start_date.toordinal() + options.days > date.max.toordinal():
        raise GenerationError("--start-date plus --days goes past the year 9999")
    if options.events > users * options.days * MAX_AVG_EVENTS_PER_USER_DAY:
        needed = math.ceil(options.events / (options.days * MAX_AVG_EVENTS_PER_USER_DAY))
        raise GenerationError(
            f"{options.events:,} events need at least {needed:,} users over {options.days} "
            f"days (at most {MAX_AVG_EVENTS_PER_USER_DAY:,} events per user per day)"
        )


def prepare_output_dir(out_dir: Path, force: bool) -> None:
    """Refuse a non-empty directory unless forced; then remove only what we write."""
    if out_dir.exists() and not out_dir.is_dir():
        raise GenerationError(f"{out_dir} exists and is not a directory")
    if out_dir.is_dir() and any(out_dir.iterdir()):
        if not force:
            raise GenerationError(
                f"{out_dir} is not empty; use --force to replace its song_data/ and log_data/"
            )
        for name in GENERATED_DIRS:
            target = out_dir / name
            if target.is_symlink() or target.is_file():
                target.unlink()
            elif target.is_dir():
                shutil.rmtree(target)
    out_dir.mkdir(parents=True, exist_ok=True)


def write_song_files(out_dir: Path, catalogue: Catalogue) -> int:
    made_dirs: set[Path] = set()
    for track_id, record in zip(catalogue.track_ids, catalogue.records, strict=True):
        folder = out_dir / "song_data" / track_id[2] / track_id[3] / track_id[4]
        if folder not in made_dirs:
            folder.mkdir(parents=True, exist_ok=True)
            made_dirs.add(folder)
        # json.dumps defaults give the real files' style: ", " and ": ", ASCII only,
        # and no newline at the end.
        (folder / f"{track_id}.json").write_text(json.dumps(record), encoding="ascii")
    return len(catalogue.records)


def generate_dataset(
    options: GenerationOptions, on_progress: Callable[[Progress], None] | None = None
) -> GenerationSummary:
    """Write song_data/ and log_data/ under options.out_dir; same options, same bytes."""
    started = time.perf_counter()
    validate_options(options)
    prepare_output_dir(options.out_dir, options.force)
    rng = Random(options.seed)
    offset_ms = rng.randrange(1_000)
    start = datetime(
        options.start_date.year, options.start_date.month, options.start_date.day, tzinfo=UTC
    )
    catalogue = build_catalogue(rng, options.songs)
    song_files = write_song_files(options.out_dir, catalogue)
    users = build_users(rng, options.user_count(), options.days, start, offset_ms)
    writer = EventWriter(rng, catalogue, options.match_share, offset_ms)
    quotas = events_per_day(rng, options.events, options.days, options.start_date)
    written = 0
    log_files = 0
    for day, quota in enumerate(quotas):
        if not quota:
            continue
        day_date = options.start_date + timedelta(days=day)
        path = (
            options.out_dir
            / "log_data"
            / f"{day_date:%Y}"
            / f"{day_date:%m}"
            / f"{day_date:%Y-%m-%d}-events.json"
        )
        allocation = events_per_user(rng, users, day, quota)
        day_start_s = int(start.timestamp()) + day * SECONDS_PER_DAY

        def report(done_today: int, day: int = day, done_before: int = written) -> None:
            if on_progress is not None:
                done = done_before + done_today
                on_progress(Progress(day + 1, options.days, done, options.events))

        written_today = writer.write_day(path, allocation, day, day_start_s, report)
        report(written_today)
        written += written_today
        log_files += 1
    return GenerationSummary(
        out_dir=options.out_dir,
        log_files=log_files,
        song_files=song_files,
        events=written,
        songs=len(catalogue.records),
        artists=catalogue.artists,
        users=len(users),
        seconds=time.perf_counter() - started,
    )
