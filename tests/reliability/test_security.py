"""Nobody where they don't belong: invitation codes, guessing them, and flooding.

Single use and expiry through the chat are in ``tests/flows/test_flow_registration.py``; here the
codes' strength, the guessing limit's reach, and floods of presses and inline queries.
"""

from __future__ import annotations

import asyncio
import base64
import math
import time
from collections import Counter
from datetime import timedelta

from sqlalchemy import select

from bot.ratelimit import KeyedRateLimiter
from bot.services import access
from storage.models import Invitation, Role, User
from tests.support.harness import TOKEN


async def _codes(session, count: int, clock) -> list[str]:
    return [(await access.create_invitation(session, role=Role.PROVIDER, now=clock.now(),
                                            ttl=timedelta(days=7), team_key="nord-a")).code
            for _ in range(count)]


async def test_invitation_codes_carry_128_random_bits_and_fit_a_deep_link(session, clock,
                                                                          monkeypatch):
    drawn: list[int] = []
    real = access.secrets.token_urlsafe

    def spy(nbytes: int) -> str:
        drawn.append(nbytes)
        return real(nbytes)

    monkeypatch.setattr(access.secrets, "token_urlsafe", spy)
    codes = await _codes(session, 200, clock)
    assert drawn == [16] * 200  # from the secrets module, 16 bytes = 128 bits each
    for code in codes:
        raw = base64.urlsafe_b64decode(code + "=" * (-len(code) % 4))
        assert len(raw) * 8 >= 128
        # Telegram's deep links: ?start= takes up to 64 of A-Z, a-z, 0-9, _ and -.
        assert len(code) <= 64 and code.replace("_", "").replace("-", "").isalnum()
    assert len(set(codes)) == len(codes)
    # The bits look random: every base64 letter turns up, none dominates. (The 22nd letter
    # holds the last 2 bits only, so it takes 4 values: it would skew the count.)
    letters = Counter("".join(code[:21] for code in codes))
    assert len(letters) == 64
    expected = sum(letters.values()) / 64
    assert max(letters.values()) < 2 * expected
    entropy = -sum(n / sum(letters.values()) * math.log2(n / sum(letters.values()))
                   for n in letters.values())
    assert entropy > 5.9  # of at most 6 bits per letter


async def test_only_a_hash_of_the_code_is_stored(session, clock):
    (code,) = await _codes(session, 1, clock)
    stored = (await session.scalars(select(Invitation.code_hash))).all()
    assert code not in stored and access.hash_code(code) in stored


async def test_the_guessing_limit_stops_the_guesser_only_and_lifts_with_time(bot):
    now = [0.0]
    bot.state.code_attempts = KeyedRateLimiter(capacity=5, per_second=1 / 600,
                                               clock=lambda: now[0])
    guesser, newcomer = bot.stranger("Rate"), bot.stranger("Neu")
    for attempt in range(6):
        await guesser.send(f"/start guess{attempt:04d}xxxxxxxxxxxxxx")
        await guesser.reply()
    assert "Zu viele Versuche" in guesser.last.text
    async with bot.sessions() as session, session.begin():
        first, second = await _codes(session, 2, bot.clock)
    await newcomer.send(f"/start {first}")  # someone else is not held up
    assert "Willkommen, Neu!" in (await newcomer.reply()).text
    now[0] += 600  # ten minutes later one more try is allowed
    await guesser.send(f"/start {second}")
    assert "Willkommen, Rate!" in (await guesser.reply()).text


async def _flood(bot, updates: list[int]) -> None:
    await asyncio.gather(*(bot.processed(update_id, timeout=60) for update_id in updates))


async def test_a_flood_of_messages_presses_and_inline_queries_is_cut_off_not_shared(bot):
    flood = await bot.member("Flut", Role.PROVIDER, team="nord-a")
    calm = await bot.member("Ruhe", Role.PROVIDER, team="nord-a")
    await flood.send("/language")
    buttons = await flood.reply()
    sim = bot.sim.bots[TOKEN]

    # Hundreds of updates at once, of every kind: messages, button presses, inline queries.
    queued = [await flood.sim.send("/help") for _ in range(100)]
    queued += [await flood.sim.tap("Deutsch", message=buttons) for _ in range(100)]
    for _ in range(100):
        query_id = bot.sim.next_id()
        sim.inline_queries[query_id] = asyncio.get_running_loop().create_future()
        queued.append(bot.sim.enqueue(TOKEN, "inline_query", {
            "id": query_id, "from": flood.sim.tg_user, "query": "pestalozzi", "offset": "",
            "chat_type": "sender"}, flood.telegram_id))
    started = time.monotonic()
    await calm.send("/help")  # queued behind all of it
    answered_calm = await calm.reply()
    waited = time.monotonic() - started
    await _flood(bot, queued)

    assert "Was ich für Sie tun kann" in answered_calm.text
    assert waited < 5, f"the calm user waited {waited:.1f} s"
    handled = sum(1 for m in flood.sim.messages if "Was ich für Sie tun kann" in m.text)
    handled += len(flood.sim.callback_answers)
    handled += len(sim.inline_answers)
    print(f"\nflood: {handled} of 300 handled; the calm user waited {waited:.2f} s")
    assert handled <= 40, f"{handled} of 300 flood updates were handled"
    # Nothing of the flood reached the database beyond the burst: one language, one user.
    async with bot.sessions() as session:
        assert (await session.scalar(select(User.locale).where(
            User.id == flood.user_id))) == "de"


SLOW_DOWN = "Sie senden gerade sehr viele Nachrichten"


def _flood_on_the_test_clock(bot) -> KeyedRateLimiter:
    """The bot's flood limits, refilled by the harness's clock instead of the real one."""
    limits = bot.state.flood
    bot.state.flood = KeyedRateLimiter(limits.capacity, limits.per_second,
                                       clock=lambda: bot.clock.now().timestamp())
    return bot.state.flood


async def test_a_flooding_user_is_told_once_per_burst_to_slow_down(bot):
    flood = await bot.member("Flut", Role.PROVIDER, team="nord-a")
    limits = _flood_on_the_test_clock(bot)

    def said(fragment: str) -> int:
        return sum(1 for m in flood.sim.messages if fragment in m.text)

    for _ in range(int(limits.capacity) + 10):
        await flood.send("/help")
    assert said("Was ich für Sie tun kann") == limits.capacity
    assert said(SLOW_DOWN) == 1  # not once per dropped message
    # A sustained flood: a few messages pass as the bucket refills, the notice is not repeated.
    for _ in range(5):
        bot.clock.advance(timedelta(seconds=1))
        for _ in range(10):
            await flood.send("/help")
    assert said("Was ich für Sie tun kann") == limits.capacity + 5 * limits.per_second
    assert said(SLOW_DOWN) == 1
    # After a quiet spell the bucket is full again: a new burst, told again once.
    bot.clock.advance(timedelta(seconds=limits.capacity / limits.per_second))
    for _ in range(int(limits.capacity) + 3):
        await flood.send("/help")
    assert said("Was ich für Sie tun kann") == 2 * limits.capacity + 5 * limits.per_second
    assert said(SLOW_DOWN) == 2


async def test_a_flood_of_presses_is_told_on_the_button_in_the_users_language(bot):
    sam = await bot.member("Sam", Role.PROVIDER, team="nord-a", locale="en")
    limits = _flood_on_the_test_clock(bot)
    await sam.send("/language")
    buttons = await sam.reply()
    for _ in range(int(limits.capacity) + 5):
        await sam.tap("English", message=buttons)
    notices = [a for a in sam.sim.callback_answers
               if a.text and "You are sending a lot of messages" in a.text]
    assert len(notices) == 1 and notices[0].alert
    assert not any(SLOW_DOWN in m.text for m in sam.sim.messages)
