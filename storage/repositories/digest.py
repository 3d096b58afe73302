"""Queries of the digest and the reports: aggregates over whole regions, one statement each.

Every method answers for all teams (or people) of the scope at once, so a digest or a report
costs the same number of statements for four teams as for fifty; the amount of work per
statement grows with the data, never the number of statements. ``region_ids`` None means
every region (administrators).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import ColumnElement, func, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import QueryableAttribute, joinedload

from storage.models import (
    Budget,
    BudgetRequest,
    DigestSettings,
    FaqQuestion,
    HourEntry,
    MeetingAttendance,
    Membership,
    Region,
    RequestState,
    Role,
    Team,
    TeamQuota,
    User,
)


@dataclass(frozen=True)
class RequestRow:
    """A budget request without its free texts (title, description, reason)."""

    id: int
    number: str
    region_id: int
    team_id: int
    team_name: str
    state: str
    amount_cents: int
    approved_cents: int | None
    actual_cents: int | None
    planned_on: date
    created_at: datetime
    decided_at: datetime | None


@dataclass(frozen=True)
class QuestionRow:
    id: int
    text: str
    forwarded_at: datetime
    region_ids: frozenset[int]  # the asker's regions; empty: nobody's (the admins answer)


@dataclass(frozen=True)
class NewMemberRow:
    user_id: int
    name: str
    role: str
    joined_at: datetime
    team_names: tuple[str, ...]
    region_ids: frozenset[int]


class DigestRepository:
    def __init__(self, session: AsyncSession, region_ids: Collection[int] | None) -> None:
        self.session = session
        self.region_ids = None if region_ids is None else sorted(set(region_ids))

    def _in_scope(self, column: QueryableAttribute[int] | QueryableAttribute[int | None]) -> (
            ColumnElement[bool]):
        return true() if self.region_ids is None else column.in_(self.region_ids)

    def _scope_teams(self) -> ColumnElement[bool]:
        """Team ids of the scope, as a subquery (active or not: history stays countable)."""
        return true() if self.region_ids is None else HourEntry.team_id.in_(
            select(Team.id).where(Team.region_id.in_(self.region_ids)))

    async def regions(self) -> list[Region]:
        return list((await self.session.scalars(
            select(Region).where(self._in_scope(Region.id)).order_by(Region.key)
        )).all())

    async def teams(self, *, active_only: bool = True) -> list[Team]:
        query = select(Team).where(self._in_scope(Team.region_id)).order_by(Team.key)
        if active_only:
            query = query.where(Team.active.is_(True))
        return list((await self.session.scalars(query)).all())

    async def quotas(self) -> dict[tuple[int, int], int]:
        """Weekly minutes per (team, category) where a quota is set."""
        rows = await self.session.execute(
            select(TeamQuota.team_id, TeamQuota.category_id, TeamQuota.weekly_minutes)
            .join(Team, Team.id == TeamQuota.team_id)
            .where(TeamQuota.weekly_minutes.is_not(None), self._in_scope(Team.region_id))
        )
        return {(team, category): int(minutes or 0) for team, category, minutes in rows.all()}

    async def week_totals(self, start: date, end: date) -> dict[tuple[int, int, date], int]:
        """Minutes per team, category and ISO week (by its Monday) of the days from ``start``
        to ``end`` (inclusive). Summed per day in SQL (the covering index makes that a scan
        of the index alone; date arithmetic per row would cost more than it saves), then the
        few days per week are added up here."""
        rows = await self.session.execute(
            select(HourEntry.team_id, HourEntry.category_id, HourEntry.work_date,
                   func.sum(HourEntry.minutes))
            .where(HourEntry.work_date.between(start, end), self._scope_teams())
            .group_by(HourEntry.work_date, HourEntry.team_id, HourEntry.category_id)
        )
        weeks: dict[tuple[int, int, date], int] = defaultdict(int)
        for team, category, day, minutes in rows.all():
            weeks[(team, category, day - timedelta(days=day.weekday()))] += int(minutes)
        return weeks

    async def requests(
        self, *, pending_only: bool = False, created: tuple[datetime, datetime] | None = None
    ) -> list[RequestRow]:
        """Budget requests of the scope, oldest first: the pending ones, or those created in
        ``[start, end)``."""
        query = (
            select(BudgetRequest.id, BudgetRequest.number, Budget.region_id, Team.id, Team.name,
                   BudgetRequest.state, BudgetRequest.amount_cents, BudgetRequest.approved_cents,
                   BudgetRequest.actual_cents, BudgetRequest.planned_on,
                   BudgetRequest.created_at, BudgetRequest.decided_at)
            .join(Budget, Budget.id == BudgetRequest.budget_id)
            .join(Team, Team.id == BudgetRequest.team_id)
            .where(self._in_scope(Budget.region_id))
            .order_by(BudgetRequest.created_at, BudgetRequest.id)
        )
        if pending_only:
            query = query.where(BudgetRequest.state == RequestState.PENDING)
        if created is not None:
            query = query.where(BudgetRequest.created_at >= created[0],
                                BudgetRequest.created_at < created[1])
        return [RequestRow(*row) for row in (await self.session.execute(query)).all()]  # type: ignore[call-arg]

    async def attendance_counts(
        self, start: datetime, end: datetime
    ) -> dict[tuple[int, datetime], tuple[int, int]]:
        """(yes, no) answers per meeting occurrence starting in ``[start, end)``."""
        rows = await self.session.execute(
            select(MeetingAttendance.meeting_id, MeetingAttendance.starts_at,
                   MeetingAttendance.coming, func.count())
            .where(MeetingAttendance.starts_at >= start, MeetingAttendance.starts_at < end)
            .group_by(MeetingAttendance.meeting_id, MeetingAttendance.starts_at,
                      MeetingAttendance.coming)
        )
        counts: dict[tuple[int, datetime], tuple[int, int]] = {}
        for meeting_id, starts_at, coming, number in rows.all():
            yes, no = counts.get((meeting_id, starts_at), (0, 0))
            counts[(meeting_id, starts_at)] = (yes + number, no) if coming else (yes, no + number)
        return counts

    async def active_people(self) -> list[User]:
        """Every active user with their teams, in one statement (meeting participants)."""
        result = await self.session.scalars(
            select(User).where(User.active.is_(True))
            .options(joinedload(User.memberships).joinedload(Membership.team))
        )
        return list(result.unique().all())

    async def waiting_questions(self) -> list[QuestionRow]:
        """Questions passed on to the leads and not answered yet, oldest first."""
        rows = await self.session.execute(
            select(FaqQuestion.id, FaqQuestion.text, FaqQuestion.forwarded_at, User.role,
                   User.region_id, Team.region_id)
            .outerjoin(User, User.id == FaqQuestion.user_id)
            .outerjoin(Membership, Membership.user_id == User.id)
            .outerjoin(Team, Team.id == Membership.team_id)
            .where(FaqQuestion.forwarded_at.is_not(None), FaqQuestion.answered_at.is_(None))
            .order_by(FaqQuestion.forwarded_at, FaqQuestion.id)
        )
        found: dict[int, QuestionRow] = {}
        for qid, text, forwarded_at, role, own_region, team_region in rows.all():
            regions = {r for r in (team_region, own_region if role == Role.LEAD else None)
                       if r is not None}
            known = found.get(qid)
            assert forwarded_at is not None
            found[qid] = QuestionRow(qid, text, forwarded_at,
                                     frozenset(regions) | (known.region_ids if known else set()))
        return [q for q in found.values()
                if self.region_ids is None or q.region_ids & set(self.region_ids)]

    async def joined_since(self, since: datetime) -> list[NewMemberRow]:
        """Active people registered after ``since``, with their teams, oldest first."""
        rows = await self.session.execute(
            select(User.id, User.display_name, User.role, User.created_at, User.region_id,
                   Team.name, Team.region_id)
            .outerjoin(Membership, Membership.user_id == User.id)
            .outerjoin(Team, Team.id == Membership.team_id)
            .where(User.active.is_(True), User.created_at > since,
                   or_(self._in_scope(Team.region_id), self._in_scope(User.region_id)))
            .order_by(User.created_at, User.id, Team.key)
        )
        found: dict[int, NewMemberRow] = {}
        for uid, name, role, joined, own_region, team_name, team_region in rows.all():
            known = found.get(uid)
            teams = (*(known.team_names if known else ()), *([team_name] if team_name else []))
            regions = {r for r in (own_region, team_region) if r is not None}
            found[uid] = NewMemberRow(uid, name, str(role), joined, teams,
                                      frozenset(regions) | (known.region_ids if known else set()))
        return list(found.values())


async def digest_recipients(session: AsyncSession) -> list[tuple[User, DigestSettings | None]]:
    """Active leads, administrators and steering-group members with their digest settings
    (None: the defaults)."""
    rows = await session.execute(
        select(User, DigestSettings)
        .outerjoin(DigestSettings, DigestSettings.user_id == User.id)
        .where(User.active.is_(True),
               User.role.in_([Role.LEAD.value, Role.ADMIN.value]) | User.steering_group)
        .order_by(User.id)
    )
    return [(user, settings) for user, settings in rows.all()]
