"""Atomic switches of Spark tables without transactions: write a new directory, then point
the metastore at it in one operation.

- a new partition: its parquet is written into a fresh directory, then ``alter table
  ... add partition ... location`` makes all of it appear at once;
- a rewritten partition or a rewritten small table: written to a fresh directory, then
  ``set location``; the old directory is deleted only after the switch.

Nothing is ever deleted before its replacement is in place, so a kill at any moment
leaves each table either as it was or as it is meant to become, plus, at worst, a
directory no table points at. ``remove_leftovers`` deletes those.

Directories (any Hadoop file system, through Spark's own FileSystem):
``<table root>/<partition column>=<value>/<version>`` for partitions and
``<table root>.versions/<version>`` for the small tables.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from sparkify.loader.spark.schema import TABLES

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession


class Store:
    """The raw tables of one Spark database, and the directories behind them."""

    def __init__(self, spark: SparkSession, database: str):
        self.spark = spark
        self.database = database
        jvm: Any = spark._jvm  # py4j: the only way to Hadoop's FileSystem
        self._jvm = jvm
        self._conf = spark._jsc.hadoopConfiguration()
        self._root = self._location(f"describe database extended `{database}`")

    def name(self, table: str) -> str:
        return f"`{self.database}`.`{table}`"

    # --- where things are --------------------------------------------------------------

    def table_root(self, table: str) -> str:
        """Where the table's versions live: <database location>/<table>."""
        return f"{self._root}/{table}"

    def table_location(self, table: str) -> str:
        return self._location(f"describe table extended {self.name(table)}")

    def partition_location(self, table: str, value: int) -> str:
        column = TABLES[table][1]
        return self._location(
            f"describe formatted {self.name(table)} partition ({column} = {int(value)})"
        )

    def partitions(self, table: str) -> list[int]:
        """The values of the table's registered partitions."""
        rows = self.spark.sql(f"show partitions {self.name(table)}").collect()
        return sorted(int(row[0].split("=", 1)[1]) for row in rows)

    def _location(self, statement: str) -> str:
        # The first Location row is the partition's (when asked), then the table's.
        for row in self.spark.sql(statement).collect():
            if row[0] == "Location":
                return self._path(row[1]).toString()
        raise LookupError(f"no Location in {statement}")

    def _path(self, uri: str) -> Any:
        return self._jvm.org.apache.hadoop.fs.Path(uri)

    def _new_dir(self, table: str, value: int | None) -> str:
        root = self.table_root(table)
        version = f"v-{uuid.uuid4().hex[:12]}"
        if value is None:
            return f"{root}.versions/{version}"
        return f"{root}/{TABLES[table][1]}={int(value)}/{version}"

    # --- the switches ------------------------------------------------------------------

    def replace_table(self, table: str, frame: DataFrame) -> None:
        """Write a whole small table anew, then switch to it; delete the old version."""
        old = self.table_location(table)
        new = self._new_dir(table, None)
        frame.coalesce(1).write.parquet(new)
        self.spark.sql(f"alter table {self.name(table)} set location '{new}'")
        self.spark.catalog.refreshTable(self.name(table))
        if ".versions/" in old:  # never the table's own (empty) root
            self.delete(old)

    def add_partition(self, table: str, value: int, frame: DataFrame) -> None:
        """Write a new partition's rows, then add it: all of them appear at once."""
        new = self._new_dir(table, value)
        frame.write.parquet(new)
        column = TABLES[table][1]
        self.spark.sql(
            f"alter table {self.name(table)} add partition ({column} = {int(value)}) "
            f"location '{new}'"
        )

    def replace_partition(self, table: str, value: int, frame: DataFrame | None) -> None:
        """Rewrite a partition with the rows of frame (None: no rows), then switch to it."""
        column = TABLES[table][1]
        spec = f"partition ({column} = {int(value)})"
        old = self.partition_location(table, value)
        if frame is None:
            self.spark.sql(f"alter table {self.name(table)} drop if exists {spec}")
        else:
            new = self._new_dir(table, value)
            frame.write.parquet(new)
            self.spark.sql(f"alter table {self.name(table)} {spec} set location '{new}'")
        self.spark.catalog.refreshTable(self.name(table))
        self.delete(old)

    # --- the file system ---------------------------------------------------------------

    def delete(self, uri: str) -> None:
        path = self._path(uri)
        filesystem = path.getFileSystem(self._conf)
        if filesystem.exists(path):
            filesystem.delete(path, True)

    def _children(self, uri: str) -> list[str]:
        path = self._path(uri)
        filesystem = path.getFileSystem(self._conf)
        if not filesystem.exists(path):
            return []
        return [status.getPath().toString() for status in filesystem.listStatus(path)]

    def remove_leftovers(self, table: str) -> list[str]:
        """Delete the directories of the table that no table or partition points at."""
        root = self.table_root(table)
        column = TABLES[table][1]
        removed: list[str] = []
        if column is None:
            current = self.table_location(table)
            for child in self._children(f"{root}.versions"):
                if child != current:
                    self.delete(child)
                    removed.append(child)
            return removed
        registered = {
            value: self.partition_location(table, value) for value in self.partitions(table)
        }
        for directory in self._children(root):
            name = directory.rsplit("/", 1)[-1]
            if not name.startswith(f"{column}="):
                continue
            value = name.split("=", 1)[1]
            current = registered.get(int(value)) if value.isdigit() else None
            if current == directory:  # a partition at Spark's default place: all of it is live
                continue
            if current is None:
                self.delete(directory)
                removed.append(directory)
                continue
            for child in self._children(directory):
                if child != current:
                    self.delete(child)
                    removed.append(child)
        return removed
