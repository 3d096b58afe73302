"""Housekeeping the leader runs every hour, and dialogues as personal data.

Dialogues idle for :data:`DIALOGUE_IDLE` go: they may hold drafts of short free-text fields,
and the user who comes back is told the dialogue expired and starts again. Processed update
ids and other technical records expire with the daily retention run
(:mod:`bot.services.bookkeeping`).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.data_kind import DataKind
from storage.models import DialogueChatData, DialogueUserData, User
from storage.repositories.dialogue import DialogueRepository

DIALOGUE_IDLE = timedelta(hours=48)


async def purge(session: AsyncSession, now: datetime) -> int:
    """Forget dialogues idle since :data:`DIALOGUE_IDLE`; how many rows went."""
    return await DialogueRepository(session).purge_idle(now - DIALOGUE_IDLE)


async def export_dialogues(session: AsyncSession, user: User) -> dict[str, Any]:
    """Drafts of unfinished dialogues (in a private chat, chat id = Telegram user id)."""
    repo = DialogueRepository(session)
    return {
        "user_data": await repo.data(DialogueUserData, user.telegram_id) or {},
        "chat_data": await repo.data(DialogueChatData, user.telegram_id) or {},
    }


async def forget_dialogues(session: AsyncSession, user: User, now: datetime) -> int:
    return await DialogueRepository(session).forget_owner(user.telegram_id)


DIALOGUES = DataKind(
    name="unfinished_dialogues",
    export=export_dialogues,
    forget=forget_dialogues,
)
