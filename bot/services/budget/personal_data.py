"""FuA budget records as personal data.

Amounts, states and request numbers are records of public money and stay. The free text of a
request (title, description, reason, questions and answers) is blanked once the request is
closed (rejected, withdrawn or its cost reported) and both its decision and its planned day
lie longer ago than the notes' retention period. A pending or approved-but-unreported request
keeps its text: somebody still has to act on it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, or_, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.data_kind import DataKind, changed_rows, iso
from storage.models import (
    BudgetNotice,
    BudgetQuestion,
    BudgetRequest,
    LeadDeputy,
    RequestState,
    User,
)
from storage.repositories.budget import BudgetRepository

CLOSED = (RequestState.REJECTED, RequestState.WITHDRAWN, RequestState.REPORTED)


async def purge_texts(session: AsyncSession, before: datetime, now: datetime) -> int:
    """Blank the texts of closed requests that are due; returns how many requests."""
    due = await BudgetRepository(session).with_texts_before(CLOSED, before)
    if not due:
        return 0
    await changed_rows(session, update(BudgetQuestion)
                       .where(BudgetQuestion.request_id.in_(due))
                       .values(question="", answer=None))
    return await changed_rows(session, update(BudgetRequest)
                              .where(BudgetRequest.id.in_(due))
                              .values(title="", description="", reason=None))


async def purge_bookkeeping(session: AsyncSession, before: datetime, now: datetime) -> int:
    """Copies of closed request cards (they hold chat ids) and deputyships long over."""
    notices = await BudgetRepository(session).delete_copies_decided_before(CLOSED, before)
    deputyships = await changed_rows(session, delete(LeadDeputy).where(
        or_(LeadDeputy.ended_at < before, LeadDeputy.until < before.date())
    ))
    return notices + deputyships


async def export_budget(session: AsyncSession, user: User) -> dict[str, Any]:
    repo = BudgetRepository(session)
    requests = await repo.requests_sent_or_decided_by(user.id)
    questions = await repo.questions_involving(user.id)
    deputyships = await repo.deputyships_involving(user.id)
    cards = await repo.count_copies_in_chat_of(user.id)
    return {
        "requests_sent": [_request(r) for r in requests if r.requester_id == user.id],
        "requests_decided": [
            {"number": r.number, "state": r.state, "decided_at": iso(r.decided_at),
             "approved_cents": r.approved_cents, "reason": r.reason}
            for r in requests if r.decided_by_id == user.id
        ],
        "questions": [
            {"request": q.request.number, "asked_by_you": q.asked_by_id == user.id,
             "question": q.question, "asked_at": iso(q.asked_at), "answer": q.answer,
             "answered_at": iso(q.answered_at)}
            for q in questions
        ],
        "deputyships": [
            {"role": "lead" if d.lead_id == user.id else "deputy", "region_id": d.region_id,
             "until": iso(d.until), "named_at": iso(d.created_at), "ended_at": iso(d.ended_at)}
            for d in deputyships
        ],
        "request_cards_in_your_chat": cards,
    }


def _request(request: BudgetRequest) -> dict[str, Any]:
    return {
        "number": request.number, "team": request.team.key, "state": request.state,
        "amount_cents": request.amount_cents, "approved_cents": request.approved_cents,
        "actual_cents": request.actual_cents, "title": request.title,
        "description": request.description, "planned_on": iso(request.planned_on),
        "sent_at": iso(request.created_at), "decided_at": iso(request.decided_at),
        "reason": request.reason,
    }


async def forget_budget_links(session: AsyncSession, user: User, now: datetime) -> int:
    """End the person's deputyships and drop the copies of request cards in their chat.

    The requests they sent or decided stay, without their name: they are records of public
    money, and their texts expire like everyone else's.
    """
    ended = await changed_rows(session, update(LeadDeputy).where(
        or_(LeadDeputy.lead_id == user.id, LeadDeputy.deputy_id == user.id),
        LeadDeputy.ended_at.is_(None),
    ).values(ended_at=now))
    cards = await changed_rows(session, delete(BudgetNotice).where(BudgetNotice.user_id == user.id))
    return ended + cards


BUDGET_REQUESTS = DataKind(
    name="budget",
    setting="retention_notes_days",
    free_text=("budget_request.title", "budget_request.description", "budget_request.reason",
               "budget_question.question", "budget_question.answer"),
    purge=purge_texts,
    export=export_budget,
    forget=forget_budget_links,
)

BUDGET_BOOKKEEPING = DataKind(
    name="budget_bookkeeping",
    setting="retention_bookkeeping_days",
    purge=purge_bookkeeping,
)
