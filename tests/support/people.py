"""Members, invitations, budget requests and logged hours made straight through the services."""

from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.services import access
from bot.services.budget import requests as budget_requests
from bot.services.budget.requests import Draft
from bot.services.digest import figures
from bot.services.hours import HoursPolicy
from storage.models import (
    HourCategory,
    HourEntry,
    Role,
    Team,
    User,
)
from storage.repositories.users import OrgRepository

TODAY = date(2026, 11, 24)
_ids = itertools.count(60_001)


async def member(session, clock, name, role, team=None, region=None):
    new = await access.create_invitation(
        session, role=role, now=clock.now(), ttl=timedelta(days=1),
        team_key=team, region_key=region,
    )
    reg = await access.register(
        session, telegram_id=next(_ids), display_name=name, locale="de", code=new.code,
        now=clock.now(),
    )
    return reg.user


async def draft(session, team="nord-a", euros=100, day=date(2026, 12, 10), title="Stadtteilfest"):
    team_obj = await OrgRepository(session).team_by_key(team)
    return Draft(team_obj.id, euros * 100, title, "Material und Getränke", day)


async def new_request(session, clock, user, **kw):
    return await budget_requests.create_request(
        session, user=user, draft=await draft(session, **kw), now=clock.now(), today=TODAY
    )


async def _invite(session, clock, role=Role.PROVIDER, team="nord-a", region=None, inviter=None):
    return await access.create_invitation(
        session, role=role, now=clock.now(), ttl=timedelta(days=7),
        team_key=team if role.is_team_role else None, region_key=region, inviter=inviter,
    )


async def _register(session, clock, code, telegram_id=501, name="Anna"):
    return await access.register(
        session, telegram_id=telegram_id, display_name=name, locale="de", code=code,
        now=clock.now(),
    )


BERLIN = ZoneInfo("Europe/Berlin")


def berlin(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=BERLIN)


async def person(session, name, role, *, team=None, region=None, at: datetime) -> User:
    new = await access.create_invitation(session, role=role, now=at, ttl=timedelta(days=1),
                                         team_key=team, region_key=region)
    registration = await access.register(session, telegram_id=next(_ids), display_name=name,
                                         locale="de", code=new.code, now=at)
    await session.commit()
    return registration.user


async def ids(session, model, key: str) -> int:
    return int(await session.scalar(select(model.id).where(model.key == key)))


async def log(session, user: User | None, team: str, category: str, day: date, minutes: int):
    session.add(HourEntry(user_id=user.id if user else None, team_id=await ids(session, Team, team),
                          category_id=await ids(session, HourCategory, category), work_date=day,
                          minutes=minutes, created_at=berlin(2026, 11, 1)))
    await session.commit()


async def digest_of(session, user: User, as_of: datetime, since: datetime | None = None):
    return await figures.compute(session, figures.scope_of(user), as_of=as_of, now=as_of,
                                 tz=BERLIN, hours=HoursPolicy(),
                                 members_since=since or as_of - timedelta(days=7))
