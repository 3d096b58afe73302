"""Dialogue state shared by every bot instance: PTB's user/chat data and conversation states.

Written within the update that changed it and read at the start of the next one, so a
dialogue begun at one instance goes on at another (see ``bot/persistence.py``). Rows hold
drafts of short free-text fields until the dialogue ends; idle ones are purged.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base
from storage.types import UTCDateTime


class DialogueUserData(Base):
    """``context.user_data`` of one Telegram user, as JSON."""

    __tablename__ = "dialogue_user_data"

    telegram_user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True,
                                                  autoincrement=False)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class DialogueChatData(Base):
    """``context.chat_data`` of one chat, as JSON."""

    __tablename__ = "dialogue_chat_data"

    chat_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class DialogueState(Base):
    """The state of one persistent ConversationHandler for one key (chat id, user id)."""

    __tablename__ = "dialogue_state"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    key: Mapped[str] = mapped_column(String(120), primary_key=True)  # JSON list, e.g. [42,42]
    state: Mapped[Any] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
