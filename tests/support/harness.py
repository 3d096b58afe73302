"""End-to-end harness: the real bot (PTB, database) against the local Bot API simulator.

Tests read like the user's story::

    anna = await bot.member("anna", Role.PROVIDER, team="nord-a")
    await anna.send("/help")
    assert "/hours" in (await anna.reply()).text

``send`` and ``tap`` return once the bot has fully handled and committed the update (a hook
in :class:`bot.app.BotApplication`), so no test sleeps or polls for the bot to be done.
"""

from __future__ import annotations

import asyncio
import itertools
from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app import AppState, BotApplication, build_application
from bot.clock import FrozenClock
from bot.services import access
from bot.settings import Settings
from bot.simulator import BotApiSimulator, SimMessage, SimUser
from storage.db import create_session_factory
from storage.models import Role, User

TOKEN = "123456:TEST-TOKEN"
BOT_USERNAME = "sozialraum_test_bot"
_telegram_ids = itertools.count(10_001)


class TestUser:
    """A person chatting with the bot; every action waits until the bot is done with it."""

    __test__ = False  # not a pytest test class

    def __init__(self, harness: BotHarness, sim_user: SimUser, user_id: int | None) -> None:
        self.harness = harness
        self.sim = sim_user
        self.user_id = user_id  # database id, None for strangers

    @property
    def telegram_id(self) -> int:
        return self.sim.user_id

    async def send(self, text: str) -> None:
        await self.harness.processed(await self.sim.send(text))

    async def tap(self, label: str, message: SimMessage | None = None) -> None:
        await self.harness.processed(await self.sim.tap(label, message=message))

    async def tap_data(self, data: str, message: SimMessage | None = None) -> None:
        await self.harness.processed(await self.sim.tap_data(data, message=message))

    async def reply(self, timeout: float = 5.0) -> SimMessage:
        """The next new or edited bot message in this chat."""
        return await self.sim.reply(timeout=timeout)

    async def reply_with(self, fragment: str, most: int = 6) -> SimMessage:
        """The next message containing ``fragment``, skipping up to ``most`` others."""
        seen = []
        for _ in range(most):
            message = await self.reply()
            if fragment in message.text:
                return message
            seen.append(message.text[:70])
        raise AssertionError(f"{self.sim.name}: no message with {fragment!r}; saw {seen}")

    async def inline(self, query: str, offset: str = "") -> Any:
        return await self.sim.inline(query, offset=offset)

    @property
    def last(self) -> SimMessage:
        return self.sim.last

    @property
    def alerts(self) -> list[str]:
        """Texts the bot showed on this user's button presses."""
        return [a.text for a in self.sim.callback_answers if a.text]

    def drain(self) -> None:
        self.sim.drain()


class BotHarness:
    def __init__(self, engine: AsyncEngine, clock: FrozenClock, sim: BotApiSimulator) -> None:
        self.engine = engine
        self.clock = clock
        self.sim = sim
        self.sessions = create_session_factory(engine)
        self._done: dict[int, asyncio.Event] = {}
        self.app: BotApplication | None = None

    @property
    def state(self) -> AppState:
        assert self.app is not None
        state: AppState = self.app.bot_data["state"]
        return state

    def settings(self, **overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "telegram_bot_token": TOKEN,
            "telegram_bot_username": BOT_USERNAME,
            "telegram_api_base_url": self.sim.base_url,
            "database_url": "sqlite+aiosqlite:///unused.db",  # the engine is passed in
            **overrides,
        }
        return Settings(_env_file=None, **values)  # type: ignore[call-arg]

    async def start(self, **settings: Any) -> None:
        self.app = build_application(
            self.settings(**settings), clock=self.clock, engine=self.engine
        )
        self.state.update_hooks.append(self._mark_done)
        await self.app.initialize()
        await self.app.start()
        assert self.app.updater is not None
        await self.app.updater.start_polling(poll_interval=0.0, timeout=1)

    async def stop(self) -> None:
        if self.app is None:
            return
        if self.app.updater is not None and self.app.updater.running:
            await self.app.updater.stop()
        if self.app.running:
            await self.app.stop()
        await self.app.shutdown()
        self.app = None

    def _mark_done(self, update_id: int) -> None:
        self._done.setdefault(update_id, asyncio.Event()).set()

    async def processed(self, update_id: int, timeout: float = 10.0) -> None:
        event = self._done.setdefault(update_id, asyncio.Event())
        try:
            await asyncio.wait_for(event.wait(), timeout)
        except TimeoutError:
            raise AssertionError(f"bot did not finish update {update_id} in {timeout}s") from None

    async def member(
        self,
        name: str,
        role: Role,
        *,
        team: str | list[str] | None = None,
        region: str | None = None,
        locale: str = "de",
    ) -> TestUser:
        """A registered user, created through the real invitation service."""
        telegram_id = next(_telegram_ids)
        teams = [team] if isinstance(team, str) else list(team or [])
        async with self.sessions() as session, session.begin():
            user: User | None = None
            for team_key in teams or [None]:  # type: ignore[list-item]
                new = await access.create_invitation(
                    session, role=role, now=self.clock.now(), ttl=timedelta(days=1),
                    team_key=team_key, region_key=region,
                )
                registration = await access.register(
                    session, telegram_id=telegram_id, display_name=name, locale=locale,
                    code=new.code, now=self.clock.now(),
                )
                user = registration.user
            assert user is not None
            user_id = user.id
        sim_user = self.sim.user(
            user_id=telegram_id, first_name=name, language_code=locale, username=name.lower()
        )
        return TestUser(self, sim_user, user_id)

    def stranger(self, name: str = "Fremd", locale: str = "de") -> TestUser:
        telegram_id = next(_telegram_ids)
        return TestUser(
            self, self.sim.user(user_id=telegram_id, first_name=name, language_code=locale), None
        )
