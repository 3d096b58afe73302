"""The scheduler's rules on the real database, with time travel: what is due, and only once."""

from __future__ import annotations

import asyncio
import itertools
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.clock import FrozenClock
from bot.parsing.when import parse_when
from bot.services import access
from bot.services.budget import escalation
from bot.services.budget import requests as budget_requests
from bot.services.budget.requests import Draft as BudgetDraft
from bot.services.hours import Draft as HoursDraft
from bot.services.hours import log_hours
from bot.services.reminders import personal, preferences, scheduler
from bot.services.reminders.policy import ReminderPolicy
from bot.services.reminders.quiet import QuietHours
from bot.services.reminders.recurrence import next_after, occurrences, weekly_rule
from storage.models import Delivery, HourCategory, Meeting, Reminder, Role
from storage.repositories.users import OrgRepository

BERLIN = ZoneInfo("Europe/Berlin")
_ids = itertools.count(80_001)


def berlin(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=BERLIN)


@pytest.fixture
def policy(org) -> ReminderPolicy:
    return ReminderPolicy(tz=BERLIN, hours=org.hours)


async def member(session, clock, name, role, team=None, region=None):
    new = await access.create_invitation(session, role=role, now=clock.now(),
                                         ttl=timedelta(days=1), team_key=team, region_key=region)
    registration = await access.register(session, telegram_id=next(_ids), display_name=name,
                                         locale="de", code=new.code, now=clock.now())
    await session.commit()
    return registration.user


async def tick(session, clock, policy) -> list[tuple[str, int]]:
    """One scheduler run without Telegram: every due item claimed; what would be sent."""
    now = clock.now()
    await escalation.raise_overdue(session, now=now, after=policy.escalation_after)
    sent = []
    for item in await scheduler.due(session, now, policy):
        if await scheduler.claim(session, item, now=now, policy=policy) == "send":
            await scheduler.sent(session, item, now)
            sent.append((item.kind, item.user_id))
    await scheduler.finish_run(session, now)
    await session.commit()
    return sent


async def remind(session, clock, user, text):
    parsed = parse_when(text, clock.now().astimezone(BERLIN))
    reminder = await personal.create(session, user, parsed, now=clock.now(), tz=BERLIN)
    await session.commit()
    return reminder


# --- recurrence and quiet hours (pure) ---------------------------------------------------------


def test_a_weekly_meeting_stays_at_nine_across_both_dst_switches():
    start, end = datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 11, 30, tzinfo=UTC)
    found = occurrences(weekly_rule(2), time(9), BERLIN, start, end)
    assert len(found) == 39
    assert {o.astimezone(BERLIN).time() for o in found} == {time(9)}
    assert {o.astimezone(BERLIN).weekday() for o in found} == {1}
    by_offset = {o.astimezone(UTC).hour for o in found}
    assert by_offset == {7, 8}  # 07:00 UTC in summer, 08:00 UTC in winter
    assert found[3] == berlin(2026, 3, 24, 9) and found[4] == berlin(2026, 3, 31, 9)


def test_next_occurrence_on_the_days_of_the_switches():
    sunday = weekly_rule(7)
    assert next_after(sunday, time(9), BERLIN, berlin(2026, 3, 28, 12)) == berlin(2026, 3, 29, 9)
    assert next_after(sunday, time(9), BERLIN, berlin(2026, 10, 24, 12)) == berlin(2026, 10, 25,
                                                                                   9)
    # 02:30 does not exist on 29 March: it moves forward by the gap.
    assert next_after(sunday, time(2, 30), BERLIN, berlin(2026, 3, 28, 12)) == berlin(
        2026, 3, 29, 3, 30)
    daily = "FREQ=DAILY"
    assert next_after(daily, time(8), BERLIN, berlin(2026, 11, 24, 8)) == berlin(2026, 11, 25, 8)


@pytest.mark.parametrize(
    ("due", "released"),
    [
        (berlin(2026, 11, 24, 21, 0), berlin(2026, 11, 25, 7, 0)),
        (berlin(2026, 11, 24, 6, 30), berlin(2026, 11, 24, 7, 0)),
        (berlin(2026, 11, 24, 20, 0), berlin(2026, 11, 25, 7, 0)),
        (berlin(2026, 11, 24, 7, 0), berlin(2026, 11, 24, 7, 0)),
        (berlin(2026, 11, 24, 19, 59), berlin(2026, 11, 24, 19, 59)),
        (berlin(2026, 3, 28, 23, 0), berlin(2026, 3, 29, 7, 0)),  # the spring night is shorter
    ],
)
def test_quiet_hours_hold_until_morning(due, released):
    quiet = QuietHours(time(20), time(7))
    assert quiet.release(due, BERLIN) == released


def test_quiet_hours_within_one_day_and_none():
    lunch = QuietHours(time(12), time(13))
    assert lunch.release(berlin(2026, 11, 24, 12, 30), BERLIN) == berlin(2026, 11, 24, 13)
    assert lunch.release(berlin(2026, 11, 24, 13, 30), BERLIN) == berlin(2026, 11, 24, 13, 30)
    assert not QuietHours(time(0), time(0)).contains(time(3))


# --- personal reminders: due, grace, restart, duplicates ------------------------------------------


async def test_a_personal_reminder_is_sent_once_at_its_time(session, clock, policy):
    pia = await member(session, clock, "Pia", Role.PROVIDER, team="nord-a")
    await remind(session, clock, pia, "morgen 9:00 Bericht schicken")
    clock.set(berlin(2026, 11, 25, 8, 59))
    assert await tick(session, clock, policy) == []
    clock.set(berlin(2026, 11, 25, 9, 0))
    assert await tick(session, clock, policy) == [("personal", pia.id)]
    assert await tick(session, clock, policy) == []
    clock.advance(timedelta(minutes=1))
    assert await tick(session, clock, policy) == []
    reminder = await session.scalar(select(Reminder))
    assert reminder.done and reminder.fired_at == berlin(2026, 11, 25, 9, 0)


async def test_a_recurring_reminder_moves_on_in_local_time_across_dst(session, policy):
    clock = FrozenClock(berlin(2026, 10, 20, 12, 0))
    pia = await member(session, clock, "Pia", Role.PROVIDER, team="nord-a")
    reminder = await remind(session, clock, pia, "jeden Montag 8:00 Wochenplanung")
    fired = []
    for _ in range(3):
        clock.set(reminder.next_at)
        assert await tick(session, clock, policy) == [("personal", pia.id)]
        fired.append(clock.now().astimezone(BERLIN))
        await session.refresh(reminder)
    assert [f.date() for f in fired] == [date(2026, 10, 26), date(2026, 11, 2), date(2026, 11, 9)]
    assert {f.time() for f in fired} == {time(8)}
    assert fired[0].utcoffset() == timedelta(hours=1)  # after the autumn switch


async def test_after_downtime_within_grace_sent_once_later_recorded_missed(
        session, clock, policy):
    pia = await member(session, clock, "Pia", Role.PROVIDER, team="nord-a")
    await remind(session, clock, pia, "morgen 9:00 Akten")
    await remind(session, clock, pia, "morgen 10:00 Team")
    weekly = await remind(session, clock, pia, "jeden Mittwoch 9:30 Planung")
    # The bot was down from Tuesday until Wednesday 10:25.
    clock.set(berlin(2026, 11, 25, 10, 25))
    assert await tick(session, clock, policy) == [("personal", pia.id)] * 2
    deliveries = (await session.scalars(select(Delivery).order_by(Delivery.due_at))).all()
    assert [(d.due_at.astimezone(BERLIN).time(), d.status) for d in deliveries] == [
        (time(9), "missed"), (time(9, 30), "sent"), (time(10), "sent")]
    await session.refresh(weekly)
    assert weekly.next_at == berlin(2026, 12, 2, 9, 30)  # the recurrence goes on
    assert await tick(session, clock, policy) == []


async def test_a_long_downtime_records_missed_and_the_recurrence_resumes(session, clock, policy):
    pia = await member(session, clock, "Pia", Role.PROVIDER, team="nord-a")
    daily = await remind(session, clock, pia, "täglich 8:00 Mails")
    clock.set(berlin(2026, 12, 1, 12, 0))  # a week later
    assert await tick(session, clock, policy) == []
    await session.refresh(daily)
    assert daily.next_at == berlin(2026, 12, 2, 8, 0)
    ledger = [(d.kind, d.status) for d in (await session.scalars(select(Delivery))).all()]
    assert ("personal", "missed") in ledger and ("personal", "sent") not in ledger


async def test_two_instances_claim_each_message_once(engine, sessions, clock, policy):
    async with sessions() as session:
        pia = await member(session, clock, "Pia", Role.PROVIDER, team="nord-a")
        for minute in (0, 10, 20):
            await remind(session, clock, pia, f"morgen 11:{minute:02d} Punkt {minute}")
    clock.set(berlin(2026, 11, 25, 11, 30))

    async def instance() -> list[tuple[str, int]]:
        async with sessions() as session:
            return await tick(session, clock, policy)

    first, second = await asyncio.gather(instance(), instance())
    assert sorted(first + second) == [("personal", pia.id)] * 3
    async with sessions() as session:
        assert len((await session.scalars(select(Delivery))).all()) == 3


async def test_a_released_claim_is_retried_and_restores_the_reminder(session, clock, policy):
    pia = await member(session, clock, "Pia", Role.PROVIDER, team="nord-a")
    reminder = await remind(session, clock, pia, "morgen 9:00 Akten")
    clock.set(berlin(2026, 11, 25, 9, 0))
    [item] = [i for i in await scheduler.due(session, clock.now(), policy)
              if i.kind == "personal"]
    assert await scheduler.claim(session, item, now=clock.now(), policy=policy) == "send"
    assert await scheduler.sending(session, item, clock.now())
    await scheduler.release(session, item)  # the connection was down: surely not sent
    await session.commit()
    await session.refresh(reminder)
    assert not reminder.done
    clock.advance(timedelta(minutes=1))
    assert await tick(session, clock, policy) == [("personal", pia.id)]


async def test_a_claim_taken_over_by_a_later_run_is_sent_by_that_run_only(
        engine, sessions, clock, policy):
    """A run claims a reminder, then stalls (an old leader that lost its lock); a later run
    takes the claim over. Whichever marks it ``sending`` first sends it; the other cannot."""
    async with sessions() as session:
        pia = await member(session, clock, "Pia", Role.PROVIDER, team="nord-a")
        await remind(session, clock, pia, "morgen 9:00 Akten")
    stalled_at = berlin(2026, 11, 25, 9, 0)
    async with sessions() as stalled:
        [item] = [i for i in await scheduler.due(stalled, stalled_at, policy)
                  if i.kind == "personal"]
        assert await scheduler.claim(stalled, item, now=stalled_at, policy=policy) == "send"
        await stalled.commit()

        clock.set(berlin(2026, 11, 25, 9, 1))
        async with sessions() as later:
            [again] = [i for i in await scheduler.due(later, clock.now(), policy)
                       if i.kind == "personal"]
            assert again.key == item.key and again.retake
            assert [i for i in await scheduler.due(later, stalled_at, policy)
                    if i.kind == "personal"] == []  # not a claim of that same instant
            assert await scheduler.claim(later, again, now=clock.now(), policy=policy) == "send"
            await later.commit()
            assert not await scheduler.sending(stalled, item, stalled_at)
            await stalled.rollback()
            assert await scheduler.sending(later, again, clock.now())
            await scheduler.sent(later, again, clock.now())
            await later.commit()
    async with sessions() as session:
        assert (await session.scalars(select(Delivery.status).where(
            Delivery.kind == "personal"))).all() == ["sent"]


async def _claimed_reminder(session, clock, policy):
    """Pia's reminder for 09:00, due and claimed by a run at 09:00 (not yet committed)."""
    pia = await member(session, clock, "Pia", Role.PROVIDER, team="nord-a")
    await remind(session, clock, pia, "morgen 9:00 Akten")
    clock.set(berlin(2026, 11, 25, 9, 0))
    [item] = [i for i in await scheduler.due(session, clock.now(), policy)
              if i.kind == "personal"]
    assert await scheduler.claim(session, item, now=clock.now(), policy=policy) == "send"
    return pia, item


async def test_a_claim_marked_sending_is_never_taken_up_again(session, clock, policy):
    pia, item = await _claimed_reminder(session, clock, policy)
    assert await scheduler.sending(session, item, clock.now())
    await session.commit()  # and the process dies in the Bot API call
    clock.advance(timedelta(minutes=1))
    assert ("personal", pia.id) not in await tick(session, clock, policy)
    assert (await session.scalars(select(Delivery.status).where(
        Delivery.kind == "personal"))).all() == ["unknown"]


async def test_a_claim_left_past_the_grace_period_is_recorded_missed(session, clock, policy):
    pia, _item = await _claimed_reminder(session, clock, policy)
    await session.commit()  # the process dies; the bot is down for three hours
    clock.advance(timedelta(hours=3))
    assert ("personal", pia.id) not in await tick(session, clock, policy)
    assert (await session.scalars(select(Delivery.status).where(
        Delivery.kind == "personal"))).all() == ["missed"]


async def test_snooze_reminds_again_without_changing_the_recurrence(session, clock, policy):
    pia = await member(session, clock, "Pia", Role.PROVIDER, team="nord-a")
    weekly = await remind(session, clock, pia, "jeden Mittwoch 9:00 Planung")
    clock.set(berlin(2026, 11, 25, 9, 0))
    assert await tick(session, clock, policy) == [("personal", pia.id)]
    again = await personal.snooze(session, pia, weekly.id, "15m", now=clock.now(), tz=BERLIN)
    tomorrow = await personal.snooze(session, pia, weekly.id, "1d", now=clock.now(), tz=BERLIN)
    await session.commit()
    assert again.next_at == berlin(2026, 11, 25, 9, 15)
    assert tomorrow.next_at == berlin(2026, 11, 26, 9, 0)
    await session.refresh(weekly)
    assert weekly.next_at == berlin(2026, 12, 2, 9, 0)
    clock.set(berlin(2026, 11, 25, 9, 15))
    assert await tick(session, clock, policy) == [("personal", pia.id)]


# --- meetings ----------------------------------------------------------------------------------


async def test_meeting_reminders_the_day_before_and_an_hour_before(session, clock, policy):
    pia = await member(session, clock, "Pia", Role.PROVIDER, team="nord-a")
    await member(session, clock, "Sam", Role.PROVIDER, team="sued-b")
    await tick(session, clock, policy)
    clock.set(berlin(2026, 11, 30, 8, 59))  # nord-a meets on Tuesdays at 09:00
    assert await tick(session, clock, policy) == []
    clock.set(berlin(2026, 11, 30, 9, 0))
    assert await tick(session, clock, policy) == [("meeting", pia.id)]
    clock.set(berlin(2026, 12, 1, 8, 0))
    assert await tick(session, clock, policy) == [("meeting", pia.id)]
    assert await tick(session, clock, policy) == []


async def test_a_meeting_reminder_before_seven_waits_for_the_end_of_quiet_hours(
        session, clock, policy):
    ben = await member(session, clock, "Ben", Role.CASEWORKER, team="nord-b")
    nord_b = await OrgRepository(session).team_by_key("nord-b")
    session.add(Meeting(title="Frühbesprechung", team_id=nord_b.id, weekday=4,
                        local_time=time(7, 30), duration_minutes=30, audience={}))
    await session.commit()
    await tick(session, clock, policy)
    clock.set(berlin(2026, 11, 26, 6, 30))  # Thursday: 1 h before is in the quiet hours
    assert await tick(session, clock, policy) == []
    clock.set(berlin(2026, 11, 26, 7, 0))
    assert await tick(session, clock, policy) == [("meeting", ben.id)]
    await preferences.set_quiet_hours(session, ben, "off", clock.now(), policy.quiet_default)
    await session.commit()
    clock.set(berlin(2026, 12, 3, 6, 30))
    assert await tick(session, clock, policy) == [("meeting", ben.id)]


async def test_muted_users_get_no_automatic_reminders_but_their_own(session, clock, policy):
    pia = await member(session, clock, "Pia", Role.PROVIDER, team="nord-a")
    await preferences.set_muted(session, pia, True, clock.now(), policy.quiet_default)
    await remind(session, clock, pia, "30.11. 9:00 eigene Erinnerung")
    await tick(session, clock, policy)
    clock.set(berlin(2026, 11, 30, 9, 0))
    assert await tick(session, clock, policy) == [("personal", pia.id)]
    await preferences.set_muted(session, pia, False, clock.now(), policy.quiet_default)
    await session.commit()
    clock.set(berlin(2026, 12, 1, 8, 0))
    assert await tick(session, clock, policy) == [("meeting", pia.id)]


# --- hours, quotas, budget -----------------------------------------------------------------------


async def test_friday_hours_reminder_and_quota_flag(session, clock, policy):
    pia = await member(session, clock, "Pia", Role.PROVIDER, team="nord-a")
    pit = await member(session, clock, "Pit", Role.PROVIDER, team="nord-a")
    await member(session, clock, "Clara", Role.CASEWORKER, team="nord-a")  # does not log
    lea = await member(session, clock, "Lea", Role.LEAD, region="nord")
    await member(session, clock, "Leo", Role.LEAD, region="sued")
    beratung = await session.scalar(select(HourCategory).where(HourCategory.key == "beratung"))
    nord_a = await OrgRepository(session).team_by_key("nord-a")
    await log_hours(session, pit, HoursDraft(beratung.id, nord_a.id, 12 * 60,
                                             date(2026, 11, 24)),
                    today=date(2026, 11, 24), now=clock.now(), policy=policy.hours)
    await session.commit()
    await tick(session, clock, policy)
    clock.set(berlin(2026, 11, 27, 13, 0))
    sent = await tick(session, clock, policy)
    assert ("hours", pia.id) in sent and ("hours", pit.id) not in sent
    assert all(kind != "hours" or user in {pia.id} for kind, user in sent
               if user in {pia.id, pit.id})
    assert ("quota", lea.id) in sent  # every team of Nord is under half of FuA at least
    assert not [user for kind, user in sent if kind == "hours" and user == lea.id]
    gaps = await scheduler.far_from_quota(session, scheduler.Week.of(date(2026, 11, 27)), 50)
    nord_a_gaps = {g.category.key for g in gaps if g.team.key == "nord-a"}
    assert nord_a_gaps == {"fua"}  # 12 of 18 h consultation is more than half


async def test_raised_fua_requests_reach_the_deciders_after_quiet_hours(session, clock, policy):
    pia = await member(session, clock, "Pia", Role.PROVIDER, team="nord-a")
    lea = await member(session, clock, "Lea", Role.LEAD, region="nord")
    nord_a = await OrgRepository(session).team_by_key("nord-a")
    clock.set(berlin(2026, 11, 24, 21, 0))
    await budget_requests.create_request(
        session, user=pia, now=clock.now(), today=date(2026, 11, 24),
        draft=BudgetDraft(nord_a.id, 10_000, "Fest", "Material", date(2026, 12, 10)))
    await session.commit()
    clock.set(berlin(2026, 11, 27, 21, 0))  # 72 h later, in the evening
    assert await tick(session, clock, policy) == []
    clock.set(berlin(2026, 11, 28, 7, 0))
    assert await tick(session, clock, policy) == [("budget", lea.id)]
    assert await tick(session, clock, policy) == []
