"""Scale of data: the calls behind commands and scheduled jobs, on a small and a large office.

Every call in :data:`SCALE_CALLS` is timed on a small dataset and on the large one (50
teams, 1,000 people, 1,000,000 hour entries; ``bench/datagen.py``), on SQLite and on
PostgreSQL, and its SQL statements are counted through SQLAlchemy's ``before_cursor_execute``
event. The count must be the same on both datasets: a call whose count grows with the data
runs a query per team, person or entry somewhere.

Each call runs in a fresh transaction after the sender has been loaded, as the gate does
for every update, and is rolled back (nothing it writes stays). Targets: under 20 ms for
calls that answer a tap or a command (``interactive``), under 1 s for the rest.

A feature adds its call with one line (see :func:`register`)::

    register(ScaleCall("digest of a region", build_region_digest, interactive=False))
"""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from bench.databases import backends, fresh_database
from bench.datagen import LARGE, SMALL, SMOKE, Dataset, Size, generate
from bot.services import hours
from bot.services.hours import Draft, HoursPolicy, Week
from bot.services.organisation import load_org_file
from bot.services.reminders import scheduler
from bot.services.reminders.policy import ReminderPolicy
from bot.settings import DEFAULT_ORG_FILE
from storage.db import create_session_factory
from storage.models import Team, User
from storage.repositories.users import UserRepository

TZ = ZoneInfo("Europe/Berlin")
INTERACTIVE_MS = 20.0
BACKGROUND_MS = 1000.0


@dataclass(frozen=True)
class Subject:
    """What a call gets: the open session, the data set, and its people as the gate loads them."""

    session: AsyncSession
    data: Dataset
    provider: User  # provider staff of ``team``, with entries this week
    lead: User  # the lead of that team's region
    team: Team
    policy: HoursPolicy

    @property
    def today(self) -> date:
        return self.data.today


@dataclass(frozen=True)
class ScaleCall:
    name: str
    call: Callable[[Subject], Awaitable[object]]
    interactive: bool  # answers a user at once (20 ms), or runs in the background (1 s)


SCALE_CALLS: list[ScaleCall] = []


def register(call: ScaleCall) -> ScaleCall:
    SCALE_CALLS.append(call)
    return call


# -- the calls ---------------------------------------------------------------------------------


async def _week_as_provider(s: Subject) -> object:
    return await hours.week_progress(s.session, s.provider, s.team, Week.of(s.today),
                                     today=s.today, policy=s.policy)


async def _week_as_lead(s: Subject) -> object:
    return await hours.week_progress(s.session, s.lead, s.team, Week.of(s.today),
                                     today=s.today, policy=s.policy)


async def _myhours_week(s: Subject) -> object:
    return await hours.my_entries(s.session, s.provider, Week.of(s.today).start, s.today)


async def _myhours_month(s: Subject) -> object:
    return await hours.my_entries(s.session, s.provider, s.today.replace(day=1), s.today)


async def _save_entry(s: Subject) -> object:
    category = (await hours.loggable_categories(s.session))[0]
    draft = Draft(category_id=category.id, team_id=s.team.id, minutes=30, day=s.today)
    return await hours.log_hours(s.session, s.provider, draft, today=s.today,
                                 now=datetime.now(TZ), policy=s.policy)


def _hours_reminder_moment(today: date) -> datetime:
    """The latest Friday 13:00 (the default hours reminder) on or before ``today``."""
    friday = today - timedelta(days=(today.weekday() - 4) % 7)
    return datetime.combine(friday, clock_time(13, 0), TZ)


async def _scheduler_at_hours_reminder(s: Subject) -> object:
    policy = ReminderPolicy(tz=TZ, hours=s.policy)
    return await scheduler.due(s.session, _hours_reminder_moment(s.today), policy)


async def _scheduler_tick(s: Subject) -> object:
    policy = ReminderPolicy(tz=TZ, hours=s.policy)
    moment = _hours_reminder_moment(s.today) + timedelta(days=2, hours=7)  # a quiet Sunday
    return await scheduler.due(s.session, moment, policy)


register(ScaleCall("/week as provider staff", _week_as_provider, interactive=True))
register(ScaleCall("/week as lead (per person)", _week_as_lead, interactive=True))
register(ScaleCall("/myhours this week", _myhours_week, interactive=True))
register(ScaleCall("/myhours this month", _myhours_month, interactive=True))
register(ScaleCall("/hours Save (all checks, insert)", _save_entry, interactive=True))
register(ScaleCall("scheduler: Friday's hours reminder", _scheduler_at_hours_reminder,
                   interactive=False))
register(ScaleCall("scheduler: a minute with nothing due", _scheduler_tick, interactive=False))


# -- measuring ---------------------------------------------------------------------------------


class QueryCounter:
    """Counts the statements an engine sends while ``counting`` is on."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.count = 0
        self.counting = False
        event.listen(engine.sync_engine, "before_cursor_execute", self._seen)

    def _seen(self, *_args: Any) -> None:
        if self.counting:
            self.count += 1


@dataclass(frozen=True)
class CallFigures:
    median_ms: float
    max_ms: float
    queries: int


async def _subject(session: AsyncSession, data: Dataset) -> Subject:
    users = UserRepository(session)
    provider = await users.by_telegram_id(data.provider_telegram_id)
    lead = await users.by_telegram_id(data.lead_telegram_id)
    assert provider is not None and lead is not None
    team = next(m.team for m in provider.memberships if m.team_id == data.team_id)
    return Subject(session, data, provider, lead, team, load_org_file(DEFAULT_ORG_FILE).hours)


async def measure_call(engine: AsyncEngine, counter: QueryCounter, data: Dataset,
                       call: ScaleCall, repeats: int) -> CallFigures:
    sessions = create_session_factory(engine)
    seconds: list[float] = []
    queries: set[int] = set()
    for attempt in range(repeats + 1):  # the first one warms caches and is not counted
        async with sessions() as session:
            subject = await _subject(session, data)
            counter.count, counter.counting = 0, True
            started = time.perf_counter()
            await call.call(subject)
            elapsed = time.perf_counter() - started
            counter.counting = False
            await session.rollback()
        if attempt:
            seconds.append(elapsed)
            queries.add(counter.count)
    return CallFigures(round(1000 * statistics.median(seconds), 2),
                       round(1000 * max(seconds), 2), max(queries))


async def _measure_size(backend: str, size: Size, today: date,
                        repeats: int) -> tuple[Dataset, dict[str, CallFigures]]:
    async with fresh_database(backend, organisation=False) as database:
        engine = database.engine()
        try:
            data = await generate(engine, size, today=today)
            counter = QueryCounter(engine)
            figures = {call.name: await measure_call(engine, counter, data, call, repeats)
                       for call in SCALE_CALLS}
        finally:
            await engine.dispose()
    return data, figures


async def _run(smoke: bool) -> dict[str, float | int | str]:
    small, large, repeats = (SMOKE, SMALL, 3) if smoke else (SMALL, LARGE, 15)
    today = date.today()
    results: dict[str, float | int | str] = {"large data set": large.describe()}
    for backend, skipped in (await backends(smoke)).items():
        if skipped is not None:
            results[f"{backend}: skipped"] = skipped
            continue
        _, on_small = await _measure_size(backend, small, today, repeats)
        data, on_large = await _measure_size(backend, large, today, repeats)
        results[f"{backend}: generating the large data set s"] = round(data.seconds, 1)
        for call in SCALE_CALLS:
            big, little = on_large[call.name], on_small[call.name]
            results[f"{backend}: {call.name} ms"] = big.median_ms
            results[f"{backend}: {call.name} slowest ms"] = big.max_ms
            results[f"{backend}: {call.name} SQL queries"] = (
                f"{little.queries} → {big.queries}"
                + ("" if little.queries == big.queries else " (depends on the data!)"))
    return results


def targets() -> dict[str, tuple[str, float]]:
    """Median time per call: interactive ones under 20 ms, the others under 1 s."""
    return {f"*: {call.name} ms": ("<", INTERACTIVE_MS if call.interactive else BACKGROUND_MS)
            for call in SCALE_CALLS}


def run(smoke: bool = False) -> dict[str, float | int | str]:
    return asyncio.run(_run(smoke))
