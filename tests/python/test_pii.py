"""check_pii: personal columns stay tagged wherever their values go.

On small synthetic manifest/catalog pairs the check must fail, naming the column and the
tagged parent, whenever a derived column is left untagged (copies, expressions, CASE
conditions, lookups by join, JSON keys, unions, unnests), and must not flag what only
counts rows; a model it cannot parse or trace fails it by name. On the real project,
compiled and catalogued by dbt, it passes, and removing one tag makes it fail.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from conftest import run_dbt, run_script

from sparkify.checks import pii
from sparkify.cli import check_pii
from sparkify.errors import CheckFailed
from sparkify.settings import ConnectionSettings

D, Q = pii.DIRECT, pii.QUASI


@dataclass
class Project:
    """A dbt manifest and catalog of a few relations, enough for the check to read."""

    manifest: dict[str, Any] = field(default_factory=lambda: {"nodes": {}, "sources": {}})
    catalog: dict[str, Any] = field(default_factory=lambda: {"nodes": {}, "sources": {}})

    def _add(
        self,
        section: str,
        unique_id: str,
        node: dict[str, Any],
        relation: tuple[str, str],
        tags: dict[str, Any],
    ) -> str:
        node["columns"] = {
            name: {"name": name, "meta": {}, "config": {"meta": {} if tag is None else tag}}
            for name, tag in tags.items()
        }
        self.manifest[section][unique_id] = {"package_name": "sparkify", **node}
        schema, name = relation
        self.catalog[section][unique_id] = {
            "metadata": {"database": "db", "schema": schema, "name": name},
            "columns": {column: {"name": column, "type": "text"} for column in tags},
        }
        return unique_id

    def source(self, name: str, **columns: Any) -> str:
        """A raw table `db.raw.<name>`; a column's value is its meta (or None)."""
        node = {"resource_type": "source", "source_name": "app", "name": name}
        return self._add("sources", f"source.sparkify.app.{name}", node, ("raw", name), columns)

    def seed(self, name: str, *columns: str) -> str:
        node = {"resource_type": "seed", "name": name}
        tags = dict.fromkeys(columns)
        return self._add("nodes", f"seed.sparkify.{name}", node, ("reference", name), tags)

    def model(
        self, name: str, sql: str, parents: list[str], folder: str = "intermediate", **columns: Any
    ) -> str:
        """A model `db.analytics.<name>` built from `sql` (compiled: relations spelled out)."""
        node = {
            "resource_type": "model",
            "name": name,
            "path": f"{folder}/{name}.sql",
            "compiled_code": sql,
            "depends_on": {"nodes": parents},
        }
        return self._add("nodes", f"model.sparkify.{name}", node, ("analytics", name), columns)

    def problems(self) -> list[str]:
        return pii.check(self.manifest, self.catalog).problems


def tag(kind: str) -> dict[str, str]:
    return {"pii": kind}


@pytest.fixture
def events() -> tuple[Project, str]:
    """Raw events: a pseudonymous user id, a name (direct) and a location (quasi)."""
    project = Project()
    return project, project.source(
        "events", user_id=None, first_name=tag(D), location=tag(Q), user_agent=tag(Q)
    )


def test_a_column_derived_from_a_tagged_one_must_be_tagged(events: tuple[Project, str]) -> None:
    project, source = events
    sql = """
        with events as (select * from db.raw.events)
        select user_id, trim(split_part(location, ',', 1)) as city from events
    """
    project.model("places", sql, [source], user_id=None, city=None)
    assert project.problems() == ["places.city <- app.events.location (quasi_identifier): untagged"]

    project.model("places", sql, [source], user_id=None, city=tag(Q))
    assert project.problems() == []


def test_counting_rows_derives_nothing_but_other_aggregates_do(
    events: tuple[Project, str],
) -> None:
    project, source = events
    sql = """
        select
            location as state,
            count(*) as plays,
            count(distinct user_id) as users,
            count(case when user_agent like '%Mobile%' then 1 end) as mobile_plays,
            max(user_agent) as some_user_agent
        from db.raw.events
        group by location
    """
    columns = dict(plays=None, users=None, mobile_plays=None, some_user_agent=None)
    project.model("by_state", sql, [source], state=tag(Q), **columns)
    assert project.problems() == [
        "by_state.some_user_agent <- app.events.user_agent (quasi_identifier): untagged"
    ]


def test_case_conditions_and_lookups_by_join_derive_too(events: tuple[Project, str]) -> None:
    project, source = events
    regions = project.seed("regions", "state_code", "region")
    sql = """
        with parsed as (
            select
                user_id,
                case when user_agent like '%Firefox/%' then 'Firefox' else 'Other' end
                    as browser,
                right(location, 2) as state_code
            from db.raw.events
        )
        select parsed.user_id, parsed.browser, regions.region
        from parsed
        left join db.reference.regions as regions on parsed.state_code = regions.state_code
    """
    project.model("users", sql, [source, regions], user_id=None, browser=None, region=None)
    assert project.problems() == [
        "users.browser <- app.events.user_agent (quasi_identifier): untagged",
        "users.region <- app.events.location (quasi_identifier): untagged",
    ]


def test_unions_unnests_and_scalar_subqueries_are_followed(events: tuple[Project, str]) -> None:
    project, source = events
    sql = """
        with parts as (
            select events.user_id, part.code
            from db.raw.events as events
            cross join lateral unnest(string_to_array(events.location, '-')) as part (code)
        ),
        both_sides as (
            select user_id, code from parts
            union all
            select user_id, 'none' as code from db.raw.events
        )
        select
            user_id,
            code,
            (select max(first_name) from db.raw.events) as a_name
        from both_sides
    """
    project.model("codes", sql, [source], user_id=None, code=None, a_name=None)
    assert project.problems() == [
        "codes.a_name <- app.events.first_name (direct_identifier): untagged",
        "codes.code <- app.events.location (quasi_identifier): untagged",
    ]


def test_a_json_column_tags_its_keys() -> None:
    project = Project()
    fields = {"firstName": D, "gender": Q}
    source = project.source("log", record={"pii": D, "pii_fields": fields})
    sql = """
        select
            record ->> 'userId' as user_id,
            record ->> 'firstName' as first_name,
            nullif(record ->> 'gender', '') as gender
        from db.raw.log
    """
    project.model("stg_log", sql, [source], user_id=None, first_name=None, gender=tag(Q))
    assert project.problems() == [
        "stg_log.first_name <- app.log.record.firstName (direct_identifier): untagged"
    ]


def test_a_copied_direct_identifier_cannot_be_tagged_milder(events: tuple[Project, str]) -> None:
    project, source = events
    sql = "select user_id, first_name from db.raw.events"
    project.model("names", sql, [source], user_id=None, first_name=tag(Q))
    assert project.problems() == [
        "names.first_name <- app.events.first_name (direct_identifier): tagged quasi_identifier"
    ]


def test_direct_identifiers_are_in_restricted_marts_only(events: tuple[Project, str]) -> None:
    project, source = events
    sql = "select user_id, first_name from db.raw.events"
    project.model("names", sql, [source], folder="marts/core", user_id=None, first_name=tag(D))
    assert project.problems() == [
        "names.first_name: a direct_identifier in a mart outside models/marts/restricted/"
    ]

    project.model(
        "names", sql, [source], folder="marts/restricted", user_id=None, first_name=tag(D)
    )
    assert project.problems() == []


def test_a_tag_that_is_not_a_kind_fails(events: tuple[Project, str]) -> None:
    project, source = events
    project.model("copy", "select location from db.raw.events", [source], location=tag("yes"))
    assert project.problems() == [
        "copy.location: pii is 'yes', not one of direct_identifier, quasi_identifier"
    ]


@pytest.mark.parametrize(
    ("sql", "reason"),
    [
        ("select location as from db.raw.events where", "cannot trace its columns: "),
        ("select location from db.raw.elsewhere", "cannot trace its columns: "),
        ("select nowhere.location from db.raw.events", "cannot trace its columns: "),
        ("select location as other from db.raw.events", "has no output column location"),
    ],
    ids=["unparseable", "unknown-table", "unknown-alias", "no-such-output"],
)
def test_a_model_that_cannot_be_traced_fails_naming_it(
    events: tuple[Project, str], sql: str, reason: str
) -> None:
    project, source = events
    project.model("broken", sql, [source], location=tag(Q))
    problems = project.problems()
    assert len(problems) == 1, problems
    assert problems[0].startswith("broken: cannot trace its columns: ")
    assert reason in problems[0]
    assert "\n" not in problems[0]


def test_a_model_missing_from_the_catalog_or_uncompiled_fails(
    events: tuple[Project, str],
) -> None:
    project, source = events
    uncompiled = project.model("uncompiled", "select location from db.raw.events", [source])
    project.manifest["nodes"][uncompiled]["compiled_code"] = None
    unbuilt = project.model("unbuilt", "select location from db.raw.events", [source])
    del project.catalog["nodes"][unbuilt]
    assert project.problems() == [
        "unbuilt: cannot trace its columns: not in catalog.json; build it, then run "
        "`dbt docs generate`",
        "uncompiled: cannot trace its columns: no compiled SQL in manifest.json; "
        "run `dbt docs generate` first",
    ]


def write(project: Project, target: Path) -> Path:
    target.mkdir(parents=True, exist_ok=True)
    (target / "manifest.json").write_text(json.dumps(project.manifest), encoding="utf-8")
    (target / "catalog.json").write_text(json.dumps(project.catalog), encoding="utf-8")
    return target


def test_the_command_lists_each_problem_and_fails_in_one_line(
    events: tuple[Project, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project, source = events
    sql = "select location as city, user_agent from db.raw.events"
    project.model("places", sql, [source], city=None, user_agent=None)
    target = write(project, tmp_path / "target")

    with pytest.raises(CheckFailed, match=r"^2 PII tag problems \(listed above\)$"):
        check_pii.main(["--target-path", str(target)])
    assert capsys.readouterr().out.splitlines() == [
        "places.city <- app.events.location (quasi_identifier): untagged",
        "places.user_agent <- app.events.user_agent (quasi_identifier): untagged",
    ]

    project.model("places", sql, [source], city=tag(Q), user_agent=tag(Q))
    write(project, target)
    assert check_pii.main(["--target-path", str(target)]) == 0
    assert capsys.readouterr().out == (
        "check_pii: traced 2 columns of 1 models to their parents; "
        "2 tagged (0 direct, 2 quasi identifiers), none missing\n"
    )


# --- the real project -------------------------------------------------------------------


def without_tag(manifest: dict[str, Any], unique_id: str, column: str) -> dict[str, Any]:
    """A copy of the manifest in which one column lost its pii tag."""
    changed = copy.deepcopy(manifest)
    found = changed["nodes"][unique_id]["columns"][column]
    for meta in (found.get("meta") or {}, (found.get("config") or {}).get("meta") or {}):
        meta.pop("pii", None)
    return changed


def test_the_project_passes_and_fails_when_one_tag_is_removed(
    warehouse: tuple[ConnectionSettings, dict[str, str]], tmp_path: Path
) -> None:
    """dbt compiles the project (and catalogues the built warehouse) into a target of the
    test's own; the check passes there, and fails naming the column whose tag went."""
    _, env = warehouse
    target = tmp_path / "target"
    run_dbt({**env, "DBT_TARGET_PATH": str(target)}, "docs", "generate")

    result = run_script("check_pii.py", "--target-path", str(target))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("check_pii: traced "), result.stdout
    manifest = json.loads((target / "manifest.json").read_text(encoding="utf-8"))
    catalog = json.loads((target / "catalog.json").read_text(encoding="utf-8"))
    report = pii.check(manifest, catalog)
    assert report.problems == []
    assert report.models == len(pii.project_models(manifest))
    assert report.tagged[pii.DIRECT] > 0 and report.tagged[pii.QUASI] > 0

    broken = without_tag(manifest, "model.sparkify.fct_songplays", "location")
    assert pii.check(broken, catalog).problems == [
        "fct_songplays.location <- int_songplays_matched.location (quasi_identifier): untagged"
    ]
