"""Last resort for anything no feature handled: a hint, never silence, never a crash."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import Update
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot.errors import STALE
from handlers.common import answer
from handlers.context import BotApp, BotContext

# bot_data key: a feature that answers text typed outside any dialogue (the FAQ does).
STRAY_TEXT = "stray_text"
StrayTextHandler = Callable[[Update, BotContext], Awaitable[None]]

MEDIA = (
    filters.Sticker.ALL
    | filters.PHOTO
    | filters.VOICE
    | filters.AUDIO
    | filters.VIDEO
    | filters.VIDEO_NOTE
    | filters.ANIMATION
    | filters.Document.ALL
    | filters.LOCATION
    | filters.CONTACT
    | filters.POLL
    | filters.Dice.ALL
)


async def nothing_to_cancel(update: Update, context: BotContext) -> None:
    assert update.message is not None
    await update.message.reply_text(context.t("There is nothing to cancel."))


async def unknown_command(update: Update, context: BotContext) -> None:
    assert update.message is not None
    await update.message.reply_text(
        context.t("I don't know this command. /help shows what you can do.")
    )


async def unsupported_media(update: Update, context: BotContext) -> None:
    assert update.message is not None
    await update.message.reply_text(
        context.t("I can only read text messages and buttons. /help shows what you can do.")
    )


async def unhandled_text(update: Update, context: BotContext) -> None:
    """Text no dialogue took: the feature registered for it answers, else a hint."""
    handler: StrayTextHandler | None = context.application.bot_data.get(STRAY_TEXT)
    if handler is not None:
        await handler(update, context)
        return
    assert update.message is not None
    await update.message.reply_text(
        context.t("I did not understand that. /help shows what you can do.")
    )


async def stale_button(update: Update, context: BotContext) -> None:
    await answer(update, context.t(STALE), alert=True)


def register_fallbacks(application: BotApp) -> None:
    """Register after every feature, in the default group, so features take precedence."""
    application.add_handler(CommandHandler("cancel", nothing_to_cancel))
    application.add_handler(MessageHandler(filters.COMMAND, unknown_command))
    application.add_handler(MessageHandler(MEDIA, unsupported_media))
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, unhandled_text))
    application.add_handler(CallbackQueryHandler(stale_button))
