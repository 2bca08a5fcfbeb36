"""The project's own PostgreSQL cluster, kept in the repository (``.pgdata/``).

Nothing is installed system-wide: ``initdb`` and ``pg_ctl`` from the machine's
server binaries run a private cluster on 127.0.0.1:54329. Postgres refuses to run
as root, so when we are root the server runs as the unprivileged ``postgres``
account that Debian's server package creates.
"""

from __future__ import annotations

import glob
import hashlib
import os
import pwd
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from sparkify.errors import SetupError
from sparkify.settings import LOCAL_PORT, LOCAL_USER, ConnectionSettings

REPO_ROOT = Path(__file__).resolve().parents[2]
SERVER_ACCOUNT_WHEN_ROOT = "postgres"

INSTALL_HINT = (
    "install the PostgreSQL server binaries (Debian/Ubuntu: apt-get install postgresql; "
    "macOS: brew install postgresql@15) or point PGHOST/PGPORT at a server you already have"
)

# Tuned for a laptop-sized development cluster that is rebuilt at will:
# synchronous_commit=off trades the last few commits on an OS crash for speed,
# never consistency.
SERVER_SETTINGS = {
    "listen_addresses": "'127.0.0.1'",
    "port": LOCAL_PORT,
    "unix_socket_directories": "''",
    "shared_buffers": "'256MB'",
    "work_mem": "'64MB'",
    "maintenance_work_mem": "'256MB'",
    "synchronous_commit": "off",
    "max_wal_size": "'4GB'",
    "checkpoint_timeout": "'15min'",
    "log_min_messages": "warning",
}


@dataclass(frozen=True)
class LocalCluster:
    root: Path  # holds data/ and server.log
    bindir: Path
    account: pwd.struct_passwd  # who runs the server

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def log_file(self) -> Path:
        return self.root / "server.log"

    def is_initialised(self) -> bool:
        return (self.data_dir / "PG_VERSION").exists()

    def is_running(self) -> bool:
        if not self.is_initialised():
            return False
        return self._run("pg_ctl", "status", "-D", str(self.data_dir), check=False).returncode == 0

    def initialise(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        self._hand_over(self.root)
        self._run(
            "initdb",
            "-D", str(self.data_dir),
            "-U", LOCAL_USER,
            "--auth=trust",  # loopback only, no unix socket: a throwaway dev cluster
            "--encoding=UTF8",
            "--no-locale",
        )  # fmt: skip
        conf = "\n".join(f"{key} = {value}" for key, value in SERVER_SETTINGS.items())
        with open(self.data_dir / "postgresql.conf", "a", encoding="utf-8") as handle:
            handle.write(f"\n# sparkify local cluster\n{conf}\n")

    def start(self) -> None:
        result = self._run(
            "pg_ctl", "start", "-w", "-t", "60",
            "-D", str(self.data_dir), "-l", str(self.log_file),
            check=False,
        )  # fmt: skip
        if result.returncode != 0:
            raise SetupError(
                f"the local Postgres did not start: {self._last_log_line()} "
                f"(full log: {self.log_file})"
            )

    def ensure_running(self, settings: ConnectionSettings) -> None:
        """Initialise the cluster on first use, and start it when it is down."""
        if not self.is_initialised():
            print(f"initialising a local Postgres cluster in {self.root} ...", flush=True)
            self.initialise()
        if not self.is_running():
            print(f"starting the local Postgres on {settings.host}:{settings.port} ...", flush=True)
            self.start()

    def stop(self) -> bool:
        """Stop the server; False when it was not running."""
        if not self.is_running():
            return False
        self._run("pg_ctl", "stop", "-w", "-m", "fast", "-D", str(self.data_dir))
        return True

    def _last_log_line(self) -> str:
        try:
            lines = self.log_file.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            return "no server log"
        errors = [line for line in lines if "FATAL" in line or "ERROR" in line]
        return (errors or lines or ["no server log"])[-1].strip()

    def _hand_over(self, path: Path) -> None:
        if os.geteuid() == 0:
            shutil.chown(path, self.account.pw_uid, self.account.pw_gid)
        path.chmod(0o700)

    def _run(self, program: str, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        command = [str(self.bindir / program), *args]
        as_other_user = os.geteuid() == 0
        result = subprocess.run(
            command,
            capture_output=True,
            text=True,
            cwd=self.root if self.root.exists() else None,
            user=self.account.pw_uid if as_other_user else None,
            group=self.account.pw_gid if as_other_user else None,
            extra_groups=[] if as_other_user else None,
            env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C"},
            check=False,
        )
        if check and result.returncode != 0:
            detail = (result.stderr or result.stdout).strip().splitlines()
            raise SetupError(f"{program} failed: {detail[-1] if detail else result.returncode}")
        return result


def find_server_binaries() -> Path:
    """The directory holding initdb and pg_ctl: pg_config's, else Debian's layout."""
    candidates: list[Path] = []
    pg_config = shutil.which("pg_config")
    if pg_config:
        result = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True)
        if result.returncode == 0:
            candidates.append(Path(result.stdout.strip()))
    versions = glob.glob("/usr/lib/postgresql/*/bin")
    candidates += sorted(
        (Path(p) for p in versions), key=lambda p: int(p.parent.name), reverse=True
    )
    for bindir in candidates:
        if (bindir / "initdb").exists() and (bindir / "pg_ctl").exists():
            return bindir
    raise SetupError(f"no PostgreSQL server binaries (initdb, pg_ctl) found: {INSTALL_HINT}")


def server_account() -> pwd.struct_passwd:
    """Who runs the server: ourselves, or the 'postgres' account when we are root."""
    if os.geteuid() != 0:
        return pwd.getpwuid(os.geteuid())
    try:
        return pwd.getpwnam(SERVER_ACCOUNT_WHEN_ROOT)
    except KeyError:
        raise SetupError(
            "Postgres will not run as root and there is no 'postgres' account: "
            "run as a normal user, or create one (useradd --system postgres)"
        ) from None


def cluster_root(account: pwd.struct_passwd) -> Path:
    """``.pgdata`` in the repository, unless the server account cannot reach it.

    As root the repository may sit under a directory the 'postgres' account may not
    enter (/root is mode 700); the cluster then lives under /var/tmp instead.
    """
    preferred = REPO_ROOT / ".pgdata"
    if os.geteuid() != 0 or _reachable_by(account, REPO_ROOT):
        return preferred
    digest = hashlib.sha256(str(REPO_ROOT).encode()).hexdigest()[:12]
    return Path("/var/tmp") / f"sparkify-pgdata-{digest}"


def _reachable_by(account: pwd.struct_passwd, path: Path) -> bool:
    result = subprocess.run(
        ["test", "-x", str(path)],
        user=account.pw_uid,
        group=account.pw_gid,
        extra_groups=[],
        check=False,
    )
    return result.returncode == 0


def local_cluster() -> LocalCluster:
    account = server_account()
    return LocalCluster(root=cluster_root(account), bindir=find_server_binaries(), account=account)
