"""The project's local Spark standalone cluster: one master and one worker on 127.0.0.1.

Both run from the pyspark wheel (``spark-class``; SPARK_HOME is the pyspark package), as
background processes whose pid files live in ``<state>/run`` and whose output goes to
``<state>/logs``. ``start`` returns once the master lists the worker as ALIVE; starting a
running cluster does nothing. With SPARK_MASTER set the cluster is someone else's: start
and stop leave it alone.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sparkify.errors import SetupError
from sparkify.spark.session import CONF_DIR
from sparkify.spark.settings import LOCAL_HOST, SparkSettings

MASTER_CLASS = "org.apache.spark.deploy.master.Master"
WORKER_CLASS = "org.apache.spark.deploy.worker.Worker"
WORKER_CORES = 4
WORKER_MEMORY = "6g"
START_TIMEOUT = 120.0  # seconds until the worker must be ALIVE
STOP_TIMEOUT = 20.0  # seconds a process gets to exit on SIGTERM before SIGKILL
JAVA_MISSING = (
    "Java 17 is needed to run Spark: apt-get install openjdk-17-jre-headless (or set JAVA_HOME)"
)


class ExternalCluster(SetupError):
    """SPARK_MASTER names a cluster the project does not run (callers say so and go on)."""

    def __init__(self, master_url: str) -> None:
        super().__init__(f"SPARK_MASTER is {master_url}: an existing cluster, nothing local runs")
        self.master_url = master_url


@dataclass(frozen=True)
class Daemon:
    """The master or the worker: its pid file, its log, its main class."""

    name: str
    main_class: str
    settings: SparkSettings

    @property
    def pid_file(self) -> Path:
        return self.settings.run_dir / f"{self.name}.pid"

    @property
    def log_file(self) -> Path:
        return self.settings.log_dir / f"{self.name}.log"

    def pid(self) -> int | None:
        """The pid of the running process, None when it is not running."""
        try:
            pid = int(self.pid_file.read_text(encoding="ascii").strip())
        except (OSError, ValueError):
            return None
        return pid if _is_our_process(pid, self.main_class) else None

    def last_log_line(self) -> str:
        try:
            lines = self.log_file.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            return "no log"
        errors = [line for line in lines if " ERROR " in line or "Exception" in line]
        return (errors or lines or ["no output"])[-1].strip()


@dataclass(frozen=True)
class ClusterStatus:
    settings: SparkSettings
    master_pid: int | None
    worker_pid: int | None
    workers_alive: int  # as the master's JSON says; 0 when the master does not answer

    @property
    def running(self) -> bool:
        both = self.master_pid is not None and self.worker_pid is not None
        return both and self.workers_alive > 0

    def describe(self) -> list[str]:
        settings = self.settings
        return [
            f"master:        {settings.master} (pid {self.master_pid or '-'})",
            f"master UI:     {settings.master_ui}",
            f"worker UI:     {settings.worker_ui} (pid {self.worker_pid or '-'})",
            f"workers alive: {self.workers_alive}",
            f"state dir:     {settings.state_dir}",
        ]


def master(settings: SparkSettings) -> Daemon:
    return Daemon("master", MASTER_CLASS, settings)


def worker(settings: SparkSettings) -> Daemon:
    return Daemon("worker", WORKER_CLASS, settings)


def status(settings: SparkSettings) -> ClusterStatus:
    """What runs now: the two pids and how many workers the master lists as ALIVE."""
    _require_local(settings)
    master_pid = master(settings).pid()
    workers = alive_workers(settings) if master_pid else 0
    return ClusterStatus(settings, master_pid, worker(settings).pid(), workers)


def start(settings: SparkSettings, timeout: float = START_TIMEOUT) -> bool:
    """Start whatever of master and worker is not running; False when both already ran.

    Returns once the master lists a worker as ALIVE.
    """
    _require_local(settings)
    the_master, the_worker = master(settings), worker(settings)
    master_running, worker_running = the_master.pid() is not None, the_worker.pid() is not None
    if master_running and worker_running:
        _wait_for_worker(settings, the_worker, timeout, None)
        return False
    java = java_binary()
    spark_home = pyspark_home()
    to_start = [the_master] if not master_running else []
    to_start += [the_worker] if not worker_running else []
    _check_ports_free(settings, starting_master=not master_running)
    # the metastore dir too: Derby opens its log (derby.stream.error.file) before creating it
    directories = (settings.run_dir, settings.log_dir, settings.work_dir, settings.metastore_dir)
    for directory in directories:
        directory.mkdir(parents=True, exist_ok=True)
    environ = _daemon_environ(settings, spark_home, java)
    launched: dict[str, subprocess.Popen] = {}
    for daemon in to_start:
        launched[daemon.name] = _launch(daemon, _arguments(daemon, settings), spark_home, environ)
        if daemon is the_master:
            _wait_for_master(settings, the_master, timeout, launched[daemon.name])
    _wait_for_worker(settings, the_worker, timeout, launched.get(the_worker.name))
    return True


def stop(settings: SparkSettings) -> bool:
    """Stop the worker, then the master; False when neither was running."""
    _require_local(settings)
    stopped = False
    for daemon in (worker(settings), master(settings)):
        pid = daemon.pid()
        if pid is not None:
            _terminate(pid)
            stopped = True
        daemon.pid_file.unlink(missing_ok=True)
    return stopped


def alive_workers(settings: SparkSettings) -> int:
    """How many workers the master's JSON lists as ALIVE (0 when it does not answer)."""
    state = master_state(settings)
    if state is None:
        return 0
    return sum(1 for entry in state.get("workers", []) if entry.get("state") == "ALIVE")


def master_state(settings: SparkSettings) -> dict | None:
    """The master's JSON (``/json/``: workers, applications), None when it does not answer."""
    try:
        with urllib.request.urlopen(f"{settings.master_ui}/json/", timeout=2) as response:
            return json.load(response)
    except (OSError, urllib.error.URLError, ValueError):
        return None


def java_binary() -> str:
    """JAVA_HOME's java, else the one on PATH; SetupError when there is none."""
    java_home = os.environ.get("JAVA_HOME")
    candidate = Path(java_home) / "bin" / "java" if java_home else None
    if candidate is not None and os.access(candidate, os.X_OK):
        return str(candidate)
    found = shutil.which("java")
    if found is None:
        raise SetupError(JAVA_MISSING)
    return found


def pyspark_home() -> Path:
    """The pyspark package directory: the wheel ships Spark's jars and bin/ there."""
    spec = importlib.util.find_spec("pyspark")
    if spec is None or not spec.submodule_search_locations:
        raise SetupError(
            "pyspark is not installed; run `make setup TARGET=spark` (or pip install -e '.[spark]')"
        )
    return Path(next(iter(spec.submodule_search_locations)))


def _require_local(settings: SparkSettings) -> None:
    if not settings.local:
        raise ExternalCluster(settings.master)


def _arguments(daemon: Daemon, settings: SparkSettings) -> list[str]:
    if daemon.main_class == MASTER_CLASS:
        return [
            "--host", LOCAL_HOST,
            "--port", settings.master_port,
            "--webui-port", settings.ui_port,
        ]  # fmt: skip
    return [
        "--host", LOCAL_HOST,
        "--webui-port", str(int(settings.ui_port) + 1),
        "--cores", str(WORKER_CORES),
        "--memory", WORKER_MEMORY,
        "--work-dir", str(settings.work_dir),
        f"spark://{LOCAL_HOST}:{settings.master_port}",
    ]  # fmt: skip


def _daemon_environ(settings: SparkSettings, spark_home: Path, java: str) -> dict[str, str]:
    environ = dict(os.environ)
    environ.pop("SPARK_MASTER", None)
    environ.update(
        SPARK_HOME=str(spark_home),
        SPARK_CONF_DIR=str(CONF_DIR),
        SPARK_LOG_DIR=str(settings.log_dir),
        SPARK_PID_DIR=str(settings.run_dir),
        SPARK_WORKER_DIR=str(settings.work_dir),
        SPARK_LOCAL_IP=LOCAL_HOST,
        SPARK_LOCAL_DIRS=str(settings.state_dir / "local"),
        JAVA_HOME=str(Path(java).resolve().parent.parent),
    )
    return environ


def _launch(
    daemon: Daemon, arguments: list[str], spark_home: Path, environ: dict
) -> subprocess.Popen:
    spark_class = spark_home / "bin" / "spark-class"
    with open(daemon.log_file, "ab") as log:
        process = subprocess.Popen(
            [str(spark_class), daemon.main_class, *arguments],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=environ,
            cwd=daemon.settings.state_dir,
            start_new_session=True,  # outlives the command that started it
        )
    # spark-class execs java: the pid is the JVM's
    daemon.pid_file.write_text(f"{process.pid}\n", encoding="ascii")
    return process


def _wait_for_master(
    settings: SparkSettings, daemon: Daemon, timeout: float, process: subprocess.Popen
) -> None:
    _wait(daemon, timeout, lambda: master_state(settings) is not None, "answer", process)


def _wait_for_worker(
    settings: SparkSettings, daemon: Daemon, timeout: float, process: subprocess.Popen | None
) -> None:
    _wait(daemon, timeout, lambda: alive_workers(settings) > 0, "register with the master", process)


def _wait(
    daemon: Daemon,
    timeout: float,
    ready: Callable[[], bool],
    what: str,
    process: subprocess.Popen | None,
) -> None:
    """Until ready; SetupError when the daemon exits first or the timeout passes.

    A daemon this call launched is watched through its process (its exit status is known);
    one that already ran, through its pid file.
    """
    deadline = time.monotonic() + timeout
    while not ready():
        exited = process.poll() is not None if process is not None else daemon.pid() is None
        if exited:
            how = f" ({_exit_status(process.returncode)})" if process is not None else ""
            raise SetupError(
                f"the Spark {daemon.name} exited{how}: {daemon.last_log_line()} "
                f"(full log: {daemon.log_file})"
            )
        if time.monotonic() > deadline:
            raise SetupError(
                f"the Spark {daemon.name} did not {what} within {timeout:.0f} s: "
                f"{daemon.last_log_line()} (full log: {daemon.log_file})"
            )
        time.sleep(0.25)


def _exit_status(returncode: int | None) -> str:
    """How a process ended, in words: its status, or the signal that killed it."""
    if returncode is not None and returncode < 0:
        signal_name = signal.Signals(-returncode).name
        hint = ": out of memory, or killed by another program" if returncode == -9 else ""
        return f"killed by {signal_name}{hint}"
    return f"status {returncode}"


def _check_ports_free(settings: SparkSettings, starting_master: bool) -> None:
    ports = [(int(settings.ui_port) + 1, "SPARKIFY_SPARK_UI_PORT", "the worker's web UI")]
    if starting_master:
        ports = [
            (int(settings.master_port), "SPARKIFY_SPARK_PORT", "the Spark master"),
            (int(settings.ui_port), "SPARKIFY_SPARK_UI_PORT", "the master's web UI"),
            *ports,
        ]
    for port, variable, role in ports:
        if not _port_free(port):
            raise SetupError(
                f"port {port} ({role}) on {LOCAL_HOST} is taken by another program: "
                f"set {variable} to move the local Spark cluster"
            )


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((LOCAL_HOST, port))
        except OSError:
            return False
    return True


def _is_our_process(pid: int, main_class: str) -> bool:
    """pid runs, and (where /proc tells) it is the JVM of main_class, not a reused pid."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return False
    cmdline = Path(f"/proc/{pid}/cmdline")
    if not cmdline.parent.parent.joinpath("self").exists():
        return True  # no /proc (macOS): trust the pid file
    try:
        text = cmdline.read_bytes()
    except OSError:
        return False
    if _is_zombie(pid):
        return False
    return main_class.encode() in text


def _is_zombie(pid: int) -> bool:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text(encoding="ascii").rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return False
    return fields[0] == "Z"


def _terminate(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + STOP_TIMEOUT
    while time.monotonic() < deadline:
        if not _alive(pid):
            return
        time.sleep(0.2)
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        return
    while _alive(pid):
        time.sleep(0.1)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return not _is_zombie(pid)
