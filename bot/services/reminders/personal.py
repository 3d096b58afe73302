"""Reminders people set for themselves: /remind, /reminders, snoozing."""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import at_wall_clock
from bot.errors import N_, InvalidInput, NotFound
from bot.parsing.when import Every, ParsedReminder
from bot.services.privacy import check_free_text
from bot.services.reminders.recurrence import next_after
from storage.models import Reminder, User
from storage.repositories.reminders import ReminderRepository

TEXT_MAX = 200
MAX_ACTIVE = 50
SNOOZES = {"15m": timedelta(minutes=15), "1h": timedelta(hours=1), "1d": timedelta(days=1)}
GONE = N_("This reminder does not exist any more.")


async def create(
    session: AsyncSession, user: User, parsed: ParsedReminder, *, now: datetime, tz: tzinfo
) -> Reminder:
    """Save a reminder; its text is short and checked for personal data."""
    if not parsed.text:
        raise InvalidInput(N_("What shall I remind you of? Write it after the time, e.g. "
                              "/remind morgen 9:00 Bericht schicken"))
    text = check_free_text(parsed.text, max_length=TEXT_MAX)
    if await ReminderRepository(session).count_active(user.id) >= MAX_ACTIVE:
        raise InvalidInput(N_("You have {limit} reminders already. Please delete some with "
                              "/reminders first."), limit=MAX_ACTIVE)
    when = parsed.when
    if isinstance(when, Every):
        reminder = Reminder(user_id=user.id, text=text, rule=when.rule, local_time=when.at,
                            next_at=next_after(when.rule, when.at, tz, now), created_at=now)
    else:
        reminder = Reminder(user_id=user.id, text=text, next_at=when.at, created_at=now)
    session.add(reminder)
    await session.flush()
    return reminder


async def active(session: AsyncSession, user: User) -> list[Reminder]:
    return await ReminderRepository(session).reminders_of(user.id)


async def own(session: AsyncSession, user: User, reminder_id: int | None) -> Reminder:
    reminder = await session.get(Reminder, reminder_id) if reminder_id is not None else None
    if reminder is None or reminder.user_id != user.id:
        raise NotFound(GONE)
    return reminder


async def delete(session: AsyncSession, user: User, reminder_id: int | None) -> Reminder:
    """Delete one of the user's pending reminders (its text goes with it)."""
    reminder = await own(session, user, reminder_id)
    if reminder.done:
        raise NotFound(GONE)
    await session.delete(reminder)
    await session.flush()
    return reminder


async def snooze(
    session: AsyncSession, user: User, reminder_id: int | None, choice: str | None, *,
    now: datetime, tz: tzinfo,
) -> Reminder:
    """Remind again later as a one-off; a recurring reminder keeps its own schedule."""
    reminder = await own(session, user, reminder_id)
    if reminder.fired_at is None or choice not in SNOOZES:
        raise NotFound(GONE)
    delay = SNOOZES[choice]
    if delay == timedelta(days=1):  # tomorrow at the same time on the wall clock
        local = now.astimezone(tz).replace(tzinfo=None)
        at = at_wall_clock(local + delay, tz)
    else:
        at = now + delay
    again = Reminder(user_id=user.id, text=reminder.text, next_at=at, created_at=now,
                     snoozed_from_id=reminder.id)
    session.add(again)
    await session.flush()
    return again


def advance(reminder: Reminder, *, now: datetime, tz: tzinfo) -> None:
    """After firing (or missing) the due time: a one-off is done, a recurrence moves on."""
    reminder.fired_at = now
    if reminder.rule is None or reminder.local_time is None:
        reminder.done = True
        return
    reminder.next_at = next_after(reminder.rule, reminder.local_time, tz,
                                  max(reminder.next_at, now))
