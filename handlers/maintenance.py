"""The hourly housekeeping job (``bot/services/maintenance.py``), run by the leader only."""

from __future__ import annotations

import logging
from datetime import timedelta

from bot.leader import leader_only
from bot.services import maintenance
from handlers.context import BotApp, BotContext

log = logging.getLogger(__name__)
INTERVAL = timedelta(hours=1)


async def run_maintenance(application: BotApp) -> int:
    state = application.bot_data["state"]
    async with state.sessions() as session, session.begin():
        removed = await maintenance.purge(session, state.clock.now())
    if removed:
        log.info("housekeeping: %s idle dialogue rows removed", removed)
    return removed


@leader_only
async def _maintenance_job(context: BotContext) -> None:
    await run_maintenance(context.app)


def register_maintenance(application: BotApp) -> None:
    if application.job_queue is not None:
        application.job_queue.run_repeating(
            _maintenance_job, interval=INTERVAL, first=timedelta(minutes=5), name="maintenance")
