"""The source contract: the JSON type of every known field, declared once for both sources.

Types follow what the real data gives each field. Values are never coerced between
strings and numbers: ``userId`` is a string ("" when logged out), so ``"userId": 39``
breaks the contract, and so does ``"ts": "1541105830796"``. Unknown extra fields are
allowed and kept. Business rules (a negative length, say) are left to dbt tests.
"""

from __future__ import annotations

import functools
import json
import math
from dataclasses import dataclass
from enum import Enum
from typing import Any

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
FLOAT_MAX = 1.7976931348623157e308


class Kind(Enum):
    STRING = "string"
    INTEGER = "integer"  # whole number written as a JSON integer, fits in 64 bits
    FLOAT = "number"  # any finite JSON number that fits a double; integers accepted


@dataclass(frozen=True)
class Field:
    name: str
    kind: Kind
    nullable: bool = False  # null allowed where the real data has nulls
    required: bool = False  # missing and null both break a required field


class _Missing:
    """Stands for a field absent from the record."""


_MISSING = _Missing()


@dataclass(frozen=True)
class Contract:
    source: str
    fields: tuple[Field, ...]

    def violation(self, record: dict[str, Any]) -> str | None:
        """The first way the record breaks the contract, as one human line; None if none."""
        # Nearly every record is valid: a quick pass over types, and the full
        # check (which builds the message) only when something looks wrong.
        for name, accepted in self._accepted_types:
            value = record.get(name, _MISSING)
            value_type = type(value)
            if value_type not in accepted:
                return self.describe_violation(record)
            if value_type is int and not INT64_MIN <= value <= INT64_MAX:
                return self.describe_violation(record)
            if value_type is float and value - value != 0.0:  # inf or nan
                return self.describe_violation(record)
        return None

    @functools.cached_property
    def _accepted_types(self) -> tuple[tuple[str, frozenset[type]], ...]:
        plan = []
        for field in self.fields:
            accepted = {str} if field.kind is Kind.STRING else {int}
            if field.kind is Kind.FLOAT:
                accepted.add(float)
            if field.nullable and not field.required:
                accepted.add(type(None))
            if not field.required:
                accepted.add(_Missing)
            plan.append((field.name, frozenset(accepted)))
        return tuple(plan)

    def describe_violation(self, record: dict[str, Any]) -> str | None:
        """The full check: the first broken field and how, as one line."""
        for field in self.fields:
            if field.name not in record:
                if field.required:
                    return f"{field.name}: required field is missing"
                continue
            value = record[field.name]
            if value is None:
                if field.required:
                    return f"{field.name}: required field is null"
                if not field.nullable:
                    return f"{field.name}: expected {field.kind.value}, got null"
                continue
            problem = _type_problem(field.kind, value)
            if problem:
                return f"{field.name}: {problem}"
        return None


def _type_problem(kind: Kind, value: Any) -> str | None:
    value_type = type(value)
    if kind is Kind.STRING:
        return None if value_type is str else _expected(kind, value)
    if kind is Kind.INTEGER:
        if value_type is not int:  # bool is a subclass of int, but never a number here
            return _expected(kind, value)
        if not INT64_MIN <= value <= INT64_MAX:
            return f"integer {value} does not fit in 64 bits"
        return None
    if value_type is float:
        return None if math.isfinite(value) else f"number {_shown(value)} is out of range"
    if value_type is int:
        return None if abs(value) <= FLOAT_MAX else f"number {value} is out of range"
    return _expected(kind, value)


def _expected(kind: Kind, value: Any) -> str:
    return f"expected {kind.value}, got {json_type_name(value)} {_shown(value)}"


def json_type_name(value: Any) -> str:
    """The JSON name of a parsed value's type, for error messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _shown(value: Any, limit: int = 40) -> str:
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, float) else repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


STRING, INTEGER, NUMBER = Kind.STRING, Kind.INTEGER, Kind.FLOAT

LOG_EVENT = Contract(
    source="log_data",
    fields=(
        Field("ts", INTEGER, required=True),
        Field("page", STRING, required=True),
        Field("artist", STRING, nullable=True),
        Field("auth", STRING),
        Field("firstName", STRING, nullable=True),
        Field("gender", STRING, nullable=True),
        Field("itemInSession", INTEGER),
        Field("lastName", STRING, nullable=True),
        Field("length", NUMBER, nullable=True),
        Field("level", STRING),
        Field("location", STRING, nullable=True),
        Field("method", STRING),
        Field("registration", NUMBER, nullable=True),
        Field("sessionId", INTEGER),
        Field("song", STRING, nullable=True),
        Field("status", INTEGER),
        Field("userAgent", STRING, nullable=True),
        Field("userId", STRING),
    ),
)

SONG = Contract(
    source="song_data",
    fields=(
        Field("song_id", STRING, required=True),
        Field("num_songs", INTEGER),
        Field("artist_id", STRING),
        Field("artist_latitude", NUMBER, nullable=True),
        Field("artist_longitude", NUMBER, nullable=True),
        Field("artist_location", STRING),
        Field("artist_name", STRING),
        Field("title", STRING),
        Field("duration", NUMBER),
        Field("year", INTEGER),
    ),
)

CONTRACTS = {contract.source: contract for contract in (LOG_EVENT, SONG)}
