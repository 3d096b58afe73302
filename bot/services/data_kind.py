"""What each kind of stored data declares: how long it is kept, how it is exported and erased.

A feature that stores data about people defines one :class:`DataKind` per kind of record in
its service package and adds it to ``DATA_KINDS`` in :mod:`bot.services.retention`. From
then on the daily retention job purges it, ``/mydata`` exports it and ``/forgetme`` erases
it — without the feature knowing about Telegram, jobs or the other kinds.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Executable
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import User

Purge = Callable[[AsyncSession, datetime, datetime], Awaitable[int]]
"""``(session, before, now)``: remove or blank what became due before ``before``; how many."""

Export = Callable[[AsyncSession, User], Awaitable[Any]]
"""``(session, user)``: everything of this kind about ``user``, as JSON-ready values."""

Forget = Callable[[AsyncSession, User, datetime], Awaitable[int]]
"""``(session, user, now)``: erase or detach ``user``'s data of this kind; how many records."""


@dataclass(frozen=True)
class DataKind:
    """One kind of stored data and what the data-protection machinery does with it.

    ``name`` is stable: it is the key in the ``/mydata`` file and in the retention log line.
    ``setting`` names the :class:`bot.settings.Settings` field that holds the retention period
    in days (None: nothing of this kind expires by itself). Figures (hours, amounts) are never
    purged; only free text and data that identify people are. ``free_text`` lists the
    ``table.column`` names users type into: each goes through the personal-data check when
    written and is blanked by ``purge`` (a test holds every text column to this).
    """

    name: str
    setting: str | None = None
    free_text: tuple[str, ...] = ()
    purge: Purge | None = None
    export: Export | None = None
    forget: Forget | None = None


def iso(value: date | datetime | None) -> str | None:
    """Dates for the export file: ISO 8601, datetimes in UTC."""
    return value.isoformat() if value is not None else None


async def changed_rows(session: AsyncSession, statement: Executable) -> int:
    """Run a bulk UPDATE or DELETE and return how many rows it touched."""
    result = await session.execute(statement.execution_options(synchronize_session=False))
    return int(result.rowcount)  # type: ignore[attr-defined]
