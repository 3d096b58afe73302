"""Throwaway PostgreSQL databases for tests whose subject connects by a plain URL
(separate bot processes, pg_dump/pg_restore) and so cannot use a test schema."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import text

from storage.db import create_engine
from tests.conftest import PG_URL, _pg_async_url


@asynccontextmanager
async def scratch_databases(count: int = 1) -> AsyncIterator[list[str]]:
    """``count`` new, empty databases as libpq URLs (postgresql://…); dropped afterwards."""
    assert PG_URL is not None
    base = PG_URL.rsplit("/", 1)[0]
    names = [f"golive_{uuid.uuid4().hex[:10]}" for _ in range(count)]
    admin = create_engine(_pg_async_url(PG_URL))
    try:
        async with admin.connect() as connection:
            await connection.execution_options(isolation_level="AUTOCOMMIT")
            for name in names:
                await connection.execute(text(f'CREATE DATABASE "{name}"'))
        yield [f"{base}/{name}" for name in names]
    finally:
        await admin.dispose()  # the pool's connections would hold nothing, but be tidy
        async with admin.connect() as connection:
            await connection.execution_options(isolation_level="AUTOCOMMIT")
            for name in names:
                await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()
