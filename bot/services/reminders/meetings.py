"""Meetings: their occurrences, who takes part, who comes, and new meetings from the chat."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta, tzinfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import N_, Conflict, InvalidInput, NotAllowed, NotFound
from bot.parsing.when import Every, Once, When
from bot.services import audit
from bot.services.privacy import check_free_text
from bot.services.reminders.recurrence import occurrences, weekly_rule
from storage.models import (
    Meeting,
    MeetingAttendance,
    MeetingInvitee,
    Region,
    Role,
    Team,
    User,
)
from storage.repositories.reminders import ReminderRepository
from storage.repositories.users import OrgRepository

TITLE_MAX = 80
PLACE_MAX = 120
DURATIONS = (60, 90, 120, 180)
GONE = N_("This meeting does not exist any more.")
NOT_INVITABLE = N_("You can only invite teams, regions and people you lead.")


@dataclass(frozen=True)
class Occurrence:
    meeting: Meeting
    starts_at: datetime  # UTC

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.meeting.duration_minutes)


@dataclass(frozen=True)
class Attendance:
    coming: list[User]
    not_coming: list[User]
    open: list[User]


def occurrences_of(meeting: Meeting, tz: tzinfo, start: datetime, end: datetime) -> list[datetime]:
    """Start instants of ``meeting`` in ``[start, end)``: weekly in local time, or its one date."""
    if meeting.weekday is not None and meeting.local_time is not None:
        return occurrences(weekly_rule(meeting.weekday), meeting.local_time, tz, start, end)
    if meeting.starts_at is not None and start <= meeting.starts_at < end:
        return [meeting.starts_at]
    return []


@dataclass(frozen=True)
class Person:
    """What decides whether someone takes part in a meeting, read once from a user (whose
    teams are loaded), so that many meetings can be checked against many people quickly."""

    id: int
    active: bool
    role: str
    region_id: int | None
    team_ids: frozenset[int]
    team_regions: frozenset[int]

    @classmethod
    def of(cls, user: User) -> Person:
        return cls(user.id, user.active, str(user.role), user.region_id,
                   frozenset(m.team_id for m in user.memberships),
                   frozenset(m.team.region_id for m in user.memberships))


@dataclass(frozen=True)
class Audience:
    """Who a meeting is for: the team's members, the region's members and leads, the named
    roles, the people chosen by name, and whoever organised it."""

    organiser_id: int | None
    team_id: int | None
    region_id: int | None
    roles: frozenset[str]
    user_ids: frozenset[int] = frozenset()

    @classmethod
    def of(cls, meeting: Meeting) -> Audience:
        roles = meeting.audience.get("roles", []) if meeting.audience else []
        return cls(meeting.created_by_user_id, meeting.team_id, meeting.region_id,
                   frozenset(roles), invitee_ids(meeting))

    def includes(self, person: Person) -> bool:
        if not person.active:
            return False
        if self.organiser_id == person.id or person.id in self.user_ids:
            return True
        if self.team_id is not None and self.team_id in person.team_ids:
            return True
        if self.region_id is not None and (
            (person.role == Role.LEAD and person.region_id == self.region_id)
            or self.region_id in person.team_regions
        ):
            return True
        return person.role in self.roles


def invitee_ids(meeting: Meeting) -> frozenset[int]:
    """The people chosen by name (always loaded with the meeting)."""
    return frozenset(invitee.user_id for invitee in meeting.invitees)


def takes_part(user: User, meeting: Meeting) -> bool:
    """Participants: the team's members, the region's members and leads, the named roles,
    the people chosen by name, and whoever organised it."""
    return Audience.of(meeting).includes(Person.of(user))


def oversees(user: User, meeting: Meeting) -> bool:
    """Who sees who comes: the organiser, admins, and leads of the meeting's region."""
    if not user.active:
        return False
    if user.role == Role.ADMIN or meeting.created_by_user_id == user.id:
        return True
    if user.role != Role.LEAD:
        return False
    region_id = meeting.region_id or (meeting.team.region_id if meeting.team else None)
    if region_id is None and chosen_people_only(meeting):
        return False  # no region's business, only the organiser's
    return region_id is None or region_id == user.region_id


def chosen_people_only(meeting: Meeting) -> bool:
    """A meeting of people chosen by name: no team, region or roles. Read from the meeting
    itself, not from its invitees, so it stays private after they were erased."""
    return (meeting.team_id is None and meeting.region_id is None
            and not (meeting.audience or {}).get("roles"))


async def participants(session: AsyncSession, meeting: Meeting) -> list[User]:
    repo = ReminderRepository(session)
    found: dict[int, User] = {}
    if meeting.team_id is not None:
        found.update((u.id, u) for u in await repo.team_members(meeting.team_id))
    if meeting.region_id is not None:
        found.update((u.id, u) for u in await repo.region_people(meeting.region_id))
    roles = meeting.audience.get("roles", []) if meeting.audience else []
    if roles:
        found.update((u.id, u) for u in await repo.with_roles(roles))
    chosen = await repo.users(invitee_ids(meeting))
    found.update((u.id, u) for u in chosen.values() if u.active)
    if meeting.created_by_user_id is not None:
        organiser = await session.get(User, meeting.created_by_user_id)
        if organiser is not None and organiser.active:
            found[organiser.id] = organiser
    return sorted(found.values(), key=lambda u: u.display_name.lower())


async def upcoming(
    session: AsyncSession, user: User, *, now: datetime, tz: tzinfo,
    days: int = 14, limit: int = 10,
) -> list[Occurrence]:
    """The next meetings the user takes part in or oversees, soonest first."""
    found = [
        Occurrence(meeting, start)
        for meeting in await ReminderRepository(session).scheduled_meetings()
        if takes_part(user, meeting) or oversees(user, meeting)
        for start in occurrences_of(meeting, tz, now, now + timedelta(days=days))
    ]
    return sorted(found, key=lambda o: (o.starts_at, o.meeting.title))[:limit]


async def get(session: AsyncSession, meeting_id: int | None) -> Meeting | None:
    return await ReminderRepository(session).meeting(meeting_id)


async def occurrence(
    session: AsyncSession, meeting_id: int | None, starts_at: datetime | None, tz: tzinfo
) -> Occurrence:
    """A real occurrence of an active meeting; anything else is a stale or forged button."""
    meeting = await ReminderRepository(session).meeting(meeting_id)
    if meeting is None or not meeting.active or starts_at is None:
        raise NotFound(GONE)
    window = occurrences_of(meeting, tz, starts_at, starts_at + timedelta(minutes=1))
    if starts_at not in window:
        raise NotFound(GONE)
    return Occurrence(meeting, starts_at)


async def answer(
    session: AsyncSession, user: User, meeting_id: int | None, starts_at: datetime | None,
    coming: bool, *, now: datetime, tz: tzinfo,
) -> Occurrence:
    """Record "I'll come" / "I can't" for one occurrence; a second answer replaces the first."""
    found = await occurrence(session, meeting_id, starts_at, tz)
    if not takes_part(user, found.meeting):
        raise NotAllowed(N_("You are not among the participants of this meeting."))
    if found.starts_at <= now:
        raise Conflict(N_("This meeting has already begun."))
    existing = await ReminderRepository(session).answer(found.meeting.id, found.starts_at,
                                                        user.id)
    if existing is None:
        session.add(MeetingAttendance(meeting_id=found.meeting.id, starts_at=found.starts_at,
                                      user_id=user.id, coming=coming, answered_at=now))
    else:
        existing.coming = coming
        existing.answered_at = now
    await session.flush()
    return found


async def my_answer(session: AsyncSession, user: User, found: Occurrence) -> bool | None:
    row = await ReminderRepository(session).answer(found.meeting.id, found.starts_at, user.id)
    return None if row is None else row.coming


async def attendance(session: AsyncSession, found: Occurrence) -> Attendance:
    answers = {
        a.user_id: a.coming
        for a in await ReminderRepository(session).answers(found.meeting.id, found.starts_at)
    }
    people = await participants(session, found.meeting)
    return Attendance(
        coming=[u for u in people if answers.get(u.id) is True],
        not_coming=[u for u in people if answers.get(u.id) is False],
        open=[u for u in people if u.id not in answers],
    )


# --- new meetings from the chat ----------------------------------------------------------------


@dataclass
class MeetingDraft:
    title: str | None = None
    when: When | None = None
    place: str | None = None
    team_id: int | None = None
    region_id: int | None = None
    # People chosen by name, instead of a team or a region.
    user_ids: list[int] = field(default_factory=list)
    duration_minutes: int = 90


def require_organiser(user: User) -> None:
    if user.role not in (Role.LEAD, Role.ADMIN) or not user.active:
        raise NotAllowed(N_("Only regional leads and administrators can create meetings."))


async def choices(session: AsyncSession, user: User) -> tuple[list[Region], list[Team]]:
    """The regions and teams the user may invite: a lead their own, an admin all."""
    require_organiser(user)
    orgs = OrgRepository(session)
    regions = await orgs.regions()
    if user.role == Role.LEAD:
        regions = [r for r in regions if r.id == user.region_id]
        return regions, await orgs.active_teams(user.region_id)
    return regions, await orgs.active_teams()


async def invitable(session: AsyncSession, user: User) -> list[User]:
    """The active people the user may choose by name: a lead the members and leads of their
    region, an admin everyone; never the organiser (who takes part anyway)."""
    require_organiser(user)
    repo = ReminderRepository(session)
    if user.role == Role.LEAD:
        people = await repo.region_people(user.region_id) if user.region_id else []
    else:
        people = await repo.active_users()
    return sorted((p for p in people if p.id != user.id),
                  key=lambda p: (p.display_name.lower(), p.id))


async def toggle_person(
    session: AsyncSession, user: User, draft: MeetingDraft, person_id: int | None
) -> None:
    """Add or remove one chosen person, checked against whom the user may invite."""
    if person_id not in {p.id for p in await invitable(session, user)}:
        raise NotAllowed(NOT_INVITABLE)
    if person_id in draft.user_ids:
        draft.user_ids.remove(person_id)
    else:
        draft.user_ids.append(person_id)
    draft.team_id = draft.region_id = None


def check_people(draft: MeetingDraft) -> None:
    """The people chosen by name are the audience: at least one of them."""
    if not draft.user_ids:
        raise InvalidInput(N_("Please choose at least one person."))
    draft.team_id = draft.region_id = None


async def chosen_people(session: AsyncSession, draft: MeetingDraft) -> list[User]:
    found = await ReminderRepository(session).users(draft.user_ids)
    return sorted(found.values(), key=lambda p: (p.display_name.lower(), p.id))


def check_title(text: str) -> str:
    return check_free_text(text, max_length=TITLE_MAX)


def check_place(text: str) -> str:
    return check_free_text(text, max_length=PLACE_MAX)


def check_when(when: When, now: datetime) -> When:
    if isinstance(when, Every) and len(when.weekdays) != 1:
        raise InvalidInput(N_("A meeting repeats weekly on one day, e.g. jeden Dienstag 9:00."))
    if isinstance(when, Once) and when.at <= now:
        raise InvalidInput(N_("That time has already passed."))
    return when


async def create(
    session: AsyncSession, user: User, draft: MeetingDraft, *, now: datetime, tz: tzinfo
) -> Meeting:
    """Save the draft after checking every rule again (role, scope, texts, time)."""
    regions, teams = await choices(session, user)
    if draft.title is None or draft.when is None:
        raise InvalidInput(N_("This dialogue has expired. Please start again with /meeting."))
    title = check_title(draft.title)
    place = check_place(draft.place) if draft.place else None
    when = check_when(draft.when, now)
    if draft.team_id is not None and draft.team_id not in {t.id for t in teams}:
        raise NotAllowed(NOT_INVITABLE)
    if draft.region_id is not None and draft.region_id not in {r.id for r in regions}:
        raise NotAllowed(NOT_INVITABLE)
    people = set(draft.user_ids)
    if not people <= {p.id for p in await invitable(session, user)}:
        raise NotAllowed(NOT_INVITABLE)
    if [draft.team_id is not None, draft.region_id is not None, bool(people)].count(True) != 1:
        raise InvalidInput(N_("Please choose who takes part: a team, a region or people."))
    if draft.duration_minutes not in DURATIONS:
        raise InvalidInput(N_("This dialogue has expired. Please start again with /meeting."))
    weekday: int | None = None
    local_time: time | None = None
    starts_at: datetime | None = None
    if isinstance(when, Every):
        weekday, local_time = when.weekdays[0] + 1, when.at
    else:
        starts_at = when.at
    meeting = Meeting(
        title=title, kind="other", place=place, team_id=draft.team_id,
        region_id=draft.region_id, audience={}, weekday=weekday, local_time=local_time,
        starts_at=starts_at, duration_minutes=draft.duration_minutes,
        created_by_user_id=user.id, active=True,
        invitees=[MeetingInvitee(user_id=person) for person in sorted(people)],
    )
    session.add(meeting)
    await session.flush()
    audit.record(session, at=now, actor_id=user.id, action="meeting.created",
                 subject_type="meeting", subject_id=meeting.id, team=draft.team_id,
                 region=draft.region_id, people=len(people), weekly=weekday is not None)
    return meeting


async def cancel(session: AsyncSession, user: User, meeting_id: int | None,
                 *, now: datetime) -> Meeting:
    """End a meeting made in the chat (meetings of the organisation file live in the file)."""
    meeting = await ReminderRepository(session).meeting(meeting_id)
    if meeting is None or not meeting.active:
        raise NotFound(GONE)
    if not may_cancel(user, meeting):
        raise NotAllowed(N_("Only the organiser or the regional lead can cancel this meeting."))
    meeting.active = False
    audit.record(session, at=now, actor_id=user.id, action="meeting.cancelled",
                 subject_type="meeting", subject_id=meeting.id)
    await session.flush()
    return meeting


def may_cancel(user: User, meeting: Meeting) -> bool:
    return meeting.key is None and oversees(user, meeting)
