"""/mydata and /forgetme: the member's own rights; and the daily retention run.

/mydata sends a JSON file with everything the bot stores about the member (the export is
audited). /forgetme explains what happens and asks for confirmation; the confirm button is
single-use and re-checked, then the member's data is erased and their access ends.
"""

from __future__ import annotations

import logging
from datetime import datetime

from telegram import BotCommandScopeChat, InputFile, Update
from telegram.error import TelegramError
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot import callbacks
from bot.errors import N_, STALE, InvalidInput
from bot.leader import leader_only
from bot.services import audit, retention
from handlers.common import answer, claim_press, keyboard, pressed_data, send, show, today
from handlers.context import BotApp, BotContext
from handlers.registry import Command, Feature

PREFIX = "priv"
log = logging.getLogger(__name__)


async def mydata_command(update: Update, context: BotContext) -> None:
    """Send everything stored about the member as a JSON document."""
    scope, t = context.scope, context.t
    user = scope.require_user()
    periods = retention.retention_periods(context.state.settings)
    data = await retention.export_user_data(scope.session, user, scope.now, periods)
    day = today(context).isoformat()
    assert update.effective_chat is not None
    await context.bot.send_document(
        update.effective_chat.id,
        InputFile(retention.to_json(data), filename=f"sozialraum-bot-my-data-{day}.json"),
        caption=t("Everything the bot stores about you, as a JSON file. Hours and budget "
                  "figures stay in the team's records; /forgetme erases your personal data."),
    )
    audit.record(scope.session, at=scope.now, actor_id=user.id, action="export.personal_data",
                 subject_type="user", subject_id=user.id, format="json")


async def forgetme_command(update: Update, context: BotContext) -> None:
    """Explain what erasing means and ask for confirmation."""
    t = context.t
    days = context.state.settings.retention_notes_days
    text = "\n\n".join([
        "<b>" + t("Erase my data") + "</b>",
        t("If you confirm, I will at once:\n"
          "• end your access to the bot,\n"
          "• erase your name, your Telegram id and your language,\n"
          "• erase your notes on logged hours,\n"
          "• end deputyships you hold or gave."),
        t("What stays, without your name: the hours you logged (they are part of your team's "
          "figures), budget requests and decisions (records of public money; their texts are "
          "erased {days} days after the decision) and the audit log, which shows only an "
          "anonymous number.").format(days=days),
        t("The messages of this chat stay on Telegram until you delete the chat there. "
          "If you want a copy of your data, send /mydata first. This cannot be undone."),
    ])
    await send(update, context, text, keyboard([
        [(t("Yes, erase my data"), callbacks.pack(PREFIX, "forget"))],
        [(t("Cancel"), callbacks.pack(PREFIX, "cancel"))],
    ]))


async def pressed(update: Update, context: BotContext) -> None:
    """The confirmation buttons of /forgetme; the erasure runs once, for an active member."""
    await answer(update)
    data = pressed_data(update, PREFIX)
    if data.action not in ("forget", "cancel"):
        raise InvalidInput(STALE)
    t = context.t
    if data.action == "cancel":
        await show(update, context, t("Cancelled. Nothing was changed."))
        return
    if not await claim_press(update, context, "forgetme"):
        return
    scope = context.scope
    user = scope.require_user()
    telegram_id = user.telegram_id
    await retention.forget_me(scope.session, user, scope.now)
    await scope.commit()
    await show(update, context, t("Your data has been erased and your access has ended. "
                                  "Thank you for your work in the Sozialraumteams."))
    await end_chat_session(context.app, telegram_id)


async def end_chat_session(application: BotApp, telegram_id: int) -> None:
    """Forget the person's open dialogues and remove their command menu."""
    application.drop_user_data(telegram_id)
    try:
        await application.bot.delete_my_commands(scope=BotCommandScopeChat(telegram_id))
    except TelegramError:
        log.info("menu of a removed user not deleted")


async def run_retention(application: BotApp) -> retention.PurgeReport:
    """One retention run: purge what is due, commit, log the counts (never contents)."""
    state = application.bot_data["state"]
    now: datetime = state.clock.now()
    async with state.sessions() as session:
        report = await retention.purge_due(
            session, now, retention.retention_periods(state.settings))
        await session.commit()
    log.info("retention run: %s", report.summary())
    return report


@leader_only  # several instances: one runs it
async def _retention_job(context: BotContext) -> None:
    await run_retention(context.app)


def register(application: BotApp) -> None:
    application.add_handler(CommandHandler("mydata", mydata_command))
    application.add_handler(CommandHandler("forgetme", forgetme_command))
    application.add_handler(CallbackQueryHandler(pressed, pattern=callbacks.pattern(PREFIX)))
    settings = application.bot_data["state"].settings
    if application.job_queue is not None:
        application.job_queue.run_daily(
            _retention_job, time=settings.retention_run_at.replace(tzinfo=settings.tz),
            name="retention",
        )


FEATURE = Feature(
    name="privacy",
    register=register,
    commands=(
        Command("mydata", N_("All data the bot stores about you, as a file"), in_menu=False),
        Command("forgetme", N_("Erase your data and leave the bot"), in_menu=False),
    ),
)
