"""People as an administrator manages them: list, deactivate, reactivate, change roles,
membership of the steering group (Steuerungsgruppe: the digest and reports of every region).

Every change is checked again against the actor and the person's current state, and audited.
An administrator cannot change their own access here (that would be one tap from locking
themselves out), and nobody can take away the last active administrator. ``actor`` None means
the command line on the server, which is trusted like ADMIN_IDS.

Also the personal data of accounts themselves: the export for /mydata, the anonymisation
that ends a person's presence in the bot, and invitations.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot.errors import N_, Conflict, InvalidInput, NotAllowed, NotFound
from bot.services import audit
from bot.services.data_kind import DataKind, changed_rows, iso
from storage.models import Invitation, Membership, Region, Role, Team, User
from storage.repositories.users import OrgRepository, UserRepository

PAGE_SIZE = 8


@dataclass(frozen=True)
class UserFilter:
    """Which people a list shows: active ones by default, or the deactivated ones."""

    team_id: int | None = None
    role: Role | None = None
    inactive: bool = False


@dataclass(frozen=True)
class UserPage:
    users: list[User]
    page: int
    pages: int
    total: int


def _require_admin(actor: User | None) -> None:
    if actor is not None and (not actor.active or actor.role != Role.ADMIN):
        raise NotAllowed(N_("Only administrators can manage users."))


async def list_users(
    session: AsyncSession, actor: User | None, wanted: UserFilter, page: int
) -> UserPage:
    _require_admin(actor)
    repo = UserRepository(session)
    users, total = await repo.listed(
        team_id=wanted.team_id, role=wanted.role.value if wanted.role else None,
        active=not wanted.inactive, offset=max(page, 0) * PAGE_SIZE, limit=PAGE_SIZE,
    )
    pages = max(1, -(-total // PAGE_SIZE))
    if page >= pages and total:
        return await list_users(session, actor, wanted, pages - 1)
    return UserPage(users, max(page, 0), pages, total)


async def get_user(session: AsyncSession, actor: User | None, user_id: int | None) -> User:
    """A person an administrator may manage (never an erased placeholder)."""
    _require_admin(actor)
    user = await UserRepository(session).with_details(user_id) if user_id else None
    if user is None or user.anonymised:
        raise NotFound(N_("This person is not registered (any more)."))
    return user


async def _target(session: AsyncSession, actor: User | None, user_id: int | None) -> User:
    user = await get_user(session, actor, user_id)
    if actor is not None and actor.id == user.id:
        raise NotAllowed(
            N_("You cannot change your own access. Please ask another administrator; "
               "/forgetme erases your own data.")
        )
    return user


async def other_active_admins(session: AsyncSession, user: User) -> int:
    return await UserRepository(session).other_active_admins(user.id)


async def _keep_an_admin(session: AsyncSession, user: User) -> None:
    if user.role == Role.ADMIN and user.active and not await other_active_admins(session, user):
        raise NotAllowed(
            N_("This is the last active administrator. Make someone else an administrator "
               "first.")
        )


async def deactivate(
    session: AsyncSession, *, actor: User | None, user_id: int | None, now: datetime
) -> User:
    """The person loses access at once; their data is anonymised after the retention period."""
    user = await _target(session, actor, user_id)
    if not user.active:
        raise Conflict(N_("This person is already deactivated. Nothing was changed."))
    await _keep_an_admin(session, user)
    user.active = False
    user.deactivated_at = now
    _audit(session, actor, user, now, "deactivated", role=str(user.role))
    await session.flush()
    return user


async def deactivate_for_erasure(
    session: AsyncSession, *, actor: User | None, user_id: int | None
) -> User:
    """The checks of :func:`deactivate` for a person about to be erased (active or not)."""
    user = await _target(session, actor, user_id)
    await _keep_an_admin(session, user)
    return user


async def reactivate(
    session: AsyncSession, *, actor: User | None, user_id: int | None, now: datetime
) -> User:
    user = await _target(session, actor, user_id)
    if user.active:
        raise Conflict(N_("This person is already active. Nothing was changed."))
    user.active = True
    user.deactivated_at = None
    _audit(session, actor, user, now, "reactivated", role=str(user.role))
    await session.flush()
    return user


def needs_unit(user: User, role: Role) -> bool:
    """Whether changing ``user`` to ``role`` needs a team (team roles) or region (leads)."""
    if role == Role.LEAD:
        return True
    return role.is_team_role and not (Role(user.role).is_team_role and user.memberships)


async def teams(session: AsyncSession, actor: User | None) -> list[Team]:
    """The active teams an administrator lists people by and puts them in."""
    _require_admin(actor)
    return await OrgRepository(session).active_teams()


async def units_for(
    session: AsyncSession, actor: User | None, role: Role
) -> list[Region] | list[Team]:
    """What a person changed to ``role`` is put in: a region for a lead, else a team."""
    _require_admin(actor)
    if role == Role.LEAD:
        return await OrgRepository(session).regions()
    return await teams(session, actor)


async def change_role(
    session: AsyncSession, *, actor: User | None, user_id: int | None, role: Role,
    unit_key: str | None, now: datetime,
) -> User:
    """Give the person another role; team roles keep their teams unless a team is given."""
    user = await _target(session, actor, user_id)
    if not user.active:
        raise Conflict(N_("Please reactivate this person first."))
    if user.role == role and unit_key is None:
        raise Conflict(N_("This person already has this role. Nothing was changed."))
    if role != Role.ADMIN:
        await _keep_an_admin(session, user)
    before = str(user.role)
    orgs = OrgRepository(session)
    team = region = None
    if role.is_team_role and unit_key is not None:
        team = await orgs.team_by_key(unit_key)
        if team is None:
            raise InvalidInput(N_("There is no team {key}."), key=unit_key)
    elif role == Role.LEAD:
        if unit_key is None:
            raise InvalidInput(N_("Please choose a region."))
        region = await orgs.region_by_key(unit_key)
        if region is None:
            raise InvalidInput(N_("There is no region {key}."), key=unit_key)
    elif needs_unit(user, role):
        raise InvalidInput(N_("Please choose a team."))
    if team is not None or not role.is_team_role:
        user.memberships.clear()
    if team is not None:
        user.memberships.append(Membership(team=team))
    user.role = role
    user.region = region
    _audit(session, actor, user, now, "role_changed", from_role=before, to_role=role.value,
           team=team.key if team else None, region=region.key if region else None)
    await session.flush()
    return user


def may_join_steering_group(user: User) -> bool:
    """Administrators see every region already; the flag is for leads and team members."""
    return user.active and user.role != Role.ADMIN


async def set_steering_group(
    session: AsyncSession, *, actor: User | None, user_id: int | None, member: bool,
    now: datetime,
) -> User:
    """Add the person to the steering group or take them out; administrators see every region
    anyway, so the flag is for leads and team members."""
    user = await _target(session, actor, user_id)
    if not user.active:
        raise Conflict(N_("Please reactivate this person first."))
    if not may_join_steering_group(user):
        raise Conflict(N_("Administrators see every region already. Nothing was changed."))
    if user.steering_group == member:
        raise Conflict(N_("Nothing was changed: this is already so."))
    user.steering_group = member
    _audit(session, actor, user, now, "steering_group", role=str(user.role),
           **{"from": not member, "to": member})
    await session.flush()
    return user


def _audit(
    session: AsyncSession, actor: User | None, user: User, now: datetime, action: str,
    **details: Any,
) -> None:
    audit.record(session, at=now, actor_id=actor.id if actor else None,
                 action=f"user.{action}", subject_type="user", subject_id=user.id,
                 source="chat" if actor else "command line", **details)


async def anonymise(session: AsyncSession, user: User, now: datetime) -> None:
    """Erase what identifies the person; the row stays as an anonymous placeholder.

    Hours, budget requests and audit entries keep pointing at it, so team figures and the
    history of decisions stay correct. Telegram ids are positive, so ``-id`` never matches a
    sender and stays unique.
    """
    user.display_name = ""
    user.telegram_id = -user.id
    user.locale = ""
    user.region_id = None
    user.active = False
    user.steering_group = False
    user.deactivated_at = user.deactivated_at or now
    user.anonymised_at = now
    await changed_rows(session, delete(Membership).where(Membership.user_id == user.id))
    await session.flush()
    await session.refresh(user, ["memberships", "region"])


async def export_account(session: AsyncSession, user: User) -> dict[str, Any]:
    loaded = await UserRepository(session).with_details(user.id)
    assert loaded is not None
    return {
        "id": loaded.id,
        "display_name": loaded.display_name,
        "telegram_id": loaded.telegram_id,
        "language": loaded.locale,
        "role": str(loaded.role),
        "region": loaded.region.key if loaded.region else None,
        "teams": sorted(m.team.key for m in loaded.memberships),
        "active": loaded.active,
        "steering_group": loaded.steering_group,
        "registered_at": iso(loaded.created_at),
        "deactivated_at": iso(loaded.deactivated_at),
    }


async def purge_invitations(session: AsyncSession, before: datetime, now: datetime) -> int:
    """Used or expired invitations have done their job (the audit log keeps who invited)."""
    return await changed_rows(session, delete(Invitation).where(or_(
        Invitation.used_at < before,
        Invitation.used_at.is_(None) & (Invitation.expires_at < before),
    )))


async def export_invitations(session: AsyncSession, user: User) -> dict[str, Any]:
    invitations = (await session.scalars(
        select(Invitation)
        .where(or_(Invitation.created_by_user_id == user.id,
                   Invitation.used_by_user_id == user.id))
        .options(selectinload(Invitation.team), selectinload(Invitation.region))
        .order_by(Invitation.created_at)
    )).all()

    def row(i: Invitation) -> dict[str, Any]:
        return {"role": str(i.role), "team": i.team.key if i.team else None,
                "region": i.region.key if i.region else None, "created_at": iso(i.created_at),
                "expires_at": iso(i.expires_at), "used_at": iso(i.used_at)}

    return {
        "created_by_you": [row(i) for i in invitations if i.created_by_user_id == user.id],
        "used_by_you": [row(i) for i in invitations if i.used_by_user_id == user.id],
    }


INVITATIONS = DataKind(
    name="invitations",
    setting="retention_bookkeeping_days",
    purge=purge_invitations,
    export=export_invitations,
)
