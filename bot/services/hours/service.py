"""The rules for logging hours: who may log, how much, for which day, and week progress."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import N_, Conflict, InvalidInput, NotAllowed, NotFound
from bot.parsing.hours import check_amount, parse_duration
from bot.services import audit
from bot.services.access import can_see_team, leads_region
from bot.services.hours.policy import HoursPolicy
from bot.services.hours.weeks import Week
from bot.services.privacy import check_free_text
from storage.models import HourCategory, HourEntry, Role, Team, User, WeekReopening
from storage.repositories.hours import HoursRepository


class WeekLocked(Conflict):
    """The week is closed: named as the calendar week with its days, not by one of them."""

    def __init__(self, week: Week) -> None:
        super().__init__(
            N_("Week {number} ({days}) is closed. Please ask your regional lead to reopen it."),
            number=week.iso[1], days=f"{week.start.isoformat()} – {week.end.isoformat()}",
        )
        self.week = week

    def render(self, gettext: Any) -> str:
        date_range = getattr(gettext, "date_range", None)
        days = date_range(self.week.start, self.week.end) if date_range else self.params["days"]
        return str(gettext(self.message)).format(number=self.params["number"], days=days)


@dataclass
class Draft:
    """What the user has chosen so far; every rule is checked again on save."""

    category_id: int | None = None
    team_id: int | None = None
    minutes: int | None = None
    day: date | None = None
    note: str | None = None


@dataclass(frozen=True)
class CategoryProgress:
    category: HourCategory
    minutes: int
    quota: int | None

    @property
    def reached(self) -> bool:
        return self.quota is not None and self.minutes >= self.quota

    @property
    def exceeded(self) -> bool:
        return self.quota is not None and self.minutes > self.quota


@dataclass(frozen=True)
class PersonProgress:
    name: str | None  # None: a member whose personal data was erased
    minutes_by_category: dict[int, int]


@dataclass(frozen=True)
class WeekProgress:
    team: Team
    week: Week
    categories: list[CategoryProgress]
    locked: bool
    people: list[PersonProgress] = field(default_factory=list)


def _require_logging_role(user: User, policy: HoursPolicy) -> None:
    if str(user.role) not in policy.roles:
        raise NotAllowed(
            N_("Hours are logged by the team members whose role the office chose (usually "
               "provider staff and networkers); your role does not log hours.")
        )


async def loggable_teams(user: User, policy: HoursPolicy) -> list[Team]:
    """The teams the user may log hours for (their memberships)."""
    _require_logging_role(user, policy)
    teams = sorted((m.team for m in user.memberships if m.team.active), key=lambda t: t.key)
    if not teams:
        raise NotAllowed(N_("You are not a member of any team, so you cannot log hours."))
    return teams


async def loggable_categories(session: AsyncSession) -> list[HourCategory]:
    return await HoursRepository(session).categories()


async def category(session: AsyncSession, category_id: int | None) -> HourCategory:
    for candidate in await loggable_categories(session):
        if candidate.id == category_id:
            return candidate
    raise NotFound(N_("This category is not available any more. Please start again."))


async def is_locked(
    session: AsyncSession, team_id: int, week: Week, today: date, policy: HoursPolicy
) -> bool:
    if today < week.locks_on(policy.lock_after_days):
        return False
    reopened_until = await HoursRepository(session).reopened_until(team_id, week.start)
    return reopened_until is None or today > reopened_until


async def validate_draft(
    session: AsyncSession, user: User, draft: Draft, today: date, policy: HoursPolicy,
    *, replacing: int | None = None,
) -> HourCategory:
    """Check every rule for ``draft``; return its category. Raises a DomainError."""
    _require_logging_role(user, policy)
    if draft.team_id is None or draft.team_id not in {m.team_id for m in user.memberships}:
        raise NotAllowed(N_("You can only log hours for your own team."))
    chosen = await category(session, draft.category_id)
    if draft.minutes is not None:
        check_minutes(draft.minutes, policy)
    if draft.day is not None:
        if draft.day > today:
            raise InvalidInput(N_("You cannot log hours for a day in the future."))
        if await is_locked(session, draft.team_id, Week.of(draft.day), today, policy):
            raise WeekLocked(Week.of(draft.day))
        if draft.minutes is not None:
            logged = await HoursRepository(session).day_total(user.id, draft.day, replacing)
            if logged + draft.minutes > policy.max_day_minutes:
                raise InvalidInput(
                    N_("That would be more than 24 hours on one day: {logged} min are already "
                       "logged for that day."),
                    logged=logged,
                )
    if draft.note:
        draft.note = check_free_text(draft.note, max_length=policy.note_max_length)
    return chosen


def check_minutes(minutes: int, policy: HoursPolicy) -> None:
    check_amount(minutes, step=policy.step_minutes, maximum=policy.max_entry_minutes)


def typed_minutes(text: str, policy: HoursPolicy) -> int:
    """The time a user typed, in the office's steps (a hint names the nearest ones)."""
    return parse_duration(text, step=policy.step_minutes, maximum=policy.max_entry_minutes)


async def log_hours(
    session: AsyncSession, user: User, draft: Draft, *, today: date, now: datetime,
    policy: HoursPolicy,
) -> HourEntry:
    """Save a complete draft as one entry."""
    if draft.minutes is None or draft.day is None:
        raise InvalidInput(N_("Please enter the time and the day first."))
    chosen = await validate_draft(session, user, draft, today, policy)
    assert draft.team_id is not None
    entry = HourEntry(
        user_id=user.id, team_id=draft.team_id, category_id=chosen.id,
        work_date=draft.day, minutes=draft.minutes, note=draft.note or None, created_at=now,
    )
    session.add(entry)
    await session.flush()
    return entry


async def own_open_entry(
    session: AsyncSession, user: User, entry_id: int, today: date, policy: HoursPolicy
) -> HourEntry:
    entry = await HoursRepository(session).entry(entry_id)
    if entry is None or entry.user_id != user.id:
        raise NotFound(N_("This entry does not exist any more."))
    if await is_locked(session, entry.team_id, Week.of(entry.work_date), today, policy):
        raise WeekLocked(Week.of(entry.work_date))
    return entry


async def update_entry_minutes(
    session: AsyncSession, user: User, entry_id: int, minutes: int, *, today: date,
    now: datetime, policy: HoursPolicy,
) -> HourEntry:
    entry = await own_open_entry(session, user, entry_id, today, policy)
    draft = Draft(category_id=entry.category_id, team_id=entry.team_id, minutes=minutes,
                  day=entry.work_date)
    await validate_draft(session, user, draft, today, policy, replacing=entry.id)
    audit.record(session, at=now, actor_id=user.id, action="hours.changed",
                 subject_type="hour_entry", subject_id=entry.id,
                 before=entry.minutes, after=minutes)
    entry.minutes = minutes
    entry.updated_at = now
    await session.flush()
    return entry


async def delete_entry(
    session: AsyncSession, user: User, entry_id: int, *, today: date, now: datetime,
    policy: HoursPolicy,
) -> HourEntry:
    entry = await own_open_entry(session, user, entry_id, today, policy)
    audit.record(session, at=now, actor_id=user.id, action="hours.deleted",
                 subject_type="hour_entry", subject_id=entry.id, minutes=entry.minutes,
                 day=entry.work_date.isoformat(), team=entry.team_id)
    await session.delete(entry)
    await session.flush()
    return entry


async def week_progress(
    session: AsyncSession, viewer: User, team: Team, week: Week, *, today: date,
    policy: HoursPolicy,
) -> WeekProgress:
    """The team's week against its quotas; leads and admins also see it per person."""
    if not can_see_team(viewer, team.id, team.region_id):
        raise NotAllowed(N_("You can only see the weeks of your own teams."))
    repo = HoursRepository(session)
    totals = await repo.team_totals(team.id, week.start, week.end)
    quotas = await repo.quotas(team.id)
    categories = [
        CategoryProgress(category, totals.get(category.id, 0), quotas.get(category.id))
        for category in await repo.categories()
    ]
    people: list[PersonProgress] = []
    if viewer.role in (Role.LEAD, Role.ADMIN):
        by_person: dict[int | None, PersonProgress] = {}
        for user_id, name, category_id, minutes in await repo.person_totals(
            team.id, week.start, week.end
        ):
            person = by_person.setdefault(user_id, PersonProgress(name, {}))
            person.minutes_by_category[category_id] = minutes
        people = list(by_person.values())
    locked = await is_locked(session, team.id, week, today, policy)
    return WeekProgress(team, week, categories, locked, people)


async def my_entries(session: AsyncSession, user: User, start: date, end: date) -> list[HourEntry]:
    return await HoursRepository(session).entries_of_user(user.id, start, end)


async def open_entry_ids(
    session: AsyncSession, entries: list[HourEntry], today: date, policy: HoursPolicy
) -> set[int]:
    """The entries whose week is still open (or reopened): only these can be changed."""
    open_weeks: dict[tuple[int, Week], bool] = {}
    for entry in entries:
        key = (entry.team_id, Week.of(entry.work_date))
        if key not in open_weeks:
            open_weeks[key] = not await is_locked(session, *key, today, policy)
    return {e.id for e in entries if open_weeks[(e.team_id, Week.of(e.work_date))]}

async def reopen_week(
    session: AsyncSession, lead: User, team: Team, week: Week, *, today: date, now: datetime,
    policy: HoursPolicy,
) -> WeekReopening:
    """A lead of the team's region (or an admin) reopens a locked week for a while."""
    if not leads_region(lead, team.region_id):
        raise NotAllowed(N_("Only the regional lead can reopen a week."))
    if not await is_locked(session, team.id, week, today, policy):
        raise Conflict(N_("This week is open already."))
    reopening = WeekReopening(
        team_id=team.id, week_start=week.start,
        open_until=today + timedelta(days=policy.reopen_days - 1),
        reopened_by_user_id=lead.id, reopened_at=now,
    )
    session.add(reopening)
    audit.record(session, at=now, actor_id=lead.id, action="hours.week_reopened",
                 subject_type="team", subject_id=team.id, week=week.start.isoformat(),
                 open_until=reopening.open_until.isoformat())
    await session.flush()
    return reopening


async def users_without_hours(
    session: AsyncSession, team_ids: list[int], week: Week, policy: HoursPolicy
) -> list[tuple[User, int]]:
    """Members who may log hours but logged nothing for their team in ``week``."""
    return await HoursRepository(session).members_without_hours(
        team_ids, week.start, week.end, list(policy.roles)
    )
