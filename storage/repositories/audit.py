"""Queries over the audit log: newest first, by kind (the part of the action before the dot)."""

from __future__ import annotations

from sqlalchemy import ColumnElement, func, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import AuditEntry, User


def _of_kind(kind: str | None) -> ColumnElement[bool]:
    return AuditEntry.action.startswith(f"{kind}.", autoescape=True) if kind else true()


class AuditRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def count(self, kind: str | None = None) -> int:
        query = select(func.count()).select_from(AuditEntry).where(_of_kind(kind))
        return int(await self.session.scalar(query) or 0)

    async def newest(
        self, kind: str | None, *, offset: int, limit: int
    ) -> list[tuple[AuditEntry, User | None]]:
        query = (
            select(AuditEntry, User).outerjoin(User, User.id == AuditEntry.actor_user_id)
            .where(_of_kind(kind))
            .order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).offset(offset).limit(limit)
        )
        return [(entry, actor) for entry, actor in (await self.session.execute(query)).all()]

    async def kinds(self) -> list[str]:
        """The kinds present in the log, e.g. ``budget_request``, ``user``."""
        actions = await self.session.scalars(select(AuditEntry.action).distinct())
        return sorted({action.split(".", 1)[0] for action in actions})

    async def about(self, user_id: int) -> list[AuditEntry]:
        """Entries the user caused or whose subject is the user, oldest first."""
        return list((await self.session.scalars(
            select(AuditEntry)
            .where(or_(AuditEntry.actor_user_id == user_id,
                       (AuditEntry.subject_type == "user")
                       & (AuditEntry.subject_id == str(user_id))))
            .order_by(AuditEntry.at, AuditEntry.id)
        )).all())
