"""A PTB persistence on our database, so a dialogue can go on at any bot instance.

PTB's persistence model is one process: it loads everything at start-up and writes changes
back every ``update_interval`` seconds. With several instances behind a load balancer that
loses dialogues (the next update of a conversation may reach the other instance). So here:

* ``user_data`` is read per update through PTB's documented hook :meth:`refresh_user_data`,
  which PTB calls before the first handler that matches an update (our gate matches every
  one). ``chat_data`` is not kept: no feature uses it, and in a private chat it would be the
  user's own data a second time;
* conversation states are read per update by :meth:`refresh_dialogue`, which
  :class:`bot.app.BotApplication` calls before PTB picks a handler, in the same statement as
  the sender's ``user_data`` (which PTB's hook then takes from there). PTB has no such hook (see
  python-telegram-bot issues #4452 and #5225), so this is the one place that touches PTB
  internals: ``Application._conversation_handler_conversations``, the very mapping PTB's
  own ``update_persistence`` reads. ``tests/reliability/test_instances.py`` pins the behaviour;
* at the end of every update :class:`BotApplication` calls PTB's public
  ``Application.update_persistence()``, and the ``update_*`` methods below write into the
  update's own transaction (``scope_session``), so the dialogue's state is committed
  together with the update's effects and its update id — or not at all.

Nothing is loaded at start-up (``get_*`` return nothing): the database is the only truth.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Callable, Iterable, Mapping
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram.ext import BasePersistence, PersistenceInput

from bot.persistence.codec import UnreadableData, decode, encode
from storage.models import DialogueChatData, DialogueUserData
from storage.repositories.dialogue import DataModel, DialogueRepository

log = logging.getLogger(__name__)

Data = dict[Any, Any]
# The shapes of PTB's ``telegram.ext._utils.types`` aliases, spelled out to stay off its internals.
ConversationKey = tuple[int | str, ...]
ConversationDict = dict[ConversationKey, object]
CDCData = tuple[list[tuple[str, float, dict[str, Any]]], dict[str, str]]
ConversationStates = Mapping[str, Any]  # handler name -> PTB's TrackingDict of states
# PTB's own flush runs rarely: every update already writes its changes (see module doc).
FLUSH_INTERVAL_SECONDS = 3600.0


class SqlPersistence(BasePersistence[Data, Data, Data]):
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        *,
        now: Callable[[], datetime],
        scope_session: Callable[[], AsyncSession | None],
    ) -> None:
        super().__init__(
            store_data=PersistenceInput(bot_data=False, chat_data=False, user_data=True,
                                        callback_data=False),
            update_interval=FLUSH_INTERVAL_SECONDS,
        )
        self._sessions = sessions
        self._now = now
        self._scope_session = scope_session
        # PTB writes several items at once (asyncio.gather); one session is used by one at a time.
        self._lock = asyncio.Lock()
        # What each row held when this update read it: unchanged data is not written again.
        self._seen: dict[tuple[str, int], Any] = {}
        # The sender's user_data read with their conversation states, for PTB's hook.
        self._prefetched: tuple[int, dict[str, Any] | None] | None = None

    @asynccontextmanager
    async def _session(self) -> AsyncIterator[AsyncSession]:
        """The current update's session; outside an update, a session of its own."""
        scoped = self._scope_session()
        if scoped is not None:
            async with self._lock:
                yield scoped
            return
        async with self._sessions() as session, session.begin():
            yield session

    # -- what PTB loads at start-up: nothing, everything is read per update --------------------

    async def get_user_data(self) -> dict[int, Data]:
        return {}

    async def get_chat_data(self) -> dict[int, Data]:
        return {}

    async def get_bot_data(self) -> Data:
        return {}

    async def get_callback_data(self) -> CDCData | None:
        return None

    async def get_conversations(self, name: str) -> ConversationDict:
        return {}

    # -- read per update ----------------------------------------------------------------------

    async def refresh_user_data(self, user_id: int, user_data: Data) -> None:
        prefetched, self._prefetched = self._prefetched, None
        if prefetched is not None and prefetched[0] == user_id:
            self._take(DialogueUserData, user_id, prefetched[1], user_data)
            return
        await self._refresh(DialogueUserData, user_id, user_data)

    async def refresh_chat_data(self, chat_id: int, chat_data: Data) -> None:
        await self._refresh(DialogueChatData, chat_id, chat_data)

    async def refresh_bot_data(self, bot_data: Data) -> None:
        """bot_data holds the application's wiring, never persisted."""

    async def _refresh(self, model: DataModel, owner_id: int, target: Data) -> None:
        async with self._session() as session:
            stored = await DialogueRepository(session).data(model, owner_id)
        self._take(model, owner_id, stored, target)

    def _take(self, model: DataModel, owner_id: int, stored: Data | None, target: Data) -> None:
        self._seen[(model.__tablename__, owner_id)] = stored or {}
        try:
            fresh = decode(stored or {})
        except UnreadableData as exc:
            log.warning("dialogue data of %s %s unreadable (%s); starting afresh",
                        model.__tablename__, owner_id, exc)
            fresh = {}
        target.clear()
        target.update(fresh)

    async def refresh_dialogue(
        self, user_id: int | None, conversations: ConversationStates,
        keys: Iterable[tuple[str, ConversationKey]],
    ) -> None:
        """Load the current states of ``keys`` into PTB's in-memory conversation dicts, and
        the sender's ``user_data`` for :meth:`refresh_user_data`, in one statement.

        States are loaded untracked, so PTB does not write them back unless a handler
        changes them.
        """
        self._prefetched = None
        wanted = {(name, _key_text(key)): key for name, key in keys}
        if user_id is None:
            if not wanted:
                return
            user_id = 0  # no such user: only the states
        async with self._session() as session:
            data, stored = await DialogueRepository(session).user_dialogue(user_id, wanted)
        if user_id:
            self._prefetched = (user_id, data)
        for (name, text), key in wanted.items():
            states = conversations[name]
            if (name, text) in stored:
                states.update_no_track({key: stored[(name, text)]})
            else:
                states.data.pop(key, None)

    # -- written within the update -------------------------------------------------------------

    async def update_user_data(self, user_id: int, data: Data) -> None:
        await self._write(DialogueUserData, user_id, data)

    async def update_chat_data(self, chat_id: int, data: Data) -> None:
        await self._write(DialogueChatData, chat_id, data)

    async def update_bot_data(self, data: Data) -> None:
        """bot_data holds the application's wiring, never persisted."""

    async def update_callback_data(self, data: CDCData) -> None:
        """Callback data is not stored: our buttons carry their own, validated data."""

    async def _write(self, model: DataModel, owner_id: int, data: Data) -> None:
        encoded = encode(data)
        seen_key = (model.__tablename__, owner_id)
        if self._seen.get(seen_key) == encoded:
            return
        async with self._session() as session:
            await DialogueRepository(session).put_data(model, owner_id, encoded, self._now())
        self._seen[seen_key] = encoded

    async def drop_user_data(self, user_id: int) -> None:
        await self._drop(DialogueUserData, user_id)

    async def drop_chat_data(self, chat_id: int) -> None:
        await self._drop(DialogueChatData, chat_id)

    async def _drop(self, model: DataModel, owner_id: int) -> None:
        async with self._session() as session:
            await DialogueRepository(session).drop_data(model, owner_id)
        self._seen.pop((model.__tablename__, owner_id), None)

    async def update_conversation(
        self, name: str, key: ConversationKey, new_state: object | None
    ) -> None:
        async with self._session() as session:
            await DialogueRepository(session).put_state(
                name, _key_text(key), new_state, self._now())

    async def flush(self) -> None:
        """Every write is committed with its update; nothing is buffered here."""


def _key_text(key: ConversationKey) -> str:
    return json.dumps(list(key), separators=(",", ":"))
