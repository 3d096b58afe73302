"""Dialogue state rows: read, write (upsert), drop, and purge when idle."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, literal, null, select, tuple_, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import insert_for
from storage.models import DialogueChatData, DialogueState, DialogueUserData

DataModel = type[DialogueUserData] | type[DialogueChatData]


# Read at every update: built once (see ``user_dialogue``).
_USER_DATA = select(literal("data"), null(), null(), DialogueUserData.data).where(
    DialogueUserData.telegram_user_id == bindparam("user_id"))
_USER_DIALOGUE = union_all(_USER_DATA, select(
    literal("state"), DialogueState.name, DialogueState.key, DialogueState.state,
).where(tuple_(DialogueState.name, DialogueState.key).in_(bindparam("pairs", expanding=True))))


class DialogueRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    # -- user_data / chat_data ----------------------------------------------------------------

    async def data(self, model: DataModel, owner_id: int) -> dict[str, Any] | None:
        stored = await self.session.scalar(
            select(model.data).where(_owner_column(model) == owner_id))
        return dict(stored) if stored is not None else None

    async def user_dialogue(
        self, telegram_user_id: int, pairs: Iterable[tuple[str, str]]
    ) -> tuple[dict[str, Any] | None, dict[tuple[str, str], Any]]:
        """A user's ``user_data`` and the states of the given (handler name, key) pairs, in
        one statement: every update of a dialogue reads both."""
        wanted = list(pairs)
        statement = _USER_DIALOGUE if wanted else _USER_DATA
        data: dict[str, Any] | None = None
        states: dict[tuple[str, str], Any] = {}
        params: dict[str, Any] = {"user_id": telegram_user_id}
        if wanted:
            params["pairs"] = wanted
        rows = await self.session.execute(statement, params)
        for kind, name, key, value in rows.all():
            if kind == "data":
                data = dict(value)
            else:
                states[(name, key)] = value
        return data, states

    async def put_data(
        self, model: DataModel, owner_id: int, data: dict[str, Any], at: datetime
    ) -> None:
        """Store ``data`` for the user or chat; an empty dict removes the row."""
        if not data:
            await self.drop_data(model, owner_id)
            return
        column = _owner_column(model)
        statement = insert_for(self.session)(model).values(
            {column.name: owner_id, "data": data, "updated_at": at})
        await self.session.execute(statement.on_conflict_do_update(
            index_elements=[column.name], set_={"data": data, "updated_at": at}))

    async def drop_data(self, model: DataModel, owner_id: int) -> None:
        await self.session.execute(delete(model).where(_owner_column(model) == owner_id))

    # -- conversation states ------------------------------------------------------------------

    async def states(self, name: str) -> dict[str, Any]:
        rows = await self.session.execute(
            select(DialogueState.key, DialogueState.state).where(DialogueState.name == name))
        return {key: state for key, state in rows.all()}

    async def put_state(self, name: str, key: str, state: Any, at: datetime) -> None:
        """Store a conversation's state; ``None`` ends it (the row goes)."""
        if state is None:
            await self.session.execute(delete(DialogueState).where(
                DialogueState.name == name, DialogueState.key == key))
            return
        statement = insert_for(self.session)(DialogueState).values(
            name=name, key=key, state=state, updated_at=at)
        await self.session.execute(statement.on_conflict_do_update(
            index_elements=["name", "key"], set_={"state": state, "updated_at": at}))

    # -- retention ----------------------------------------------------------------------------

    async def forget_owner(self, telegram_id: int) -> int:
        """Drop a person's drafts and dialogues in their private chat (chat id = user id)."""
        removed = 0
        keys = [f"[{telegram_id}]", f"[{telegram_id},{telegram_id}]"]
        for statement in (
            delete(DialogueUserData).where(DialogueUserData.telegram_user_id == telegram_id),
            delete(DialogueChatData).where(DialogueChatData.chat_id == telegram_id),
            delete(DialogueState).where(DialogueState.key.in_(keys)),
        ):
            result = await self.session.execute(statement)
            removed += int(result.rowcount)  # type: ignore[attr-defined]
        return removed

    async def purge_idle(self, before: datetime) -> int:
        """Drop dialogues untouched since ``before``; returns how many rows went."""
        removed = 0
        for model in (DialogueState, DialogueUserData, DialogueChatData):
            result = await self.session.execute(delete(model).where(model.updated_at < before))
            removed += int(result.rowcount)  # type: ignore[attr-defined]
        return removed


def _owner_column(model: DataModel) -> Any:
    if model is DialogueUserData:
        return DialogueUserData.telegram_user_id
    return DialogueChatData.chat_id
