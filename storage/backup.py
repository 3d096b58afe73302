"""Backups of a SQLite database with SQLite's online backup API (safe while the bot runs).

PostgreSQL is backed up with its own tools (``pg_dump``), see docs/operations.md, "Backup and
restore".
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path


class BackupError(Exception):
    """A backup that could not be made, phrased for the operator."""


@dataclass(frozen=True)
class BackupResult:
    path: Path
    size: int
    revision: str | None  # schema revision in the copy


def backup_sqlite(database: Path, out: Path) -> BackupResult:
    """Copy ``database`` to ``out`` consistently, readable by its owner only.

    The copy is written beside ``out`` first and renamed when complete and checked, so
    ``out`` is never a half-written file.
    """
    if not database.is_file():
        raise BackupError(f"no database at {database}")
    if out.exists() and out.resolve() == database.resolve():
        raise BackupError("--out must not be the database itself")
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    partial.unlink(missing_ok=True)
    source = sqlite3.connect(database)
    try:
        target = sqlite3.connect(partial)
        try:
            source.backup(target)
            check = target.execute("PRAGMA integrity_check").fetchone()[0]
            revision = _revision(target)
            # A self-contained file: no -wal beside it is needed to read it.
            target.execute("PRAGMA journal_mode=DELETE")
        finally:
            target.close()
    except sqlite3.Error as exc:
        partial.unlink(missing_ok=True)
        raise BackupError(f"cannot back up {database}: {exc}") from None
    finally:
        source.close()
    if check != "ok":
        partial.unlink(missing_ok=True)
        raise BackupError(f"the copy failed its integrity check: {check}")
    partial.chmod(0o600)
    partial.replace(out)
    return BackupResult(path=out, size=out.stat().st_size, revision=revision)


def _revision(connection: sqlite3.Connection) -> str | None:
    try:
        row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.Error:
        return None
    return str(row[0]) if row else None
