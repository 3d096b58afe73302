"""Start-up and the long-running loop for ``sozialraum-bot run``."""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import signal
from collections.abc import Awaitable
from pathlib import Path
from urllib.parse import urlsplit

from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from bot.app import BotApplication, build_application
from bot.clock import SystemClock
from bot.health import HealthServer
from bot.services.organisation import (
    OrgFileError,
    import_organisation,
    load_org_file,
    record_import,
)
from bot.settings import Settings, SettingsError
from storage import migrate
from storage.db import create_engine, create_session_factory

log = logging.getLogger(__name__)
WEBHOOK_PATH = "telegram"
ALLOWED_UPDATES = ["message", "edited_message", "callback_query", "inline_query"]


async def prepare_database(settings: Settings) -> None:
    """Bring the schema up to date and import the organisation file (both idempotent).

    A broken organisation file or an unusable database stops start-up with a
    :class:`SettingsError` naming the variable, which the command prints as one line.
    """
    try:
        org = load_org_file(settings.org_file)  # before the database: nothing half-done
    except OrgFileError as exc:
        raise SettingsError(f"ORG_FILE: {exc}") from None
    try:
        engine = create_engine(settings.database_url)
        try:
            await migrate.upgrade(engine)
            async with create_session_factory(engine)() as session, session.begin():
                await migrate.lock_schema(session)
                now = SystemClock().now()
                report = await import_organisation(session, org, now=now, tz=settings.tz)
                if report.changed:  # a restart with the same file is no event worth recording
                    record_import(session, report, file_name=Path(settings.org_file).name,
                                  now=now, source="start-up")
        finally:
            await engine.dispose()
    except IntegrityError as exc:  # the database works; the file's data breaks a constraint
        first = str(exc.orig).splitlines()[0][:160] if exc.orig else ""
        raise SettingsError(f"ORG_FILE: {settings.org_file}: the database refuses its data "
                            f"({first})") from None
    except DATABASE_ERRORS as exc:
        raise SettingsError(database_problem(exc)) from None
    if report.changed:
        log.info("organisation %s imported: %s", settings.org_file, report.summary())


DATABASE_ERRORS = (OperationalError, DBAPIError, OSError)


def database_problem(exc: BaseException) -> str:
    """One line for an operator: the variable, the kind of failure, the driver's first line."""
    first = str(exc).splitlines()[0][:160] if str(exc) else ""
    return f"DATABASE_URL: cannot use the database ({type(exc).__name__}: {first})"


async def run_bot(settings: Settings) -> None:
    """Run until SIGINT/SIGTERM: polling by default, webhook when WEBHOOK_URL is set."""
    await prepare_database(settings)
    application = build_application(settings)
    state = application.bot_data["state"]
    health = HealthServer(state.engine, listen=settings.health_listen, port=settings.health_port,
                          alive=lambda: application.running)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    # What PTB's run_polling/run_webhook do, but inside our own event loop and signal handling.
    try:
        await _initialize(application, settings)
        if application.post_init is not None:
            await application.post_init(application)
        await application.start()
        updates = start_updates(application, settings)
        if settings.webhook_url:
            await _listen(updates, "WEBHOOK_PORT", settings.webhook_listen, settings.webhook_port)
        else:
            await updates
        if settings.health_port:
            await _listen(health.start(), "HEALTH_PORT", settings.health_listen,
                          settings.health_port)
        settle_memory()
        log.info(
            "sozialraum-bot running as @%s in %s; database %s; Bot API %s; organisation %s; "
            "health %s",
            application.bot.username,
            _mode(settings),
            safe_url(settings.database_url),
            settings.telegram_api_base_url,
            settings.org_file,
            f"{health.url}/healthz" if settings.health_port else "off",
        )
        await stop.wait()
        log.info("stopping")
    finally:
        await health.stop()
        if application.updater is not None and application.updater.running:
            await application.updater.stop()
        if application.running:
            await application.stop()
        await application.shutdown()
        if application.post_shutdown is not None:
            await application.post_shutdown(application)


async def _initialize(application: BotApplication, settings: Settings) -> None:
    """Ask the Bot API who we are; a rejected token or no answer is one line, not a traceback."""
    from telegram.error import InvalidToken, NetworkError

    base = settings.telegram_api_base_url
    try:
        await application.initialize()
    except InvalidToken:
        raise SettingsError(refused_token_message(base)) from None
    except NetworkError as exc:
        raise SettingsError(f"TELEGRAM_API_BASE_URL: cannot reach the Bot API at {base} "
                            f"({exc.message[:160]})") from None


def refused_token_message(base: str) -> str:
    """The one line for a token the Bot API refused, naming the URL when it is the likelier
    cause: a base URL ending in /bot sends every call to /bot/bot<token>/…, which answers
    404 – and PTB reports a 404 as a refused token.

    Only a hint, not a validation that strips it: a proxy may serve the Bot API under a path
    that really ends in /bot, and rewriting the operator's URL would then break it silently.
    """
    if urlsplit(base).path.rstrip("/").lower().endswith("/bot"):
        return (f"TELEGRAM_API_BASE_URL: the Bot API at {base} refused the token; the URL "
                "should not end in /bot – the bot adds /bot<token> itself")
    return f"TELEGRAM_BOT_TOKEN: the Bot API at {base} does not accept this token"


def settle_memory() -> None:
    """Start-up is done: keep its objects out of the cyclic garbage collector's way.

    About 135,000 objects (libraries, handlers, the FAQ index) live as long as the process.
    Every full collection scanned them all: a pause of about 0.1 s every thousand updates or
    so, felt by whoever's update was waiting (``bench/e2e.py``). Frozen, they are skipped;
    collections look only at what was made since (a pause of a few milliseconds).
    """
    gc.collect()
    gc.freeze()


async def _listen(starting: Awaitable[None], variable: str, host: str, port: int) -> None:
    """Start a server; a port that cannot be bound is one clear line, not a traceback."""
    try:
        await starting
    except OSError as exc:
        reason = os.strerror(exc.errno) if exc.errno else type(exc).__name__
        raise SettingsError(f"{variable}: cannot listen on {host}:{port} ({reason})") from None


def _mode(settings: Settings) -> str:
    if settings.webhook_url:
        return (f"webhook mode ({settings.webhook_url.rstrip('/')}/{WEBHOOK_PATH} -> "
                f"{settings.webhook_listen}:{settings.webhook_port})")
    return "polling mode"


async def start_updates(application: BotApplication, settings: Settings) -> None:
    updater = application.updater
    assert updater is not None
    if settings.webhook_url:
        await updater.start_webhook(
            listen=settings.webhook_listen,
            port=settings.webhook_port,
            url_path=WEBHOOK_PATH,
            webhook_url=f"{settings.webhook_url.rstrip('/')}/{WEBHOOK_PATH}",
            secret_token=settings.webhook_secret,
            allowed_updates=ALLOWED_UPDATES,
        )
    else:
        await updater.start_polling(allowed_updates=ALLOWED_UPDATES)


def safe_url(url: str) -> str:
    """The database URL without its password, for the start-up line."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
