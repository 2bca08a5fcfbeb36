"""The passwords of the project's roles, in a pgpass-style file that libpq reads itself.

libpq reads PGPASSFILE (format: ``host:port:database:user:password``, one line each,
the first match wins) and ignores a file that its group or others may read; so the file
is written with mode 0600, and its passwords are never printed, logged or passed on the
command line. A line is kept for both spellings of loopback, which libpq matches as
written.
"""

from __future__ import annotations

import os
import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path

from sparkify.errors import SetupError

LOOPBACK_SPELLINGS = ("127.0.0.1", "localhost")


def new_password() -> str:
    """A random password (URL-safe characters, none of which pgpass needs escaped)."""
    return secrets.token_urlsafe(24)


@dataclass(frozen=True)
class PassFile:
    """The passwords of one server (host and port) in a pgpass file."""

    path: Path
    host: str
    port: str

    def password(self, user: str) -> str | None:
        for line in self._lines():
            fields = _split(line)
            if len(fields) == 5 and self._matches(fields, user):
                return fields[4]
        return None

    def store(self, user: str, password: str) -> None:
        """Set the user's password for this server (replacing any line for it), atomically."""
        kept = [line for line in self._lines() if not self._matches(_split(line), user)]
        hosts = LOOPBACK_SPELLINGS if self.host in LOOPBACK_SPELLINGS else (self.host,)
        added = [f"{host}:{self.port}:*:{user}:{password}" for host in hosts]
        self._write([*kept, *added])

    def remove(self, user: str) -> None:
        """Forget the user's password for this server."""
        kept = [line for line in self._lines() if not self._matches(_split(line), user)]
        self._write(kept)

    def _matches(self, fields: list[str], user: str) -> bool:
        hosts = LOOPBACK_SPELLINGS if self.host in LOOPBACK_SPELLINGS else (self.host,)
        return (
            len(fields) == 5
            and fields[0] in hosts
            and fields[1] == self.port
            and (fields[3] == user)
        )

    def _lines(self) -> list[str]:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return []
        except OSError as exc:
            raise SetupError(f"cannot read the password file {self.path}: {exc.strerror}") from None
        return [line for line in text.splitlines() if line.strip()]

    def _write(self, lines: list[str]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # Created 0600 from the start (never readable by others, not even briefly),
        # then renamed over the old file.
        handle, temporary = tempfile.mkstemp(prefix=".pgpass.", dir=self.path.parent)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                out.write("".join(f"{line}\n" for line in lines))
            os.chmod(temporary, 0o600)
            os.replace(temporary, self.path)
        except OSError as exc:
            Path(temporary).unlink(missing_ok=True)
            message = f"cannot write the password file {self.path}: {exc.strerror}"
            raise SetupError(message) from None


def _split(line: str) -> list[str]:
    """A pgpass line's fields (backslash escapes ':' and '\\')."""
    fields, current, escaped = [], [], False
    for char in line:
        if escaped:
            current.append(char)
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == ":":
            fields.append("".join(current))
            current = []
        else:
            current.append(char)
    fields.append("".join(current))
    return fields
