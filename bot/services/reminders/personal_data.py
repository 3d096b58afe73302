"""Reminders as personal data: fired texts expire, everything is exported and erased on request.

Personal reminders hold a short free text (checked for personal data when set). A one-off
reminder that fired is kept for its snooze buttons until ``RETENTION_REMINDERS_DAYS`` have
passed; recurring ones live until their owner deletes them. Settings (mute, quiet hours),
meeting answers and the delivery ledger belong to the person too.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, func
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.data_kind import DataKind, changed_rows, iso
from storage.models import (
    Delivery,
    MeetingAttendance,
    MeetingInvitee,
    Reminder,
    ReminderSettings,
    User,
)
from storage.repositories.reminders import ReminderRepository


async def purge_fired(session: AsyncSession, before: datetime, now: datetime) -> int:
    """Delete one-off reminders that fired (or were missed) before ``before``: counted from
    when they went out, which is later than their time after downtime; a missed one never
    went out and counts from its time."""
    return await changed_rows(session, delete(Reminder).where(
        Reminder.done.is_(True), func.coalesce(Reminder.fired_at, Reminder.next_at) < before))


async def export_reminders(session: AsyncSession, user: User) -> dict[str, Any]:
    repo = ReminderRepository(session)
    reminders = await repo.every_reminder_of(user.id)
    settings = await session.get(ReminderSettings, user.id)
    answers = await repo.answers_given_by(user.id)
    invited = await repo.meetings_invited_to(user.id)
    return {
        "reminders": [
            {"text": r.text, "repeats": r.rule, "local_time": r.local_time.isoformat()
             if r.local_time else None, "next_at": iso(r.next_at), "fired_at": iso(r.fired_at),
             "done": r.done, "created_at": iso(r.created_at)}
            for r in reminders
        ],
        "settings": None if settings is None else {
            "muted": settings.muted,
            "quiet_start": settings.quiet_start.isoformat() if settings.quiet_start else None,
            "quiet_end": settings.quiet_end.isoformat() if settings.quiet_end else None,
        },
        "meeting_answers": [
            {"meeting_id": a.meeting_id, "starts_at": iso(a.starts_at), "coming": a.coming,
             "answered_at": iso(a.answered_at)}
            for a in answers
        ],
        "meetings_invited_to": list(invited),
    }


async def forget_reminders(session: AsyncSession, user: User, now: datetime) -> int:
    """Reminders, settings, meeting answers and invitations, and ledger rows all go."""
    removed = 0
    for model in (Reminder, ReminderSettings, MeetingAttendance, MeetingInvitee, Delivery):
        removed += await changed_rows(session, delete(model).where(model.user_id == user.id))
    return removed


REMINDERS = DataKind(
    name="reminders",
    setting="retention_reminders_days",
    free_text=("reminder.text",),
    purge=purge_fired,
    export=export_reminders,
    forget=forget_reminders,
)
