"""How the real logs encode text: double mojibake, and eventsim's JSON string style."""

from __future__ import annotations

import json


def recode_twice(text: str, read_as: str, written_as: str) -> str:
    """Encode text as `written_as` and decode the bytes as `read_as`, twice."""
    for _ in range(2):
        text = text.encode(written_as).decode(read_as)
    return text


def double_mojibake(text: str) -> str:
    """Garble text as the real logs do: UTF-8 bytes read as Latin-1, twice."""
    return recode_twice(text, read_as="latin-1", written_as="utf-8")


def repair_double_mojibake(text: str) -> str:
    """Undo double_mojibake (the repair the dbt staging model applies)."""
    return recode_twice(text, read_as="utf-8", written_as="latin-1")


def json_string_like_eventsim(value: str | None) -> str:
    """A JSON value as the real logs write it: ASCII only, with "/" escaped as "\\/"."""
    if value is None:
        return "null"
    # Outside strings JSON has no "/", so replacing it everywhere is safe.
    return json.dumps(value).replace("/", "\\/")
