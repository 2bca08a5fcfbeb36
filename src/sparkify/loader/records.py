"""Parse and validate raw records: pure functions from bytes to a Record or a Reject.

A record is accepted only when PostgreSQL's jsonb will take its text unchanged, so
that the loader can stream the original bytes and never re-serialise them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from sparkify.loader.contract import CONTRACTS, Contract, json_type_name

UTF8_BOM = b"\xef\xbb\xbf"

# jsonb stores numbers as numeric: at most 131072 digits before the point and
# 16383 after. Python's float() would silently turn such literals into inf or 0.
NUMERIC_MAX_ADJUSTED_EXPONENT = 131071
NUMERIC_MAX_SCALE = 16383

# Texts that Python's json accepts but jsonb refuses: \u0000 and lone UTF-16
# surrogates. Only lines matching this cheap byte pattern get the full check.
_SUSPECT_ESCAPE = re.compile(rb"\\u(?:0000|[dD][89a-fA-F])")
_UNSTORABLE_CHAR = re.compile("[\x00\ud800-\udfff]")

# The reasons' fixed words that reason_kind must recognise.
REFUSED_BY_POSTGRES = "Postgres refused the record: "  # + the server's message
UNSTORABLE = ": \\u0000 or a lone surrogate, which jsonb cannot store"  # after a field's path
INVALID_JSON = "invalid JSON: "


@dataclass(frozen=True, slots=True)
class Record:
    line: int  # 1-based line where the record starts
    text: bytes  # the JSON exactly as in the file, without BOM or line ending


@dataclass(frozen=True, slots=True)
class Reject:
    line: int
    reason: str
    raw: bytes  # the bytes as they were in the file


@dataclass(frozen=True, slots=True)
class Blank:
    line: int


Parsed = Record | Reject | Blank


class _NotStorable(ValueError):
    """A JSON value that parses but that jsonb cannot hold."""


def _parse_constant(name: str) -> Any:
    raise _NotStorable(f"{name} is not valid JSON")


def _parse_float(literal: str) -> float:
    # Only long or exponent literals can fall outside numeric's range.
    if len(literal) > 20 or "e" in literal or "E" in literal:
        try:
            number = Decimal(literal)
        except InvalidOperation:
            raise _NotStorable(f"number {literal[:30]} is not valid") from None
        exponent = number.as_tuple().exponent
        assert isinstance(exponent, int)  # finite: JSON has no inf/nan literals
        if number and (
            number.adjusted() > NUMERIC_MAX_ADJUSTED_EXPONENT or -exponent > NUMERIC_MAX_SCALE
        ):
            raise _NotStorable(f"number {literal[:30]} is out of range for Postgres")
    return float(literal)


_decoder = json.JSONDecoder(parse_float=_parse_float, parse_constant=_parse_constant)


# What the fast check cannot see, sent straight to the exact one: a number with more
# digits after the point than Postgres's numeric holds (16,383) is either longer than
# this, or has a negative exponent of four digits or more (json and Postgres refuse it;
# msgspec reads it as 0.0, and a later duplicate of its key would hide even that).
FAST_CHECK_MAX_BYTES = 8192
# Two patterns with a literal start: Python's re then searches for "e-" as a string.
_LONG_NEGATIVE_EXPONENT = re.compile(rb"e-\d{4}")
_LONG_NEGATIVE_EXPONENT_UPPER = re.compile(rb"E-\d{4}")
# An integer of 309 digits or more can pass a double's largest value, where msgspec
# rounds (to 1.797...e308) and the exact check refuses: the exact check decides.
_DOUBLE_SIZED_INTEGER = re.compile(rb"\d{309}")


def parse_json_text(raw: bytes, line: int, contract: Contract) -> Record | Reject:
    """Decode one record's bytes and check it; ``raw`` has no BOM or line ending.

    Nearly every record is valid: the contract's fast check accepts those (in C); any
    record it does not vouch for is decoded and checked exactly, which names the problem.
    """
    if (
        len(raw) <= FAST_CHECK_MAX_BYTES
        and contract.certainly_kept(raw)
        and not (b"\\u" in raw and _SUSPECT_ESCAPE.search(raw))
        and _LONG_NEGATIVE_EXPONENT.search(raw) is None
        and _LONG_NEGATIVE_EXPONENT_UPPER.search(raw) is None
        and _DOUBLE_SIZED_INTEGER.search(raw) is None
    ):
        return Record(line, raw)
    return parse_json_text_exactly(raw, line, contract)


def parse_json_text_exactly(raw: bytes, line: int, contract: Contract) -> Record | Reject:
    """parse_json_text without the fast check: Python's json, the numeric range of every
    number, the contract, and the strings jsonb cannot store."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return Reject(line, f"not valid UTF-8 (byte {exc.start + 1} of the record)", raw)
    try:
        value = _decoder.decode(text)
    except _NotStorable as exc:
        return Reject(line, f"invalid JSON: {exc}", raw)
    except json.JSONDecodeError as exc:
        return Reject(line, f"invalid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})", raw)
    except ValueError as exc:  # e.g. an integer longer than Python's digit limit
        return Reject(line, f"invalid JSON: {str(exc).split(';')[0]}", raw)
    except RecursionError:
        return Reject(line, "invalid JSON: nested too deeply", raw)
    if type(value) is not dict:
        return Reject(line, f"expected a JSON object, got {json_type_name(value)}", raw)
    problem = contract.violation(value)
    if problem is None and _SUSPECT_ESCAPE.search(raw):
        problem = _unstorable_string(value)
    if problem is not None:
        return Reject(line, problem, raw)
    return Record(line, raw)


# What reason_kind takes out of a reason: the value after "got <type>" (contract.py's
# _shown quotes up to 40 characters of it), a number out of range, the position of a
# JSON or UTF-8 error, whatever Postgres's message quotes or shows after a colon, and
# the path of a field outside the contract (its keys are the record's own text).
_GOT_VALUE = re.compile(r"(got (?:null|boolean|integer|number|string|array|object)) .*$", re.S)
_POSITION = re.compile(r" \((?:line \d+, column \d+|byte \d+ of the record)\)$")
_NUMBER = re.compile(r"\b(number|integer) (?:-?\d\S*|-?inf\b|nan\b)")
_SERVER_VALUE = re.compile(r"[\"':].*$", re.S)
_SERVER_NUMBER = re.compile(r"\b(?:0x[0-9a-fA-F]+|\d+)\b")
_CONTRACT_FIELDS = frozenset(f.name for contract in CONTRACTS.values() for f in contract.fields)
OUTSIDE_CONTRACT = "a field outside the contract"


def reason_kind(reason: str) -> str:
    """A reject's reason without any value, position or key of the record it names, so
    that the rejects of one problem count together and the kind can be shown to those
    who may not read the record: ``userId: expected string, got number 39`` is
    ``userId: expected string, got number``; ``Postgres refused the record: invalid
    input syntax for type json: "x"`` is ``Postgres refused the record: invalid input
    syntax for type json``. Idempotent: the kind of a kind is itself.
    """
    if reason.startswith(REFUSED_BY_POSTGRES):
        # The server's own words, up to the first quote or colon (after them come the
        # values it shows), with numbers (sizes, byte codes) made N.
        message = _SERVER_VALUE.sub("", reason.removeprefix(REFUSED_BY_POSTGRES))
        message = _SERVER_NUMBER.sub("N", message).strip()
        return REFUSED_BY_POSTGRES + message if message else REFUSED_BY_POSTGRES.rstrip(": ")
    if reason.endswith(UNSTORABLE) and reason.removesuffix(UNSTORABLE) not in _CONTRACT_FIELDS:
        return OUTSIDE_CONTRACT + UNSTORABLE
    kind = _NUMBER.sub(r"\1 N", _POSITION.sub("", _GOT_VALUE.sub(r"\1", reason)))
    if kind.startswith(INVALID_JSON):
        # Python's own words; after a colon comes a count ("value has 5000 digits").
        kind = INVALID_JSON + kind.removeprefix(INVALID_JSON).split(": ", 1)[0]
    # No form above keeps a double quote: anything from one on would be a value.
    return kind.split('"', 1)[0].rstrip()


def _unstorable_string(value: Any, path: str = "") -> str | None:
    """Name the first string Postgres cannot store (NUL, lone surrogate), if any."""
    if isinstance(value, str):
        if _UNSTORABLE_CHAR.search(value):
            return f"{path or 'value'}{UNSTORABLE}"
        return None
    if isinstance(value, dict):
        for key, item in value.items():
            where = f"{path}.{key}" if path else key
            problem = _unstorable_string(key, where) or _unstorable_string(item, where)
            if problem:
                return problem
    elif isinstance(value, list):
        for index, item in enumerate(value):
            problem = _unstorable_string(item, f"{path}[{index}]")
            if problem:
                return problem
    return None


def parse_lines(lines: Iterable[bytes], contract: Contract) -> Iterator[Parsed]:
    """JSON Lines: one record per line; blank lines are reported, never rejected.

    Lines are split on b"\\n" only; a trailing "\\r" (CRLF) and a BOM at the start of
    the file are dropped; a last line without a newline is still a line.
    """
    for number, line in enumerate(lines, start=1):
        body = line[:-1] if line.endswith(b"\n") else line
        if body.endswith(b"\r"):
            body = body[:-1]
        if number == 1 and body.startswith(UTF8_BOM):
            body = body[len(UTF8_BOM) :]
        if not body.strip():
            yield Blank(number)
            continue
        yield parse_json_text(body, number, contract)


def parse_document(content: bytes, contract: Contract) -> Parsed:
    """A whole file holding exactly one record (pretty-printing allowed)."""
    body = content[len(UTF8_BOM) :] if content.startswith(UTF8_BOM) else content
    stripped = body.lstrip()
    if not stripped:
        return Blank(1)
    first_line = 1 + body[: len(body) - len(stripped)].count(b"\n")
    parsed = parse_json_text(body, first_line, contract)
    if isinstance(parsed, Record):
        # The record keeps its exact bytes; only the outer whitespace goes.
        return Record(parsed.line, body.strip())
    return Reject(parsed.line, parsed.reason, content)
