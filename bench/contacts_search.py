"""Per-query cost of the provider search, which reads the directory from the database on
every query (so a re-import shows at once): the shipped 9 providers and a synthetic 1,000.

Reports milliseconds per query (median and 95th percentile) for the whole service call
(database read, fingerprint, ranking; the index is rebuilt only when the rows changed), and
for its parts: the database read and a full index build (what a query right after a
re-import costs on top), on a temporary SQLite database.
"""

from __future__ import annotations

import asyncio
import random
import statistics
import tempfile
import time
from pathlib import Path

from bot.services.contacts import directory
from bot.services.contacts.normalize import terms
from bot.services.contacts.ranking import SearchIndex
from bot.services.organisation import OrgFile, import_organisation, load_org_file
from bot.services.organisation.schema import ContactSpec, ProviderSpec
from bot.settings import DEFAULT_ORG_FILE
from storage import migrate
from storage.db import create_engine, create_session_factory

QUERIES = ("pestalozzi", "pestaloz", "st josef", "Familienzentrum Glashuette", "evang", "sos",
           "Garstedt", "ambulant", "kinderdorff", "wer hilft bei stationär in Harksheide",
           "xyzzy")
_WORDS = ("Jugendhilfe", "Familienhilfe", "Kinderhaus", "Lebenshilfe", "Beratung", "Netzwerk",
          "Werkstatt", "Brücke", "Kompass", "Horizont", "Anker", "Leuchtturm", "Wegweiser")
_FORMS = ("Stiftung", "e.V.", "gGmbH", "Verein", "Zentrum", "Dienste", "Hilfen")
_SERVICES = ("stationaer", "ambulant", "fua", "fuea", "familienzentrum", "familienbildung")


def synthetic(org: OrgFile, count: int) -> OrgFile:
    """The shipped organisation plus generated providers, two contact people each."""
    rng = random.Random(42)
    teams = [t.key for r in org.regions for t in r.teams]
    extra = [
        ProviderSpec(
            key=f"synthetic-{n}",
            name=f"{rng.choice(_WORDS)} {rng.choice(_WORDS)} {rng.choice(_FORMS)} {n}",
            services=rng.sample(_SERVICES, rng.randint(1, 3)),
            teams=rng.sample(teams, rng.randint(0, 2)),
            example=True,
            contacts=[ContactSpec(key=f"k{i}", name=f"Person {n}-{i}", function="Leitung",
                                  phone=f"+49 40 {n:04d} {i:04d}", example=True)
                      for i in range(2)],
        )
        for n in range(max(0, count - len(org.providers)))
    ]
    return org.model_copy(update={"providers": [*org.providers, *extra]})


async def _measure(count: int, rounds: int) -> dict[str, float]:
    org = synthetic(load_org_file(DEFAULT_ORG_FILE), count)
    with tempfile.TemporaryDirectory() as folder:
        engine = create_engine(f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}")
        await migrate.upgrade(engine)
        sessions = create_session_factory(engine)
        async with sessions() as session, session.begin():
            await import_organisation(session, org)
        total: list[float] = []
        load: list[float] = []
        build: list[float] = []
        cold: list[float] = []
        async with sessions() as session:
            for _ in range(rounds):
                terms.cache_clear()  # as after a re-import that changed every provider
                directory._indexes = directory._IndexCache()
                start = time.perf_counter()
                await directory.search(session, QUERIES[0])
                cold.append(time.perf_counter() - start)
                for query in QUERIES:
                    start = time.perf_counter()
                    await directory.search(session, query)
                    total.append(time.perf_counter() - start)
                start = time.perf_counter()
                snapshot = await directory._snapshot(session)
                loaded = time.perf_counter()
                SearchIndex(snapshot.entries())
                load.append(loaded - start)
                build.append(time.perf_counter() - loaded)
        await engine.dispose()

    def ms(values: list[float], q: float) -> float:
        return round(1000 * statistics.quantiles(values, n=20)[int(q * 20) - 1], 2) \
            if len(values) > 1 else round(1000 * values[0], 2)

    return {
        f"{count} providers: search ms (median)": round(1000 * statistics.median(total), 2),
        f"{count} providers: search ms (p95)": ms(total, 0.95),
        f"{count} providers: first search after a change ms (median)": round(
            1000 * statistics.median(cold), 2),
        f"{count} providers: database read ms (median)": round(1000 * statistics.median(load), 2),
        f"{count} providers: index build ms (median)": round(1000 * statistics.median(build), 2),
    }


def run(smoke: bool = False) -> dict[str, float | int | str]:
    results: dict[str, float | int | str] = {}
    for count, rounds in ((9, 2), (40, 1)) if smoke else ((9, 20), (1000, 5)):
        results.update(asyncio.run(_measure(count, rounds)))
    return results
