"""The audit log: every decision, admin action and export is recorded here."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import AuditEntry


def record(
    session: AsyncSession,
    *,
    at: datetime,
    actor_id: int | None,
    action: str,
    subject_type: str,
    subject_id: int | str,
    **details: Any,
) -> AuditEntry:
    """Add an audit entry to the current transaction; never pass users' free text."""
    entry = AuditEntry(
        at=at,
        actor_user_id=actor_id,
        action=action,
        subject_type=subject_type,
        subject_id=str(subject_id),
        details=details,
    )
    session.add(entry)
    return entry
