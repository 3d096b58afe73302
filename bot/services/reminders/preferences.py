"""Each user's choices for automatic reminders: muted or not, and their quiet hours."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time

from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import N_, InvalidInput
from bot.services.reminders.quiet import QuietHours
from storage.models import ReminderSettings, User

QUIET_EXAMPLE = N_("Please write the quiet hours like 20:00-07:00, or off, or default.")


@dataclass(frozen=True)
class Preferences:
    muted: bool
    quiet: QuietHours | None  # None: no quiet hours
    own_quiet: bool  # False: the office default applies


def preferences_of(row: ReminderSettings | None, default: QuietHours | None) -> Preferences:
    if row is None:
        return Preferences(False, default, False)
    if row.quiet_start is None or row.quiet_end is None:
        return Preferences(row.muted, default, False)
    quiet = QuietHours(row.quiet_start, row.quiet_end)
    return Preferences(row.muted, None if quiet.start == quiet.end else quiet, True)


async def _row(session: AsyncSession, user: User, now: datetime) -> ReminderSettings:
    row = await session.get(ReminderSettings, user.id)
    if row is None:
        row = ReminderSettings(user_id=user.id, muted=False, updated_at=now)
        session.add(row)
    return row


async def current(session: AsyncSession, user: User, default: QuietHours | None) -> Preferences:
    return preferences_of(await session.get(ReminderSettings, user.id), default)


async def set_muted(
    session: AsyncSession, user: User, muted: bool, now: datetime, default: QuietHours | None
) -> Preferences:
    row = await _row(session, user, now)
    row.muted = muted
    row.updated_at = now
    await session.flush()
    return preferences_of(row, default)


async def set_quiet_hours(
    session: AsyncSession, user: User, text: str, now: datetime, default: QuietHours | None
) -> Preferences:
    """``20:00-07:00`` (own hours), ``off`` (none) or ``default`` (the office's)."""
    start, end = parse_quiet_hours(text)
    row = await _row(session, user, now)
    row.quiet_start, row.quiet_end = start, end
    row.updated_at = now
    await session.flush()
    return preferences_of(row, default)


def parse_quiet_hours(text: str) -> tuple[time | None, time | None]:
    """(start, end); equal times mean none, (None, None) the office default."""
    cleaned = text.strip().lower().replace("–", "-").replace(" ", "").replace("uhr", "")
    if cleaned in ("off", "aus", "keine", "none"):
        return time(0), time(0)
    if cleaned in ("default", "standard"):
        return None, None
    start, sep, end = cleaned.partition("-")
    if not sep:
        raise InvalidInput(QUIET_EXAMPLE)
    return _clock(start), _clock(end)


def _clock(text: str) -> time:
    hour, _, minute = text.replace(".", ":").partition(":")
    if not hour.isdigit() or (minute and not minute.isdigit()) or len(hour) > 2:
        raise InvalidInput(QUIET_EXAMPLE)
    h, m = int(hour), int(minute or 0)
    if h > 23 or m > 59:
        raise InvalidInput(QUIET_EXAMPLE)
    return time(h, m)
