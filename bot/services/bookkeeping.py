"""Technical records kept only for a few days: processed update ids and one-shot button claims.

Telegram redelivers an update for at most a day, and a button pressed twice is pressed within
minutes, so neither record has any use after the bookkeeping period.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.data_kind import DataKind, changed_rows
from storage.models import OneShot, ProcessedUpdate, User


async def purge_processed_updates(session: AsyncSession, before: datetime, now: datetime) -> int:
    return await changed_rows(
        session, delete(ProcessedUpdate).where(ProcessedUpdate.processed_at < before)
    )


async def purge_one_shots(session: AsyncSession, before: datetime, now: datetime) -> int:
    return await changed_rows(session, delete(OneShot).where(OneShot.at < before))


async def forget_one_shots(session: AsyncSession, user: User, now: datetime) -> int:
    """Claims carry the chat id (``hours-save:<chat>:<message>``); a private chat's id is the
    person's Telegram id."""
    return await changed_rows(session, delete(OneShot).where(
        OneShot.key.contains(f":{user.telegram_id}:", autoescape=True)
    ))


PROCESSED_UPDATES = DataKind(
    name="processed_updates",
    setting="retention_bookkeeping_days",
    purge=purge_processed_updates,
)

ONE_SHOT_CLAIMS = DataKind(
    name="one_shot_claims",
    setting="retention_bookkeeping_days",
    purge=purge_one_shots,
    forget=forget_one_shots,
)
