"""The world of the hostile-input test: the real Application, driven update by update.

Updates are built by the simulator's users (``SimUser.send``/``tap``…) and handed straight to
``Application.process_update``, and the bot's calls reach the same simulator in this process
(:class:`bot.simulator.inprocess.InProcessRequest`): no polling, no HTTP, thousands of steps
a minute, with Telegram's refusals (text too long, broken markup, expired queries) intact.
After every step the world checks the invariants (:meth:`World._step`).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update

from bot.app import AppState, BotApplication, build_application
from bot.clock import FrozenClock
from bot.i18n import I18n
from bot.ratelimit import KeyedRateLimiter
from bot.services.hours import Week
from bot.simulator import BotApiSimulator, SimUser
from bot.simulator.inprocess import InProcessRequest
from bot.simulator.server import StoredMessage
from storage.models import (
    AuditEntry,
    Budget,
    BudgetRequest,
    BudgetShare,
    HourEntry,
    RequestState,
    User,
    WeekReopening,
)
from tests.support.harness import TOKEN, BotHarness, TestUser

JSON = dict[str, Any]

# What an unregistered person may ever read (catalog ids, rendered in both languages).
STRANGER_TEXTS = (
    "This bot serves the Sozialraumteams of the Jugendamt and is open to invited members only."
    "\n\nTo get access, ask your team lead or the administrator for an invitation link and "
    "open it, or send /start followed by your invitation code.",
    "Your access has been deactivated. Please contact the administrator.",
    "This invitation code is not valid or has already been used. Please ask your team lead or "
    "the administrator for a new one.",
    "This invitation has expired. Please ask your team lead or the administrator for a new one.",
    "Too many attempts. Please try again in a few minutes.",
)
STRANGER_HELP = "/start CODE – register with your invitation code\n/help – this help"
DECIDED = ("budget_request.approved", "budget_request.rejected", "budget_request.withdrawn")


def stranger_texts(i18n: I18n) -> frozenset[str]:
    allowed: set[str] = set()
    for locale in ("de", "en"):
        t = i18n.get(locale)
        texts = [t(text) for text in STRANGER_TEXTS]
        help_text = t(STRANGER_TEXTS[0]) + "\n\n" + t(STRANGER_HELP)
        deactivated_help = t(STRANGER_TEXTS[1]) + "\n\n" + t(STRANGER_HELP)
        allowed.update(texts + [help_text, deactivated_help] + [x[:200] for x in texts])
    return frozenset(allowed)


class InvariantBroken(AssertionError):
    pass


@dataclass
class Step:
    """What one step sent, to see afterwards whether it was answered."""

    user: TestUser
    update_id: int
    kind: str  # message, callback, inline, edit, replay
    query_id: str | None = None


@dataclass
class World:
    """One bot, its users and what the checks need to remember between steps."""

    app: BotApplication
    sim: BotApiSimulator
    harness: BotHarness
    clock: FrozenClock
    members: list[TestUser]
    strangers: list[TestUser]
    allowed_for_strangers: frozenset[str]
    errors: list[str] = field(default_factory=list)
    processed: list[JSON] = field(default_factory=list)  # raw updates, for replays
    seen_data: deque[str] = field(default_factory=lambda: deque(maxlen=400))
    kinds: Counter[str] = field(default_factory=Counter)
    steps: int = 0
    bot_seconds: float = 0.0  # time spent in the bot itself, not in the checks
    calendar_end: datetime | None = None  # time passes until then
    last: Snapshot | None = None  # the state after the previous step
    _scanned: dict[int, int] = field(default_factory=dict)

    @property
    def state(self) -> AppState:
        state: AppState = self.app.bot_data["state"]
        return state

    @property
    def users(self) -> list[TestUser]:
        return self.members + self.strangers

    # -- driving ----------------------------------------------------------------------------

    async def deliver(self, user: TestUser, update_id: int, kind: str,
                      query_id: str | None = None) -> None:
        """Hand the update the simulator just queued to the bot, then check everything."""
        bot = self.sim.bots[TOKEN]
        raw = next(u for u in bot.updates if u["update_id"] == update_id)
        bot.updates.remove(raw)
        await self._step(Step(user, update_id, kind, query_id), raw)

    async def replay(self, raw: JSON) -> None:
        """The same update once more (a redelivery): it must change and answer nothing."""
        user = next((u for u in self.users if u.telegram_id == _sender(raw)), self.members[0])
        await self._step(Step(user, raw["update_id"], "replay"), raw)

    async def _step(self, step: Step, raw: JSON) -> None:
        before = self.last or await self._observe()
        chats = {u.telegram_id: self.sim.messages_in(u.sim.chat_id) for u in self.users}
        outboxes = {telegram_id: len(chat) for telegram_id, chat in chats.items()}
        edits = {telegram_id: _edit_marks(chat) for telegram_id, chat in chats.items()}
        answers = {u.telegram_id: len(u.sim.callback_answers) for u in self.users}
        outsiders = {u.telegram_id: self._visible_texts(u) for u in self.users
                     if u.telegram_id not in before.active}
        t0 = time.perf_counter()
        await self.app.process_update(Update.de_json(raw, self.app.bot))
        self.bot_seconds += time.perf_counter() - t0
        if step.kind != "replay":
            self.processed.append(raw)
        self.steps += 1
        self.kinds[step.kind] += 1
        after = await self._observe()
        self._check_errors(step)
        self._check_answered(step, outboxes, edits, answers)
        self._check_strangers(step, outsiders, answers, after)
        self._check_locked_weeks(before, after)
        self._remember_buttons()

    async def time_passes(self, delta: timedelta) -> None:
        from handlers.scheduler import run_scheduler

        self.clock.advance(delta)
        before = await self._observe(check_money=False)  # weeks may have locked meanwhile
        await run_scheduler(self.app)
        self.steps += 1
        self.kinds["scheduler"] += 1
        self._check_errors(None)
        self._check_locked_weeks(before, await self._observe())
        self._remember_buttons()

    # -- invariants ---------------------------------------------------------------------------

    def _check_errors(self, step: Step | None) -> None:
        if self.errors:
            where = f"update {step.update_id} ({step.kind})" if step else "the scheduler"
            raise InvariantBroken(f"unhandled error at {where}: {self.errors[:3]}")

    def _check_answered(self, step: Step, outboxes: dict[int, int],
                        edits: dict[int, tuple[int, ...]], answers: dict[int, int]) -> None:
        user = step.user
        chat = self.sim.messages_in(user.sim.chat_id)
        wrote = len(chat) > outboxes[user.telegram_id] or _edit_marks(chat) != edits[
            user.telegram_id]
        if step.kind == "replay":
            moved = [u.sim.name for u in self.users
                     if len(self.sim.messages_in(u.sim.chat_id)) != outboxes[u.telegram_id]
                     or len(u.sim.callback_answers) != answers[u.telegram_id]]
            if moved:
                raise InvariantBroken(f"a redelivered update was handled again: {moved}")
            return
        if step.kind == "edit":
            return  # edited messages are not handled again, by design
        if step.kind == "callback":
            if step.query_id in self.sim.bots[TOKEN].callback_queries and not wrote:
                raise InvariantBroken(f"button press {step.update_id} of {user.sim.name} "
                                      "was not answered")
            return
        if step.kind == "inline":
            if step.query_id in self.sim.bots[TOKEN].inline_queries:
                raise InvariantBroken(f"inline query of {user.sim.name} was not answered")
            return
        if not wrote:
            last = chat[-1].text[:60] if chat else None
            raise InvariantBroken(f"message {step.update_id} of {user.sim.name} got no answer "
                                  f"(last bot message: {last!r})")

    def _check_strangers(self, step: Step, seen: dict[int, dict[int, str]],
                         answers: dict[int, int], after: Snapshot) -> None:
        """Nothing but the way in for those who are not (or no longer) registered."""
        for telegram_id, before in seen.items():
            if telegram_id in after.active:
                continue  # registered in this very step: the welcome is theirs
            user = next(u for u in self.users if u.telegram_id == telegram_id)
            shown = [text for message_id, text in self._visible_texts(user).items()
                     if before.get(message_id) != text]
            shown += [a.text or "" for a in user.sim.callback_answers[answers[telegram_id]:]]
            leaked = [text for text in shown if text and text not in self.allowed_for_strangers]
            if leaked:
                raise InvariantBroken(f"{user.sim.name} (not registered) was shown {leaked[:2]}")
        if step.kind == "inline" and step.user.telegram_id in seen:
            answer = self.sim.bots[TOKEN].inline_answers.get(step.query_id or "")
            if answer and answer.get("results"):
                raise InvariantBroken(f"{step.user.sim.name} (not registered) got inline results")

    def _visible_texts(self, user: TestUser) -> dict[int, str]:
        return {m.message_id: _visible(m) for m in self.sim.messages_in(user.sim.chat_id)}

    def _check_locked_weeks(self, before: Snapshot, after: Snapshot) -> None:
        for (team_id, week_start), entries in before.locked.items():
            now = after.entries_of(team_id, week_start)
            if now != entries:
                raise InvariantBroken(f"entries of team {team_id} in the locked week of "
                                      f"{week_start} changed: {entries} -> {now}")

    async def _check_money(self, session: AsyncSession) -> None:
        """Approved plus spent within every budget and team share; every request decided
        (approved, rejected or withdrawn) at most once."""
        regions = select(Budget.id, Budget.allocated_cents, func.sum(_committed())).join(
            BudgetRequest, BudgetRequest.budget_id == Budget.id).group_by(
            Budget.id, Budget.allocated_cents)
        shares = select(BudgetShare.id, BudgetShare.allocated_cents, func.sum(_committed())).join(
            BudgetRequest, (BudgetRequest.budget_id == BudgetShare.budget_id)
            & (BudgetRequest.team_id == BudgetShare.team_id)).group_by(
            BudgetShare.id, BudgetShare.allocated_cents)
        decided_twice = select(AuditEntry.subject_id, func.count()).where(
            AuditEntry.action.in_(DECIDED)).group_by(AuditEntry.subject_id).having(
            func.count() > 1)
        rows = [*(await session.execute(regions)).all(), *(await session.execute(shares)).all()]
        overdrawn = [row for row in rows if int(row[2] or 0) > row[1]]
        if overdrawn:
            raise InvariantBroken(f"budget overdrawn (id, allocated, committed): {overdrawn}")
        decided = (await session.execute(decided_twice)).all()
        if decided:
            raise InvariantBroken(f"requests decided more than once: {decided}")

    # -- bookkeeping ---------------------------------------------------------------------------

    async def _observe(self, *, check_money: bool = True) -> Snapshot:
        """Read what the checks compare (one session per step); the money rules at once."""
        today = self.clock.now().astimezone(self.state.settings.tz).date()
        policy = self.state.org.hours
        async with self.harness.sessions() as session:
            if check_money:
                await self._check_money(session)
            active = set((await session.scalars(select(User.telegram_id).where(
                User.active.is_(True)))).all())
            rows = (await session.execute(select(
                HourEntry.id, HourEntry.team_id, HourEntry.category_id, HourEntry.work_date,
                HourEntry.minutes, HourEntry.note))).all()
            reopened = {(r.team_id, r.week_start) for r in (await session.scalars(
                select(WeekReopening).where(WeekReopening.open_until >= today))).all()}
        by_week: dict[tuple[int, date], set[tuple[Any, ...]]] = {}
        for row in rows:
            week = Week.of(row.work_date)
            by_week.setdefault((row.team_id, week.start), set()).add(tuple(row))
        locked = {key: entries for key, entries in by_week.items()
                  if today >= Week(key[1]).locks_on(policy.lock_after_days)
                  and key not in reopened}
        self.last = Snapshot(active, by_week, locked)
        return self.last

    def _remember_buttons(self) -> None:
        """Callback data of every keyboard seen, for forged and other users' presses."""
        for user in self.members:
            chat = self.sim.messages_in(user.sim.chat_id)
            start = max(0, min(self._scanned.get(user.sim.chat_id, 0), len(chat)) - 3)
            for message in chat[start:]:
                for row in (message.reply_markup or {}).get("inline_keyboard", []):
                    for button in row:
                        if button.get("callback_data"):
                            self.seen_data.append(button["callback_data"])
            self._scanned[user.sim.chat_id] = len(chat)


@dataclass
class Snapshot:
    active: set[int]
    by_week: dict[tuple[int, date], set[tuple[Any, ...]]]
    locked: dict[tuple[int, date], set[tuple[Any, ...]]]

    def entries_of(self, team_id: int, week_start: date) -> set[tuple[Any, ...]]:
        return self.by_week.get((team_id, week_start), set())


def _committed() -> Any:
    """What a request takes from its budget: the approved amount, or what it cost."""
    return case((BudgetRequest.state == RequestState.APPROVED, BudgetRequest.approved_cents),
                (BudgetRequest.state == RequestState.REPORTED, BudgetRequest.actual_cents),
                else_=0)


def _visible(message: StoredMessage) -> str:
    if message.entities_text is not None:
        return message.entities_text
    return message.caption or ("<document>" if message.document else "<other>")


def _edit_marks(chat: list[StoredMessage]) -> tuple[int, ...]:
    """Changes when any message of the chat is edited (its text or buttons)."""
    return tuple(hash((m.text, str(m.reply_markup))) for m in chat[-5:])


def _sender(raw: JSON) -> int | None:
    for kind in ("message", "edited_message", "callback_query", "inline_query"):
        if kind in raw:
            return int(raw[kind]["from"]["id"])
    return None


class ErrorLog(logging.Handler):
    """Collects what the bot logs at ERROR: ``update … failed`` and the like."""

    def __init__(self, world_errors: list[str]) -> None:
        super().__init__(logging.ERROR)
        self.world_errors = world_errors

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        if record.exc_info and record.exc_info[1] is not None:
            text += f": {type(record.exc_info[1]).__name__}: {record.exc_info[1]}"
        self.world_errors.append(text)


async def build_world(harness: BotHarness, sim: BotApiSimulator, clock: FrozenClock,
                      members: dict[str, tuple[Any, dict[str, Any]]],
                      strangers: list[str]) -> World:
    app = build_application(harness.settings(), clock=clock, engine=harness.engine,
                            request=InProcessRequest(sim), rate_limiter=False)
    harness.app = app
    state: AppState = app.bot_data["state"]
    # Every user acts many times a second here: flood control would drop most of it.
    state.flood = KeyedRateLimiter(capacity=1e12, per_second=1e12)
    await app.initialize()
    people = [await harness.member(name, role, **where)
              for name, (role, where) in members.items()]
    outsiders = [harness.stranger(name, locale="en" if index % 2 else "de")
                 for index, name in enumerate(strangers)]
    return World(app=app, sim=sim, harness=harness, clock=clock, members=people,
                 strangers=outsiders, allowed_for_strangers=stranger_texts(state.i18n))


async def inline_query(world: World, user: SimUser, query: str) -> None:
    """``@bot query`` from ``user``, handed to the bot like any update."""
    bot = world.sim.bots[TOKEN]
    query_id = world.sim.next_id()
    bot.inline_queries[query_id] = asyncio.get_running_loop().create_future()
    update_id = world.sim.enqueue(TOKEN, "inline_query", {
        "id": query_id, "from": user.tg_user, "query": query, "offset": "",
        "chat_type": "sender"}, user.user_id)
    await world.deliver(_user_of(world, user), update_id, "inline", query_id)


def _user_of(world: World, sim_user: SimUser) -> TestUser:
    return next(u for u in world.users if u.sim is sim_user)


def recent_with_buttons(world: World, user: TestUser, most: int = 6) -> list[StoredMessage]:
    chat = world.sim.messages_in(user.sim.chat_id)
    return [m for m in chat[-most * 3:] if (m.reply_markup or {}).get("inline_keyboard")][-most:]
