"""Questions asked in the chat, feedback on answers, and FAQ entries written by leads."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.models.base import Base
from storage.models.users import User
from storage.types import UTCDateTime


class QuestionOutcome(StrEnum):
    CONFIDENT = "confident"  # answered at once
    UNSURE = "unsure"  # "did you mean …?"
    NONE = "none"  # no fitting entry


class FaqQuestion(Base):
    """A question a member typed, what the FAQ made of it, and a lead's answer if passed on.

    The text is short and checked for personal data before it is stored; a later retention
    job deletes old questions.
    """

    __tablename__ = "faq_question"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("app_user.id", ondelete="SET NULL"), nullable=True, index=True
    )
    locale: Mapped[str] = mapped_column(String(8))
    text: Mapped[str] = mapped_column(Text)
    asked_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    outcome: Mapped[str] = mapped_column(String(12), index=True)
    # The entry shown: the confident answer or the suggestion the user chose.
    entry_key: Mapped[str | None] = mapped_column(String(40), nullable=True, index=True)
    suggestions: Mapped[list[str]] = mapped_column(JSON, default=list)
    forwarded_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    answer: Mapped[str | None] = mapped_column(Text, nullable=True)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    answered_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("app_user.id", ondelete="SET NULL"), nullable=True
    )

    user: Mapped[User | None] = relationship(foreign_keys=[user_id])
    answered_by: Mapped[User | None] = relationship(foreign_keys=[answered_by_id])


class FaqFeedback(Base):
    """👍/👎 on an entry: one per user and entry, the first tap counts."""

    __tablename__ = "faq_feedback"
    __table_args__ = (UniqueConstraint("user_id", "entry_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"))
    entry_key: Mapped[str] = mapped_column(String(40), index=True)
    helpful: Mapped[bool] = mapped_column(Boolean)
    question_id: Mapped[int | None] = mapped_column(
        ForeignKey("faq_question.id", ondelete="SET NULL"), nullable=True
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime)


class FaqChatEntry(Base):
    """An FAQ entry made from a lead's answer in the chat; merged into the index at once."""

    __tablename__ = "faq_chat_entry"
    __table_args__ = (UniqueConstraint("key"), UniqueConstraint("source_question_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(40))
    locale: Mapped[str] = mapped_column(String(8))
    question: Mapped[str] = mapped_column(Text)
    answer: Mapped[str] = mapped_column(Text)
    source_question_id: Mapped[int | None] = mapped_column(
        ForeignKey("faq_question.id", ondelete="SET NULL"), nullable=True
    )
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("app_user.id", ondelete="SET NULL"), nullable=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class FaqNotice(Base):
    """A copy of a passed-on question in a lead's chat, so that an answer updates every copy."""

    __tablename__ = "faq_notice"

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(
        ForeignKey("faq_question.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"))
    chat_id: Mapped[int] = mapped_column(BigInteger)
    message_id: Mapped[int] = mapped_column(BigInteger)
