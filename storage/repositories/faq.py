"""Queries over FAQ questions, feedback and the entries written in the chat."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import case, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from storage.db import insert_for
from storage.models import (
    FaqChatEntry,
    FaqFeedback,
    FaqNotice,
    FaqQuestion,
    Membership,
    QuestionOutcome,
    User,
)


@dataclass(frozen=True)
class Rating:
    entry_key: str
    helpful: int
    unhelpful: int


class FaqRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def question(self, question_id: int) -> FaqQuestion | None:
        return await self.session.scalar(
            select(FaqQuestion)
            .where(FaqQuestion.id == question_id)
            .options(
                selectinload(FaqQuestion.user).selectinload(User.memberships)
                .selectinload(Membership.team),
                selectinload(FaqQuestion.answered_by),
            )
            .execution_options(populate_existing=True)
        )

    async def change_once(self, question_id: int, unset: Any, **values: Any) -> bool:
        """Set ``values`` only while the column ``unset`` is still NULL; False if someone was
        first (a double tap, a second lead)."""
        result = await self.session.execute(
            update(FaqQuestion)
            .where(FaqQuestion.id == question_id, unset.is_(None))
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def add_feedback(
        self, *, user_id: int, entry_key: str, helpful: bool, question_id: int, at: datetime
    ) -> bool:
        """Store a rating; False if this user has rated this entry before (nothing changes)."""
        statement = insert_for(self.session)(FaqFeedback).values(
            user_id=user_id, entry_key=entry_key, helpful=helpful, question_id=question_id, at=at,
        ).on_conflict_do_nothing()
        result = await self.session.execute(statement)
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def chat_entries(self) -> list[FaqChatEntry]:
        return list((await self.session.scalars(
            select(FaqChatEntry).where(FaqChatEntry.active.is_(True)).order_by(FaqChatEntry.id)
        )).all())

    async def chat_entry_for(self, question_id: int) -> FaqChatEntry | None:
        return await self.session.scalar(
            select(FaqChatEntry).where(FaqChatEntry.source_question_id == question_id)
        )

    async def notices(self, question_id: int) -> list[FaqNotice]:
        return list((await self.session.scalars(
            select(FaqNotice).where(FaqNotice.question_id == question_id).order_by(FaqNotice.id)
        )).all())

    async def most_asked(self, limit: int) -> list[tuple[str, int]]:
        """Entries shown most often (answered at once or chosen from suggestions)."""
        count = func.count(FaqQuestion.id)
        rows = await self.session.execute(
            select(FaqQuestion.entry_key, count)
            .where(FaqQuestion.entry_key.is_not(None))
            .group_by(FaqQuestion.entry_key)
            .order_by(count.desc(), FaqQuestion.entry_key)
            .limit(limit)
        )
        return [(str(key), int(n)) for key, n in rows.all()]

    async def unanswered(self, limit: int) -> tuple[int, list[FaqQuestion]]:
        """How many questions found no entry, and the latest of them."""
        where = FaqQuestion.outcome == QuestionOutcome.NONE
        total = await self.session.scalar(select(func.count(FaqQuestion.id)).where(where))
        latest = (await self.session.scalars(
            select(FaqQuestion).where(where)
            .order_by(FaqQuestion.asked_at.desc(), FaqQuestion.id.desc()).limit(limit)
        )).all()
        return int(total or 0), list(latest)

    async def badly_rated(self, limit: int) -> list[Rating]:
        """Entries with 👎, most 👎 first."""
        down = func.sum(case((FaqFeedback.helpful.is_(False), 1), else_=0))
        up = func.sum(case((FaqFeedback.helpful.is_(True), 1), else_=0))
        rows = await self.session.execute(
            select(FaqFeedback.entry_key, up, down)
            .group_by(FaqFeedback.entry_key)
            .having(down > 0)
            .order_by(down.desc(), FaqFeedback.entry_key)
            .limit(limit)
        )
        return [Rating(str(key), int(u), int(d)) for key, u, d in rows.all()]

    async def questions_of(self, user_id: int) -> list[FaqQuestion]:
        return list((await self.session.scalars(
            select(FaqQuestion).where(FaqQuestion.user_id == user_id)
            .order_by(FaqQuestion.asked_at)
        )).all())

    async def ratings_of(self, user_id: int) -> list[FaqFeedback]:
        return list((await self.session.scalars(
            select(FaqFeedback).where(FaqFeedback.user_id == user_id).order_by(FaqFeedback.at)
        )).all())
