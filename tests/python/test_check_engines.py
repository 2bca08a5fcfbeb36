"""check_engines: the canonical rows and the comparison, on rows read from real engines.

The canonicaliser and the comparer get their rows from Postgres (psycopg) and from Spark
(a SparkSession on the project's master, in a state dir of the test's own): the same
rows in another order, with 1.0 against 1.0000000000001, numeric against double and
timestamptz against a naive UTC timestamp must agree; one changed value must be named by
model and column. The whole check then runs on two Postgres builds of generated data.
"""

from __future__ import annotations

import dataclasses
import json
import os
import sys
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest
from conftest import REPO_ROOT, run_script

from sparkify.checks import engines
from sparkify.checks.engines import Relation, Table, compare
from sparkify.checks.project import Project
from sparkify.publish import BUILD_SUFFIX
from sparkify.settings import ConnectionSettings
from sparkify.spark.session import master_problem, stop_jvm

COLUMNS = "id, amount, share, seen_at, day, active, label"
# (id, amount numeric, share double, seen_at, day, active, label)
ROWS = [
    (1, "1.50", "1.0", "2018-11-01 00:00:00.123+00", "2018-11-01", "true", "Beyoncé"),
    (2, "2", "0.1", "2018-11-02 23:59:59.999+00", "2018-11-02", "false", ""),
    (3, "-0.0", "-0.0", "2018-11-03 12:00:00+00", "2018-11-03", None, None),
    (4, "12345678.123456789", "3.141592653589793", None, None, "true", "null"),
    (4, "12345678.123456789", "3.141592653589793", None, None, "true", "null"),
]


def create_table(
    conn: psycopg.Connection, schema: str, table: str, types: dict[str, str], rows: list[tuple]
) -> None:
    columns = ", ".join(f"{name} {kind}" for name, kind in types.items())
    conn.execute(f'create schema if not exists "{schema}"')
    conn.execute(f'create table "{schema}".{table} ({columns})')
    with conn.cursor() as cursor:
        cursor.executemany(
            f'insert into "{schema}".{table} values ({", ".join(["%s"] * len(types))})', rows
        )


POSTGRES_TYPES = {
    "id": "bigint",
    "amount": "numeric(30, 12)",
    "share": "double precision",
    "seen_at": "timestamptz",
    "day": "date",
    "active": "boolean",
    "label": "text",
}


@pytest.fixture
def pg_tables(db: psycopg.Connection, schema: str) -> str:
    """`reference` with ROWS, `reordered` with the same rows otherwise typed and ordered."""
    db.execute("set time zone 'America/Chicago'")  # timestamptz comes back in Chicago time
    create_table(db, schema, "reference", POSTGRES_TYPES, ROWS)
    other_types = {
        **POSTGRES_TYPES,
        "amount": "double precision",  # a float where the reference has a decimal
        "share": "numeric(30, 15)",
        "seen_at": "timestamp",  # naive, UTC
    }
    reordered = [
        (4, "12345678.123456789", "3.141592653589793", None, None, "true", "null"),
        (3, "0", "0", "2018-11-03 12:00:00", "2018-11-03", None, None),
        (4, "12345678.1234568", "3.14159265358979", None, None, "true", "null"),
        (2, "2.0", "0.1000000000000001", "2018-11-02 23:59:59.999", "2018-11-02", "false", ""),
        (1, "1.5", "1.0000000000001", "2018-11-01 00:00:00.123", "2018-11-01", "true", "Beyoncé"),
    ]
    create_table(db, schema, "reordered", other_types, reordered)
    return schema


def read(db: psycopg.Connection, schema: str, table: str) -> Table:
    return engines.read_postgres(db, Relation(schema, table))


def test_same_rows_in_another_order_and_types_agree(db: psycopg.Connection, pg_tables: str):
    reference = read(db, pg_tables, "reference")
    assert reference.row_count == 5
    assert reference.columns == tuple(sorted(COLUMNS.split(", ")))
    assert compare("t", reference, read(db, pg_tables, "reordered")) is None


def test_canonical_values_from_postgres(db: psycopg.Connection, pg_tables: str):
    rows = read(db, pg_tables, "reference").rows
    by_id = {row[3]: row for row in rows}  # columns in name order: active, amount, day, id, ...
    first = by_id[("number", "1")]
    assert first == (
        ("bool", "true"),
        ("number", "1.5"),
        ("date", "2018-11-01"),
        ("number", "1"),
        ("text", "Beyoncé"),
        ("timestamp", "2018-11-01T00:00:00.123"),  # UTC, although the session is Chicago's
        ("number", "1"),
    )
    third = by_id[("number", "3")]
    assert third[0] == engines.NULL and third[4] == engines.NULL  # null, not 'null' or ''
    assert third[1] == third[6] == ("number", "0")  # -0 is 0
    assert by_id[("number", "4")][4] == ("text", "null")
    assert rows[by_id[("number", "4")]] == 2  # a multiset: the duplicate counts twice


@pytest.mark.parametrize(
    ("column", "value", "shown"),
    [
        ("label", "'Beyonce'", "label='Beyonce'"),
        ("amount", "1.5001", "amount=1.5001"),
        ("seen_at", "'2018-11-01 00:00:00.124+00'", "seen_at=2018-11-01T00:00:00.124"),
        ("active", "null", "active=null"),
    ],
)
def test_one_changed_value_is_named(
    db: psycopg.Connection, pg_tables: str, column: str, value: str, shown: str
):
    db.execute(f'update "{pg_tables}".reordered set {column} = {value} where id = 1')
    difference = compare(
        "dim_things", read(db, pg_tables, "reference"), read(db, pg_tables, "reordered")
    )
    assert difference is not None
    assert difference.columns == (column,)
    assert (difference.left_rows, difference.right_rows) == (5, 5)
    summary = difference.summary()
    assert summary.startswith("dim_things: postgres 5 rows, spark 5")
    assert f"columns that differ: {column}" in summary
    only_right = difference.examples["spark"]
    assert len(only_right) == 1 and only_right[0].startswith(shown)  # the column comes first
    assert "id=1" in only_right[0]
    assert difference.examples["postgres"][0].startswith(f"{column}=")


def test_a_missing_row_a_missing_column_and_swapped_values(db: psycopg.Connection, pg_tables: str):
    reference = read(db, pg_tables, "reference")
    db.execute(f'delete from "{pg_tables}".reordered where id = 4 and share = 3.14159265358979')
    fewer = compare("m", reference, read(db, pg_tables, "reordered"), ("a", "b"))
    assert fewer is not None and (fewer.left_rows, fewer.right_rows) == (5, 4)
    assert set(fewer.columns) == set(reference.columns)  # every column lost one value
    assert len(fewer.examples["a"]) == 1 and "b" not in fewer.examples

    db.execute(f'alter table "{pg_tables}".reordered drop column label')
    narrower = compare("m", reference, read(db, pg_tables, "reordered"), ("a", "b"))
    assert narrower is not None and dict(narrower.missing_columns) == {"a": ("label",)}
    assert "columns only in a: label" in narrower.summary()

    # Each column holds the same values, but the rows pair them up differently.
    pairs = db.execute("select * from (values (1, 'x'), (2, 'y')) as t(id, label)")
    as_built = Table.of(["id", "label"], pairs)
    paired = compare("m", as_built, Table.of(["id", "label"], [(1, "y"), (2, "x")]))
    assert paired is not None and paired.columns == ()
    assert "not how they pair up in rows" in paired.summary()


def test_load_time_columns_are_left_out():
    left = Table.of(["id", "_loaded_at", "_Catalogue_Loaded_At"], [(1, 2, 3)])
    right = Table.of(["id", "_loaded_at", "_catalogue_loaded_at"], [(1, 5, 6)])
    assert left.columns == ("id",) and compare("m", left, right) is None


def test_a_value_of_an_unknown_type_stops_the_check():
    with pytest.raises(engines.CheckFailed, match="cannot compare a value of type list"):
        Table.of(["a"], [([1, 2],)])


# --- Spark --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def spark(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """A session on the project's master, with a warehouse and metastore of its own."""
    from sparkify.spark.session import spark_session
    from sparkify.spark.settings import spark_settings

    settings = dataclasses.replace(
        spark_settings(cwd=REPO_ROOT), state_dir=tmp_path_factory.mktemp("spark")
    )
    if master_problem(settings.master, timeout=2.0) is not None:
        pytest.fail(
            f"the Spark master {settings.master} is not running: start it with "
            "`python scripts/spark.py start`, or set SPARK_MASTER (e.g. local[2])",
            pytrace=False,
        )
    with spark_session(settings, "test_check_engines") as session:
        yield session
    # SparkSession.stop() leaves the JVM (and its Derby metastore) running: the check
    # ends it before the next Spark command, which needs the metastore, starts.
    from pyspark import SparkContext

    jvm = SparkContext._gateway.proc
    stop_jvm()
    assert jvm.poll() is not None and SparkContext._gateway is None


SPARK_ROWS = """
    (4L, 12345678.123456789D, cast(3.141592653589793 as decimal(30, 15)),
     cast(null as timestamp), cast(null as date), true, 'null'),
    (2L, 2.0D, 0.1BD, timestamp'2018-11-02 23:59:59.999', date'2018-11-02', false, ''),
    (1L, 1.5D, 1.0000000000001BD, timestamp'2018-11-01 00:00:00.123', date'2018-11-01', true,
     'Beyoncé'),
    (3L, -0.0D, 0BD, timestamp'2018-11-03 12:00:00', date'2018-11-03', null, null),
    (4L, 12345678.1234568D, 3.14159265358979BD, null, null, true, 'null')
"""


def test_spark_rows_agree_with_postgres_and_a_change_is_named(
    spark, db: psycopg.Connection, pg_tables: str
):
    # The session's time zone is UTC: the literals are UTC instants, read back as such
    # whatever the Python process's local time zone.
    spark.sql("create database if not exists engines_test")
    spark.sql("drop table if exists engines_test.things")
    spark.sql("drop table if exists engines_test.changed")
    spark.sql(
        f"create table engines_test.things using parquet as "
        f"select * from values {SPARK_ROWS} as t({COLUMNS})"
    )
    from_spark = engines.read_spark(spark, Relation("engines_test", "things"))
    reference = read(db, pg_tables, "reference")
    assert compare("things", reference, from_spark) is None

    spark.sql(
        "create table engines_test.changed using parquet as "
        "select id, amount, share, seen_at, day, active, "
        "case when id = 2 then 'two' else label end as label from engines_test.things"
    )
    difference = compare(
        "things", reference, engines.read_spark(spark, Relation("engines_test", "changed"))
    )
    assert difference is not None and difference.columns == ("label",)
    assert difference.examples["spark"][0].startswith("label='two'")


def test_a_quotient_agrees_at_the_scale_spark_keeps(spark, db: psycopg.Connection):
    # Postgres's numeric keeps every digit of 11/97; Spark's decimal(38,10) rounds it to 10
    # places (0.1134020619): the same share. A change in the 10th place still shows.
    quotient = "cast(cast(11 as {t}) / 97 as {t})"
    (from_postgres,) = db.execute(f"select {quotient.format(t='numeric')}").fetchone()
    (from_spark,) = spark.sql(f"select {quotient.format(t='decimal(38,10)')}").first()
    assert str(from_postgres).startswith("0.11340206185567") and str(from_spark) == "0.1134020619"
    assert engines.canonical(from_postgres) == engines.canonical(from_spark)
    assert engines.canonical(from_spark) != engines.canonical(Decimal("0.1134020618"))
    # a double of the same share agrees too; below the tenth place, numbers are 0
    assert engines.canonical(11 / 97) == engines.canonical(from_spark)
    assert engines.canonical(4e-11) == engines.canonical(0.0) == ("number", "0")


# --- the check on dbt's marts ------------------------------------------------------


def test_every_mart_of_a_build_agrees_with_its_copy_until_one_value_changes(
    warehouse: tuple[ConnectionSettings, dict[str, str]], tmp_path: Path
):
    settings, env = warehouse
    built = engines.mart_relations(Path(env["DBT_TARGET_PATH"]) / "manifest.json")
    # The warehouse was built by scripts/build.py: the manifest names the build copy.
    relations = {
        model: Relation(relation.schema.removesuffix(BUILD_SUFFIX), relation.name)
        for model, relation in built.items()
    }
    assert {"fct_songplays", "dim_users", "listening_summary", "user_churn_risk"} <= set(relations)
    assert {relation.schema for relation in relations.values()} == {
        "marts",
        "quality",
        "restricted",
    }
    copies = {model: Relation("marts_copy", relation.name) for model, relation in relations.items()}
    with psycopg.connect(settings.conninfo(), autocommit=True) as conn:
        conn.execute("drop schema if exists marts_copy cascade")
        conn.execute("create schema marts_copy")
        for model, relation in relations.items():
            conn.execute(
                f"create table marts_copy.{copies[model].name} as "
                f"select * from {relation} order by random()"
            )
    project = Project.at(REPO_ROOT)

    def engine(name: str) -> engines.PostgresEngine:
        return engines.PostgresEngine(
            name, project, settings, settings.database, tmp_path, tmp_path
        )

    left, right = engine("postgres"), engine("spark")
    agreed = engines.compare_engines(left, right, relations, copies, "real")
    assert agreed.differences == [] and len(agreed.agreed) == len(relations)

    with psycopg.connect(settings.conninfo(), autocommit=True) as conn:
        changed = conn.execute(
            "update marts_copy.dim_users set location = location || 'x' "
            "where user_id = (select min(user_id) from marts_copy.dim_users)"
        )
        assert changed.rowcount == 1
    outcome = engines.compare_engines(left, right, relations, copies, "real")
    assert len(outcome.agreed) == len(relations) - 1
    [difference] = outcome.differences
    assert difference.model == "real: dim_users" and difference.columns == ("location",)
    assert difference.left_rows == difference.right_rows > 0


def test_the_check_passes_on_two_postgres_builds(pg_settings: ConnectionSettings):
    result = run_script(
        "check_engines.py", "--engines", "postgres,postgres", "--dataset", "generated",
        "--events", "2000", "--allow-small", settings=pg_settings,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr
    lines = [line for line in result.stdout.splitlines() if line.endswith("rows agree")]
    assert len(lines) == len(list((REPO_ROOT / "models" / "marts").rglob("*.sql")))
    assert "OK: all" in result.stdout
    with psycopg.connect(pg_settings.conninfo(database="postgres")) as conn:
        left_behind = conn.execute(
            "select datname from pg_database where datname like %s",
            [f"{pg_settings.database}_engines%"],
        ).fetchall()
    assert left_behind == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--engines", "postgres,oracle"], "--engines takes two of postgres, spark"),
        (["--events", "100"], "--events must be at least 20,000"),
        (["--dataset", "real", "--real-data", "/nonexistent"], "the real dataset is missing"),
    ],
)
def test_bad_options_are_one_line(pg_settings: ConnectionSettings, args: list[str], message: str):
    result = run_script("check_engines.py", *args, settings=pg_settings)
    assert result.returncode != 0
    assert message in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


# --- the benchmark's memory figures (the Spark side of `bench.py --target spark`) ---

CHILD_HOLDING = """
import subprocess, sys, time
held = bytearray({own} * 2**20)
child = subprocess.Popen([sys.executable, "-c",
    "import time; held = bytearray({child} * 2**20); time.sleep(1.5)"])
child.wait()
"""


def test_bench_measures_the_whole_process_tree(tmp_path: Path):
    from sparkify.checks import bench

    command = [sys.executable, "-c", CHILD_HOLDING.format(own=30, child=120)]
    # The measuring process is far larger than the command: with wait4's ru_maxrss (which
    # Linux seeds with the parent's resident set at fork) the command would seem to hold it.
    ballast = bytearray(300 * 2**20)
    ballast[::4096] = b"\x01" * len(ballast[::4096])
    step = bench.measure("tree", command, dict(os.environ), tmp_path, spark=True)
    del ballast
    assert 30 <= step.peak_rss_mb < 120  # the command's own process only
    assert step.tree_rss_mb >= 150  # the process and its child at once
    assert step.tree_rss_mb > step.peak_rss_mb + 100
    assert step.tree_rss_mb < 300  # not the measuring process's 300 MB
    with pytest.raises(engines.CheckFailed, match=r"failed \(exit 3\)"):
        bench.measure("fails", [sys.executable, "-c", "exit(3)"], dict(os.environ), tmp_path)


def test_descendants_of_spark_workers_count_without_the_workers_themselves():
    from sparkify.checks.bench import descendants_rss

    table = [(1, 0, 10), (2, 1, 100), (3, 2, 1000), (4, 2, 10_000), (5, 1, 100_000)]
    assert descendants_rss({2}, table, own=False) == 11_000
    assert descendants_rss({2}, table, own=True) == 11_100
    assert descendants_rss({2, 5}, table, own=False) == 11_000


def test_bench_names_the_slowest_nodes_of_the_last_dbt_command(tmp_path: Path):
    from sparkify.checks.project import model_seconds, slowest_nodes

    results = [
        ("model.sparkify.dim_users", 2.5),
        ("test.sparkify.unique_dim_users_user_id.9f8e7d6c5b", 7.25),
        ("unit_test.sparkify.dim_users.latest_event_wins", 0.5),
        ("model.sparkify.fct_songplays", 4.0),
    ]
    run_results = {"results": [{"unique_id": u, "execution_time": t} for u, t in results]}
    (tmp_path / "run_results.json").write_text(json.dumps(run_results))
    assert slowest_nodes(tmp_path, 3) == [
        ("test unique_dim_users_user_id", 7.25),
        ("model fct_songplays", 4.0),
        ("model dim_users", 2.5),
    ]
    assert slowest_nodes(tmp_path, 9)[-1] == ("unit_test dim_users.latest_event_wins", 0.5)
    assert model_seconds(tmp_path) == 14.25
    assert model_seconds(tmp_path, "fct_songplays") == 4.0
