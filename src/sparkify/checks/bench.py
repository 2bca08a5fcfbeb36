"""Benchmarks: the loader against a bare COPY of the same bytes, and dbt build times, on
Postgres and (optionally) on Spark beside it.

Every measured command runs as its own process, so wall time and peak RSS are the figures
a user would see. Three memory figures per step, all sampled from /proc every 0.2 s while
the step runs: the command's own peak RSS (its high-water mark, VmHWM), the peak of its
whole process tree (its children included, e.g. the Spark driver's JVM), and the peak of
the Spark workers' processes (executor JVMs and their Python workers), which are not the
command's children (the last two are sums of RSS, so pages shared between processes count
once per process). Not wait4's ru_maxrss: Linux carries the parent's RSS at fork into the
child's, so a large benchmark process would inflate every figure.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from sparkify import db
from sparkify.checks.project import Project, executable, model_seconds, slowest_nodes
from sparkify.errors import CheckFailed
from sparkify.loader.discover import discover_files
from sparkify.settings import ConnectionSettings
from sparkify.spark.settings import SparkSettings, spark_settings

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

# CSV with quote and delimiter bytes that never occur in JSON text: each line
# reaches jsonb untouched, which is the cheapest way to land JSON Lines at all.
BARE_COPY = (
    "copy bare_copy (record) from stdin with (format csv, quote e'\\x01', delimiter e'\\x02')"
)


@dataclass(frozen=True)
class Measurement:
    label: str
    seconds: float
    peak_rss_mb: float  # the command's own process (its VmHWM), sampled
    tree_rss_mb: float = 0.0  # the command and all its descendants, sampled
    workers_rss_mb: float = 0.0  # the Spark workers' executors and Python workers, sampled
    server_rss_mb: float = 0.0  # the local Postgres server's private memory, sampled

    def rates(self, records: int, data_bytes: int) -> str:
        line = (
            f"{self.label:<22} {self.seconds:8.2f} s  {records / self.seconds:>11,.0f} rec/s  "
            f"{data_bytes / self.seconds / 1e6:7.1f} MB/s  peak RSS {self.peak_rss_mb:6.1f} MB"
        )
        return f"{line}  tree {self.tree_rss_mb:6.1f} MB{self.workers()}"

    def workers(self) -> str:
        if self.workers_rss_mb:
            return f"  executors {self.workers_rss_mb:6.1f} MB"
        return f"  server {self.server_rss_mb:6.1f} MB" if self.server_rss_mb else ""


SAMPLE_SECONDS = 0.2
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
SPARK_WORKER_CLASS = "org.apache.spark.deploy.worker.Worker"


def processes() -> Iterator[tuple[int, int, int]]:
    """(pid, parent pid, resident bytes) of every process /proc shows."""
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as handle:
                stat = handle.read()
            with open(f"/proc/{entry.name}/statm", "rb") as handle:
                resident_pages = int(handle.read().split()[1])
        except (OSError, IndexError, ValueError):
            continue  # gone meanwhile
        # the command name may hold spaces and parentheses: fields follow the last ')'
        fields = stat[stat.rfind(b")") + 2 :].split()
        yield int(entry.name), int(fields[1]), resident_pages * PAGE_SIZE


def high_water_mark(pid: int) -> int:
    """The peak resident bytes of a live process so far (VmHWM); 0 once it has gone."""
    try:
        with open(f"/proc/{pid}/status", "rb") as handle:
            for line in handle:
                if line.startswith(b"VmHWM:"):
                    return int(line.split()[1]) * 1024  # in kB
    except OSError:
        pass
    return 0


def private_rss(pid: int) -> int:
    """A process's resident memory that is its own (RssAnon): not shared buffers or files."""
    try:
        with open(f"/proc/{pid}/status", "rb") as handle:
            for line in handle:
                if line.startswith(b"RssAnon:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def server_private_rss(postmaster: int, table: list[tuple[int, int, int]]) -> int:
    """The Postgres server's memory: every server process's private memory (the shared
    buffers, counted once, are its configured size and are left out)."""
    pids = {postmaster}
    for pid, parent, _ in table:
        if parent == postmaster:
            pids.add(pid)
    return sum(private_rss(pid) for pid in pids)


def postmaster_pid(settings: ConnectionSettings) -> int | None:
    """The pid of the server's postmaster when it runs on this machine; None otherwise."""
    if not settings.is_local_cluster:
        return None
    with db.connect(settings) as conn:
        row = conn.execute("select current_setting('data_directory')").fetchone()
    try:
        return int((Path(row[0]) / "postmaster.pid").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def spark_workers() -> set[int]:
    """The pids of the Spark standalone workers running on this machine."""
    found = set()
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                with open(f"/proc/{entry.name}/cmdline", "rb") as handle:
                    if SPARK_WORKER_CLASS.encode() in handle.read():
                        found.add(int(entry.name))
            except OSError:
                continue
    return found


def descendants_rss(roots: set[int], table: list[tuple[int, int, int]], own: bool) -> int:
    """Resident bytes of the roots' descendants (and of the roots themselves if own)."""
    children: dict[int, list[int]] = {}
    rss = {}
    for pid, parent, resident in table:
        children.setdefault(parent, []).append(pid)
        rss[pid] = resident
    total = sum(rss.get(pid, 0) for pid in roots) if own else 0
    stack = [child for root in roots for child in children.get(root, [])]
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        stack.extend(children.get(pid, []))
    return total


class RssSampler(threading.Thread):
    """Samples, until stopped, the peak RSS of a process tree and of the Spark workers'
    children (the worker daemons themselves are left out: they run between steps too)."""

    def __init__(self, pid: int, workers: set[int], server: int | None = None):
        super().__init__(daemon=True)
        self.pid, self.workers, self.server = pid, workers, server
        self.own_peak = self.tree_peak = self.workers_peak = self.server_peak = 0
        self._done = threading.Event()

    def run(self) -> None:
        while not self._done.wait(SAMPLE_SECONDS):
            self.sample()

    def sample(self) -> None:
        table = list(processes())
        self.own_peak = max(self.own_peak, high_water_mark(self.pid))
        self.tree_peak = max(self.tree_peak, descendants_rss({self.pid}, table, own=True))
        if self.workers:
            self.workers_peak = max(
                self.workers_peak, descendants_rss(self.workers, table, own=False)
            )
        if self.server:
            self.server_peak = max(self.server_peak, server_private_rss(self.server, table))

    def stop(self) -> None:
        self._done.set()
        self.join()


def measure(
    label: str, command: list[str], env: dict[str, str], cwd: Path, spark: bool = False,
    server: int | None = None,
) -> Measurement:  # fmt: skip
    """Run a command to completion; its wall time and peak resident memory (with the
    Spark workers' executors when `spark`, the Postgres server's when its pid is given)."""
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, cwd=cwd, stdout=subprocess.DEVNULL)
    sampler = RssSampler(process.pid, spark_workers() if spark else set(), server)
    sampler.start()
    # Sample until the command exits, before reaping it: its children are still there.
    sampler.sample()
    os.waitid(os.P_PID, process.pid, os.WEXITED | os.WNOWAIT)
    sampler.stop()
    _, status = os.waitpid(process.pid, 0)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise CheckFailed(f"{label} failed (exit {process.returncode}): {' '.join(command)}")
    own = sampler.own_peak / 2**20
    return Measurement(
        label, seconds, own, max(own, sampler.tree_peak / 2**20), sampler.workers_peak / 2**20,
        sampler.server_peak / 2**20,
    )  # fmt: skip


def dataset_shape(events: int, songs: int | None, users: int | None) -> tuple[int, int]:
    """(songs, users): as given, else the benchmark's defaults for that many events."""
    return songs or max(500, events // 200), users or max(100, events // 1000)


def generate_dataset(
    directory: Path, events: int, days: int, songs: int, users: int, seed: int = 7
) -> None:
    marker = directory / ".complete"
    if marker.exists():
        return
    print(f"generating {events:,} events into {directory} ...", flush=True)
    subprocess.run(
        [
            executable("sparkify-generate"), "--out", str(directory),
            "--events", str(events), "--days", str(days), "--users", str(users),
            "--songs", str(songs), "--seed", str(seed), "--force",
        ],
        check=True,
    )  # fmt: skip
    marker.touch()


def bare_copy(settings: ConnectionSettings, data_dir: Path) -> int:
    """COPY every input line into a one-column jsonb table, no validation; rows copied."""
    rows = 0
    with db.connect(settings, autocommit=True) as conn:
        conn.execute("drop table if exists bare_copy")
        conn.execute("create table bare_copy (record jsonb not null)")
        for source_file in discover_files(data_dir):
            with conn.transaction(), conn.cursor() as cursor:
                with cursor.copy(BARE_COPY) as copy, open(source_file.path, "rb") as handle:
                    while block := handle.read(256 * 1024):
                        copy.write(block)
                rows += cursor.rowcount
    return rows


def dataset_size(data_dir: Path) -> tuple[int, int]:
    """(records, bytes): one record per song file, one per log line."""
    records = data_bytes = 0
    for source_file in discover_files(data_dir):
        data_bytes += source_file.path.stat().st_size
        if source_file.source == "song_data":
            records += 1
        else:
            with open(source_file.path, "rb") as handle:
                records += sum(1 for _ in handle)
    return records, data_bytes


def vacuum_all(settings: ConnectionSettings) -> None:
    # Start each measured step from the same state: no dirty pages, fresh statistics.
    with db.connect(settings, autocommit=True) as conn:
        conn.execute("checkpoint")
        conn.execute("vacuum analyze")


def table_count(settings: ConnectionSettings, table: str) -> int:
    with db.connect(settings) as conn:
        row = conn.execute(f"select count(*) from {table}").fetchone()
        return int(row[0]) if row else 0


def forget_file(settings: ConnectionSettings, relative: str) -> None:
    """Remove one loaded log file from raw, as if it had never been loaded."""
    with db.connect(settings, autocommit=True) as conn, conn.transaction():
        conn.execute("delete from raw.log_data where _source_file = %s", [relative])
        conn.execute("delete from raw.loaded_files where source_file = %s", [relative])


TARGET_RATIO = 1.0  # issue 11: at least a bare single-stream COPY
TARGET_RSS_MB = 100


def bench_loader(
    project: Project, server: ConnectionSettings, data_dir: Path
) -> tuple[ConnectionSettings, int, Measurement]:
    """The loader against a bare COPY of the same files; prints the figures and returns the
    loader's database (kept for the dbt benchmark), the record count and the loader's
    measurement."""
    records, data_bytes = dataset_size(data_dir)
    print(f"dataset: {data_dir} ({records:,} records, {data_bytes / 1e6:,.1f} MB)", flush=True)
    loader_db = db.recreate_database(server, f"{server.database}_bench")
    bare_db = db.recreate_database(server, f"{server.database}_bench_bare")
    bare_step = [sys.executable, "-m", "sparkify.cli.bench", "--bare-copy", str(data_dir)]
    # Both start with no dirty pages in the cluster (what an earlier run left, e.g.).
    vacuum_all(bare_db)
    bare = measure("bare COPY (jsonb)", bare_step, bare_db.env(), project.root)
    vacuum_all(bare_db)
    load = [executable("sparkify-load"), "--data-dir", str(data_dir), "--no-progress"]
    loader = measure("load_raw.py", load, loader_db.env(), project.root)
    landed = table_count(loader_db, "raw.log_data") + table_count(loader_db, "raw.song_data")
    if landed != records or table_count(bare_db, "bare_copy") != records:
        raise CheckFailed(
            f"expected {records:,} rows in both databases, the loader's has {landed:,}"
        )
    db.drop_database(server, bare_db.database)

    print()
    print(loader.rates(records, data_bytes))
    print(bare.rates(records, data_bytes))
    print(
        f"loader / bare COPY throughput: {bare.seconds / loader.seconds:.2f}x "
        f"(target >= {TARGET_RATIO}x)"
    )
    print(f"loader peak RSS: {loader.peak_rss_mb:.0f} MB (target < {TARGET_RSS_MB} MB)")
    return loader_db, records, loader


def last_day(data_dir: Path) -> str:
    """The last log file (one day) of a data dir, relative to it."""
    return sorted((data_dir / "log_data").rglob("*.json"))[-1].relative_to(data_dir).as_posix()


# The dbt steps: a full build, then "load one more day" (the loader's), then a build of
# what changed. The fact's own times come from each build's run_results.json.
FULL_BUILD = "dbt build --full-refresh"
INCREMENTAL_BUILD = "dbt build, one more day"
DBT_STEPS = (
    (FULL_BUILD, ("build", "--full-refresh")),
    (INCREMENTAL_BUILD, ("build",)),
)
FACT = "fct_songplays"
SLOWEST_SHOWN = 8  # nodes per dbt step, where the time goes
# (the step, seconds dbt's nodes took in the engine, seconds the fact took, the slowest
# nodes with their seconds)
DbtSteps = dict[str, tuple[Measurement, float, float, list[tuple[str, float]]]]

# The one-pass reference: every field of every raw event extracted and cast, once.
REFERENCE_SQL = Path(__file__).with_name("bench_reference.sql")
TARGET_BUILD_RATIO = 8.0  # full build / one-pass reference
TARGET_INCREMENTAL_SHARE = 0.10  # incremental build / full build
TARGET_FACT_SHARE = 0.15  # the fact's incremental run / its full refresh


def reference_pass(settings: ConnectionSettings) -> None:
    """The one-pass reference query (its table dropped before and after)."""
    with db.connect(settings, autocommit=True) as conn:
        conn.execute("drop table if exists bench_reference")
        conn.execute(REFERENCE_SQL.read_text(encoding="utf-8"))
        conn.execute("drop table bench_reference")


def dbt_steps(
    project: Project, env: dict[str, str], target: Path, dbt_args: tuple[str, ...],
    load_day: list[str], spark: bool = False, server: int | None = None,
) -> DbtSteps:  # fmt: skip
    """The dbt steps, with the last day loaded again before the incremental build; each
    step's measurement, the time dbt says its nodes took, and the fact's share of it."""
    dbt = executable("dbt")
    steps: DbtSteps = {}
    for label, args in DBT_STEPS:
        if label == INCREMENTAL_BUILD:
            measure("load one more day", load_day, env, project.root, spark)
        step = measure(label, [dbt, *args, *dbt_args, "-q"], env, project.root, spark, server)
        steps[label] = (
            step,
            model_seconds(target),
            model_seconds(target, FACT),
            slowest_nodes(target, SLOWEST_SHOWN),
        )
    return steps


def print_dbt_steps(steps: DbtSteps, engine: str, reference: Measurement | None = None) -> None:
    print()
    print(f"{engine + ' step':<28} {'wall':>9} {'in the engine':>14}  {FACT:>14}  peak RSS")
    if reference is not None:
        print(
            f"{'one-pass reference':<28} {reference.seconds:8.2f}s {'':>14}  {'':>14}  "
            f"{'':>9}{reference.workers()}"
        )
    for label, (step, in_engine, fact, _) in steps.items():
        print(
            f"{label:<28} {step.seconds:8.2f}s {in_engine:13.2f}s  {fact:13.2f}s  "
            f"{step.peak_rss_mb:6.1f} MB  tree {step.tree_rss_mb:6.1f} MB{step.workers()}"
        )
    (full, _, full_fact, _), (incremental, _, incremental_fact, _) = (
        steps[FULL_BUILD],
        steps[INCREMENTAL_BUILD],
    )
    if reference is not None:
        print(
            f"full build / one-pass reference: {full.seconds / reference.seconds:.1f}x "
            f"(target <= {TARGET_BUILD_RATIO:.0f}x)"
        )
    print(
        f"incremental build / full build: {incremental.seconds / full.seconds:.0%} "
        f"(target <= {TARGET_INCREMENTAL_SHARE:.0%})"
    )
    print(
        f"{FACT} incremental / full refresh, in the engine: "
        f"{incremental_fact / max(full_fact, 1e-9):.0%} (target <= {TARGET_FACT_SHARE:.0%})"
    )
    for label, (*_, slowest) in steps.items():
        print(f"where the time goes, {label} (seconds in the {engine}):")
        for name, seconds in slowest:
            print(f"  {seconds:8.2f}s  {name}")


def dbt_env(project: Project, base: dict[str, str], work: Path) -> dict[str, str]:
    env = dict(base)
    env.update(
        DBT_PROFILES_DIR=str(project.root),
        DBT_TARGET_PATH=str(work / "target"),
        DBT_LOG_PATH=str(work / "logs"),
        DBT_SEND_ANONYMOUS_USAGE_STATS="false",
    )
    return env


def bench_dbt(
    project: Project, settings: ConnectionSettings, data_dir: Path, work: Path
) -> DbtSteps:
    """The one-pass reference, dbt build --full-refresh, and an incremental build after one
    more day, with the Postgres server's memory when it runs here."""
    env = dbt_env(project, settings.env(), work)
    # Unload the last day so that loading it again is "one more day" for dbt.
    forget_file(settings, last_day(data_dir))
    vacuum_all(settings)
    server = postmaster_pid(settings)
    one_pass = [sys.executable, "-m", "sparkify.cli.bench", "--reference"]
    reference = measure("one-pass reference", one_pass, env, project.root, server=server)
    load_day = [executable("sparkify-load"), "--data-dir", str(data_dir), "--no-progress"]
    steps = dbt_steps(project, env, work / "target", (), load_day, server=server)
    print_dbt_steps(steps, "postgres", reference)
    return steps


# --- Spark ------------------------------------------------------------------------------


def spark_bench_settings(project: Project, work: Path) -> SparkSettings:
    """The project's master (started when it is the local cluster and down), with a state
    dir (warehouse, metastore) of the benchmark's own, emptied first."""
    from sparkify.checks.engines import ensure_master

    user = spark_settings(cwd=project.root)
    settings = replace(user, state_dir=work / "spark")
    ensure_master(project, settings)
    shutil.rmtree(settings.state_dir, ignore_errors=True)
    settings.state_dir.mkdir(parents=True)
    return settings


def spark_env(project: Project, settings: SparkSettings, work: Path) -> dict[str, str]:
    env = dbt_env(project, dict(os.environ), work)
    env.update(SPARK_MASTER=settings.master, SPARKIFY_SPARK_DIR=str(settings.state_dir))
    return env


def with_spark(settings: SparkSettings, job: Callable[[SparkSession], int]) -> int:
    """Run job in a session, then end the JVM: the next step's own JVM opens the metastore."""
    from sparkify.spark.session import spark_session

    with spark_session(settings, "sparkify-bench", end_jvm=True) as spark:
        return job(spark)


def spark_landed(settings: SparkSettings) -> int:
    """Rows in Spark's raw.log_data and raw.song_data (after a completed load every row
    belongs to a registered file version)."""
    return with_spark(
        settings,
        lambda spark: sum(spark.table(f"raw.{t}").count() for t in ("log_data", "song_data")),
    )


def spark_forget_file(settings: SparkSettings, relative: str) -> int:
    """Unregister one log file in Spark's raw.loaded_files: its rows stay but are no longer
    visible to dbt (only registered versions are), as if the file had never been loaded;
    the loader lands it again. Returns the files still registered."""

    def forget(spark: SparkSession) -> int:
        table = spark.table("raw.loaded_files")
        kept = spark.createDataFrame(
            table.where(table.source_file != relative).collect(), table.schema
        )
        kept.write.insertInto("raw.loaded_files", overwrite=True)
        return kept.count()

    return with_spark(settings, forget)


def bench_spark(
    project: Project, data_dir: Path, records: int, work: Path, dbt: bool = True
) -> tuple[Measurement, DbtSteps]:
    """The Spark landing and (unless not dbt) the same dbt steps as on Postgres, on the
    project's master."""
    _, data_bytes = dataset_size(data_dir)
    settings = spark_bench_settings(project, work)
    env = spark_env(project, settings, work)
    print(f"\nspark: master {settings.master}, state in {settings.state_dir}", flush=True)
    load = [
        executable("sparkify-load"), "--target", "spark", "--data-dir", str(data_dir),
        "--no-progress",
    ]  # fmt: skip
    loader = measure("load_raw.py --target spark", load, env, project.root, spark=True)
    landed = spark_landed(settings)
    if landed != records:
        raise CheckFailed(f"expected {records:,} rows in Spark's raw tables, found {landed:,}")
    print(loader.rates(records, data_bytes))
    if not dbt:
        return loader, {}

    spark_forget_file(settings, last_day(data_dir))
    steps = dbt_steps(project, env, work / "target", ("--target", "spark"), load, spark=True)
    print_dbt_steps(steps, "spark")
    return loader, steps


def print_side_by_side(
    records: int, loaders: dict[str, Measurement], steps: dict[str, DbtSteps]
) -> None:
    """One table: each step on Postgres and on Spark, wall time and memory."""
    print()
    print(
        f"{'step':<28} {'engine':<9} {'wall':>9} {'vs postgres':>11} {'records/s':>11}"
        f"  {'process':>9} {'tree':>9} {'executors':>10}"
    )
    rows = [("land the raw data", loaders)]
    if all(steps.values()):  # not with --skip-dbt
        rows += [(label, {e: s[label][0] for e, s in steps.items()}) for label, _ in DBT_STEPS]
    for label, by_engine in rows:
        baseline = by_engine["postgres"].seconds
        for engine, m in by_engine.items():
            rate = f"{records / m.seconds:>11,.0f}" if label == rows[0][0] else f"{'':>11}"
            print(
                f"{label:<28} {engine:<9} {m.seconds:8.2f}s {m.seconds / baseline:10.2f}x {rate}"
                f"  {m.peak_rss_mb:6.0f} MB {m.tree_rss_mb:6.0f} MB {m.workers_rss_mb:7.0f} MB"
            )
