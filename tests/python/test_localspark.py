"""The local Spark cluster: real master and worker JVMs from the pyspark wheel, nothing mocked.

One cluster for the module, in a state dir of its own on ports that were free when the
module was imported (the master's, and two neighbours for the web UIs), so it never meets
the cluster of `make run TARGET=spark` (7077) nor another checkout's test run. Without
Java the tests fail with the setup message; they are never skipped.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from sparkify.errors import SetupError
from sparkify.spark import cluster
from sparkify.spark.session import session_conf
from sparkify.spark.settings import SparkSettings, spark_settings

REPO_ROOT = Path(__file__).resolve().parents[2]
SPARK_VARIABLES = (
    "SPARK_MASTER",
    "SPARKIFY_SPARK_DIR",
    "SPARKIFY_SPARK_PORT",
    "SPARKIFY_SPARK_UI_PORT",
    "SPARKIFY_SPARK_DRIVER_HOST",
)


def cluster_environ(state_dir: Path, port: str, ui_port: str, **extra: str) -> dict[str, str]:
    """The process environment with the Spark variables naming this cluster only."""
    environ = {key: value for key, value in os.environ.items() if key not in SPARK_VARIABLES}
    environ.update(
        SPARKIFY_SPARK_DIR=str(state_dir),
        SPARKIFY_SPARK_PORT=port,
        SPARKIFY_SPARK_UI_PORT=ui_port,
        **extra,
    )
    return environ


def spark_cli(environ: dict[str, str], action: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(REPO_ROOT / "scripts" / "spark.py"), action],
        env=environ,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def free_port_pair() -> int:
    """A free port whose neighbour is free too: the master's UI, then the worker's."""
    while True:
        port = free_port()
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port + 1))
            except OSError:
                continue
        return port


MASTER_PORT, UI_PORT = str(free_port()), str(free_port_pair())


@pytest.fixture(scope="module")
def environ(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    return cluster_environ(tmp_path_factory.mktemp("spark"), MASTER_PORT, UI_PORT)


@pytest.fixture(scope="module")
def local_spark(environ: dict[str, str]) -> Iterator[SparkSettings]:
    """The module's cluster, started once (its start is itself under test) and stopped."""
    settings = spark_settings(environ)
    try:
        started = cluster.start(settings)
    except SetupError as exc:  # no Java, a taken port: fail with the setup message
        pytest.fail(f"cannot start the local Spark cluster: {exc}", pytrace=False)
    assert started, "a cluster was already running in the fresh state dir"
    yield settings
    cluster.stop(settings)


def test_start_brings_up_master_and_one_alive_worker(local_spark: SparkSettings) -> None:
    status = cluster.status(local_spark)
    assert status.running
    assert status.master_pid and status.worker_pid
    assert status.workers_alive == 1
    state = cluster.master_state(local_spark)
    assert state is not None
    assert state["url"] == f"spark://127.0.0.1:{MASTER_PORT}"
    (worker,) = state["workers"]
    assert worker["cores"] == cluster.WORKER_CORES
    assert worker["memory"] == 6 * 1024
    assert worker["webuiaddress"] == f"http://127.0.0.1:{int(UI_PORT) + 1}"
    assert (local_spark.run_dir / "master.pid").is_file()
    assert (local_spark.log_dir / "worker.log").is_file()


def test_status_command_says_running_with_the_addresses(
    local_spark: SparkSettings, environ: dict[str, str]
) -> None:
    result = spark_cli(environ, "status")
    assert result.returncode == 0, result.stderr
    assert f"local spark ({local_spark.state_dir}): running" in result.stdout
    for expected in (
        f"master:        spark://127.0.0.1:{MASTER_PORT}",
        f"master UI:     http://127.0.0.1:{UI_PORT}",
        f"worker UI:     http://127.0.0.1:{int(UI_PORT) + 1}",
        "workers alive: 1",
        f"state dir:     {local_spark.state_dir}",
    ):
        assert expected in result.stdout


def test_start_when_running_is_a_no_op(local_spark: SparkSettings, environ: dict[str, str]) -> None:
    before = cluster.status(local_spark)
    assert cluster.start(local_spark) is False
    result = spark_cli(environ, "start")
    assert result.returncode == 0, result.stderr
    assert "already running" in result.stdout
    after = cluster.status(local_spark)
    assert (after.master_pid, after.worker_pid) == (before.master_pid, before.worker_pid)
    assert after.workers_alive == 1


# Run in a process of its own: the test run's shared SparkSession (conftest) may already
# live in pytest's process, on another master, and a process has one SparkContext.
WHERE_TASKS_RUN = """
import json, os, sys
from sparkify.spark.session import spark_session
from sparkify.spark.settings import spark_settings

def where(partition):
    import os  # in the executor's Python worker
    for _ in partition:
        yield os.getcwd(), os.getpid()

with spark_session(spark_settings(os.environ), "test_localspark") as spark:
    context = spark.sparkContext
    ran_in = sorted(set(context.parallelize(range(8), 4).mapPartitions(where).collect()))
    # the JVM's view: executors besides the driver
    infos = context._jsc.sc().statusTracker().getExecutorInfos()
    hosts = sorted({info.host() for info in infos})
    print(json.dumps({"app_id": context.applicationId, "ran_in": ran_in,
                      "executors": len(infos), "hosts": hosts, "pid": os.getpid()}))
"""


def test_tasks_run_on_the_workers_executors(
    local_spark: SparkSettings, environ: dict[str, str]
) -> None:
    run = subprocess.Popen(
        [sys.executable, "-c", WHERE_TASKS_RUN],
        env=environ,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    # While the application runs, the master lists it among its active ones.
    app = None
    while run.poll() is None and app is None:
        state = cluster.master_state(local_spark) or {}
        apps = [
            entry for entry in state.get("activeapps", []) if entry["name"] == "test_localspark"
        ]
        app = apps[0] if apps else None
        time.sleep(0.2)
    stdout, stderr = run.communicate(timeout=300)
    assert run.returncode == 0, stderr
    seen = json.loads(stdout.strip().splitlines()[-1])
    # The worker starts each executor in <work dir>/<app id>/<executor id>: the tasks'
    # processes ran there, not in the driver's process or directory.
    directories = {Path(directory) for directory, _ in seen["ran_in"]}
    assert directories, seen
    for directory in directories:
        assert directory.parent == local_spark.work_dir / seen["app_id"], directory
        assert directory.name.isdigit()  # an executor id, not "driver"
    assert seen["pid"] not in {pid for _, pid in seen["ran_in"]}
    assert seen["executors"] >= 2 and seen["hosts"] == ["127.0.0.1"]  # driver + executor(s)
    assert app is not None, "the master never listed the application"
    assert app["id"] == seen["app_id"]
    assert 0 < app["cores"] <= 2  # spark.cores.max: two applications fit on the worker


def test_a_session_on_another_master_is_refused_not_reused(
    spark: object, local_spark: SparkSettings
) -> None:
    # conftest's session of the test run lives in this process, on another master:
    # getOrCreate would return it, and the caller would run on the wrong cluster.
    from sparkify.spark.session import spark_session

    refused = pytest.raises(SetupError, match=r"already has a Spark session on .*stop it first")
    with refused, spark_session(local_spark, "test_localspark"):
        pass
    assert spark.sparkContext._jsc is not None  # type: ignore[attr-defined]  # still alive


def test_a_taken_port_is_one_line_naming_the_port_and_its_variable(
    tmp_path: Path, local_spark: SparkSettings
) -> None:
    # The module's cluster holds its master's port and both UI ports: a second cluster there
    # cannot start.
    clash = cluster_environ(tmp_path / "state", MASTER_PORT, str(free_port()))
    result = spark_cli(clash, "start")
    assert result.returncode == 1
    assert result.stderr.strip() == (
        f"spark.py: error: port {MASTER_PORT} (the Spark master) on 127.0.0.1 is taken by "
        "another program: set SPARKIFY_SPARK_PORT to move the local Spark cluster"
    )
    ui_clash = spark_settings(cluster_environ(tmp_path / "ui", str(free_port()), UI_PORT))
    with pytest.raises(SetupError, match=f"port {UI_PORT} .*set SPARKIFY_SPARK_UI_PORT"):
        cluster.start(ui_clash)
    assert cluster.master(ui_clash).pid() is None


def test_with_spark_master_set_nothing_local_starts(tmp_path: Path) -> None:
    external = cluster_environ(
        tmp_path / "state",
        str(free_port()),
        str(free_port()),
        SPARK_MASTER="spark://spark.internal:7077",
    )
    for action in ("start", "status", "stop"):
        result = spark_cli(external, action)
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == (
            "SPARK_MASTER is spark://spark.internal:7077: an existing cluster, "
            f"nothing local to {action}"
        )
    assert not (tmp_path / "state").exists()
    with pytest.raises(cluster.ExternalCluster):
        cluster.start(spark_settings(external))


def test_without_java_start_fails_with_the_setup_message(tmp_path: Path) -> None:
    no_java = cluster_environ(tmp_path / "state", str(free_port()), str(free_port()))
    no_java.pop("JAVA_HOME", None)
    no_java["PATH"] = str(tmp_path / "empty-bin")
    result = spark_cli(no_java, "start")
    assert result.returncode == 1
    assert result.stderr.strip() == f"spark.py: error: {cluster.JAVA_MISSING}"
    assert (
        "Java 17 is needed to run Spark: apt-get install openjdk-17-jre-headless" in result.stderr
    )


def test_a_master_that_cannot_start_is_one_line_with_its_exit_status(tmp_path: Path) -> None:
    # A Java that fails at once: spark-class's launcher gets nowhere.
    java_home = tmp_path / "java"
    (java_home / "bin").mkdir(parents=True)
    (java_home / "bin" / "java").write_text("#!/bin/sh\nexit 3\n", encoding="ascii")
    (java_home / "bin" / "java").chmod(0o755)
    broken = cluster_environ(
        tmp_path / "state", str(free_port()), str(free_port_pair()), JAVA_HOME=str(java_home)
    )
    result = spark_cli(broken, "start")
    assert result.returncode == 1
    log = tmp_path / "state" / "logs" / "master.log"
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("spark.py: error: the Spark master exited (status 1): ")
    assert line.endswith(f"(full log: {log})")
    assert spark_cli(broken, "status").stdout.splitlines()[0].endswith("stopped")


def test_stop_ends_both_processes(local_spark: SparkSettings, environ: dict[str, str]) -> None:
    """Last in the module: it stops the module's cluster."""
    running = cluster.status(local_spark)
    pids = [running.master_pid, running.worker_pid]
    result = spark_cli(environ, "stop")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "local spark stopped"
    for pid in pids:
        assert not Path(f"/proc/{pid}").exists() or _is_zombie(pid), f"pid {pid} still runs"
    assert not (local_spark.run_dir / "master.pid").exists()
    status = spark_cli(environ, "status")
    assert status.returncode == 3
    assert "stopped" in status.stdout.splitlines()[0]
    assert spark_cli(environ, "stop").stdout.strip() == "local spark was not running"


def _is_zombie(pid: int) -> bool:
    """Exited but not yet reaped: the JVMs are this process's children here."""
    stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii")
    return stat.rsplit(")", 1)[1].split()[0] == "Z"


# --- profiles.yml.example's spark target ----------------------------------------------------


def profile_parameters(environ: dict[str, str]) -> dict[str, str]:
    """The spark target's server_side_parameters, as dbt renders and validates them."""
    from dbt.config.profile import Profile
    from dbt.config.renderer import ProfileRenderer
    from dbt_common.context import set_invocation_context

    set_invocation_context(environ)  # env_var() reads this, not os.environ
    raw = yaml.safe_load((REPO_ROOT / "profiles.yml.example").read_text(encoding="utf-8"))
    renderer = ProfileRenderer({})
    target, data = Profile.render_profile(raw["sparkify"], "sparkify", "spark", renderer)
    credentials = Profile._credentials_from_profile(data, "sparkify", target)
    assert credentials.method == "session"
    return credentials.server_side_parameters


@pytest.mark.parametrize(
    "extra",
    [
        {},
        {"SPARK_MASTER": "spark://spark.internal:7077", "SPARKIFY_SPARK_DRIVER_HOST": "10.0.0.5"},
    ],
    ids=["local-cluster", "spark-master"],
)
def test_profile_passes_exactly_session_conf(tmp_path: Path, extra: dict[str, str]) -> None:
    environ = cluster_environ(tmp_path / "state", "7999", "8999", **extra)
    # dbt-spark adds spark.sql.ansi.enabled=false itself; session_conf holds it too.
    assert profile_parameters(environ) == session_conf(spark_settings(environ))


def test_profile_defaults_are_the_checkouts_spark_dir_from_the_repository_root() -> None:
    environ = {key: value for key, value in os.environ.items() if key not in SPARK_VARIABLES}
    expected = {
        key: value.replace(str(REPO_ROOT / ".spark"), ".spark")
        for key, value in session_conf(spark_settings(environ, cwd=REPO_ROOT)).items()
    }
    parameters = profile_parameters(environ)
    assert parameters == expected
    assert parameters["spark.master"] == "spark://127.0.0.1:7077"
    assert parameters["spark.sql.warehouse.dir"] == ".spark/warehouse"
