"""Allocations: what each region (and optionally team) may spend in a year, and the figures."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot.errors import N_, Conflict, InvalidInput, NotAllowed
from bot.services import audit
from bot.services.budget.schema import BudgetSpec, to_cents
from storage.models import Budget, BudgetShare, Region, Role, Team, User
from storage.repositories.budget import BudgetRepository, Sums
from storage.repositories.users import OrgRepository

MAX_ALLOCATION_CENTS = 1_000_000_000  # 10 million euros: more is a typing error


@dataclass(frozen=True)
class Figures:
    allocated: int
    sums: Sums

    @property
    def available(self) -> int:
        return self.allocated - self.sums.committed


@dataclass(frozen=True)
class TeamFigures:
    team: Team
    figures: Figures


@dataclass(frozen=True)
class BudgetStatus:
    region: Region
    year: int
    figures: Figures
    teams: list[TeamFigures]  # only teams with a share of their own
    is_example: bool


async def status(session: AsyncSession, region_id: int, year: int) -> BudgetStatus | None:
    """The region's figures for ``year``; None if no budget is set."""
    repo = BudgetRepository(session)
    budget = await repo.budget(region_id, year)
    if budget is None:
        return None
    by_team = await repo.sums_by_team(budget.id)
    total = sum(by_team.values(), Sums())
    teams = [
        TeamFigures(share.team, Figures(share.allocated_cents, by_team.get(share.team_id, Sums())))
        for share in budget.shares
    ]
    return BudgetStatus(
        budget.region, year, Figures(budget.allocated_cents, total), teams, budget.is_example
    )


async def statuses(
    session: AsyncSession, region_id: int, year: int
) -> list[tuple[int, BudgetStatus | None]]:
    """What /budget shows of a region: ``year``, and the next year as soon as money is
    requested from it (pending, approved or spent), so that requests planned beyond New
    Year are seen with the budget they draw on."""
    shown = [(year, await status(session, region_id, year))]
    upcoming = await status(session, region_id, year + 1)
    if upcoming is not None and (upcoming.figures.sums.pending or upcoming.figures.sums.committed):
        shown.append((year + 1, upcoming))
    return shown


async def regions_of(session: AsyncSession, user: User) -> list[Region]:
    """Regions whose budget the user sees: a lead's own, a member's teams', all for admins."""
    orgs = OrgRepository(session)
    if user.role == Role.ADMIN:
        return await orgs.regions()
    if user.role == Role.LEAD:
        region = await session.get(Region, user.region_id) if user.region_id else None
        return [region] if region is not None else []
    return await BudgetRepository(session).regions_of_member(user.id)


async def set_allocation(
    session: AsyncSession, *, actor: User, unit_key: str, year: int, cents: int, now: datetime
) -> Budget:
    """An admin sets a region's budget, or a team's share of it; audited.

    The new amount may not fall below what is already approved or spent, and team shares
    may not add up to more than the region's budget.
    """
    if actor.role != Role.ADMIN or not actor.active:
        raise NotAllowed(N_("Only an administrator can change budgets."))
    if not 2000 <= year <= 2100:
        raise InvalidInput(N_("Please give a year like 2026."))
    if cents < 0 or cents > MAX_ALLOCATION_CENTS:
        raise InvalidInput(N_("This amount is not plausible for a budget. Please check it."))
    orgs = OrgRepository(session)
    repo = BudgetRepository(session)
    region = await orgs.region_by_key(unit_key)
    team = None if region is not None else await orgs.team_by_key(unit_key)
    if region is None and team is None:
        raise InvalidInput(N_("There is no region or team {key}."), key=unit_key)
    region_id = region.id if region is not None else team.region_id  # type: ignore[union-attr]
    existing = await repo.budget(region_id, year)
    if existing is None:
        if team is not None:
            raise InvalidInput(
                N_("Please set the region's budget for {year} first."), year=year
            )
        budget = Budget(
            region_id=region_id, year=year, allocated_cents=cents, is_example=False,
            updated_at=now,
        )
        session.add(budget)
        await session.flush()
        _audit_allocation(session, actor, now, budget, None, None, cents)
        return budget
    budget = await repo.lock_budget(existing.id)
    before: int | None
    if team is None:
        floor = max(await repo.committed(budget.id), sum(s.allocated_cents for s in budget.shares))
        if cents < floor:
            raise Conflict(N_("This is less than what is already approved, spent or shared out "
                              "to the teams. Nothing was changed."))
        before = budget.allocated_cents
        budget.allocated_cents = cents
    else:
        share = next((s for s in budget.shares if s.team_id == team.id), None)
        others = sum(s.allocated_cents for s in budget.shares if s.team_id != team.id)
        if others + cents > budget.allocated_cents:
            raise Conflict(N_("The team shares would exceed the region's budget. "
                              "Nothing was changed."))
        if cents < await repo.committed(budget.id, team.id):
            raise Conflict(N_("This is less than the team has already approved or spent. "
                              "Nothing was changed."))
        before = share.allocated_cents if share else None
        if share is None:
            budget.shares.append(BudgetShare(team_id=team.id, allocated_cents=cents))
        else:
            share.allocated_cents = cents
    budget.is_example = False
    budget.updated_at = now
    await session.flush()
    _audit_allocation(session, actor, now, budget, team, before, cents)
    return budget


def _audit_allocation(
    session: AsyncSession, actor: User | None, now: datetime, budget: Budget,
    team: Team | None, before: int | None, after: int, source: str = "chat",
) -> None:
    audit.record(
        session, at=now, actor_id=actor.id if actor else None, action="budget.set",
        subject_type="budget", subject_id=budget.id, year=budget.year,
        team=team.key if team else None, from_cents=before, to_cents=after, source=source,
    )


async def import_budgets(
    session: AsyncSession, specs: Sequence[BudgetSpec], now: datetime
) -> int:
    """Seed and update budgets from the organisation file; returns how many rows changed.

    The file seeds a budget (the file itself is the record of that). A later change in the
    chat stands until the file's own value for that budget changes; then the file wins again,
    audited with source "file". Budgets missing from the file are kept, and requests are
    never touched. A file value below what is already approved or spent is still applied
    (the office decided it); the available amount is then negative and nothing more can
    be approved.
    """
    changed = 0
    regions = {r.key: r for r in (await session.scalars(select(Region))).all()}
    teams = {t.key: t for t in (await session.scalars(select(Team))).all()}
    repo = BudgetRepository(session)
    for spec in specs:
        region = regions[spec.region]
        cents = to_cents(spec.amount)
        budget = await repo.budget(region.id, spec.year)
        seeding = budget is None
        if budget is None:
            budget = Budget(
                region_id=region.id, year=spec.year, allocated_cents=cents, file_cents=cents,
                is_example=spec.example, updated_at=now,
            )
            session.add(budget)
            await session.flush()
            await session.refresh(budget, ["shares"])
            changed += 1
        elif budget.file_cents != cents:
            _audit_allocation(
                session, None, now, budget, None, budget.allocated_cents, cents, "file"
            )
            budget.allocated_cents = budget.file_cents = cents
            budget.is_example = spec.example
            budget.updated_at = now
            changed += 1
        for team_key, euros in spec.teams.items():
            share_cents = to_cents(euros)
            team = teams[team_key]
            share = next((s for s in budget.shares if s.team_id == team.id), None)
            if share is not None and share.file_cents == share_cents:
                continue
            before = share.allocated_cents if share is not None else None
            if share is None:
                budget.shares.append(
                    BudgetShare(team_id=team.id, allocated_cents=share_cents,
                                file_cents=share_cents)
                )
            else:
                share.allocated_cents = share.file_cents = share_cents
            if not seeding:
                _audit_allocation(session, None, now, budget, team, before, share_cents, "file")
            changed += 1
    await session.flush()
    return changed


async def seed_example_budgets(
    session: AsyncSession, *, years: Sequence[int], now: datetime
) -> int:
    """Give every region an example budget for each of ``years`` it has none for, copied
    (with the team shares) from its latest budget; returns how many were added.

    For the demo, which runs in any year while the shipped organisation file names fixed
    years. Not audited: nobody decided these figures, and they are marked as examples.
    """
    added = 0
    for region in (await session.scalars(select(Region))).all():
        latest = await session.scalar(
            select(Budget).where(Budget.region_id == region.id)
            .order_by(Budget.year.desc()).limit(1).options(selectinload(Budget.shares))
        )
        if latest is None:
            continue
        repo = BudgetRepository(session)
        for year in years:
            if await repo.budget(region.id, year) is not None:
                continue
            session.add(Budget(
                region_id=region.id, year=year, allocated_cents=latest.allocated_cents,
                is_example=True, updated_at=now,
                shares=[BudgetShare(team_id=s.team_id, allocated_cents=s.allocated_cents)
                        for s in latest.shares],
            ))
            added += 1
    await session.flush()
    return added
