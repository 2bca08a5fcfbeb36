"""A deterministic, streaming generator of synthetic Sparkify data.

It writes the layout of the real Udacity Sparkify data with its quirks (see
data/README.md): one MSD-style JSON song per file under song_data/, and one
JSON Lines file of eventsim-style events per day under log_data/. Unlike the real
data, most NextSong events name a song of the generated catalogue exactly, so that
the dbt song/artist lookups have something to find.

One module per job:
    options    what a run is asked for (defaults, limits, validation) and its summary
    reference  pages, word lists, places and user agents (data only)
    encoding   double mojibake and eventsim's JSON string style
    names      invented people, artist names and song titles
    catalogue  artists, the song_data records and the songs the logs may name
    users      the users, pre-encoded for the log lines, with their level plans
    schedule   how many events each day, and each user on a day, gets
    events     the sessions of a user's day, merged into a time-ordered stream
    writer     the output folder, the song files and the daily log files
    dataset    generate_dataset: all of the above, in a fixed order
"""

from sparkify.generate.dataset import generate_dataset
from sparkify.generate.encoding import double_mojibake, repair_double_mojibake
from sparkify.generate.options import (
    AUTO_EVENTS_PER_USER_DAY,
    DEFAULT_DAYS,
    DEFAULT_EVENTS,
    DEFAULT_MATCH_SHARE,
    DEFAULT_SEED,
    DEFAULT_SONGS,
    DEFAULT_START_DATE,
    MIN_AUTO_USERS,
    GenerationOptions,
    GenerationSummary,
    Progress,
)

__all__ = [
    "AUTO_EVENTS_PER_USER_DAY",
    "DEFAULT_DAYS",
    "DEFAULT_EVENTS",
    "DEFAULT_MATCH_SHARE",
    "DEFAULT_SEED",
    "DEFAULT_SONGS",
    "DEFAULT_START_DATE",
    "MIN_AUTO_USERS",
    "GenerationOptions",
    "GenerationSummary",
    "Progress",
    "double_mojibake",
    "generate_dataset",
    "repair_double_mojibake",
]
