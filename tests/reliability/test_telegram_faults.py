"""Faults from Telegram: 429, 5xx, slow answers, dropped connections.

First what the transport retries and what not (each Bot API method on its own), then the
load: many users logging hours while a share of all calls fails, through the HTTP simulator.
"""

from __future__ import annotations

import asyncio
import json
import time

import httpx
import pytest
from sqlalchemy import func, select
from telegram.error import NetworkError, TimedOut

from bot.simulator import FaultPlan
from bot.telegram_retry import RetryingRequest, RetryPolicy, at_most_once
from storage.models import HourEntry, Role
from tests.support.harness import TOKEN
from tests.support.reliability import SEED, SIZES

FAST = RetryPolicy(first_wait=0.001, max_wait=0.002)
URL = "http://api.invalid/bot1:T/"
REQUEST = httpx.Request("POST", URL)


def _ok(result: object = True) -> tuple[int, bytes]:
    return 200, json.dumps({"ok": True, "result": result}).encode()


def _refused(code: int, description: str) -> tuple[int, bytes]:
    return code, json.dumps({"ok": False, "error_code": code,
                             "description": description}).encode()


def _dropped() -> NetworkError:
    error = NetworkError("httpx.RemoteProtocolError: Server disconnected")
    error.__cause__ = httpx.RemoteProtocolError("Server disconnected", request=REQUEST)
    return error


def _refused_connection() -> NetworkError:
    error = NetworkError("httpx.ConnectError: refused")
    error.__cause__ = httpx.ConnectError("refused", request=REQUEST)
    return error


def _read_timeout() -> TimedOut:
    error = TimedOut()
    error.__cause__ = httpx.ReadTimeout("slow", request=REQUEST)
    return error


class Scripted:
    """A transport answering from a script: (status, body) or an exception to raise."""

    def __init__(self, *answers: tuple[int, bytes] | Exception) -> None:
        self.answers = list(answers)
        self.calls = 0

    async def do_request(self, *args: object, **kwargs: object) -> tuple[int, bytes]:
        self.calls += 1
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer


async def _call(method: str, *answers: tuple[int, bytes] | Exception) -> tuple[object, int]:
    """(PTB's result or the error it raised, how many tries reached the transport)."""
    transport = Scripted(*answers)
    request = RetryingRequest(transport, FAST)  # type: ignore[arg-type]
    try:
        result: object = await request.post(URL + method)
    except Exception as exc:
        result = exc
    return result, transport.calls


@pytest.mark.parametrize("failure", [_refused(502, "Bad Gateway"), _dropped(), _read_timeout(),
                                     _refused_connection()])
async def test_a_reply_is_sent_again_after_any_network_failure(failure):
    assert await _call("sendMessage", failure, _ok({"message_id": 1})) == (
        {"message_id": 1}, 2)


async def test_a_scheduled_message_is_not_sent_again_when_it_may_have_arrived():
    with at_most_once():
        result, tries = await _call("sendMessage", _refused(502, "Bad Gateway"), _ok())
        assert isinstance(result, NetworkError) and tries == 1
        result, tries = await _call("sendMessage", _dropped(), _ok())
        assert isinstance(result, NetworkError) and tries == 1
        # No connection at all: it surely did not arrive, so it is tried again.
        assert await _call("sendMessage", _refused_connection(), _ok()) == (True, 2)
        # Answering a button is harmless to repeat, also here.
        assert await _call("answerCallbackQuery", _dropped(), _ok()) == (True, 2)


@pytest.mark.parametrize(("method", "refusal"), [
    ("answerCallbackQuery", "Bad Request: query is too old and response timeout expired or "
                            "query ID is invalid"),
    ("answerInlineQuery", "Bad Request: query is too old and response timeout expired or "
                          "query ID is invalid"),
    ("editMessageText", "Bad Request: message is not modified: specified new message content "
                        "and reply markup are exactly the same"),
    ("deleteMessage", "Bad Request: message to delete not found"),
])
async def test_a_refusal_of_the_repetition_means_the_first_try_had_worked(method, refusal):
    assert await _call(method, _dropped(), _refused(400, refusal)) == (True, 2)
    # Without an uncertain first try the same refusal is a real one.
    result, tries = await _call(method, _refused(400, refusal))
    assert type(result).__name__ == "BadRequest" and tries == 1


async def test_refusals_and_429_are_not_repeated_here():
    result, tries = await _call("sendMessage", _refused(403, "Forbidden: bot was blocked"))
    assert type(result).__name__ == "Forbidden" and tries == 1
    too_many = (429, json.dumps({"ok": False, "error_code": 429, "description": "Too Many",
                                 "parameters": {"retry_after": 1}}).encode())
    result, tries = await _call("sendMessage", too_many)  # AIORateLimiter's to wait out
    assert type(result).__name__ == "RetryAfter" and tries == 1


async def test_it_gives_up_after_five_tries():
    result, tries = await _call("editMessageText", *[_refused(502, "Bad Gateway")] * 6)
    assert isinstance(result, NetworkError) and "Bad Gateway" in str(result)
    assert tries == 5


# -- load under faults ---------------------------------------------------------------------


async def _log_hours(bot, user, number: int, entries: int) -> int:
    """Log ``entries`` entries by the one-line command and Save; returns the replies seen."""
    replies = 0
    for index in range(entries):
        note = f"Lauf {number} {index}"
        await bot.processed(await user.sim.send(f"/hours 0:{15 + 15 * (index % 3)} fua heute "
                                                f"{note}"), timeout=120)
        summary = await user.reply_with(f"Notiz: {note}")
        await bot.processed(await user.sim.tap("💾 Speichern", message=summary), timeout=120)
        saved = await user.reply_with("✅ Gespeichert")
        assert saved.message_id == summary.message_id  # the summary became the confirmation
        replies += 2
    return replies


async def test_under_faults_every_user_gets_every_reply_and_every_entry_is_stored_once(bot):
    users = [await bot.member(f"Last{number}", Role.PROVIDER, team="nord-a")
             for number in range(SIZES.fault_users)]
    plan = FaultPlan(rate=SIZES.fault_rate, seed=SEED,
                     kinds=("429", "5xx", "slow", "drop", "lost_answer"), slow_seconds=0.3)
    bot.sim.faults = plan
    started = time.monotonic()
    replies = await asyncio.gather(*(_log_hours(bot, user, number, SIZES.fault_entries)
                                     for number, user in enumerate(users)))
    elapsed = time.monotonic() - started
    bot.sim.faults = None

    assert sum(replies) == 2 * SIZES.fault_users * SIZES.fault_entries
    async with bot.sessions() as session:
        notes = (await session.execute(select(HourEntry.note, func.count()).group_by(
            HourEntry.note))).all()
    assert sorted(notes) == sorted((f"Lauf {n} {i}", 1) for n in range(SIZES.fault_users)
                                   for i in range(SIZES.fault_entries))
    faults = dict(bot.sim.stats.faults)
    calls = sum(bot.sim.stats.requests.values())
    print(f"\nseed {SEED}: {SIZES.fault_users} users, {calls} calls, faults {faults}, "
          f"{elapsed:.1f} s")
    assert sum(faults.values()) >= calls * SIZES.fault_rate / 2
    assert {"429", "5xx", "slow", "drop", "lost_answer"} <= set(faults)
    assert bot.sim.stats.early_retries == []  # every retry after a 429 waited retry_after


async def test_the_simulator_notices_a_retry_that_does_not_wait_for_retry_after(simulator):
    """What the load test relies on: the same call again within ``retry_after`` of its 429
    is recorded; another message to the same chat is not a retry."""
    url = f"{simulator.base_url}/bot{TOKEN}/sendMessage"
    simulator.faults = FaultPlan(rate=1.0, kinds=("429",), methods=frozenset({"sendMessage"}))
    async with httpx.AsyncClient() as client:
        refused = await client.post(url, json={"chat_id": 42, "text": "Hallo"})
        assert refused.status_code == 429
        assert refused.json()["parameters"]["retry_after"] == 1
        simulator.faults = None
        await client.post(url, json={"chat_id": 42, "text": "Eine andere Nachricht"})
        assert simulator.stats.early_retries == []
        await client.post(url, json={"chat_id": 42, "text": "Hallo"})
    [early] = simulator.stats.early_retries
    assert (early.chat_id, early.method) == (42, "sendMessage") and 0 < early.early_by <= 1


async def _entries(bot) -> int:
    async with bot.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(HourEntry)))


EDITS_FAIL = FaultPlan(rate=1.0, kinds=("5xx",), methods=frozenset({"editMessageText"}))


async def test_when_the_confirmation_cannot_be_shown_the_user_is_not_told_nothing_was_saved(bot):
    pia = await bot.member("Pia", Role.PROVIDER, team="nord-a")
    await pia.send("/hours 2 fua heute")
    summary = await pia.reply()
    # Telegram fails every edit: the entry is saved, but "Saved" cannot be shown.
    bot.sim.faults = EDITS_FAIL
    await pia.tap("💾 Speichern", message=summary)
    bot.sim.faults = None
    told = (await pia.reply()).text
    assert "nach dem Speichern ist etwas schiefgegangen" in told
    assert "nichts gespeichert" not in told
    assert await _entries(bot) == 1


async def test_a_press_handled_too_late_to_be_answered_still_counts(bot):
    """After downtime Telegram delivers a press whose query can no longer be answered."""
    from telegram import Update

    pia = await bot.member("Pia", Role.PROVIDER, team="nord-a")
    await pia.send("/hours 2 fua heute")
    summary = await pia.reply()
    stored = bot.sim.find_message(TOKEN, pia.telegram_id, summary.message_id)
    late = {"update_id": 90_001, "callback_query": {
        "id": "expired-query", "from": pia.sim.tg_user, "chat_instance": "ci",
        "data": summary.buttons[0][0].callback_data,
        "message": stored.to_api(bot.sim.bots[TOKEN].user)}}
    await bot.app.process_update(Update.de_json(late, bot.app.bot))
    assert "✅ Gespeichert: 2 Std. FuA" in (await pia.reply()).text
    assert await _entries(bot) == 1


async def test_a_draft_saved_before_a_failure_cannot_be_saved_again_from_another_summary(bot):
    """The draft outlived a failure after its save: another Save button stored it twice."""
    pia = await bot.member("Pia", Role.PROVIDER, team="nord-a")
    await pia.send("/hours 2 fua heute Vorbereitung")
    first = await pia.reply()
    await pia.send("/hours 2 fua heute Vorbereitung")  # impatient: the same again
    second = await pia.reply()
    bot.sim.faults = EDITS_FAIL
    await pia.tap("💾 Speichern", message=second)
    bot.sim.faults = None
    assert "nach dem Speichern" in (await pia.reply()).text
    await pia.tap("💾 Speichern", message=first)
    assert "Dieser Dialog ist abgelaufen" in (await pia.reply()).text
    assert await _entries(bot) == 1
