"""Housekeeping the leader runs every hour: forget what is no longer needed.

* Dialogues idle for :data:`DIALOGUE_IDLE` go (they may hold drafts of short free-text
  fields; the user who comes back is told the dialogue expired and starts again).
* Processed update ids older than :data:`PROCESSED_UPDATE_KEEP` go: Telegram gives up
  redelivering an update after 24 hours, so a week is ample for recognising duplicates.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from storage.repositories.dialogue import DialogueRepository
from storage.repositories.system import purge_processed_updates

DIALOGUE_IDLE = timedelta(hours=48)
PROCESSED_UPDATE_KEEP = timedelta(days=7)


@dataclass(frozen=True)
class PurgeReport:
    dialogues: int
    processed_updates: int

    @property
    def anything(self) -> bool:
        return bool(self.dialogues or self.processed_updates)


async def purge(session: AsyncSession, now: datetime) -> PurgeReport:
    dialogues = await DialogueRepository(session).purge_idle(now - DIALOGUE_IDLE)
    updates = await purge_processed_updates(session, now - PROCESSED_UPDATE_KEEP)
    return PurgeReport(dialogues=dialogues, processed_updates=updates)
