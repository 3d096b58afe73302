"""FAQ questions as personal data: they expire, are exported and erased on request.

A question's text is short and checked for personal data before it is stored; it is kept for
the statistics (``/faq_stats``) until ``RETENTION_FAQ_QUESTIONS_DAYS`` have passed. Entries a
lead added to the FAQ from a question are published knowledge and stay (without the link to
the question once it is gone).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.data_kind import DataKind, changed_rows, iso
from storage.models import FaqFeedback, FaqQuestion, User
from storage.repositories.faq import FaqRepository


async def purge_questions(session: AsyncSession, before: datetime, now: datetime) -> int:
    return await changed_rows(session, delete(FaqQuestion).where(FaqQuestion.asked_at < before))


async def export_questions(session: AsyncSession, user: User) -> dict[str, Any]:
    repo = FaqRepository(session)
    questions = await repo.questions_of(user.id)
    ratings = await repo.ratings_of(user.id)
    return {
        "questions": [
            {"text": q.text, "asked_at": iso(q.asked_at), "outcome": q.outcome,
             "entry": q.entry_key, "passed_on_at": iso(q.forwarded_at), "answer": q.answer,
             "answered_at": iso(q.answered_at)}
            for q in questions
        ],
        "ratings": [
            {"entry": f.entry_key, "helpful": f.helpful, "at": iso(f.at)} for f in ratings
        ],
    }


async def forget_questions(session: AsyncSession, user: User, now: datetime) -> int:
    """The person's questions and ratings go; answers they gave as a lead stay unsigned."""
    removed = 0
    for model in (FaqQuestion, FaqFeedback):
        removed += await changed_rows(session, delete(model).where(model.user_id == user.id))
    return removed


FAQ_QUESTIONS = DataKind(
    name="faq_questions",
    setting="retention_faq_questions_days",
    free_text=("faq_question.text", "faq_question.answer"),
    purge=purge_questions,
    export=export_questions,
    forget=forget_questions,
)
