"""Wiring: settings → engine → services → handlers → PTB Application."""

from __future__ import annotations

import logging
import warnings
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from telegram import Update
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder, ContextTypes, Defaults
from telegram.warnings import PTBUserWarning

from bot.clock import Clock, SystemClock
from bot.i18n import I18n
from bot.ratelimit import KeyedRateLimiter
from bot.services import privacy
from bot.services.organisation import OrgFile, load_org_file
from bot.settings import Settings
from handlers import FEATURES
from handlers.context import BotContext, UpdateScope, enter_scope, leave_scope
from handlers.errors import on_error
from handlers.fallback import register_fallbacks
from handlers.gate import register_gate
from handlers.menu import publish_default_menus
from storage.db import create_engine, create_session_factory
from storage.models import ProcessedUpdate
from storage.repositories.users import UserRepository

log = logging.getLogger(__name__)

# Our dialogues are per user and chat on purpose; buttons carry their own context.
warnings.filterwarnings(
    "ignore", message=r".*per_message=False.*CallbackQueryHandler", category=PTBUserWarning
)

UpdateHook = Callable[[int], Awaitable[None] | None]


@dataclass
class AppState:
    """What handlers and jobs share: configuration, database, languages, time."""

    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    i18n: I18n
    clock: Clock
    org: OrgFile  # the validated organisation file: policies of the features
    # Called after each update is fully handled and committed (tests and the demo wait on it).
    update_hooks: list[UpdateHook] = field(default_factory=list)
    # A flooding user is cut off before any database work, without slowing anyone else.
    flood: KeyedRateLimiter = field(
        default_factory=lambda: KeyedRateLimiter(capacity=30, per_second=3)
    )
    # Invitation codes are unguessable; this also makes guessing them slow: 5 tries, then 1/10 min.
    code_attempts: KeyedRateLimiter = field(
        default_factory=lambda: KeyedRateLimiter(capacity=5, per_second=1 / 600)
    )


class BotApplication(Application):  # type: ignore[type-arg]
    """A PTB Application that runs every update inside one :class:`UpdateScope`."""

    async def process_update(self, update: object) -> None:
        if not isinstance(update, Update):
            await super().process_update(update)
            return
        state: AppState = self.bot_data["state"]
        try:
            sender = update.effective_user
            if sender is not None and not state.flood.allow(sender.id):
                log.warning("update %s dropped: user %s is flooding", update.update_id, sender.id)
                return
            await self._process_in_scope(state, update)
        finally:
            for hook in state.update_hooks:
                result = hook(update.update_id)
                if result is not None:
                    await result

    async def _process_in_scope(self, state: AppState, update: Update) -> None:
        async with state.sessions() as session:
            if await session.get(ProcessedUpdate, update.update_id) is not None:
                log.info("update %s was already processed; skipped", update.update_id)
                await session.rollback()
                return
            tg_user = update.effective_user
            user = await UserRepository(session).by_telegram_id(tg_user.id) if tg_user else None
            translator = (
                state.i18n.get(user.locale)
                if user is not None
                else state.i18n.for_telegram(tg_user.language_code if tg_user else None)
            )
            scope = UpdateScope(
                session=session,
                t=translator,
                now=state.clock.now(),
                update_id=update.update_id,
                user=user,
            )
            token = enter_scope(scope)
            try:
                await super().process_update(update)
            finally:
                leave_scope(token)
            try:
                if scope.failed:
                    # Nothing of a failed update is kept, but it is not retried either.
                    await session.rollback()
                    scope.failed = False
                await scope.commit()
            except IntegrityError:
                # Another instance committed the same update first; its effects stand.
                await session.rollback()
                log.info("update %s was processed concurrently; discarded", update.update_id)


def build_application(
    settings: Settings,
    *,
    clock: Clock | None = None,
    engine: AsyncEngine | None = None,
    rate_limiter: bool = True,
    i18n: I18n | None = None,
) -> BotApplication:
    """Build the bot; the caller starts it (polling, webhook, or the demo)."""
    engine = engine or create_engine(settings.database_url)
    state = AppState(
        settings=settings,
        engine=engine,
        sessions=create_session_factory(engine),
        i18n=i18n or I18n(settings.default_locale),
        clock=clock or SystemClock(),
        org=load_org_file(settings.org_file),
    )
    privacy.configure(state.org.privacy.policy())  # the office's personal-data check
    base = settings.telegram_api_base_url.rstrip("/")
    builder: ApplicationBuilder[Any, Any, Any, Any, Any, Any] = (
        ApplicationBuilder()
        .application_class(BotApplication)
        .token(settings.telegram_bot_token)
        .base_url(f"{base}/bot{{token}}")
        .base_file_url(f"{base}/file/bot{{token}}")
        .defaults(Defaults(tzinfo=settings.tz, parse_mode="HTML"))
        .context_types(ContextTypes(context=BotContext))
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
    )
    if rate_limiter:
        builder = builder.rate_limiter(AIORateLimiter(max_retries=5))
    application = cast(BotApplication, builder.build())
    application.bot_data["state"] = state
    register_gate(application)
    for feature in FEATURES:
        feature.register(application)
    register_fallbacks(application)
    application.add_error_handler(on_error)
    return application


async def _post_init(application: Application) -> None:  # type: ignore[type-arg]
    await publish_default_menus(application)


async def _post_shutdown(application: Application) -> None:  # type: ignore[type-arg]
    state: AppState = application.bot_data["state"]
    await state.engine.dispose()
