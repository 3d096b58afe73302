"""Steps several chat stories share: a budget request sent, hours logged, digests run and read."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from handlers.scheduler import run_scheduler
from storage.models import (
    HourCategory,
    HourEntry,
    Team,
)

BERLIN = ZoneInfo("Europe/Berlin")


async def _open_new_request(user):
    """/budget → New request: the dialogue's first question (the team or the amount)."""
    await user.send("/budget")
    await user.reply()
    await user.tap("Neuer Antrag")
    return await user.reply()


async def _send_request(user, amount="1.250,50", title="Stadtteilfest Harksheide",
                        description="Getränke und Spiele", day="15.12."):
    await _open_new_request(user)
    for text in (amount, title, description, day):
        await user.send(text)
        await user.reply()
    await user.tap("Absenden")
    return await user.reply()


ONLY_RECIPIENTS = "Regionalleitungen, die Steuerungsgruppe und die Administration"


async def _log(bot, user, team: str, category: str, day: date, minutes: int) -> None:
    async with bot.sessions() as session, session.begin():
        team_id = await session.scalar(select(Team.id).where(Team.key == team))
        category_id = await session.scalar(select(HourCategory.id)
                                           .where(HourCategory.key == category))
        session.add(HourEntry(user_id=user.user_id, team_id=team_id, category_id=category_id,
                              work_date=day, minutes=minutes, created_at=bot.clock.now()))


PNG = b"\x89PNG\r\n\x1a\n"


def berlin(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=BERLIN)


def digests(user) -> list:
    """The digests a user received: photos with a caption, starting with the heading."""
    return [m for m in user.sim.messages if m.photo is not None and "📊" in m.text]


async def run_at(bot, when: datetime):
    bot.clock.set(when)
    return await run_scheduler(bot.app)
