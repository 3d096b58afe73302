"""Hours as personal data: notes expire, entries are exported and keep their figures forever."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.data_kind import DataKind, changed_rows, iso
from storage.models import HourEntry, User
from storage.repositories.hours import HoursRepository


async def purge_notes(session: AsyncSession, before: datetime, now: datetime) -> int:
    """Blank the notes of entries saved before ``before``; the minutes stay."""
    return await changed_rows(session, update(HourEntry)
                              .where(HourEntry.note.is_not(None), HourEntry.created_at < before)
                              .values(note=None))


async def export_entries(session: AsyncSession, user: User) -> dict[str, Any]:
    repo = HoursRepository(session)
    entries = await repo.entries_of(user.id)
    reopenings = await repo.reopenings_by(user.id)
    return {
        "entries": [
            {
                "day": iso(e.work_date), "team": e.team.key, "kind_of_work": e.category.key,
                "minutes": e.minutes, "note": e.note, "saved_at": iso(e.created_at),
                "changed_at": iso(e.updated_at),
            }
            for e in entries
        ],
        "weeks_reopened": [
            {"team_id": r.team_id, "week_start": iso(r.week_start),
             "open_until": iso(r.open_until), "at": iso(r.reopened_at)}
            for r in reopenings
        ],
    }


async def forget_notes(session: AsyncSession, user: User, now: datetime) -> int:
    """The person's notes go at once; their minutes stay in the team's figures."""
    return await changed_rows(session, update(HourEntry)
                              .where(HourEntry.user_id == user.id, HourEntry.note.is_not(None))
                              .values(note=None))


HOUR_ENTRIES = DataKind(
    name="hour_entries",
    setting="retention_notes_days",
    free_text=("hour_entry.note",),
    purge=purge_notes,
    export=export_entries,
    forget=forget_notes,
)
