"""FuA budgets per region and year, requests against them, and who stands in for a lead."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.models.base import Base
from storage.models.org import Region, Team
from storage.models.users import User
from storage.types import UTCDateTime


class RequestState(StrEnum):
    """pending → approved → reported; pending → rejected | withdrawn."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    REPORTED = "reported"  # approved, and the actual cost is known


class Budget(Base):
    """The yearly FuA budget of a region; its row is the lock that serialises approvals."""

    __tablename__ = "budget"
    __table_args__ = (
        UniqueConstraint("region_id", "year"),
        CheckConstraint("allocated_cents >= 0", name="allocated_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id", ondelete="RESTRICT"))
    year: Mapped[int] = mapped_column(Integer)
    allocated_cents: Mapped[int] = mapped_column(BigInteger)
    # The value last read from the organisation file: a re-import only overrides a change
    # made in the chat when the file's value itself changed.
    file_cents: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    is_example: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    region: Mapped[Region] = relationship()
    shares: Mapped[list[BudgetShare]] = relationship(
        back_populates="budget", cascade="all, delete-orphan", order_by="BudgetShare.team_id"
    )


class BudgetShare(Base):
    """Optional split of a region's budget: the part reserved for one team."""

    __tablename__ = "budget_share"
    __table_args__ = (
        UniqueConstraint("budget_id", "team_id"),
        CheckConstraint("allocated_cents >= 0", name="allocated_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    budget_id: Mapped[int] = mapped_column(ForeignKey("budget.id", ondelete="CASCADE"))
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="RESTRICT"))
    allocated_cents: Mapped[int] = mapped_column(BigInteger)
    file_cents: Mapped[int | None] = mapped_column(BigInteger, nullable=True)

    budget: Mapped[Budget] = relationship(back_populates="shares")
    team: Mapped[Team] = relationship()


class BudgetCounter(Base):
    """Last readable request number per year (FuA-2026-017); bumped inside the transaction."""

    __tablename__ = "budget_counter"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_number: Mapped[int] = mapped_column(Integer)


class BudgetRequest(Base):
    """A team member's request for money from the FuA budget, and its decision."""

    __tablename__ = "budget_request"
    __table_args__ = (
        UniqueConstraint("number"),
        CheckConstraint("amount_cents > 0", name="amount_positive"),
        Index("ix_budget_request_budget_state", "budget_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20))
    budget_id: Mapped[int] = mapped_column(ForeignKey("budget.id", ondelete="RESTRICT"))
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="RESTRICT"))
    requester_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="RESTRICT"))
    state: Mapped[str] = mapped_column(String(20), index=True)
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    approved_cents: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    actual_cents: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    title: Mapped[str] = mapped_column(String(80))
    description: Mapped[str] = mapped_column(Text)
    planned_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    decided_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("app_user.id", ondelete="SET NULL"), nullable=True
    )
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    # When the leads were last told about this pending request (escalation once per period).
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime)

    budget: Mapped[Budget] = relationship()
    team: Mapped[Team] = relationship()
    requester: Mapped[User] = relationship(foreign_keys=[requester_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])


class BudgetNotice(Base):
    """A copy of a request card in a decider's chat, so a decision can update every copy."""

    __tablename__ = "budget_notice"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("budget_request.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"))
    chat_id: Mapped[int] = mapped_column(BigInteger)
    message_id: Mapped[int] = mapped_column(BigInteger)


class BudgetQuestion(Base):
    """A lead's question on a pending request and the requester's answer."""

    __tablename__ = "budget_question"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("budget_request.id", ondelete="CASCADE"), index=True
    )
    asked_by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"))
    question: Mapped[str] = mapped_column(Text)
    asked_at: Mapped[datetime] = mapped_column(UTCDateTime)
    answer: Mapped[str | None] = mapped_column(Text, nullable=True)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    request: Mapped[BudgetRequest] = relationship()
    asked_by: Mapped[User] = relationship()


class LeadDeputy(Base):
    """A lead away until a (local) date names a deputy who then also decides requests."""

    __tablename__ = "lead_deputy"

    id: Mapped[int] = mapped_column(primary_key=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    deputy_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"))
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id", ondelete="CASCADE"))
    until: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    lead: Mapped[User] = relationship(foreign_keys=[lead_id])
    deputy: Mapped[User] = relationship(foreign_keys=[deputy_id])
