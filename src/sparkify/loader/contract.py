"""The source contract: the JSON type of every known field, declared once for both sources.

Types follow what the real data gives each field. Values are never coerced between
strings and numbers: ``userId`` is a string ("" when logged out), so ``"userId": 39``
breaks the contract, and so does ``"ts": "1541105830796"``. Unknown extra fields are
allowed and kept. Business rules (a negative length, say) are left to dbt tests.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from enum import Enum
from typing import Annotated, Any, Union

import msgspec

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
FLOAT_MAX = 1.7976931348623157e308


class Kind(Enum):
    STRING = "string"
    INTEGER = "integer"  # whole number written as a JSON integer, fits in 64 bits
    FLOAT = "number"  # any finite JSON number that fits a double; integers accepted


@dataclass(frozen=True)
class _KindRule:
    types: frozenset[type]  # the Python types json gives a valid value of the kind
    int_low: float = 0  # the range a Python int of the kind must fall in
    int_high: float = 0  # (a float must be finite; both bounds unused without int)


# The type rules, once: both the check and its messages are derived from this table.
_RULES: dict[Kind, _KindRule] = {
    Kind.STRING: _KindRule(frozenset({str})),
    # bool is a subclass of int, but type(True) is bool: never a number here.
    Kind.INTEGER: _KindRule(frozenset({int}), INT64_MIN, INT64_MAX),
    Kind.FLOAT: _KindRule(frozenset({int, float}), -FLOAT_MAX, FLOAT_MAX),
}


# The same rules as _RULES, for msgspec (Contract.certainly_kept).
_FAST_TYPES: dict[Kind, Any] = {
    Kind.STRING: str,
    Kind.INTEGER: Annotated[int, msgspec.Meta(ge=INT64_MIN, le=INT64_MAX)],
    Kind.FLOAT: Annotated[float, msgspec.Meta(ge=-FLOAT_MAX, le=FLOAT_MAX)],
}


class _Missing:
    """Stands for a field absent from the record."""


_MISSING = _Missing()


@dataclass(frozen=True)
class Field:
    name: str
    kind: Kind
    nullable: bool = False  # null allowed where the real data has nulls
    required: bool = False  # missing and null both break a required field

    @property
    def accepted_types(self) -> frozenset[type]:
        """The types of every value this field accepts, absence (_Missing) included."""
        accepted = set(_RULES[self.kind].types)
        if self.nullable and not self.required:
            accepted.add(type(None))
        if not self.required:
            accepted.add(_Missing)
        return frozenset(accepted)


@dataclass(frozen=True)
class Contract:
    source: str
    fields: tuple[Field, ...]

    def violation(self, record: dict[str, Any]) -> str | None:
        """The first way the record breaks the contract, as one human line; None if none."""
        # One pass, kept tight: nearly every record is valid, and this runs per record.
        for field, name, accepted, low, high in self._checks:
            value = record.get(name, _MISSING)
            value_type = type(value)
            if value_type not in accepted:
                return f"{name}: {_wrong_type(field, value)}"
            if value_type is int:
                if not low <= value <= high:
                    return f"{name}: {_out_of_range(field.kind, value)}"
            elif value_type is float and value - value != 0.0:  # inf or nan
                return f"{name}: {_out_of_range(field.kind, value)}"
        return None

    def certainly_kept(self, raw: bytes) -> bool:
        """A fast, conservative check of a record's bytes: True only when they are one JSON
        object, with no field the contract does not know, that keeps the contract and that
        Python's json would read the same way; False means "look closer" (the exact
        check, sparkify.loader.records), never "broken".

        msgspec decodes and checks in C, about five times faster than json.loads and
        violation() together. It skips the values of fields the struct does not know
        unread, so a record with an unknown field goes to the exact check; a number past
        Postgres's numeric, which it reads as 0.0, is the caller's to look for
        (sparkify.loader.records).
        """
        try:
            self._fast_decoder.decode(raw)
        except (msgspec.ValidationError, msgspec.DecodeError):
            return False
        return True

    @functools.cached_property
    def _fast_decoder(self) -> msgspec.json.Decoder:
        """The contract as a msgspec struct: a field's kind is its type (64-bit ints,
        finite doubles), nullable adds None, and a field that may be missing defaults to
        UNSET (which null is not)."""
        fields: list[tuple] = []
        for field in self.fields:
            kind_type = _FAST_TYPES[field.kind]
            if field.required:
                fields.append((field.name, kind_type))
                continue
            options = (kind_type, None) if field.nullable else (kind_type,)
            fields.append((field.name, Union[(*options, msgspec.UnsetType)], msgspec.UNSET))
        record = msgspec.defstruct(
            f"{self.source}_record", fields, forbid_unknown_fields=True, gc=False
        )
        return msgspec.json.Decoder(record)

    @functools.cached_property
    def _checks(self) -> tuple[tuple[Field, str, frozenset[type], float, float], ...]:
        return tuple(
            (field, field.name, field.accepted_types, rule.int_low, rule.int_high)
            for field in self.fields
            for rule in (_RULES[field.kind],)
        )


def _wrong_type(field: Field, value: Any) -> str:
    """Why a value whose type the field does not accept is wrong, in words."""
    if value is _MISSING:
        return "required field is missing"
    if value is None and field.required:
        return "required field is null"
    return _expected(field.kind, value)


def _out_of_range(kind: Kind, value: float) -> str:
    if kind is Kind.INTEGER:
        return f"integer {value} does not fit in 64 bits"
    return f"number {_shown(value) if type(value) is float else value} is out of range"


def _expected(kind: Kind, value: Any) -> str:
    if value is None:
        return f"expected {kind.value}, got null"
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
