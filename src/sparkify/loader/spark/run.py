"""A load run on Spark: the driver's side. It never reads a record; the executors do.

1. Create the raw tables if missing (an older rejected_records gets reason_kind, its
   rows filled); take the load lock (a file lock in the Spark state dir: a second
   loader waits); close runs that died as 'interrupted'; open this run's load_runs row
   ('running'); read loaded_files.
2. One Spark job: the executors hash and parse the files (tasks.process_files) into
   tagged rows, kept on the executors; the driver collects only a figure row per file.
3. Write the new rows as new ``load id`` partitions of song_data, log_data and
   rejected_records (each appears at once), and check that the tables hold exactly what
   was parsed (LoadIntegrityError otherwise).
4. Register the files: loaded_files is rewritten and switched at once. From here on the
   new versions are visible, and the versions they replace are not.
5. Remove what nobody can see any more: the rows of replaced versions and, after an
   interrupted run, its unregistered rows and directories. Close the run's row.

Readers trust only registered versions (a row is visible iff its file and load id are a
loaded_files row), so a kill at any step leaves every file fully visible or not at all,
and the next run finishes the job.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sparkify.errors import DatabaseUnavailable, LoadIntegrityError, SetupError, SparkifyError
from sparkify.loader.discover import Discovery, SourceFile, discover
from sparkify.loader.names import check_schema_name
from sparkify.loader.progress import Progress
from sparkify.loader.records import reason_kind
from sparkify.loader.results import FileResult, RunSummary
from sparkify.loader.spark import ledger
from sparkify.loader.spark.schema import (
    RECORD_COLUMNS,
    REJECT_COLUMNS,
    TABLES,
    create_raw_tables,
)
from sparkify.loader.spark.storage import Store
from sparkify.loader.spark.tasks import (
    FIGURES,
    REJECTS,
    Figures,
    FileTask,
    plan_tasks,
    process_files,
)
from sparkify.spark.session import master_problem, spark_session
from sparkify.spark.settings import SparkSettings, spark_settings

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

APP_NAME = "sparkify-load"
RECORD_TABLES = ("song_data", "log_data")
MASTER_TIMEOUT_SECONDS = 5


def checkpoint(step: str) -> None:
    """Called between the steps that a kill may separate; tests replace it to crash there.

    Steps: "partitions_added" (new rows written, nothing registered yet),
    "registered" (loaded_files switched, replaced rows not yet removed).
    """


def load_data_dir(
    data_dir: Path,
    schema: str = "raw",
    progress: bool | None = None,
    settings: SparkSettings | None = None,
    spark: SparkSession | None = None,
) -> RunSummary:
    """Load every input file under data_dir into Spark's raw database; return the summary.

    With ``spark`` given (tests), that session is used; otherwise one is started on the
    settings' master and stopped at the end.
    """
    check_schema_name(schema)
    found = discover(data_dir)
    settings = settings or spark_settings()
    meter = Progress(len(found.files), enabled=progress)
    try:
        with _exclusive_load(settings, schema):
            if spark is not None:
                return _guarded(spark, found, data_dir, schema, meter)
            check_can_start(settings)
            with spark_session(settings, APP_NAME) as session:
                return _guarded(session, found, data_dir, schema, meter)
    finally:
        meter.close()


def check_can_start(settings: SparkSettings) -> None:
    """Java present and the master reachable: said in one line before Spark says worse."""
    if not (shutil.which("java") or os.environ.get("JAVA_HOME")):
        raise SetupError(
            "Java is not installed (no java on PATH, no JAVA_HOME), and Spark needs it: "
            "install a Java 17 runtime (Debian: apt-get install openjdk-17-jre-headless) and rerun"
        )
    problem = master_problem(settings.master, MASTER_TIMEOUT_SECONDS)
    if problem is None:
        return
    start = (
        "start it with `python scripts/spark.py start`"
        if settings.local
        else "check SPARK_MASTER and that the cluster is up"
    )
    raise DatabaseUnavailable(
        f"cannot reach the Spark master at {settings.master} ({problem}): {start}"
    )


@contextmanager
def _exclusive_load(settings: SparkSettings, schema: str) -> Iterator[None]:
    """A lock file in the state dir, so two loaders never load one database at once."""
    settings.run_dir.mkdir(parents=True, exist_ok=True)
    with open(settings.run_dir / f"load_raw.{schema}.lock", "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print(
                f"another load into Spark database {schema} is running; waiting for it to "
                "finish (Ctrl-C to give up)",
                file=sys.stderr,
                flush=True,
            )
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _guarded(
    spark: SparkSession, found: Discovery, data_dir: Path, schema: str, meter: Progress
) -> RunSummary:
    """The run, with Spark's own failures turned into one line."""
    from py4j.protocol import Py4JError
    from pyspark.errors import PySparkException

    try:
        return _run(spark, found, data_dir, schema, meter)
    except (Py4JError, PySparkException) as exc:
        message = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise SparkifyError(
            f"Spark failed while loading {data_dir} into database {schema}: {message[:300]}; "
            "files registered before it are kept: rerun to finish"
        ) from None


def _now() -> datetime:
    return datetime.now(UTC)


def _run(
    spark: SparkSession, found: Discovery, data_dir: Path, schema: str, meter: Progress
) -> RunSummary:
    create_raw_tables(spark, schema)
    store = Store(spark, schema)
    _fill_reason_kinds(store)
    runs = ledger.read_runs(store)
    if ledger.close_abandoned_runs(store, runs, _now()):
        ledger.write_runs(store, runs)
    dirty = ledger.needs_cleanup(runs)
    used = [run["load_id"] for run in runs]
    for table in ("song_data", "log_data", "rejected_records"):
        used += store.partitions(table)
    load_id = max(used, default=0) + 1
    started = _now()
    run = ledger.new_run(load_id, str(data_dir), started)
    runs.append(run)
    ledger.write_runs(store, runs)

    files = found.files
    summary = RunSummary(load_id, schema, str(data_dir), files_seen=found.paths)
    try:
        ledger.record_ignored(store, found.ignored, load_id, started)
        registered = ledger.registered_files(store)
        figures = _land(spark, store, files, registered, load_id, started, meter) if files else []
        order = {source_file.relative: n for n, source_file in enumerate(files)}
        figures.sort(key=lambda f: order[f.relative])
        summary.results = found.ignored_results() + [_result(f) for f in figures]
        landed = [f for f in figures if f.status in ("loaded", "replaced")]
        if landed:
            ledger.register_files(store, landed, load_id, started)
        checkpoint("registered")
        if dirty or any(f.status == "replaced" for f in landed):
            _remove_unregistered(store)
        if dirty:
            for table in TABLES:
                store.remove_leftovers(table)
    except BaseException:
        summary.finish()
        _record_interruption(store, runs, run, summary)
        raise
    summary.finish()
    ledger.close_run(run, summary, summary.status, _now())
    ledger.write_runs(store, runs)
    return summary


def _record_interruption(
    store: Store, runs: list[dict[str, Any]], run: dict[str, Any], summary: RunSummary
) -> None:
    # Spark itself may be what failed; then the next run closes this one.
    try:
        ledger.close_run(run, summary, "interrupted", _now())
        ledger.write_runs(store, runs)
    except Exception:  # best effort: the original error is what matters
        pass


def _result(figures: Figures) -> FileResult:
    return FileResult(
        figures.relative,
        figures.status,  # type: ignore[arg-type]
        figures.records_loaded,
        figures.records_rejected,
        figures.blank_lines,
        figures.file_bytes,
        figures.error,
        figures.top_reject,
    )


def _file_tasks(
    files: list[SourceFile], registered: dict[str, ledger.Registered]
) -> list[FileTask]:
    tasks = []
    for source_file in files:
        try:
            size = source_file.path.stat().st_size
        except OSError:
            size = 0  # the executor reports it as unreadable
        earlier = registered.get(source_file.relative)
        tasks.append(
            FileTask(
                source_file.source,
                str(source_file.path.absolute()),
                source_file.relative,
                size,
                earlier.sha256 if earlier else None,
            )
        )
    return tasks


def _land(
    spark: SparkSession,
    store: Store,
    files: list[SourceFile],
    registered: dict[str, ledger.Registered],
    load_id: int,
    loaded_at: datetime,
    meter: Progress,
) -> list[Figures]:
    """Parse on the executors, write the new partitions, check them; return the figures."""
    from pyspark import StorageLevel

    context = spark.sparkContext
    plan = plan_tasks(_file_tasks(files, registered), context.defaultParallelism)
    counters = (context.accumulator(0), context.accumulator(0))
    rows = context.parallelize(plan, len(plan)).mapPartitions(
        lambda tasks: process_files(tasks, load_id, loaded_at, counters)
    )
    rows.persist(StorageLevel.MEMORY_AND_DISK)
    try:
        meter.start_file(f"{len(files):,} files in {len(plan)} Spark tasks")
        with _metered(meter, counters):
            figures: list[Figures] = [
                row[1] for row in rows.filter(lambda row: row[0] == FIGURES).collect()
            ]
        for table, columns in (
            *((t, RECORD_COLUMNS) for t in RECORD_TABLES),
            (REJECTS, REJECT_COLUMNS),
        ):
            if _expected_rows(figures, table):
                frame = _frame(spark, rows, table, columns)
                store.add_partition(table, load_id, frame)
    finally:
        rows.unpersist()
    _check_stored(store, figures, load_id)
    checkpoint("partitions_added")
    return figures


def _frame(spark: SparkSession, rows: Any, table: str, columns: str) -> DataFrame:
    tagged = rows.filter(lambda row: row[0] == table).map(lambda row: row[1:])
    return spark.createDataFrame(tagged, columns, verifySchema=False)


def _expected_rows(figures: list[Figures], table: str) -> dict[str, int]:
    """Per file, the rows this run writes to table."""
    if table == REJECTS:
        return {f.relative: f.records_rejected for f in figures if f.records_rejected}
    return {f.relative: f.records_loaded for f in figures if f.source == table and f.records_loaded}


def _check_stored(store: Store, figures: list[Figures], load_id: int) -> None:
    """Spark's own counts of the new partitions must match what was parsed, file by file."""
    for table in (*RECORD_TABLES, REJECTS):
        expected = _expected_rows(figures, table)
        file_column, id_column = (
            ("source_file", "load_id") if table == REJECTS else ("_source_file", "_load_id")
        )
        stored: dict[str, int] = {}
        if expected or load_id in store.partitions(table):
            stored = dict(
                store.spark.sql(
                    f"select {file_column}, count(*) from {store.name(table)} "
                    f"where {id_column} = {load_id} group by {file_column}"
                ).collect()
            )
        if stored == expected:
            continue
        wrong = sorted(set(stored) | set(expected), key=str)
        first = next(name for name in wrong if stored.get(name, 0) != expected.get(name, 0))
        raise LoadIntegrityError(
            f"{first}: parsed {expected.get(first, 0):,} rows for {store.name(table)}, but "
            f"Spark stored {stored.get(first, 0):,}, so no file of this run was registered; "
            "rerun (the next run removes the unregistered rows)"
        )


def _remove_unregistered(store: Store) -> None:
    """Rewrite every partition that holds rows of unregistered file versions.

    A partition is clean when its row count is what loaded_files says its load id holds
    (registered rows are never removed, so any surplus is unregistered rows).
    """
    spark = store.spark
    ledger_rows = spark.table(store.name("loaded_files"))
    for table in (*RECORD_TABLES, REJECTS):
        file_column, id_column = (
            ("source_file", "load_id") if table == REJECTS else ("_source_file", "_load_id")
        )
        if table == REJECTS:
            wanted = ledger_rows.groupBy("load_id").sum("records_rejected").collect()
        else:
            wanted = (
                ledger_rows.where(ledger_rows.source_name == table)
                .groupBy("load_id")
                .sum("records_loaded")
                .collect()
            )
        expected = {int(row[0]): int(row[1]) for row in wanted}
        actual = spark.sql(
            f"select {id_column}, count(*) from {store.name(table)} group by {id_column}"
        ).collect()
        for value, count in ((int(row[0]), int(row[1])) for row in actual):
            if count == expected.get(value, 0):
                continue
            if not expected.get(value):
                store.replace_partition(table, value, None)
                continue
            keys = ledger_rows.where(ledger_rows.load_id == value).select(
                ledger_rows.source_file.alias(file_column)
            )
            kept = (
                spark.table(store.name(table))
                .where(f"{id_column} = {value}")
                .join(keys, file_column, "left_semi")
                .drop(id_column)
            )
            store.replace_partition(table, value, kept)


def _fill_reason_kinds(store: Store) -> None:
    """Rejects written before rejected_records had reason_kind read it as null: rewrite
    each partition holding such rows with the kind of every reason (records.reason_kind,
    computed here on the driver for the distinct reasons), then switch to it
    (Store.replace_partition). A kill between two partitions leaves the rest to the next
    run."""
    from pyspark.sql import functions

    spark = store.spark
    table = store.name(REJECTS)
    missing = spark.sql(
        f"select distinct load_id, reason from {table} where reason_kind is null"
    ).collect()
    if not missing:
        return
    reasons = sorted({row[1] for row in missing})
    kinds = spark.createDataFrame(
        [(reason, reason_kind(reason)) for reason in reasons], "reason string, kind string"
    )
    for value in sorted({int(row[0]) for row in missing}):
        filled = (
            spark.table(table)
            .where(f"load_id = {value}")
            .drop("load_id")
            .join(kinds, "reason", "left")
            .withColumn("reason_kind", functions.coalesce("reason_kind", "kind"))
            .drop("kind")
        )
        store.replace_partition(REJECTS, value, filled)


@contextmanager
def _metered(meter: Progress, counters: tuple[Any, Any]) -> Iterator[None]:
    """Redraw the progress line from the tasks' accumulators while the job runs."""
    if not meter.line.enabled:
        yield
        return
    stop = threading.Event()

    def update() -> None:
        files_done, lines = min(counters[0].value, meter.total_files), counters[1].value
        if lines > meter.records:
            meter.add_records(lines - meter.records)
        if files_done > meter.files_done:
            meter.finish_files(files_done - meter.files_done)

    def poll() -> None:
        while not stop.wait(0.25):
            update()

    thread = threading.Thread(target=poll, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
        update()
