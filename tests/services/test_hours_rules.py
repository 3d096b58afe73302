"""Hours rules on the real database: quotas, limits, locks, week boundaries around DST."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from bot.errors import Conflict, InvalidInput, NotAllowed
from bot.services import hours
from bot.services.hours import Draft, HoursPolicy, Week
from bot.services.hours.personal_data import export_entries
from bot.services.hours.weeks import local_today
from storage.models import AuditEntry, HourEntry, Role, Team
from tests.support.people import _invite, _register

POLICY = HoursPolicy()
BERLIN = ZoneInfo("Europe/Berlin")
TODAY = date(2026, 11, 24)


async def _member(session, clock, role=Role.PROVIDER, team="nord-a", telegram_id=501):
    new = await _invite(session, clock, role=role, team=team if role.is_team_role else None,
                        region="nord" if role == Role.LEAD else None)
    return (await _register(session, clock, new.code, telegram_id=telegram_id)).user


async def _ids(session):
    categories = {c.key: c.id for c in await hours.loggable_categories(session)}
    teams = {t.key: t for t in (await session.scalars(select(Team))).all()}
    return categories, teams


async def _log(session, user, category, team, minutes, day=TODAY, note=None, now=None):
    return await hours.log_hours(
        session, user, Draft(category, team.id, minutes, day, note), today=TODAY,
        now=now or datetime(2026, 11, 24, 9, tzinfo=UTC), policy=POLICY)


async def test_week_totals_against_quotas_and_reached_note(session, clock):
    pia = await _member(session, clock)
    nils = await _member(session, clock, Role.NETWORKER, telegram_id=502)
    cats, teams = await _ids(session)
    await _log(session, pia, cats["beratung"], teams["nord-a"], 12 * 60)
    await _log(session, nils, cats["fua"], teams["nord-a"], 8 * 60, day=date(2026, 11, 23))
    await _log(session, pia, cats["fua"], teams["nord-a"], 30, day=date(2026, 11, 22))  # last week
    progress = await hours.week_progress(session, pia, teams["nord-a"], Week.of(TODAY),
                                         today=TODAY, policy=POLICY)
    by_key = {item.category.key: item for item in progress.categories}
    assert (by_key["beratung"].minutes, by_key["beratung"].quota) == (720, 18 * 60)
    assert by_key["fua"].minutes == 480 and by_key["fua"].reached and not by_key["fua"].exceeded
    assert by_key["fuea"].quota is None
    assert progress.people == []  # only leads see people


async def test_lead_sees_each_person(session, clock):
    pia = await _member(session, clock)
    lead = await _member(session, clock, Role.LEAD, telegram_id=900)
    cats, teams = await _ids(session)
    await _log(session, pia, cats["fua"], teams["nord-a"], 90)
    progress = await hours.week_progress(session, lead, teams["nord-a"], Week.of(TODAY),
                                         today=TODAY, policy=POLICY)
    assert [(p.name, p.minutes_by_category) for p in progress.people] == [
        ("Anna", {cats["fua"]: 90})]
    with pytest.raises(NotAllowed):
        await hours.week_progress(session, lead, teams["sued-a"], Week.of(TODAY),
                                  today=TODAY, policy=POLICY)


@pytest.mark.parametrize(
    ("minutes", "day", "error", "message"),
    [
        (0, TODAY, InvalidInput, "more than zero"),
        (-30, TODAY, InvalidInput, "more than zero"),
        (20, TODAY, InvalidInput, "steps of"),
        (12 * 60 + 15, TODAY, InvalidInput, "at most"),
        (60, TODAY + timedelta(days=1), InvalidInput, "future"),
        (60, date(2026, 11, 1), Conflict, "closed"),
    ],
)
async def test_bad_entries_are_refused_and_nothing_is_saved(session, clock, minutes, day, error,
                                                            message):
    pia = await _member(session, clock)
    cats, teams = await _ids(session)
    with pytest.raises(error, match=message):
        await _log(session, pia, cats["fua"], teams["nord-a"], minutes, day=day)
    assert await session.scalar(select(func.count()).select_from(HourEntry)) == 0


async def test_more_than_24_hours_a_day_is_refused(session, clock):
    pia = await _member(session, clock)
    cats, teams = await _ids(session)
    await _log(session, pia, cats["beratung"], teams["nord-a"], 12 * 60)
    await _log(session, pia, cats["fua"], teams["nord-a"], 11 * 60)
    with pytest.raises(InvalidInput, match="24 hours"):
        await _log(session, pia, cats["fuea"], teams["nord-a"], 75)
    await _log(session, pia, cats["fuea"], teams["nord-a"], 60)  # exactly 24 h is fine


async def test_roles_teams_and_personal_data_are_checked(session, clock):
    asd = await _member(session, clock, Role.CASEWORKER)
    pia = await _member(session, clock, telegram_id=502)
    cats, teams = await _ids(session)
    with pytest.raises(NotAllowed, match="your role does not log hours"):
        await _log(session, asd, cats["fua"], teams["nord-a"], 60)
    with pytest.raises(NotAllowed, match="own team"):
        await _log(session, pia, cats["fua"], teams["sued-a"], 60)
    with pytest.raises(InvalidInput, match="personal data"):
        await _log(session, pia, cats["fua"], teams["nord-a"], 60, note="Gespräch Familie Meier")
    with pytest.raises(InvalidInput, match="characters"):
        await _log(session, pia, cats["fua"], teams["nord-a"], 60, note="x" * 201)


async def test_weeks_lock_after_14_days_and_a_lead_reopens_them(session, clock):
    pia = await _member(session, clock)
    lead = await _member(session, clock, Role.LEAD, telegram_id=900)
    cats, teams = await _ids(session)
    week = Week(date(2026, 11, 2))  # Sunday 8.11.; locks on 23.11.
    assert week.locks_on(14) == date(2026, 11, 23)
    assert await hours.is_locked(session, teams["nord-a"].id, week, date(2026, 11, 23), POLICY)
    assert not await hours.is_locked(session, teams["nord-a"].id, week, date(2026, 11, 22),
                                     POLICY)
    with pytest.raises(NotAllowed):
        await hours.reopen_week(session, pia, teams["nord-a"], week, today=TODAY,
                                now=clock.now(), policy=POLICY)
    await hours.reopen_week(session, lead, teams["nord-a"], week, today=TODAY, now=clock.now(),
                            policy=POLICY)
    await _log(session, pia, cats["fua"], teams["nord-a"], 60, day=date(2026, 11, 4))
    with pytest.raises(Conflict, match="open already"):
        await hours.reopen_week(session, lead, teams["nord-a"], week, today=TODAY,
                                now=clock.now(), policy=POLICY)
    actions = (await session.scalars(select(AuditEntry.action))).all()
    assert "hours.week_reopened" in actions
    # /mydata: the lead's reopening; Pia's entry with its team and kind of work.
    assert [r["week_start"] for r in (await export_entries(session, lead))["weeks_reopened"]
            ] == ["2026-11-02"]
    assert [(e["team"], e["kind_of_work"], e["minutes"])
            for e in (await export_entries(session, pia))["entries"]] == [("nord-a", "fua", 60)]


async def test_edit_and_delete_own_entries_only_while_open(session, clock):
    pia = await _member(session, clock)
    ben = await _member(session, clock, telegram_id=502)
    cats, teams = await _ids(session)
    entry = await _log(session, pia, cats["fua"], teams["nord-a"], 60)
    with pytest.raises(Exception, match="does not exist"):
        await hours.update_entry_minutes(session, ben, entry.id, 90, today=TODAY,
                                         now=clock.now(), policy=POLICY)
    changed = await hours.update_entry_minutes(session, pia, entry.id, 90, today=TODAY,
                                               now=clock.now(), policy=POLICY)
    assert changed.minutes == 90
    later = TODAY + timedelta(days=30)
    with pytest.raises(Conflict, match="closed"):
        await hours.delete_entry(session, pia, entry.id, today=later, now=clock.now(),
                                 policy=POLICY)
    await hours.delete_entry(session, pia, entry.id, today=TODAY, now=clock.now(), policy=POLICY)
    assert await session.scalar(select(func.count()).select_from(HourEntry)) == 0


async def test_members_without_hours_for_the_friday_reminder(session, clock):
    pia = await _member(session, clock)
    nils = await _member(session, clock, Role.NETWORKER, telegram_id=502)
    await _member(session, clock, Role.CASEWORKER, telegram_id=503)  # does not log hours
    cats, teams = await _ids(session)
    await _log(session, pia, cats["fua"], teams["nord-a"], 60)
    missing = await hours.users_without_hours(session, [teams["nord-a"].id], Week.of(TODAY),
                                              POLICY)
    assert [(user.id, team_id) for user, team_id in missing] == [(nils.id, teams["nord-a"].id)]


@pytest.mark.parametrize(
    ("utc", "expected_week"),
    [
        # Spring forward: Sunday 29 March 2026, 23:30 CEST is 21:30 UTC -> still week 13.
        (datetime(2026, 3, 29, 21, 30, tzinfo=UTC), 13),
        # 00:30 CEST on Monday 30 March is 22:30 UTC on Sunday -> already week 14.
        (datetime(2026, 3, 29, 22, 30, tzinfo=UTC), 14),
        # Fall back: Sunday 25 October 2026, 23:30 CET is 22:30 UTC -> week 43.
        (datetime(2026, 10, 25, 22, 30, tzinfo=UTC), 43),
        # 00:30 CET Monday 26 October is 23:30 UTC Sunday -> week 44.
        (datetime(2026, 10, 25, 23, 30, tzinfo=UTC), 44),
    ],
)
def test_the_local_week_around_the_dst_switches(utc, expected_week):
    assert Week.of(local_today(utc, BERLIN)).iso[1] == expected_week


async def test_entries_on_dst_sunday_and_monday_fall_in_their_own_weeks(session, clock):
    pia = await _member(session, clock)
    cats, teams = await _ids(session)
    sunday, monday = date(2026, 10, 25), date(2026, 10, 26)
    for day in (sunday, monday):
        await hours.log_hours(session, pia, Draft(cats["fua"], teams["nord-a"].id, 60, day),
                              today=monday, now=clock.now(), policy=POLICY)
    for day in (sunday, monday):
        progress = await hours.week_progress(session, pia, teams["nord-a"], Week.of(day),
                                             today=monday, policy=POLICY)
        assert {i.category.key: i.minutes for i in progress.categories}["fua"] == 60
