"""Queries over FuA budgets and requests: sums in SQL, locks, numbers, state transitions."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, case, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from storage.db import insert_for
from storage.models import (
    AuditEntry,
    Budget,
    BudgetCounter,
    BudgetNotice,
    BudgetQuestion,
    BudgetRequest,
    BudgetShare,
    LeadDeputy,
    Membership,
    Region,
    RequestState,
    Role,
    Team,
    User,
)


@dataclass(frozen=True)
class Sums:
    """Money of one team (or a whole region) by state, in cents."""

    approved: int = 0  # approved, actual cost not reported yet
    pending: int = 0
    spent: int = 0  # reported actual cost

    def __add__(self, other: Sums) -> Sums:
        return Sums(
            self.approved + other.approved, self.pending + other.pending, self.spent + other.spent
        )

    @property
    def committed(self) -> int:
        return self.approved + self.spent


@dataclass(frozen=True)
class BudgetSums:
    """A region's budget of one year with what is approved, pending and spent of it."""

    region_id: int
    year: int
    allocated: int
    is_example: bool
    sums: Sums


def _sum_where(state: RequestState, column: Any) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((BudgetRequest.state == state, column), else_=0)), 0)


class BudgetRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def budget(self, region_id: int, year: int) -> Budget | None:
        return await self.session.scalar(
            select(Budget)
            .where(Budget.region_id == region_id, Budget.year == year)
            .options(selectinload(Budget.shares).selectinload(BudgetShare.team),
                     selectinload(Budget.region))
        )

    async def lock_budget(self, budget_id: int) -> Budget:
        """The budget row, locked until the transaction ends (PostgreSQL: SELECT … FOR UPDATE).

        SQLite needs no row lock: every write transaction starts with BEGIN IMMEDIATE.
        """
        budget = await self.session.scalar(
            select(Budget)
            .where(Budget.id == budget_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        assert budget is not None
        await self.session.refresh(budget, ["shares"])
        return budget

    async def sums_by_team(self, budget_id: int) -> dict[int, Sums]:
        """Approved, pending and spent per team, computed in SQL at this moment."""
        rows = await self.session.execute(
            select(
                BudgetRequest.team_id,
                _sum_where(RequestState.APPROVED, BudgetRequest.approved_cents),
                _sum_where(RequestState.PENDING, BudgetRequest.amount_cents),
                _sum_where(RequestState.REPORTED, BudgetRequest.actual_cents),
            )
            .where(BudgetRequest.budget_id == budget_id)
            .group_by(BudgetRequest.team_id)
        )
        return {team_id: Sums(int(a), int(p), int(s)) for team_id, a, p, s in rows.all()}

    async def figures_of_years(
        self, years: Collection[int], region_ids: Collection[int] | None
    ) -> list[BudgetSums]:
        """Every region's budget of ``years`` with its sums, in one query (None: all regions)."""
        query = (
            select(
                Budget.region_id, Budget.year, Budget.allocated_cents, Budget.is_example,
                _sum_where(RequestState.APPROVED, BudgetRequest.approved_cents),
                _sum_where(RequestState.PENDING, BudgetRequest.amount_cents),
                _sum_where(RequestState.REPORTED, BudgetRequest.actual_cents),
            )
            .outerjoin(BudgetRequest, BudgetRequest.budget_id == Budget.id)
            .where(Budget.year.in_(list(years)))
            .group_by(Budget.id, Budget.region_id, Budget.year, Budget.allocated_cents,
                      Budget.is_example)
            .order_by(Budget.year, Budget.region_id)
        )
        if region_ids is not None:
            query = query.where(Budget.region_id.in_(list(region_ids)))
        return [
            BudgetSums(region_id, year, int(allocated), bool(example), Sums(int(a), int(p), int(s)))
            for region_id, year, allocated, example, a, p, s in (await self.session.execute(query))
        ]

    async def committed(self, budget_id: int, team_id: int | None = None) -> int:
        """Approved-not-reported plus actual spending, optionally of one team only."""
        query = select(
            _sum_where(RequestState.APPROVED, BudgetRequest.approved_cents)
            + _sum_where(RequestState.REPORTED, BudgetRequest.actual_cents)
        ).where(BudgetRequest.budget_id == budget_id)
        if team_id is not None:
            query = query.where(BudgetRequest.team_id == team_id)
        return int(await self.session.scalar(query) or 0)

    async def next_number(self, year: int) -> int:
        """The next request number of ``year``; the counter row stays locked until commit."""
        statement = (
            insert_for(self.session)(BudgetCounter)
            .values(year=year, last_number=1)
            .on_conflict_do_update(
                index_elements=[BudgetCounter.year],
                set_={"last_number": BudgetCounter.last_number + 1},
            )
            .returning(BudgetCounter.last_number)
        )
        return int((await self.session.execute(statement)).scalar_one())

    async def request(self, request_id: int) -> BudgetRequest | None:
        return await self.session.scalar(
            select(BudgetRequest)
            .where(BudgetRequest.id == request_id)
            .options(
                selectinload(BudgetRequest.budget).selectinload(Budget.region),
                selectinload(BudgetRequest.team),
                selectinload(BudgetRequest.requester),
                selectinload(BudgetRequest.decided_by),
            )
            .execution_options(populate_existing=True)
        )

    async def transition(
        self, request_id: int, from_state: RequestState, **values: Any
    ) -> bool:
        """Change a request only if it is still in ``from_state``; False if someone was first."""
        result = await self.session.execute(
            update(BudgetRequest)
            .where(BudgetRequest.id == request_id, BudgetRequest.state == from_state)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def requests_of(self, requester_id: int, limit: int) -> list[BudgetRequest]:
        return list(
            (
                await self.session.scalars(
                    select(BudgetRequest)
                    .where(BudgetRequest.requester_id == requester_id)
                    .order_by(BudgetRequest.created_at.desc(), BudgetRequest.id.desc())
                    .limit(limit)
                )
            ).all()
        )

    async def pending_in_region(self, region_id: int) -> list[BudgetRequest]:
        return list(
            (
                await self.session.scalars(
                    select(BudgetRequest)
                    .join(Budget)
                    .where(Budget.region_id == region_id,
                           BudgetRequest.state == RequestState.PENDING)
                    .options(
                        selectinload(BudgetRequest.budget).selectinload(Budget.region),
                        selectinload(BudgetRequest.team),
                        selectinload(BudgetRequest.requester),
                    )
                    .order_by(BudgetRequest.created_at)
                )
            ).all()
        )

    async def raised_before(self, cutoff: datetime) -> list[BudgetRequest]:
        return list(
            (
                await self.session.scalars(
                    select(BudgetRequest)
                    .where(BudgetRequest.state == RequestState.PENDING,
                           BudgetRequest.raised_at <= cutoff)
                    .order_by(BudgetRequest.id)
                )
            ).all()
        )

    async def claim_raise(self, request: BudgetRequest, now: datetime) -> bool:
        """Mark a pending request as raised again; False if another run did it first."""
        result = await self.session.execute(
            update(BudgetRequest)
            .where(BudgetRequest.id == request.id,
                   BudgetRequest.state == RequestState.PENDING,
                   BudgetRequest.raised_at == request.raised_at)
            .values(raised_at=now)
            .execution_options(synchronize_session=False)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def notices(self, request_id: int) -> list[BudgetNotice]:
        return list(
            (
                await self.session.scalars(
                    select(BudgetNotice)
                    .where(BudgetNotice.request_id == request_id)
                    .order_by(BudgetNotice.id)
                )
            ).all()
        )

    async def question(self, question_id: int) -> BudgetQuestion | None:
        return await self.session.get(BudgetQuestion, question_id)

    async def history(self, request_id: int) -> list[tuple[AuditEntry, str | None]]:
        """Audit entries of a request, oldest first, with the actor's display name."""
        rows = await self.session.execute(
            select(AuditEntry, User.display_name)
            .outerjoin(User, User.id == AuditEntry.actor_user_id)
            .where(AuditEntry.subject_type == "budget_request",
                   AuditEntry.subject_id == str(request_id))
            .order_by(AuditEntry.at, AuditEntry.id)
        )
        return [(entry, name) for entry, name in rows.all()]

    async def active_deputyships(self, today: date) -> list[LeadDeputy]:
        return list(
            (
                await self.session.scalars(
                    select(LeadDeputy)
                    .where(LeadDeputy.ended_at.is_(None), LeadDeputy.until >= today)
                    .options(selectinload(LeadDeputy.lead), selectinload(LeadDeputy.deputy))
                    .order_by(LeadDeputy.id)
                )
            ).all()
        )

    async def deputyship_of(self, lead_id: int, today: date) -> LeadDeputy | None:
        return next(
            (d for d in await self.active_deputyships(today) if d.lead_id == lead_id), None
        )

    async def active_with_role(self, role: Role) -> list[User]:
        return list(
            (
                await self.session.scalars(
                    select(User)
                    .where(User.active.is_(True), User.role == role)
                    .order_by(User.id)
                )
            ).all()
        )

    async def active_teams_of(self, user_id: int) -> list[Team]:
        return list(
            (
                await self.session.scalars(
                    select(Team)
                    .join(Membership, Membership.team_id == Team.id)
                    .where(Membership.user_id == user_id, Team.active.is_(True))
                    .order_by(Team.key)
                )
            ).all()
        )

    async def regions_of_member(self, user_id: int) -> list[Region]:
        return list(
            (
                await self.session.scalars(
                    select(Region)
                    .join(Team, Team.region_id == Region.id)
                    .join(Membership, Membership.team_id == Team.id)
                    .where(Membership.user_id == user_id)
                    .distinct()
                    .order_by(Region.key)
                )
            ).all()
        )

    # --- personal data (bot/services/budget/personal_data.py) ------------------------------

    async def with_texts_before(
        self, states: Collection[RequestState], before: datetime
    ) -> list[int]:
        """Requests in one of ``states``, decided and planned before ``before``, whose texts
        are not blank yet."""
        return list((await self.session.scalars(
            select(BudgetRequest.id).where(
                BudgetRequest.state.in_(states),
                BudgetRequest.decided_at < before,
                BudgetRequest.planned_on < before.date(),
                BudgetRequest.title != "",
            )
        )).all())

    async def delete_copies_decided_before(
        self, states: Collection[RequestState], decided_before: datetime
    ) -> int:
        """Forget the copies of the cards of requests in one of ``states`` decided before
        ``decided_before``; how many. The requests are a subquery, not a list of ids: there
        are more of them every year."""
        decided = select(BudgetRequest.id).where(
            BudgetRequest.state.in_(states), BudgetRequest.decided_at < decided_before
        )
        result = await self.session.execute(
            delete(BudgetNotice).where(BudgetNotice.request_id.in_(decided))
            .execution_options(synchronize_session=False)
        )
        return int(result.rowcount)  # type: ignore[attr-defined]

    async def requests_sent_or_decided_by(self, user_id: int) -> list[BudgetRequest]:
        return list((await self.session.scalars(
            select(BudgetRequest)
            .where(or_(BudgetRequest.requester_id == user_id,
                       BudgetRequest.decided_by_id == user_id))
            .options(selectinload(BudgetRequest.team))
            .order_by(BudgetRequest.created_at, BudgetRequest.id)
        )).all())

    async def questions_involving(self, user_id: int) -> list[BudgetQuestion]:
        """Questions the person asked, and those asked about their own requests."""
        return list((await self.session.scalars(
            select(BudgetQuestion)
            .join(BudgetRequest, BudgetRequest.id == BudgetQuestion.request_id)
            .where(or_(BudgetQuestion.asked_by_id == user_id,
                       BudgetRequest.requester_id == user_id))
            .options(selectinload(BudgetQuestion.request))
            .order_by(BudgetQuestion.asked_at, BudgetQuestion.id)
        )).all())

    async def deputyships_involving(self, user_id: int) -> list[LeadDeputy]:
        """Every deputyship, over or not, with the person as lead or as deputy."""
        return list((await self.session.scalars(
            select(LeadDeputy)
            .where(or_(LeadDeputy.lead_id == user_id, LeadDeputy.deputy_id == user_id))
            .order_by(LeadDeputy.created_at)
        )).all())

    async def count_copies_in_chat_of(self, user_id: int) -> int:
        return int(await self.session.scalar(
            select(func.count(BudgetNotice.id)).where(BudgetNotice.user_id == user_id)
        ) or 0)
