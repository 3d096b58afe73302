"""The engine's promises: SQLite in WAL mode with foreign keys enforced; both backends refuse
rows that point nowhere."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from storage.db import is_sqlite_url
from storage.models import HourCategory, HourEntry, Team


async def test_sqlite_runs_with_wal_and_foreign_keys(engine):
    if not is_sqlite_url(str(engine.url)):
        pytest.skip("SQLite pragmas")
    async with engine.connect() as connection:
        assert (await connection.execute(text("PRAGMA journal_mode"))).scalar() == "wal"
        assert (await connection.execute(text("PRAGMA foreign_keys"))).scalar() == 1
        assert (await connection.execute(text("PRAGMA busy_timeout"))).scalar() == 10_000


async def test_an_entry_for_a_team_that_does_not_exist_is_refused(sessions):
    async with sessions() as session, session.begin():
        category = await session.scalar(select(HourCategory.id).limit(1))
        team = await session.scalar(select(Team.id).limit(1))
    for team_id, refused in ((team, False), (987_654, True)):
        async with sessions() as session:
            session.add(HourEntry(user_id=None, team_id=team_id, category_id=category,
                                  work_date=date(2026, 11, 24), minutes=60,
                                  created_at=datetime(2026, 11, 24, tzinfo=UTC)))
            if refused:
                with pytest.raises(IntegrityError):
                    await session.commit()
            else:
                await session.commit()
