"""The digest's figures for one scope (a lead's region, or every region for administrators
and the steering group).

:func:`compute` issues a fixed number of SQL statements whatever the number of teams, people
and entries: every figure is aggregated over the whole scope in SQL (``GROUP BY``), then
arranged in Python. Hours are summed per team, category and day for the five weeks the
digest covers (the last complete ISO week and the four before it, for the trend), and put
into weeks here; entries carry their local calendar day, so weeks turn at local midnight
also in the weeks the clocks change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.digest.schedule import require_recipient, sees_every_region
from bot.services.hours import HoursPolicy, Week
from bot.services.reminders.meetings import (
    Audience,
    Person,
    chosen_people_only,
    occurrences_of,
)
from storage.models import HourCategory, Meeting, Region, Team, User
from storage.repositories.budget import BudgetRepository, BudgetSums
from storage.repositories.digest import (
    DigestRepository,
    NewMemberRow,
    QuestionRow,
    RequestRow,
)
from storage.repositories.hours import HoursRepository
from storage.repositories.reminders import ReminderRepository

TREND_WEEKS = 4
MEETING_DAYS = 7
# A week within this share of the earlier average counts as steady (→), not up or down.
STEADY_SHARE = 0.1


@dataclass(frozen=True)
class Scope:
    region_ids: frozenset[int] | None  # None: every region

    def includes(self, region_id: int | None) -> bool:
        return self.region_ids is None or region_id in self.region_ids


def scope_of(user: User) -> Scope:
    """A lead's region; every region for administrators and the steering group."""
    require_recipient(user)
    if sees_every_region(user):
        return Scope(None)
    assert user.region_id is not None
    return Scope(frozenset({user.region_id}))


@dataclass(frozen=True)
class QuotaLine:
    category: HourCategory
    minutes: int  # in the digest's week
    quota: int | None  # weekly minutes; None: no quota
    earlier: tuple[int, ...]  # minutes in each of the weeks before, oldest first

    @property
    def average(self) -> float:
        return sum(self.earlier) / len(self.earlier) if self.earlier else 0.0

    @property
    def percent(self) -> int | None:
        return round(100 * self.minutes / self.quota) if self.quota else None

    @property
    def trend(self) -> int:
        """1 above the earlier weeks' average, -1 below, 0 about the same."""
        tolerance = STEADY_SHARE * max(self.average, 60)
        difference = self.minutes - self.average
        return 0 if abs(difference) <= tolerance else (1 if difference > 0 else -1)


@dataclass(frozen=True)
class TeamHours:
    team: Team
    lines: tuple[QuotaLine, ...]

    @property
    def quotas_reached(self) -> tuple[int, int]:
        """(reached, with a quota)."""
        with_quota = [line for line in self.lines if line.quota]
        return sum(1 for line in with_quota if line.minutes >= (line.quota or 0)), len(with_quota)


@dataclass(frozen=True)
class SilentPerson:
    name: str
    team: Team


@dataclass(frozen=True)
class RegionPart:
    region: Region
    teams: list[TeamHours]
    silent: list[SilentPerson]
    budget: BudgetSums | None  # None: no budget set for the year
    requests: list[RequestRow]  # pending, oldest first


@dataclass(frozen=True)
class MeetingOutlook:
    meeting: Meeting
    starts_at: datetime
    coming: int
    not_coming: int
    open: int


@dataclass(frozen=True)
class Digest:
    scope: Scope
    week: Week  # the last complete week
    earlier: tuple[Week, ...]
    year: int  # of the budget figures
    regions: list[RegionPart]
    meetings: list[MeetingOutlook]  # the next MEETING_DAYS days
    questions: list[QuestionRow]  # passed on to the leads, unanswered
    new_members: list[NewMemberRow]
    members_since: datetime
    now: datetime

    @property
    def teams(self) -> list[TeamHours]:
        return [team for part in self.regions for team in part.teams]


async def compute(
    session: AsyncSession, scope: Scope, *, as_of: datetime, now: datetime, tz: tzinfo,
    hours: HoursPolicy, members_since: datetime,
) -> Digest:
    """The digest as of ``as_of`` (its week is the one before ``as_of``'s), with the state
    of budgets, meetings and questions at ``now``."""
    week = Week.of(as_of.astimezone(tz).date()).shifted(-1)
    earlier = tuple(week.shifted(-n) for n in range(TREND_WEEKS, 0, -1))
    repo = DigestRepository(session, scope.region_ids)
    regions = await repo.regions()
    teams = await repo.teams()
    categories = await HoursRepository(session).categories()
    quotas = await repo.quotas()
    totals = await repo.week_totals(earlier[0].start, week.end)
    silent = await HoursRepository(session).members_without_hours(
        [team.id for team in teams], week.start, week.end, list(hours.roles))
    year = as_of.astimezone(tz).year
    budgets = {b.region_id: b for b in await BudgetRepository(session).figures_of_years(
        [year], scope.region_ids)}
    pending = await repo.requests(pending_only=True)
    teams_by_id = {team.id: team for team in teams}
    parts = []
    for region in regions:
        region_teams = [team for team in teams if team.region_id == region.id]
        parts.append(RegionPart(
            region=region,
            teams=[TeamHours(team, tuple(
                QuotaLine(category, totals.get((team.id, category.id, week.start), 0),
                          quotas.get((team.id, category.id)),
                          tuple(totals.get((team.id, category.id, w.start), 0) for w in earlier))
                for category in categories)) for team in region_teams],
            silent=sorted((SilentPerson(user.display_name, teams_by_id[team_id])
                           for user, team_id in silent
                           if teams_by_id[team_id].region_id == region.id),
                          key=lambda p: (p.team.key, p.name.lower())),
            budget=budgets.get(region.id),
            requests=[r for r in pending if r.region_id == region.id],
        ))
    return Digest(
        scope=scope, week=week, earlier=earlier, year=year, regions=parts,
        meetings=await _meetings(session, repo, scope, now, tz),
        questions=await repo.waiting_questions(),
        new_members=await repo.joined_since(members_since),
        members_since=members_since, now=now,
    )


def meeting_region(meeting: Meeting) -> int | None:
    """The region a meeting belongs to; None for organisation-wide ones."""
    return meeting.team.region_id if meeting.team is not None else meeting.region_id


def _in_scope(meeting: Meeting, scope: Scope) -> bool:
    """A region's meetings and organisation-wide ones; a meeting of people chosen by name
    is no region's business, so only the all-regions digest shows it (as ``/meetings``
    shows it to the organiser, the chosen people and the administrators)."""
    region = meeting_region(meeting)
    if region is None:
        return not chosen_people_only(meeting) or scope.region_ids is None
    return scope.includes(region)


async def _meetings(
    session: AsyncSession, repo: DigestRepository, scope: Scope, now: datetime, tz: tzinfo
) -> list[MeetingOutlook]:
    """The next days' meetings of the scope (and organisation-wide ones), with how many
    participants said they come, said they don't, or have not answered."""
    end = now + timedelta(days=MEETING_DAYS)
    found = sorted(
        ((meeting, start)
         for meeting in await ReminderRepository(session).scheduled_meetings()
         if _in_scope(meeting, scope) for start in occurrences_of(meeting, tz, now, end)),
        key=lambda item: (item[1], item[0].title),
    )
    if not found:
        return []
    answers = await repo.attendance_counts(now, end)
    people = [Person.of(user) for user in await repo.active_people()]
    outlook = []
    for meeting, start in found:
        audience = Audience.of(meeting)
        participants = sum(1 for person in people if audience.includes(person))
        coming, not_coming = answers.get((meeting.id, start), (0, 0))
        outlook.append(MeetingOutlook(meeting, start, coming, not_coming,
                                      max(0, participants - coming - not_coming)))
    return outlook
