"""Invented names: people (users, and artists named after a person), artists, song titles."""

from __future__ import annotations

from random import Random

from sparkify.errors import GenerationError
from sparkify.generate.reference import (
    ADJECTIVES,
    BAND_NOUNS,
    FIRST_NAMES_F,
    FIRST_NAMES_M,
    LAST_NAMES,
    NON_ASCII_ARTISTS,
    NON_ASCII_TITLES,
    TITLE_NOUNS,
    TITLES_WITH_EDGE_SPACES,
    VERBS,
)

NON_ASCII_ARTIST_SHARE = 0.08
# A title is non-ASCII below the first bound, has edge spaces below the second.
NON_ASCII_TITLE_BOUND = 0.05
EDGE_SPACES_TITLE_BOUND = 0.06
# Attempts at a new artist name; past the first few, a suffix makes long names.
ARTIST_NAME_ATTEMPTS = 50
SHORT_ARTIST_NAME_ATTEMPTS = 11


def random_person(rng: Random) -> tuple[str, str, str]:
    """(gender, first name, last name), the first name matching the gender."""
    gender = "F" if rng.random() < 0.5 else "M"
    first = rng.choice(FIRST_NAMES_F if gender == "F" else FIRST_NAMES_M)
    return gender, first, rng.choice(LAST_NAMES)


class NameMaker:
    """Invents artist names and song titles; artist names are unique."""

    def __init__(self, rng: Random) -> None:
        self.rng = rng
        self.artist_names: set[str] = set()
        self.unused_non_ascii_artists = list(NON_ASCII_ARTISTS)
        rng.shuffle(self.unused_non_ascii_artists)

    def person_name(self) -> str:
        _, first, last = random_person(self.rng)
        return f"{first} {last}"

    def artist_name(self) -> str:
        rng = self.rng
        if self.unused_non_ascii_artists and rng.random() < NON_ASCII_ARTIST_SHARE:
            name = self.unused_non_ascii_artists.pop()
            self.artist_names.add(name)
            return name
        for attempt in range(ARTIST_NAME_ATTEMPTS):
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
            if attempt >= SHORT_ARTIST_NAME_ATTEMPTS:
                # Big catalogues run out of short names.
                name = f"{name} {rng.choice(ADJECTIVES)} {rng.randrange(2, 99)}"
            if name not in self.artist_names:
                self.artist_names.add(name)
                return name
        raise GenerationError("could not invent enough distinct artist names")

    def title(self) -> str:
        rng = self.rng
        roll = rng.random()
        if roll < NON_ASCII_TITLE_BOUND:
            return rng.choice(NON_ASCII_TITLES)
        if roll < EDGE_SPACES_TITLE_BOUND:
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
