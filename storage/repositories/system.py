"""Bookkeeping queries: one-shot claims, inserts that may race."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import OneShot, ProcessedUpdate
from storage.models.base import Base


async def claim_once(session: AsyncSession, key: str, at: datetime) -> bool:
    """Claim ``key`` inside the current transaction; False if it was claimed before.

    INSERT … ON CONFLICT DO NOTHING: on PostgreSQL a concurrent claim waits for the first
    transaction and then finds the key taken, so exactly one caller gets True.
    """
    return await insert_unless_present(session, OneShot, key=key, at=at)


async def claim_update(session: AsyncSession, update_id: int, at: datetime) -> bool:
    """Record ``update_id`` as processed inside the current transaction; False if it was
    (or is being) processed already. On PostgreSQL a second instance handed the same update
    waits here until the first commits, so its handlers never run at all."""
    return await insert_unless_present(session, ProcessedUpdate, update_id=update_id,
                                       processed_at=at)


async def insert_unless_present(session: AsyncSession, model: type[Base], **values: Any) -> bool:
    """INSERT … ON CONFLICT DO NOTHING on either backend; True if the row was inserted."""
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(model).values(**values).on_conflict_do_nothing()
    result = await session.execute(statement)
    return bool(result.rowcount)  # type: ignore[attr-defined]

