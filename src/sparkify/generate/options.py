"""What a generation run is asked for (options, defaults, limits) and what it reports back."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from pathlib import Path

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
# Past this a user would have to act every few seconds all day long.
MAX_AVG_EVENTS_PER_USER_DAY = 2_000
MAX_SONGS = 1_000_000
MAX_DAYS = 3_660


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


def validate_options(options: GenerationOptions) -> None:
    """Raise GenerationError, naming the option, for a dataset that cannot be made."""
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
