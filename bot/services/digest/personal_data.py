"""Digest settings as personal data: exported with /mydata, erased with the person.

A recipient's schedule and when their last digest went out. The digests themselves are not
stored; each one sent is in the audit log (``export.digest``) and the delivery ledger.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.data_kind import DataKind, changed_rows, iso
from storage.models import DigestSettings, User


async def export_digest_settings(session: AsyncSession, user: User) -> dict[str, Any] | None:
    row = await session.get(DigestSettings, user.id)
    if row is None:
        return None
    return {"frequency": row.frequency, "weekday": row.weekday,
            "local_time": row.local_time.isoformat() if row.local_time else None,
            "changed_at": iso(row.changed_at), "last_sent_at": iso(row.last_sent_at)}


async def forget_digest_settings(session: AsyncSession, user: User, now: datetime) -> int:
    return await changed_rows(session, delete(DigestSettings).where(
        DigestSettings.user_id == user.id))


DIGEST_SETTINGS = DataKind(
    name="digest",
    export=export_digest_settings,
    forget=forget_digest_settings,
)
