"""``sozialraum-bot demo``: the whole product on one machine, no Telegram needed.

Starts the local Bot API simulator, creates a fresh SQLite demo database with the shipped
Norderstedt organisation and one user per role, runs the real bot against the simulator and
opens a terminal chat in which you can be any of those users.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from bot.app import BotApplication, build_application
from bot.clock import ShiftedClock
from bot.errors import InvalidInput
from bot.logs import configure_logging
from bot.parsing.when import Once, parse_when
from bot.runner import prepare_database
from bot.services import access
from bot.services.budget import allocation
from bot.settings import Settings, SettingsError, load_settings
from bot.simulator import BotApiSimulator, TerminalChat
from bot.simulator.terminal import Command
from handlers.scheduler import run_scheduler
from storage.db import create_engine, create_session_factory
from storage.models import Role

DEMO_TOKEN = "100000:DEMO-TOKEN"
DEMO_BOT = "sozialraum_demo_bot"


@dataclass(frozen=True)
class DemoUser:
    key: str
    first_name: str
    role: Role | None  # None: not registered yet (holds an invitation code)
    team: str | None = None
    region: str | None = None
    locale: str = "de"
    description: str = ""


DEMO_USERS = (
    DemoUser("provider-nord-a", "Paula", Role.PROVIDER, team="nord-a",
             description="provider staff, Sozialraumteam Nord A"),
    DemoUser("networker-nord-a", "Nils", Role.NETWORKER, team="nord-a",
             description="networker (youth work), Nord A"),
    DemoUser("asd-nord-a", "Clara", Role.CASEWORKER, team="nord-a",
             description="caseworker (ASD), Nord A"),
    DemoUser("provider-sued-b", "Sam", Role.PROVIDER, team="sued-b", locale="en",
             description="provider staff, Süd B, speaks English"),
    DemoUser("lead-nord", "Lena", Role.LEAD, region="nord", description="regional lead Nord"),
    DemoUser("lead-sued", "Leo", Role.LEAD, region="sued", description="regional lead Süd"),
    DemoUser("admin", "Ada", Role.ADMIN, description="administrator"),
    DemoUser("newcomer", "Nina", None, team="nord-b",
             description="not registered yet: try /start with the code shown above"),
)


async def run_demo(
    *, script: Path | None, database: Path, clock: ShiftedClock | None = None
) -> int:
    """Run the demo; with ``script`` play it and print the transcript.

    ``clock`` lets a test start the demo on another day; by default it is today.
    """
    clock = clock or ShiftedClock()
    try:
        _fresh_database_file(database)
    except OSError as exc:
        raise SettingsError(f"--database: cannot create {database} ({exc.strerror})") from None
    configure_logging(logging.INFO, filename=str(database.with_suffix(".log")))

    async with BotApiSimulator() as sim:
        sim.add_bot(token=DEMO_TOKEN, username=DEMO_BOT, first_name="Sozialraum")
        settings = load_settings(  # the environment may still set e.g. ORG_FILE or TIMEZONE
            _env_file=None,
            telegram_bot_token=DEMO_TOKEN,
            telegram_bot_username=DEMO_BOT,
            telegram_api_base_url=sim.base_url,
            database_url=f"sqlite+aiosqlite:///{database}",
        )
        await prepare_database(settings)
        invite_code = await _create_demo_users(settings, clock.now())
        application = build_application(settings, clock=clock)
        tracker = UpdateTracker(sim)
        application.bot_data["state"].update_hooks.append(tracker.done)
        users = {
            u.key: sim.user(user_id=_telegram_id(i), first_name=u.first_name,
                            language_code=u.locale, username=u.key.replace("-", "_"))
            for i, u in enumerate(DEMO_USERS)
        }
        descriptions = {u.key: u.description for u in DEMO_USERS}
        async with application:
            await application.start()
            assert application.updater is not None
            await application.updater.start_polling(poll_interval=0.0, timeout=1)
            chat = TerminalChat(
                sim, users, current="provider-nord-a", idle=tracker.idle,
                descriptions=descriptions,
                commands={":wait": _time_travel(application, clock, settings)},
            )
            if script is not None:
                await chat.run_script(script, {"invite_code": invite_code})
            else:
                _print_banner(invite_code)
                await chat.run()
            await application.updater.stop()
            await application.stop()
    return 0


WAIT_STEP = timedelta(minutes=15)
WAIT_MAX = timedelta(days=8)


def _time_travel(application: BotApplication, clock: ShiftedClock, settings: Settings) -> Command:
    """``:wait 2h`` / ``:wait morgen 9:00``: move the demo's clock forward, running the
    scheduler every quarter of an hour on the way, as the real job would."""
    async def wait(argument: str) -> str:
        now = clock.now()
        target = _wait_target(argument, now.astimezone(settings.tz))
        if target is None or not now < target <= now + WAIT_MAX:
            return "   :wait 30m | 2h | 1d | morgen 9:00 | Freitag 13:00 (at most 8 days)"
        while clock.now() < target:
            clock.advance(min(WAIT_STEP, target - clock.now()))
            await run_scheduler(application)
        return f"   ⏩ {clock.now().astimezone(settings.tz):%a %d.%m. %H:%M}"

    return Command("move the clock forward: 30m, 2h, 1d, morgen 9:00", wait)


def _wait_target(argument: str, now: datetime) -> datetime | None:
    units = {"m": timedelta(minutes=1), "h": timedelta(hours=1), "d": timedelta(days=1)}
    text = argument.strip().lower()
    if text[:-1].isdigit() and text[-1:] in units:
        return now + int(text[:-1]) * units[text[-1]]
    try:
        when = parse_when(argument, now).when
    except InvalidInput:
        return None
    return when.at if isinstance(when, Once) else None


def _fresh_database_file(database: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    database.parent.mkdir(parents=True, exist_ok=True)


def _telegram_id(index: int) -> int:
    return 700_000 + index


async def _create_demo_users(settings: Settings, now: datetime) -> str:
    """Register the demo users through the real invitation service; return the newcomer's code.

    Also gives every region an (example) FuA budget for this year and the next, whatever year
    the demo runs in: the shipped organisation file names fixed years.
    """
    engine = create_engine(settings.database_url)
    today = now.astimezone(settings.tz).date()
    code = ""
    try:
        async with create_session_factory(engine)() as session, session.begin():
            await allocation.seed_example_budgets(
                session, years=(today.year, today.year + 1), now=now)
            for index, user in enumerate(DEMO_USERS):
                new = await access.create_invitation(
                    session,
                    role=user.role or Role.CASEWORKER,
                    now=now,
                    ttl=timedelta(days=7),
                    team_key=user.team if (user.role is None or user.role.is_team_role) else None,
                    region_key=user.region,
                )
                if user.role is None:
                    code = new.code
                    continue
                await access.register(
                    session, telegram_id=_telegram_id(index), display_name=user.first_name,
                    locale=user.locale, code=new.code, now=now,
                )
    finally:
        await engine.dispose()
    return code


class UpdateTracker:
    """Knows when the bot has handled every update the simulator has handed out."""

    def __init__(self, sim: BotApiSimulator) -> None:
        self.sim = sim
        self._processed = 0
        self._changed = asyncio.Condition()

    async def done(self, _update_id: int) -> None:
        async with self._changed:
            self._processed += 1
            self._changed.notify_all()

    async def idle(self, timeout: float = 10.0) -> None:
        async with asyncio.timeout(timeout), self._changed:
            await self._changed.wait_for(
                lambda: self._processed >= self.sim.updates_created(DEMO_TOKEN)
            )


def _print_banner(invite_code: str) -> None:
    print(
        "\nsozialraum-bot demo — the real bot, a local Bot API simulator, a fresh demo database.\n"
        "Type messages as the current user; press inline buttons with :1, :2 …; "
        "switch user with :as NAME; :users lists them; :wait 2h or :wait morgen 9:00 moves "
        "the clock forward (reminders); :help; :quit.\n"
        f"The user 'newcomer' is not registered yet: `:as newcomer`, then `/start {invite_code}`.\n"
        "Start with /help or /language.\n"
    )
