"""Who decides a region's requests: its leads and deputies of leads who are away; the
administrators only for a region that has neither."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import N_, InvalidInput, NotAllowed, NotFound
from bot.services import audit
from storage.models import LeadDeputy, Role, User
from storage.repositories.budget import BudgetRepository
from storage.repositories.users import UserRepository

MAX_ABSENCE = timedelta(days=366)


async def may_decide(session: AsyncSession, user: User, region_id: int, today: date) -> bool:
    """Exactly the people who receive the region's requests decide them (see ``deciders``).

    Administrators are no leads here: they decide only while the region has neither an
    active lead nor a deputy, so a region's own lead is never overruled from outside.
    """
    if not user.active:
        return False
    if user.role == Role.LEAD and user.region_id == region_id:
        return True
    return user.id in {u.id for u in await deciders(session, region_id, today)}


class DecidedBy(StrEnum):
    """Who decides a region's requests, as the requester is told."""

    LEAD = "lead"  # the region's lead(s), none of them away
    DEPUTY = "deputy"  # the lead(s) and, while a lead is away, that lead's deputy
    ADMINS = "admins"  # the region has neither an active lead nor a deputy
    NOBODY = "nobody"  # … and there is no active administrator either


@dataclass(frozen=True)
class Deciders:
    by: DecidedBy
    people: list[User]  # everyone who receives and may decide the region's requests
    deputies: list[User]  # of leads who are away (but not the requester); among ``people``


async def who_decides(
    session: AsyncSession, region_id: int, today: date, *, requester_id: int | None = None
) -> Deciders:
    """The region's leads and their current deputies.

    A region without any lead or deputy falls back to the administrators, so that no request
    goes unseen. A deputy who sent the request is not named to its requester: nobody decides
    their own request.
    """
    repo = BudgetRepository(session)
    leads = await UserRepository(session).active_in_region(region_id, (Role.LEAD.value,))
    leads = [u for u in leads if u.region_id == region_id]
    deputies = list({
        d.deputy.id: d.deputy for d in await repo.active_deputyships(today)
        if d.region_id == region_id and d.deputy.active and _still_lead(d.lead)
    }.values())
    if leads or deputies:
        people = {u.id: u for u in [*leads, *deputies]}
        named = [u for u in deputies if u.id != requester_id]
        return Deciders(DecidedBy.DEPUTY if named else DecidedBy.LEAD,
                        list(people.values()), named)
    admins = await repo.active_with_role(Role.ADMIN)
    return Deciders(DecidedBy.ADMINS if admins else DecidedBy.NOBODY, admins, [])


async def deciders(session: AsyncSession, region_id: int, today: date) -> list[User]:
    """Everyone who receives the region's requests (see ``who_decides``)."""
    return (await who_decides(session, region_id, today)).people


async def deputy_candidates(session: AsyncSession, lead: User) -> list[User]:
    """Other leads (any region) and the caseworkers (ASD) of the lead's region."""
    _require_lead(lead)
    assert lead.region_id is not None
    users = UserRepository(session)
    candidates = await users.active_in_region(lead.region_id, (Role.CASEWORKER.value,))
    for region_lead in await BudgetRepository(session).active_with_role(Role.LEAD):
        if region_lead.id != lead.id:
            candidates.append(region_lead)
    return sorted({u.id: u for u in candidates}.values(), key=lambda u: u.display_name.lower())


async def name_deputy(
    session: AsyncSession, *, lead: User, deputy_id: int, until: date, today: date,
    now: datetime,
) -> LeadDeputy:
    """The lead is away until ``until`` (inclusive); ``deputy_id`` decides meanwhile."""
    _require_lead(lead)
    if until < today:
        raise InvalidInput(N_("That date is in the past. Please give the last day you are away."))
    if until - today > MAX_ABSENCE:
        raise InvalidInput(N_("Please name a deputy for at most one year."))
    if deputy_id not in {u.id for u in await deputy_candidates(session, lead)}:
        raise NotFound(N_("This person cannot stand in for you. Please choose again."))
    await end_absence(session, lead=lead, now=now, today=today)
    assert lead.region_id is not None
    deputyship = LeadDeputy(
        lead_id=lead.id, deputy_id=deputy_id, region_id=lead.region_id, until=until,
        created_at=now,
    )
    session.add(deputyship)
    await session.flush()
    await session.refresh(deputyship, ["deputy", "lead"])
    audit.record(
        session, at=now, actor_id=lead.id, action="lead.deputy_named", subject_type="user",
        subject_id=lead.id, deputy=deputy_id, until=until.isoformat(),
    )
    return deputyship


async def end_absence(
    session: AsyncSession, *, lead: User, now: datetime, today: date
) -> LeadDeputy | None:
    """End the lead's current deputyship early; returns it, or None if there was none."""
    _require_lead(lead)
    current = await BudgetRepository(session).deputyship_of(lead.id, today)
    if current is None:
        return None
    current.ended_at = now
    audit.record(
        session, at=now, actor_id=lead.id, action="lead.deputy_ended", subject_type="user",
        subject_id=lead.id, deputy=current.deputy_id,
    )
    await session.flush()
    return current


async def current_deputyship(session: AsyncSession, lead: User, today: date) -> LeadDeputy | None:
    return await BudgetRepository(session).deputyship_of(lead.id, today)


def _still_lead(user: User) -> bool:
    """A deputyship ends in effect when its lead is deactivated or no longer a lead."""
    return user.active and user.role == Role.LEAD


def _require_lead(user: User) -> None:
    if user.role != Role.LEAD or user.region_id is None or not user.active:
        raise NotAllowed(N_("Only a regional lead can name a deputy."))
