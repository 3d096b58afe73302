"""Dialogue state in the database, shared by every bot instance (see :mod:`.sql`)."""

from bot.persistence.codec import UnreadableData, persisted
from bot.persistence.sql import SqlPersistence

__all__ = ["SqlPersistence", "UnreadableData", "persisted"]
