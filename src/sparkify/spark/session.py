"""A SparkSession for the project: loopback driver, UTC, the checkout's warehouse.

pyspark is imported here only, so that the Postgres path never needs it. The same
parameters reach dbt through profiles.yml (``server_side_parameters``); ``session_conf``
is the one list of them.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from sparkify.errors import SetupError
from sparkify.spark.settings import SparkSettings

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

# Spark's configuration directory for the project's drivers and local daemons: only
# log4j2.properties (quiet logs), so no spark-defaults.conf from elsewhere applies.
CONF_DIR = Path(__file__).with_name("conf")


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
        # Hive's metastore cannot filter on a partition column named _load_id (its filter
        # grammar refuses the leading "_"): list the partitions instead.
        "spark.sql.hive.metastorePartitionPruningFallbackOnException": "true",
        "spark.ui.showConsoleProgress": "false",
    }


@contextmanager
def spark_session(
    settings: SparkSettings, app_name: str, end_jvm: bool = False
) -> Iterator[SparkSession]:
    """A session on settings.master, stopped on exit; with end_jvm, the driver JVM too.

    A process that runs other Spark commands (dbt, the loader) after its own session
    needs end_jvm: the embedded Derby metastore allows one JVM at a time.
    """
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise SetupError(
            "pyspark is not installed; run `make setup TARGET=spark` (or pip install -e '.[spark]')"
        ) from None
    from pyspark import SparkContext

    running = SparkContext._active_spark_context
    if running is not None and running.master != settings.master:
        # getOrCreate would hand back that session, silently on the other master.
        raise SetupError(
            f"this process already has a Spark session on {running.master}, not "
            f"{settings.master}: stop it first (a process holds one SparkContext)"
        )
    settings.metastore_dir.mkdir(parents=True, exist_ok=True)
    # Executors run the project's own Python (the contract, the record parser): pyspark
    # sends PYSPARK_PYTHON with every Python function. dbt runs SQL only, so this is not
    # one of the session_conf parameters profiles.yml repeats.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    # The driver JVM's own address (block manager), without its "resolves to a
    # loopback address" warning.
    os.environ.setdefault("SPARK_LOCAL_IP", settings.driver_host)
    os.environ.setdefault("SPARK_CONF_DIR", str(CONF_DIR))
    builder = SparkSession.builder.appName(app_name).enableHiveSupport()
    for key, value in session_conf(settings).items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    try:
        yield session
    finally:
        session.stop()
        if end_jvm:
            stop_jvm()


def master_problem(master: str, timeout: float = 5.0) -> str | None:
    """Why no address of a spark:// master accepts connections; None when one does.

    Other masters (``local[N]``, ``yarn``) are not probed: None.
    """
    if not master.startswith("spark://"):
        return None
    problems = []
    for address in master.removeprefix("spark://").split(","):
        host, _, port = address.rpartition(":")
        try:
            with socket.create_connection((host, int(port)), timeout=timeout):
                return None
        except (OSError, ValueError) as exc:
            problems.append(getattr(exc, "strerror", None) or str(exc))
    return "; ".join(problems)


def stop_jvm(timeout: float = 30.0) -> None:
    """End the driver JVM this process started, if any.

    SparkSession.stop() leaves pyspark's JVM running, and with it the embedded Derby
    metastore it opened, which allows one JVM at a time: the next Spark command (a child
    process: the loader, dbt) could not open it. The JVM exits when its stdin closes.
    """
    try:
        from pyspark import SparkContext
    except ImportError:
        return
    gateway = SparkContext._gateway
    if gateway is None:
        return
    process = getattr(gateway, "proc", None)
    with contextlib.suppress(Exception):  # the JVM may be gone already; it is ended below
        gateway.shutdown()
    if process is not None:
        if process.stdin:
            process.stdin.close()
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    SparkContext._gateway = None
    SparkContext._jvm = None
