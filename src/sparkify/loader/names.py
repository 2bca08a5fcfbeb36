"""The raw schema's name (a Spark database's too): checked before it reaches any SQL.

A name is a plain lowercase identifier, ``[a-z_][a-z0-9_]*``, of at most 63 bytes: what
Postgres stores without quoting or truncating it (longer names are cut to 63 bytes, so two
names sharing their first 63 bytes would be one schema) and what Spark's metastore keeps
as written. The loaders still quote it everywhere.
"""

from __future__ import annotations

import re

from sparkify.errors import UsageError

NAME_PATTERN = re.compile(r"[a-z_][a-z0-9_]*")
MAX_NAME_BYTES = 63


def check_schema_name(name: str) -> str:
    """The name, when it is a plain identifier of at most 63 bytes; UsageError if not."""
    if not NAME_PATTERN.fullmatch(name):
        raise UsageError(
            f"{name!r} is not a valid schema name: use lowercase letters, digits and _, "
            "starting with a letter or _"
        )
    if len(name) > MAX_NAME_BYTES:
        raise UsageError(
            f"schema name {name[:20]}... is {len(name)} bytes long: at most "
            f"{MAX_NAME_BYTES} are allowed"
        )
    return name
