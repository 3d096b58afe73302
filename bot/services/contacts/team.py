"""A Sozialraumteam's page: districts, members by role, leads, provider seats, meetings.

Only the team's members, the region's leads and admins see it; every request is checked
against the user's current memberships, never against what a button says.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import N_, STALE, InvalidInput, NotAllowed
from bot.services.access import can_see_team
from storage.models import Meeting, ProviderContact, Role, Team, TeamSeat, User
from storage.repositories.contacts import DirectoryRepository

TEAM_ROLES = (Role.CASEWORKER, Role.NETWORKER, Role.PROVIDER)


@dataclass(frozen=True)
class TeamPage:
    team: Team
    members: dict[Role, list[User]]  # every team role, in the order of TEAM_ROLES
    leads: list[User]
    seats: list[TeamSeat]
    meetings: list[Meeting]
    holders: dict[int, list[ProviderContact]]  # by seat id: the people who hold the seat


def held_seat(contact: ProviderContact) -> TeamSeat | None:
    """The team seat the contact really holds: one of their own provider's, in an active
    team (a seat that changed hands drops its old holder)."""
    seat = contact.seat
    if seat is not None and seat.team.active and seat.provider_id == contact.provider_id:
        return seat
    return None


async def team_page(session: AsyncSession, user: User, team_id: int | None) -> TeamPage:
    repo = DirectoryRepository(session)
    team = await repo.team(team_id) if team_id is not None else None
    if team is None:
        raise InvalidInput(STALE)
    if not can_see_team(user, team.id, team.region_id):
        raise NotAllowed(N_("You can only see the pages of your own teams."))
    holders: dict[int, list[ProviderContact]] = {}
    for contact in await repo.seat_holders([seat.id for seat in team.seats]):
        # Only the seat's own provider: a seat that changed hands drops its old holder.
        seat = next(s for s in team.seats if s.id == contact.seat_id)
        if contact.provider_id == seat.provider_id:
            holders.setdefault(seat.id, []).append(contact)
    members: dict[Role, list[User]] = {role: [] for role in TEAM_ROLES}
    for member in await repo.members(team.id):
        if Role(member.role) in members:
            members[Role(member.role)].append(member)
    return TeamPage(
        team=team,
        members=members,
        leads=await repo.leads(team.region_id),
        seats=list(team.seats),
        meetings=await repo.team_meetings(team.id),
        holders=holders,
    )
