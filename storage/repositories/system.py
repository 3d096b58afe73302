"""Bookkeeping queries: one-shot claims, inserts that may race."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import bindparam
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import dialect_of, insert_for
from storage.models import OneShot, ProcessedUpdate
from storage.models.base import Base


async def claim_once(session: AsyncSession, key: str, at: datetime) -> bool:
    """Claim ``key`` inside the current transaction; False if it was claimed before.

    INSERT … ON CONFLICT DO NOTHING: on PostgreSQL a concurrent claim waits for the first
    transaction and then finds the key taken, so exactly one caller gets True.
    """
    return await insert_unless_present(session, OneShot, key=key, at=at)


# Run at every update: built once per dialect.
_CLAIM_UPDATE = {
    name: insert(ProcessedUpdate).values(update_id=bindparam("update_id"),
                                         processed_at=bindparam("at"))
    .on_conflict_do_nothing().execution_options(dml_strategy="raw")  # a Core insert
    for name, insert in (("postgresql", pg_insert), ("sqlite", sqlite_insert))
}


async def claim_update(session: AsyncSession, update_id: int, at: datetime) -> bool:
    """Record ``update_id`` as processed inside the current transaction; False if it was
    (or is being) processed already. On PostgreSQL a second instance handed the same update
    waits here until the first commits, so its handlers never run at all."""
    statement = _CLAIM_UPDATE[dialect_of(session)]
    result = await session.execute(statement, {"update_id": update_id, "at": at})
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def insert_unless_present(session: AsyncSession, model: type[Base], **values: Any) -> bool:
    """INSERT … ON CONFLICT DO NOTHING on either backend; True if the row was inserted."""
    statement = insert_for(session)(model).values(**values).on_conflict_do_nothing()
    result = await session.execute(statement)
    return bool(result.rowcount)  # type: ignore[attr-defined]
