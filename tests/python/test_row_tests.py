"""Row tests read each row once (macros/test_watermarks.sql): a test that opted in reads
the rows written since the last build in which it passed, and every row again when it
failed since, or when its definition changed."""

from __future__ import annotations

import json
import re
import subprocess

import yaml
from conftest import REPO_ROOT, Warehouse, dbt, published_build

from sparkify.publish.dbt import SUFFIX_VARIABLE
from sparkify.publish.run import BUILD_SUFFIX

LEVEL_TEST = "accepted_values_int_events_checked_level___var_event_domains_level_"
COPY = "intermediate__build.int_events_checked"


def two_rows_of_the_copy(warehouse: Warehouse) -> tuple[tuple, tuple]:
    """Two events that went on to the star schema, in the copy the next build writes."""
    return tuple(
        warehouse.fetch(
            f"select _source_file, _source_line from {COPY} "
            "where quarantine_rule is null order by 1, 2 limit 2"
        )
    )


def set_level(warehouse: Warehouse, row: tuple, level: str, rewritten: bool) -> None:
    """Change an event's level in the copy, as if a build had written it (rewritten: at a
    time after every watermark) or as it was (its `_built_at` kept)."""
    built_at = "clock_timestamp()" if rewritten else "_built_at"
    warehouse.fetch(
        f"update {COPY} set level = %s, _built_at = {built_at} "
        "where _source_file = %s and _source_line = %s returning 1",
        level,
        *row,
    )


def level_failures(result: subprocess.CompletedProcess) -> list[str]:
    """The failing level test's result count, as dbt prints it ("Got 1 result")."""
    return re.findall(
        rf"Failure in test {LEVEL_TEST}.*?Got (\d+) results?", result.stdout, flags=re.S
    )


def dbt_test_with_levels(warehouse: Warehouse, levels: list[str]) -> subprocess.CompletedProcess:
    """`dbt test` of the level test on the copy, with other levels allowed (a changed var:
    another definition of the test)."""
    domains = yaml.safe_load((REPO_ROOT / "dbt_project.yml").read_text())["vars"]["event_domains"]
    variables = {"event_domains": dict(domains, level=levels)}
    copy = dict(warehouse.env, **{SUFFIX_VARIABLE: BUILD_SUFFIX})
    return dbt(copy, "test", "--select", f"{LEVEL_TEST}*", "--vars", json.dumps(variables))


def test_a_row_test_reads_the_new_rows_then_what_it_failed_on_then_all_when_it_changes(
    own_warehouse: Warehouse,
) -> None:
    warehouse = own_warehouse
    # The first build had no copy (its own schemas are now published). The second builds
    # a full copy again and publishes it: the copy the third build writes is the first's,
    # with its tests' watermarks.
    published_build(warehouse.env)
    watermarks = warehouse.fetch(
        "select count(distinct test_id) from intermediate__build.test_watermarks"
    )
    assert watermarks == [(16,)]  # every row test of the checked and cleaned events

    old, new = two_rows_of_the_copy(warehouse)
    set_level(warehouse, old, "platinum", rewritten=False)
    set_level(warehouse, new, "gold", rewritten=True)

    # Only the row written after the watermark is read: one bad value, not two.
    failed = warehouse.build()
    assert failed.returncode == 1, failed.stdout[-3000:]
    assert LEVEL_TEST in failed.stderr
    assert level_failures(failed) == ["1"], failed.stdout[-3000:]

    # A test that failed keeps its watermark: the next build reads that row again.
    again = warehouse.build()
    assert again.returncode == 1 and level_failures(again) == ["1"], again.stdout[-3000:]

    # Another definition of the test (gold allowed) has no watermark: it reads every row,
    # and finds the one written before the watermark (gold being allowed, the one bad
    # value is platinum).
    changed = dbt_test_with_levels(warehouse, ["free", "paid", "gold"])
    assert changed.returncode == 1, changed.stdout[-3000:]
    assert level_failures(changed) == ["1"], changed.stdout[-3000:]
