"""Start-up and the long-running loop for ``sozialraum-bot run``."""

from __future__ import annotations

import asyncio
import logging
import signal

from bot.app import BotApplication, build_application
from bot.services.organisation import import_organisation, load_org_file
from bot.settings import Settings
from storage import migrate
from storage.db import create_engine, create_session_factory

log = logging.getLogger(__name__)


async def prepare_database(settings: Settings) -> None:
    """Bring the schema up to date and import the organisation file (both idempotent)."""
    engine = create_engine(settings.database_url)
    try:
        await migrate.upgrade(engine)
        org = load_org_file(settings.org_file)
        async with create_session_factory(engine)() as session, session.begin():
            report = await import_organisation(session, org)
        if report.changed:
            log.info("organisation %s imported: %s", settings.org_file, report.summary())
    finally:
        await engine.dispose()


async def run_bot(settings: Settings) -> None:
    """Run until SIGINT/SIGTERM: polling by default, webhook when WEBHOOK_URL is set."""
    await prepare_database(settings)
    application = build_application(settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    async with application:
        await application.start()
        await _start_updates(application, settings)
        log.info(
            "sozialraum-bot running as @%s: %s mode, database %s, Bot API %s, organisation %s",
            application.bot.username,
            "webhook" if settings.webhook_url else "polling",
            _safe_url(settings.database_url),
            settings.telegram_api_base_url,
            settings.org_file,
        )
        await stop.wait()
        log.info("stopping")
        if application.updater is not None:
            await application.updater.stop()
        await application.stop()


async def _start_updates(application: BotApplication, settings: Settings) -> None:
    updater = application.updater
    assert updater is not None
    if settings.webhook_url:
        await updater.start_webhook(
            listen=settings.webhook_listen,
            port=settings.webhook_port,
            url_path="telegram",
            webhook_url=settings.webhook_url.rstrip("/") + "/telegram",
            secret_token=settings.webhook_secret,
            allowed_updates=["message", "edited_message", "callback_query", "inline_query"],
        )
    else:
        await updater.start_polling(
            allowed_updates=["message", "edited_message", "callback_query", "inline_query"],
        )


def _safe_url(url: str) -> str:
    """The database URL without its password, for the start-up line."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
