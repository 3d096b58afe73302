"""Hostile and broken input: random sequences of messages, commands and button presses.

A hypothesis state machine plays team members, leads, an administrator and strangers against
the real Application on SQLite and PostgreSQL: every command of every role with plausible
and hostile arguments, texts typed into whatever dialogue is open, presses of the buttons
on screen and of stale ones, forged callback data and other users' buttons, redelivered
updates, inline queries, stickers, edits, and time passing with the scheduler running.
Texts include 4,096 characters, emoji, control characters, HTML markup and SQL
metacharacters.

After every step (``tests/support/hostile.py``): no unhandled exception (nothing logged at ERROR,
such as "update … failed"); every update answered (a message, an edit, or the button's
answer; a redelivered update changes and answers nothing); no budget overdrawn, also per team
share; no FuA request decided twice; no entry of a locked week changed; nothing but the way
in shown to anyone not registered. ``/forgetme`` is left out: it ends the user it erases.

The number of steps per database is in ``tests/support/reliability.py``; the test prints the steps
per second it reached and the records the flows created. ``make test`` plays the same
(derandomized) sequences every time; ``make soak`` plays new random ones and many more. All
examples share one database (a new one per example would cost more than the steps), so the
world only grows: entries lock as time passes, requests pile up against the budget.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Coroutine
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, rule, run_state_machine_as_test
from sqlalchemy import select

from bot.simulator.driver import snapshot
from storage.models import HourCategory, HourEntry, Role, Team
from tests.support.harness import BotHarness, TestUser
from tests.support.hostile import ErrorLog, World, build_world, inline_query, recent_with_buttons
from tests.support.reliability import SIZES, SOAKING

MEMBERS: dict[str, tuple[Role, dict[str, Any]]] = {
    "Adam": (Role.ADMIN, {}),
    "Lea": (Role.LEAD, {"region": "nord"}),
    "Sven": (Role.LEAD, {"region": "sued", "locale": "en"}),
    "Pia": (Role.PROVIDER, {"team": "nord-a"}),
    "Paul": (Role.PROVIDER, {"team": ["nord-a", "nord-b"]}),
    "Sara": (Role.PROVIDER, {"team": "sued-a", "locale": "en"}),
    "Nina": (Role.NETWORKER, {"team": "nord-b"}),
    "Cara": (Role.CASEWORKER, {"team": "nord-a"}),
}
STRANGERS = ["Fremd", "Guest"]

HOSTILE = [
    "A" * 4096, "ä" * 4096, "😀" * 2048, "<b>" * 1365, "&amp;" * 819, "\n" * 300,
    "<b>fett</b> <i>schräg", "<script>alert(1)</script>", "<a href='javascript:x'>x</a>",
    "'; DROP TABLE hour_entry; --", "1' OR '1'='1", "%s %d {0} {name} {{}} %(x)s", "\\x00",
    "\x01\x02\x07\x1b[31mrot\x1b[0m", "\u202egnuhcieniE\u202c", "\u200b\u200d\ufeff", "🙂🏳️‍🌈👨‍👩‍👧",
    " ", "/", "//", "/ hours", "@sozialraum_test_bot", "null", "None", "-1", "9" * 40, "1e309",
    "NaN", "0x1F", "１２", "٣", "²", "½", "∞", "Familie Müller", "Frau Schmidt 12.03.2015",
    "Max Mustermann", "Tel 040 1234567", "a@b.de",
]
PLAUSIBLE = [
    "2,5", "1:30", "90 min", "0", "25", "1h30", "gestern", "heute", "22.11.", "31.02.", "1.1.",
    "1.250,50", "100", "0,01", "1.000.000", "Material", "Stadtteilfest", "Getränke und Spiele",
    "15.12.", "morgen 9:00", "in 2 Stunden", "jeden Montag 8:00", "Dienstag 9:00",
    "03.12. 14:00", "Rathaus", "60", "ja", "nein", "Wie viele Stunden FuA pro Woche?",
    "pestalozzi", "Garstedt", "nord-a", "21:00-06:30", "Bitte um Rückruf", "tomorrow 9am",
    "every Monday 8:00", "90", "Begründung fehlt", "Wer entscheidet über das Budget?",
]
TEXTS = st.sampled_from(HOSTILE + PLAUSIBLE) | st.text(max_size=40).filter(
    lambda text: text.strip() != "")
# /digest: now, a schedule, off; and schedules that are not one.
DIGEST_ARGS = ["now", "jetzt", "täglich 7:30", "every day 7:30", "jeden Freitag 14:00", "aus",
               "standard", "jeden Tag 25:99", "werktags 0:00", "jeden Sonntag 23:59",
               "now now", "täglich 7:30 und Kuchen"]
# /report: typed periods, right and wrong: reversed, too long, at the calendar's ends.
REPORT_ARGS = ["01.01.2026-30.06.2026", "1.12.-31.12.", "31.12.2026-01.01.2026",
               "01.01.2000-31.12.2030", "9999-12-01 bis 9999-12-31",
               "0001-01-01 - 0001-01-31", "31.02.2026-01.03.2026", "2026-13-01 to 2026-14-01",
               "1.1.26 – 1.1.26", "Q1"]
ARGS = st.sampled_from(["", *PLAUSIBLE[:20], "2 fua heute", "2,5 beratung gestern Notiz",
                        "1:30 fuea 20.11.", "12 fua heute", "0 fua", "2 xyz", "nord 2026 30000",
                        "nord-a 2026 15000", "sued 2026 1", "nord 1999 5", "12.12.",
                        "morgen 9:00 Bericht", "in 5 min Akten", "off", "default", "spät",
                        "nord", "ambulant", "St.-Josef", "Glashuette", "help", "inline",
                        "x" * 70, "-5", *HOSTILE[6:20], *DIGEST_ARGS, *REPORT_ARGS])
COMMANDS = [
    "start", "help", "cancel", "language", "invite", "hours", "hours", "hours", "week",
    "myhours", "myhours", "budget", "budget", "budget", "away", "budget_set", "contacts", "team",
    "meetings", "meetings", "meeting", "meeting", "remind", "remind", "reminders", "mute",
    "unmute", "quiet", "users", "users", "audit", "mydata", "faq", "faq_stats", "faq_reload",
    "digest", "digest", "report", "report", "fliegen", "start@sozialraum_test_bot", "HOURS",
]
# Members act three times as often as strangers (see HostileUsers.user).
USERS = st.integers(min_value=0, max_value=3 * len(MEMBERS) + len(STRANGERS) - 1)
CALENDAR_END = timedelta(days=40)
BERLIN = ZoneInfo("Europe/Berlin")  # time passes for at most this long from the start


class HostileUsers(RuleBasedStateMachine):
    """Each rule is one step: one update for the bot (or the scheduler), then the checks."""

    world: World
    loop: asyncio.AbstractEventLoop

    def __init__(self) -> None:
        super().__init__()
        self.world.errors.clear()  # a new example: the same world, a clean error log

    def run(self, work: Coroutine[Any, Any, None]) -> None:
        asyncio.run_coroutine_threadsafe(work, self.loop).result()

    def user(self, index: int) -> TestUser:
        users = self.world.users
        return users[index] if index < len(users) else users[index % len(self.world.members)]

    # Hypothesis picks among the rules evenly: the frequent kinds of step have several.

    @rule(who=USERS, command=st.sampled_from(COMMANDS), args=ARGS)
    def command(self, who: int, command: str, args: str) -> None:
        self.run(self._send(self.user(who), f"/{command} {args}".strip()))

    command_again = command

    @rule(who=USERS, text=TEXTS)
    def type_text(self, who: int, text: str) -> None:
        self.run(self._send(self.user(who), text))

    type_text_again = type_text

    @rule(who=USERS, message=st.integers(0, 5), button=st.integers(0, 30))
    def tap_on_screen(self, who: int, message: int, button: int) -> None:
        """A button of one of the last keyboards in the chat: mostly the newest, or a stale one."""
        user = self.user(who)
        keyboards = recent_with_buttons(self.world, user)
        if not keyboards:
            self.world.kinds["no keyboard"] += 1
            return self.type_text(who, "/help")
        target = keyboards[-1 - message % len(keyboards)] if message > 2 else keyboards[-1]
        flat = [b for row in target.reply_markup["inline_keyboard"] for b in row
                if b.get("callback_data")]
        if flat:
            self.run(self._press(user, flat[button % len(flat)]["callback_data"], target))
        return None

    tap_on_screen_again = tap_on_screen
    tap_on_screen_once_more = tap_on_screen

    @rule(who=USERS, pick=st.integers(0, 10_000), forge=st.sampled_from(
        ["as_is", "other_id", "zero", "huge", "negative", "version", "action", "garbage",
         "long", "empty_args"]))
    def tap_forged(self, who: int, pick: int, forge: str) -> None:
        """Callback data seen anywhere (another user's buttons too), maybe tampered with,
        pressed on a message in this user's chat."""
        user = self.user(who)
        seen = self.world.seen_data
        keyboards = recent_with_buttons(self.world, user, most=1)
        chat = self.world.sim.messages_in(user.sim.chat_id)
        target = keyboards[-1] if keyboards else (chat[-1] if chat else None)
        if not seen or target is None:
            return
        self.run(self._press(user, _forged(seen[pick % len(seen)], forge, pick), target))

    @rule(who=USERS, kind=st.sampled_from(["replay", "replay", "inline", "media", "edit",
                                           "time"]), pick=st.integers(0, 10_000),
          query=st.sampled_from(["", "pestalozzi", "ambulant", "<b>", "%", "_", "' OR 1=1 --",
                                 "😀" * 60, "x" * 256]),
          media=st.sampled_from(["sticker", "photo", "voice", "location"]),
          minutes=st.sampled_from([1, 15, 60, 6 * 60, 24 * 60, 3 * 24 * 60]))
    def something_else(self, who: int, kind: str, pick: int, query: str, media: str,
                       minutes: int) -> None:
        """A redelivered update, an inline query, a sticker or photo, an edited message, or
        time passing (the scheduler runs)."""
        user = self.user(who)
        world = self.world
        if kind == "replay" and world.processed:
            self.run(world.replay(world.processed[-1 - pick % min(len(world.processed), 50)]))
        elif kind == "inline":
            self.run(inline_query(world, user.sim, query))
        elif kind == "media":
            self.run(self._deliver(user, getattr(user.sim, f"send_{media}")(), "message"))
        elif kind == "edit":
            self.run(self._deliver(user, user.sim.edit(1, query or "x"), "edit"))
        elif world.calendar_end is None or world.clock.now() < world.calendar_end:
            self.run(world.time_passes(timedelta(minutes=minutes)))

    # Whole flows done right, so that the random steps around them meet real records: entries
    # (which lock as time passes), FuA requests and their decisions, reminders.

    @rule(who=USERS, minutes=st.sampled_from(["0:15", "1,5", "4", "10"]),
          kind=st.sampled_from(["fua", "beratung", "fuea"]), days_back=st.sampled_from(
              [0, 0, 1, 3, 9, 25]))
    def log_hours_properly(self, who: int, minutes: str, kind: str, days_back: int) -> None:
        day = (self.world.clock.now().astimezone(BERLIN) - timedelta(days=days_back)).date()
        self.run(self._flow(self.user(who), f"/hours {minutes} {kind} {day:%d.%m.} Notiz",
                            r"^hrs:1:save$"))

    @rule(who=USERS, amount=st.sampled_from(["250", "1.250,50", "9.000", "15.000", "29.999,99"]),
          team=st.integers(0, 3))
    def request_money_properly(self, who: int, amount: str, team: int) -> None:
        self.run(self._flow(self.user(who), "/budget", r"^bud:1:new$", rf"^bud:1:team:\d+$#{team}",
                            amount, "Stadtteilfest", "Material für das Fest", "20.12.",
                            r"^bud:1:send$"))

    @rule(who=USERS, decision=st.sampled_from(["ok", "ok", "no", "amt"]),
          card=st.integers(0, 3))
    def decide_properly(self, who: int, decision: str, card: int) -> None:
        follow = {"ok": (), "no": ("Nicht in diesem Jahr",), "amt": ("100",)}[decision]
        self.run(self._flow(self.user(who), None, rf"^bud:1:{decision}:\d+$#{card}", *follow))

    @rule(who=USERS, when=st.sampled_from(["in 5 min Akten", "in 2 Stunden Bericht",
                                           "morgen 9:00 Team", "jeden Montag 8:00 Woche"]))
    def set_reminder_properly(self, who: int, when: str) -> None:
        self.run(self._send(self.user(who), f"/remind {when}"))

    @rule(who=USERS, what=st.sampled_from(
        ["this_month", "last_month", "this_year", "last_year", "typed", "now", "weekly",
         "daily", "off", "default"]), pick=st.integers(0, 9))
    def report_or_digest_properly(self, who: int, what: str, pick: int) -> None:
        """A lead's report (a period, then one of the files), or the digest at once, or a
        digest schedule chosen with the buttons (one rule: the other flows keep their share)."""
        flows: dict[str, tuple[str, ...]] = {
            "typed": ("/report", r"^rep:1:typed$", "01.10.2026-31.12.2026", rf"^rep:1:f:.*#{pick}"),
            "now": ("/digest", r"^dig:1:now$"),
            "weekly": ("/digest", r"^dig:1:weekly$", rf"^dig:1:day:\d$#{pick}",
                       rf"^dig:1:wt:.*#{pick}"),
            "daily": ("/digest", r"^dig:1:daily$", rf"^dig:1:dt:.*#{pick}"),
            "off": ("/digest", r"^dig:1:off$"),
            "default": ("/digest", r"^dig:1:default$"),
        }
        first, *then = flows.get(what) or ("/report", rf"^rep:1:p:{what}$",
                                           rf"^rep:1:f:.*#{pick}")
        self.run(self._flow(self.user(who), first, *then))

    async def _flow(self, user: TestUser, first: str | None, *then: str) -> None:
        """Send ``first``, then for each of ``then``: press the newest button whose data
        matches (a ``#n`` suffix picks among several), or type the text; stop where the
        expected button is missing (the role may not do it, or a rule refused)."""
        if first is not None:
            await self._send(user, first)
        for step in then:
            if not step.startswith("^"):
                await self._send(user, step)
                continue
            pattern, _, pick = step.partition("#")
            found = [(message, button["callback_data"])
                     for message in reversed(recent_with_buttons(self.world, user, most=3))
                     for row in message.reply_markup["inline_keyboard"] for button in row
                     if re.match(pattern, button.get("callback_data") or "")]
            if not found:
                return
            message, data = found[int(pick or 0) % len(found)]
            await self._press(user, data, message)

    async def _send(self, user: TestUser, text: str) -> None:
        await self._deliver(user, user.sim.send(text), "message")

    async def _press(self, user: TestUser, data: str, target: Any) -> None:
        update_id = await user.sim.tap_data(data, snapshot(self.world.sim, target, edited=False))
        raw = self.world.sim.last_update_for(user.telegram_id)
        await self.world.deliver(user, update_id, "callback", str(raw["callback_query"]["id"]))

    async def _deliver(self, user: TestUser, queued: Coroutine[Any, Any, int],
                       kind: str) -> None:
        await self.world.deliver(user, await queued, kind)


def _forged(data: str, how: str, salt: int) -> str:
    parts = data.split(":")
    numbers = [i for i, part in enumerate(parts) if part.lstrip("-").isdigit() and i >= 2]
    if how == "other_id" and numbers:
        parts[numbers[-1]] = str(int(parts[numbers[-1]]) + 1 + salt % 5)
    elif how == "zero" and numbers:
        parts[numbers[0]] = "0"
    elif how == "huge" and numbers:
        parts[numbers[0]] = "9" * 18
    elif how == "negative" and numbers:
        parts[numbers[0]] = "-1"
    elif how == "version" and len(parts) > 1:
        parts[1] = "0" if parts[1] != "0" else "2"
    elif how == "action" and len(parts) > 2:
        parts[2] = ["save", "approve", "reject", "del", "go", "set", "ok", "x"][salt % 8]
    elif how == "garbage":
        return ["", ":", "::::", "hrs", "hrs:1", "%00", "🙂", "' OR 1=1", "a" * 64][salt % 9]
    elif how == "long":
        return (data + ":" + "9" * 64)[:64]
    elif how == "empty_args":
        return ":".join(parts[:3]) + ":"
    return ":".join(parts)[:64]


async def _old_entries(world: World) -> None:
    """Entries in weeks that are long locked, so that the lock has something to protect."""
    pia = world.members[list(MEMBERS).index("Pia")]
    today = world.clock.now().date()
    async with world.harness.sessions() as session, session.begin():
        team = await session.scalar(select(Team.id).where(Team.key == "nord-a"))
        category = await session.scalar(select(HourCategory.id).where(HourCategory.key == "fua"))
        for weeks_back in (4, 5, 8):
            session.add(HourEntry(user_id=pia.user_id, team_id=team, category_id=category,
                                  work_date=today - timedelta(weeks=weeks_back), minutes=90,
                                  note="Alt", created_at=world.clock.now()))


async def _what_happened(world: World) -> dict[str, Any]:
    """How far the random users got: records the flows created."""
    from sqlalchemy import func

    from storage.models import BudgetRequest, Invitation, Meeting, Reminder, User

    counts: dict[str, Any] = {}
    async with world.harness.sessions() as session:
        for model in (HourEntry, Reminder, Meeting, Invitation):
            counts[model.__tablename__] = await session.scalar(
                select(func.count()).select_from(model))
        counts["requests"] = dict((await session.execute(select(
            BudgetRequest.state, func.count()).group_by(BudgetRequest.state))).all())
        counts["inactive users"] = await session.scalar(select(func.count()).select_from(
            User).where(User.active.is_(False)))
    return counts


async def test_hostile_sequences_break_no_invariant(engine, clock, simulator):
    harness = BotHarness(engine, clock, simulator)
    world = await build_world(harness, simulator, clock, MEMBERS, STRANGERS)
    world.calendar_end = clock.now() + CALENDAR_END
    await _old_entries(world)
    handler = ErrorLog(world.errors)
    logging.getLogger().addHandler(handler)
    per_example = SIZES.hostile_steps_per_example
    examples = max(1, SIZES.hostile_steps // per_example)
    HostileUsers.world = world
    HostileUsers.loop = asyncio.get_running_loop()
    started = time.monotonic()
    try:
        while world.steps < SIZES.hostile_steps:
            await asyncio.to_thread(
                run_state_machine_as_test, HostileUsers, settings=settings(
                    max_examples=examples, stateful_step_count=per_example, deadline=None,
                    derandomize=not SOAKING, database=None, phases=[Phase.generate],
                    suppress_health_check=list(HealthCheck)))
            examples = max(1, (SIZES.hostile_steps - world.steps) // per_example + 1)
    finally:
        logging.getLogger().removeHandler(handler)
        await world.app.shutdown()
    elapsed = time.monotonic() - started
    print(f"\n{await _what_happened(world)}")
    print(f"{engine.dialect.name}: {world.steps} steps in {elapsed:.0f} s = "
          f"{world.steps / elapsed:.0f} steps/s (the bot {world.bot_seconds:.0f} s of it); "
          f"{dict(world.kinds)}")


# -- what the state machine found, pinned down ---------------------------------------------------


async def test_control_characters_in_free_text_are_dropped_not_stored(bot):
    """PostgreSQL refuses NUL in text: a note or a question with one failed the update."""
    pia = await bot.member("Pia", Role.PROVIDER, team="nord-a")
    await pia.send("/hours 1 fua heute Not\x00iz\x07")
    assert "Notiz: Notiz" in (await pia.reply()).text
    await pia.tap("💾 Speichern")
    assert "✅ Gespeichert" in (await pia.reply()).text
    await pia.send("Wie viele\x00 Stunden FuA?")
    assert "etwas schiefgegangen" not in (await pia.reply()).text
    async with bot.sessions() as session:
        assert await session.scalar(select(HourEntry.note)) == "Notiz"


async def test_a_forged_id_beyond_the_database_range_is_a_stale_button(bot):
    """PostgreSQL refused 999999999999999999 as an INTEGER parameter: the update failed."""
    pia = await bot.member("Pia", Role.PROVIDER, team="nord-a")
    await pia.send("/help")
    await pia.reply()
    for forged in ("faq:1:rate:999999999999999999:1", "wk:1:show:999999999999", "wk:1:show:²"):
        await pia.tap_data(forged, message=pia.last)
    answers = [m.text for m in pia.sim.messages[1:]]
    assert answers == ["Diese Frage gibt es nicht (mehr).",
                       *["Sie können nur die Wochen Ihrer eigenen Teams sehen."] * 2]
