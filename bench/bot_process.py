"""A bot in a process of its own, polling the simulator: the product, or a bare echo bot.

The end-to-end benchmark runs both the same way, each in its own process beside the
simulator's, so that neither shares an event loop (or a core) with the simulated users::

    python -m bench.bot_process product --api URL --token T --database-url URL [--schema S]
    python -m bench.bot_process echo --api URL --token T

The product is built exactly as ``sozialraum-bot run`` builds it (``build_application``),
with two differences that the measurement needs: PTB's client-side rate limiter is off
(it caps every chat message at Telegram's 30/s, which would measure the limiter instead of
the bot; the echo bot has none either) and the per-user flood limit is lifted (simulated
users tap faster than any person). Both are measured where they matter, in the broadcast and
the memory benchmarks, which run the real configuration.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, ContextTypes, MessageHandler, filters

READY = "ready"
# Set to a folder: each bot process writes a pyinstrument profile there when it stops.
PROFILE_ENV = "BENCH_PROFILE_DIR"
ROOT = Path(__file__).resolve().parent.parent
_EchoContext = ContextTypes.DEFAULT_TYPE


# -- the child process ----------------------------------------------------------------------


def _echo_application(api: str, token: str) -> Application[Any, Any, Any, Any, Any, Any]:
    """python-telegram-bot's minimum: answer every message and every button press."""
    button = InlineKeyboardMarkup([[InlineKeyboardButton("echo", callback_data="echo")]])
    answered = 0

    async def echo(update: Update, _context: _EchoContext) -> None:
        assert update.message is not None
        await update.message.reply_text(update.message.text or "…", reply_markup=button)

    async def pressed(update: Update, _context: _EchoContext) -> None:
        nonlocal answered
        query = update.callback_query
        assert query is not None
        answered += 1
        await query.answer()
        await query.edit_message_text(f"{query.data} {answered}", reply_markup=button)

    application = Application.builder().token(token).base_url(f"{api}/bot{{token}}").build()
    application.add_handler(MessageHandler(filters.ALL, echo))
    application.add_handler(CallbackQueryHandler(pressed))
    return application


def _product_application(args: argparse.Namespace) -> Application[Any, Any, Any, Any, Any, Any]:
    # Imported here, so that the echo bot's process holds nothing of the product.
    from bot.app import build_application
    from bot.logs import configure_logging
    from bot.ratelimit import KeyedRateLimiter
    from bot.settings import Settings
    from storage.db import create_engine

    configure_logging(logging.WARNING)
    settings = Settings(
        _env_file=None, telegram_bot_token=args.token, telegram_bot_username="bench_bot",
        telegram_api_base_url=args.api, database_url=args.database_url,
        meeting_reminders=(), hours_reminder=None, health_port=0,
    )
    connect_args = {"server_settings": {"search_path": args.schema}} if args.schema else None
    engine = create_engine(args.database_url, connect_args=connect_args)
    application = build_application(settings, engine=engine, rate_limiter=False)
    application.bot_data["state"].flood = KeyedRateLimiter(capacity=1e9, per_second=1e9)
    return application


async def _serve(application: Application[Any, Any, Any, Any, Any, Any], product: bool) -> None:
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        asyncio.get_running_loop().add_signal_handler(sig, stop.set)
    async with application:
        await application.start()
        assert application.updater is not None
        await application.updater.start_polling(poll_interval=0.0, timeout=1)
        if product:
            from bot.runner import settle_memory

            settle_memory()  # as ``sozialraum-bot run`` does after start-up
        print(READY, flush=True)
        await stop.wait()
        await application.updater.stop()
        await application.stop()
    if application.post_shutdown is not None:  # the product's: dispose of the engine
        await application.post_shutdown(application)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bot_process")
    parser.add_argument("kind", choices=("product", "echo"))
    parser.add_argument("--api", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--database-url")
    parser.add_argument("--schema")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    application = (_echo_application(args.api, args.token) if args.kind == "echo"
                   else _product_application(args))
    profile_dir = os.environ.get(PROFILE_ENV)
    if not profile_dir:
        asyncio.run(_serve(application, args.kind == "product"))
        return 0
    from pyinstrument import Profiler  # a dev dependency, only for this

    with Profiler(interval=0.001) as profiler:
        asyncio.run(_serve(application, args.kind == "product"))
    report = Path(profile_dir) / f"{args.kind}-{os.getpid()}.txt"
    report.write_text(profiler.output_text(show_all=False), encoding="utf-8")
    return 0


# -- the parent's handle ----------------------------------------------------------------------


class BotProcess:
    """A child process running a bot; ``pid`` for its memory, ``stop`` ends it."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process

    @property
    def pid(self) -> int:
        return self.process.pid

    async def stop(self) -> None:
        if self.process.returncode is None:
            self.process.terminate()
            try:
                await asyncio.wait_for(self.process.wait(), 60)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()


@asynccontextmanager
async def bot_process(kind: str, api: str, token: str,
                      extra: list[str] | None = None) -> AsyncIterator[BotProcess]:
    """Start ``kind`` and yield once it polls; stopped (SIGTERM) on the way out."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bench.bot_process", kind, "--api", api, "--token", token,
        *(extra or []), cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
    )
    handle = BotProcess(process)
    try:
        assert process.stdout is not None
        line = await asyncio.wait_for(process.stdout.readline(), 60)
        if line.decode().strip() != READY:
            raise RuntimeError(f"{kind} bot did not start (exit code {await process.wait()})")
        yield handle
    finally:
        await handle.stop()


if __name__ == "__main__":
    sys.exit(main())
