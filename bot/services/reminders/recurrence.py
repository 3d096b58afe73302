"""Recurrences in local wall-clock time: a weekly 09:00 stays 09:00 across the DST switches.

Rules are iCalendar RRULEs (RFC 5545) expanded by ``dateutil.rrule`` over naive local times;
each local time becomes an instant only at the end (:func:`bot.clock.at_wall_clock`).
"""

from __future__ import annotations

from datetime import datetime, time, timedelta, tzinfo

from dateutil.rrule import rrulestr

from bot.clock import at_wall_clock

_BYDAY = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def weekly_rule(iso_weekday: int) -> str:
    """``FREQ=WEEKLY;BYDAY=TU`` for ISO weekday 2."""
    return f"FREQ=WEEKLY;BYDAY={_BYDAY[iso_weekday - 1]}"


def _local(instant: datetime, tz: tzinfo) -> datetime:
    return instant.astimezone(tz).replace(tzinfo=None)


def occurrences(
    rule: str, at: time, tz: tzinfo, start: datetime, end: datetime
) -> list[datetime]:
    """Instants (UTC) of ``rule`` at local time ``at`` with ``start <= instant < end``."""
    # A day of slack on both sides: the window is in instants, the rule in wall-clock time.
    first = _local(start, tz) - timedelta(days=1)
    last = _local(end, tz) + timedelta(days=1)
    expanded = rrulestr(rule, dtstart=datetime.combine(first.date(), at))
    found = []
    for local in expanded.between(first, last, inc=True):
        instant = at_wall_clock(local, tz)
        if start <= instant < end:
            found.append(instant)
    return found


def next_after(rule: str, at: time, tz: tzinfo, after: datetime) -> datetime:
    """The first instant (UTC) of ``rule`` at local time ``at`` strictly after ``after``."""
    first = _local(after, tz) - timedelta(days=1)
    expanded = rrulestr(rule, dtstart=datetime.combine(first.date(), at))
    for local in expanded.xafter(first, inc=True):
        instant = at_wall_clock(local, tz)
        if instant > after:
            return instant
    raise ValueError(f"rule {rule!r} has no occurrence after {after}")  # pragma: no cover


def wall_clock_before(instant: datetime, offset: timedelta, tz: tzinfo) -> datetime:
    """``offset`` before ``instant`` on the wall clock: the day before 09:00 is 09:00."""
    return at_wall_clock(_local(instant, tz) - offset, tz)
