"""Invitations and registration: single use, expiring, unguessable, role-checked."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.errors import Conflict, InvalidInput, NotAllowed
from storage.models import AuditEntry, Invitation, Role, User
from tests.support.people import _invite, _register


async def test_code_registers_once_with_role_and_team(session, clock):
    new = await _invite(session, clock)
    assert len(new.code) >= 22  # 128 bits, urlsafe base64
    stored = await session.scalar(select(Invitation.code_hash))
    assert new.code not in stored  # only a hash is kept

    registration = await _register(session, clock, new.code)
    user = registration.user
    assert registration.created and user.role == Role.PROVIDER
    assert [m.team.key for m in user.memberships] == ["nord-a"]
    with pytest.raises(InvalidInput):
        await _register(session, clock, new.code, telegram_id=502, name="Ben")
    actions = (await session.scalars(select(AuditEntry.action))).all()
    assert actions == ["invitation.created", "user.registered"]


async def test_expired_and_unknown_codes_are_refused(session, clock):
    new = await _invite(session, clock)
    clock.advance(timedelta(days=7, seconds=1))
    with pytest.raises(InvalidInput, match="expired"):
        await _register(session, clock, new.code)
    with pytest.raises(InvalidInput, match="not valid"):
        await _register(session, clock, "guess" * 5)
    assert await session.scalar(select(User)) is None


async def test_second_team_invite_adds_membership(session, clock):
    first = await _invite(session, clock, team="nord-a")
    second = await _invite(session, clock, team="nord-b")
    await _register(session, clock, first.code)
    registration = await _register(session, clock, second.code)
    assert not registration.created
    assert sorted(m.team.key for m in registration.user.memberships) == ["nord-a", "nord-b"]
    again = await _invite(session, clock, team="nord-b")
    with pytest.raises(Conflict):
        await _register(session, clock, again.code)


async def test_lead_may_invite_team_roles_of_own_region_only(session, clock):
    lead_code = await _invite(session, clock, role=Role.LEAD, region="nord")
    lead = (await _register(session, clock, lead_code.code, telegram_id=900, name="Lea")).user
    assert lead.role == Role.LEAD and lead.region.key == "nord"
    await _invite(session, clock, role=Role.CASEWORKER, team="nord-b", inviter=lead)
    with pytest.raises(NotAllowed):
        await _invite(session, clock, role=Role.CASEWORKER, team="sued-a", inviter=lead)
    with pytest.raises(NotAllowed):
        await _invite(session, clock, role=Role.ADMIN, inviter=lead)


async def test_invitation_needs_an_existing_team(session, clock):
    with pytest.raises(InvalidInput, match="no team"):
        await _invite(session, clock, team="ost-a")
    with pytest.raises(InvalidInput, match="choose the team"):
        await _invite(session, clock, team=None)
