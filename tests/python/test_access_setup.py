"""Setting the roles up: on an existing server as its DBA would, on a cluster that trusted
everyone, and the holes a role could otherwise open for another (found by a review)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import suppress
from dataclasses import replace
from pathlib import Path

import psycopg
import pytest
from conftest import REPO_ROOT
from psycopg import sql

from sparkify.access.passfile import PassFile, new_password
from sparkify.access.roles import hand_over_legacy_objects
from sparkify.db import create_database, drop_database
from sparkify.settings import ADMIN, LOADER, TRANSFORMER, ConnectionSettings, role_name

DENIED = psycopg.errors.InsufficientPrivilege


def admin_execute(settings: ConnectionSettings, *statements: str) -> None:
    with psycopg.connect(settings.conninfo(), autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement)


@pytest.fixture
def opened_database(pg_settings: ConnectionSettings) -> Iterator[ConnectionSettings]:
    """A database of the test's own, opened to the job roles as `make db` opens one."""
    settings = replace(pg_settings, database=f"{pg_settings.database}_{uuid.uuid4().hex[:8]}")
    create_database(settings)
    yield settings
    drop_database(pg_settings, settings.database)


def test_the_loader_cannot_take_a_schema_name_nor_plant_a_function(
    opened_database: ConnectionSettings,
) -> None:
    loader = opened_database.for_job(LOADER)
    with psycopg.connect(loader.conninfo(), autocommit=True) as conn:
        # raw is the loader's, made for it; any other schema is not.
        assert conn.execute(
            "select nspowner::regrole::text from pg_namespace where nspname = 'raw'"
        ).fetchone() == (role_name(LOADER),)
        for squatted in ("publish", "marts__build", role_name(TRANSFORMER), "sparkify_analyst"):
            with pytest.raises(DENIED):
                conn.execute(f'create schema "{squatted}"')
        with pytest.raises(DENIED):
            conn.execute(
                "create function public.lower(varchar) returns text "
                "language sql as 'select 1::text'"
            )
    # No job role looks anywhere but public (where no job role may create anything).
    settings = admin_settings_rows(
        opened_database,
        "select r.rolname, s.setconfig from pg_roles r left join pg_db_role_setting s "
        "on s.setrole = r.oid and s.setdatabase = 0 where r.rolname like 'sparkify\\_%' "
        "and r.rolname <> 'sparkify_admin'",
    )
    assert len(settings) == 5
    assert all(config == ["search_path=public"] for _, config in settings)


def admin_settings_rows(settings: ConnectionSettings, query: str) -> list[tuple]:
    with psycopg.connect(settings.conninfo()) as conn:
        return conn.execute(query).fetchall()


def test_the_jobs_password_file_holds_no_superuser(pg_settings: ConnectionSettings) -> None:
    jobs = PassFile(pg_settings.passfile, pg_settings.host, pg_settings.port)
    assert jobs.password(role_name(ADMIN)) is None
    assert jobs.password(role_name(LOADER))
    admin = PassFile(pg_settings.admin_passfile, pg_settings.host, pg_settings.port)
    assert admin.password(role_name(ADMIN))
    assert pg_settings.for_job(LOADER).env()["PGPASSFILE"] == str(pg_settings.passfile)


def test_a_dba_sets_up_an_existing_server_once_and_every_command_runs_as_its_role(
    pg_settings: ConnectionSettings, tmp_path: Path
) -> None:
    """The cluster, seen as someone else's server (not the local cluster's port setting):
    its DBA (CREATEROLE and CREATEDB, not a superuser) runs `pg.py roles`; then the loader
    and the report's freshness check run with no PGUSER, each as its role."""
    dba, password, database = (
        f"dba_{uuid.uuid4().hex[:6]}",
        new_password(),
        f"existing_{uuid.uuid4().hex[:6]}",
    )
    passfile = tmp_path / "pgpass"
    shutil.copy(pg_settings.passfile, passfile)
    PassFile(passfile, pg_settings.host, pg_settings.port).store(dba, password)
    roles = ", ".join(
        role_name(job) for job in ("loader", "transformer", "reporter", "analyst", "steward")
    )
    admin_execute(
        pg_settings,
        f"create role {dba} login createrole createdb password '{password}'",
        # What a DBA who created the roles has (Postgres 16 and later give it the creator).
        f"grant {roles} to {dba} with admin option",
    )
    env = dict(
        os.environ,
        PGHOST=pg_settings.host,
        PGPORT=pg_settings.port,
        SPARKIFY_LOCAL_PORT="1",
        PGPASSFILE=str(passfile),
        PGDATABASE=database,
    )
    env.pop("PGUSER", None)

    def run(*args: str, **extra: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, *args],
            capture_output=True,
            text=True,
            env={**env, **extra},
            cwd=REPO_ROOT,
            timeout=300,
        )

    try:
        missing = run("scripts/load_raw.py", "--data-dir", "data")
        assert missing.returncode == 1
        assert "pg.py roles" in missing.stderr and "Traceback" not in missing.stderr
        refused = run("scripts/pg.py", "roles")
        assert refused.returncode == 1 and "set PGUSER" in refused.stderr
        for _ in range(2):  # once, and again: nothing changes, nothing fails
            setup = run("scripts/pg.py", "roles", PGUSER=dba)
            assert setup.returncode == 0, setup.stderr
        assert not any(secret in setup.stdout for secret in (password,))
        loaded = run("scripts/load_raw.py", "--data-dir", "data", "--no-progress")
        assert loaded.returncode == 0, loaded.stderr
        owner = admin_settings_rows(
            replace(pg_settings, database=database),
            "select tableowner from pg_tables where schemaname = 'raw' and tablename = 'log_data'",
        )
        assert owner == [(role_name(LOADER),)]
    finally:
        drop_database(pg_settings, database)
        # Postgres 16 and later keep the memberships the DBA granted (to itself, to act
        # as the loader) as depending on it: revoke them first. Best effort: a role
        # left behind in the test cluster is harmless, and the test has said its piece.
        with psycopg.connect(pg_settings.conninfo(), autocommit=True) as conn:
            for statement in (
                f"revoke {roles} from {dba} granted by {dba} cascade",
                f"revoke {roles} from {dba} cascade",
                f"drop owned by {dba}",
                f"drop role {dba}",
            ):
                with suppress(psycopg.Error):
                    conn.execute(statement)


def test_a_warehouse_the_old_superuser_built_is_handed_to_the_jobs(
    opened_database: ConnectionSettings,
) -> None:
    """A cluster from before the roles: its superuser owned everything. The conversion
    gives the raw layer to the loader and the rest to dbt's role, and the database to the
    superuser (its owner may create in public)."""
    legacy = f"legacy_{uuid.uuid4().hex[:6]}"
    admin_execute(opened_database, f"create role {legacy} superuser")
    try:
        with psycopg.connect(opened_database.conninfo(), autocommit=True) as conn:
            conn.execute(f"set role {legacy}")
            conn.execute("create schema old_raw")
            conn.execute("create table old_raw.loaded_files (source_file text)")
            conn.execute("create table old_raw.log_data (record jsonb)")
            conn.execute("create schema marts")
            conn.execute("create table marts.fct_songplays (songplay_id text)")
            conn.execute(
                sql.SQL("alter database {} owner to {}").format(
                    sql.Identifier(opened_database.database), sql.Identifier(legacy)
                )
            )
            conn.execute("reset role")
            hand_over_legacy_objects(conn, legacy)
            owners = dict(
                conn.execute(
                    "select format('%s.%s', schemaname, tablename), tableowner from pg_tables "
                    "where schemaname in ('old_raw', 'marts')"
                ).fetchall()
            )
            database_owner = conn.execute(
                "select datdba::regrole::text from pg_database where datname = current_database()"
            ).fetchone()[0]
        assert owners == {
            "old_raw.loaded_files": role_name(LOADER),
            "old_raw.log_data": role_name(LOADER),
            "marts.fct_songplays": role_name(TRANSFORMER),
        }
        assert database_owner == role_name(ADMIN)
    finally:
        admin_execute(opened_database, f"drop owned by {legacy}", f"drop role {legacy}")


def test_the_old_superuser_hands_over_also_when_it_bootstrapped_the_cluster(
    opened_database: ConnectionSettings,
) -> None:
    """Old clusters were created with the superuser `sparkify`, which then owns the
    system catalogs too, so `reassign owned by` refuses it. The cluster's own bootstrap
    user stands in for it: what it built in the database goes to dbt's role, the system
    stays its own."""
    with psycopg.connect(opened_database.conninfo(), autocommit=True) as conn:
        bootstrap = conn.execute("select rolname from pg_roles where oid = 10").fetchone()[0]
        conn.execute(f"set role {bootstrap}")
        conn.execute("create schema old_marts")
        conn.execute("create table old_marts.dim_users (user_id integer)")
        conn.execute("create view old_marts.users as select * from old_marts.dim_users")
        conn.execute(
            "create materialized view old_marts.user_count as"
            " select count(*) as n from old_marts.dim_users"
        )
        conn.execute("create table old_marts.runs (run_id serial primary key)")
        conn.execute("create sequence old_marts.build_number")
        conn.execute("reset role")
        hand_over_legacy_objects(conn, bootstrap)
        owners = dict(
            conn.execute(
                "select c.relname, c.relowner::regrole::text from pg_class c "
                "where c.relnamespace = 'old_marts'::regnamespace and c.relkind <> 'i'"
            ).fetchall()
        )
        schema_owner = conn.execute(
            "select nspowner::regrole::text from pg_namespace where nspname = 'old_marts'"
        ).fetchone()[0]
        catalog_owner = conn.execute(
            "select relowner::regrole::text from pg_class where oid = 'pg_class'::regclass"
        ).fetchone()[0]
    assert owners == dict.fromkeys(
        ("dim_users", "users", "user_count", "runs", "runs_run_id_seq", "build_number"),
        role_name(TRANSFORMER),
    )
    assert schema_owner == role_name(TRANSFORMER)
    assert catalog_owner == bootstrap
