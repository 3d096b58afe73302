"""The digest and the reports at the size of a large office: 50 teams, 1,000 people and
1,000,000 hour entries (``bench/datagen.py``), on SQLite and, when ``TEST_DATABASE_URL`` is
set, on PostgreSQL (in a schema of its own, dropped afterwards).

Reports per database: the time to fill it; a digest for all regions (an administrator's) and
for one region (a lead's), figures only; the hours report of a year and the budget report,
tables only, and writing the year's hours as XLSX; medians over a few rounds after one warm-up.
The statistics are refreshed (ANALYZE) after the bulk load, as a database in use would have
them. The chart is measured in a fresh process: importing matplotlib, the first chart and a
later one, and the memory they add. ``--smoke`` runs a small organisation.
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from bench import orgdata as datagen
from bot.i18n import I18n
from bot.parsing.periods import preset
from bot.services.digest import figures
from bot.services.hours import HoursPolicy
from bot.services.organisation import import_organisation, load_org_file
from bot.services.reports import files, tables
from bot.settings import DEFAULT_ORG_FILE
from storage import migrate
from storage.db import create_engine, create_session_factory

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)  # Monday 08:00 in Berlin
Result = dict[str, float | int | str]


async def _median_ms(engine: AsyncEngine, rounds: int,
                     work: Callable[[AsyncSession], Awaitable[object]]) -> float:
    times = []
    for _ in range(rounds + 1):  # the first round warms the caches and is not counted
        async with create_session_factory(engine)() as session:
            start = time.perf_counter()
            await work(session)
            times.append(time.perf_counter() - start)
            await session.rollback()
    return round(1000 * statistics.median(times[1:]), 1)


async def _measure(engine: AsyncEngine, label: str, size: datagen.Size, rounds: int) -> Result:
    await migrate.upgrade(engine)
    async with create_session_factory(engine)() as session, session.begin():
        await import_organisation(session, load_org_file(DEFAULT_ORG_FILE))
    start = time.perf_counter()
    made = await datagen.populate(engine, size, now=NOW)
    filled = time.perf_counter() - start
    async with engine.begin() as conn:
        await conn.execute(text("ANALYZE"))
    region = figures.Scope(frozenset({made.region_ids[0]}))
    year = preset("this_year", NOW.date())
    de = I18n().get("de")

    def digest(scope: figures.Scope) -> Callable[[AsyncSession], Awaitable[object]]:
        return lambda session: figures.compute(
            session, scope, as_of=NOW, now=NOW, tz=BERLIN, hours=HoursPolicy(),
            members_since=NOW - timedelta(days=7))

    async def hours_file(session: AsyncSession) -> bytes:
        made = [await tables.hours_table(session, figures.Scope(None), year, locale="de")]
        return files.write(made, "xlsx", de, "de")

    prefix = f"{label}, {size.teams} teams, {size.people} people, {size.entries:,} entries"
    return {
        f"{prefix}: fill database s": round(filled, 1),
        f"{prefix}: digest all regions ms": await _median_ms(engine, rounds,
                                                             digest(figures.Scope(None))),
        f"{prefix}: digest one region ms": await _median_ms(engine, rounds, digest(region)),
        f"{prefix}: hours report of a year ms": await _median_ms(
            engine, rounds, lambda s: tables.hours_table(s, figures.Scope(None), year,
                                                         locale="de")),
        f"{prefix}: budget report of a year ms": await _median_ms(
            engine, rounds, lambda s: tables.budget_tables(s, figures.Scope(None), year,
                                                           tz=BERLIN, now=NOW)),
        f"{prefix}: hours report of a year as XLSX ms": await _median_ms(engine, rounds,
                                                                         hours_file),
    }


async def _sqlite(size: datagen.Size, rounds: int) -> Result:
    with tempfile.TemporaryDirectory() as folder:
        engine = create_engine(f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}")
        try:
            return await _measure(engine, "SQLite", size, rounds)
        finally:
            await engine.dispose()


async def _postgres(url: str, size: datagen.Size, rounds: int) -> Result:
    scheme, rest = url.split("://", 1)
    url = url if scheme.endswith("asyncpg") else "postgresql+asyncpg://" + rest
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(url)
    async with admin.begin() as conn:
        await conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = create_engine(url, connect_args={"server_settings": {"search_path": schema}})
    try:
        return await _measure(engine, "PostgreSQL", size, rounds)
    finally:
        await engine.dispose()
        async with admin.begin() as conn:
            await conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        await admin.dispose()


_CHART_PROBE = """
import json, os, sys, time
from bot.services.digest.chart import Chart, Series, render_png

def rss_mb():  # the current resident memory (ru_maxrss would carry the parent's peak)
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20

teams = int(sys.argv[1])
chart = Chart("Stunden gegen das Wochenkontingent, KW 47", "% des Wochenkontingents",
              "Ø der 4 Wochen davor", tuple(f"Sozialraumteam {n}" for n in range(teams)),
              tuple(Series(name, tuple(40.0 + n % 90 for n in range(teams)),
                           tuple(60.0 for _ in range(teams)), tuple("9/18" for _ in range(teams)))
                    for name in ("Koll. Beratung", "FuA")))
base = rss_mb()
start = time.perf_counter()
import matplotlib.figure  # noqa: F401
imported = time.perf_counter()
first = render_png(chart)
rendered = time.perf_counter()
render_png(chart)
again = time.perf_counter()
print(json.dumps({"import": imported - start, "first": rendered - imported,
                  "again": again - rendered, "png": len(first),
                  "memory": rss_mb() - base}))
"""


def _chart(teams: int) -> Result:
    root = Path(__file__).resolve().parent.parent
    done = subprocess.run([sys.executable, "-c", _CHART_PROBE, str(teams)], cwd=root,
                          capture_output=True, text=True, check=True,
                          env={**os.environ, "PYTHONPATH": str(root)})
    probe = json.loads(done.stdout)
    return {
        "chart: import matplotlib ms": round(1000 * probe["import"], 1),
        f"chart of {teams} teams: first render ms": round(1000 * probe["first"], 1),
        f"chart of {teams} teams: later render ms": round(1000 * probe["again"], 1),
        f"chart of {teams} teams: PNG kB": round(probe["png"] / 1024, 1),
        "chart: memory added (import and render) MB": round(probe["memory"], 1),
    }


def run(smoke: bool = False) -> Result:
    size, rounds = (datagen.SMOKE, 1) if smoke else (datagen.FULL, 5)
    results: Result = {}
    results.update(asyncio.run(_sqlite(size, rounds)))
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        results.update(asyncio.run(_postgres(url, size, rounds)))
    results.update(_chart(size.teams))
    return results
