"""A load run: every file of a data directory into the raw schema, one loader at a time.

The run creates the schema if missing, takes the schema's load lock (a second loader
waits), opens a row in load_runs, loads the files in transactions (sparkify.loader.files)
and closes the row as completed, failed (some file could not be loaded) or
interrupted (Ctrl-C, a lost connection: committed files are kept).

Transactions are independent of each other (one file version each, or a batch of song
files), so they run on `streams` connections at once: Postgres parses a COPY stream's
jsonb on one core, and a second stream puts the second core to work. They commit in
the order they began, per raw table (sparkify.loader.commit_order), so that a build
running meanwhile never sees a file's `_loaded_at` without the files stamped earlier.
Results keep the files' order. When one stream fails or the run is interrupted, the
others' running statements are cancelled, so their transactions roll back; one that had
already finished its files and was waiting for its turn to commit commits when its turn
comes. Every file is whole or absent, and what was committed stays.
"""

from __future__ import annotations

import os
import queue
import sys
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_EXCEPTION, Future, ThreadPoolExecutor, wait
from contextlib import ExitStack, contextmanager, suppress
from pathlib import Path

import psycopg

from sparkify.db import connect, first_line
from sparkify.errors import ConnectionLimitReached, DatabaseUnavailable, SparkifyError
from sparkify.loader import ledger
from sparkify.loader.commit_order import CommitOrder
from sparkify.loader.discover import Discovery, SourceFile, discover
from sparkify.loader.files import READING, describe_files, load_files
from sparkify.loader.names import check_schema_name
from sparkify.loader.progress import Progress
from sparkify.loader.results import FileResult, PreviousLoad, RunStatus, RunSummary
from sparkify.loader.schema import create_raw_schema
from sparkify.settings import ConnectionSettings

# COPY streams at once: one per core, at most two (the loader's Python needs some too).
DEFAULT_STREAMS = max(1, min(2, os.cpu_count() or 1))


def load_data_dir(
    settings: ConnectionSettings,
    data_dir: Path,
    schema: str = "raw",
    progress: bool | None = None,
    streams: int = DEFAULT_STREAMS,
) -> RunSummary:
    """Load every input file under data_dir on `streams` connections; return the summary."""
    check_schema_name(schema)
    found = discover(data_dir)
    meter = Progress(len(found.files), enabled=progress)
    try:
        with connect(settings, autocommit=True) as conn:

            def open_stream() -> psycopg.Connection:
                stream = connect(settings, autocommit=True)
                try:
                    # A stream's transaction may sit idle while it waits for its turn to
                    # commit (commit_order): a server's idle timeout must not end it.
                    stream.execute("set idle_in_transaction_session_timeout = 0")
                except BaseException:
                    stream.close()
                    raise
                return stream

            return _load_files(conn, found, data_dir, schema, meter, open_stream, streams)
    except psycopg.Error as exc:
        raise _load_error(exc, meter.current or str(data_dir)) from None
    finally:
        meter.close()


KEPT = "files committed before it are kept"


def _load_error(exc: psycopg.Error, where: str) -> SparkifyError:
    """One line for a failure of Postgres during the load: what it was, what to do."""
    what = f"{first_line(exc)} (SQLSTATE {exc.sqlstate})" if exc.sqlstate else first_line(exc)
    if not _is_server_error(exc):
        return DatabaseUnavailable(
            f"lost the connection to Postgres while loading {where} ({what}); {KEPT}: "
            "rerun to finish"
        )
    if exc.sqlstate == DISK_FULL:
        return SparkifyError(
            f"the Postgres server ran out of disk space while loading {where} ({what}); "
            f"{KEPT}: free space on the server's disk and rerun"
        )
    if exc.sqlstate.startswith(INSUFFICIENT_RESOURCES):
        return SparkifyError(
            f"the Postgres server ran out of resources while loading {where} ({what}); "
            f"{KEPT}: fix the server and rerun"
        )
    return SparkifyError(f"Postgres refused the load of {where}: {what}; {KEPT}")


DISK_FULL = "53100"
INSUFFICIENT_RESOURCES = "53"  # the SQLSTATE class of disk full, out of memory, ...
# Classes that mean the session itself is gone: connection exceptions, operator action.
SESSION_LOST = ("08", "57")


def _is_server_error(exc: BaseException) -> bool:
    """An error the server reported on a session that still works (not a lost connection),
    also when a batch has already named it (_load_error)."""
    if isinstance(exc, SparkifyError) and isinstance(exc.__cause__, psycopg.Error):
        exc = exc.__cause__
    if not isinstance(exc, psycopg.Error) or not exc.sqlstate:
        return False
    return not exc.sqlstate.startswith(SESSION_LOST)


def _load_files(
    conn: psycopg.Connection,
    found: Discovery,
    data_dir: Path,
    schema: str,
    meter: Progress,
    open_stream: Callable[[], psycopg.Connection],
    streams: int,
) -> RunSummary:
    with _exclusive_load(conn, schema):
        # Inside the lock: its `create index if not exists` takes a share lock on each raw
        # table, which would queue behind a running load's transactions.
        create_raw_schema(conn, schema)
        ledger.close_abandoned_runs(conn, schema)
        load_id = ledger.start_run(conn, schema, str(data_dir))
        summary = RunSummary(load_id, schema, str(data_dir), files_seen=found.paths)
        summary.results += found.ignored_results()
        try:
            ledger.record_ignored(conn, schema, found.ignored, load_id)
            previous = ledger.previous_loads(conn, schema)
            batches = list(_batches(found.files))
            work = _Batches(schema, load_id, previous, meter)
            parallel = streams > 1 and len(batches) > 1
            if not (parallel and work.in_parallel(open_stream, batches, streams, summary.results)):
                for batch in batches:
                    summary.results.extend(work.load(conn, batch))
        except BaseException as exc:
            # Ctrl-C, a lost connection, a server error: committed files stay, the current
            # one rolls back. A server error (disk full, a refused value) fails the run.
            summary.finish()
            _record_end(conn, summary, "failed" if _is_server_error(exc) else "interrupted")
            raise
        summary.finish()
        ledger.finish_run(conn, summary, summary.status)
    return summary


class _Batches:
    """Loading the run's batches of files: one after another, or on several streams."""

    def __init__(
        self, schema: str, load_id: int, previous: dict[str, PreviousLoad], meter: Progress
    ):
        self.schema, self.load_id, self.previous = schema, load_id, previous
        self.meter = meter
        self._meter_lock = threading.Lock()
        # Per raw table: a transaction begun later commits later (commit_order).
        self.orders = {source: CommitOrder() for source in READING}

    def load(self, conn: psycopg.Connection, batch: list[SourceFile]) -> list[FileResult]:
        where = describe_files(batch)
        self.meter.start_file(where)
        order = self.orders[batch[0].source]
        try:
            results = load_files(
                conn, batch, self.schema, self.load_id, self.previous, self.meter, order
            )
        except psycopg.Error as exc:
            # Named here: on several streams, the file last started may be another one.
            raise _load_error(exc, where) from exc
        self.meter.finish_files(len(batch))
        return results

    def in_parallel(
        self,
        open_stream: Callable[[], psycopg.Connection],
        batches: list[list[SourceFile]],
        streams: int,
        results: list[FileResult],
    ) -> bool:
        """Each batch on whichever stream is free, the largest first; its results are
        appended to `results` in batch order (when interrupted: those of every batch that
        finished). False, with nothing done, when the server refuses every stream's
        connection.

        Largest first, because a transaction commits only after those begun before it
        (commit_order): two streams then begin batches of about one size together, and
        the one done first waits little for the other. In the files' order, a short day
        begun beside a long one would wait out the difference.

        The streams are connections of their own: the run's connection, which holds the
        load lock and writes load_runs, is never used by two threads at once.
        """
        self.meter = _LockedProgress(self.meter, self._meter_lock)
        stopping = threading.Event()
        with ExitStack() as opened:
            pool = _open_streams(opened, open_stream, min(streams, len(batches)))
            if not pool:
                return False
            free: queue.SimpleQueue[psycopg.Connection] = queue.SimpleQueue()
            for stream in pool:
                free.put(stream)

            def on_a_free_stream(batch: list[SourceFile]) -> list[FileResult]:
                if stopping.is_set():  # the run is stopping: start nothing new
                    raise _Stopped
                stream = free.get()
                try:
                    return self.load(stream, batch)
                finally:
                    free.put(stream)

            executor = ThreadPoolExecutor(len(pool), thread_name_prefix="copy-stream")
            futures: list[Future[list[FileResult]]] = []
            try:
                submitted = {
                    index: executor.submit(on_a_free_stream, batches[index])
                    for index in sorted(
                        range(len(batches)), key=lambda index: -_batch_bytes(batches[index])
                    )
                }
                futures += [submitted[index] for index in range(len(batches))]
                # The first failure stops the run when it happens: the first batch in the
                # files' order may be the last to run.
                done, _ = wait(futures, return_when=FIRST_EXCEPTION)
                for future in futures:
                    if future in done and future.exception() is not None:
                        future.result()  # raises it
                for future in futures:
                    results.extend(future.result())
            except BaseException:
                # A stream failed, or Ctrl-C / SIGTERM: stop the other streams' transactions
                # (they roll back) and wait for them, even through a second Ctrl-C, before
                # the run is closed and its connections are.
                stopping.set()
                _stop_streams(executor, pool)
                recorded = {id(result) for result in results}
                for future in futures:  # what finished, in whatever order, counts
                    if future.done() and not future.cancelled() and not future.exception():
                        results.extend(r for r in future.result() if id(r) not in recorded)
                raise
            executor.shutdown(wait=True)
        return True


def _batch_bytes(batch: list[SourceFile]) -> int:
    """The batch's size on disk; a file that cannot be read counts nothing (its load
    reports it)."""
    size = 0
    for source_file in batch:
        with suppress(OSError):
            size += source_file.path.stat().st_size
    return size


def _open_streams(
    opened: ExitStack, open_stream: Callable[[], psycopg.Connection], wanted: int
) -> list[psycopg.Connection]:
    """Up to `wanted` stream connections. A server with no connection left (its
    max_connections, the role's CONNECTION LIMIT) leaves the run with the streams it has,
    or none (the run then loads on its own connection), said on stderr; any other failure
    to connect fails the run."""
    pool: list[psycopg.Connection] = []
    for _ in range(wanted):
        try:
            pool.append(opened.enter_context(open_stream()))
        except ConnectionLimitReached as exc:
            print(
                f"loading on {max(len(pool), 1)} of {wanted} streams: the server refused "
                f"another connection ({exc.reason})"
                + ("" if pool else "; the run's own connection loads the files"),
                file=sys.stderr,
                flush=True,
            )
            break
    return pool


class _Stopped(Exception):
    """A batch not started because the run was stopping."""


# How long a cancel request may take to reach the server before the wait goes on without it.
CANCEL_TIMEOUT_SECONDS = 5


def _stop_streams(executor: ThreadPoolExecutor, pool: list[psycopg.Connection]) -> None:
    """Cancel what each stream runs and wait for every thread; a second interrupt while
    waiting cancels again and keeps waiting (the threads must be done before the
    connections they use are closed)."""
    executor.shutdown(wait=False, cancel_futures=True)
    while True:
        try:
            for stream in pool:
                with suppress(psycopg.Error):
                    stream.cancel_safe(timeout=CANCEL_TIMEOUT_SECONDS)
            executor.shutdown(wait=True)
            return
        except KeyboardInterrupt:
            continue


class _LockedProgress:
    """The progress meter, shared by the streams' threads."""

    def __init__(self, meter: Progress, lock: threading.Lock):
        self._meter, self._lock = meter, lock

    def __getattr__(self, name: str) -> Callable[..., None]:
        method = getattr(self._meter, name)

        def locked(*args: object) -> None:
            with self._lock:
                method(*args)

        return locked


def _record_end(conn: psycopg.Connection, summary: RunSummary, status: RunStatus) -> None:
    # The connection itself may be what failed; then the next run closes this one.
    with suppress(psycopg.Error):
        ledger.finish_run(conn, summary, status)


@contextmanager
def _exclusive_load(conn: psycopg.Connection, schema: str) -> Iterator[None]:
    """Hold a session advisory lock so two loaders never load the same schema at once."""
    key = f"sparkify.load_raw.{schema}"
    row = conn.execute("select pg_try_advisory_lock(hashtext(%s))", [key]).fetchone()
    if not (row and row[0]):
        print(
            f"another load into schema {schema} is running; waiting for it to finish "
            "(Ctrl-C to give up)",
            file=sys.stderr,
            flush=True,
        )
        conn.execute("select pg_advisory_lock(hashtext(%s))", [key])
    try:
        yield
    finally:
        if not conn.closed and not conn.broken:
            conn.execute("select pg_advisory_unlock(hashtext(%s))", [key])


def _batches(files: list[SourceFile]) -> Iterator[list[SourceFile]]:
    """Consecutive files of one source, as many as its files_per_transaction allows."""
    batch: list[SourceFile] = []
    for source_file in files:
        if batch and (
            source_file.source != batch[0].source
            or len(batch) == READING[batch[0].source].files_per_transaction
        ):
            yield batch
            batch = []
        batch.append(source_file)
    if batch:
        yield batch
