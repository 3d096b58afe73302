"""Logged hours and week reopenings."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.models.base import Base
from storage.models.org import HourCategory, Team
from storage.models.users import User
from storage.types import UTCDateTime


class HourEntry(Base):
    """Minutes a team member worked in one category on one (local) day."""

    __tablename__ = "hour_entry"
    __table_args__ = (
        Index("ix_hour_entry_team_day", "team_id", "work_date"),
        Index("ix_hour_entry_user_day", "user_id", "work_date"),
        # Covers the digest's and the reports' sums over a period for every team at once.
        Index("ix_hour_entry_day_sums", "work_date", "team_id", "category_id", "minutes"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # SET NULL: when a person's data is erased, the team's figures stay right.
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("app_user.id", ondelete="SET NULL"), nullable=True
    )
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="RESTRICT"))
    category_id: Mapped[int] = mapped_column(ForeignKey("hour_category.id", ondelete="RESTRICT"))
    work_date: Mapped[date] = mapped_column(Date)
    minutes: Mapped[int] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(String(200), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    user: Mapped[User | None] = relationship()
    team: Mapped[Team] = relationship()
    category: Mapped[HourCategory] = relationship()


class WeekReopening(Base):
    """A lead reopened a locked week of a team until ``open_until`` (inclusive)."""

    __tablename__ = "week_reopening"
    __table_args__ = (Index("ix_week_reopening_team_week", "team_id", "week_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"))
    week_start: Mapped[date] = mapped_column(Date)
    open_until: Mapped[date] = mapped_column(Date)
    reopened_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("app_user.id", ondelete="SET NULL"), nullable=True
    )
    reopened_at: Mapped[datetime] = mapped_column(UTCDateTime)
