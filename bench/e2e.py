"""End-to-end throughput and latency: the bot against a bare python-telegram-bot echo bot.

N simulated users (default 50) go through the hours dialogue against the local Bot API
simulator over real HTTP. The bot (SQLite, then PostgreSQL) and an echo bot — PTB's
``Application`` with a handler that answers, the framework's ceiling — run in processes of
their own (``bench.bot_process``) on the same simulator, with the same users and the same
updates, in alternating runs (bot, echo, echo, bot, …) so that the noise of a shared machine
falls on both alike.

* saturation: every user taps as soon as the answer is there. Updates/s is the capacity;
  latency there is mostly waiting in the queue (Little's law: 50 users / capacity). The
  ratio bot/echo is the median over pairs of neighbouring runs; the CPU time each process
  spent per update (from /proc) gives the same ratio with less of the machine's noise.
* paced: the same users with a person's pauses (1.5–3.5 s between taps, about 20 updates/s
  in all): the latency a user feels with 50 people busy at once. The p99 target is for this.
"""

from __future__ import annotations

import asyncio
import statistics
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from bench.bot_process import bot_process
from bench.databases import Database, backends, fresh_database
from bench.load import FLOW_UPDATES, LoadResult, ms, percentile, run_users
from bench.machine import cpu_seconds
from bot.services import access
from bot.simulator import BotApiSimulator, SimUser
from storage.db import create_session_factory
from storage.models import HourEntry, Role

PRODUCT_TOKEN = "700001:BENCH-PRODUCT"
ECHO_TOKEN = "700002:BENCH-ECHO"
FIRST_TELEGRAM_ID = 900_001
TEAMS = ("nord-a", "nord-b", "sued-a", "sued-b")
PACE = (1.5, 3.5)
SMOKE_PACE = (0.02, 0.08)

TARGETS: dict[str, tuple[str, float]] = {
    "*: bot/echo throughput ratio": (">=", 0.8),
    "*: paced: bot p99 ms": ("<=", 100.0),
}


async def saved_entries(database: Database) -> int:
    """Hour entries in the database: each finished dialogue must have saved one."""
    engine = database.engine()
    try:
        async with engine.connect() as connection:
            return int(await connection.scalar(select(func.count()).select_from(HourEntry))
                       or 0)
    finally:
        await engine.dispose()


async def register_users(database: Database, count: int) -> list[int]:
    """``count`` provider staff, spread over the shipped teams; their Telegram ids."""
    engine = database.engine()
    now = datetime.now(UTC)
    ids = [FIRST_TELEGRAM_ID + i for i in range(count)]
    try:
        async with create_session_factory(engine)() as session, session.begin():
            for index, telegram_id in enumerate(ids):
                invitation = await access.create_invitation(
                    session, role=Role.PROVIDER, now=now, ttl=timedelta(days=1),
                    team_key=TEAMS[index % len(TEAMS)])
                await access.register(session, telegram_id=telegram_id,
                                      display_name=f"Person {index}", locale="de",
                                      code=invitation.code, now=now)
    finally:
        await engine.dispose()
    return ids


def _figures(prefix: str, runs: list[LoadResult],
             cpu: float | None = None) -> dict[str, float | int | str]:
    latencies = [value for run in runs for value in run.latencies]
    figures: dict[str, float | int | str] = {
        f"{prefix} updates/s": round(statistics.median(r.per_second for r in runs), 1),
        f"{prefix} p50 ms": ms(percentile(latencies, 50)),
        f"{prefix} p99 ms": ms(percentile(latencies, 99)),
    }
    if cpu is not None:
        figures[f"{prefix} CPU ms per update"] = round(1000 * cpu / max(1, len(latencies)), 2)
    return figures


async def _measure(database: Database, users: int, rounds: int, repeats: int,
                   paced_rounds: int, pace: tuple[float, float]) -> dict[str, float | int | str]:
    ids = await register_users(database, users)
    async with BotApiSimulator() as sim:
        sim.add_bot(token=PRODUCT_TOKEN, username="bench_bot")
        sim.add_bot(token=ECHO_TOKEN, username="echo_bot")

        def people(token: str) -> list[SimUser]:
            return [sim.user(telegram_id, f"Person {i}", "de", bot_token=token)
                    for i, telegram_id in enumerate(ids)]

        async with bot_process("product", sim.base_url, PRODUCT_TOKEN,
                               database.process_args()) as product, \
                bot_process("echo", sim.base_url, ECHO_TOKEN) as echo:
            sides = {"bot": (people(PRODUCT_TOKEN), product.pid),
                     "echo": (people(ECHO_TOKEN), echo.pid)}
            runs: dict[str, list[LoadResult]] = {"bot": [], "echo": []}
            cpu = {"bot": 0.0, "echo": 0.0}
            for group, _pid in sides.values():
                await run_users(group, 1)  # warm-up: imports, caches, connections
            for repeat in range(repeats):  # short runs, alternating: noise falls on both
                for side in ("bot", "echo") if repeat % 2 == 0 else ("echo", "bot"):
                    group, pid = sides[side]
                    before = cpu_seconds(pid)
                    runs[side].append(await run_users(group, rounds))
                    cpu[side] += cpu_seconds(pid) - before
            paced = await run_users(sides["bot"][0], paced_rounds, think=pace)
    dialogues = users * (1 + repeats * rounds + paced_rounds)
    pairs = zip(runs["bot"], runs["echo"], strict=True)
    ratios = [bot.per_second / echo.per_second for bot, echo in pairs]
    bot_cpu = _figures("saturation: bot", runs["bot"], cpu["bot"])
    echo_cpu = _figures("saturation: echo", runs["echo"], cpu["echo"])
    return {
        **bot_cpu,
        **echo_cpu,
        "bot/echo throughput ratio": round(statistics.median(ratios), 3),
        "bot/echo ratio by CPU per update": round(
            float(echo_cpu["saturation: echo CPU ms per update"])
            / max(1e-9, float(bot_cpu["saturation: bot CPU ms per update"])), 3),
        **_figures("paced: bot", [paced]),
        "updates unanswered": sum(r.unanswered for r in [*runs["bot"], *runs["echo"], paced]),
        "bot dialogues played / hour entries saved":
            f"{dialogues} / {await saved_entries(database)}",
    }


async def _run(smoke: bool, users: int) -> dict[str, float | int | str]:
    rounds, repeats, paced_rounds, pace = (1, 2, 1, SMOKE_PACE) if smoke else (1, 8, 2, PACE)
    results: dict[str, float | int | str] = {
        "users / updates per dialogue": f"{users} / {FLOW_UPDATES}"}
    for backend, skipped in (await backends(smoke)).items():
        if skipped is not None:
            results[f"{backend}: skipped"] = skipped
            continue
        async with fresh_database(backend) as database:
            figures = await _measure(database, users, rounds, repeats, paced_rounds, pace)
        results.update({f"{backend}: {name}": value for name, value in figures.items()})
    return results


def run(smoke: bool = False, users: int = 50) -> dict[str, float | int | str]:
    return asyncio.run(_run(smoke, 3 if smoke else users))
