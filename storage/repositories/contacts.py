"""Queries of the provider directory and of a team's page."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Row, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from storage.models import (
    Meeting,
    Membership,
    Provider,
    ProviderContact,
    ProviderTeam,
    Region,
    Role,
    Team,
    TeamSeat,
    User,
)


class DirectoryRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    # -- the search index reads plain rows: cheap enough to do on every query --------------

    async def provider_rows(self) -> Sequence[Row[int, str, list[str], str, str]]:
        return (await self.session.execute(
            select(Provider.id, Provider.name, Provider.services, Provider.description_de,
                   Provider.description_en)
            .where(Provider.active.is_(True))
        )).all()

    async def contact_rows(self) -> Sequence[Row[int, str, str | None]]:
        return (await self.session.execute(
            select(ProviderContact.provider_id, ProviderContact.name, ProviderContact.function)
        )).all()

    async def provider_team_rows(self) -> list[tuple[int, int]]:
        """(provider id, team id) for teams a provider serves or holds a seat in."""
        served = (await self.session.execute(
            select(ProviderTeam.provider_id, ProviderTeam.team_id))).all()
        seated = (await self.session.execute(
            select(TeamSeat.provider_id, TeamSeat.team_id)
            .where(TeamSeat.provider_id.is_not(None)))).all()
        return [*served, *((p, t) for p, t in seated if p is not None)]

    async def team_rows(self) -> Sequence[Row[int, str, str, list[str], str]]:
        return (await self.session.execute(
            select(Team.id, Team.key, Team.name, Team.districts, Region.name)
            .join(Region, Team.region_id == Region.id)
            .where(Team.active.is_(True))
            .order_by(Team.key)
        )).all()

    # -- cards -----------------------------------------------------------------------------

    async def providers(self, provider_ids: Sequence[int]) -> list[Provider]:
        rows = await self.session.scalars(
            select(Provider)
            .where(Provider.id.in_(provider_ids), Provider.active.is_(True))
            .options(selectinload(Provider.contacts).selectinload(ProviderContact.seat)
                     .selectinload(TeamSeat.team),
                     selectinload(Provider.team_links).selectinload(ProviderTeam.team))
        )
        by_id = {p.id: p for p in rows}
        return [by_id[i] for i in provider_ids if i in by_id]

    async def seats_of(self, provider_ids: Sequence[int]) -> list[TeamSeat]:
        """Team seats held by these providers, in active teams."""
        return list((await self.session.scalars(
            select(TeamSeat)
            .join(Team, TeamSeat.team_id == Team.id)
            .where(TeamSeat.provider_id.in_(provider_ids), Team.active.is_(True))
            .options(selectinload(TeamSeat.team))
            .order_by(Team.key, TeamSeat.position)
        )).all())

    async def contact(self, contact_id: int) -> ProviderContact | None:
        return await self.session.scalar(
            select(ProviderContact)
            .join(Provider, ProviderContact.provider_id == Provider.id)
            .where(ProviderContact.id == contact_id, Provider.active.is_(True))
            .options(selectinload(ProviderContact.provider))
        )

    # -- a team's page ---------------------------------------------------------------------

    async def team(self, team_id: int) -> Team | None:
        return await self.session.scalar(
            select(Team)
            .where(Team.id == team_id, Team.active.is_(True))
            .options(selectinload(Team.region),
                     selectinload(Team.seats).selectinload(TeamSeat.provider))
        )

    async def seat_holders(self, seat_ids: Sequence[int]) -> list[ProviderContact]:
        """Contact people who hold these seats, for active providers, by name."""
        if not seat_ids:
            return []
        return list((await self.session.scalars(
            select(ProviderContact)
            .join(Provider, ProviderContact.provider_id == Provider.id)
            .where(ProviderContact.seat_id.in_(seat_ids), Provider.active.is_(True))
            .order_by(ProviderContact.name, ProviderContact.id)
        )).all())

    async def members(self, team_id: int) -> list[User]:
        return list((await self.session.scalars(
            select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.team_id == team_id, User.active.is_(True))
            .order_by(User.display_name, User.id)
        )).all())

    async def leads(self, region_id: int) -> list[User]:
        return list((await self.session.scalars(
            select(User)
            .where(User.region_id == region_id, User.role == Role.LEAD, User.active.is_(True))
            .order_by(User.display_name, User.id)
        )).all())

    async def team_meetings(self, team_id: int) -> list[Meeting]:
        return list((await self.session.scalars(
            select(Meeting)
            .where(Meeting.team_id == team_id, Meeting.active.is_(True))
            .order_by(Meeting.weekday, Meeting.local_time, Meeting.id)
        )).all())
