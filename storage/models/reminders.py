"""Reminders: personal reminders, meeting attendance, preferences, and the delivery ledger."""

from __future__ import annotations

from datetime import datetime, time

from sqlalchemy import (
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base
from storage.types import UTCDateTime


class Reminder(Base):
    """A reminder a user set for themselves: once, or recurring in local wall-clock time."""

    __tablename__ = "reminder"
    __table_args__ = (Index("ix_reminder_due", "done", "next_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("app_user.id", ondelete="CASCADE"), index=True
    )
    text: Mapped[str] = mapped_column(String(200))
    # iCalendar RRULE without its start ("FREQ=WEEKLY;BYDAY=MO") and the local time of day;
    # both None for a one-off reminder.
    rule: Mapped[str | None] = mapped_column(String(80), nullable=True)
    local_time: Mapped[time | None] = mapped_column(Time, nullable=True)
    next_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    fired_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # A one-off reminder is done once it fired (or was missed); kept a few days for snoozing.
    done: Mapped[bool] = mapped_column(Boolean, default=False)
    snoozed_from_id: Mapped[int | None] = mapped_column(Integer, nullable=True)


class ReminderSettings(Base):
    """A user's choices for automatic reminders; no row means the defaults."""

    __tablename__ = "reminder_settings"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("app_user.id", ondelete="CASCADE"), primary_key=True
    )
    muted: Mapped[bool] = mapped_column(Boolean, default=False)
    # Quiet hours in local time; both None: the office default (QUIET_HOURS). Equal: none.
    quiet_start: Mapped[time | None] = mapped_column(Time, nullable=True)
    quiet_end: Mapped[time | None] = mapped_column(Time, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class MeetingAttendance(Base):
    """One participant's answer for one occurrence of a meeting."""

    __tablename__ = "meeting_attendance"
    __table_args__ = (UniqueConstraint("meeting_id", "starts_at", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"))
    coming: Mapped[bool] = mapped_column(Boolean)
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime)


class MeetingInvitee(Base):
    """A person chosen by name as a participant of a meeting made in the chat."""

    __tablename__ = "meeting_invitee"

    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meeting.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("app_user.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class Delivery(Base):
    """One scheduled message to one person, claimed before it is sent: never sent twice.

    The key is (kind, subject, due instant, recipient). ``status``: ``claimed`` (being
    prepared; if its run died, the next run takes it up and sends it), ``sending`` (the Bot API
    call is under way), ``sent``, ``partial`` (a later part of a message in several parts
    failed: not sent again), ``missed`` (found after the grace period), ``failed`` (Telegram
    refused it, or nothing to send) or ``unknown`` (timed out, or the process died while
    sending: it may have arrived, so it is not sent again). ``claimed_at`` is the claiming
    run's instant; marking ``sending`` checks it, so a run whose claim was taken over cannot
    send. A plain string (no enum, no check constraint): new statuses need no migration.
    """

    __tablename__ = "delivery"
    __table_args__ = (UniqueConstraint("kind", "subject_id", "due_at", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    subject_id: Mapped[int] = mapped_column(BigInteger)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(10))
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class SchedulerRun(Base):
    """When the scheduler last looked for due work, so a restart catches up from there."""

    __tablename__ = "scheduler_run"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    last_run_at: Mapped[datetime] = mapped_column(UTCDateTime)
