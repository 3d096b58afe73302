"""Wiring: settings → engine → services → handlers → PTB Application."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from telegram import Update
from telegram import User as TelegramUser
from telegram.ext import (
    AIORateLimiter,
    ApplicationBuilder,
    ContextTypes,
    ConversationHandler,
    Defaults,
)
from telegram.request import BaseRequest, HTTPXRequest

from bot import logs, metrics
from bot.clock import Clock, SystemClock
from bot.i18n import I18n, Translator
from bot.leader import BOT_DATA_KEY as LEADER_KEY
from bot.leader import LeaderElection, election_of, run_leader_jobs
from bot.persistence import SqlPersistence
from bot.ratelimit import KeyedRateLimiter
from bot.services import privacy
from bot.services.organisation import OrgFile, load_org_file
from bot.settings import Settings
from bot.telegram_retry import RetryingRequest
from handlers import FEATURES
from handlers.context import (
    BotApp,
    BotContext,
    UpdateScope,
    current_scope,
    enter_scope,
    leave_scope,
)
from handlers.errors import on_error
from handlers.fallback import register_fallbacks
from handlers.gate import register_gate, tell_to_slow_down
from handlers.maintenance import register_maintenance
from handlers.menu import publish_default_menus
from storage.db import create_engine, create_session_factory
from storage.models import User
from storage.repositories.users import UserRepository

log = logging.getLogger(__name__)

UpdateHook = Callable[[int], Awaitable[None] | None]
# Advisory lock namespace serialising the updates of one sender across instances (PostgreSQL).
SENDER_LOCK_NAMESPACE = 7_402_002
_SENDER_LOCK = text("SELECT pg_advisory_xact_lock(:ns, :key)")
ConversationKey = tuple[int | str, ...]
HTTP_CONNECTIONS = 256  # PTB's default for the bot's calls (getUpdates has its own connection)
# Just under Telegram's 30 messages/s: at exactly 30 the network's jitter makes some sends
# arrive early, and each such 429 stalls the sender for a whole second (retry_after ≥ 1).
MESSAGES_PER_SECOND = 29


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
    # A flooding user is cut off before any database work, without slowing anyone else
    # (but for one read per burst: the notice to slow down is in their language).
    flood: KeyedRateLimiter = field(
        default_factory=lambda: KeyedRateLimiter(capacity=30, per_second=3)
    )
    # Invitation codes are unguessable; this also makes guessing them slow: 5 tries, then 1/10 min.
    code_attempts: KeyedRateLimiter = field(
        default_factory=lambda: KeyedRateLimiter(capacity=5, per_second=1 / 600)
    )


class BotApplication(BotApp):
    """A PTB Application that runs every update inside one :class:`UpdateScope`.

    Per update, in one transaction: skip it if it was processed before; read the sender's
    dialogue state from the database (so the dialogue may have begun at another instance);
    run the handlers; write the dialogue state back; commit with the update id.
    """

    async def start(self) -> None:
        await super().start()
        await election_of(self).start()

    async def stop(self) -> None:
        await election_of(self).stop()
        await super().stop()

    async def process_update(self, update: object) -> None:
        if not isinstance(update, Update):
            await super().process_update(update)
            return
        state: AppState = self.bot_data["state"]
        sender = update.effective_user
        started = time.perf_counter()
        with logs.update_context(update.update_id, sender.id if sender else None):
            try:
                if sender is not None and not state.flood.allow(sender.id):
                    log.warning("update %s dropped: user %s is flooding",
                                update.update_id, sender.id)
                    metrics.UPDATES_SKIPPED.labels(reason="flood").inc()
                    if state.flood.tell_once(sender.id):
                        await tell_to_slow_down(update, await _translator_of(state, sender))
                    return
                if await self._process_in_scope(state, update):
                    kind, seconds = update_kind(update), time.perf_counter() - started
                    metrics.UPDATES.labels(kind=kind).inc()
                    metrics.UPDATE_LATENCY.observe(seconds)
                    log.debug("%s handled in %.0f ms", kind, seconds * 1000)
                else:
                    metrics.UPDATES_SKIPPED.labels(reason="duplicate").inc()
            finally:
                for hook in state.update_hooks:
                    result = hook(update.update_id)
                    if result is not None:
                        await result

    async def _process_in_scope(self, state: AppState, update: Update) -> bool:
        """Handle ``update`` once; False if it had been handled before (at any instance)."""
        async with state.sessions() as session:
            await _serialise_sender(session, update)
            tg_user = update.effective_user
            user = await UserRepository(session).by_telegram_id(tg_user.id) if tg_user else None
            translator = _translator(state, user, tg_user)
            scope = UpdateScope(
                session=session,
                t=translator,
                now=state.clock.now(),
                update_id=update.update_id,
                user=user,
                save_dialogue=lambda: self._save_dialogue_data(update),
            )
            if not await scope.claim():
                log.info("update %s was already processed; skipped", update.update_id)
                await session.rollback()
                return False
            token = enter_scope(scope)
            try:
                await self._load_conversations(update)
                await super().process_update(update)
                await self._save_dialogue_state(scope)
            finally:
                leave_scope(token)
            try:
                if scope.failed:
                    # Nothing of a failed update is kept, but it is not retried either.
                    await scope.roll_back()
                await scope.commit_at_end()
            except IntegrityError:
                # The update id is claimed without conflict; this is the handler's own data.
                await session.rollback()
                log.exception("update %s could not be committed; nothing of it was kept",
                              update.update_id)
                metrics.UPDATE_ERRORS.inc()
        return True

    async def _load_conversations(self, update: Update) -> None:
        """Bring the states of this update's conversations, and the sender's dialogue data,
        up to date from the database."""
        keys = [(handler.name, key) for handler in self._persistent_conversations()
                if handler.name and (key := conversation_key(handler, update)) is not None]
        if isinstance(self.persistence, SqlPersistence):
            sender = update.effective_user
            # PTB's own mapping of persistent conversation states; see bot/persistence/sql.py.
            await self.persistence.refresh_dialogue(
                sender.id if sender else None, self._conversation_handler_conversations, keys)

    async def _save_dialogue_state(self, scope: UpdateScope) -> None:
        """Write changed dialogue state into the update's transaction (PTB's public flush)."""
        try:
            await self.update_persistence()
        except Exception:
            log.exception("dialogue state of update %s could not be saved", scope.update_id)
            metrics.UPDATE_ERRORS.inc()
            scope.failed = True

    async def _save_dialogue_data(self, update: Update) -> None:
        """Write the sender's dialogue data into the update's transaction now, for a
        handler that commits before the update's end (see ``UpdateScope.commit``)."""
        if self.persistence is None:
            return
        user = update.effective_user
        if user is not None and user.id in self.user_data:
            await self.persistence.update_user_data(user.id, self.user_data[user.id])

    def _persistent_conversations(self) -> list[ConversationHandler[BotContext]]:
        return [handler for group in self.handlers.values() for handler in group
                if isinstance(handler, ConversationHandler) and handler.persistent]


def _translator(state: AppState, user: User | None, tg_user: TelegramUser | None) -> Translator:
    """The member's chosen language, else their Telegram app's, else the default."""
    if user is not None:
        return state.i18n.get(user.locale)
    return state.i18n.for_telegram(tg_user.language_code if tg_user else None)


async def _translator_of(state: AppState, tg_user: TelegramUser) -> Translator:
    """The translator for a dropped update: one read, once per burst, outside any scope."""
    async with state.sessions() as session:
        user = await UserRepository(session).by_telegram_id(tg_user.id)
    return _translator(state, user, tg_user)


def update_kind(update: Update) -> str:
    """The metrics label of an update: one of :data:`bot.metrics.UPDATE_KINDS`."""
    if update.message is not None:
        text = update.message.text or ""
        return "command" if text.startswith("/") else "message"
    for kind in ("callback_query", "inline_query", "edited_message"):
        if getattr(update, kind) is not None:
            return kind
    return "other"


def conversation_key(
    handler: ConversationHandler[BotContext], update: Update
) -> ConversationKey | None:
    """The key under which ``handler`` keeps this update's conversation (as PTB builds it)."""
    chat, user, query = update.effective_chat, update.effective_user, update.callback_query
    key: list[int | str] = []
    if handler.per_chat:
        if chat is None:
            return None
        key.append(chat.id)
    if handler.per_user:
        if user is None:
            return None
        key.append(user.id)
    if handler.per_message:
        if query is None:
            return None
        if query.inline_message_id:
            key.append(query.inline_message_id)
        elif query.message is not None:
            key.append(query.message.message_id)
        else:
            return None
    return tuple(key)


async def _serialise_sender(session: AsyncSession, update: Update) -> None:
    """On PostgreSQL, let one sender's updates run one after another across instances.

    A transaction-level advisory lock: released at the update's commit or rollback. (SQLite
    serialises all writers anyway, with BEGIN IMMEDIATE.)
    """
    sender = update.effective_user
    bind = session.bind
    if sender is None or bind is None or bind.dialect.name != "postgresql":
        return
    await session.execute(_SENDER_LOCK, {"ns": SENDER_LOCK_NAMESPACE,
                                         "key": sender.id % 2_147_483_647})


def build_application(
    settings: Settings,
    *,
    clock: Clock | None = None,
    engine: AsyncEngine | None = None,
    rate_limiter: bool = True,
    i18n: I18n | None = None,
    request: BaseRequest | None = None,
) -> BotApplication:
    """Build the bot; the caller starts it (polling, webhook, or the demo).

    The bot's calls go through :class:`bot.telegram_retry.RetryingRequest` (5xx, dropped
    connections) and PTB's ``AIORateLimiter`` (429); ``request`` replaces the HTTP transport
    underneath (tests: the in-process simulator).
    """
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
    persistence = SqlPersistence(state.sessions, now=state.clock.now,
                                 scope_session=_scope_session)
    builder: ApplicationBuilder[Any, Any, Any, Any, Any, Any] = (
        ApplicationBuilder()
        .application_class(BotApplication)
        .token(settings.telegram_bot_token)
        .persistence(persistence)
        .base_url(f"{base}/bot{{token}}")
        .base_file_url(f"{base}/file/bot{{token}}")
        .defaults(Defaults(tzinfo=settings.tz, parse_mode="HTML"))
        .context_types(ContextTypes(context=BotContext))
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
    )
    builder = builder.request(RetryingRequest(
        request or HTTPXRequest(connection_pool_size=HTTP_CONNECTIONS)))
    if rate_limiter:
        builder = builder.rate_limiter(
            AIORateLimiter(overall_max_rate=MESSAGES_PER_SECOND, max_retries=5))
    application = cast(BotApplication, builder.build())
    application.bot_data["state"] = state
    application.bot_data[LEADER_KEY] = LeaderElection(
        engine, check_seconds=settings.leader_check_seconds,
        on_takeover=lambda: run_leader_jobs(application))
    register_gate(application)
    for feature in FEATURES:
        feature.register(application)
    register_fallbacks(application)
    register_maintenance(application)
    application.add_error_handler(on_error)
    return application


def _scope_session() -> AsyncSession | None:
    scope = current_scope()
    return scope.session if scope is not None else None


async def _post_init(application: BotApp) -> None:
    await publish_default_menus(application)


async def _post_shutdown(application: BotApp) -> None:
    state: AppState = application.bot_data["state"]
    await state.engine.dispose()
