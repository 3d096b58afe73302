"""Digests for leads: each recipient's schedule and when their last digest went out."""

from __future__ import annotations

from datetime import datetime, time

from sqlalchemy import ForeignKey, Integer, String, Time
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base
from storage.types import UTCDateTime


class DigestSettings(Base):
    """A lead's or admin's digest schedule; no row (or ``frequency`` None): the office default.

    ``frequency`` is ``weekly`` (on ``weekday``, 0 = Monday), ``daily`` (Monday to Friday) or
    ``off``; ``local_time`` is the office's wall-clock time. ``changed_at`` (when the
    recipient last chose) bounds the schedule: instants before a change are not caught up
    on. ``last_sent_at`` is when the previous digest went out ("new members since").
    """

    __tablename__ = "digest_settings"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("app_user.id", ondelete="CASCADE"), primary_key=True
    )
    frequency: Mapped[str | None] = mapped_column(String(10), nullable=True)
    weekday: Mapped[int | None] = mapped_column(Integer, nullable=True)
    local_time: Mapped[time | None] = mapped_column(Time, nullable=True)
    changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
