"""Memory and start-up of ``sozialraum-bot run``, a process of its own, as deployed.

* start-up: from starting the process to the simulator receiving the answer to a ``/help``
  that was waiting for it — interpreter, imports, migrating a fresh SQLite database,
  importing the organisation, the Bot API handshake and the first update; then the same
  after a restart, on the database that is now there;
* resident memory (``/proc/<pid>/status``): idle after start-up, after 50 users went
  through the hours dialogue twice (as fast as the bot and its rate limiter let them), and
  the peak (``VmHWM``).
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from bench.databases import Database
from bench.e2e import register_users, saved_entries
from bench.load import run_users
from bench.machine import resident_mb
from bot.simulator import BotApiSimulator, SimUser

TOKEN = "700004:BENCH-FOOTPRINT"
STRANGER_ID = 880_001
ROOT = Path(__file__).resolve().parent.parent

TARGETS: dict[str, tuple[str, float]] = {
    "peak resident memory MB": ("<=", 150.0),
    "start-up s (fresh database)": ("<=", 2.0),
    "start-up s (restart)": ("<=", 2.0),
}


def _command() -> list[str]:
    installed = Path(sys.executable).parent / "sozialraum-bot"
    return [str(installed), "run"] if installed.exists() else [sys.executable, "-m", "bot", "run"]


@asynccontextmanager
async def running_bot(sim: BotApiSimulator, database: Database,
                      folder: Path) -> AsyncIterator[tuple[asyncio.subprocess.Process, float]]:
    """``sozialraum-bot run`` with settings from the environment; yields it and its start."""
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "TZ")}
    environment = {
        **keep, "PYTHONPATH": str(ROOT), "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": sim.base_url, "DATABASE_URL": database.url,
        "HEALTH_PORT": "0", "LOG_LEVEL": "WARNING", "HOURS_REMINDER": "off",
        "MEETING_REMINDERS": "",
    }
    started = time.perf_counter()
    process = await asyncio.create_subprocess_exec(
        *_command(), cwd=folder, env=environment, stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL)
    try:
        yield process, started
    finally:
        if process.returncode is None:
            process.terminate()
            try:
                await asyncio.wait_for(process.wait(), 30)
            except TimeoutError:
                process.kill()
                await process.wait()


async def _first_answer(stranger: SimUser, started: float) -> float:
    """Seconds from ``started`` to the bot's answer to the /help queued before it."""
    return (await stranger.reply(timeout=60)).received_at - started


async def _run(smoke: bool, users: int) -> dict[str, float | int | str]:
    with tempfile.TemporaryDirectory(prefix="bench-") as name:
        folder = Path(name)
        database = Database("sqlite", f"sqlite+aiosqlite:///{folder / 'bot.db'}")
        async with BotApiSimulator() as sim:
            sim.add_bot(token=TOKEN, username="bench_footprint_bot")
            stranger = sim.user(STRANGER_ID, "Fremd", "de")
            await stranger.send("/help")
            async with running_bot(sim, database, folder) as (_process, started):
                first_start = await _first_answer(stranger, started)
            await stranger.send("/help")
            async with running_bot(sim, database, folder) as (process, started):
                restart = await _first_answer(stranger, started)
                idle = resident_mb(process.pid)
                ids = await register_users(database, users)
                people = [sim.user(telegram_id, f"Person {i}", "de")
                          for i, telegram_id in enumerate(ids)]
                rounds = 1 if smoke else 2
                load = await run_users(people, rounds)
                after = resident_mb(process.pid)
                peak = resident_mb(process.pid, "VmHWM")
            saved = await saved_entries(database)
    return {
        "start-up s (fresh database)": round(first_start, 2),
        "start-up s (restart)": round(restart, 2),
        "resident memory idle MB": idle,
        f"resident memory after {load.updates} updates of {users} users MB": after,
        "peak resident memory MB": peak,
        "updates unanswered": load.unanswered,
        "dialogues played / hour entries saved": f"{users * rounds} / {saved}",
    }


def run(smoke: bool = False, users: int = 50) -> dict[str, float | int | str]:
    return asyncio.run(_run(smoke, 3 if smoke else users))
