"""A SparkSession for the project: loopback driver, UTC, the checkout's warehouse.

pyspark is imported here only, so that the Postgres path never needs it. The same
parameters reach dbt through profiles.yml (``server_side_parameters``); ``session_conf``
is the one list of them.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from sparkify.errors import SetupError
from sparkify.spark.settings import SparkSettings

if TYPE_CHECKING:
    from pyspark.sql import SparkSession


def session_conf(settings: SparkSettings) -> dict[str, str]:
    """The Spark configuration every session of the project uses."""
    return {
        "spark.master": settings.master,
        "spark.driver.host": settings.driver_host,
        "spark.driver.bindAddress": settings.driver_host,
        "spark.sql.session.timeZone": "UTC",
        "spark.sql.warehouse.dir": str(settings.warehouse_dir),
        "spark.hadoop.javax.jdo.option.ConnectionURL": settings.metastore_url,
        # Derby's log beside its database, not in the working directory. (Not
        # derby.system.home: a relative databaseName would then resolve against it.)
        "spark.driver.extraJavaOptions": f"-Dderby.stream.error.file={settings.derby_log}",
        "spark.sql.sources.partitionOverwriteMode": "dynamic",
        # dbt-spark forces ANSI mode off in its sessions; the project's others match it.
        "spark.sql.ansi.enabled": "false",
        # Two applications fit on the local worker's four slots at once (the loader or
        # dbt, and a check or a second user), on two cores or more.
        "spark.cores.max": "2",
        "spark.ui.showConsoleProgress": "false",
    }


@contextmanager
def spark_session(settings: SparkSettings, app_name: str) -> Iterator[SparkSession]:
    """A session on settings.master, stopped on exit (the metastore allows one JVM)."""
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise SetupError(
            "pyspark is not installed; run `make setup TARGET=spark` (or pip install -e '.[spark]')"
        ) from None
    settings.metastore_dir.mkdir(parents=True, exist_ok=True)
    # Executors run the project's own Python (the contract, the record parser): pyspark
    # sends PYSPARK_PYTHON with every Python function. dbt runs SQL only, so this is not
    # one of the session_conf parameters profiles.yml repeats.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    # The driver JVM's own address (block manager), without its "resolves to a
    # loopback address" warning.
    os.environ.setdefault("SPARK_LOCAL_IP", settings.driver_host)
    builder = SparkSession.builder.appName(app_name).enableHiveSupport()
    for key, value in session_conf(settings).items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    try:
        yield session
    finally:
        session.stop()
