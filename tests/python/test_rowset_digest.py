"""macros/rowset_digest.sql, on both engines: the digest the reconciliation tests compare
(equal_rowsets, one_row_per_parent_row) is equal for the same rows in any order and differs
for every kind of difference those tests exist to catch, a count that stays the same
included."""

from __future__ import annotations

import jinja2
import pytest
from conftest import REPO_ROOT, Engine

BASE = "(1, 10, 'free'), (2, null, 'paid'), (3, 30, 'paid')"

DIFFERENCES = {
    # the linear trap: summing a hash that adds up its columns' hashes misses this
    "two rows swap a column's values": "(1, 10, 'paid'), (2, null, 'free'), (3, 30, 'paid')",
    "a null moves to another row": "(1, null, 'free'), (2, 10, 'paid'), (3, 30, 'paid')",
    # a hash that skips nulls (Spark's) misses this
    "a value moves to the next column": "(1, 10, 'free'), (null, 2, 'paid'), (3, 30, 'paid')",
    "one value changes": "(1, 10, 'free'), (2, null, 'Paid'), (3, 30, 'paid')",
    "a row repeats in place of another": "(1, 10, 'free'), (1, 10, 'free'), (3, 30, 'paid')",
    "a null becomes a value": "(1, 10, 'free'), (2, 0, 'paid'), (3, 30, 'paid')",
}


def digest_sql(engine: str) -> str:
    """The engine's branch of the macro, rendered as dbt renders it (Jinja, `do`)."""
    source = (REPO_ROOT / "macros" / "rowset_digest.sql").read_text()
    macros = jinja2.Environment(extensions=["jinja2.ext.do"]).from_string(source).module
    return str(getattr(macros, f"{engine}__rowset_digest")(["user_id", "seconds", "level"]))


def digest(engine: Engine, rows: str) -> tuple[int, object]:
    [(count, value)] = engine.fetch(
        f"select count(*), {digest_sql(engine.name)} "
        f"from (values {rows}) as t(user_id, seconds, level)"
    )
    return count, value


def test_the_same_rows_in_another_order_have_the_same_digest(engine: Engine) -> None:
    reordered = "(3, 30, 'paid'), (1, 10, 'free'), (2, null, 'paid')"
    assert digest(engine, BASE) == digest(engine, reordered)
    assert digest(engine, BASE)[1] is not None


@pytest.mark.parametrize("difference", DIFFERENCES)
def test_every_difference_changes_the_digest(engine: Engine, difference: str) -> None:
    count, value = digest(engine, BASE)
    other_count, other_value = digest(engine, DIFFERENCES[difference])
    assert other_count == count
    assert other_value != value
