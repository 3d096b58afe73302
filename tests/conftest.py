"""Shared fixtures: a migrated database on SQLite and (with TEST_DATABASE_URL) PostgreSQL.

Every test that takes ``engine`` runs once per backend. PostgreSQL tests get a schema of
their own (search_path), so they neither see nor disturb each other.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.clock import FrozenClock
from bot.services.organisation import import_organisation, load_org_file
from bot.settings import DEFAULT_ORG_FILE
from storage import migrate
from storage.db import create_engine, create_session_factory

PG_URL = os.environ.get("TEST_DATABASE_URL")
BACKENDS = ["sqlite", *(["postgres"] if PG_URL else [])]

# The command line's scratch environment (`env`) for every tier.
pytest_plugins = ["tests.support.cli"]


def _pg_async_url(url: str) -> str:
    scheme, rest = url.split("://", 1)
    return "postgresql+asyncpg://" + rest if not scheme.endswith("asyncpg") else url


@pytest.fixture(scope="session")
def org():
    return load_org_file(DEFAULT_ORG_FILE)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory, org) -> Path:
    """A migrated SQLite file with the shipped organisation, copied for each test."""
    import asyncio

    path = tmp_path_factory.mktemp("template") / "template.db"

    async def build() -> None:
        engine = create_engine(f"sqlite+aiosqlite:///{path}")
        await migrate.upgrade(engine)
        async with create_session_factory(engine)() as session, session.begin():
            await import_organisation(session, org)
        await engine.dispose()

    asyncio.run(build())
    return path


@pytest.fixture(params=BACKENDS)
async def engine(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path, org):
    """A fresh database at the newest schema, holding the shipped organisation."""
    if request.param == "sqlite":
        path = tmp_path / "bot.db"
        shutil.copy(sqlite_template, path)
        eng = create_engine(f"sqlite+aiosqlite:///{path}")
        yield eng
        await eng.dispose()
        return
    assert PG_URL is not None
    schema = f"t_{uuid.uuid4().hex[:12]}"
    url = _pg_async_url(PG_URL)
    admin = create_engine(url)
    async with admin.begin() as conn:
        await conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    eng = create_engine(url, connect_args={"server_settings": {"search_path": schema}})
    await migrate.upgrade(eng)
    async with create_session_factory(eng)() as session, session.begin():
        await import_organisation(session, org)
    try:
        yield eng
    finally:
        await eng.dispose()
        async with admin.begin() as conn:
            await conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        await admin.dispose()


@pytest.fixture
def sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return create_session_factory(engine)


@pytest.fixture
async def session(sessions) -> AsyncIterator[AsyncSession]:
    async with sessions() as s:
        yield s


@pytest.fixture
def clock() -> FrozenClock:
    # A Tuesday in November 2026, 10:00 in Berlin.
    return FrozenClock(datetime(2026, 11, 24, 9, 0, tzinfo=UTC))


@pytest.fixture
async def simulator():
    from bot.simulator import BotApiSimulator

    sim = BotApiSimulator()
    sim.add_bot(token="123456:TEST-TOKEN", username="sozialraum_test_bot", first_name="Sozialraum")
    await sim.start()
    try:
        yield sim
    finally:
        await sim.stop()


@pytest.fixture
async def bot(engine, clock, simulator):
    """The real bot, running against the simulator and the test database."""
    from tests.support.harness import BotHarness

    harness = BotHarness(engine, clock, simulator)
    await harness.start()
    try:
        yield harness
    finally:
        await harness.stop()
