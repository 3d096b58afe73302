"""/healthz, /readyz and /metrics over HTTP, and ``sozialraum-bot run`` as an operator sees it."""

from __future__ import annotations

import asyncio
import os
import signal
import sys

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot.health import HealthServer
from bot.runner import safe_url
from storage import migrate
from storage.db import create_engine
from storage.models import Role
from tests.support.cluster import ROOT, SECRET, BotProcess, free_port
from tests.support.harness import BOT_USERNAME, TOKEN


async def _get(url: str) -> tuple[int, str]:
    async with aiohttp.ClientSession() as client, client.get(url) as response:
        return response.status, await response.text()


@pytest.fixture
async def health(engine):
    server = HealthServer(engine, port=0)
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


async def test_live_and_ready_on_a_current_database(health):
    assert await _get(f"{health.url}/healthz") == (200, "ok\n")
    assert await _get(f"{health.url}/readyz") == (200, "ready\n")


async def test_not_ready_while_the_schema_is_behind(health, engine):
    await migrate.downgrade(engine, "-1")
    status, body = await _get(f"{health.url}/readyz")
    assert status == 503
    assert body.startswith("not ready: schema at ") and migrate.head_revision() in body
    assert (await _get(f"{health.url}/healthz"))[0] == 200  # alive all the same


async def test_not_ready_when_the_database_is_unreachable():
    engine = create_engine("postgresql+asyncpg://nobody:secret@127.0.0.1:1/none")
    server = HealthServer(engine, port=0)
    await server.start()
    try:
        status, body = await _get(f"{server.url}/readyz")
    finally:
        await server.stop()
        await engine.dispose()
    assert status == 503 and body.startswith("not ready: database unreachable")
    assert "secret" not in body


def _sample(text: str, name: str, **labels: str) -> float:
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items()):
                return float(sample.value)
    return 0.0


async def test_metrics_count_updates_by_kind_and_their_latency(bot):
    server = HealthServer(bot.engine, port=0)
    await server.start()
    try:
        before = (await _get(f"{server.url}/metrics"))[1]
        pia = await bot.member("Pia", Role.PROVIDER, team="nord-a")
        await pia.send("/help")
        await pia.reply()
        await pia.send("hallo")
        await pia.reply()
        status, after = await _get(f"{server.url}/metrics")
    finally:
        await server.stop()
    assert status == 200
    for kind in ("command", "message"):
        grown = (_sample(after, "sozialraum_updates_total", kind=kind)
                 - _sample(before, "sozialraum_updates_total", kind=kind))
        assert grown == 1, kind
    assert (_sample(after, "sozialraum_update_duration_seconds_count")
            - _sample(before, "sozialraum_update_duration_seconds_count")) == 2
    for name in ("sozialraum_reminders_sent_total", "sozialraum_digests_pending",
                 "sozialraum_update_errors_total", "sozialraum_scheduler_leader"):
        assert name in after


def test_the_start_up_line_never_shows_the_database_password():
    shown = safe_url("postgresql+asyncpg://bot:geheim@db.example.org/sozialraum")
    assert "geheim" not in shown and "bot:***@db.example.org/sozialraum" in shown


async def test_run_in_polling_mode_serves_health_and_stops_on_sigterm(simulator, tmp_path):
    health_port = free_port()
    database = tmp_path / "bot.db"
    bot = BotProcess("bot", {
        "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_BOT_USERNAME": BOT_USERNAME,
        "TELEGRAM_API_BASE_URL": simulator.base_url,
        "DATABASE_URL": f"sqlite+aiosqlite:///{database}", "HEALTH_PORT": str(health_port),
    }, cwd=tmp_path)
    await bot.start()
    try:
        started = await bot.wait_for_message("sozialraum-bot running as")
        line = started["message"]
        assert "in polling mode" in line
        assert f"database sqlite+aiosqlite:///{database}" in line
        assert f"Bot API {simulator.base_url}" in line
        assert "organisation " in line and "norderstedt.yaml" in line
        assert f"health http://127.0.0.1:{health_port}/healthz" in line
        base = f"http://127.0.0.1:{health_port}"
        assert await _get(f"{base}/healthz") == (200, "ok\n")
        assert await _get(f"{base}/readyz") == (200, "ready\n")
        assert "sozialraum_updates_total" in (await _get(f"{base}/metrics"))[1]
        # The command menu is published by the bot itself at start-up.
        assert [c["command"] for c in simulator.commands_for()] == ["start", "help"]
        assert [c["command"] for c in simulator.commands_for(language_code="en")] == [
            "start", "help"]
        assert bot.process is not None
        bot.process.send_signal(signal.SIGTERM)
        assert await bot.stop() == 0
        assert "stopping" in bot.messages()
    finally:
        await bot.stop()


async def test_run_in_webhook_mode_serves_health_on_its_own_port(simulator, tmp_path):
    health_port, webhook_port = free_port(), free_port()
    bot = BotProcess("bot", {
        "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_BOT_USERNAME": BOT_USERNAME,
        "TELEGRAM_API_BASE_URL": simulator.base_url,
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/bot.db",
        "WEBHOOK_URL": "https://bot.example.org", "WEBHOOK_SECRET": SECRET,
        "WEBHOOK_PORT": str(webhook_port), "HEALTH_PORT": str(health_port),
    }, cwd=tmp_path)
    await bot.start()
    try:
        line = (await bot.wait_for_message("sozialraum-bot running as"))["message"]
        assert "in webhook mode" in line
        assert f"health http://127.0.0.1:{health_port}/healthz" in line
        base = f"http://127.0.0.1:{health_port}"
        assert await _get(f"{base}/healthz") == (200, "ok\n")
        assert await _get(f"{base}/readyz") == (200, "ready\n")
        assert "sozialraum_updates_total" in (await _get(f"{base}/metrics"))[1]
        # The webhook server is another port, and answers only Telegram (the secret).
        async with aiohttp.ClientSession() as client:
            async with client.post(f"http://127.0.0.1:{webhook_port}/telegram",
                                   json={"update_id": 1}) as refused:
                assert refused.status == 403
            async with client.get(f"http://127.0.0.1:{webhook_port}/healthz") as absent:
                assert absent.status in (404, 405)
        assert bot.process is not None
        bot.process.send_signal(signal.SIGTERM)
        assert await bot.stop() == 0
    finally:
        await bot.stop()


async def test_a_busy_health_port_is_one_clear_line(simulator, tmp_path):
    with_port = free_port()
    blocker = await asyncio.start_server(lambda r, w: None, "127.0.0.1", with_port)
    try:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", cwd=tmp_path,
            env={**{k: v for k, v in os.environ.items() if not k.startswith("TELEGRAM_")},
                 "PYTHONPATH": str(ROOT), "TELEGRAM_BOT_TOKEN": TOKEN,
                 "TELEGRAM_BOT_USERNAME": BOT_USERNAME,
                 "TELEGRAM_API_BASE_URL": simulator.base_url,
                 "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/bot.db",
                 "HEALTH_PORT": str(with_port)},
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        _, stderr = await asyncio.wait_for(process.communicate(), 60)
    finally:
        blocker.close()
        await blocker.wait_closed()
    assert process.returncode == 2
    last = stderr.decode().strip().splitlines()[-1]
    assert last == f"sozialraum-bot: HEALTH_PORT: cannot listen on 127.0.0.1:{with_port} " \
                   "(Address already in use)"
    assert "Traceback" not in stderr.decode()
