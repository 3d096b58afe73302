"""Crashes: the bot as a separate process, killed with SIGKILL under load, again and again.

Users keep logging hours (``/hours 0:15 fua DAY NOTE`` and Save, as impatient people do:
no answer within two seconds, and they send or tap again), personal reminders and leads'
digests (each lead's own weekly time, a few seconds apart) fall due, and
the bot process is killed at random moments — while starting, while handling updates, while
the scheduler sends — and restarted at once. Before each restart, Telegram delivers the
newest few updates again (as when the dead process's last confirmation got lost), in order;
the dead process may or may not have handled them. At the end:

* every entry a user was told was saved exists exactly once, no entry exists twice, and every
  entry is whole (its time, kind of work, day and note as the user sent them, and the one-tap
  claim of its Save button committed with it);
* redelivered updates were recognised and skipped;
* every reminder and digest that fell due was claimed in the delivery ledger and reached its
  user exactly once, except where a kill hit the Bot API call itself: a kill between claim and the
  ``sending`` mark leaves ``claimed``, which a later life takes up and sends, so no row may
  stay ``claimed``; a kill after the mark may or may not have reached Telegram, so the row
  ends ``unknown`` and its user got it at most once (never twice).

SQLite always (the default deployment); PostgreSQL too in ``make soak`` when
TEST_DATABASE_URL is set. The number of kills is in ``tests/support/reliability.py`` (``make soak``
kills more often).
"""

from __future__ import annotations

import asyncio
import random
import sqlite3
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from bot.clock import FrozenClock
from bot.services.digest.schedule import WEEKLY
from bot.services.organisation import import_organisation, load_org_file
from bot.settings import DEFAULT_ORG_FILE
from bot.simulator import SimMessage
from storage import migrate
from storage.db import create_engine, create_session_factory
from storage.models import (
    Delivery,
    DigestSettings,
    HourEntry,
    OneShot,
    ProcessedUpdate,
    Reminder,
    Role,
)
from tests.conftest import PG_URL, _pg_async_url
from tests.support.cluster import BotProcess, ProcessUsers
from tests.support.harness import BOT_USERNAME, TOKEN, TestUser
from tests.support.reliability import SEED, SIZES, SOAKING
from tests.support.scratch_db import scratch_databases

BERLIN = ZoneInfo("Europe/Berlin")
PATIENCE = 2.0  # seconds a user waits for an answer before sending or tapping again
SCHEDULER_SECONDS = 5  # the smallest SCHEDULER_INTERVAL_SECONDS


# -- what the users did and were told ---------------------------------------------------------


@dataclass
class Journal:
    """What the users sent and what they saw, to compare with the database at the end."""

    day: date
    intended: dict[str, tuple[int, date]] = field(default_factory=dict)  # note -> (min, day)
    confirmed: set[str] = field(default_factory=set)  # notes the user saw "Saved" for
    updates: list[dict] = field(default_factory=list)  # raw updates, for redelivery


def _summary_of(user: TestUser, note: str) -> Callable[[], SimMessage | None]:
    def find() -> SimMessage | None:
        for message in reversed(user.sim.messages):
            if f"Notiz: {note}" in message.text and "💾 Speichern" in message.button_labels:
                return message
        return None
    return find


def _outcome_of_tap(user: TestUser, summary: SimMessage, answers_before: int,
                    messages_before: int) -> Callable[[], str | None]:
    def find() -> str | None:
        messages = user.sim.messages
        now = next((m for m in messages if m.message_id == summary.message_id), None)
        if now is not None and "✅ Gespeichert" in now.text:
            return "saved"
        said = [a.text or "" for a in user.sim.callback_answers[answers_before:]]
        said += [m.text for m in messages[messages_before:]]
        if any("nicht mehr gültig" in text or "abgelaufen" in text for text in said):
            return "stale"  # saved or not, the user was not told: unconfirmed
        return None
    return find


async def _log_one(user: TestUser, note: str, journal: Journal, stop: asyncio.Event) -> None:
    """One entry, the way an impatient person gets it in while the bot keeps dying; once
    the bot stays up (``stop``), it must get in within 20 more tries."""
    # Three days in turn: a day holds at most 24 hours, and a soak logs more than 96 × 15 min.
    day = journal.day - timedelta(days=len(journal.intended) % 3)
    journal.intended[note] = (15, day)
    command = f"/hours 0:15 fua {day.day}.{day.month}. {note}"
    summary: SimMessage | None = None
    tries_left = 20
    while tries_left:
        tries_left -= 1 if stop.is_set() else 0
        if summary is None:
            await user.sim.send(command)
            journal.updates.append(user.sim.sim.last_update_for(user.telegram_id))
            summary = await user.sim.wait_until(_summary_of(user, note), PATIENCE)
            continue
        seen = _outcome_of_tap(user, summary, len(user.sim.callback_answers),
                               len(user.sim.messages))
        await user.sim.tap("💾 Speichern", message=summary)
        journal.updates.append(user.sim.sim.last_update_for(user.telegram_id))
        outcome = await user.sim.wait_until(seen, PATIENCE)
        if outcome == "saved":
            journal.confirmed.add(note)
            return
        if outcome == "stale":
            return
    raise AssertionError(f"{user.sim.name} could not get {note!r} in")


async def _keep_logging(user: TestUser, number: int, journal: Journal,
                        stop: asyncio.Event) -> None:
    index = 0
    while not stop.is_set():
        await _log_one(user, f"Absturz {number} {index}", journal, stop)
        index += 1


# -- the bot process and its killer ---------------------------------------------------------------


class CrashingBot:
    """``sozialraum-bot run`` (polling), started again after every SIGKILL."""

    def __init__(self, url: str, sim, cwd: Path) -> None:
        self.env = {
            "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_BOT_USERNAME": BOT_USERNAME,
            "TELEGRAM_API_BASE_URL": sim.base_url, "DATABASE_URL": url, "HEALTH_PORT": "0",
            "LOG_LEVEL": "DEBUG", "SCHEDULER_INTERVAL_SECONDS": str(SCHEDULER_SECONDS),
            "LEADER_CHECK_SECONDS": "0.5", "MEETING_REMINDERS": "", "HOURS_REMINDER": "off",
            "QUIET_HOURS": "off",
        }
        self.cwd = cwd
        self.lives: list[BotProcess] = []

    async def start(self) -> BotProcess:
        process = BotProcess(f"life-{len(self.lives)}", self.env, self.cwd)
        self.lives.append(process)
        await process.start()
        return process

    async def kill_at_random_moments(self, kills: int, rng: random.Random,
                                     redeliver: Callable[[BotProcess], None]
                                     ) -> Counter[str]:
        """Kill ``kills`` lives, each at a random moment; returns how many while starting
        and how many under load."""
        moments: Counter[str] = Counter()
        for kill in range(kills):
            process = await self.start()
            started = time.monotonic()
            # The random moment of the kill: while starting (migrations, organisation import,
            # the first poll), while handling updates, or as the first scheduler run begins
            # (one interval after start-up).
            if rng.random() < 0.3:
                await asyncio.sleep(rng.uniform(0.2, 1.5))
            else:
                await process.wait_for_message("running as", timeout=60)
                await asyncio.sleep(SCHEDULER_SECONDS + rng.uniform(0.0, 0.6)
                                    if kill % 10 == 9 else rng.uniform(0.0, 1.0))
            ready = any("running as" in line for line in process.messages())
            moments["under load" if ready else "starting"] += 1
            process.kill()
            await process.stop()
            redeliver(process)
            if time.monotonic() - started > 60:
                raise AssertionError(f"a life took too long:\n{process.transcript()}")
        return moments

    async def stop(self) -> None:
        """No life outlives the test, also when it fails."""
        for life in self.lives:
            if life.process is not None and life.process.returncode is None:
                life.kill()
                await life.stop()

    def records(self) -> list[dict]:
        return [record for life in self.lives for record in life.records]


# -- databases ------------------------------------------------------------------------------------


# PostgreSQL in the soak only: make test's time is better spent on more hostile steps.
@pytest.fixture(params=["sqlite", *(["postgres"] if PG_URL and SOAKING else [])])
async def database_url(request, tmp_path) -> AsyncIterator[str]:
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'crash.db'}"
        return
    async with scratch_databases(1) as (url,):
        yield url


async def _prepare(url: str, sim, count: int, due_from: datetime, spacing: timedelta):
    """Schema, organisation, the users and their reminders, as an office would have them."""
    engine = create_engine(_pg_async_url(url) if url.startswith("postgresql") else url)
    await migrate.upgrade(engine)
    async with create_session_factory(engine)() as session, session.begin():
        await import_organisation(session, load_org_file(DEFAULT_ORG_FILE))
    people = ProcessUsers(engine, FrozenClock(datetime.now(UTC)), sim)
    users = [await people.member(f"Crash{number}", Role.PROVIDER, team="nord-a")
             for number in range(count)]
    leads = [await people.member(f"Leitung{number}", Role.LEAD, region=region)
             for number, region in enumerate(["nord", "sued", "nord"])]
    async with people.sessions() as session, session.begin():
        for index in range(count * 6):
            session.add(Reminder(user_id=users[index % count].user_id, text=f"Erinnerung {index}",
                                 next_at=due_from + index * spacing, created_at=due_from))
        digests_due = [(due_from + (2 * number + 1) * 6 * spacing).replace(microsecond=0)
                       for number in range(len(leads))]  # among the reminders, in turn
        for lead, due in zip(leads, digests_due, strict=True):
            local = due.astimezone(BERLIN)
            session.add(DigestSettings(user_id=lead.user_id, frequency=WEEKLY,
                                       weekday=local.weekday(), local_time=local.time(),
                                       changed_at=due_from - timedelta(seconds=1)))
    return engine, users, leads, max(digests_due)


# -- the test -------------------------------------------------------------------------------------


async def test_killed_again_and_again_nothing_is_lost_doubled_or_half_there(
        database_url, simulator, tmp_path):
    rng = random.Random(SEED)
    kills = SIZES.kills
    # Reminders fall due one after another over the first lives (each lasts 1.5 s or more).
    spacing = timedelta(seconds=kills * 1.0 / (6 * SIZES.crash_users))
    engine, users, leads, last_digest = await _prepare(
        database_url, simulator, SIZES.crash_users, due_from=datetime.now(UTC), spacing=spacing)
    sessions = create_session_factory(engine)
    journal = Journal(day=datetime.now(BERLIN).date())
    bot = CrashingBot(database_url, simulator, tmp_path)

    def redeliver(dead: BotProcess) -> None:
        """Telegram lost the dead process's last confirmations: the last updates it handled
        come again, in order, before anything newer."""
        handled = [r["update_id"] for r in dead.records
                   if "handled in" in str(r.get("message")) and r.get("update_id")]
        raw = {u["update_id"]: u for u in journal.updates}
        for update_id in handled[-rng.randint(1, 4):]:
            simulator.redeliver(raw[update_id])

    stop = asyncio.Event()
    started = time.monotonic()
    loggers = [asyncio.create_task(_keep_logging(user, number, journal, stop))
               for number, user in enumerate(users)]
    try:
        moments = await bot.kill_at_random_moments(kills, rng, redeliver)
        stop.set()
        async with sessions() as session:
            last_due = await session.scalar(select(func.max(Reminder.next_at)))
        assert last_due is not None and last_due < datetime.now(UTC), "reminders still ahead"
        assert last_digest < datetime.now(UTC), "digests still ahead"
        final = await bot.start()  # the last life: everything settles
        await asyncio.gather(*loggers)
        await final.wait_for_message("scheduler run at", timeout=SCHEDULER_SECONDS + 30)
        await final.stop()
    finally:
        stop.set()
        for task in loggers:
            task.cancel()
        await bot.stop()
    elapsed = time.monotonic() - started

    try:
        await _check_hours(sessions, journal)
    except AssertionError:
        _explain(bot, journal)
        raise
    await _check_redeliveries(sessions, bot, journal)
    ledger = await _check_reminders(sessions, users, leads)
    errors = [r for r in bot.records() if r.get("level") in ("ERROR", "CRITICAL")]
    assert not errors, errors[:3]
    if database_url.startswith("sqlite"):
        path = database_url.split("///", 1)[1]
        with sqlite3.connect(path) as connection:
            assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    await engine.dispose()
    print(f"\nseed {SEED}: {kills} kills ({dict(moments)}), {len(journal.intended)} entries tried, "
          f"{len(journal.confirmed)} confirmed, reminders {dict(ledger)}, {elapsed:.0f} s")
    assert moments["under load"] >= kills // 2


def _explain(bot: CrashingBot, journal: Journal) -> None:
    """What each life did with the users' updates, to read a failure."""
    for life in bot.lives:
        print(f"-- {life.name}")
        for record in life.records:
            if record.get("update_id") or "running as" in str(record.get("message")):
                print(record.get("update_id"), str(record.get("message"))[:100])
    for update in journal.updates:
        body = update.get("message") or update.get("callback_query") or {}
        print(update["update_id"], body.get("text") or body.get("data"),
              (body.get("message") or {}).get("message_id"))


async def _check_hours(sessions, journal: Journal) -> None:
    async with sessions() as session:
        rows = (await session.execute(select(HourEntry.note, HourEntry.minutes,
                                             HourEntry.work_date))).all()
        claims = await session.scalar(select(func.count()).select_from(OneShot).where(
            OneShot.key.like("hours-save:%")))
    per_note = Counter(note for note, _, _ in rows)
    doubled = [note for note, count in per_note.items() if count > 1]
    assert not doubled, f"entries stored twice: {doubled}"
    missing = journal.confirmed - set(per_note)
    assert not missing, f"confirmed but not stored: {missing}"
    for note, minutes, day in rows:  # whole: exactly what the user sent
        assert journal.intended.get(note) == (minutes, day), (note, minutes, day)
    assert claims == len(rows), "a Save claim without its entry, or an entry without its claim"


async def _check_redeliveries(sessions, bot: CrashingBot, journal: Journal) -> None:
    skipped = [r for r in bot.records() if "already processed" in str(r.get("message"))]
    assert skipped, "no redelivered update was recognised"
    async with sessions() as session:
        processed = await session.scalar(select(func.count()).select_from(ProcessedUpdate))
    assert processed <= len({u["update_id"] for u in journal.updates})


Seen = Callable[[SimMessage], bool]
# How each kind of scheduled message shows in its recipient's chat (each lead has one digest).
SIGNATURES: dict[str, Callable[[Delivery, dict[int, Reminder]], Seen]] = {
    "personal": lambda delivery, reminders: (
        lambda message: message.text == f"⏰ {reminders[delivery.subject_id].text}"),
    "digest": lambda delivery, reminders: (
        lambda message: message.text.startswith("📊 Überblick – Region")),
}


async def _check_reminders(sessions, users: list[TestUser],
                           leads: list[TestUser]) -> Counter[str]:
    """Every due reminder is in the ledger once; its user got it exactly once where the
    ledger says ``sent``, at most once where a kill cut its Bot API call (``unknown``); none
    is left ``claimed``: a claim a kill interrupted before sending is taken up again."""
    chats = {user.user_id: list(user.sim.messages) for user in [*users, *leads]}
    async with sessions() as session:
        reminders = {r.id: r for r in (await session.scalars(select(Reminder))).all()}
        deliveries = (await session.scalars(select(Delivery))).all()
    assert all(r.done for r in reminders.values()), "a due reminder was never claimed"
    assert {d.subject_id for d in deliveries if d.kind == "personal"} == set(reminders)
    assert sorted(d.user_id for d in deliveries if d.kind == "digest") == sorted(
        lead.user_id for lead in leads), "a due digest was never claimed"
    statuses: Counter[str] = Counter()
    for delivery in deliveries:
        seen = SIGNATURES[delivery.kind](delivery, reminders)
        received = sum(1 for message in chats[delivery.user_id] if seen(message))
        signature = (delivery.kind, delivery.subject_id, delivery.user_id)
        statuses[delivery.status] += 1
        if delivery.status == "sent":
            assert received == 1, (signature, received)
        elif delivery.status == "unknown":
            assert received <= 1, (signature, received)
        else:
            raise AssertionError(f"{signature}: {delivery.status}")
    if not SOAKING:
        assert statuses["sent"] >= len(deliveries) // 2
    return statuses
