"""Prove that Postgres and Spark build the same warehouse.

For each dataset (the real one, and a generated one with every quirk and the hostile
values of sparkify.generate.hostile, which the data rules quarantine), both engines are
built from scratch, each in a place of the check's own:

- Postgres: a scratch database next to the one the PG* variables point at (dropped
  afterwards), `load_raw.py --data-dir D`, `dbt build --full-refresh`;
- Spark: a fresh state dir (its own warehouse and Derby metastore) on the same master as
  the project's sessions (sparkify.spark.settings), `load_raw.py --target spark`,
  `dbt build --full-refresh --target spark`.

Then every model under models/marts/ (core and analytics, listed from each build's
manifest.json) is read back, from Postgres with psycopg and from Spark with a
SparkSession once dbt's own JVM has exited, and compared: the same columns, the same
row count and the same multiset of rows. Values are canonicalised first: numbers to the
10 decimal places that Spark's exact type keeps (decimal(38,10), macros/types.sql,
rounds a quotient there; Postgres's numeric keeps every digit), then to 12 significant
digits (so 1.0, 1.0000000000001 and Decimal('1.00') agree, a double and a decimal of
the same value agree, and -0 is 0),
timestamps to UTC with milliseconds (with or without a time zone), dates in ISO, nulls
as a marker of their own. A model that differs is named with its row counts, the columns
whose multisets of values differ and up to 3 rows found in one engine only.

Exits 0 with one line per model when every model agrees, 1 otherwise.
This is a development check (sparkify.checks), not part of the pipeline.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Context, Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import psycopg
from psycopg import sql

from sparkify import db
from sparkify.checks.project import Project, executable, run
from sparkify.errors import CheckFailed, SetupError, UsageError
from sparkify.generate.hostile import add_hostile_files
from sparkify.settings import ConnectionSettings, connection_settings
from sparkify.spark.session import master_problem
from sparkify.spark.settings import SparkSettings, spark_settings

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

MARTS_PATH = "models/marts/"
SIGNIFICANT_DIGITS = 12
DECIMAL_PLACES = Decimal(10) ** -10  # the scale of exact_numeric_type() on Spark
EXAMPLES = 3
ENGINES = ("postgres", "spark")
# Lineage columns that say when each engine's loader ran (quality.load_runs and the
# quarantine say so too): they differ between any two
# loads of the same data, so they are left out of the comparison (and said so).
LOAD_TIME_COLUMNS = frozenset(
    {"_loaded_at", "_catalogue_loaded_at", "loaded_at", "started_at", "finished_at"}
)
SHOWN_TEXT = 60  # characters of a long text value shown in an example row
# The generated dataset: at least this many events, every quirk the generator writes.
MIN_GENERATED_EVENTS = 20_000

Value = tuple[str, ...]  # (kind, canonical text), or NULL
Row = tuple[Value, ...]
NULL: Value = ("null",)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


# --- canonical values ------------------------------------------------------------------


def canonical_number(value: int | float | Decimal) -> str:
    """Integers exactly; other numbers, decimals and floats alike, to DECIMAL_PLACES,
    then to SIGNIFICANT_DIGITS, without trailing zeros."""
    if isinstance(value, int):
        return str(value)
    number = value if isinstance(value, Decimal) else Decimal(repr(float(value)))
    if not number.is_finite():
        return str(number).lower()  # nan, inf, -inf (Postgres and Spark both have them)
    if number.adjusted() < SIGNIFICANT_DIGITS:  # larger ones have no 10th place left at 12
        # decimal(38,10) holds 38 digits: more than the default context's 28
        number = number.quantize(DECIMAL_PLACES, context=Context(prec=40, rounding=ROUND_HALF_UP))
    if number == 0:
        return "0"  # -0, 0E-10 and what is below the tenth place alike
    rounded = Decimal(format(number, f".{SIGNIFICANT_DIGITS - 1}e")).normalize()
    return format(rounded, "f")


def canonical_timestamp(value: datetime) -> str:
    """UTC, ISO 8601, milliseconds; a naive timestamp is taken as UTC already."""
    utc = value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
    return utc.replace(tzinfo=None).isoformat(timespec="milliseconds")


def canonical(value: object) -> Value:
    """One value as (kind, text): equal for what both engines mean as equal."""
    if value is None:
        return NULL
    if isinstance(value, bool):
        return ("bool", "true" if value else "false")
    if isinstance(value, int | float | Decimal):
        return ("number", canonical_number(value))
    if isinstance(value, datetime):
        return ("timestamp", canonical_timestamp(value))
    if isinstance(value, date):
        return ("date", value.isoformat())
    if isinstance(value, str):
        return ("text", value)
    if isinstance(value, timedelta):
        return ("number", canonical_number(Decimal(str(value.total_seconds()))))
    if isinstance(value, bytes | bytearray | memoryview):
        return ("bytes", bytes(value).hex())
    raise CheckFailed(
        f"cannot compare a value of type {type(value).__name__} ({value!r}); "
        "teach sparkify.checks.engines.canonical about it"
    )


def show(value: Value) -> str:
    if value == NULL:
        return "null"
    if value[0] != "text":
        return value[1]
    text = value[1]
    return repr(text if len(text) <= SHOWN_TEXT else f"{text[:SHOWN_TEXT]}...")


# --- tables ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Table:
    """A relation's rows as a multiset of canonical rows, columns in name order."""

    columns: tuple[str, ...]
    rows: Counter[Row]

    @property
    def row_count(self) -> int:
        return self.rows.total()

    @classmethod
    def of(
        cls,
        columns: Sequence[str],
        rows: Iterable[Sequence[object]],
        ignore: frozenset[str] = LOAD_TIME_COLUMNS,
    ) -> Table:
        names = [name.lower() for name in columns]
        if len(set(names)) != len(names):
            raise CheckFailed(f"duplicate column names in {list(columns)}")
        kept = [i for i, name in enumerate(names) if name not in ignore]
        order = sorted(kept, key=names.__getitem__)
        counted: Counter[Row] = Counter(tuple(canonical(row[i]) for i in order) for row in rows)
        return cls(tuple(names[i] for i in order), counted)

    def column_values(self, column: str) -> Counter[Value]:
        index = self.columns.index(column)
        values: Counter[Value] = Counter()
        for row, count in self.rows.items():
            values[row[index]] += count
        return values

    def describe_row(self, row: Row, first: Sequence[str] = ()) -> str:
        """The row as name=value, the columns in `first` first, long texts shortened."""
        values = dict(zip(self.columns, row, strict=True))
        order = [*first, *(name for name in self.columns if name not in first)]
        return ", ".join(f"{name}={show(values[name])}" for name in order)


@dataclass(frozen=True)
class Difference:
    """How a model differs between two engines; str() is its report."""

    model: str
    left: str
    right: str
    left_rows: int
    right_rows: int
    columns: tuple[str, ...]  # columns whose multisets of values differ
    missing_columns: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    examples: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def summary(self) -> str:
        counts = f"{self.left} {self.left_rows:,} rows, {self.right} {self.right_rows:,}"
        parts = [f"{self.model}: {counts}"]
        for engine, names in self.missing_columns.items():
            parts.append(f"columns only in {engine}: {', '.join(names)}")
        if self.columns:
            parts.append(f"columns that differ: {', '.join(self.columns)}")
        elif not self.missing_columns:
            parts.append("every column's values agree, but not how they pair up in rows")
        return "; ".join(parts)

    def __str__(self) -> str:
        lines = [self.summary()]
        for engine, rows in self.examples.items():
            lines.extend(f"  only in {engine}: {row}" for row in rows)
        return "\n".join(lines)


def compare(
    model: str, left: Table, right: Table, names: Sequence[str] = ENGINES
) -> Difference | None:
    """None when both tables hold the same multiset of rows, else what differs."""
    left_name, right_name = names
    if left.columns != right.columns:
        missing = {
            left_name: tuple(c for c in left.columns if c not in right.columns),
            right_name: tuple(c for c in right.columns if c not in left.columns),
        }
        common = tuple(c for c in left.columns if c in right.columns)
        differing = tuple(c for c in common if left.column_values(c) != right.column_values(c))
        return Difference(
            model, left_name, right_name, left.row_count, right.row_count, differing,
            missing_columns={engine: cols for engine, cols in missing.items() if cols},
        )  # fmt: skip
    if left.rows == right.rows:
        return None
    differing = tuple(c for c in left.columns if left.column_values(c) != right.column_values(c))
    examples = {
        name: tuple(
            table.describe_row(row, differing) for row in list(table.rows - other.rows)[:EXAMPLES]
        )
        for name, table, other in ((left_name, left, right), (right_name, right, left))
    }
    return Difference(
        model, left_name, right_name, left.row_count, right.row_count, differing,
        examples={name: rows for name, rows in examples.items() if rows},
    )  # fmt: skip


# --- reading relations -----------------------------------------------------------------


@dataclass(frozen=True, order=True)
class Relation:
    schema: str
    name: str

    def __str__(self) -> str:
        return f"{self.schema}.{self.name}"


def mart_relations(manifest_path: Path) -> dict[str, Relation]:
    """Every model under models/marts/ in a dbt manifest, by model name."""
    if not manifest_path.is_file():
        raise CheckFailed(f"{manifest_path} not found: dbt did not write its manifest")
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    return {
        node["name"]: Relation(node["schema"], node.get("alias") or node["name"])
        for node in manifest.get("nodes", {}).values()
        if node.get("resource_type") == "model"
        and str(node.get("original_file_path", "")).startswith(MARTS_PATH)
    }


def read_postgres(conn: psycopg.Connection, relation: Relation) -> Table:
    """Every row of a Postgres relation."""
    with conn.cursor() as cursor:
        cursor.execute(
            sql.SQL("select * from {}.{}").format(
                sql.Identifier(relation.schema), sql.Identifier(relation.name)
            )
        )
        columns = [column.name for column in cursor.description or []]
        return Table.of(columns, cursor)


def read_spark(spark: SparkSession, relation: Relation) -> Table:
    """Every row of a Spark relation, streamed to the driver one partition at a time.

    Timestamps are read as microseconds since the epoch: pyspark would turn them into
    naive datetimes in the Python process's local time zone.
    """
    from pyspark.sql import functions
    from pyspark.sql.types import TimestampType

    frame = spark.table(f"`{relation.schema}`.`{relation.name}`")
    timestamps = {f.name for f in frame.schema.fields if isinstance(f.dataType, TimestampType)}
    frame = frame.select(
        *(
            functions.unix_micros(functions.col(name)).alias(name) if name in timestamps else name
            for name in frame.columns
        )
    )
    positions = [i for i, name in enumerate(frame.columns) if name in timestamps]

    def rows() -> Iterator[list[Any]]:
        for row in frame.toLocalIterator():
            values = list(row)
            for i in positions:
                if values[i] is not None:
                    values[i] = EPOCH + timedelta(microseconds=values[i])
            yield values

    return Table.of(frame.columns, rows())


# --- the engines -----------------------------------------------------------------------


class Engine(Protocol):
    """Where one side of the comparison is built and read back."""

    name: str

    def build(self, data_dir: Path) -> dict[str, Relation]:
        """Load data_dir into fresh raw tables and dbt-build it; the marts' relations."""
        ...

    def read(self, relations: Mapping[str, Relation]) -> Iterator[tuple[str, Table]]:
        """Each of the relations' rows, one model at a time."""
        ...

    def close(self) -> None:
        """Drop what the engine made (unless it is kept)."""
        ...


def dbt_env(base: Mapping[str, str], work: Path, profiles_dir: Path) -> dict[str, str]:
    return {
        **base,
        "DBT_PROFILES_DIR": str(profiles_dir),
        "DBT_TARGET_PATH": str(work / "target"),
        "DBT_LOG_PATH": str(work / "logs"),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }


@dataclass
class PostgresEngine:
    """A scratch database on the server the PG* variables point at."""

    name: str
    project: Project
    server: ConnectionSettings
    database: str
    work: Path
    profiles_dir: Path
    keep: bool = False

    @property
    def settings(self) -> ConnectionSettings:
        return self.server.with_database(self.database)

    def build(self, data_dir: Path) -> dict[str, Relation]:
        work = self.work / self.name
        shutil.rmtree(work, ignore_errors=True)
        db.recreate_database(self.server, self.database)
        env = dbt_env(self.settings.env(), work, self.profiles_dir)
        run(
            [executable("sparkify-load"), "--data-dir", str(data_dir), "--no-progress"],
            env,
            self.project.root,
        )
        run([executable("dbt"), "build", "--full-refresh", "-q"], env, self.project.root)
        return mart_relations(work / "target" / "manifest.json")

    def read(self, relations: Mapping[str, Relation]) -> Iterator[tuple[str, Table]]:
        with db.connect(self.settings) as conn:
            conn.execute("set time zone 'UTC'")
            for model, relation in sorted(relations.items()):
                yield model, read_postgres(conn, relation)

    def close(self) -> None:
        if not self.keep:
            db.drop_database(self.server, self.database)


@dataclass
class SparkEngine:
    """A fresh state dir (warehouse + metastore) of the check's own, on the project's master.

    The state dir is replaced before each build, so raw tables and marts start empty;
    the master stays the one sparkify.spark.settings names, so a running local cluster
    is used as it is (the children get it as SPARK_MASTER and start nothing).
    """

    name: str
    project: Project
    settings: SparkSettings  # the check's: the user's master, the check's state dir
    work: Path
    profiles_dir: Path
    keep: bool = False

    def env(self, work: Path) -> dict[str, str]:
        env = dbt_env(os.environ, work, self.profiles_dir)
        env["SPARK_MASTER"] = self.settings.master
        env["SPARKIFY_SPARK_DIR"] = str(self.settings.state_dir)
        return env

    def build(self, data_dir: Path) -> dict[str, Relation]:
        work = self.work / self.name
        shutil.rmtree(work, ignore_errors=True)
        shutil.rmtree(self.settings.state_dir, ignore_errors=True)
        self.settings.state_dir.mkdir(parents=True)
        env = self.env(work)
        run(
            [
                executable("sparkify-load"), "--target", "spark", "--data-dir", str(data_dir),
                "--no-progress",
            ],
            env,
            self.project.root,
        )  # fmt: skip
        run(
            [executable("dbt"), "build", "--full-refresh", "--target", "spark", "-q"],
            env,
            self.project.root,
        )
        return mart_relations(work / "target" / "manifest.json")

    def read(self, relations: Mapping[str, Relation]) -> Iterator[tuple[str, Table]]:
        # Only now: dbt's JVM has exited, and the Derby metastore allows one at a time.
        from sparkify.spark.session import spark_session

        with spark_session(self.settings, "sparkify-check-engines", end_jvm=True) as spark:
            for model, relation in sorted(relations.items()):
                yield model, read_spark(spark, relation)

    def close(self) -> None:
        if not self.keep:
            shutil.rmtree(self.settings.state_dir, ignore_errors=True)


def ensure_master(project: Project, settings: SparkSettings) -> None:
    """Start the project's local cluster when it is the master and not running."""
    if master_problem(settings.master, timeout=2.0) is None:
        return
    if not settings.local:
        raise CheckFailed(
            f"the Spark master {settings.master} (SPARK_MASTER) is not reachable; "
            "start it or unset SPARK_MASTER to use the project's local cluster"
        )
    script = project.root / "scripts" / "spark.py"
    if not script.is_file():
        raise SetupError(f"{script} not found: cannot start the local Spark cluster")
    run([sys.executable, str(script), "start"], dict(os.environ), project.root)


# --- the check -------------------------------------------------------------------------


@dataclass(frozen=True)
class Dataset:
    label: str
    data_dir: Path


def generate(out_dir: Path, events: int, seed: int = 9) -> Path:
    """A generated dataset with every quirk the generator writes, and the hostile values
    (sparkify.generate.hostile) that the data rules quarantine: both engines must
    quarantine the same rows with the same rule, field and raw text."""
    print(f"== generating {events:,} events into {out_dir}", flush=True)
    run(
        [
            executable("sparkify-generate"), "--out", str(out_dir), "--events", str(events),
            "--seed", str(seed), "--days", "30",
        ],
        dict(os.environ),
        out_dir.parent,
    )  # fmt: skip
    add_hostile_files(out_dir)
    return out_dir


@dataclass
class Outcome:
    agreed: list[str] = field(default_factory=list)
    differences: list[Difference] = field(default_factory=list)


def compare_engines(
    left: Engine, right: Engine, left_relations: Mapping[str, Relation],
    right_relations: Mapping[str, Relation], label: str,
) -> Outcome:  # fmt: skip
    """Read every mart from both engines (one engine at a time) and compare them."""
    outcome = Outcome()
    only = {
        left.name: sorted(set(left_relations) - set(right_relations)),
        right.name: sorted(set(right_relations) - set(left_relations)),
    }
    for engine, models in only.items():
        if models:
            raise CheckFailed(f"{label}: models built by {engine} only: {', '.join(models)}")
    if not left_relations:
        raise CheckFailed(f"{label}: no model under {MARTS_PATH} in the manifest")
    step = time.perf_counter()
    print(f"== {label}: reading {len(left_relations)} marts from {left.name}", flush=True)
    left_tables = dict(left.read(left_relations))
    print(f"== {label}: reading {len(right_relations)} marts from {right.name}", flush=True)
    for model, right_table in right.read(right_relations):
        left_table = left_tables.pop(model)
        difference = compare(model, left_table, right_table, (left.name, right.name))
        if difference is None:
            line = f"{label}: {model}: {left_table.row_count:,} rows agree"
            outcome.agreed.append(line)
            print(line, flush=True)
        else:
            outcome.differences.append(dataclasses.replace(difference, model=f"{label}: {model}"))
            print(f"DIFFERS {label}: {difference}", flush=True)
    print(f"== {label}: compared in {time.perf_counter() - step:.1f}s", flush=True)
    return outcome


def build_both(left: Engine, right: Engine, dataset: Dataset) -> Outcome:
    relations = {}
    for engine in (left, right):
        started = time.perf_counter()
        print(f"== {dataset.label}: {engine.name}: load {dataset.data_dir}, dbt build", flush=True)
        relations[engine.name] = engine.build(dataset.data_dir)
        print(
            f"== {dataset.label}: {engine.name} built in {time.perf_counter() - started:.0f}s",
            flush=True,
        )
    return compare_engines(left, right, relations[left.name], relations[right.name], dataset.label)


def make_engines(
    project: Project, engines: Sequence[str], work: Path, profiles_dir: Path, keep: bool
) -> list[Engine]:
    """The two engines compared, each in a place of the check's own."""
    if len(engines) != 2 or any(name not in ENGINES for name in engines):
        raise UsageError(f"--engines takes two of {', '.join(ENGINES)}, e.g. postgres,spark")
    made: list[Engine] = []
    for position, kind in enumerate(engines, start=1):
        name = kind if engines[0] != engines[1] else f"{kind}{position}"
        if kind == "postgres":
            server = connection_settings()
            database = f"{server.database}_engines" + ("" if name == kind else f"_{position}")
            made.append(PostgresEngine(name, project, server, database, work, profiles_dir, keep))
        else:
            user = spark_settings(cwd=project.root)
            state_dir = user.state_dir / "check_engines" / name
            settings = dataclasses.replace(user, state_dir=state_dir)
            ensure_master(project, settings)
            made.append(SparkEngine(name, project, settings, work, profiles_dir, keep))
    return made


def check(
    project: Project, datasets: Sequence[Dataset | int], engines: Sequence[str] = ENGINES,
    keep: bool = False,
) -> Outcome:  # fmt: skip
    """Build and compare every dataset (an int: generate that many events); raises
    CheckFailed with one line per model that differs."""
    total = Outcome()
    print(
        "== not compared (when each engine's loader ran): " + ", ".join(sorted(LOAD_TIME_COLUMNS)),
        flush=True,
    )
    with ExitStack() as stack:
        work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="check_engines_")))
        profiles_dir = work / "profiles"
        profiles_dir.mkdir()
        shutil.copy(project.profiles_example, profiles_dir / "profiles.yml")
        left, right = make_engines(project, engines, work, profiles_dir, keep)
        stack.callback(right.close)
        stack.callback(left.close)
        for dataset in datasets:
            if isinstance(dataset, int):
                dataset = Dataset(
                    f"generated {dataset:,} events and hostile values",
                    generate(work / "generated", dataset),
                )
            if not (dataset.data_dir / "log_data").is_dir():
                raise UsageError(f"{dataset.data_dir} holds no log_data/; pass another data dir")
            outcome = build_both(left, right, dataset)
            total.agreed += outcome.agreed
            total.differences += outcome.differences
    if total.differences:
        for difference in total.differences:
            print(difference.summary(), file=sys.stderr)
        raise CheckFailed(
            f"{len(total.differences)} marts differ between {left.name} and {right.name} "
            "(listed above)"
        )
    print(f"OK: all {len(total.agreed)} marts agree between {left.name} and {right.name}")
    return total
