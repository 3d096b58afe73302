"""A synthetic office for the scale benchmarks: many teams, people and hour entries.

The organisation goes through the real importer (a generated organisation file with the
shipped categories and quotas); people, memberships and hour entries are bulk-inserted
(``executemany`` in chunks), because a million entries through the services would take
hours. The data is shaped like the real thing: provider staff and networkers log a few
entries a week each, over several years, in the three categories, mostly in steps of half
an hour; caseworkers log nothing, nor do one newcomer per team and the newest team; every
region has a lead.

Deterministic for a seed, so two runs measure the same data.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from bot.services.hours import Week
from bot.services.organisation import import_organisation, load_org_file
from bot.services.organisation.schema import OrgFile, RegionSpec, TeamSpec
from bot.settings import DEFAULT_ORG_FILE
from storage.db import create_session_factory
from storage.models import HourCategory, HourEntry, Membership, Region, Role, Team, User

CHUNK = 20_000
# Per team: provider staff, networkers and caseworkers, in that order.
_TEAM_ROLES = ((Role.PROVIDER, 0.6), (Role.NETWORKER, 0.1), (Role.CASEWORKER, 0.3))
_CATEGORY_WEIGHTS = (6, 3, 1)  # beratung, fua, fuea: most time goes to consultation
_MINUTES = (30, 30, 45, 60, 60, 90, 120, 180, 240)
FIRST_TELEGRAM_ID = 5_000_000


@dataclass(frozen=True)
class Size:
    name: str
    regions: int
    teams_per_region: int
    members_per_team: int
    entries: int
    weeks: int  # entries spread over this many weeks up to today

    @property
    def teams(self) -> int:
        return self.regions * self.teams_per_region

    def describe(self) -> str:
        return (f"{self.teams} teams, {self.teams * self.members_per_team + self.regions} users, "
                f"{self.entries:,} hour entries over {self.weeks} weeks")


SMOKE = Size("smoke", regions=2, teams_per_region=2, members_per_team=5, entries=2_000, weeks=20)
SMALL = Size("small", regions=2, teams_per_region=2, members_per_team=10, entries=10_000,
             weeks=52)
LARGE = Size("large", regions=10, teams_per_region=5, members_per_team=20,
             entries=1_000_000, weeks=260)


@dataclass(frozen=True)
class Dataset:
    """What the benchmarks need to know about the generated data."""

    size: Size
    today: date
    provider_telegram_id: int  # provider staff with entries this week (the busiest one)
    lead_telegram_id: int  # the lead of that person's region
    team_id: int  # that person's team
    team_ids: list[int]
    users: int
    entries: int
    seconds: float  # how long generating took


def organisation(size: Size) -> OrgFile:
    """The shipped categories and hours rules, with ``size``'s regions and teams."""
    shipped = load_org_file(DEFAULT_ORG_FILE)
    regions = [
        RegionSpec(key=f"r{r:02d}", name=f"Region {r + 1}", teams=[
            TeamSpec(key=f"r{r:02d}-t{t}", name=f"Sozialraumteam {r + 1}-{t + 1}",
                     districts=[f"Bezirk {r + 1}.{t + 1}"])
            for t in range(size.teams_per_region)])
        for r in range(size.regions)
    ]
    return shipped.model_copy(update={"regions": regions, "providers": [], "meetings": [],
                                      "budgets": []})


async def generate(engine: AsyncEngine, size: Size, *, today: date,
                   seed: int = 9) -> Dataset:
    """Fill a migrated, empty database; returns where to look."""
    started = time.perf_counter()
    rng = random.Random(seed)
    now = datetime.now(UTC)
    sessions = create_session_factory(engine)
    async with sessions() as session, session.begin():
        await import_organisation(session, organisation(size))
    async with sessions() as session, session.begin():
        teams = list((await session.execute(select(Team.id, Team.region_id)
                                            .order_by(Team.id))).all())
        regions = list((await session.scalars(select(Region.id).order_by(Region.id))).all())
        categories = list((await session.scalars(select(HourCategory.id)
                                                 .order_by(HourCategory.position))).all())
        leads = await insert_users(session, now, [
            {"role": Role.LEAD, "region_id": region_id} for region_id in regions])
        members: list[dict[str, Any]] = [
            {"role": role, "region_id": None, "team_id": team_id}
            for team_id, _region in teams
            for role, share in _TEAM_ROLES
            for _ in range(round(size.members_per_team * share))
        ]
        member_ids = await insert_users(session, now, members, first=len(leads))
        await insert_chunked(session, Membership, [
            {"user_id": user_id, "team_id": spec["team_id"]}
            for user_id, spec in zip(member_ids, members, strict=True)])
        loggers = _loggers(member_ids, members, new_team=teams[-1][0])
        first_day = Week.of(today).start - timedelta(weeks=size.weeks - 1)
        days = (today - first_day).days + 1
        busiest = loggers[0]
        await insert_chunked(session, HourEntry, (
            _entry(rng, busiest if n < 10 else rng.choice(loggers), categories,
                   today - timedelta(days=n % 3) if n < 10
                   else first_day + timedelta(days=rng.randrange(days)), now)
            for n in range(size.entries)))
    region_of = dict(teams)
    lead_index = regions.index(region_of[busiest[1]])
    return Dataset(
        size=size, today=today,
        provider_telegram_id=FIRST_TELEGRAM_ID + len(leads) + member_ids.index(busiest[0]),
        lead_telegram_id=FIRST_TELEGRAM_ID + lead_index,
        team_id=busiest[1], team_ids=[team_id for team_id, _ in teams],
        users=len(leads) + len(member_ids), entries=size.entries,
        seconds=time.perf_counter() - started,
    )


def _loggers(member_ids: list[int], members: list[dict[str, Any]],
             new_team: int) -> list[tuple[int, int]]:
    """(user id, team id) of everyone who logs hours, but for one newcomer per team and the
    whole of the newest team: at every size, the weekly reminder finds people without hours
    and the quota flags a team, so the same queries run on the small and the large data."""
    logging = [(user_id, spec["team_id"]) for user_id, spec in zip(member_ids, members,
                                                                    strict=True)
               if spec["role"] in (Role.PROVIDER, Role.NETWORKER) and spec["team_id"] != new_team]
    newcomers = {team_id: user_id for user_id, team_id in logging}  # the last one of each team
    return [(user_id, team_id) for user_id, team_id in logging
            if newcomers[team_id] != user_id]


def _entry(rng: random.Random, who: tuple[int, int], categories: list[int], day: date,
           now: datetime) -> dict[str, Any]:
    user_id, team_id = who
    return {"user_id": user_id, "team_id": team_id,
            "category_id": rng.choices(categories, _CATEGORY_WEIGHTS[:len(categories)])[0],
            "work_date": day, "minutes": rng.choice(_MINUTES), "note": None,
            "created_at": now, "updated_at": None}


async def insert_users(session: AsyncSession, now: datetime, specs: list[dict[str, Any]],
                        first: int = 0) -> list[int]:
    """Insert users in order; their ids (Telegram ids follow the same order)."""
    rows = [{"telegram_id": FIRST_TELEGRAM_ID + first + i, "display_name": f"Person {first + i}",
             "locale": "de", "role": str(spec["role"]), "region_id": spec["region_id"],
             "active": True, "created_at": now} for i, spec in enumerate(specs)]
    await insert_chunked(session, User, rows)
    telegram_ids = [row["telegram_id"] for row in rows]
    found = dict((await session.execute(
        select(User.telegram_id, User.id).where(User.telegram_id.between(
            telegram_ids[0], telegram_ids[-1])))).all()) if rows else {}
    return [found[telegram_id] for telegram_id in telegram_ids]


async def insert_chunked(session: AsyncSession, model: type[Any],
                          rows: Any) -> None:
    """executemany in chunks, so a million rows never sit in memory at once."""
    chunk: list[dict[str, Any]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == CHUNK:
            await session.execute(insert(model), chunk)
            chunk = []
    if chunk:
        await session.execute(insert(model), chunk)
