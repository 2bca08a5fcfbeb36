"""A build that publishes only when it passed: lock, build and test the copy, swap, record.

One build at a time per database (an advisory lock held for the whole of it); every
build is a row of publish.builds, and one that dies outright is closed by the next.
"""

from __future__ import annotations

from pathlib import Path

import psycopg

from sparkify.db import connect
from sparkify.errors import BuildFailed, DatabaseUnavailable
from sparkify.publish import ledger
from sparkify.publish.dbt import BuildResult, run_build
from sparkify.publish.swap import LOCK_TIMEOUT, swap_schemas
from sparkify.settings import ConnectionSettings

BUILD_SUFFIX = "__build"
# pg_advisory_lock key: one build (and publish) at a time in a database.
_LOCK_SQL = "select pg_try_advisory_lock(hashtext('sparkify.publish'))"
_WAIT_SQL = "select pg_advisory_lock(hashtext('sparkify.publish'))"


def build_and_publish(
    settings: ConnectionSettings, project_dir: Path, dbt_args: list[str], raw_schema: str = "raw"
) -> BuildResult:
    """Build and test into the build schemas; publish them when every error test passed.

    Raises BuildFailed (naming what failed) with the published schemas untouched.
    """
    with connect(settings, autocommit=True) as session:
        if not session.execute(_LOCK_SQL).fetchone()[0]:
            print("another build is running in this database; waiting for it", flush=True)
            session.execute(_WAIT_SQL)
        ledger.ensure_ledger(session)
        ledger.close_abandoned(session)
        build = ledger.start(session, raw_schema, dbt_args)
        try:
            result = run_build(project_dir, BUILD_SUFFIX, dbt_args)
        except BuildFailed as exc:
            ledger.finish(session, build, "failed", None)
            raise BuildFailed(f"{exc}; {_unchanged(session)}") from None
        except KeyboardInterrupt:
            ledger.finish(session, build, "interrupted", None)
            raise
        if not result.succeeded:
            ledger.finish(session, build, "failed", result)
            raise BuildFailed(
                f"dbt build failed: {', '.join(result.failures)}; {_unchanged(session)}"
            )
        try:
            with connect(settings) as conn, conn.transaction():
                swap_schemas(conn, result.schemas, BUILD_SUFFIX)
                ledger.finish(conn, build, "published", result)
        except psycopg.errors.LockNotAvailable:
            ledger.finish(session, build, "failed", result)
            raise BuildFailed(
                f"the build passed but readers held the published tables for {LOCK_TIMEOUT}; "
                f"{_unchanged(session)}; run the build again when they are done"
            ) from None
        except psycopg.OperationalError as exc:
            raise DatabaseUnavailable(f"lost the connection while publishing: {exc}") from None
    return result


def _unchanged(conn: psycopg.Connection) -> str:
    """What readers still see: the last published build, or nothing."""
    published = ledger.latest(conn, "published")
    if published is None:
        return "nothing published (there is no published build yet)"
    return (
        f"nothing published: readers still see build {published.build_id} "
        f"of {published.finished_at:%Y-%m-%d %H:%M:%S %Z}"
    )
