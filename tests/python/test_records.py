"""Parsing and the source contract: pure functions, no database."""

from __future__ import annotations

import json
import re

import pytest

from sparkify.loader.contract import LOG_EVENT, SONG, Contract
from sparkify.loader.records import (
    REFUSED_BY_POSTGRES,
    Blank,
    Record,
    Reject,
    parse_document,
    parse_lines,
    reason_kind,
)

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


# --- the fast check never vouches for a record the exact check would refuse -------------

# JSON texts that the two decoders may read differently, put in every field of a real
# event (and in a field the contract does not know): numbers at and past every limit,
# escapes, types, nesting.
TRICKY_VALUES = (
    "0",
    "-0",
    "0.0",
    "-0.0",
    "1e-400",
    "1e-16384",
    "1e-20000",
    "4.9e-324",
    "2.5e-324",
    "1e308",
    "1.7976931348623157e308",
    "1.8e308",
    # integers past a double's largest value, where msgspec rounds and json does not
    str(2**1024 - 2**970 - 1),
    str(int(1.7976931348623157e308) + 1),
    "-" + str(2**1024 - 2**970 - 1),
    str(2**1024),
    "1e400",
    "1e131072",
    "-1e131072",
    "9223372036854775807",
    "9223372036854775808",
    "-9223372036854775808",
    "-9223372036854775809",
    "18446744073709551616",
    "1" * 40,
    "0." + "0" * 400 + "1",
    "1." + "1" * 6400 + "e-9999",
    "1.5e-16383",
    "1e-0016384",
    "1E-20000",
    "1.0",
    "1E3",
    "1e3",
    "-1",
    "12.5",
    "true",
    "false",
    "null",
    '""',
    '"x"',
    '"39"',
    '"\\u0000"',
    '"\\ud800"',
    '"\\udc00x"',
    '"\\ud83d\\ude00"',
    '"\\\\u0000"',
    '"a\\tb"',
    "[]",
    "[1]",
    "{}",
    '{"a": 1e-400}',
    "NaN",
    "Infinity",
    "-Infinity",
    "01",
    "1.",
    ".5",
    "+1",
    "0x10",
    '"\\x41"',
    "'x'",
)


def exact_and_fast_agree(raw: bytes, contract: object) -> None:
    from sparkify.loader.records import parse_json_text, parse_json_text_exactly

    fast, exact = parse_json_text(raw, 1, contract), parse_json_text_exactly(raw, 1, contract)
    assert fast == exact, raw[:200]


@pytest.mark.parametrize("value", TRICKY_VALUES)
def test_the_fast_check_agrees_with_the_exact_one(value: str) -> None:
    template = event().decode()
    for name in [*GOOD_EVENT, "unknownField"]:
        if name in GOOD_EVENT:
            old = json.dumps({name: GOOD_EVENT[name]})[1:-1]
            text = template.replace(old, f'"{name}": {value}', 1)
        else:
            text = template[:-1] + f', "{name}": {value}}}'
        exact_and_fast_agree(text.encode(), LOG_EVENT)
        # the same value twice (json keeps the last), and first of two
        exact_and_fast_agree((text[:-1] + f', "{name}": 1}}').encode(), LOG_EVENT)
    exact_and_fast_agree(f'{{"song_id": "S", "duration": {value}}}'.encode(), SONG)


def test_the_fast_check_agrees_on_cut_and_doubled_records() -> None:
    line = event(length=12.5, registration=1.540344794796e12)
    for end in range(len(line) + 1):
        exact_and_fast_agree(line[:end], LOG_EVENT)
        exact_and_fast_agree(line[:end] + line, LOG_EVENT)
    exact_and_fast_agree(b" \t" + line + b" ", LOG_EVENT)
    exact_and_fast_agree(line.replace(b"Ada", "Ad\u00e9".encode()), LOG_EVENT)
    exact_and_fast_agree(line.replace(b"Ada", b"Ad\xe9"), LOG_EVENT)  # not UTF-8
    exact_and_fast_agree(line.replace(b"Ada", b"Ad\xed\xa0\x80"), LOG_EVENT)  # UTF-8 surrogate


def test_the_fast_check_agrees_on_random_damage() -> None:
    """Seeded random edits of a real record: bytes replaced, inserted and dropped."""
    import random

    rng = random.Random(20261206)
    line = event(length=12.5, registration=1.540344794796e12)
    alphabet = b'{}[]":,.-+eE0123456789\\u tnfalsrx\x00\xff\xc3\xa9'
    for _ in range(5000):
        damaged = bytearray(line)
        for _ in range(rng.randint(1, 4)):
            at = rng.randrange(len(damaged))
            action = rng.randrange(3)
            if action == 0:
                damaged[at] = rng.choice(alphabet)
            elif action == 1:
                damaged.insert(at, rng.choice(alphabet))
            else:
                del damaged[at]
        exact_and_fast_agree(bytes(damaged), LOG_EVENT)


# --- a reject's kind holds no value of the record -----------------------------------------

MARKER = "Zebulon Quixote"  # a value no message holds unless it quotes the record
OUT_OF_RANGE = "invalid JSON: number N is out of range"

# Every field of both contracts, with each wrongly typed value that can carry text.
MARKED_VALUES = (MARKER, [MARKER], {"name": MARKER}, [[MARKER], 1], {"a": {"b": [MARKER]}})
GOOD_SONG = {"song_id": "SO1", "title": "t", "duration": 1.5, "year": 2000}
MARKED_FIELDS = [
    pytest.param(contract, good, field.name, value, id=f"{field.name}={json.dumps(value)}")
    for contract, good in ((LOG_EVENT, GOOD_EVENT), (SONG, GOOD_SONG))
    for field in contract.fields
    for value in MARKED_VALUES
    if not (isinstance(value, str) and field.kind.value == "string")  # what the field wants
]


@pytest.mark.parametrize(("contract", "good", "name", "value"), MARKED_FIELDS)
def test_the_kind_of_a_wrong_type_drops_the_value_the_reason_quotes(
    contract: Contract, good: dict, name: str, value: object
) -> None:
    parsed = parse_document(json.dumps({**good, name: value}).encode(), contract)
    assert isinstance(parsed, Reject)
    assert MARKER in parsed.reason
    kind = reason_kind(parsed.reason)
    assert "Zebulon" not in kind and "Quixote" not in kind
    assert re.fullmatch(
        rf"{name}: expected (string|integer|number), got (string|array|object)", kind
    )


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        # numbers out of range, the contract's and jsonb's
        (event(status=9223372036854775808123), "status: integer N does not fit in 64 bits"),
        (event(ts=-9223372036854775809), "ts: integer N does not fit in 64 bits"),
        (event().replace(b'"length": null', b'"length": 7e400'),
         "length: number N is out of range"),
        (event().replace(b'"length": null', b'"length": -7e400'),
         "length: number N is out of range"),
        (event(userId=12345678987654321), "userId: expected string, got number"),
        (event(sessionId=True), "sessionId: expected integer, got boolean"),
        (event(ts=1.5e300), "ts: expected integer, got number"),
        (event(level=None), "level: expected string, got null"),
        (event(ts=...), "ts: required field is missing"),
        (b'{"ts": 1, "page": "x", "k": 1e999999}', f"{OUT_OF_RANGE} for Postgres"),
        (b'{"ts": 1, "page": "x", "k": -1.5e-99999}', f"{OUT_OF_RANGE} for Postgres"),
        (b'{"ts": 1, "page": "x", "k": ' + b"7" * 5000 + b"}",
         "invalid JSON: Exceeds the limit (4300 digits) for integer string conversion"),
        # invalid JSON and UTF-8, at a position
        (b'{"ts": 1, "page": "Zebulon Quixote", oops}',
         "invalid JSON: Expecting property name enclosed in double quotes"),
        (b'{"ts": 1 "page": "Zebulon Quixote"}', "invalid JSON: Expecting ',' delimiter"),
        (b'{"ts" 1, "page": "Zebulon Quixote"}', "invalid JSON: Expecting ':' delimiter"),
        (b'{"ts": 1, "page": "Zebulon Quixote', "invalid JSON: Unterminated string starting at"),
        (b'{"ts": 1, "page": "Zebulon\\q Quixote"}', "invalid JSON: Invalid \\escape"),
        (b'{"ts": 1, "page": "Zebulon\x01Quixote"}', "invalid JSON: Invalid control character at"),
        (b'{"ts": 1, "page": "Zebulon Quixote"} {"ts": 2}', "invalid JSON: Extra data"),
        (b'{"ts": NaN, "page": "Zebulon Quixote"}', "invalid JSON: NaN is not valid JSON"),
        (b'{"ts": 1, "page": "Zebul\xf6n Quixote"}', "not valid UTF-8"),
        (b'["Zebulon Quixote"]', "expected a JSON object, got array"),
        (b'"Zebulon Quixote"', "expected a JSON object, got string"),
        # strings jsonb cannot store: a contract field is named, a key of the record is not
        (b'{"ts": 1, "page": "Zebulon\\u0000Quixote"}',
         "page: \\u0000 or a lone surrogate, which jsonb cannot store"),
        (b'{"ts": 1, "page": "x", "Zebulon Quixote": "\\u0000"}',
         "a field outside the contract: \\u0000 or a lone surrogate, which jsonb cannot store"),
        (b'{"ts": 1, "page": "x", "extra": {"Zebulon Quixote": ["\\ud800"]}}',
         "a field outside the contract: \\u0000 or a lone surrogate, which jsonb cannot store"),
        (b'{"ts": 1, "page": "x", "Zebulon\\u0000Quixote": 1}',
         "a field outside the contract: \\u0000 or a lone surrogate, which jsonb cannot store"),
    ],
)  # fmt: skip
def test_the_kind_of_every_reason_names_the_problem_and_no_value(line: bytes, kind: str) -> None:
    found = reason(line)
    assert reason_kind(found) == kind
    assert reason_kind(kind) == kind  # a kind is its own kind
    # No number but those of the fixed words: no value, no position.
    assert not re.search(r"\d", re.sub(r"64 bits|4300 digits|UTF-8|u0000", "", kind)), kind
    for word in ("Zebulon", "Quixote", "Zebul"):
        assert word not in kind


@pytest.mark.parametrize(
    ("message", "kind"),
    [
        ("string too long to represent as jsonb string",
         "string too long to represent as jsonb string"),
        ('invalid input syntax for type json: "Zebulon Quixote"',
         "invalid input syntax for type json"),
        ('invalid input syntax for type integer: "Zebulon Quixote"',
         "invalid input syntax for type integer"),
        ('invalid byte sequence for encoding "UTF8": 0x00', "invalid byte sequence for encoding"),
        ("value too long for type character varying(10)",
         "value too long for type character varying(N)"),
        ("total size of jsonb array elements exceeds the maximum of 268435455 bytes",
         "total size of jsonb array elements exceeds the maximum of N bytes"),
        ("character with byte sequence 0xe2 0x80 0x99 in encoding \"UTF8\" has no equivalent",
         "character with byte sequence N N N in encoding"),
        ('"Zebulon Quixote" is not allowed', ""),
        ("ProgramLimitExceeded", "ProgramLimitExceeded"),
    ],
)  # fmt: skip
def test_the_kind_of_a_refusal_keeps_the_servers_words_before_any_value(
    message: str, kind: str
) -> None:
    refused = f"{REFUSED_BY_POSTGRES}{message}"
    expected = f"{REFUSED_BY_POSTGRES}{kind}" if kind else "Postgres refused the record"
    assert reason_kind(refused) == expected
    assert reason_kind(expected) == expected
    assert "Zebulon" not in expected and "Quixote" not in expected


def test_kinds_count_the_rejects_of_one_problem_together() -> None:
    reasons = [reason(event(userId=n)) for n in (1, 39, 123456)]
    assert len(set(reasons)) == 3
    assert {reason_kind(r) for r in reasons} == {"userId: expected string, got number"}
