"""Queries for reminders, meetings and the delivery ledger."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from sqlalchemy import ColumnElement, and_, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from storage.models import (
    Budget,
    BudgetRequest,
    Delivery,
    HourEntry,
    Meeting,
    MeetingAttendance,
    MeetingInvitee,
    Membership,
    Reminder,
    ReminderSettings,
    RequestState,
    Role,
    SchedulerRun,
    Team,
    TeamQuota,
    User,
)
from storage.repositories.system import insert_unless_present

DeliveryKey = tuple[str, int, datetime, int]


class ReminderRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    # --- personal reminders ----------------------------------------------------------------

    async def due_reminders(self, now: datetime) -> list[Reminder]:
        return list((await self.session.scalars(
            select(Reminder).where(Reminder.done.is_(False), Reminder.next_at <= now)
            .order_by(Reminder.next_at, Reminder.id)
        )).all())

    async def reminders_of(self, user_id: int) -> list[Reminder]:
        return list((await self.session.scalars(
            select(Reminder).where(Reminder.user_id == user_id, Reminder.done.is_(False))
            .order_by(Reminder.next_at, Reminder.id)
        )).all())

    async def every_reminder_of(self, user_id: int) -> list[Reminder]:
        """Pending and fired ones alike, in the order they were set."""
        return list((await self.session.scalars(
            select(Reminder).where(Reminder.user_id == user_id).order_by(Reminder.id)
        )).all())

    async def count_active(self, user_id: int) -> int:
        return int(await self.session.scalar(
            select(func.count(Reminder.id))
            .where(Reminder.user_id == user_id, Reminder.done.is_(False))
        ) or 0)

    # --- preferences -------------------------------------------------------------------------

    async def settings_for(self, user_ids: Iterable[int]) -> dict[int, ReminderSettings]:
        ids = list(set(user_ids))
        if not ids:
            return {}
        rows = await self.session.scalars(
            select(ReminderSettings).where(ReminderSettings.user_id.in_(ids))
        )
        return {row.user_id: row for row in rows.all()}

    # --- people ------------------------------------------------------------------------------

    async def users(self, user_ids: Iterable[int]) -> dict[int, User]:
        ids = list(set(user_ids))
        if not ids:
            return {}
        rows = await self.session.scalars(select(User).where(User.id.in_(ids)))
        return {user.id: user for user in rows.all()}

    async def active_users(self) -> list[User]:
        return list((await self.session.scalars(
            select(User).where(User.active.is_(True)).order_by(User.id)
        )).all())

    async def team_members(self, team_id: int) -> list[User]:
        return list((await self.session.scalars(
            select(User).join(Membership, Membership.user_id == User.id)
            .where(Membership.team_id == team_id, User.active.is_(True)).order_by(User.id)
        )).all())

    async def region_people(self, region_id: int) -> list[User]:
        """Members of the region's teams and the region's leads."""
        in_team = select(Membership.user_id).join(Team).where(Team.region_id == region_id)
        return list((await self.session.scalars(
            select(User).where(
                User.active.is_(True),
                or_(User.id.in_(in_team),
                    (User.region_id == region_id) & (User.role == Role.LEAD.value)),
            ).order_by(User.id)
        )).all())

    async def with_roles(self, roles: Iterable[str]) -> list[User]:
        return list((await self.session.scalars(
            select(User).where(User.active.is_(True), User.role.in_(list(roles)))
            .order_by(User.id)
        )).all())

    async def leads_of(self, region_ids: Iterable[int]) -> dict[int, list[User]]:
        """Active leads by region, in one query whatever the number of regions."""
        found: dict[int, list[User]] = {}
        for lead in (await self.session.scalars(
            select(User).where(User.active.is_(True), User.role == Role.LEAD.value,
                               User.region_id.in_(list(region_ids))).order_by(User.id)
        )).all():
            found.setdefault(lead.region_id or 0, []).append(lead)
        return found

    # --- meetings ----------------------------------------------------------------------------

    async def scheduled_meetings(self) -> list[Meeting]:
        """Active meetings that have a time: weekly ones and one-offs."""
        return list((await self.session.scalars(
            select(Meeting)
            .where(Meeting.active.is_(True),
                   or_(Meeting.local_time.is_not(None), Meeting.starts_at.is_not(None)))
            .options(selectinload(Meeting.team), selectinload(Meeting.region))
            .order_by(Meeting.id)
        )).all())

    async def meeting(self, meeting_id: int | None) -> Meeting | None:
        if meeting_id is None:
            return None
        return await self.session.scalar(
            select(Meeting).where(Meeting.id == meeting_id)
            .options(selectinload(Meeting.team), selectinload(Meeting.region))
        )

    async def answers(self, meeting_id: int, starts_at: datetime) -> list[MeetingAttendance]:
        return list((await self.session.scalars(
            select(MeetingAttendance).where(MeetingAttendance.meeting_id == meeting_id,
                                            MeetingAttendance.starts_at == starts_at)
        )).all())

    async def answers_of(self, user_id: int) -> dict[tuple[int, datetime], bool]:
        rows = await self.session.scalars(
            select(MeetingAttendance).where(MeetingAttendance.user_id == user_id)
        )
        return {(row.meeting_id, row.starts_at): row.coming for row in rows.all()}

    async def answers_given_by(self, user_id: int) -> list[MeetingAttendance]:
        """Every answer the person gave, by the meeting's time."""
        return list((await self.session.scalars(
            select(MeetingAttendance).where(MeetingAttendance.user_id == user_id)
            .order_by(MeetingAttendance.starts_at)
        )).all())

    async def meetings_invited_to(self, user_id: int) -> list[int]:
        """The meetings the person was chosen for by name."""
        return list((await self.session.scalars(
            select(MeetingInvitee.meeting_id).where(MeetingInvitee.user_id == user_id)
            .order_by(MeetingInvitee.meeting_id)
        )).all())

    async def answer(self, meeting_id: int, starts_at: datetime,
                     user_id: int) -> MeetingAttendance | None:
        return await self.session.scalar(
            select(MeetingAttendance).where(MeetingAttendance.meeting_id == meeting_id,
                                            MeetingAttendance.starts_at == starts_at,
                                            MeetingAttendance.user_id == user_id)
        )

    # --- hours and quotas --------------------------------------------------------------------

    async def team_totals(self, start: date, end: date) -> dict[tuple[int, int], int]:
        """Minutes per (team, category) between two days, for every team at once."""
        rows = await self.session.execute(
            select(HourEntry.team_id, HourEntry.category_id, func.sum(HourEntry.minutes))
            .where(HourEntry.work_date.between(start, end))
            .group_by(HourEntry.team_id, HourEntry.category_id)
        )
        return {(team, category): int(total) for team, category, total in rows.all()}

    async def quotas(self) -> list[TeamQuota]:
        return list((await self.session.scalars(
            select(TeamQuota).join(Team)
            .where(Team.active.is_(True), TeamQuota.weekly_minutes.is_not(None))
            .options(selectinload(TeamQuota.team), selectinload(TeamQuota.category))
            .order_by(Team.key)
        )).all())

    # --- budget ------------------------------------------------------------------------------

    async def raised_requests(self, since: datetime) -> list[tuple[BudgetRequest, int]]:
        """Pending requests raised again (not just filed) since ``since``, with their region."""
        rows = await self.session.execute(
            select(BudgetRequest, Budget.region_id).join(Budget)
            .where(BudgetRequest.state == RequestState.PENDING,
                   BudgetRequest.raised_at > BudgetRequest.created_at,
                   BudgetRequest.raised_at >= since)
            .order_by(BudgetRequest.id)
        )
        return [(request, region_id) for request, region_id in rows.all()]

    # --- the delivery ledger -----------------------------------------------------------------

    async def ledger_since(self, since: datetime) -> dict[DeliveryKey, tuple[str, datetime]]:
        """Status and claim time of every ledger row due from ``since`` on."""
        rows = await self.session.execute(
            select(Delivery.kind, Delivery.subject_id, Delivery.due_at, Delivery.user_id,
                   Delivery.status, Delivery.claimed_at)
            .where(Delivery.due_at >= since)
        )
        return {(kind, subject, due, user): (status, claimed_at)
                for kind, subject, due, user, status, claimed_at in rows.all()}

    async def claim(self, key: DeliveryKey, status: str, now: datetime) -> bool:
        kind, subject_id, due_at, user_id = key
        return await insert_unless_present(
            self.session, Delivery, kind=kind, subject_id=subject_id, due_at=due_at,
            user_id=user_id, status=status, claimed_at=now,
        )

    async def retake(self, key: DeliveryKey, status: str, now: datetime) -> bool:
        """Take over a row still ``claimed`` by an earlier run (claimed before ``now``);
        True if this call got it. ``claimed_at`` becomes ``now``: the new owner's token."""
        result = await self.session.execute(
            update(Delivery)
            .where(self._key(key), Delivery.status == "claimed", Delivery.claimed_at < now)
            .values(status=status, claimed_at=now)
            .execution_options(synchronize_session=False)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def mark_sending(self, key: DeliveryKey, claimed_at: datetime) -> bool:
        """``claimed`` → ``sending``, only if the claim made at ``claimed_at`` still holds
        (no later run took it over); True if so."""
        result = await self.session.execute(
            update(Delivery)
            .where(self._key(key), Delivery.status == "claimed",
                   Delivery.claimed_at == claimed_at)
            .values(status="sending")
            .execution_options(synchronize_session=False)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def set_status(self, key: DeliveryKey, status: str, now: datetime) -> None:
        await self.session.execute(
            update(Delivery).where(self._key(key))
            .values(status=status, sent_at=now if status in ("sent", "partial") else None)
        )

    async def abandon_sending(self, *, claimed_before: datetime) -> int:
        """Rows left ``sending`` by a run that died while sending: ``unknown`` (they may have
        reached Telegram, so they are never sent again)."""
        result = await self.session.execute(
            update(Delivery)
            .where(Delivery.status == "sending", Delivery.claimed_at < claimed_before)
            .values(status="unknown")
            .execution_options(synchronize_session=False)
        )
        return int(result.rowcount)  # type: ignore[attr-defined]

    async def release(self, key: DeliveryKey) -> None:
        await self.session.execute(delete(Delivery).where(self._key(key)))

    async def deliveries(self, kind: str | None = None) -> list[Delivery]:
        query = select(Delivery).order_by(Delivery.due_at, Delivery.id)
        if kind is not None:
            query = query.where(Delivery.kind == kind)
        return list((await self.session.scalars(query)).all())

    @staticmethod
    def _key(key: DeliveryKey) -> ColumnElement[bool]:
        kind, subject_id, due_at, user_id = key
        return and_(Delivery.kind == kind, Delivery.subject_id == subject_id,
                    Delivery.due_at == due_at, Delivery.user_id == user_id)

    # --- bookkeeping -------------------------------------------------------------------------

    async def last_run(self, name: str) -> datetime | None:
        run = await self.session.get(SchedulerRun, name)
        return run.last_run_at if run is not None else None

    async def mark_run(self, name: str, now: datetime) -> None:
        if not await insert_unless_present(self.session, SchedulerRun, name=name,
                                           last_run_at=now):
            await self.session.execute(
                update(SchedulerRun)
                .where(SchedulerRun.name == name, SchedulerRun.last_run_at < now)
                .values(last_run_at=now)
            )

    async def purge_deliveries(self, *, before: datetime) -> None:
        """Forget ledger rows no scheduler window will look at again."""
        await self.session.execute(delete(Delivery).where(Delivery.due_at < before))
