"""The raw tables on Spark (parquet, Hive metastore): created if missing, same names as Postgres.

log_data, song_data and rejected_records are partitioned by load id, so that a run's
new rows appear in one metastore operation (``add partition``) and a partition can be
rewritten and switched in one (``set location``). loaded_files and load_runs are small
and rewritten whole, then switched with ``set location``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

RECORD_COLUMNS = (
    "record string, _source_file string, _source_line int, _file_sha256 string, "
    "_loaded_at timestamp"
)
REJECT_COLUMNS = (
    "source_name string, source_file string, source_line int, reason string, "
    "reason_kind string, raw_text string, raw_bytes binary, rejected_at timestamp"
)
LOADED_FILES_COLUMNS = (
    "source_file string, source_name string, file_sha256 string, file_bytes bigint, "
    "records_loaded bigint, records_rejected bigint, blank_lines bigint, load_id bigint, "
    "loaded_at timestamp"
)
LOAD_RUNS_COLUMNS = (
    "load_id bigint, data_dir string, started_at timestamp, finished_at timestamp, "
    "status string, files_loaded int, files_replaced int, files_skipped int, "
    "records_loaded bigint, records_rejected bigint, blank_lines bigint"
)
IGNORED_FILES_COLUMNS = (
    "load_id bigint, source_name string, source_file string, reason string, ignored_at timestamp"
)

# table -> (columns without the partition column, partition column or None)
TABLES: dict[str, tuple[str, str | None]] = {
    "log_data": (RECORD_COLUMNS, "_load_id"),
    "song_data": (RECORD_COLUMNS, "_load_id"),
    "rejected_records": (REJECT_COLUMNS, "load_id"),
    "loaded_files": (LOADED_FILES_COLUMNS, None),
    "load_runs": (LOAD_RUNS_COLUMNS, None),
    "ignored_files": (IGNORED_FILES_COLUMNS, None),
}


def create_raw_tables(spark: SparkSession, database: str) -> None:
    """Create the database and its six tables if missing, and add to a table of an older
    loader the columns it lacks (rejected_records.reason_kind): its rows read them as
    null until filled (run.py fills reason_kind)."""
    spark.sql(f"create database if not exists `{database}`")
    for table, (columns, partition) in TABLES.items():
        name = f"`{database}`.`{table}`"
        full = columns + (f", {partition} bigint" if partition else "")
        partitioned = f" partitioned by ({partition})" if partition else ""
        spark.sql(f"create table if not exists {name} ({full}) using parquet{partitioned}")
        present = {column.lower() for column in spark.table(name).columns}
        missing = [c for c in columns.split(", ") if c.split()[0].lower() not in present]
        if missing:
            spark.sql(f"alter table {name} add columns ({', '.join(missing)})")
            spark.catalog.refreshTable(name)
