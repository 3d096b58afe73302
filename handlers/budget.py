"""/budget: FuA budget figures, requests by team members, decisions by the region's leads.

Every press is re-checked by the budget services against role, region and the request's
current state; the callback data only names what was pressed. Messages to other people are
sent after the update's transaction has committed.
"""

from __future__ import annotations

import functools
import html
from collections.abc import Callable, Coroutine
from datetime import date
from typing import Any

from telegram import Update
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot import callbacks
from bot.errors import N_, STALE, InvalidInput
from bot.i18n import Translator
from bot.parsing import parse_day, parse_money
from bot.services.budget import allocation, deciders
from bot.services.budget import requests as budget_requests
from bot.services.budget.requests import AlreadyDecided
from bot.services.privacy import FREE_TEXT_REMINDER
from handlers import budget_views as views
from handlers.budget_notify import available_for, send_cards, tell, update_copies
from handlers.common import (
    Markup,
    answer,
    claim_press,
    dialogue,
    keyboard,
    message_text,
    pressed_data,
    require_role,
    send,
    show,
    today,
    user_data,
)
from handlers.context import BotApp, BotContext
from handlers.labels import erased_text
from handlers.registry import Command, Feature
from storage.models import BudgetRequest, RequestState, Role

(
    NEW_TEAM, NEW_AMOUNT, NEW_TITLE, NEW_DESCRIPTION, NEW_DATE, NEW_CONFIRM,
    DECIDE_AMOUNT, REASON, QUESTION, ANSWER, COST,
) = range(11)
DRAFT = "budget_draft"
TARGET = "budget_target"
TEAM_ROLES = frozenset({Role.CASEWORKER, Role.NETWORKER, Role.PROVIDER})
TEXT = filters.TEXT & ~filters.COMMAND


def _pressed(update: Update) -> callbacks.Callback:
    return pressed_data(update, views.PREFIX)


def _user_data(context: BotContext) -> dict[str, Any]:
    return user_data(context)


# --- A request decided meanwhile --------------------------------------------------------------

Step = Callable[[Update, BotContext], Coroutine[Any, Any, int]]


async def _tell_decided(update: Update, context: BotContext, decided: AlreadyDecided) -> None:
    """Say who decided the request and how; nothing was written, so nothing is undone."""
    _user_data(context).pop(TARGET, None)
    await send(update, context, views.already_decided_text(
        context.t, decided.request, context.state.settings.tz))


def _ends_when_decided(step: Step) -> Step:
    """A dialogue step about a request that got decided meanwhile ends the dialogue: the error
    handler alone would leave it waiting for a text that can no longer change anything."""

    @functools.wraps(step)
    async def guarded(update: Update, context: BotContext) -> int:
        try:
            return await step(update, context)
        except AlreadyDecided as decided:
            await _tell_decided(update, context, decided)
            return ConversationHandler.END

    return guarded


# --- Overview -------------------------------------------------------------------------------


async def budget_command(update: Update, context: BotContext) -> None:
    """Show the region's figures, the user's requests and what they can do next."""
    await overview(update, context)


async def overview(update: Update, context: BotContext) -> None:
    scope, t = context.scope, context.t
    user = scope.require_user()
    current_day = today(context)
    parts: list[str] = []
    for region in await allocation.regions_of(scope.session, user):
        for year, status in await allocation.statuses(scope.session, region.id, current_day.year):
            parts.append(
                views.status_text(t, status) if status else t(
                    "No FuA budget is set for {region} in {year} yet."
                ).format(region=html.escape(region.name), year=year)
            )
    rows: list[list[tuple[str, str]]] = []
    if user.role in TEAM_ROLES:
        rows.append([(t("New request"), views.data("new"))])
    own = await budget_requests.own_requests(scope.session, user)
    if own:
        parts.append("<b>" + t("Your requests") + "</b>\n" + t("Tap one for details."))
        rows += [[(views.request_line(t, r), views.data("open", r.id))] for r in own]
    pending = await budget_requests.pending_for(scope.session, user, current_day)
    if pending:
        rows.append([(t("Open requests to decide ({count})").format(count=len(pending)),
                      views.data("pend"))])
    await show(update, context, "\n\n".join(parts) or t("Nothing to show yet."), keyboard(rows))


async def pressed(update: Update, context: BotContext) -> None:
    """Buttons outside a dialogue: details, history, approve, withdraw, deputies."""
    await answer(update)
    data = _pressed(update)
    handler = _ACTIONS.get(data.action)
    if handler is None:
        raise InvalidInput(STALE)
    try:
        await handler(update, context, data)
    except AlreadyDecided as decided:
        await _tell_decided(update, context, decided)


async def _home(update: Update, context: BotContext, data: callbacks.Callback) -> None:
    await overview(update, context)


async def _cancel(update: Update, context: BotContext, data: callbacks.Callback) -> None:
    await show(update, context, context.t("Cancelled. Nothing was saved."))


async def _open(update: Update, context: BotContext, data: callbacks.Callback) -> None:
    scope, t = context.scope, context.t
    user = scope.require_user()
    request = await budget_requests.visible_request(
        scope.session, data.int_arg(0), user, today(context))
    tz = context.state.settings.tz
    if request.requester_id == user.id:
        await show(update, context, views.card_text(t, request, tz),
                   views.requester_keyboard(t, request))
        return
    available = await _available(context, request)
    await show(update, context, views.card_text(t, request, tz, available=available),
               views.decision_keyboard(t, request))


async def _available(context: BotContext, request: BudgetRequest) -> int | None:
    return await available_for(context.scope.session, request)


async def _history(update: Update, context: BotContext, data: callbacks.Callback) -> None:
    scope, t = context.scope, context.t
    request = await budget_requests.visible_request(
        scope.session, data.int_arg(0), scope.require_user(), today(context))
    entries = await budget_requests.history(scope.session, request)
    await show(update, context,
               views.history_text(t, request, entries, context.state.settings.tz),
               keyboard([[(t("Back"), views.data("open", request.id))]]))


async def _pending(update: Update, context: BotContext, data: callbacks.Callback) -> None:
    scope, t = context.scope, context.t
    pending = await budget_requests.pending_for(scope.session, scope.require_user(),
                                                today(context))
    rows = [[(views.request_line(t, r), views.data("open", r.id))] for r in pending]
    rows.append([(t("Back"), views.data("home"))])
    text = t("Open requests to decide:") if pending else t("There are no open requests.")
    await show(update, context, text, keyboard(rows))


# --- After a decision: every copy, the requester ------------------------------------------


async def _announce(context: BotContext, request: BudgetRequest) -> set[tuple[int, int]]:
    """Update every decider's copy and tell the requester; runs after the commit."""
    state = context.state
    tz = state.settings.tz
    copies = await update_copies(context.bot, context.scope.session, state.i18n, request, tz=tz)

    def build(t: Translator) -> tuple[str, Markup]:
        if request.state == RequestState.APPROVED:
            text = t("Your request {number} was approved: {amount}. After the activity, "
                     "please report the actual cost.").format(
                number=request.number, amount=t.money(request.approved_cents or 0))
            return text, keyboard([[(t("Report actual cost"), views.data("cost", request.id))]])
        text = t("Your request {number} was rejected. Reason: {reason}").format(
            number=request.number, reason=erased_text(t, request.reason))
        return text, None

    await tell(context.bot, state.i18n, request.requester, build)
    return copies


async def _approve(update: Update, context: BotContext, data: callbacks.Callback) -> None:
    scope = context.scope
    request = await budget_requests.approve(
        scope.session, request_id=data.int_arg(0) or 0, user=scope.require_user(),
        now=scope.now, today=today(context))
    await scope.commit()
    copies = await _announce(context, request)
    message = update.callback_query.message if update.callback_query else None
    if message is None or (message.chat.id, message.message_id) not in copies:
        await show(update, context, views.card_text(context.t, request,
                                                    context.state.settings.tz))


async def _withdraw(update: Update, context: BotContext, data: callbacks.Callback) -> None:
    scope, t = context.scope, context.t
    request = await budget_requests.withdraw(
        scope.session, request_id=data.int_arg(0) or 0, user=scope.require_user(),
        now=scope.now)
    await scope.commit()
    await update_copies(context.bot, scope.session, context.state.i18n, request,
                        tz=context.state.settings.tz)
    await show(update, context,
               t("Request {number} withdrawn.").format(number=request.number) + "\n\n"
               + views.card_text(t, request, context.state.settings.tz),
               views.requester_keyboard(t, request))


# --- New request dialogue -------------------------------------------------------------------


async def new_start(update: Update, context: BotContext) -> int:
    """Step 1: which team (skipped for members of one team)."""
    await answer(update)
    scope, t = context.scope, context.t
    teams = await budget_requests.requester_teams(scope.session, scope.require_user())
    _user_data(context)[DRAFT] = {}
    if len(teams) == 1:
        _user_data(context)[DRAFT]["team"] = teams[0].id
        return await _ask_amount(update, context)
    rows = [[(team.name, views.data("team", team.id))] for team in teams]
    await show(update, context, t("For which team is the request?"),
               keyboard([*rows, views.cancel_row(t)]))
    return NEW_TEAM


async def new_team(update: Update, context: BotContext) -> int:
    """Step 1b: the chosen team, re-checked against the user's memberships."""
    await answer(update)
    scope = context.scope
    team = await budget_requests.requester_team(
        scope.session, scope.require_user(), _pressed(update).int_arg(0))
    _user_data(context).setdefault(DRAFT, {})["team"] = team.id
    return await _ask_amount(update, context)


async def _ask_amount(update: Update, context: BotContext) -> int:
    t = context.t
    await show(update, context,
               t("How much money do you need? Type the amount in euros, e.g. 250 or 1.250,50."),
               views.cancel_keyboard(t))
    return NEW_AMOUNT


def _draft(context: BotContext) -> dict[str, Any]:
    draft = _user_data(context).get(DRAFT)
    if not isinstance(draft, dict) or "team" not in draft:
        raise InvalidInput(STALE)
    return draft


async def new_amount(update: Update, context: BotContext) -> int:
    """Step 2: the amount, checked at once."""
    t = context.t
    cents = budget_requests.check_amount(parse_money(message_text(update), t.locale))
    _draft(context)["amount"] = cents
    await send(update, context,
               t("Short title of the activity (at most {limit} characters), "
                 "e.g. “Stadtteilfest Garstedt”.").format(limit=budget_requests.TITLE_MAX)
               + "\n\n" + t(FREE_TEXT_REMINDER),
               views.cancel_keyboard(t))
    return NEW_TITLE


async def new_title(update: Update, context: BotContext) -> int:
    """Step 3: a short title."""
    t = context.t
    _draft(context)["title"] = budget_requests.check_title(message_text(update))
    await send(update, context,
               t("What is the money for? Describe it briefly (at most {limit} characters).")
               .format(limit=budget_requests.DESCRIPTION_MAX)
               + "\n\n" + t(FREE_TEXT_REMINDER),
               views.cancel_keyboard(t))
    return NEW_DESCRIPTION


async def new_description(update: Update, context: BotContext) -> int:
    """Step 4: the description."""
    t = context.t
    _draft(context)["description"] = budget_requests.check_description(message_text(update))
    await send(update, context,
               t("When is the activity planned? E.g. 12.12. or 12.12.2026."),
               views.cancel_keyboard(t))
    return NEW_DATE


async def new_date(update: Update, context: BotContext) -> int:
    """Step 5: the planned date; then the summary."""
    scope, t = context.scope, context.t
    current_day = today(context)
    planned = parse_day(message_text(update), current_day, allow_future=True, allow_past=False)
    day = budget_requests.check_planned_on(planned, current_day)
    draft = _draft(context)
    team = await budget_requests.requester_team(scope.session, scope.require_user(),
                                                draft["team"])
    draft["planned_on"] = day.isoformat()
    summary = "\n".join([
        "<b>" + t("Please check your request:") + "</b>",
        t("Team: {team}").format(team=html.escape(team.name)),
        t("Amount: {amount}").format(amount=t.money(draft["amount"])),
        t("Purpose: {title}").format(title=html.escape(draft["title"])),
        html.escape(draft["description"]),
        t("Planned for: {date}").format(date=t.date(day)),
    ])
    await send(update, context, summary,
               keyboard([[(t("Send"), views.data("send"))], views.cancel_row(t)]))
    return NEW_CONFIRM


async def new_send(update: Update, context: BotContext) -> int:
    """Step 6: file the request (once, even on a double tap) and tell the leads."""
    await answer(update)
    scope, t = context.scope, context.t
    if not await claim_press(update, context, "budget-send"):
        return ConversationHandler.END
    draft = _draft(context)
    request = await budget_requests.create_request(
        scope.session, user=scope.require_user(),
        draft=budget_requests.Draft(
            team_id=draft["team"], amount_cents=draft["amount"], title=draft["title"],
            description=draft["description"], planned_on=date.fromisoformat(draft["planned_on"]),
        ),
        now=scope.now, today=today(context))
    _user_data(context).pop(DRAFT, None)  # consumed with the request: committed together
    await scope.commit()
    await show(update, context, views.to_requester(t, views.SENT, await _who_decides(
        context, request), request))
    await send_cards(context.bot, scope.session, context.state.i18n, request,
                     today=today(context), tz=context.state.settings.tz,
                     heading=N_("new request"))
    return ConversationHandler.END


async def _who_decides(context: BotContext, request: BudgetRequest) -> deciders.Deciders:
    return await deciders.who_decides(context.scope.session, request.budget.region_id,
                                      today(context), requester_id=request.requester_id)


# --- Decisions that need a text: another amount, a reason, a question --------------------------


@_ends_when_decided
async def decide_start(update: Update, context: BotContext) -> int:
    """A lead taps Approve another amount / Reject / Ask: re-check, then ask for the text."""
    await answer(update)
    scope, t = context.scope, context.t
    data = _pressed(update)
    request = await budget_requests.get_request(scope.session, data.int_arg(0))
    await budget_requests.ensure_may_decide(scope.session, request, scope.require_user(),
                                            today(context))
    if data.action == "ask":
        budget_requests.ensure_requester_can_answer(request)
    _user_data(context)[TARGET] = request.id
    prompts = {
        "amt": (DECIDE_AMOUNT, t("Which amount do you approve for {number}? Requested: "
                                 "{amount}.").format(number=request.number,
                                                      amount=t.money(request.amount_cents))),
        "no": (REASON, t("Why do you reject {number}? The requester will read the reason.")
               .format(number=request.number) + "\n\n" + t(FREE_TEXT_REMINDER)),
        "ask": (QUESTION, t("Your question about {number}? The requester answers in the chat.")
                .format(number=request.number) + "\n\n" + t(FREE_TEXT_REMINDER)),
    }
    next_state, prompt = prompts[data.action]
    await send(update, context, prompt, views.cancel_keyboard(t))
    return next_state


def _target(context: BotContext) -> int:
    target = _user_data(context).get(TARGET)
    if not isinstance(target, int):
        raise InvalidInput(STALE)
    return target


@_ends_when_decided
async def decide_amount(update: Update, context: BotContext) -> int:
    """Approve the typed amount."""
    scope, t = context.scope, context.t
    request = await budget_requests.approve(
        scope.session, request_id=_target(context), user=scope.require_user(), now=scope.now,
        today=today(context), amount_cents=parse_money(message_text(update), t.locale))
    await scope.commit()
    await _announce(context, request)
    await send(update, context, t("Approved: {amount} for {number}.").format(
        amount=t.money(request.approved_cents or 0), number=request.number))
    return ConversationHandler.END


@_ends_when_decided
async def decide_reason(update: Update, context: BotContext) -> int:
    """Reject with the typed reason."""
    scope, t = context.scope, context.t
    request = await budget_requests.reject(
        scope.session, request_id=_target(context), user=scope.require_user(), now=scope.now,
        today=today(context), reason=message_text(update))
    await scope.commit()
    await _announce(context, request)
    await send(update, context, t("Rejected: {number}. The requester has been told.").format(
        number=request.number))
    return ConversationHandler.END


@_ends_when_decided
async def decide_question(update: Update, context: BotContext) -> int:
    """Send the typed question to the requester, with an Answer button."""
    scope, t = context.scope, context.t
    question = await budget_requests.ask(
        scope.session, request_id=_target(context), user=scope.require_user(), now=scope.now,
        today=today(context), text=message_text(update))
    await scope.commit()

    def build(t: Translator) -> tuple[str, Markup]:
        return views.question_text(t, question), keyboard(
            [[(t("Answer"), views.data("ans", question.id))]])

    await tell(context.bot, context.state.i18n, question.request.requester, build)
    await send(update, context, t("Your question was sent to {name}.").format(
        name=html.escape(question.request.requester.display_name)))
    return ConversationHandler.END


# --- The requester: answer a question, report the actual cost --------------------------------


@_ends_when_decided
async def answer_start(update: Update, context: BotContext) -> int:
    """The requester taps Answer: re-check, then ask for the text."""
    await answer(update)
    scope, t = context.scope, context.t
    question = await budget_requests.open_question(
        scope.session, _pressed(update).int_arg(0), scope.require_user())
    _user_data(context)[TARGET] = question.id
    await send(update, context, t("Please type your answer.") + "\n\n" + t(FREE_TEXT_REMINDER),
               views.cancel_keyboard(t))
    return ANSWER


@_ends_when_decided
async def answer_text(update: Update, context: BotContext) -> int:
    """Send the answer to the region's deciders, with the decision buttons again."""
    scope, t = context.scope, context.t
    question = await budget_requests.answer(
        scope.session, question_id=_target(context), user=scope.require_user(), now=scope.now,
        text=message_text(update))
    await scope.commit()
    request = await budget_requests.get_request(scope.session, question.request_id)
    await send_cards(
        context.bot, scope.session, context.state.i18n, request, today=today(context),
        tz=context.state.settings.tz, heading=N_("answer to a question"),
        extra=lambda t: t("Q: {question}\nA: {answer}").format(
            question=html.escape(question.question), answer=html.escape(question.answer or "")),
    )
    await send(update, context, views.to_requester(t, views.ANSWER_SENT, await _who_decides(
        context, request), request))
    return ConversationHandler.END


async def cost_start(update: Update, context: BotContext) -> int:
    """The requester taps Report actual cost."""
    await answer(update)
    scope, t = context.scope, context.t
    request = await budget_requests.reportable(
        scope.session, _pressed(update).int_arg(0), scope.require_user())
    _user_data(context)[TARGET] = request.id
    await send(update, context,
               t("What did {number} actually cost? Approved: {amount}.").format(
                   number=request.number, amount=t.money(request.approved_cents or 0)),
               keyboard([[(t("It did not take place (0 €)"), views.data("zero"))],
                         views.cancel_row(t)]))
    return COST


async def cost_text(update: Update, context: BotContext) -> int:
    """Record the typed actual cost."""
    return await _report(update, context,
                         parse_money(message_text(update), context.t.locale, allow_zero=True))


async def cost_zero(update: Update, context: BotContext) -> int:
    """The activity did not take place: the whole amount returns to the budget."""
    await answer(update)
    return await _report(update, context, 0)


async def _report(update: Update, context: BotContext, cents: int) -> int:
    scope, t = context.scope, context.t
    request = await budget_requests.report_cost(
        scope.session, request_id=_target(context), user=scope.require_user(), now=scope.now,
        today=today(context), actual_cents=cents)
    await scope.commit()
    await update_copies(context.bot, scope.session, context.state.i18n, request,
                        tz=context.state.settings.tz)
    returned = (request.approved_cents or 0) - cents
    await send(update, context,
               t("Thank you. Actual cost of {number}: {amount}; {returned} went back to the "
                 "budget.").format(number=request.number, amount=t.money(cents),
                                   returned=t.money(returned)))
    return ConversationHandler.END


# --- Absence: /away and the deputy -------------------------------------------------------------


async def away_command(update: Update, context: BotContext) -> None:
    """/away DATE: choose a deputy until DATE; /away alone: show or end the absence."""
    require_role(context, Role.LEAD)
    scope, t = context.scope, context.t
    lead = scope.require_user()
    current_day = today(context)
    words = [w for w in (context.args or []) if w.lower() not in ("until", "bis")]
    if not words:
        current = await deciders.current_deputyship(scope.session, lead, current_day)
        if current is None:
            await send(update, context, t("Send /away with the last day you are away, e.g. "
                                          "<code>/away 12.12.</code>"))
            return
        await send(update, context,
                   t("{name} stands in for you until {date}.").format(
                       name=html.escape(current.deputy.display_name), date=t.date(current.until)),
                   keyboard([[(t("I am back"), views.data("back"))]]))
        return
    until = parse_day(" ".join(words), current_day, allow_future=True, allow_past=False)
    candidates = await deciders.deputy_candidates(scope.session, lead)
    if not candidates:
        await send(update, context, t("There is nobody who could stand in for you."))
        return
    stamp = until.strftime("%Y%m%d")
    rows = [[(u.display_name, views.data("dep", u.id, stamp))] for u in candidates]
    await send(update, context,
               t("Who decides FuA requests for you until {date}?").format(date=t.date(until)),
               keyboard([*rows, views.cancel_row(t)]))


async def _deputy(update: Update, context: BotContext, data: callbacks.Callback) -> None:
    scope, t = context.scope, context.t
    lead = scope.require_user()
    stamp = data.arg(1) or ""
    try:
        until = date(int(stamp[:4]), int(stamp[4:6]), int(stamp[6:8]))
    except ValueError:
        raise InvalidInput(STALE) from None
    current_day = today(context)
    deputyship = await deciders.name_deputy(
        scope.session, lead=lead, deputy_id=data.int_arg(0) or 0, until=until, today=current_day,
        now=scope.now)
    await scope.commit()
    deputy = deputyship.deputy
    await show(update, context, t("{name} now also decides FuA requests of your region until "
                                  "{date}.").format(name=html.escape(deputy.display_name),
                                                    date=t.date(until)))

    def build(t: Translator) -> tuple[str, Markup]:
        return t("{name} has named you as deputy for FuA requests until {date}.").format(
            name=html.escape(lead.display_name), date=t.date(until)), None

    await tell(context.bot, context.state.i18n, deputy, build)
    for request in await budget_requests.pending_in_region(scope.session, deputyship.region_id):
        await send_cards(context.bot, scope.session, context.state.i18n, request, today=current_day,
                         tz=context.state.settings.tz, heading=N_("open request"),
                         only=[deputy])


async def _back(update: Update, context: BotContext, data: callbacks.Callback) -> None:
    scope, t = context.scope, context.t
    ended = await deciders.end_absence(scope.session, lead=scope.require_user(), now=scope.now,
                                       today=today(context))
    await scope.commit()
    await show(update, context, t("Welcome back. Only you decide again."))
    if ended is not None:
        lead = scope.require_user()

        def build(t: Translator) -> tuple[str, Markup]:
            return t("{name} is back; you no longer stand in for FuA requests.").format(
                name=html.escape(lead.display_name)), None

        await tell(context.bot, context.state.i18n, ended.deputy, build)


# --- Admins: /budget_set -------------------------------------------------------------------


async def budget_set_command(update: Update, context: BotContext) -> None:
    """/budget_set REGION|TEAM YEAR AMOUNT: change an allocation (audited)."""
    require_role(context, Role.ADMIN)
    scope, t = context.scope, context.t
    args = context.args or []
    if len(args) < 3 or not args[1].isdigit():
        raise InvalidInput(N_("Please write it like this: /budget_set nord 2026 30000 "
                              "(a region or team, the year, the amount in euros)."))
    budget = await allocation.set_allocation(
        scope.session, actor=scope.require_user(), unit_key=args[0].lower(),
        year=int(args[1]), cents=parse_money(" ".join(args[2:]), t.locale), now=scope.now)
    await scope.commit()
    status = await allocation.status(scope.session, budget.region_id, budget.year)
    assert status is not None
    await send(update, context, t("Saved.") + "\n\n" + views.status_text(t, status))


_ACTIONS = {
    "home": _home,
    "cancel": _cancel,
    "open": _open,
    "hist": _history,
    "pend": _pending,
    "ok": _approve,
    "wd": _withdraw,
    "dep": _deputy,
    "back": _back,
}


def _on(*actions: str) -> str:
    return callbacks.pattern(views.PREFIX, *actions)


def _dialogue() -> ConversationHandler[BotContext]:
    return dialogue(
        "budget",
        [
            CallbackQueryHandler(new_start, pattern=_on("new")),
            CallbackQueryHandler(decide_start, pattern=_on("amt", "no", "ask")),
            CallbackQueryHandler(answer_start, pattern=_on("ans")),
            CallbackQueryHandler(cost_start, pattern=_on("cost")),
        ],
        {
            NEW_TEAM: [CallbackQueryHandler(new_team, pattern=_on("team"))],
            NEW_AMOUNT: [MessageHandler(TEXT, new_amount)],
            NEW_TITLE: [MessageHandler(TEXT, new_title)],
            NEW_DESCRIPTION: [MessageHandler(TEXT, new_description)],
            NEW_DATE: [MessageHandler(TEXT, new_date)],
            NEW_CONFIRM: [CallbackQueryHandler(new_send, pattern=_on("send"))],
            DECIDE_AMOUNT: [MessageHandler(TEXT, decide_amount)],
            REASON: [MessageHandler(TEXT, decide_reason)],
            QUESTION: [MessageHandler(TEXT, decide_question)],
            ANSWER: [MessageHandler(TEXT, answer_text)],
            COST: [MessageHandler(TEXT, cost_text),
                   CallbackQueryHandler(cost_zero, pattern=_on("zero"))],
        },
        # Leaving any budget dialogue saves nothing.
        cancelled=N_("Cancelled. Nothing was saved."), drafts=(DRAFT, TARGET),
        cancel_button=_on("cancel"),
    )


def register(application: BotApp) -> None:
    # Per user and chat on purpose: buttons of earlier messages, such as a lead's request
    # cards, start the dialogue (handlers.common.dialogue quiets PTB's warning about that).
    application.add_handler(_dialogue())
    application.add_handler(CommandHandler("budget", budget_command))
    application.add_handler(CommandHandler("away", away_command))
    application.add_handler(CommandHandler("budget_set", budget_set_command))
    application.add_handler(CallbackQueryHandler(pressed, pattern=callbacks.pattern(views.PREFIX)))
    # Requests pending too long are raised to the deciders by the scheduler
    # (handlers/scheduler.py), like every other timed message.


FEATURE = Feature(
    name="budget",
    register=register,
    commands=(
        Command("budget", N_("FuA budget: figures, requests, decisions")),
        Command("away", N_("Name a deputy while you are away"), roles=frozenset({Role.LEAD})),
        Command("budget_set", N_("Set a FuA budget (region or team, year, amount)"),
                roles=frozenset({Role.ADMIN})),
    ),
)
