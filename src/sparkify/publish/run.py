"""A build that publishes only when it passed: lock, build and test the copy, swap, record.

One build at a time per database: a session advisory lock, held for the whole of it, on
the very session that publishes (so a build whose lock was lost cannot publish). Every
build is a row of publish.builds, and one that dies outright is closed by the next.
"""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

import psycopg

from sparkify.db import connect, first_line
from sparkify.errors import BuildFailed, DatabaseUnavailable, SetupError
from sparkify.publish import ledger
from sparkify.publish.dbt import BuildResult, run_build
from sparkify.publish.swap import LOCK_TIMEOUT, swap_schemas
from sparkify.settings import ConnectionSettings

BUILD_SUFFIX = "__build"
# pg_advisory_lock key: one build (and publish) at a time in a database.
_LOCK_SQL = "select pg_try_advisory_lock(hashtext('sparkify.publish'))"
_WAIT_SQL = "select pg_advisory_lock(hashtext('sparkify.publish'))"
# A reader that takes its locks in another order than the publish can deadlock with it;
# Postgres then cancels the publish, which is tried again.
PUBLISH_ATTEMPTS = 3


def build_and_publish(
    settings: ConnectionSettings, project_dir: Path, dbt_args: list[str], raw_schema: str = "raw"
) -> BuildResult:
    """Build and test into the build schemas; publish them when every error test passed.

    Raises BuildFailed (naming what failed) with the published schemas untouched.
    """
    try:
        with connect(settings, autocommit=True) as session:
            # dbt connects as the same user, to the same database (the profile reads PG*).
            return _locked_build(session, project_dir, dbt_args, raw_schema, settings.env())
    except psycopg.OperationalError as exc:
        raise DatabaseUnavailable(
            f"lost the connection to Postgres at {settings.describe()} during the build "
            f"({first_line(exc)}); nothing was published by this build: run it again"
        ) from None
    except psycopg.errors.InsufficientPrivilege as exc:
        raise SetupError(
            f"{settings.user} lacks a privilege the build needs at {settings.describe()} "
            f"({first_line(exc)}); nothing was published: build as the transformer role, "
            "or have the database's owner grant the roles (python scripts/pg.py roles)"
        ) from None


def _locked_build(
    session: psycopg.Connection,
    project_dir: Path,
    dbt_args: list[str],
    raw_schema: str,
    env: dict[str, str],
) -> BuildResult:
    if not session.execute(_LOCK_SQL).fetchone()[0]:
        print("another build is running in this database; waiting for it", flush=True)
        session.execute(_WAIT_SQL)
    ledger.ensure_ledger(session)
    ledger.close_abandoned(session)
    build = ledger.start(session, raw_schema, dbt_args)
    try:
        result = run_build(project_dir, BUILD_SUFFIX, dbt_args, env)
    except BuildFailed as exc:
        ledger.finish(session, build, "failed", None)
        raise BuildFailed(f"{exc}; {_unchanged(session)}") from None
    except KeyboardInterrupt:
        ledger.finish(session, build, "interrupted", None)
        raise
    if not result.succeeded:
        ledger.finish(session, build, "failed", result)
        raise BuildFailed(f"dbt build failed: {', '.join(result.failures)}; {_unchanged(session)}")
    full_refresh = "--full-refresh" in dbt_args
    for attempt in range(1, PUBLISH_ATTEMPTS + 1):
        try:
            with session.transaction():
                # After a full refresh the old copy holds the state the refresh replaced:
                # the next build must not continue from it, so it goes (a full build next).
                swap_schemas(
                    session,
                    result.schemas,
                    BUILD_SUFFIX,
                    drop_old=full_refresh,
                    readers=dict(result.readers),
                )
                ledger.finish(session, build, "published", result)
            return result
        except psycopg.errors.DeadlockDetected:
            if attempt == PUBLISH_ATTEMPTS:
                reason = f"a reader deadlocked the publish {PUBLISH_ATTEMPTS} times"
                break
            time.sleep(attempt)
        except psycopg.errors.LockNotAvailable:
            reason = f"readers held the published tables for more than {LOCK_TIMEOUT} a table"
            break
    ledger.finish(session, build, "failed", replace(result, failures=(f"publish: {reason}",)))
    raise BuildFailed(
        f"the build passed but was not published: {reason}; {_unchanged(session)}; "
        "run the build again when the readers are done"
    )


def _unchanged(conn: psycopg.Connection) -> str:
    """What readers still see: the last published build, or nothing."""
    published = ledger.latest(conn, "published")
    if published is None:
        return "nothing published (there is no published build yet)"
    return (
        f"nothing published: readers still see build {published.build_id} "
        f"of {published.finished_at:%Y-%m-%d %H:%M:%S %Z}"
    )
