"""The global error handler: a clear answer for the user, the traceback for the log."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.constants import ChatType
from telegram.error import BadRequest, TelegramError
from telegram.ext import ApplicationHandlerStop

from bot import metrics
from bot.errors import DomainError
from handlers.context import BotContext, current_scope

log = logging.getLogger(__name__)


async def on_error(update: object, context: BotContext) -> None:
    """Roll the update back and tell the user; domain errors get their own message."""
    scope = current_scope()
    if scope is not None:
        scope.failed = True
    error = context.error
    if not isinstance(update, Update):
        metrics.UPDATE_ERRORS.inc()
        log.error("error outside an update", exc_info=error)
        return
    if isinstance(error, DomainError) and scope is not None:
        text = error.render(scope.t)
        log.info("update %s refused: %s", update.update_id, type(error).__name__)
    else:
        metrics.UPDATE_ERRORS.inc()
        log.error("update %s failed", update.update_id, exc_info=error)
        if scope is None:
            raise ApplicationHandlerStop
        if scope.committed:  # saved before the failure (e.g. showing the result): don't deny it
            text = scope.t("Sorry, something went wrong after your input was saved. Please "
                           "check the result before you try again.")
        else:
            text = scope.t("Sorry, something went wrong. Nothing was saved. Please try again.")
    await _tell(update, context, text)
    raise ApplicationHandlerStop


async def _tell(update: Update, context: BotContext, text: str) -> None:
    """An alert on the pressed button if it is still unanswered, else a message."""
    try:
        if update.callback_query is not None and len(text) <= 200:
            try:
                await update.callback_query.answer(text, show_alert=True)
                return
            except BadRequest:
                pass  # already answered by the handler
        chat = update.effective_chat
        if chat is not None and chat.type == ChatType.PRIVATE:
            await context.bot.send_message(chat.id, text)
        elif chat is None and update.callback_query is not None:
            # A press without its message (e.g. an old inline button): answer privately.
            await context.bot.send_message(update.callback_query.from_user.id, text)
    except TelegramError:  # the reply itself may fail, e.g. when Telegram is unreachable
        log.warning("could not tell the user about the error of update %s", update.update_id)
