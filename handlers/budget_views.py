"""Texts and keyboards of the budget feature, in the reader's language."""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import tzinfo

from telegram import InlineKeyboardMarkup

from bot import callbacks
from bot.errors import N_
from bot.i18n import Translator
from bot.services.budget.allocation import BudgetStatus, Figures
from bot.services.budget.deciders import DecidedBy, Deciders
from handlers.common import keyboard
from handlers.labels import erased_text, person_name
from storage.models import AuditEntry, BudgetQuestion, BudgetRequest, RequestState

PREFIX = "bud"

STATE_NAMES = {
    RequestState.PENDING: N_("pending"),
    RequestState.APPROVED: N_("approved"),
    RequestState.REJECTED: N_("rejected"),
    RequestState.WITHDRAWN: N_("withdrawn"),
    RequestState.REPORTED: N_("cost reported"),
}

HISTORY_ACTIONS = {
    "budget_request.created": N_("requested"),
    "budget_request.approved": N_("approved"),
    "budget_request.rejected": N_("rejected"),
    "budget_request.withdrawn": N_("withdrawn"),
    "budget_request.reported": N_("actual cost reported"),
    "budget_request.question": N_("question asked"),
    "budget_request.answered": N_("question answered"),
    "budget_request.escalated": N_("raised again to the leads"),
}

# What the requester is told, by who decides: {names} the deputies, {region} the region.
SENT = {
    DecidedBy.LEAD: N_("Sent as {number}. The regional lead decides; I will let you know."),
    DecidedBy.DEPUTY: N_("Sent as {number}. The regional lead decides, and while away their "
                         "deputy {names}; I will let you know."),
    DecidedBy.ADMINS: N_("Sent as {number}. The administrators decide, as {region} currently "
                         "has no regional lead; I will let you know."),
    DecidedBy.NOBODY: N_("Sent as {number}. {region} currently has no regional lead and there "
                         "is no administrator, so nobody can decide it yet. Please tell the "
                         "office."),
}
ANSWER_SENT = {
    DecidedBy.LEAD: N_("Thank you. Your answer was sent to the regional lead."),
    DecidedBy.DEPUTY: N_("Thank you. Your answer was sent to the regional lead and their "
                         "deputy {names}."),
    DecidedBy.ADMINS: N_("Thank you. Your answer was sent to the administrators, as {region} "
                         "currently has no regional lead."),
    DecidedBy.NOBODY: N_("Thank you. Your answer was saved, but {region} currently has no "
                         "regional lead and there is no administrator to read it. Please tell "
                         "the office."),
}


def data(action: str, *args: str | int) -> str:
    return callbacks.pack(PREFIX, action, *args)


def state_name(t: Translator, state: str) -> str:
    return t(STATE_NAMES[RequestState(state)])


def cancel_row(t: Translator) -> list[tuple[str, str]]:
    return [(t("Cancel"), data("cancel"))]


def cancel_keyboard(t: Translator) -> InlineKeyboardMarkup:
    return keyboard([cancel_row(t)])


def figures_lines(t: Translator, figures: Figures) -> list[str]:
    return [
        t("Allocated: {amount}").format(amount=t.money(figures.allocated)),
        t("Approved: {amount}").format(amount=t.money(figures.sums.approved)),
        t("Pending: {amount}").format(amount=t.money(figures.sums.pending)),
        t("Spent: {amount}").format(amount=t.money(figures.sums.spent)),
        "<b>" + t("Available: {amount}").format(amount=t.money(figures.available)) + "</b>",
    ]


def status_text(t: Translator, status: BudgetStatus) -> str:
    lines = [
        "<b>" + t("FuA budget {year} – {region}").format(
            year=status.year, region=html.escape(status.region.name)
        ) + "</b>",
        *figures_lines(t, status.figures),
    ]
    for team in status.teams:
        lines.append(
            t("{team}: {available} of {allocated} available").format(
                team=html.escape(team.team.name),
                available=t.money(team.figures.available),
                allocated=t.money(team.figures.allocated),
            )
        )
    if status.is_example:
        lines.append(t("<i>Example figures: the office sets the real budget.</i>"))
    return "\n".join(lines)


def request_line(t: Translator, request: BudgetRequest) -> str:
    return f"{request.number} · {t.money(request.amount_cents)} · {state_name(t, request.state)}"


def card_text(
    t: Translator, request: BudgetRequest, tz: tzinfo, *, available: int | None = None,
    heading: str | None = None,
) -> str:
    """The full request, as leads and the requester see it, with its current outcome."""
    lines = [f"<b>{request.number}</b>" + (f" – {heading}" if heading else "")]
    lines += [
        t("Team: {team}").format(team=html.escape(request.team.name)),
        t("From: {name}").format(name=person_name(t, request.requester)),
        t("Amount: {amount}").format(amount=t.money(request.amount_cents)),
        t("Purpose: {title}").format(title=erased_text(t, request.title)),
        *([html.escape(request.description)] if request.description else []),
        t("Planned for: {date}").format(date=t.date(request.planned_on)),
    ]
    if available is not None and request.state == RequestState.PENDING:
        lines.append(t("Still available in the budget: {amount}").format(
            amount=t.money(available)))
    lines.append(t("State: {state}").format(state=state_name(t, request.state)))
    outcome = outcome_line(t, request, tz)
    if outcome:
        lines.append(outcome)
    return "\n".join(lines)


def outcome_line(t: Translator, request: BudgetRequest, tz: tzinfo) -> str | None:
    when = t.datetime(request.decided_at.astimezone(tz)) if request.decided_at else ""
    who = person_name(t, request.decided_by) if request.decided_by_id else ""
    if request.state == RequestState.APPROVED or request.state == RequestState.REPORTED:
        text = t("✅ {amount} approved by {name} on {when}").format(
            amount=t.money(request.approved_cents or 0), name=who, when=when)
        if request.state == RequestState.REPORTED:
            text += "\n" + t("Actual cost: {amount}").format(
                amount=t.money(request.actual_cents or 0))
        return text
    if request.state == RequestState.REJECTED:
        return t("❌ Rejected by {name} on {when}: {reason}").format(
            name=who, when=when, reason=erased_text(t, request.reason))
    if request.state == RequestState.WITHDRAWN:
        return t("↩️ Withdrawn by the requester on {when}").format(when=when)
    return None


def already_decided_text(t: Translator, request: BudgetRequest, tz: tzinfo) -> str:
    """Why a decision step was refused: the request's outcome, by whom and when."""
    text = t("This request has already been decided. Nothing was changed.")
    outcome = outcome_line(t, request, tz)
    return f"{request.number}: {text}\n{outcome}" if outcome else text


def decision_keyboard(t: Translator, request: BudgetRequest) -> InlineKeyboardMarkup | None:
    if request.state != RequestState.PENDING:
        return None
    return keyboard([
        [(t("Approve"), data("ok", request.id)),
         (t("Approve another amount"), data("amt", request.id))],
        [(t("Reject"), data("no", request.id)), (t("Ask a question"), data("ask", request.id))],
        [(t("History"), data("hist", request.id))],
    ])


def requester_keyboard(t: Translator, request: BudgetRequest) -> InlineKeyboardMarkup:
    rows: list[list[tuple[str, str]]] = []
    if request.state == RequestState.PENDING:
        rows.append([(t("Withdraw request"), data("wd", request.id))])
    if request.state == RequestState.APPROVED:
        rows.append([(t("Report actual cost"), data("cost", request.id))])
    rows.append([(t("History"), data("hist", request.id)), (t("Back"), data("home"))])
    return keyboard(rows)


def history_text(
    t: Translator, request: BudgetRequest, entries: Sequence[tuple[AuditEntry, str | None]],
    tz: tzinfo,
) -> str:
    lines = ["<b>" + t("History of {number}").format(number=request.number) + "</b>"]
    for entry, name in entries:
        label = t(HISTORY_ACTIONS.get(entry.action, entry.action))
        who = (html.escape(name) if name else t("(erased)")) if entry.actor_user_id else (
            t("the bot"))
        parts = [t.datetime(entry.at.astimezone(tz)), who, label]
        amount = entry.details.get("amount_cents")
        if amount is not None:
            parts.append(t.money(int(amount)))
        lines.append(" · ".join(parts))
    return "\n".join(lines)


def to_requester(
    t: Translator, messages: dict[DecidedBy, str], deciders: Deciders, request: BudgetRequest
) -> str:
    """One of ``SENT``/``ANSWER_SENT``: says who really decides ``request``."""
    return t(messages[deciders.by]).format(
        number=request.number, region=html.escape(request.budget.region.name),
        names=", ".join(person_name(t, u) for u in deciders.deputies),
    )


def question_text(t: Translator, question: BudgetQuestion) -> str:
    return t("Question from {name} about {number} ({title}):\n{question}").format(
        name=person_name(t, question.asked_by),
        number=question.request.number,
        title=erased_text(t, question.request.title),
        question=erased_text(t, question.question),
    )
