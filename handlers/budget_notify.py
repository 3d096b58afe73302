"""Messages to other people: request cards for deciders, updates of their copies, requesters.

Called after the deciding transaction has committed; the notice rows written here are
committed with the rest of the update (or by the job that sent them).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, tzinfo

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Bot, InlineKeyboardMarkup, Message
from telegram.error import BadRequest, TelegramError

from bot.i18n import I18n, Translator
from bot.services.budget import allocation, deciders, requests
from handlers import budget_views as views
from storage.models import BudgetRequest, User

log = logging.getLogger(__name__)

Build = Callable[[Translator], tuple[str, InlineKeyboardMarkup | None]]


async def available_for(session: AsyncSession, request: BudgetRequest) -> int | None:
    status = await allocation.status(session, request.budget.region_id, request.budget.year)
    return status.figures.available if status else None


def card(
    t: Translator, request: BudgetRequest, *, tz: tzinfo, available: int | None, heading: str,
    extra: Callable[[Translator], str] | None = None,
) -> tuple[str, InlineKeyboardMarkup | None]:
    """The request as a decider sees it, with the decision buttons; ``heading`` a catalog id."""
    text = views.card_text(t, request, tz, available=available, heading=t(heading))
    if extra is not None:
        text += "\n\n" + extra(t)
    return text, views.decision_keyboard(t, request)


def remember_copy(session: AsyncSession, request: BudgetRequest, user: User,
                  message: Message) -> None:
    """Record a decider's copy, so that a decision can update it."""
    requests.remember_copy(session, request, user, chat_id=message.chat_id,
                           message_id=message.message_id)


async def send_cards(
    bot: Bot, session: AsyncSession, i18n: I18n, request: BudgetRequest, *, today: date,
    tz: tzinfo, heading: str, only: list[User] | None = None,
    extra: Callable[[Translator], str] | None = None,
) -> int:
    """Send the request with decision buttons to every decider (or ``only`` these).

    ``heading`` is a catalog id; each copy is recorded so that a decision can update it.
    """
    recipients = only if only is not None else await deciders.deciders(
        session, request.budget.region_id, today)
    available = await available_for(session, request)
    sent: list[tuple[User, int, int]] = []
    for user in recipients:
        if user.id == request.requester_id:
            continue  # nobody decides their own request
        text, markup = card(i18n.get(user.locale), request, tz=tz, available=available,
                            heading=heading, extra=extra)
        try:
            message = await bot.send_message(user.telegram_id, text, reply_markup=markup)
        except TelegramError:
            log.warning("card of request %s not delivered to user %s", request.id, user.id)
            continue
        sent.append((user, message.chat_id, message.message_id))
    await requests.remember_copies(session, request, sent)
    return len(sent)


async def update_copies(
    bot: Bot, session: AsyncSession, i18n: I18n, request: BudgetRequest, *, tz: tzinfo
) -> set[tuple[int, int]]:
    """Every decider's copy shows the current state; a decided request loses its buttons.

    Returns the (chat id, message id) of every copy.
    """
    notices = await requests.copies(session, request)
    for notice, user in notices:
        t = i18n.get(user.locale if user else None)
        try:
            await bot.edit_message_text(
                views.card_text(t, request, tz), chat_id=notice.chat_id,
                message_id=notice.message_id, reply_markup=views.decision_keyboard(t, request),
            )
        except BadRequest as exc:
            if "not modified" not in exc.message.lower():
                log.info("copy of request %s not updated: %s", request.id, exc.message)
        except TelegramError:
            log.warning("copy of request %s not updated", request.id)
    return {(n.chat_id, n.message_id) for n, _ in notices}


async def tell(bot: Bot, i18n: I18n, user: User, build: Build) -> None:
    """Send a message built in ``user``'s language; an unreachable chat is only logged.

    Deactivated people lost their access and hear nothing more.
    """
    if not user.active:
        return
    text, markup = build(i18n.get(user.locale))
    try:
        await bot.send_message(user.telegram_id, text, reply_markup=markup)
    except TelegramError:
        log.warning("message to user %s not delivered", user.id)
