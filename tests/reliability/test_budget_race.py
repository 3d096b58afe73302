"""Concurrent approvals in separate sessions: decided once, the budget never overdrawn."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

from bot.errors import Conflict
from bot.services import access
from bot.services.budget import allocation
from bot.services.budget import requests as budget_requests
from bot.services.budget.requests import Draft
from storage.models import RequestState, Role
from storage.repositories.users import OrgRepository

TODAY = date(2026, 11, 24)


async def _setup(sessions, clock, count: int, euros: int):
    async with sessions() as session, session.begin():
        users = []
        for name, role, team, region in (
            ("Pia", Role.PROVIDER, "nord-a", None),
            ("Lea", Role.LEAD, None, "nord"),
            ("Leo", Role.LEAD, None, "nord"),
        ):
            new = await access.create_invitation(
                session, role=role, now=clock.now(), ttl=timedelta(days=1), team_key=team,
                region_key=region,
            )
            reg = await access.register(
                session, telegram_id=80_000 + len(users), display_name=name, locale="de",
                code=new.code, now=clock.now(),
            )
            users.append(reg.user)
        team = await OrgRepository(session).team_by_key("nord-a")
        ids = []
        for i in range(count):
            request = await budget_requests.create_request(
                session, user=users[0],
                draft=Draft(team.id, euros * 100, f"Aktion {i}", "Material", date(2026, 12, 1)),
                now=clock.now(), today=TODAY,
            )
            ids.append(request.id)
    return users, ids


async def _approve(sessions, clock, request_id: int, lead) -> bool:
    async with sessions() as session:
        try:
            await budget_requests.approve(
                session, request_id=request_id, user=lead, now=clock.now(), today=TODAY
            )
            await session.commit()
            return True
        except Conflict:
            await session.rollback()
            return False


async def test_many_concurrent_approvals_never_overdraw(sessions, clock):
    # 30,000 € allocated; twelve requests of 7,000 € each: exactly four fit.
    users, ids = await _setup(sessions, clock, count=12, euros=7_000)
    lead_a, lead_b = users[1], users[2]
    results = await asyncio.gather(*(
        _approve(sessions, clock, request_id, lead_a if i % 2 else lead_b)
        for i, request_id in enumerate(ids)
    ))
    assert sum(results) == 4
    async with sessions() as session:
        status = await allocation.status(session, users[1].region_id, 2026)
        assert status.figures.sums.approved == 4 * 700_000
        assert status.figures.available == 3_000_000 - 2_800_000 >= 0
        states = [(await budget_requests.get_request(session, i)).state for i in ids]
    assert states.count(RequestState.APPROVED) == 4
    assert states.count(RequestState.PENDING) == 8


async def test_two_leads_tapping_at_once_decide_once(sessions, clock):
    users, ids = await _setup(sessions, clock, count=1, euros=100)
    results = await asyncio.gather(*(
        _approve(sessions, clock, ids[0], lead) for lead in (users[1], users[2]) * 3
    ))
    assert sum(results) == 1
    async with sessions() as session:
        history = await budget_requests.history(
            session, await budget_requests.get_request(session, ids[0])
        )
    assert [e.action for e, _ in history].count("budget_request.approved") == 1
