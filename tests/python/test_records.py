"""Parsing and the source contract: pure functions, no database."""

from __future__ import annotations

import json

import pytest

from sparkify.loader.contract import LOG_EVENT, SONG
from sparkify.loader.records import Blank, Record, Reject, parse_document, parse_lines

GOOD_EVENT = {
    "artist": None,
    "auth": "Logged In",
    "firstName": "Ada",
    "gender": "F",
    "itemInSession": 0,
    "lastName": "Byron",
    "length": None,
    "level": "free",
    "location": "Tampa-St. Petersburg-Clearwater, FL",
    "method": "GET",
    "page": "Home",
    "registration": 1540919166796.0,
    "sessionId": 38,
    "song": None,
    "status": 200,
    "ts": 1541105830796,
    "userAgent": '"Mozilla/5.0"',
    "userId": "39",
}


def event(**changes: object) -> bytes:
    record = {**GOOD_EVENT, **changes}
    return json.dumps({k: v for k, v in record.items() if v is not ...}).encode()


def parse_one(line: bytes) -> Record | Reject | Blank:
    (parsed,) = parse_lines([line], LOG_EVENT)
    return parsed


def reason(line: bytes) -> str:
    parsed = parse_one(line)
    assert isinstance(parsed, Reject), parsed
    return parsed.reason


def test_a_real_event_is_accepted_byte_for_byte() -> None:
    line = event()
    assert parse_one(line + b"\n") == Record(1, line)


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"ts": "1541105830796"}, 'ts: expected integer, got string "1541105830796"'),
        ({"userId": 39}, "userId: expected string, got number 39"),
        ({"ts": 1.5}, "ts: expected integer, got number 1.5"),
        ({"sessionId": True}, "sessionId: expected integer, got boolean true"),
        ({"status": 2**63}, f"status: integer {2**63} does not fit in 64 bits"),
        ({"ts": ...}, "ts: required field is missing"),
        ({"page": None}, "page: required field is null"),
        ({"level": None}, "level: expected string, got null"),
        ({"length": "12.5"}, 'length: expected number, got string "12.5"'),
        ({"itemInSession": [1]}, "itemInSession: expected integer, got array [1]"),
        ({"length": 10**400}, "length: number 1000000000"),
    ],
)
def test_contract_violations_name_the_field(changes: dict, expected: str) -> None:
    assert reason(event(**changes)).startswith(expected)


def test_a_float_too_large_for_a_double_is_rejected() -> None:
    line = event().replace(b'"length": null', b'"length": 1e400')
    assert reason(line) == "length: number inf is out of range"


def test_float_fields_accept_integers_and_nulls_where_the_real_data_has_them() -> None:
    assert isinstance(parse_one(event(length=200, registration=None, artist=None)), Record)


def test_unknown_fields_are_kept() -> None:
    line = event(extra={"nested": [1, 2]})
    assert parse_one(line) == Record(1, line)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (b'{"ts": NaN, "page": "Home"}', "invalid JSON: NaN is not valid JSON"),
        (b'{"ts": 1, "page": Infinity}', "invalid JSON: Infinity is not valid JSON"),
        (b'{"ts": 1, "page": "Ho', "invalid JSON: Unterminated string"),
        (b"[1, 2]", "expected a JSON object, got array"),
        (b'"just a string"', "expected a JSON object, got string"),
        (b'{"ts": 1, "page": "x"} {"ts": 2}', "invalid JSON: Extra data"),
        (b'{"ts": 1, "page": "a\\u0000b"}', "page: \\u0000 or a lone surrogate"),
        (b'{"ts": 1, "page": "x", "k": "\\ud800"}', "k: \\u0000 or a lone surrogate"),
        (b'{"ts": 1, "page": "x", "k": 1e999999}', "invalid JSON: number 1e999999 is out of range"),
        (b'{"ts": 1, "page": "caf\xe9"}', "not valid UTF-8 (byte 23 of the record)"),
    ],
)
def test_malformed_records_are_rejected_with_a_reason(line: bytes, expected: str) -> None:
    assert reason(line).startswith(expected)


def test_storable_escapes_are_not_flagged() -> None:
    # An escaped backslash before "u0000" is text, and a surrogate pair is one character.
    line = b'{"ts": 1, "page": "\\\\u0000 \\ud83d\\ude00"}'
    assert isinstance(parse_one(line), Record)


def test_line_endings_bom_and_blank_lines() -> None:
    lines = [
        b"\xef\xbb\xbf" + event(page="A") + b"\r\n",
        b"   \r\n",
        b"\n",
        event(page="B"),  # last line without a newline
    ]
    parsed = list(parse_lines(lines, LOG_EVENT))
    assert parsed == [Record(1, event(page="A")), Blank(2), Blank(3), Record(4, event(page="B"))]


def test_a_pretty_printed_song_file_is_one_record() -> None:
    song = {
        "num_songs": 1,
        "artist_id": "AR1",
        "artist_latitude": None,
        "artist_longitude": None,
        "artist_location": "",
        "artist_name": "Elena",
        "song_id": "SO1",
        "title": "Setanta matins",
        "duration": 269.58322,
        "year": 0,
    }
    content = b"\n\n" + json.dumps(song, indent=2).encode() + b"\n"
    parsed = parse_document(content, SONG)
    assert parsed == Record(3, content.strip())


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b'{"song_id": "A"}\n{"song_id": "B"}\n', "invalid JSON: Extra data"),
        (b'[{"song_id": "A"}]', "expected a JSON object, got array"),
        (b"42", "expected a JSON object, got number"),
        (b'{"title": "no id"}', "song_id: required field is missing"),
    ],
)
def test_a_song_file_that_is_not_one_object_is_one_reject(content: bytes, expected: str) -> None:
    parsed = parse_document(content, SONG)
    assert isinstance(parsed, Reject)
    assert parsed.reason.startswith(expected)
    assert parsed.raw == content


def test_an_empty_song_file_has_no_record() -> None:
    assert parse_document(b"\xef\xbb\xbf \n", SONG) == Blank(1)
