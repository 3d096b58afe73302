"""Who may use the bot: invitations, registration, roles and languages."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import N_, Conflict, InvalidInput, NotAllowed
from bot.services import audit
from storage.models import Invitation, Membership, Region, Role, Team, User
from storage.repositories.users import OrgRepository, UserRepository

# 16 random bytes = 128 bits; urlsafe base64 fits Telegram's deep-link alphabet and length.
CODE_BYTES = 16
MAX_DISPLAY_NAME = 64


def hash_code(code: str) -> str:
    return hashlib.sha256(code.strip().encode()).hexdigest()


@dataclass(frozen=True)
class NewInvitation:
    code: str
    invitation: Invitation

    def deep_link(self, bot_username: str) -> str:
        return f"https://t.me/{bot_username}?start={self.code}"


@dataclass(frozen=True)
class Registration:
    user: User
    created: bool  # False when an existing user joined one more team


def can_invite(inviter: User, role: Role, team_region_id: int | None) -> bool:
    """Admins invite anyone; leads invite team roles for teams of their own region."""
    if inviter.role == Role.ADMIN:
        return True
    if inviter.role == Role.LEAD:
        return role.is_team_role and team_region_id == inviter.region_id
    return False


async def create_invitation(
    session: AsyncSession,
    *,
    role: Role,
    now: datetime,
    ttl: timedelta,
    team_key: str | None = None,
    region_key: str | None = None,
    inviter: User | None = None,
) -> NewInvitation:
    """Create a single-use invitation; ``inviter`` None means the command line (trusted)."""
    orgs = OrgRepository(session)
    team = region = None
    if role.is_team_role:
        if not team_key:
            raise InvalidInput(N_("Please choose the team for this invitation."))
        team = await orgs.team_by_key(team_key)
        if team is None:
            raise InvalidInput(N_("There is no team {key}."), key=team_key)
    elif role == Role.LEAD:
        if not region_key:
            raise InvalidInput(N_("Please choose the region for this invitation."))
        region = await orgs.region_by_key(region_key)
        if region is None:
            raise InvalidInput(N_("There is no region {key}."), key=region_key)
    if inviter is not None and not can_invite(inviter, role, team.region_id if team else None):
        raise NotAllowed(N_("You may not invite someone with this role or for this team."))
    if ttl <= timedelta(0):
        raise InvalidInput(N_("The invitation must be valid for at least one day."))

    code = secrets.token_urlsafe(CODE_BYTES)
    invitation = Invitation(
        code_hash=hash_code(code),
        role=role,
        team=team,
        region=region,
        created_by_user_id=inviter.id if inviter else None,
        created_at=now,
        expires_at=now + ttl,
    )
    session.add(invitation)
    await session.flush()
    audit.record(
        session,
        at=now,
        actor_id=inviter.id if inviter else None,
        action="invitation.created",
        subject_type="invitation",
        subject_id=invitation.id,
        role=role.value,
        team=team.key if team else None,
        region=region.key if region else None,
        source="chat" if inviter else "command line",
    )
    return NewInvitation(code, invitation)


async def register(
    session: AsyncSession,
    *,
    telegram_id: int,
    display_name: str,
    locale: str,
    code: str,
    now: datetime,
) -> Registration:
    """Redeem an invitation code. An existing member redeeming a team invite joins that team."""
    users = UserRepository(session)
    invitation = await users.invitation_by_hash(hash_code(code))
    if invitation is None or invitation.used_at is not None:
        raise InvalidInput(
            N_("This invitation code is not valid or has already been used. "
               "Please ask your team lead or the administrator for a new one.")
        )
    if invitation.expires_at <= now:
        raise InvalidInput(
            N_("This invitation has expired. Please ask your team lead or the "
               "administrator for a new one.")
        )

    user = await users.by_telegram_id(telegram_id)
    created = user is None
    if user is None:
        user = User(
            telegram_id=telegram_id,
            display_name=display_name.strip()[:MAX_DISPLAY_NAME] or "?",
            locale=locale,
            role=invitation.role,
            region=invitation.region,
            active=True,
            created_at=now,
        )
        session.add(user)
        await session.flush()
        await session.refresh(user, ["memberships"])
    elif not user.active:
        raise NotAllowed(N_("Your access has been deactivated. Please contact the administrator."))
    elif user.role != invitation.role or not Role(user.role).is_team_role:
        raise Conflict(
            N_("You are already registered with another role. Please ask the "
               "administrator to change it.")
        )
    elif invitation.team_id in {m.team_id for m in user.memberships}:
        raise Conflict(N_("You are already a member of this team."))

    if invitation.team is not None:
        user.memberships.append(Membership(team=invitation.team))
    invitation.used_at = now
    invitation.used_by_user_id = user.id
    audit.record(
        session,
        at=now,
        actor_id=user.id,
        action="user.registered" if created else "user.joined_team",
        subject_type="user",
        subject_id=user.id,
        role=str(user.role),
        invitation=invitation.id,
        team=invitation.team.key if invitation.team else None,
    )
    await session.flush()
    return Registration(user, created)


async def ensure_admin(
    session: AsyncSession, *, telegram_id: int, display_name: str, locale: str, now: datetime
) -> User:
    """Register a configured admin (ADMIN_IDS) on first contact."""
    users = UserRepository(session)
    user = await users.by_telegram_id(telegram_id)
    if user is not None and not user.active:
        # ADMIN_IDS bootstraps the first admin; it does not undo a deactivation.
        raise NotAllowed(N_("Your access has been deactivated. Please contact the administrator."))
    if user is not None:
        return user
    user = User(
        telegram_id=telegram_id,
        display_name=display_name.strip()[:MAX_DISPLAY_NAME] or "?",
        locale=locale,
        role=Role.ADMIN,
        active=True,
        created_at=now,
    )
    session.add(user)
    await session.flush()
    audit.record(
        session, at=now, actor_id=user.id, action="user.registered",
        subject_type="user", subject_id=user.id, role="admin", source="ADMIN_IDS",
    )
    await session.refresh(user, ["memberships", "region"])
    return user


async def set_locale(session: AsyncSession, user: User, locale: str, now: datetime) -> None:
    if locale not in ("de", "en"):
        raise InvalidInput(N_("This language is not available."))
    user.locale = locale
    await session.flush()


def team_ids(user: User) -> list[int]:
    """Teams the user belongs to (leads and admins belong to none directly)."""
    return sorted(m.team_id for m in user.memberships)


async def invitation_units(
    session: AsyncSession, inviter: User, role: Role
) -> list[Region] | list[Team]:
    """Where a new member of ``role`` may be invited to: a region for a lead, else one of
    the active teams (of their own region when the inviter is a lead)."""
    orgs = OrgRepository(session)
    if role == Role.LEAD:
        return await orgs.regions()
    return await orgs.active_teams(None if inviter.role == Role.ADMIN else inviter.region_id)


def can_see_team(user: User, team_id: int, team_region_id: int) -> bool:
    """Members see their teams, leads the teams of their region, admins everything."""
    if not user.active:
        return False
    if user.role == Role.ADMIN:
        return True
    if user.role == Role.LEAD:
        return user.region_id == team_region_id
    return team_id in team_ids(user)


async def visible_teams(session: AsyncSession, user: User) -> list[Team]:
    """Members see their teams, leads the teams of their region, admins every team."""
    if user.role == Role.ADMIN:
        return await OrgRepository(session).active_teams()
    if user.role == Role.LEAD:
        return await OrgRepository(session).active_teams(user.region_id)
    return sorted((m.team for m in user.memberships if m.team.active), key=lambda t: t.key)


def leads_region(user: User, region_id: int) -> bool:
    """True for an active lead of ``region_id`` (admins count as leads everywhere)."""
    return user.active and (
        user.role == Role.ADMIN or (user.role == Role.LEAD and user.region_id == region_id)
    )
