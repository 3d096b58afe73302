"""Small helpers every handler uses: show a text, answer a press, check a role, run a dialogue."""

from __future__ import annotations

import logging
import warnings
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatType
from telegram.error import BadRequest
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, ConversationHandler
from telegram.warnings import PTBUserWarning

from bot import callbacks
from bot.errors import N_, STALE, InvalidInput, NotAllowed
from bot.services.hours.weeks import local_today
from handlers.context import BotContext
from storage.models import Role
from storage.repositories.system import claim_once

log = logging.getLogger(__name__)
Markup = InlineKeyboardMarkup | None
DialogueStep = BaseHandler[Update, BotContext, object]


def keyboard(rows: Sequence[Sequence[tuple[str, str]]]) -> InlineKeyboardMarkup:
    """Inline keyboard from rows of (label, callback data)."""
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=data) for label, data in row] for row in rows]
    )


async def send(update: Update, context: BotContext, text: str, markup: Markup = None) -> Message:
    """Send a new message into the update's chat."""
    chat = update.effective_chat
    assert chat is not None
    return await context.bot.send_message(chat.id, text, reply_markup=markup)


async def show(update: Update, context: BotContext, text: str, markup: Markup = None) -> None:
    """Edit the pressed message in place, or send a new one for a typed message."""
    query = update.callback_query
    if query is not None and isinstance(query.message, Message):
        try:
            await query.edit_message_text(text, reply_markup=markup)
        except BadRequest as exc:
            if "not modified" not in exc.message.lower():
                raise
        return
    await send(update, context, text, markup)


async def answer(update: Update, text: str | None = None, *, alert: bool = False) -> None:
    """Answer a button press (stops the spinner); harmless for other updates.

    A press handled late — the bot was down and Telegram delivered it again — can no longer be
    answered: Telegram refuses with "query is too old". The press still counts; an alert's
    text then comes as a message.
    """
    query = update.callback_query
    if query is None:
        return
    try:
        await query.answer(text, show_alert=alert)
    except BadRequest as exc:
        if "query is too old" not in exc.message.lower():
            raise
        log.info("button press of update %s came too late to be answered", update.update_id)
        message = query.message
        if text and message is not None and message.chat.type == ChatType.PRIVATE:
            await query.get_bot().send_message(message.chat.id, text)


def local_now(context: BotContext) -> datetime:
    """The update's clock in the office's time zone."""
    return context.scope.now.astimezone(context.state.settings.tz)


def today(context: BotContext) -> date:
    """The office's calendar day at the update's clock (not the server's)."""
    return local_today(context.scope.now, context.state.settings.tz)


def require_role(context: BotContext, *roles: Role) -> None:
    if context.scope.role not in roles:
        raise NotAllowed(N_("This is not available for your role."))


async def claim_press(update: Update, context: BotContext, action: str) -> bool:
    """True for the first press of a one-shot button on this message; False for repeats."""
    query = update.callback_query
    assert query is not None and query.message is not None
    key = f"{action}:{query.message.chat.id}:{query.message.message_id}"
    return await claim_once(context.scope.session, key, context.scope.now)


def pressed_data(update: Update, prefix: str) -> callbacks.Callback:
    """The pressed button's data of ``prefix``; a malformed or outdated one is refused."""
    query = update.callback_query
    data = callbacks.unpack(query.data if query else None, prefix)
    if data is None:
        raise InvalidInput(STALE)
    return data


def message_text(update: Update) -> str:
    """The text of the message the user typed; "" for a message without text (a photo)."""
    assert update.message is not None
    return update.message.text or ""


def user_data(context: BotContext) -> dict[str, Any]:
    """The user's dialogue state (PTB keeps it per user)."""
    assert context.user_data is not None
    return context.user_data


async def leave_dialogue(update: Update, context: BotContext, said: str, *drafts: str) -> int:
    """End a dialogue: forget its ``drafts`` (user data keys) and show the catalog id ``said``."""
    for key in drafts:
        user_data(context).pop(key, None)
    await show(update, context, context.t(said))
    return ConversationHandler.END


def dialogue(
    name: str,
    entry_points: list[DialogueStep],
    states: dict[object, list[DialogueStep]],
    *,
    cancelled: str,
    drafts: Sequence[str] = (),
    cancel_button: str | None = None,
    fallbacks: Sequence[DialogueStep] = (),
) -> ConversationHandler[BotContext]:
    """A dialogue as every feature runs it; each passes only what differs.

    It is kept per user and chat under ``name`` in the persistence, so it survives a restart,
    and an entry point starts it afresh at any step. /cancel (and the button matching
    ``cancel_button``) ends it through :func:`leave_dialogue` with ``cancelled`` and ``drafts``.
    ``fallbacks`` come after these.
    """

    async def cancel(update: Update, context: BotContext) -> int:
        await answer(update)
        return await leave_dialogue(update, context, cancelled, *drafts)

    ways_out: list[DialogueStep] = [CommandHandler("cancel", cancel)]
    if cancel_button is not None:
        ways_out.append(CallbackQueryHandler(cancel, pattern=cancel_button))
    with warnings.catch_warnings():
        # PTB warns that buttons are not tracked per message; on purpose: a dialogue belongs to
        # the user's chat, and every button carries (and re-checks) its own data.
        warnings.filterwarnings("ignore", message=r".*per_message=False", category=PTBUserWarning)
        return ConversationHandler(
            entry_points=entry_points,
            states=states,
            fallbacks=ways_out + list(fallbacks),
            allow_reentry=True,
            per_chat=True,
            per_user=True,
            per_message=False,
            name=name,
            persistent=True,
        )
