"""Queries about users, memberships and invitations."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, and_, bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload, selectinload

from storage.models import Invitation, Membership, Region, Role, Team, TeamQuota, User


def _with_teams() -> tuple[Any, ...]:
    """Load options for a user's teams and region, which every caller shows."""
    return (selectinload(User.memberships).selectinload(Membership.team),
            selectinload(User.region))


# The sender of every update: built once, since building and keying a statement with its
# load options costs about as much as a small query (``bench/e2e.py``).
_SENDER = (select(User)
           .where(User.telegram_id == bindparam("telegram_id"))
           .options(joinedload(User.memberships).joinedload(Membership.team),
                    joinedload(User.region)))


class UserRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def by_telegram_id(self, telegram_id: int) -> User | None:
        """The sender of an update, with teams and region, in one statement: every update
        asks, so two statements fewer here are felt (``bench/e2e.py``)."""
        result = await self.session.execute(_SENDER, {"telegram_id": telegram_id})
        return result.unique().scalar_one_or_none()

    async def by_id(self, user_id: int) -> User | None:
        return await self.session.get(User, user_id)

    async def active_in_region(self, region_id: int, roles: tuple[str, ...]) -> list[User]:
        """Active users of a region with one of ``roles`` (leads by region, others by team)."""
        team_member = select(Membership.user_id).join(Team).where(Team.region_id == region_id)
        return list(
            (
                await self.session.scalars(
                    select(User)
                    .where(
                        User.active.is_(True),
                        User.role.in_(roles),
                        (User.region_id == region_id) | User.id.in_(team_member),
                    )
                    .order_by(User.id)
                )
            ).all()
        )

    async def with_details(self, user_id: int) -> User | None:
        """A user with teams and region loaded, fresh from the database."""
        return await self.session.scalar(
            select(User)
            .where(User.id == user_id)
            .options(*_with_teams())
            .execution_options(populate_existing=True)
        )

    async def listed(
        self, *, team_id: int | None, role: str | None, active: bool, offset: int, limit: int
    ) -> tuple[list[User], int]:
        """A page of people (erased ones never), by name, and how many match in all."""
        where = _listing(team_id, role, active)
        total = await self.session.scalar(select(func.count()).select_from(User).where(where))
        users = await self.session.scalars(
            select(User)
            .where(where)
            .options(*_with_teams())
            .order_by(func.lower(User.display_name), User.id)
            .offset(offset)
            .limit(limit)
        )
        return list(users.all()), int(total or 0)

    async def other_active_admins(self, user_id: int) -> int:
        return int(await self.session.scalar(
            select(func.count()).select_from(User).where(
                User.role == Role.ADMIN, User.active.is_(True), User.id != user_id
            )
        ) or 0)

    async def invitation_by_hash(self, code_hash: str) -> Invitation | None:
        return await self.session.scalar(
            select(Invitation)
            .where(Invitation.code_hash == code_hash)
            .options(selectinload(Invitation.team), selectinload(Invitation.region))
            .with_for_update()
        )


class OrgRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def team_by_key(self, key: str) -> Team | None:
        return await self.session.scalar(
            select(Team).where(Team.key == key, Team.active.is_(True))
        )

    async def region_by_key(self, key: str) -> Region | None:
        return await self.session.scalar(select(Region).where(Region.key == key))

    async def active_teams(self, region_id: int | None = None) -> list[Team]:
        query = select(Team).where(Team.active.is_(True)).order_by(Team.key)
        if region_id is not None:
            query = query.where(Team.region_id == region_id)
        return list((await self.session.scalars(query)).all())

    async def regions(self) -> list[Region]:
        return list((await self.session.scalars(select(Region).order_by(Region.key))).all())

    async def structure(self) -> list[Team]:
        """Every active team with its region, quotas (and their categories) and seats."""
        # One query (a few dozen rows): the FAQ asks at every question whether it changed.
        query = (select(Team).join(Team.region).where(Team.active.is_(True))
                 .options(joinedload(Team.region),
                          joinedload(Team.quotas).joinedload(TeamQuota.category),
                          joinedload(Team.seats))
                 .order_by(Region.key, Team.key))
        return list((await self.session.scalars(query)).unique().all())


def _listing(team_id: int | None, role: str | None, active: bool) -> ColumnElement[bool]:
    conditions: list[ColumnElement[bool]] = [User.anonymised_at.is_(None), User.active.is_(active)]
    if role is not None:
        conditions.append(User.role == role)
    if team_id is not None:
        conditions.append(
            User.id.in_(select(Membership.user_id).where(Membership.team_id == team_id))
        )
    return and_(*conditions)
