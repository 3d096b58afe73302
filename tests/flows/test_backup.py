"""Backup and restore, done exactly as docs/operations.md tells the operator."""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest

from storage import migrate
from tests.conftest import PG_URL
from tests.support.cli import run
from tests.support.scratch_db import scratch_databases


def _invitations(database: Path) -> int:
    with sqlite3.connect(database) as connection:
        return int(connection.execute("SELECT count(*) FROM invitation").fetchone()[0])


@pytest.fixture
def live(tmp_path):
    """A bot database in use: migrated, organisation imported, one invitation."""
    database = tmp_path / "data" / "sozialraum.db"
    env = {"TELEGRAM_BOT_TOKEN": "123:abc", "TELEGRAM_BOT_USERNAME": "norderstedt_bot",
           "DATABASE_URL": f"sqlite+aiosqlite:///{database}"}
    assert run("org", "import", env=env, cwd=tmp_path).returncode == 0
    invited = run("invite", "--role", "lead", "--region", "nord", env=env, cwd=tmp_path)
    assert invited.returncode == 0
    return database, env


def test_backup_and_restore_of_sqlite(live, tmp_path):
    database, env = live
    result = run("backup", "--out", "backups/sozialraum-1.db", env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    copy = tmp_path / "backups" / "sozialraum-1.db"
    assert result.stdout.startswith(f"backups/sozialraum-1.db: {copy.stat().st_size} bytes")
    assert f"schema {migrate.head_revision()}" in result.stdout
    assert copy.stat().st_mode & 0o777 == 0o600  # social data: readable by the owner only
    assert _invitations(copy) == 1

    # Work goes on after the backup …
    run("invite", "--role", "admin", env=env, cwd=tmp_path)
    assert _invitations(database) == 2
    # … then the restore, step by step as in docs/operations.md (with the bot stopped):
    shutil.copyfile(copy, database)                                      # install -m 0600 …
    for leftover in ("-wal", "-shm"):                                    # rm -f …-wal …-shm
        Path(f"{database}{leftover}").unlink(missing_ok=True)
    upgraded = run("db", "upgrade", env=env, cwd=tmp_path)               # sozialraum-bot db upgrade
    assert upgraded.returncode == 0 and migrate.head_revision() in upgraded.stdout
    assert _invitations(database) == 1


def test_backup_refuses_clearly(tmp_path):
    env = {"TELEGRAM_BOT_TOKEN": "123:abc",
           "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/none.db"}
    missing = run("backup", "--out", "x.db", env=env, cwd=tmp_path)
    assert missing.returncode == 2
    assert missing.stderr.strip() == f"sozialraum-bot: no database at {tmp_path}/none.db"
    assert not (tmp_path / "none.db").exists()  # looking did not create an empty database

    pg = {"TELEGRAM_BOT_TOKEN": "123:abc",
          "DATABASE_URL": "postgresql://bot:geheim@db.example.org/sozialraum"}
    refused = run("backup", "--out", "sozialraum.dump", env=pg, cwd=tmp_path)
    assert refused.returncode == 2
    assert "pg_dump --format=custom --file=sozialraum.dump " \
           "'postgresql://bot:***@db.example.org/sozialraum'" in refused.stderr
    assert "geheim" not in refused.stderr


@pytest.mark.skipif(not PG_URL or not shutil.which("pg_dump"),
                    reason="needs PostgreSQL (TEST_DATABASE_URL) and its client tools")
async def test_pg_dump_and_pg_restore_as_documented(tmp_path):
    """The PostgreSQL commands of docs/operations.md, run against throwaway databases."""
    async with scratch_databases(2) as (source, target):
        env = {"TELEGRAM_BOT_TOKEN": "123:abc", "TELEGRAM_BOT_USERNAME": "norderstedt_bot",
               "DATABASE_URL": source}
        assert run("org", "import", env=env, cwd=tmp_path).returncode == 0
        assert run("invite", "--role", "admin", env=env, cwd=tmp_path).returncode == 0
        dump = tmp_path / "sozialraum.dump"
        await _shell("pg_dump", "--format=custom", f"--file={dump}", source)
        await _shell("pg_restore", "--no-owner", "--clean", "--if-exists", f"--dbname={target}",
                     str(dump))
        current = run("db", "current", env={**env, "DATABASE_URL": target}, cwd=tmp_path)
        assert current.stdout.startswith(f"current: {migrate.head_revision()};")
        count = await _shell("psql", "-At", "-c", "SELECT count(*) FROM invitation", target)
        assert count.strip() == "1"


async def _shell(*command: str) -> str:
    result = await asyncio.to_thread(subprocess.run, command, check=True, capture_output=True,
                                     text=True)
    return result.stdout
