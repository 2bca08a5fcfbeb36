"""Least privilege, proven on a warehouse that the pipeline's own commands built, each as
its own role (no PGUSER): every denial the roles promise, passwords required, no secret
written anywhere, no name where the analyst can read."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import psycopg
import pytest
from conftest import REPO_ROOT, dbt_env
from psycopg import sql

from sparkify.access.passfile import PassFile
from sparkify.db import create_database, drop_database
from sparkify.settings import (
    ANALYST,
    JOBS,
    LOADER,
    REPORTER,
    STEWARD,
    TRANSFORMER,
    ConnectionSettings,
    role_name,
)

DATA = REPO_ROOT / "data"
DENIED = psycopg.errors.InsufficientPrivilege

# A day file added to the sample: valid events, and records that break the contract
# carrying a name no valid record holds. Wherever the name shows, a reject's raw text
# (its line, or a reason quoting it) has leaked.
MARKER = "Zebulon Quixote"
MARKED_DAY = "log_data/2018/11/2018-11-30-events.json"
MARKED_DAY_START_MS = 1543536000000  # 2018-11-30T00:00:00Z
VALID_EVENTS = 150  # 5 rejects of 155 records: under the loader's --max-reject-share 0.05


@dataclass
class RolesWarehouse:
    settings: ConnectionSettings  # the superuser's, to look at everything
    work: Path  # dbt's target and logs, the report, the commands' output
    outputs: list[str]  # every command's stdout and stderr

    def connect(self, job: str, **kwargs: object) -> psycopg.Connection:
        return psycopg.connect(self.settings.for_job(job).conninfo(), autocommit=True, **kwargs)

    def fetch(self, query: str) -> list[tuple]:
        with psycopg.connect(self.settings.conninfo()) as conn:
            return conn.execute(query).fetchall()

    def passwords(self) -> dict[str, str]:
        """Every role's password, each from its file (the superuser's is apart)."""
        found = {}
        for job in JOBS:
            settings = self.settings.for_job(job)
            passfile = PassFile(settings.password_file, settings.host, settings.port)
            found[role_name(job)] = passfile.password(role_name(job))
        assert all(found.values()), f"a role has no password: {found.keys()}"
        return found


def _as_each_role(settings: ConnectionSettings, work: Path, command: list[str]) -> str:
    """Run a command as `make` does: PG* for the server and database, but no PGUSER, so
    the command connects as its own job's role."""
    env = dbt_env(settings, work)
    del env["PGUSER"]
    if settings.passfile:  # the jobs' passwords, not the superuser's (settings.env())
        env["PGPASSFILE"] = str(settings.passfile)
    result = subprocess.run(
        command, capture_output=True, text=True, env=env, cwd=REPO_ROOT, timeout=900
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, f"{' '.join(command[1:3])} failed:\n{output[-3000:]}"
    return output


def _marked_rejects(valid: dict) -> list[bytes]:
    """Lines that break the contract, each holding the marker: in a value the reason quotes
    (a string, an array, an object), in a key the reason names, or in invalid JSON."""
    return [
        json.dumps({**valid, "ts": MARKER}).encode(),
        json.dumps({**valid, "firstName": [MARKER]}).encode(),
        json.dumps({**valid, "location": {"city": MARKER}}).encode(),
        json.dumps({**valid, MARKER: "\u0000"}).encode(),  # a NUL jsonb cannot store
        json.dumps({**valid, "firstName": MARKER}).encode()[:-20],  # cut short
    ]


def _sample_with_marked_rejects(root: Path) -> Path:
    """A copy of the sample plus MARKED_DAY: VALID_EVENTS logged-out page views (a real
    event's fields, sessions of their own) and the marked rejects among them."""
    data = root / "data"
    shutil.copytree(DATA, data)
    first = (DATA / "log_data/2018/11/2018-11-01-events.json").read_bytes().splitlines()[0]
    valid = json.loads(first)
    assert valid["auth"] == "Logged Out" and valid["page"] == "Home"
    lines = [
        json.dumps(
            {**valid, "sessionId": 990000 + n, "itemInSession": 0,
             "ts": MARKED_DAY_START_MS + 60000 * n},
            separators=(",", ":"),
        ).encode()
        for n in range(VALID_EVENTS)
    ]  # fmt: skip
    for at, bad in enumerate(_marked_rejects(valid)):
        lines.insert(1 + 30 * at, bad)
    (data / MARKED_DAY).write_bytes(b"\n".join(lines))
    return data


MARKED_REJECTS = len(_marked_rejects({}))


@pytest.fixture(scope="module")
def roles_warehouse(
    pg_settings: ConnectionSettings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RolesWarehouse]:
    """The sample, plus a day with rejects that quote a marked name (MARKED_DAY), loaded,
    built, documented and reported, in a database of its own."""
    settings = replace(pg_settings, database=f"{pg_settings.database}_roles")
    drop_database(pg_settings, settings.database)
    create_database(settings)
    work = tmp_path_factory.mktemp("roles")
    # Apart from work: the data file holds the marker, no file dbt or the report writes may.
    data = _sample_with_marked_rejects(tmp_path_factory.mktemp("data"))
    scripts = REPO_ROOT / "scripts"
    dbt = str(Path(sys.executable).with_name("dbt"))
    outputs = [
        _as_each_role(settings, work, command)
        for command in (
            [sys.executable, str(scripts / "load_raw.py"), "--data-dir", str(data)],
            [sys.executable, str(scripts / "build.py")],
            # A second build: the first published copy is now the build copy.
            [sys.executable, str(scripts / "build.py")],
            [dbt, "docs", "generate"],
            [sys.executable, str(scripts / "build_report.py"), "--out", str(work / "r.html")],
        )
    ]
    yield RolesWarehouse(settings, work, outputs)
    drop_database(pg_settings, settings.database)


def test_each_command_connects_as_its_own_role(roles_warehouse: RolesWarehouse) -> None:
    owners = dict(
        roles_warehouse.fetch(
            "select format('%s.%s', schemaname, tablename), tableowner from pg_tables "
            "where schemaname in ('raw', 'marts', 'publish')"
        )
    )
    assert owners["raw.log_data"] == role_name(LOADER)
    assert owners["marts.fct_songplays"] == role_name(TRANSFORMER)
    assert owners["publish.builds"] == role_name(TRANSFORMER)
    # None of the daily roles may do more than its job.
    powers = roles_warehouse.fetch(
        "select rolname from pg_roles where rolname like 'sparkify\\_%' "
        "and rolname <> 'sparkify_admin' "
        "and (rolsuper or rolcreaterole or rolcreatedb or rolreplication or rolbypassrls)"
    )
    assert powers == []


@pytest.mark.parametrize(
    "relation",
    [
        "raw.log_data",
        "raw.rejected_records",
        "staging.stg_sparkify__events",
        "intermediate.int_events_checked",
        "quality.quarantined_events",
        "restricted.user_names",
        "publish.builds",
        "marts__build.fct_songplays",  # the copy the next build writes: not published
    ],
)
def test_the_analyst_reads_the_published_marts_only(
    roles_warehouse: RolesWarehouse, relation: str
) -> None:
    with roles_warehouse.connect(ANALYST) as conn:
        plays = conn.execute("select count(*) from marts.fct_songplays").fetchone()[0]
        with pytest.raises(DENIED):
            conn.execute(f"select * from {relation} limit 1")
    assert plays == roles_warehouse.fetch("select count(*) from marts.fct_songplays")[0][0] > 0


def test_the_analyst_sees_no_name(roles_warehouse: RolesWarehouse) -> None:
    with roles_warehouse.connect(ANALYST) as conn, pytest.raises(psycopg.errors.UndefinedColumn):
        conn.execute("select first_name from marts.dim_users")
    # Recounted from the raw records, not from the models: no text the analyst may read
    # anywhere in the database equals a user's first or last name.
    names = [
        name
        for (name,) in roles_warehouse.fetch(
            "select distinct record->>'firstName' from raw.log_data "
            "union select distinct record->>'lastName' from raw.log_data"
        )
        if name
    ]
    assert len(names) > 50
    readable = roles_warehouse.fetch(
        "select table_schema, table_name, column_name from information_schema.columns "
        "where data_type = 'text' and table_schema not in ('pg_catalog', 'information_schema') "
        "and has_schema_privilege('sparkify_analyst', table_schema, 'usage') "
        "and has_column_privilege('sparkify_analyst', "
        "format('%I.%I', table_schema, table_name), column_name, 'select')"
    )
    assert {schema for schema, _, _ in readable} == {"marts"}
    with roles_warehouse.connect(ANALYST) as conn:
        for schema, table, column in readable:
            query = sql.SQL("select count(*) from {} where {} = any(%s)").format(
                sql.Identifier(schema, table), sql.Identifier(column)
            )
            found = conn.execute(query, [names]).fetchone()[0]
            assert found == 0, f"{schema}.{table}.{column} holds users' names"


def test_the_steward_reads_names_and_rejected_text(roles_warehouse: RolesWarehouse) -> None:
    with roles_warehouse.connect(STEWARD) as conn:
        named = conn.execute(
            "select count(*) from restricted.user_names where first_name is not null"
        ).fetchone()[0]
        conn.execute("select raw_text, raw_bytes from raw.rejected_records").fetchall()
        conn.execute("select * from quality.quarantined_events").fetchall()
        with pytest.raises(DENIED):
            conn.execute("delete from raw.rejected_records")
    assert named == roles_warehouse.fetch("select count(*) from marts.dim_users")[0][0]


@pytest.mark.parametrize(
    "statement",
    [
        "select * from marts.dim_users",
        "drop table marts.fct_songplays",
        "create table marts.intruder (x int)",
        "create table staging.intruder (x int)",
        "select * from restricted.user_names",
    ],
)
def test_the_loader_cannot_touch_the_warehouse(
    roles_warehouse: RolesWarehouse, statement: str
) -> None:
    with roles_warehouse.connect(LOADER) as conn, pytest.raises(DENIED):
        conn.execute(statement)


@pytest.mark.parametrize(
    "statement",
    [
        "insert into raw.log_data select * from raw.log_data limit 1",
        "delete from raw.log_data",
        "update raw.loaded_files set records_loaded = 0",
        "truncate raw.song_data",
        "create table raw.intruder (x int)",
        "drop table raw.rejected_records",
        "select raw_text from raw.rejected_records",
        "select raw_bytes from raw.rejected_records",
    ],
)
def test_dbt_cannot_write_raw_nor_read_rejected_text(
    roles_warehouse: RolesWarehouse, statement: str
) -> None:
    with roles_warehouse.connect(TRANSFORMER) as conn:
        conn.execute("select reason_kind, source_line from raw.rejected_records").fetchall()
        with pytest.raises(DENIED):
            conn.execute(statement)


def test_a_build_as_a_role_without_its_privileges_fails_in_one_line(
    roles_warehouse: RolesWarehouse,
) -> None:
    """The analyst may read marts, not build them: build.py says so in one line, names
    the role and what to do, and publishes nothing (no traceback)."""
    env = dbt_env(roles_warehouse.settings, roles_warehouse.work)
    env["PGUSER"] = role_name(ANALYST)
    if roles_warehouse.settings.passfile:
        env["PGPASSFILE"] = str(roles_warehouse.settings.passfile)
    result = subprocess.run(
        [sys.executable, "scripts/build.py"],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO_ROOT,
        timeout=300,
    )
    assert result.returncode != 0
    assert "Traceback" not in result.stderr, result.stderr
    error = result.stderr.strip().splitlines()
    assert len(error) == 1, result.stderr
    assert f"{role_name(ANALYST)} lacks a privilege" in error[0]
    assert "nothing was published" in error[0]


@pytest.mark.parametrize(
    "relation", ["raw.log_data", "quality.quarantined_events", "restricted.user_names"]
)
def test_the_report_reads_summaries_not_records(
    roles_warehouse: RolesWarehouse, relation: str
) -> None:
    with roles_warehouse.connect(REPORTER) as conn:
        conn.execute("select * from quality.rejects_by_file_and_reason").fetchall()
        conn.execute("select max(loaded_at) from raw.loaded_files").fetchall()
        with pytest.raises(DENIED):
            conn.execute(f"select * from {relation} limit 1")


@pytest.mark.parametrize("job", JOBS)
def test_a_connection_without_the_password_is_refused(
    roles_warehouse: RolesWarehouse, job: str, tmp_path: Path
) -> None:
    nowhere = tmp_path / "none"
    settings = replace(
        roles_warehouse.settings.for_job(job), passfile=nowhere, admin_passfile=nowhere
    )
    with pytest.raises(psycopg.OperationalError, match="password"):
        psycopg.connect(settings.conninfo(), password="")
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        psycopg.connect(settings.conninfo(), password="not-the-password")


def test_passwords_are_kept_private_and_written_nowhere_else(
    roles_warehouse: RolesWarehouse,
) -> None:
    settings = roles_warehouse.settings
    for passfile in (settings.passfile, settings.admin_passfile):
        assert stat.S_IMODE(passfile.stat().st_mode) == 0o600
        ignored = subprocess.run(["git", "check-ignore", "-q", str(passfile)], cwd=REPO_ROOT)
        assert ignored.returncode == 0, f"{passfile} is not git-ignored"
    secrets = roles_warehouse.passwords()
    written = [path for path in roles_warehouse.work.rglob("*") if path.is_file()]
    assert any(path.name == "manifest.json" for path in written)
    assert any(path.name == "dbt.log" for path in written)
    for path in written:
        text = path.read_bytes().decode("utf-8", "replace")
        for role, secret in secrets.items():
            assert secret not in text, f"{role}'s password is in {path}"
    for output in roles_warehouse.outputs:
        assert not any(secret in output for secret in secrets.values())
    report = (roles_warehouse.work / "r.html").read_text(encoding="utf-8")
    settings = roles_warehouse.settings
    for where in (f"@{settings.host}", f"{settings.host}:{settings.port}", "sparkify_"):
        assert where not in report


def test_roles_setup_is_idempotent(roles_warehouse: RolesWarehouse) -> None:
    before = roles_warehouse.passwords()
    env = dict(os.environ, PGDATABASE=roles_warehouse.settings.database)
    env.pop("PGUSER", None)
    result = subprocess.run(
        [sys.executable, str(REPO_ROOT / "scripts" / "pg.py"), "roles"],
        capture_output=True, text=True, env=env, cwd=REPO_ROOT, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "sparkify_steward" in result.stdout
    assert not any(secret in result.stdout + result.stderr for secret in before.values())
    assert roles_warehouse.passwords() == before
    with roles_warehouse.connect(ANALYST) as conn:  # the stored passwords still work
        assert conn.execute("select current_user").fetchone()[0] == role_name(ANALYST)


def test_a_database_is_closed_to_everyone_else(roles_warehouse: RolesWarehouse) -> None:
    stranger = f"stranger_{uuid.uuid4().hex[:8]}"
    admin = roles_warehouse.settings
    with psycopg.connect(admin.conninfo(), autocommit=True) as conn:
        conn.execute(sql.SQL("create role {} login password 'x'").format(sql.Identifier(stranger)))
    try:
        with pytest.raises(psycopg.OperationalError, match="permission denied"):
            psycopg.connect(replace(admin, user=stranger).conninfo(), password="x")
    finally:
        with psycopg.connect(admin.conninfo(), autocommit=True) as conn:
            conn.execute(sql.SQL("drop role {}").format(sql.Identifier(stranger)))


# --- a reject's raw text, the detailed reason included, reaches the steward only ---------

LEAKED = ("zebulon", "quixote")  # the marker's words, lowercase: either one is a leak


def _leaks(text: str) -> bool:
    return any(word in text.lower() for word in LEAKED)


def test_the_steward_reads_the_rejects_raw_text_and_detailed_reasons(
    roles_warehouse: RolesWarehouse,
) -> None:
    with roles_warehouse.connect(STEWARD) as conn:
        rejects = conn.execute(
            "select reason, reason_kind, raw_text from raw.rejected_records "
            "where source_file = %s order by source_line",
            [MARKED_DAY],
        ).fetchall()
    assert len(rejects) == MARKED_REJECTS
    assert all(MARKER in raw_text for _, _, raw_text in rejects)
    # Four reasons quote the marked value or key; the cut-short line's names a position.
    assert sum(MARKER in reason for reason, _, _ in rejects) == 4
    assert not any(_leaks(kind) for _, kind, _ in rejects)
    assert {kind for _, kind, _ in rejects} >= {
        "ts: expected integer, got string",
        "firstName: expected string, got array",
        "location: expected string, got object",
    }


def test_dbt_reads_a_rejects_kind_never_its_detailed_reason(
    roles_warehouse: RolesWarehouse,
) -> None:
    with roles_warehouse.connect(TRANSFORMER) as conn:
        kinds = conn.execute(
            "select reason_kind from raw.rejected_records where source_file = %s", [MARKED_DAY]
        ).fetchall()
        with pytest.raises(DENIED):
            conn.execute("select reason from raw.rejected_records")
    assert len(kinds) == MARKED_REJECTS
    assert not any(_leaks(kind) for (kind,) in kinds)


def test_no_reject_text_reaches_the_analyst_or_the_report(
    roles_warehouse: RolesWarehouse,
) -> None:
    """Every column the analyst or the report's role can read, whatever its type (as text),
    holds neither word of the marker; and the report still counts the rejects."""
    searched: dict[str, set[str]] = {}
    for job in (ANALYST, REPORTER):
        role = role_name(job)
        readable = roles_warehouse.fetch(
            "select table_schema, table_name, array_agg(column_name::text order by column_name) "
            "from information_schema.columns "
            "where table_schema not in ('pg_catalog', 'information_schema') "
            f"and has_schema_privilege('{role}', table_schema, 'usage') "
            f"and has_column_privilege('{role}', "
            "format('%I.%I', table_schema, table_name), column_name, 'select') "
            "group by 1, 2"
        )
        searched[job] = {f"{schema}.{table}" for schema, table, _ in readable}
        with roles_warehouse.connect(job) as conn:
            for schema, table, columns in readable:
                matches = sql.SQL(" or ").join(
                    sql.SQL("{}::text ~* %(words)s").format(sql.Identifier(column))
                    for column in columns
                )
                query = sql.SQL("select count(*) from {} where {}").format(
                    sql.Identifier(schema, table), matches
                )
                found = conn.execute(query, {"words": "|".join(LEAKED)}).fetchone()[0]
                assert found == 0, f"{role} reads the marker in {schema}.{table}"
    assert "quality.rejects_by_file_and_reason" in searched[REPORTER]
    assert "marts.fct_songplays" in searched[ANALYST]
    assert "raw.rejected_records" not in searched[ANALYST] | searched[REPORTER]

    with roles_warehouse.connect(REPORTER) as conn:
        summary = conn.execute(
            "select reason_kind, rejected_records from quality.rejects_by_file_and_reason "
            "where source_file = %s",
            [MARKED_DAY],
        ).fetchall()
    assert sum(count for _, count in summary) == MARKED_REJECTS
    assert ("ts: expected integer, got string", 1) in summary

    report = (roles_warehouse.work / "r.html").read_text(encoding="utf-8")
    assert not _leaks(report)
    assert f"The loader rejected {MARKED_REJECTS} records in 1 file" in report
    assert MARKED_DAY in report


def test_no_reject_text_is_written_by_dbt_the_report_or_the_commands(
    roles_warehouse: RolesWarehouse,
) -> None:
    written = [path for path in roles_warehouse.work.rglob("*") if path.is_file()]
    assert any(path.name == "dbt.log" for path in written)
    assert any(path.name == "catalog.json" for path in written)
    for path in written:
        assert not _leaks(path.read_bytes().decode("utf-8", "replace")), path
    for output in roles_warehouse.outputs:
        assert not _leaks(output)
