"""Who receives digests, on which schedule, and which digests are due at an instant.

Recipients are the active regional leads (their region), administrators and members of the
steering group (Steuerungsgruppe, a flag an administrator sets in /users; every region).
Each chooses: weekly on a weekday at a time, daily (Monday to Friday: leads read digests on
working days) at a time, or off; without a choice the office default applies
(``DIGEST_DEFAULT``, Monday 08:00). Times are the office's wall-clock times, so 08:00 stays
08:00 across the clock changes.

:func:`due_digests` lists the instants due in a window; the scheduler claims one ledger row per
recipient and instant before sending, so a digest goes out once. Of several instants due for
one recipient (after downtime) only the newest is sent: the digest always shows the current
figures, and older ones would repeat them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta, tzinfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import N_, InvalidInput, NotAllowed
from bot.parsing.when import Every, parse_when
from bot.services.reminders.recurrence import occurrences, weekly_rule
from storage.models import DigestSettings, Role, User
from storage.repositories.digest import digest_recipients

WEEKLY, DAILY, OFF = "weekly", "daily", "off"
FREQUENCIES = (WEEKLY, DAILY, OFF)
WORKDAYS_RULE = "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"
_OFF_WORDS = frozenset({"off", "aus", "nie", "never", "keine", "none"})
_DEFAULT_WORDS = frozenset({"default", "standard"})
SCHEDULE_EXAMPLES = N_(
    "Please choose with the buttons, or write e.g. <code>/digest jeden Montag 8:00</code>, "
    "<code>/digest täglich 7:30</code> (Monday to Friday), <code>/digest aus</code> or "
    "<code>/digest now</code>."
)


@dataclass(frozen=True)
class Schedule:
    frequency: str  # WEEKLY, DAILY or OFF
    weekday: int = 0  # 0 = Monday; weekly only
    at: time = time(8, 0)

    def __post_init__(self) -> None:
        if self.frequency not in FREQUENCIES or not 0 <= self.weekday <= 6:
            raise InvalidInput(SCHEDULE_EXAMPLES)

    @property
    def rule(self) -> str | None:
        """The schedule as an iCalendar RRULE; None when off."""
        if self.frequency == WEEKLY:
            return weekly_rule(self.weekday + 1)
        return WORKDAYS_RULE if self.frequency == DAILY else None

    def instants(self, tz: tzinfo, start: datetime, end: datetime) -> list[datetime]:
        """The digest instants in ``[start, end)``."""
        rule = self.rule
        return [] if rule is None else occurrences(rule, self.at, tz, start, end)


def office_default(setting: tuple[int, time] | None) -> Schedule:
    """``DIGEST_DEFAULT`` as a schedule: weekly on its weekday and time, or off."""
    return Schedule(OFF) if setting is None else Schedule(WEEKLY, setting[0], setting[1])


@dataclass(frozen=True)
class Choice:
    schedule: Schedule
    own: bool  # False: the office default applies


def choice_of(row: DigestSettings | None, default: Schedule) -> Choice:
    if row is None or row.frequency is None:
        return Choice(default, False)
    return Choice(Schedule(row.frequency, row.weekday or 0, row.local_time or time(8)), True)


def sees_every_region(user: User) -> bool:
    return role_sees_every_region(Role(user.role), user.steering_group)


def role_sees_every_region(role: Role, steering_group: bool) -> bool:
    """Administrators and the steering group read the digest of every region."""
    return role == Role.ADMIN or steering_group


def receives_digests(user: User) -> bool:
    return user.active and (
        sees_every_region(user) or (user.role == Role.LEAD and user.region_id is not None)
    )


def require_recipient(user: User) -> None:
    if not receives_digests(user):
        raise NotAllowed(N_("Digests and reports are for regional leads, the steering group "
                            "and administrators."))


async def current(session: AsyncSession, user: User, default: Schedule) -> Choice:
    require_recipient(user)
    return choice_of(await session.get(DigestSettings, user.id), default)


async def _row(session: AsyncSession, user_id: int) -> DigestSettings:
    row = await session.get(DigestSettings, user_id)
    if row is None:
        row = DigestSettings(user_id=user_id)
        session.add(row)
    return row


async def choose(
    session: AsyncSession, user: User, schedule: Schedule | None, *, now: datetime,
    default: Schedule,
) -> Choice:
    """Save the user's schedule (None: back to the office default). Instants before ``now``
    are not caught up on, so a change never sends a digest at once."""
    require_recipient(user)
    row = await _row(session, user.id)
    row.frequency = schedule.frequency if schedule else None
    row.weekday = schedule.weekday if schedule else None
    row.local_time = schedule.at if schedule else None
    row.changed_at = now
    await session.flush()
    return choice_of(row, default)


async def record_sent(session: AsyncSession, user_id: int, now: datetime) -> datetime | None:
    """Remember that a digest went out; returns when the one before went out (or None)."""
    row = await _row(session, user_id)
    previous = row.last_sent_at
    row.last_sent_at = now
    await session.flush()
    return previous


async def last_sent(session: AsyncSession, user_id: int) -> datetime | None:
    row = await session.get(DigestSettings, user_id)
    return row.last_sent_at if row is not None else None


def parse_schedule(text: str, now_local: datetime) -> Schedule | None:
    """``jeden Montag 8:00`` / ``every Friday 14:00`` (weekly), ``täglich 7:30`` /
    ``werktags 7:30`` / ``daily 7:30`` (Monday to Friday), ``aus`` / ``off``, or ``default``
    (None: the office's)."""
    word = text.strip().lower()
    if word in _OFF_WORDS:
        return Schedule(OFF)
    if word in _DEFAULT_WORDS:
        return None
    try:
        parsed = parse_when(text, now_local)
    except InvalidInput:
        raise InvalidInput(SCHEDULE_EXAMPLES) from None
    when = parsed.when
    if not isinstance(when, Every) or parsed.text:
        raise InvalidInput(SCHEDULE_EXAMPLES)
    if len(when.weekdays) == 1:
        return Schedule(WEEKLY, when.weekdays[0], when.at)
    if set(when.weekdays) >= set(range(5)):
        return Schedule(DAILY, 0, when.at)
    raise InvalidInput(SCHEDULE_EXAMPLES)


@dataclass(frozen=True)
class DueDigest:
    user_id: int
    due_at: datetime
    superseded: bool  # a newer digest of the same recipient is due as well


async def due_digests(
    session: AsyncSession, since: datetime, now: datetime, *, tz: tzinfo, default: Schedule
) -> list[DueDigest]:
    """Digest instants in ``[since, now]`` of every recipient, from their schedule; never
    before they registered or last changed their schedule."""
    found: list[DueDigest] = []
    for user, row in await digest_recipients(session):
        if not receives_digests(user):
            continue
        start = max(since, user.created_at, *([row.changed_at] if row and row.changed_at
                                              else []))
        instants = choice_of(row, default).schedule.instants(
            tz, start, now + timedelta(microseconds=1))
        found += [DueDigest(user.id, at, index < len(instants) - 1)
                  for index, at in enumerate(instants)]
    return found


def period_id(due_at: datetime, tz: tzinfo) -> int:
    """The ledger's subject of a digest: its local day, ``20261123``."""
    day = due_at.astimezone(tz).date()
    return day.year * 10_000 + day.month * 100 + day.day
