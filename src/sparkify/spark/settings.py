"""Spark settings, read once from the process, like sparkify.settings for Postgres.

| variable | |
|---|---|
| SPARK_MASTER | an existing cluster (``spark://host:7077``, ``local[2]``): nothing local starts |
| SPARKIFY_SPARK_DIR | the local state: warehouse, metastore, logs (default: .spark) |
| SPARKIFY_SPARK_PORT | the local master's port (default 7077) |
| SPARKIFY_SPARK_UI_PORT | the local master's web UI (default 8090; the worker's: the next port) |
| SPARKIFY_SPARK_DRIVER_HOST | where executors reach the driver (default 127.0.0.1; with a |
|   | cluster on other hosts: this machine's address) |

The warehouse and the metastore belong to the checkout, not to the cluster: every
session (the loader, dbt, the checks) names them, so two checkouts never share tables.
The embedded Derby metastore allows one JVM at a time: run one Spark command at a time.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

LOCAL_HOST = "127.0.0.1"
LOCAL_MASTER_PORT = "7077"
LOCAL_UI_PORT = "8090"


@dataclass(frozen=True)
class SparkSettings:
    master: str  # the master URL sessions connect to
    state_dir: Path  # .spark/: warehouse/, metastore/, logs/, work/, run/
    local: bool  # True: the project starts and stops this master itself
    master_port: str
    ui_port: str  # the local master's web UI; the worker's is ui_port + 1
    driver_host: str = LOCAL_HOST  # where executors reach the driver (and it listens)

    @property
    def warehouse_dir(self) -> Path:
        return self.state_dir / "warehouse"

    @property
    def metastore_dir(self) -> Path:
        return self.state_dir / "metastore"

    @property
    def metastore_url(self) -> str:
        return f"jdbc:derby:;databaseName={self.metastore_dir / 'metastore_db'};create=true"

    @property
    def derby_log(self) -> Path:
        return self.metastore_dir / "derby.log"

    @property
    def log_dir(self) -> Path:
        return self.state_dir / "logs"

    @property
    def work_dir(self) -> Path:
        return self.state_dir / "work"

    @property
    def run_dir(self) -> Path:
        return self.state_dir / "run"

    @property
    def master_ui(self) -> str:
        return f"http://{LOCAL_HOST}:{self.ui_port}"

    @property
    def worker_ui(self) -> str:
        return f"http://{LOCAL_HOST}:{int(self.ui_port) + 1}"

    def describe(self) -> str:
        return self.master if not self.local else f"{self.master} (local, UI {self.master_ui})"


def spark_settings(
    environ: Mapping[str, str] | None = None, cwd: Path | None = None
) -> SparkSettings:
    """Read the SPARK* variables; without SPARK_MASTER, the local cluster's address."""
    environ = os.environ if environ is None else environ
    port = environ.get("SPARKIFY_SPARK_PORT") or LOCAL_MASTER_PORT
    ui_port = environ.get("SPARKIFY_SPARK_UI_PORT") or LOCAL_UI_PORT
    state = environ.get("SPARKIFY_SPARK_DIR")
    state_dir = Path(state).expanduser() if state else (cwd or Path.cwd()) / ".spark"
    master = environ.get("SPARK_MASTER")
    driver_host = environ.get("SPARKIFY_SPARK_DRIVER_HOST") or LOCAL_HOST
    return SparkSettings(
        master=master or f"spark://{LOCAL_HOST}:{port}",
        state_dir=state_dir.absolute(),
        local=not master,
        master_port=port,
        ui_port=ui_port,
        driver_host=driver_host,
    )
