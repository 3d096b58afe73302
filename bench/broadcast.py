"""Broadcast at Telegram's limit: one message to each of 1,000 leads, through the real path.

The simulator enforces about 30 messages/s for the bot (and 1/s per chat) and answers
anything faster with ``429 Too Many Requests`` and a ``retry_after``, as Telegram does. The
bot is built as in production (``build_application``: PTB with ``AIORateLimiter``) and sends
through the scheduler's delivery path: each message is claimed in the ledger, sent, and
marked sent (``handlers/scheduler.py``). Reported: messages/s as a share of the limit,
messages lost (never arrived) and doubled (arrived twice) — both must be 0 — and how often
the simulator had to refuse.

A feature adds its own broadcast with one line (see :func:`register`), e.g. the digest::

    register(Broadcast("digest to leads", prepare=make_digests_due, send=run_digests,
                       messages_per_recipient=2))
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bench.databases import fresh_database
from bench.datagen import FIRST_TELEGRAM_ID, insert_chunked, insert_users
from bot.app import BotApplication, build_application
from bot.settings import Settings
from bot.simulator import BotApiSimulator
from handlers.scheduler import run_scheduler
from storage.db import create_session_factory
from storage.models import Region, Reminder, Role

TOKEN = "700003:BENCH-BROADCAST"
LIMIT_PER_SECOND = 30.0

TARGETS: dict[str, tuple[str, float]] = {
    "*: share of the limit": (">=", 0.9),
    "*: messages lost": ("==", 0),
    "*: messages doubled": ("==", 0),
}


@dataclass(frozen=True)
class Broadcast:
    name: str
    # Make something due for each recipient (user ids), as of ``now``.
    prepare: Callable[[AsyncSession, list[int], datetime], Awaitable[None]]
    # Send everything that is due, as the bot's job would.
    send: Callable[[BotApplication], Awaitable[object]]
    messages_per_recipient: int = 1


BROADCASTS: list[Broadcast] = []


def register(broadcast: Broadcast) -> Broadcast:
    BROADCASTS.append(broadcast)
    return broadcast


async def _personal_reminders_due(session: AsyncSession, user_ids: list[int],
                                  now: datetime) -> None:
    due = now - timedelta(minutes=1)
    await insert_chunked(session, Reminder, (
        {"user_id": user_id, "text": "Wochenbericht an die Leitung", "rule": None,
         "local_time": None, "next_at": due, "created_at": due, "fired_at": None,
         "done": False, "snoozed_from_id": None} for user_id in user_ids))


async def _run_scheduler(application: BotApplication) -> object:
    return await run_scheduler(application)


register(Broadcast("scheduler: a reminder to each lead", _personal_reminders_due,
                   _run_scheduler))


async def _measure(broadcast: Broadcast, recipients: int) -> dict[str, float | int | str]:
    now = datetime.now(UTC)
    async with fresh_database("sqlite") as database:
        engine = database.engine()
        async with create_session_factory(engine)() as session, session.begin():
            region = await session.scalar(select(Region.id).order_by(Region.id))
            user_ids = await insert_users(session, now, [
                {"role": Role.LEAD, "region_id": region} for _ in range(recipients)])
            await broadcast.prepare(session, user_ids, now)
        async with BotApiSimulator(enforce_rate_limits=True,
                                   global_per_second=LIMIT_PER_SECOND) as sim:
            sim.add_bot(token=TOKEN, username="bench_broadcast_bot")
            for n in range(recipients):
                sim.user(FIRST_TELEGRAM_ID + n, f"Person {n}", "de")
            settings = Settings(
                _env_file=None, telegram_bot_token=TOKEN,
                telegram_bot_username="bench_broadcast_bot", telegram_api_base_url=sim.base_url,
                database_url=database.url, health_port=0)
            application = build_application(settings, engine=engine)
            async with application:
                started = time.perf_counter()
                await broadcast.send(application)
                seconds = time.perf_counter() - started
            arrived = [len(sim.messages_in(FIRST_TELEGRAM_ID + n)) for n in range(recipients)]
            refused = sim.stats.rate_limited
        await engine.dispose()
    expected = broadcast.messages_per_recipient
    delivered = sum(min(count, expected) for count in arrived)
    rate = sum(arrived) / seconds
    return {
        "messages": recipients * expected,
        "messages/s": round(rate, 1),
        "share of the limit": round(rate / LIMIT_PER_SECOND, 3),
        "messages lost": recipients * expected - delivered,
        "messages doubled": sum(max(0, count - expected) for count in arrived),
        "429 answers (retried)": refused,
        "seconds": round(seconds, 1),
    }


async def _run(smoke: bool, recipients: int) -> dict[str, float | int | str]:
    results: dict[str, float | int | str] = {
        "limit (simulator, like Telegram) messages/s": LIMIT_PER_SECOND}
    for broadcast in BROADCASTS:
        figures = await _measure(broadcast, recipients)
        results.update({f"{broadcast.name}: {k}": v for k, v in figures.items()})
    return results


def run(smoke: bool = False, recipients: int = 1000) -> dict[str, float | int | str]:
    return asyncio.run(_run(smoke, 40 if smoke else recipients))
