"""What is due at an instant, read from the database; and the ledger that sends it only once.

The database is the source of truth: personal reminders carry their next due time; meeting
reminders, the weekly hours reminder, quota flags and raised FuA requests follow from rules
and records. :func:`due` reads all of them for ``now`` without writing anything. The caller
then, per item: claims it in the ledger (:func:`claim`, committed), reads and renders what it
will send, marks it ``sending`` (:func:`sending`, committed) right before the first Bot API
call, and records the outcome. Two instances, a redelivered tick or a restart never send
twice. A process that dies between claim and ``sending`` sent nothing: the next run takes the
row up again (:func:`due` offers it once more with ``retake``) and sends it. One that dies
after ``sending`` may have reached Telegram: the row ends ``unknown`` and is never sent again
(at most once wins over a duplicate).

After downtime an item found within the grace period is still sent; a later one is recorded
as ``missed``. Automatic reminders wait for the end of the recipient's quiet hours and are
not sent to muted users; personal reminders ignore both (the user asked for that time), and
FuA requests awaiting a decision ignore muting (they are work, not a nudge).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.budget import deciders
from bot.services.digest import schedule as digest_schedule
from bot.services.hours import Week, users_without_hours
from bot.services.reminders import personal
from bot.services.reminders.meetings import occurrences_of, participants
from bot.services.reminders.policy import (
    KEEP_DELIVERIES,
    MAX_CATCH_UP,
    ReminderPolicy,
)
from bot.services.reminders.preferences import preferences_of
from bot.services.reminders.recurrence import occurrences, wall_clock_before, weekly_rule
from storage.models import HourCategory, Reminder, Team, User
from storage.repositories.reminders import DeliveryKey, ReminderRepository
from storage.repositories.users import OrgRepository, UserRepository

RUN_NAME = "reminders"

PERSONAL = "personal"
MEETING = "meeting"
HOURS = "hours"
QUOTA = "quota"
BUDGET = "budget"
DIGEST = "digest"
_MUTABLE = frozenset({MEETING, HOURS, QUOTA})
_HELD_IN_QUIET_HOURS = frozenset({MEETING, HOURS, QUOTA, BUDGET})


@dataclass(frozen=True)
class Due:
    """One message to one person. ``due_at`` is the rule's instant and part of the key;
    ``send_at`` is when it may go out (after quiet hours)."""

    kind: str
    subject_id: int
    due_at: datetime
    user_id: int
    send_at: datetime
    missed: bool
    occurrence: datetime | None = None  # the meeting's start, for meeting reminders
    retake: bool = False  # claimed by an earlier run that died before sending it

    @property
    def key(self) -> DeliveryKey:
        return (self.kind, self.subject_id, self.due_at, self.user_id)


@dataclass(frozen=True)
class _Candidate:
    kind: str
    subject_id: int
    due_at: datetime
    recipients: list[User]
    occurrence: datetime | None = None


async def window_start(session: AsyncSession, now: datetime, policy: ReminderPolicy) -> datetime:
    """The earliest due instant that may still need attention: from the last run, minus
    what quiet hours and the grace period can hold back; never more than a week."""
    last = await ReminderRepository(session).last_run(RUN_NAME)
    start = (last if last is not None and last <= now else now) - policy.lookback
    return max(start, now - MAX_CATCH_UP)


async def due(session: AsyncSession, now: datetime, policy: ReminderPolicy) -> list[Due]:
    """Everything to send or to record as missed at ``now``, not yet in the ledger."""
    repo = ReminderRepository(session)
    since = await window_start(session, now, policy)
    items = [
        Due(PERSONAL, r.id, r.next_at, r.user_id, r.next_at,
            missed=now - r.next_at > policy.grace)
        for r in await repo.due_reminders(now)
    ]
    candidates = [
        *await _meeting_candidates(session, since, now, policy),
        *await _hours_candidates(session, since, now, policy),
        *await _budget_candidates(session, since, now, policy),
    ]
    settings = await repo.settings_for(u.id for c in candidates for u in c.recipients)
    for candidate in candidates:
        for user in candidate.recipients:
            prefs = preferences_of(settings.get(user.id), policy.quiet_default)
            if prefs.muted and candidate.kind in _MUTABLE:
                continue
            send_at = candidate.due_at
            if prefs.quiet is not None and candidate.kind in _HELD_IN_QUIET_HOURS:
                send_at = prefs.quiet.release(candidate.due_at, policy.tz)
            if send_at > now:
                continue  # waits for the morning
            too_late = candidate.occurrence is not None and send_at >= candidate.occurrence
            items.append(Due(candidate.kind, candidate.subject_id, candidate.due_at, user.id,
                             send_at, missed=too_late or now - send_at > policy.grace,
                             occurrence=candidate.occurrence))
    items += await _digests(session, since, now, policy)
    ledger = await repo.ledger_since(since)
    found: list[Due] = []
    for item in items:
        entry = ledger.pop(item.key, None)
        if entry is None:
            found.append(item)
        elif _abandoned(entry, now):
            found.append(replace(item, retake=True))
    # A personal reminder moved on to its next time with its claim, so the rules above no
    # longer find one whose run died before sending it: the ledger row says what it was.
    found += [Due(PERSONAL, subject, due_at, user_id, due_at,
                  missed=now - due_at > policy.grace, retake=True)
              for (kind, subject, due_at, user_id), entry in ledger.items()
              if kind == PERSONAL and _abandoned(entry, now)]
    return found


def _abandoned(entry: tuple[str, datetime], now: datetime) -> bool:
    """A row still ``claimed`` (never reached ``sending``) by an earlier run.

    Why "claimed before this run's ``now``" is a safe lease: the scheduler runs only on the
    leader, and ``now`` is read after the leader lock was confirmed, so a run that claimed
    earlier has died or been superseded. Should it still be alive (a leader that lost its lock
    mid-run, the takeover run overlapping the repeating job), it cannot send the row either:
    :func:`claim` (retaking) moves ``claimed_at`` to this run's ``now``, and :func:`sending`
    marks a row only while ``claimed_at`` is still the marking run's own ``now`` — a
    compare-and-set, so exactly one of the two sends.
    """
    status, claimed_at = entry
    return status == "claimed" and claimed_at < now


async def _digests(
    session: AsyncSession, since: datetime, now: datetime, policy: ReminderPolicy
) -> list[Due]:
    """Digests on each recipient's own schedule: neither muted nor held by quiet hours (the
    recipient chose the time). Of several due for one recipient only the newest is sent."""
    default = digest_schedule.office_default(policy.digest_default)
    return [
        Due(DIGEST, digest_schedule.period_id(found.due_at, policy.tz), found.due_at,
            found.user_id, found.due_at, missed=found.superseded)
        for found in await digest_schedule.due_digests(session, since, now, tz=policy.tz,
                                                       default=default)
    ]


async def _meeting_candidates(
    session: AsyncSession, since: datetime, now: datetime, policy: ReminderPolicy
) -> list[_Candidate]:
    found: list[_Candidate] = []
    slack = timedelta(hours=3)  # wall-clock offsets and instants differ by a DST hour
    for meeting in await ReminderRepository(session).scheduled_meetings():
        recipients: list[User] | None = None
        for offset in policy.meeting_offsets:
            for start in occurrences_of(meeting, policy.tz, since + offset - slack,
                                        now + offset + slack):
                due_at = wall_clock_before(start, offset, policy.tz)
                if not since <= due_at <= now:
                    continue
                if recipients is None:
                    recipients = await participants(session, meeting)
                found.append(_Candidate(MEETING, meeting.id, due_at, recipients, start))
    return found


async def _hours_candidates(
    session: AsyncSession, since: datetime, now: datetime, policy: ReminderPolicy
) -> list[_Candidate]:
    if policy.hours_reminder is None:
        return []
    weekday, at = policy.hours_reminder
    rule = weekly_rule(weekday + 1)
    found: list[_Candidate] = []
    for due_at in occurrences(rule, at, policy.tz, since, now + timedelta(seconds=1)):
        week = Week.of(due_at.astimezone(policy.tz).date())
        found += await _without_hours(session, due_at, week, policy)
        found += await _quota_flags(session, due_at, week, policy)
    return found


async def _without_hours(
    session: AsyncSession, due_at: datetime, week: Week, policy: ReminderPolicy
) -> list[_Candidate]:
    teams = [team.id for team in await OrgRepository(session).active_teams()]
    people = {user.id: user for user, _ in await users_without_hours(session, teams, week,
                                                                     policy.hours)}
    if not people:
        return []
    return [_Candidate(HOURS, _week_number(week), due_at, list(people.values()))]


async def _quota_flags(
    session: AsyncSession, due_at: datetime, week: Week, policy: ReminderPolicy
) -> list[_Candidate]:
    flagged = await far_from_quota(session, week, policy.quota_flag_percent)
    regions = sorted({gap.team.region_id for gap in flagged})
    leads = await ReminderRepository(session).leads_of(regions)
    return [_Candidate(QUOTA, region_id, due_at, leads[region_id])
            for region_id in regions if region_id in leads]


@dataclass(frozen=True)
class QuotaGap:
    team: Team
    category: HourCategory
    minutes: int
    quota: int


async def far_from_quota(session: AsyncSession, week: Week, percent: int) -> list[QuotaGap]:
    """Each weekly quota a team has reached less than ``percent`` % of (in one query each)."""
    if percent <= 0:
        return []
    repo = ReminderRepository(session)
    totals = await repo.team_totals(week.start, week.end)
    gaps: list[QuotaGap] = []
    for quota in await repo.quotas():
        minutes = totals.get((quota.team_id, quota.category_id), 0)
        limit = quota.weekly_minutes or 0
        if limit and minutes * 100 < limit * percent:
            gaps.append(QuotaGap(quota.team, quota.category, minutes, limit))
    return gaps


async def _budget_candidates(
    session: AsyncSession, since: datetime, now: datetime, policy: ReminderPolicy
) -> list[_Candidate]:
    found: list[_Candidate] = []
    today = now.astimezone(policy.tz).date()
    for request, region_id in await ReminderRepository(session).raised_requests(since):
        if request.raised_at > now:
            continue
        people = [u for u in await deciders.deciders(session, region_id, today)
                  if u.id != request.requester_id]
        if people:
            found.append(_Candidate(BUDGET, request.id, request.raised_at, people))
    return found


def _week_number(week: Week) -> int:
    year, number = week.iso
    return year * 100 + number


def week_of_subject(subject_id: int) -> Week:
    """The week an hours reminder is about, from its subject id (``202648``)."""
    return Week(date.fromisocalendar(subject_id // 100, subject_id % 100, 1))


async def recipient(session: AsyncSession, item: Due) -> User | None:
    """The person ``item`` goes to, as they are now (None once deleted)."""
    return await UserRepository(session).by_id(item.user_id)


async def reminder_of(session: AsyncSession, item: Due) -> Reminder | None:
    """The personal reminder ``item`` fires (None once deleted)."""
    return await session.get(Reminder, item.subject_id)


# --- the ledger --------------------------------------------------------------------------------


Claim = Literal["send", "missed", "taken"]


async def claim(
    session: AsyncSession, item: Due, *, now: datetime, policy: ReminderPolicy
) -> Claim:
    """Enter ``item`` in the ledger: ``send`` it now, or it is recorded as ``missed``, or it
    was ``taken`` already (another run, another instance, a deleted reminder).

    A personal reminder moves on to its next time in the same transaction (a retaken one
    moved on with its first claim). The claim's ``claimed_at`` is ``now``: :func:`sending`
    checks it is still this run's.
    """
    repo = ReminderRepository(session)
    status = "missed" if item.missed else "claimed"
    if item.retake:
        if not await repo.retake(item.key, status, now):
            return "taken"
        return "missed" if item.missed else "send"
    reminder: Reminder | None = None
    if item.kind == PERSONAL:
        reminder = await reminder_of(session, item)
        if reminder is None or reminder.done or reminder.next_at != item.due_at:
            return "taken"
    if not await repo.claim(item.key, status, now):
        return "taken"
    if reminder is not None:
        personal.advance(reminder, now=now, tz=policy.tz)
    await session.flush()
    return "missed" if item.missed else "send"


async def sending(session: AsyncSession, item: Due, now: datetime) -> bool:
    """Mark the item ``sending``; commit before the first Bot API call. False if a later run
    took the claim over meanwhile: then this run must not send it."""
    return await ReminderRepository(session).mark_sending(item.key, claimed_at=now)


async def sent(session: AsyncSession, item: Due, now: datetime) -> None:
    await ReminderRepository(session).set_status(item.key, "sent", now)


async def partly_sent(session: AsyncSession, item: Due, now: datetime) -> None:
    """The first parts of a message in several parts went out, a later one did not: the item
    is done (``partial``) and never sent again, which would repeat the parts that arrived."""
    await ReminderRepository(session).set_status(item.key, "partial", now)


async def failed(session: AsyncSession, item: Due, now: datetime, *, maybe_sent: bool) -> None:
    """Telegram refused it (``failed``), or it timed out and may have arrived (``unknown``)."""
    await ReminderRepository(session).set_status(item.key, "unknown" if maybe_sent else "failed",
                                                 now)


async def release(session: AsyncSession, item: Due) -> None:
    """Nothing of it went out (no connection): forget the claim so a later run retries."""
    await ReminderRepository(session).release(item.key)
    if item.kind == PERSONAL:
        reminder = await reminder_of(session, item)
        if reminder is not None:
            reminder.next_at = item.due_at
            reminder.done = False


async def finish_run(session: AsyncSession, now: datetime) -> None:
    """Remember this run, settle what earlier runs left ``sending``, and forget what no
    window will look at again."""
    repo = ReminderRepository(session)
    await repo.mark_run(RUN_NAME, now)
    await repo.abandon_sending(claimed_before=now)
    # Fired reminders expire with the retention run (bot/services/reminders/personal_data.py).
    await repo.purge_deliveries(before=now - KEEP_DELIVERIES)
