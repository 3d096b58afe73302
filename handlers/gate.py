"""The gate in front of every feature: registered members only, private chats only.

Runs in handler group -1. Strangers may use /start and /help and get a short explanation
otherwise; group chats get a pointer to a private chat and never any data. In front of it,
flood control (:class:`bot.app.BotApplication`) drops a flooding user's updates and has
:func:`tell_to_slow_down` say so once per burst.
"""

from __future__ import annotations

import logging

from telegram import InlineQueryResultsButton, Update
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop, TypeHandler

from bot.i18n import Translator
from handlers.common import answer
from handlers.context import BotApp, BotContext

log = logging.getLogger(__name__)

GATE_GROUP = -1
PUBLIC_COMMANDS = frozenset({"start", "help"})


def command_name(text: str | None) -> str | None:
    """``/start@bot abc`` → ``start``; None for text that is not a command."""
    if not text or not text.startswith("/"):
        return None
    return text[1:].split(maxsplit=1)[0].split("@")[0].lower() if len(text) > 1 else None


def not_registered_text(context: BotContext) -> str:
    t = context.t
    scope = context.scope
    if scope.user is not None and not scope.user.active:
        return t("Your access has been deactivated. Please contact the administrator.")
    return t(
        "This bot serves the Sozialraumteams of the Jugendamt and is open to invited "
        "members only.\n\nTo get access, ask your team lead or the administrator for an "
        "invitation link and open it, or send /start followed by your invitation code."
    )


async def gate(update: Update, context: BotContext) -> None:
    chat = update.effective_chat
    if update.edited_message is not None or update.edited_channel_post is not None:
        raise ApplicationHandlerStop  # edits are not re-processed; nothing to answer
    if chat is not None and chat.type != ChatType.PRIVATE:
        await _point_to_private_chat(update, context)
        raise ApplicationHandlerStop
    if context.scope.registered:
        return
    if update.inline_query is not None:
        await update.inline_query.answer(
            [],
            cache_time=0,
            is_personal=True,
            button=InlineQueryResultsButton(context.t("Open the bot"), start_parameter="help"),
        )
    elif update.callback_query is not None:
        await answer(update, not_registered_text(context)[:200], alert=True)
    elif update.message is not None:
        if command_name(update.message.text) in PUBLIC_COMMANDS:
            return
        await update.message.reply_text(not_registered_text(context))
    raise ApplicationHandlerStop


async def _point_to_private_chat(update: Update, context: BotContext) -> None:
    """Answer commands and mentions in groups with a pointer; stay silent otherwise."""
    message = update.message
    username = context.bot.username
    text = context.t(
        "I only work in a private chat, so that no data is shown in groups. "
        "Please write to me directly: @{bot}"
    ).format(bot=username)
    if update.callback_query is not None:
        await answer(update, text[:200], alert=True)
    elif message is not None and message.text and (
        command_name(message.text) is not None or f"@{username}".lower() in message.text.lower()
    ):
        await message.reply_text(text)


async def tell_to_slow_down(update: Update, t: Translator) -> None:
    """Say that updates are being dropped: on the pressed button, else in the private chat.

    Best effort: the user may never have opened a private chat with the bot (an inline query
    from elsewhere), and a refusal must not make a dropped update fail.
    """
    text = t("You are sending a lot of messages right now – please wait a moment, "
             "then try again.")
    sender = update.effective_user
    try:
        if update.callback_query is not None:
            await answer(update, text, alert=True)
        elif sender is not None:
            await update.get_bot().send_message(sender.id, text)
    except TelegramError as exc:
        log.info("flood notice for update %s not delivered: %s", update.update_id, exc)


def register_gate(application: BotApp) -> None:
    application.add_handler(TypeHandler(Update, gate), group=GATE_GROUP)
