"""Write-audit-publish on Spark, as far as the engine allows.

Spark's Hive metastore cannot rename a database, nor move a table to another one, and
parquet tables have no transactions; so the published databases (`marts`, ...) hold
views, and builds alternate between two copies, `<layer>__blue` and `<layer>__green`.
A build writes and tests the copy readers do not see; when every error-severity test
passed, each published view is replaced to read the new copy, and the ledger
(`publish.builds`, a parquet table) records it. A failed build changes no view.

What Spark cannot give: the views switch one after another (each switch is atomic, the
set is not), so a reader that reads several marts during the second or so of the switch
may read one from each build; and the copy a build overwrites is the one published two
builds ago (readers never see it after the previous switch). A switch that dies midway
(Ctrl-C, a lost driver) is finished by the next build before it starts: the ledger says
"publishing" first, with the views to switch. After a --full-refresh is published the
other copy still holds the state it replaced, so the next build is a full refresh too.
One build at a time: the embedded Derby metastore admits one JVM, and a build holds it
from start to end.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sparkify.errors import BuildFailed
from sparkify.publish.dbt import BuildResult, run_build
from sparkify.spark.session import spark_session
from sparkify.spark.settings import spark_settings

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

COPIES = ("__blue", "__green")
LEDGER = "publish.builds"
_LEDGER_COLUMNS = (
    "build_id bigint, finished_at timestamp, status string, copy string, "
    "passed int, warned int, skipped int, failures string, dbt_args string, relations string"
)
FULL_REFRESH = "--full-refresh"


def build_and_publish_spark(project_dir: Path, dbt_args: list[str]) -> BuildResult:
    """Build and test into the copy readers do not see; switch the views when it passed."""
    settings = spark_settings()
    with spark_session(settings, "sparkify-build", end_jvm=True) as spark:
        build_id, published = _previous(spark)
    suffix = COPIES[1] if published and published.copy == COPIES[0] else COPIES[0]
    if published and FULL_REFRESH in published.dbt_args and FULL_REFRESH not in dbt_args:
        print(f"the published build was a full refresh: so is this one, on the {suffix} copy")
        dbt_args = [*dbt_args, FULL_REFRESH]
    print(f"build {build_id} into the {suffix.strip('_')} copy", flush=True)
    try:
        result = run_build(project_dir, suffix, [*dbt_args, "--target", "spark"])
    except BuildFailed as exc:
        with spark_session(settings, "sparkify-build", end_jvm=True) as spark:
            _record(spark, build_id, "failed", suffix, None, dbt_args)
        raise BuildFailed(f"{exc}; nothing published") from None
    with spark_session(settings, "sparkify-build", end_jvm=True) as spark:
        if not result.succeeded:
            _record(spark, build_id, "failed", suffix, result, dbt_args)
            raise BuildFailed(
                f"dbt build failed: {', '.join(result.failures)}; nothing published: "
                + (
                    f"readers still see the {published.copy.strip('_')} copy"
                    if published
                    else "there is no published build yet"
                )
            )
        # "publishing" first: a switch that dies midway is finished by the next build.
        _record(spark, build_id, "publishing", suffix, result, dbt_args)
        switch_views(spark, result.relations, suffix)
        _record(spark, build_id, "published", suffix, result, dbt_args)
    return result


def switch_views(spark: SparkSession, relations: tuple[tuple[str, str], ...], suffix: str) -> None:
    """Point each published view at its relation in the copy just built."""
    for build_schema, name in relations:
        published = build_schema.removesuffix(suffix)
        spark.sql(f"create database if not exists `{published}`")
        if spark.catalog.tableExists(f"`{published}`.`{name}`"):
            kind = spark.catalog.getTable(f"`{published}`.`{name}`").tableType
            if kind != "VIEW":  # a table of an in-place `dbt build`: once, before the views
                spark.sql(f"drop table `{published}`.`{name}`")
        spark.sql(
            f"create or replace view `{published}`.`{name}` "
            f"as select * from `{build_schema}`.`{name}`"
        )


@dataclass(frozen=True)
class Published:
    """The copy readers see, and the arguments of the build that published it."""

    copy: str
    dbt_args: str


def _previous(spark: SparkSession) -> tuple[int, Published | None]:
    """The next build's id and what readers see now (None before the first publish),
    after finishing a switch that a build left midway."""
    spark.sql("create database if not exists publish")
    spark.sql(f"create table if not exists {LEDGER} ({_LEDGER_COLUMNS}) using parquet")
    last_id = spark.sql(f"select max(build_id) from {LEDGER}").collect()[0][0] or 0
    rows = spark.sql(
        f"select build_id, status, copy, dbt_args, relations from {LEDGER} "
        "where status in ('publishing', 'published') "
        "order by build_id desc, case when status = 'published' then 0 else 1 end"
    ).collect()
    if not rows:
        return last_id + 1, None
    latest = rows[0]
    if latest.status == "publishing":  # its build passed; its switch did not finish
        print(f"finishing the switch of build {latest.build_id} to its {latest.copy} copy")
        relations = tuple(
            tuple(relation.split(".", 1))
            for relation in (latest.relations or "").split(",")
            if relation
        )
        switch_views(spark, relations, latest.copy)
        spark.sql(
            f"insert into {LEDGER} select build_id, current_timestamp(), 'published', copy, "
            f"passed, warned, skipped, failures, dbt_args, relations from {LEDGER} "
            f"where build_id = {int(latest.build_id)} and status = 'publishing'"
        )
    return last_id + 1, Published(latest.copy, latest.dbt_args or "")


def _record(
    spark: SparkSession,
    build_id: int,
    status: str,
    suffix: str,
    result: BuildResult | None,
    dbt_args: list[str],
) -> None:
    row = {
        "build_id": build_id,
        "status": status,
        "copy": suffix,
        "passed": result.passed if result else None,
        "warned": result.warned if result else None,
        "skipped": result.skipped if result else None,
        "failures": ", ".join(result.failures) if result else None,
        "dbt_args": " ".join(dbt_args),
        "relations": ",".join(f"{schema}.{name}" for schema, name in result.relations)
        if result
        else None,
    }
    spark.sql(
        f"insert into {LEDGER} select :build_id, current_timestamp(), :status, :copy, "
        ":passed, :warned, :skipped, :failures, :dbt_args, :relations",
        args=row,
    )
