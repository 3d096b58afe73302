"""A synthetic office with everything a digest reads: people, hours, budgets, meetings.

Used by the digest benchmark (50 teams, 1,000 people, 1,000,000 hour entries) and by the
tests that hold the digest and the reports to a fixed number of SQL statements. It adds to a
database that already holds the shipped organisation (its hour categories are reused) and
writes in bulk: hour entries with PostgreSQL's COPY, or one prepared ``executemany`` per
chunk on SQLite, so a million rows take seconds, not minutes.
"""

from __future__ import annotations

import random
import zlib
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.services.reminders.recurrence import next_after, weekly_rule
from storage.models import (
    Budget,
    BudgetRequest,
    FaqQuestion,
    HourCategory,
    HourEntry,
    Meeting,
    MeetingAttendance,
    Membership,
    Region,
    RequestState,
    Role,
    Team,
    TeamQuota,
    User,
)

BERLIN = ZoneInfo("Europe/Berlin")
QUOTA_MINUTES = {"beratung": 18 * 60, "fua": 8 * 60}
NAMES = ("Anna", "Ben", "Clara", "David", "Emma", "Felix", "Greta", "Hannes", "Ida", "Jonas",
         "Klara", "Lukas", "Mia", "Noah", "Olga", "Paul", "Rosa", "Simon", "Tara", "Udo")
# Per six team members: three provider staff, one networker, two caseworkers (as in the source).
TEAM_ROLES = (Role.PROVIDER, Role.PROVIDER, Role.PROVIDER, Role.NETWORKER, Role.CASEWORKER,
              Role.CASEWORKER)
CHUNK = 50_000


@dataclass(frozen=True)
class Size:
    regions: int
    teams_per_region: int
    people: int  # team members; each region also gets a lead, the organisation an admin
    entries: int  # hour entries
    weeks: int  # spread over this many weeks up to ``today``

    @property
    def teams(self) -> int:
        return self.regions * self.teams_per_region


SMALL = Size(regions=1, teams_per_region=2, people=12, entries=300, weeks=8)
LARGER = Size(regions=3, teams_per_region=6, people=150, entries=20_000, weeks=10)
SMOKE = Size(regions=2, teams_per_region=3, people=60, entries=5_000, weeks=12)
FULL = Size(regions=5, teams_per_region=10, people=1_000, entries=1_000_000, weeks=104)


@dataclass(frozen=True)
class Generated:
    region_ids: list[int]
    team_ids: list[int]
    lead_ids: list[int]
    admin_id: int
    entries: int


async def populate(
    engine: AsyncEngine, size: Size, *, now: datetime, prefix: str = "gen", seed: int = 7
) -> Generated:
    """Add an organisation of ``size`` (keys starting with ``prefix``) as of ``now``."""
    rng = random.Random(seed)
    today = now.astimezone(BERLIN).date()
    async with engine.begin() as conn:
        categories = {key: cid for key, cid in await conn.execute(
            select(HourCategory.key, HourCategory.id).where(HourCategory.active.is_(True)))}
        region_ids = await _insert_returning(conn, Region, [
            {"key": f"{prefix}-r{n}", "name": f"Region {prefix.upper()} {n}"}
            for n in range(size.regions)])
        team_ids = await _insert_returning(conn, Team, [
            {"key": f"{prefix}-r{n}-t{m}", "region_id": region_ids[n],
             "name": f"Sozialraumteam {prefix.upper()} {n}-{m}", "districts": [],
             "composition": {}, "active": True}
            for n in range(size.regions) for m in range(size.teams_per_region)])
        await conn.execute(insert(TeamQuota), [
            {"team_id": team, "category_id": cid, "weekly_minutes": QUOTA_MINUTES.get(key)}
            for team in team_ids for key, cid in categories.items()])
        people = [_person(rng, prefix, i, now, TEAM_ROLES[i % len(TEAM_ROLES)], None)
                  for i in range(size.people)]
        leads = [_person(rng, prefix, size.people + n, now, Role.LEAD, region_ids[n])
                 for n in range(size.regions)]
        admin = _person(rng, prefix, size.people + size.regions, now, Role.ADMIN, None)
        user_ids = await _insert_returning(conn, User, [*people, *leads, admin])
        member_ids, lead_ids, admin_id = (user_ids[:size.people],
                                          user_ids[size.people:-1], user_ids[-1])
        team_of = {uid: team_ids[i // len(TEAM_ROLES) % len(team_ids)]
                   for i, uid in enumerate(member_ids)}
        await conn.execute(insert(Membership), [
            {"user_id": uid, "team_id": team} for uid, team in team_of.items()])
        loggers = [uid for i, uid in enumerate(member_ids)
                   if TEAM_ROLES[i % len(TEAM_ROLES)] in (Role.PROVIDER, Role.NETWORKER)]
        await _hour_entries(conn, rng, size, today, now, loggers, team_of, categories)
        await _budgets(conn, rng, prefix, region_ids, team_ids, team_of, now)
        await _meetings(conn, rng, prefix, team_ids, team_of, now)
        await _questions(conn, rng, member_ids, now)
    return Generated(region_ids, team_ids, lead_ids, admin_id, size.entries)


def _person(rng: random.Random, prefix: str, index: int, now: datetime, role: Role,
            region_id: int | None) -> dict[str, Any]:
    return {"telegram_id": 9_000_000_000 + zlib.crc32(prefix.encode()) % 100_000 * 100_000 + index,
            "display_name": f"{rng.choice(NAMES)} {prefix.upper()}{index}", "locale": "de",
            "role": role.value, "region_id": region_id, "active": True,
            "created_at": now - timedelta(days=rng.choice((2, 5, 40, 200, 400)))}


async def _insert_returning(conn: AsyncConnection, model: Any, rows: list[dict[str, Any]]
                            ) -> list[int]:
    """Insert rows one statement per row (few of them) and return their ids in order."""
    ids = []
    for row in rows:
        ids.append(int((await conn.execute(insert(model).values(**row).returning(model.id)))
                       .scalar_one()))
    return ids


async def _hour_entries(conn: AsyncConnection, rng: random.Random, size: Size, today: date,
                        now: datetime, loggers: list[int], team_of: dict[int, int],
                        categories: dict[str, int]) -> None:
    keys = sorted(categories)
    weights = [0.7 if key == "beratung" else 0.3 for key in keys]
    days = size.weeks * 7
    columns = ["user_id", "team_id", "category_id", "work_date", "minutes", "created_at"]
    sqlite = conn.dialect.name == "sqlite"
    stamp = now.astimezone(UTC).replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")
    made = 0
    while made < size.entries:
        count = min(CHUNK, size.entries - made)
        rows = []
        for _ in range(count):
            user = rng.choice(loggers)
            day = today - timedelta(days=rng.randrange(days))
            category = categories[rng.choices(keys, weights)[0]]
            minutes = 15 * rng.randint(1, 8)
            rows.append((user, team_of[user], category, day.isoformat() if sqlite else day,
                         minutes, stamp if sqlite else now))
        if sqlite:
            await conn.exec_driver_sql(
                f"INSERT INTO hour_entry ({', '.join(columns)}) VALUES (?, ?, ?, ?, ?, ?)",
                rows)
        else:
            raw = await conn.get_raw_connection()
            driver: Any = raw.driver_connection
            await driver.copy_records_to_table(HourEntry.__tablename__, records=rows,
                                               columns=columns)
        made += count


async def _budgets(conn: AsyncConnection, rng: random.Random, prefix: str,
                   region_ids: list[int], team_ids: list[int], team_of: dict[int, int],
                   now: datetime) -> None:
    budget_ids = await _insert_returning(conn, Budget, [
        {"region_id": region, "year": now.astimezone(BERLIN).year,
         "allocated_cents": 3_000_000, "is_example": False, "updated_at": now}
        for region in region_ids])
    members = {team: [u for u, t in team_of.items() if t == team] for team in team_ids}
    states = (RequestState.PENDING, RequestState.APPROVED, RequestState.REPORTED,
              RequestState.REJECTED)
    rows = []
    for index, team in enumerate(team_ids):
        budget = budget_ids[index * len(region_ids) // len(team_ids)]
        for number, state in enumerate(states):
            amount = 100 * rng.randint(50, 900)
            created = now - timedelta(days=rng.randint(1, 60))
            rows.append({
                "number": f"{prefix.upper()}-{index}-{number}", "budget_id": budget,
                "team_id": team, "requester_id": members[team][0], "state": state.value,
                "amount_cents": amount,
                "approved_cents": amount if state in (RequestState.APPROVED,
                                                      RequestState.REPORTED) else None,
                "actual_cents": amount - 1000 if state == RequestState.REPORTED else None,
                "title": "Stadtteilfest", "description": "Material", "planned_on":
                (now + timedelta(days=30)).date(), "created_at": created,
                "decided_at": None if state == RequestState.PENDING else created + timedelta(
                    days=2), "raised_at": created})
    await conn.execute(insert(BudgetRequest), rows)


async def _meetings(conn: AsyncConnection, rng: random.Random, prefix: str,
                    team_ids: list[int], team_of: dict[int, int], now: datetime) -> None:
    meeting_ids = await _insert_returning(conn, Meeting, [
        {"key": f"{prefix}-m{team}", "title": f"Kollegiale Beratung {prefix.upper()} {team}",
         "kind": "team_consultation", "team_id": team, "audience": {},
         "weekday": 1 + index % 5, "local_time": time(9, 0), "duration_minutes": 120,
         "active": True}
        for index, team in enumerate(team_ids)])
    answers = []
    for index, (meeting, team) in enumerate(zip(meeting_ids, team_ids, strict=True)):
        start = next_after(weekly_rule(1 + index % 5), time(9, 0), BERLIN, now)
        answers += [{"meeting_id": meeting, "starts_at": start, "user_id": user,
                     "coming": rng.random() < 0.7, "answered_at": now}
                    for user, member_team in team_of.items()
                    if member_team == team and rng.random() < 0.5]
    if answers:
        await conn.execute(insert(MeetingAttendance), answers)


async def _questions(conn: AsyncConnection, rng: random.Random, member_ids: list[int],
                     now: datetime) -> None:
    await conn.execute(insert(FaqQuestion), [
        {"user_id": rng.choice(member_ids), "locale": "de",
         "text": "Wer entscheidet über FuA-Anträge in den Ferien?", "asked_at": now,
         "outcome": "none", "suggestions": [], "forwarded_at": now - timedelta(days=n)}
        for n in range(1, 4)])
