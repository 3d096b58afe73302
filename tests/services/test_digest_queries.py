"""A digest and a report cost the same number of SQL statements for a small organisation as
for one with many more teams, people and entries: no query per team or person."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import event, select

from bench import orgdata as datagen
from bot.parsing.periods import Period, preset
from bot.services.digest import figures
from bot.services.hours import HoursPolicy
from bot.services.reports import tables
from storage.db import create_session_factory
from storage.models import Region, Team, User

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)  # Monday 08:00 in Berlin
Work = Callable[..., Awaitable[object]]


async def _statements(engine, work: Work, *args) -> int:
    """How many statements ``work`` sends to the database."""
    seen: list[str] = []

    def count(_conn, _cursor, statement, _params, _context, _many) -> None:
        seen.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", count)
    try:
        async with create_session_factory(engine)() as session:
            await work(session, *args)
            await session.rollback()
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", count)
    return len([s for s in seen if not s.lstrip().upper().startswith(("BEGIN", "SAVEPOINT"))])


async def _digest(session, scope: figures.Scope) -> figures.Digest:
    return await figures.compute(session, scope, as_of=NOW, now=NOW, tz=BERLIN,
                                 hours=HoursPolicy(), members_since=NOW - timedelta(days=7))


async def _hours_report(session, scope: figures.Scope) -> None:
    await tables.hours_table(session, scope, preset("this_year", NOW.date()), locale="de")


async def _budget_report(session, scope: figures.Scope) -> None:
    await tables.budget_tables(session, scope, Period(NOW.date().replace(month=1, day=1),
                                                      NOW.date()), tz=BERLIN, now=NOW)


async def _counts(engine, region_id: int) -> dict[str, int]:
    everything, region = figures.Scope(None), figures.Scope(frozenset({region_id}))
    return {
        "digest, all regions": await _statements(engine, _digest, everything),
        "digest, one region": await _statements(engine, _digest, region),
        "hours report": await _statements(engine, _hours_report, everything),
        "budget report": await _statements(engine, _budget_report, region),
    }


async def test_statements_do_not_grow_with_the_organisation(engine):
    small = await datagen.populate(engine, datagen.SMALL, now=NOW, prefix="s")
    before = await _counts(engine, small.region_ids[0])
    larger = await datagen.populate(engine, datagen.LARGER, now=NOW, prefix="l")
    after = await _counts(engine, small.region_ids[0])
    assert after == before, (before, after)
    assert max(before.values()) <= 16

    async with create_session_factory(engine)() as session:
        teams = len((await session.scalars(select(Team))).all())
        people = len((await session.scalars(select(User))).all())
        digest = await _digest(session, figures.Scope(None))
        regions = len((await session.scalars(select(Region))).all())
    assert teams >= 4 + 2 + 18 and people >= 150 and regions == 2 + 1 + 3
    assert len(digest.teams) == teams  # the larger organisation was really in the digest
    assert sum(line.minutes for team in digest.teams for line in team.lines) > 0
    assert larger.entries == datagen.LARGER.entries
