"""/week: the team's week against its quotas, with earlier weeks; leads see each person and
can reopen a closed week."""

from __future__ import annotations

from datetime import date

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot import callbacks
from bot.errors import N_, STALE, InvalidInput
from bot.services import access, hours
from bot.services.access import leads_region
from bot.services.hours import Week
from handlers.common import answer, keyboard, pressed_data, show, today
from handlers.context import BotApp, BotContext
from handlers.hours import policy
from handlers.hours_views import week_text
from handlers.registry import Command, Feature
from storage.models import Team

PREFIX = "wk"


async def _visible_teams(context: BotContext) -> list[Team]:
    return await access.visible_teams(context.scope.session, context.scope.require_user())


async def week_command(update: Update, context: BotContext) -> None:
    """Show the current week of the user's team, or let them choose a team first."""
    teams = await _visible_teams(context)
    if not teams:
        raise InvalidInput(N_("You are not a member of any team yet."))
    current = Week.of(today(context))
    if len(teams) == 1:
        await _show_week(update, context, teams[0], current)
        return
    rows = [[(team.name, callbacks.pack(PREFIX, "show", team.id, current.start.strftime("%Y%m%d")))]
            for team in teams]
    await show(update, context, context.t("Which team?"), keyboard(rows))


async def _show_week(update: Update, context: BotContext, team: Team, week: Week) -> None:
    scope = context.scope
    user = scope.require_user()
    progress = await hours.week_progress(scope.session, user, team, week, today=today(context),
                                         policy=policy(context))
    t = context.t
    nav = [(t("◀ Previous week"), callbacks.pack(PREFIX, "show", team.id, _key(week.shifted(-1))))]
    if week < Week.of(today(context)):
        nav.append((t("Next week ▶"), callbacks.pack(PREFIX, "show", team.id,
                                                      _key(week.shifted(1)))))
    rows = [nav]
    if progress.locked and leads_region(user, team.region_id):
        rows.append([(t("🔓 Reopen this week"),
                      callbacks.pack(PREFIX, "reopen", team.id, _key(week)))])
    await show(update, context, week_text(t, progress), keyboard(rows))


def _key(week: Week) -> str:
    return week.start.strftime("%Y%m%d")


def _week_from(text: str | None) -> Week:
    try:
        day = date(int(text[:4]), int(text[4:6]), int(text[6:8])) if text else None
    except ValueError:
        day = None
    if day is None:
        raise InvalidInput(STALE)
    return Week.of(day)


async def week_pressed(update: Update, context: BotContext) -> None:
    """Navigate weeks or reopen one; team visibility and lead rights are checked again."""
    await answer(update)
    data = pressed_data(update, PREFIX)
    if data.action not in ("show", "reopen"):
        raise InvalidInput(STALE)
    team = next((t for t in await _visible_teams(context) if t.id == data.int_arg(0)), None)
    if team is None:
        raise InvalidInput(N_("You can only see the weeks of your own teams."))
    week = _week_from(data.arg(1))
    if data.action == "reopen":
        scope = context.scope
        reopening = await hours.reopen_week(scope.session, scope.require_user(), team, week,
                                            today=today(context), now=scope.now,
                                            policy=policy(context))
        await scope.commit()
        await _show_week(update, context, team, week)
        await context.bot.send_message(
            scope.require_user().telegram_id,
            context.t("The week is open again until {date}.").format(
                date=context.t.date(reopening.open_until)),
        )
        return
    await _show_week(update, context, team, week)


def register(application: BotApp) -> None:
    application.add_handler(CommandHandler("week", week_command))
    application.add_handler(CallbackQueryHandler(week_pressed, pattern=callbacks.pattern(PREFIX)))


FEATURE = Feature(
    name="week",
    register=register,
    commands=(Command("week", N_("The team's hours this week against the quotas")),),
)
