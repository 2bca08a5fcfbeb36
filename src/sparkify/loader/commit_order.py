"""The loader's transactions into one raw table commit in the order they began.

Every row a transaction lands carries the transaction's start as ``_loaded_at``, and an
incremental model takes the rows loaded after the latest ``_loaded_at`` it holds. With
two streams, a file begun later can commit first: a build between the two commits would
see the later file's stamp without the earlier file, move its watermark past the earlier
file's stamp, and never take that file. So a transaction begins under a lock (its stamp
is later than that of every transaction begun before it) and commits only once each of
those has committed or rolled back. A reader that sees a stamp then sees every row with
an earlier one, whenever it reads.

The order is kept per raw table: a model's watermark is the latest ``_loaded_at`` of one
table (events, or songs), so a song batch never waits for a log file. Stamp order is
ticket order as long as the server's clock does not step back between two BEGINs (every
watermark assumes as much).

A transaction waiting for its turn holds its locks. A session that meanwhile asks for a
conflicting lock on a raw table (ALTER, TRUNCATE, CREATE INDEX) queues behind it, and an
earlier transaction that has yet to take that table's lock would queue behind that
session: a wait through this process, which Postgres cannot see as a deadlock. So do not
change the raw tables' definitions while a load runs (a second loader takes the load
lock before it touches them); Ctrl-C ends such a wait.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

import psycopg


class CommitOrder:
    """Transactions, on any of the run's streams, that commit in the order they began."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._issued = 0
        self._open: set[int] = set()  # transactions begun and not yet ended

    @contextmanager
    def transaction(self, conn: psycopg.Connection) -> Iterator[None]:
        """A transaction on `conn` (autocommit: BEGIN is sent on entry) that commits, when
        its block ends without an exception, after every transaction begun before it has
        ended; on an exception it rolls back at once."""
        with ExitStack() as stack:
            with self._changed:
                ticket = self._issued
                self._issued += 1
                self._open.add(ticket)
                stack.callback(self._end, ticket)  # last: after the commit or rollback
                stack.enter_context(conn.transaction())  # BEGIN fixes now(): in order
            yield
            with self._changed:
                self._changed.wait_for(lambda: min(self._open) == ticket)

    def _end(self, ticket: int) -> None:
        with self._changed:
            self._open.discard(ticket)
            self._changed.notify_all()
