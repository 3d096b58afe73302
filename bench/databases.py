"""Databases for the benchmarks: a temporary SQLite file, or a PostgreSQL schema of its own.

PostgreSQL is ``TEST_DATABASE_URL`` (as for the tests) or a local default; each benchmark
gets a fresh schema there (``search_path``), dropped afterwards, so runs never clash.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.services.organisation import import_organisation, load_org_file
from bot.settings import DEFAULT_ORG_FILE
from storage import migrate
from storage.db import create_engine, create_session_factory

DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"
BACKENDS = ("sqlite", "postgresql")


def postgres_url() -> str:
    """The PostgreSQL server to measure on, as an asyncpg URL."""
    url = os.environ.get("TEST_DATABASE_URL") or DEFAULT_POSTGRES
    scheme, rest = url.split("://", 1)
    return url if scheme.endswith("asyncpg") else f"postgresql+asyncpg://{rest}"


async def postgres_reachable() -> str | None:
    """None if the server answers, else the reason (the benchmark then says it was skipped)."""
    engine = create_engine(postgres_url())
    try:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
        return None
    except Exception as exc:  # any failure to connect means: skip, with the reason
        return f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
    finally:
        await engine.dispose()


@dataclass(frozen=True)
class Database:
    """Where one benchmark's data lives; ``schema`` is set on PostgreSQL."""

    backend: str
    url: str
    schema: str | None = None

    def connect_args(self) -> dict[str, Any]:
        return {"server_settings": {"search_path": self.schema}} if self.schema else {}

    def engine(self, pool_size: int = 10) -> AsyncEngine:
        return create_engine(self.url, pool_size=pool_size, connect_args=self.connect_args())

    def process_args(self) -> list[str]:
        """The same database for a bot in another process (``bench.bot_process``)."""
        return ["--database-url", self.url, *(["--schema", self.schema] if self.schema else [])]


@asynccontextmanager
async def fresh_database(backend: str, *, organisation: bool = True) -> AsyncIterator[Database]:
    """A database at the newest schema, with the shipped organisation unless told otherwise."""
    if backend == "sqlite":
        with tempfile.TemporaryDirectory(prefix="bench-") as folder:
            database = Database("sqlite", f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}")
            await _prepare(database, organisation)
            yield database
        return
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    admin = create_engine(postgres_url())
    async with admin.begin() as connection:
        await connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        database = Database("postgresql", postgres_url(), schema)
        await _prepare(database, organisation)
        yield database
    finally:
        async with admin.begin() as connection:
            await connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        await admin.dispose()


async def _prepare(database: Database, organisation: bool) -> None:
    engine = database.engine()
    try:
        await migrate.upgrade(engine)
        if organisation:
            async with create_session_factory(engine)() as session, session.begin():
                await import_organisation(session, load_org_file(DEFAULT_ORG_FILE))
    finally:
        await engine.dispose()


async def backends(smoke: bool) -> dict[str, str | None]:
    """Each backend to measure, with the reason it is skipped (None: measure it).

    The smoke run (``make test``) measures PostgreSQL only when TEST_DATABASE_URL is set.
    """
    if smoke and not os.environ.get("TEST_DATABASE_URL"):
        return {"sqlite": None}
    return {"sqlite": None, "postgresql": await postgres_reachable()}
