"""Queries about logged hours; aggregates are computed in SQL."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from storage.models import HourCategory, HourEntry, Membership, TeamQuota, User, WeekReopening


class HoursRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def categories(self) -> list[HourCategory]:
        return list((await self.session.scalars(
            select(HourCategory).where(HourCategory.active.is_(True))
            .order_by(HourCategory.position)
        )).all())

    async def quotas(self, team_id: int) -> dict[int, int | None]:
        rows = await self.session.execute(
            select(TeamQuota.category_id, TeamQuota.weekly_minutes)
            .where(TeamQuota.team_id == team_id)
        )
        return {category_id: minutes for category_id, minutes in rows.all()}

    async def team_totals(self, team_id: int, start: date, end: date) -> dict[int, int]:
        """Minutes per category of one team between two days (inclusive)."""
        rows = await self.session.execute(
            select(HourEntry.category_id, func.sum(HourEntry.minutes))
            .where(HourEntry.team_id == team_id, HourEntry.work_date.between(start, end))
            .group_by(HourEntry.category_id)
        )
        return {category_id: int(total) for category_id, total in rows.all()}

    async def person_totals(
        self, team_id: int, start: date, end: date
    ) -> list[tuple[int | None, str | None, int, int]]:
        """(user id, name, category id, minutes) per person; erased users have no name."""
        rows = await self.session.execute(
            select(HourEntry.user_id, User.display_name, HourEntry.category_id,
                   func.sum(HourEntry.minutes))
            .outerjoin(User, User.id == HourEntry.user_id)
            .where(HourEntry.team_id == team_id, HourEntry.work_date.between(start, end))
            .group_by(HourEntry.user_id, User.display_name, HourEntry.category_id)
            .order_by(User.display_name)
        )
        return [(uid, name, cid, int(total)) for uid, name, cid, total in rows.all()]

    async def day_total(self, user_id: int, day: date, exclude_entry: int | None = None) -> int:
        query = select(func.coalesce(func.sum(HourEntry.minutes), 0)).where(
            HourEntry.user_id == user_id, HourEntry.work_date == day
        )
        if exclude_entry is not None:
            query = query.where(HourEntry.id != exclude_entry)
        return int(await self.session.scalar(query) or 0)

    async def entry(self, entry_id: int) -> HourEntry | None:
        return await self.session.scalar(
            select(HourEntry).where(HourEntry.id == entry_id)
            .options(selectinload(HourEntry.category), selectinload(HourEntry.team))
        )

    async def entries_of_user(self, user_id: int, start: date, end: date) -> list[HourEntry]:
        return list((await self.session.scalars(
            select(HourEntry)
            .where(HourEntry.user_id == user_id, HourEntry.work_date.between(start, end))
            .options(selectinload(HourEntry.category), selectinload(HourEntry.team))
            .order_by(HourEntry.work_date.desc(), HourEntry.id.desc())
        )).all())

    async def reopened_until(self, team_id: int, week_start: date) -> date | None:
        return await self.session.scalar(
            select(func.max(WeekReopening.open_until))
            .where(WeekReopening.team_id == team_id, WeekReopening.week_start == week_start)
        )

    async def members_without_hours(
        self, team_ids: list[int], start: date, end: date, roles: list[str]
    ) -> list[tuple[User, int]]:
        """Active members with one of ``roles`` who logged nothing for their team that week."""
        logged = (
            select(HourEntry.id)
            .where(HourEntry.user_id == Membership.user_id,
                   HourEntry.team_id == Membership.team_id,
                   HourEntry.work_date.between(start, end))
            .exists()
        )
        rows = await self.session.execute(
            select(User, Membership.team_id)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.team_id.in_(team_ids), User.active.is_(True),
                   User.role.in_(roles), ~logged)
            .order_by(User.id)
        )
        return [(user, team_id) for user, team_id in rows.all()]

    async def entries_of(self, user_id: int) -> list[HourEntry]:
        """Everything the person logged, with team and kind of work, by day."""
        return list((await self.session.scalars(
            select(HourEntry).where(HourEntry.user_id == user_id)
            .options(selectinload(HourEntry.team), selectinload(HourEntry.category))
            .order_by(HourEntry.work_date, HourEntry.id)
        )).all())

    async def reopenings_by(self, user_id: int) -> list[WeekReopening]:
        return list((await self.session.scalars(
            select(WeekReopening).where(WeekReopening.reopened_by_user_id == user_id)
            .order_by(WeekReopening.reopened_at)
        )).all())
