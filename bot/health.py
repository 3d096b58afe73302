"""A small HTTP server beside the bot: liveness, readiness and Prometheus metrics.

* ``/healthz`` — 200 while the bot is running (for a service manager or an orchestrator);
* ``/readyz``  — 200 when the database answers and its schema is at the newest migration,
  else 503 with the reason (a load balancer sends no traffic to an instance that is not ready);
* ``/metrics`` — the counters of :mod:`bot.metrics` in Prometheus' text format.

It listens on ``HEALTH_LISTEN:HEALTH_PORT`` (loopback by default) in polling and webhook mode.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from functools import lru_cache

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from storage import migrate

log = logging.getLogger(__name__)
READY_TIMEOUT_SECONDS = 3.0


@lru_cache(maxsize=1)
def _head() -> str | None:
    return migrate.head_revision()


class HealthServer:
    def __init__(
        self,
        engine: AsyncEngine,
        *,
        listen: str = "127.0.0.1",
        port: int = 8080,
        alive: Callable[[], bool] = lambda: True,
    ) -> None:
        self._engine = engine
        self._listen = listen
        self.port = port
        self._alive = alive
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/healthz", self._healthz)
        app.router.add_get("/readyz", self._readyz)
        app.router.add_get("/metrics", self._metrics)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, self._listen, self.port).start()
        self.port = int(self._runner.addresses[0][1])  # port 0 became a real one

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    @property
    def url(self) -> str:
        return f"http://{self._listen}:{self.port}"

    async def _healthz(self, _request: web.Request) -> web.Response:
        if not self._alive():
            return web.Response(status=503, text="stopped\n")
        return web.Response(text="ok\n")

    async def _readyz(self, _request: web.Request) -> web.Response:
        reason = await self.not_ready_reason()
        if reason is not None:
            return web.Response(status=503, text=f"not ready: {reason}\n")
        return web.Response(text="ready\n")

    async def not_ready_reason(self) -> str | None:
        """None when ready; else a short reason without secrets."""
        try:
            async with asyncio.timeout(READY_TIMEOUT_SECONDS):
                async with self._engine.connect() as connection:
                    await connection.execute(text("SELECT 1"))
                current = await migrate.current_revision(self._engine)
        except Exception as exc:  # any failure to reach the database means not ready
            log.warning("readiness check: database unreachable (%s)", type(exc).__name__)
            return f"database unreachable ({type(exc).__name__})"
        if current != _head():
            return f"schema at {current or 'none'}, newest is {_head()}"
        return None

    async def _metrics(self, _request: web.Request) -> web.Response:
        body = generate_latest(REGISTRY)
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})
