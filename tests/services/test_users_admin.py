"""Managing people on the real database: the rules an admin cannot get around, and audit."""

from __future__ import annotations

from datetime import time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.errors import Conflict, InvalidInput, NotAllowed, NotFound
from bot.services import retention, users
from bot.services.users import UserFilter
from storage.models import AuditEntry, Role
from storage.repositories.users import OrgRepository
from tests.support.people import member

BERLIN = ZoneInfo("Europe/Berlin")


async def _actions(session) -> list[tuple[str, int | None]]:
    rows = await session.execute(
        select(AuditEntry.action, AuditEntry.actor_user_id)
        .where(AuditEntry.action.like("user.%"), AuditEntry.action != "user.registered")
        .order_by(AuditEntry.id))
    return [tuple(row) for row in rows.all()]


async def test_nobody_removes_the_last_admin(session, clock):
    ada = await member(session, clock, "Ada", Role.ADMIN)
    with pytest.raises(NotAllowed, match="last active administrator"):
        await users.deactivate(session, actor=None, user_id=ada.id, now=clock.now())
    with pytest.raises(NotAllowed, match="last active administrator"):
        await users.change_role(session, actor=None, user_id=ada.id, role=Role.LEAD,
                                unit_key="nord", now=clock.now())
    with pytest.raises(NotAllowed, match="last active administrator"):
        await retention.erase_user(session, actor=None, user_id=ada.id, now=clock.now())
    with pytest.raises(NotAllowed, match="last active administrator"):
        await retention.forget_me(session, ada, clock.now())
    bea = await member(session, clock, "Bea", Role.ADMIN)
    with pytest.raises(NotAllowed, match="own access"):
        await users.deactivate(session, actor=bea, user_id=bea.id, now=clock.now())
    await users.deactivate(session, actor=bea, user_id=ada.id, now=clock.now())
    assert not ada.active
    assert await _actions(session) == [("user.deactivated", bea.id)]


async def test_only_active_admins_manage_people(session, clock):
    lea = await member(session, clock, "Lea", Role.LEAD, region="nord")
    pia = await member(session, clock, "Pia", Role.PROVIDER, team="nord-a")
    for call in (users.deactivate, users.reactivate):
        with pytest.raises(NotAllowed, match="Only administrators"):
            await call(session, actor=lea, user_id=pia.id, now=clock.now())
    with pytest.raises(NotAllowed):
        await users.list_users(session, pia, UserFilter(), 0)
    with pytest.raises(NotFound):
        await users.get_user(session, None, 999_999)


async def test_role_changes_keep_or_replace_teams(session, clock):
    pia = await member(session, clock, "Pia", Role.PROVIDER, team="nord-a")
    now = clock.now()
    with pytest.raises(Conflict, match="already has this role"):
        await users.change_role(session, actor=None, user_id=pia.id, role=Role.PROVIDER,
                                unit_key=None, now=now)
    changed = await users.change_role(session, actor=None, user_id=pia.id, role=Role.NETWORKER,
                                      unit_key=None, now=now)
    assert changed.role == Role.NETWORKER and [m.team.key for m in changed.memberships] == [
        "nord-a"]
    moved = await users.change_role(session, actor=None, user_id=pia.id, role=Role.NETWORKER,
                                    unit_key="sued-b", now=now)
    assert [m.team.key for m in moved.memberships] == ["sued-b"]
    with pytest.raises(InvalidInput, match="choose a region"):
        await users.change_role(session, actor=None, user_id=pia.id, role=Role.LEAD,
                                unit_key=None, now=now)
    lead = await users.change_role(session, actor=None, user_id=pia.id, role=Role.LEAD,
                                   unit_key="sued", now=now)
    assert lead.memberships == [] and lead.region.key == "sued"
    with pytest.raises(InvalidInput, match="choose a team"):
        await users.change_role(session, actor=None, user_id=pia.id, role=Role.CASEWORKER,
                                unit_key=None, now=now)
    back = await users.change_role(session, actor=None, user_id=pia.id, role=Role.CASEWORKER,
                                   unit_key="nord-b", now=now)
    assert back.region is None and [m.team.key for m in back.memberships] == ["nord-b"]
    assert [a for a, _ in await _actions(session)] == ["user.role_changed"] * 4


async def test_lists_by_team_role_and_status_never_show_erased_people(session, clock):
    ada = await member(session, clock, "Ada", Role.ADMIN)
    for index in range(10):
        await member(session, clock, f"P{index:02d}", Role.PROVIDER, team="nord-a")
    nils = await member(session, clock, "Nils", Role.NETWORKER, team="nord-b")
    gone = await member(session, clock, "Gone", Role.NETWORKER, team="nord-b")
    await retention.forget_me(session, gone, clock.now())
    await users.deactivate(session, actor=ada, user_id=nils.id, now=clock.now())
    first = await users.list_users(session, ada, UserFilter(), 0)
    assert (first.total, first.pages, len(first.users)) == (11, 2, users.PAGE_SIZE)
    last = await users.list_users(session, ada, UserFilter(), 7)  # beyond the end: last page
    assert last.page == 1 and [u.display_name for u in last.users][-1] == "P09"
    team = await OrgRepository(session).team_by_key("nord-b")
    assert (await users.list_users(session, ada, UserFilter(team_id=team.id), 0)).total == 0
    inactive = await users.list_users(session, ada, UserFilter(inactive=True), 0)
    assert [u.display_name for u in inactive.users] == ["Nils"]
    admins = await users.list_users(session, ada, UserFilter(role=Role.ADMIN), 0)
    assert [u.display_name for u in admins.users] == ["Ada"]
    with pytest.raises(NotFound):
        await users.get_user(session, ada, gone.id)


async def test_the_steering_group_gets_every_region_and_is_audited(session, clock):
    from bot.services.digest import figures, schedule

    ada = await member(session, clock, "Ada", Role.ADMIN)
    lea = await member(session, clock, "Lea", Role.LEAD, region="nord")
    nils = await member(session, clock, "Nils", Role.NETWORKER, team="nord-b")
    nord = await OrgRepository(session).region_by_key("nord")
    assert figures.scope_of(lea).region_ids == frozenset({nord.id})
    assert not schedule.receives_digests(nils)
    with pytest.raises(NotAllowed, match="steering group"):
        figures.scope_of(nils)
    recipients = await schedule.due_digests(
        session, clock.now(), clock.now() + timedelta(days=7), tz=BERLIN,
        default=schedule.office_default((0, time(8))))
    assert {d.user_id for d in recipients} == {ada.id, lea.id}

    for person in (lea, nils):
        changed = await users.set_steering_group(session, actor=ada, user_id=person.id,
                                                 member=True, now=clock.now())
        assert changed.steering_group
    assert figures.scope_of(lea).region_ids is None
    assert schedule.receives_digests(nils) and figures.scope_of(nils).region_ids is None
    recipients = await schedule.due_digests(
        session, clock.now(), clock.now() + timedelta(days=7), tz=BERLIN,
        default=schedule.office_default((0, time(8))))
    assert {d.user_id for d in recipients} == {ada.id, lea.id, nils.id}
    assert (await users.export_account(session, nils))["steering_group"] is True

    with pytest.raises(Conflict, match="already so"):
        await users.set_steering_group(session, actor=ada, user_id=nils.id, member=True,
                                       now=clock.now())
    with pytest.raises(Conflict, match="every region already"):
        await users.set_steering_group(session, actor=None, user_id=ada.id, member=True,
                                       now=clock.now())
    with pytest.raises(NotAllowed, match="Only administrators"):
        await users.set_steering_group(session, actor=lea, user_id=nils.id, member=False,
                                       now=clock.now())
    await users.set_steering_group(session, actor=ada, user_id=nils.id, member=False,
                                   now=clock.now())
    assert not schedule.receives_digests(nils)
    await users.deactivate(session, actor=ada, user_id=lea.id, now=clock.now())
    assert not schedule.receives_digests(lea)  # deactivated: no digest, flag or not
    await retention.erase_user(session, actor=ada, user_id=lea.id, now=clock.now())
    assert not lea.steering_group  # erased: nothing about the person is left

    entries = (await session.scalars(
        select(AuditEntry).where(AuditEntry.action == "user.steering_group")
        .order_by(AuditEntry.id))).all()
    assert [(e.actor_user_id, e.subject_id, e.details["from"], e.details["to"])
            for e in entries] == [(ada.id, str(lea.id), False, True),
                                  (ada.id, str(nils.id), False, True),
                                  (ada.id, str(nils.id), True, False)]
    assert all(e.at == clock.now() for e in entries)
