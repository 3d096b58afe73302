"""Dialogue state in the database: the codec, the persistence class, and housekeeping."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select
from telegram.ext._utils.trackingdict import TrackingDict

import handlers.hours  # noqa: F401  (registers the hours Draft, as in the running bot)
from bot.persistence import SqlPersistence, UnreadableData, persisted
from bot.persistence.codec import decode, encode
from bot.services import maintenance
from bot.services.hours import Draft
from storage.models import DialogueState, DialogueUserData
from storage.repositories.dialogue import DialogueRepository


@dataclass
class _Unregistered:
    value: int = 1


def test_codec_round_trips_drafts_dates_and_plain_values():
    data = {"hours_draft": Draft(category_id=2, team_id=1, minutes=90, day=date(2026, 11, 23),
                                 note="Ideenbörse"),
            "budget_draft": {"team": 3, "amount": 125050, "planned_on": "2026-12-15"},
            "when": datetime(2026, 11, 24, 9, 0, tzinfo=UTC), "ids": [1, 2], "none": None}
    assert decode(encode(data)) == data


def test_codec_refuses_what_it_could_not_read_back():
    with pytest.raises(TypeError, match="register it with persisted"):
        encode({"x": _Unregistered()})
    with pytest.raises(TypeError, match="keys must be strings"):
        encode({1: "one"})
    with pytest.raises(UnreadableData):
        decode({"__type__": "bot.services.hours.service.Draft", "value": {"gone": 1}})
    with pytest.raises(UnreadableData):
        decode({"__type__": "somewhere.Else", "value": {}})
    with pytest.raises(TypeError, match="registered twice"):
        persisted(type("Draft", (Draft,), {"__module__": Draft.__module__,
                                           "__qualname__": Draft.__qualname__}))


@pytest.fixture
def persistence(sessions, clock):
    return SqlPersistence(sessions, now=clock.now, scope_session=lambda: None)


async def test_user_data_written_by_one_instance_is_read_by_another(sessions, clock):
    def instance() -> SqlPersistence:
        return SqlPersistence(sessions, now=clock.now, scope_session=lambda: None)

    first, second = instance(), instance()
    await first.update_user_data(42, {"hours_draft": Draft(minutes=60)})
    seen: dict = {"stale": True}
    await second.refresh_user_data(42, seen)
    assert seen == {"hours_draft": Draft(minutes=60)}
    await second.update_user_data(42, {})  # the dialogue ended: the row goes
    await first.refresh_user_data(42, seen)
    assert seen == {}
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(DialogueUserData)) == 0


async def test_conversation_states_are_loaded_untracked_and_ended(persistence, sessions):
    await persistence.update_conversation("hours", (7, 7), 3)
    states: TrackingDict = TrackingDict()
    states[(8, 8)] = 1  # another user's state, stale in this instance
    states.pop_accessed_keys()
    await persistence.update_user_data(7, {"hours_draft": Draft(minutes=90)})
    await persistence.refresh_dialogue(7, {"hours": states}, [("hours", (7, 7)),
                                                             ("hours", (8, 8))])
    assert dict(states) == {(7, 7): 3}
    assert states.pop_accessed_keys() == set()  # loading is no change to write back
    user_data: dict = {"stale": True}
    await persistence.refresh_user_data(7, user_data)  # read with the states above
    assert user_data == {"hours_draft": Draft(minutes=90)}
    await persistence.update_conversation("hours", (7, 7), None)
    async with sessions() as session:
        assert await DialogueRepository(session).states("hours") == {}


async def test_unreadable_data_starts_the_dialogue_afresh(persistence, sessions, clock, caplog):
    async with sessions() as session, session.begin():
        await DialogueRepository(session).put_data(
            DialogueUserData, 5, {"d": {"__type__": "old.Draft", "value": {}}}, clock.now())
    data: dict = {}
    await persistence.refresh_user_data(5, data)
    assert data == {}
    assert "unreadable" in caplog.text


async def test_housekeeping_forgets_idle_dialogues(sessions, clock):
    now = clock.now()
    old, recent = now - timedelta(days=8), now - timedelta(hours=1)
    async with sessions() as session, session.begin():
        repo = DialogueRepository(session)
        await repo.put_state("hours", "[1,1]", 2, old)
        await repo.put_state("hours", "[2,2]", 2, recent)
        await repo.put_data(DialogueUserData, 1, {"x": 1}, old)
    async with sessions() as session, session.begin():
        assert await maintenance.purge(session, now) == 2
    async with sessions() as session:
        assert await session.scalar(select(DialogueState.key)) == "[2,2]"
        assert await session.scalar(select(DialogueUserData.telegram_user_id)) is None
