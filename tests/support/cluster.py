"""Several bot instances behind a load balancer, on loopback, for the multi-instance tests.

* :class:`RoundRobin` — a load balancer: the simulator delivers webhook updates to it, it
  forwards each to the next instance in turn (skipping one that does not answer, as a real
  balancer with health checks would) and remembers which instance got which update.
* :class:`ClusterHarness` — N bot Applications in webhook mode in this test process (both
  databases; the story-like :class:`tests.support.harness.TestUser` API works unchanged).
* :class:`BotProcess` — ``sozialraum-bot run`` as a separate process with JSON logs; tests
  wait on its log lines (events, not sleeps).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import os
import socket
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from bot.app import BotApplication, build_application
from bot.runner import start_updates
from tests.support.harness import BotHarness

ROOT = Path(__file__).resolve().parents[2]
SECRET = "cluster-secret"
Record = dict[str, Any]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class RoundRobin:
    """A loopback load balancer in front of the instances' webhook servers."""

    def __init__(self, targets: list[str]) -> None:
        self.targets = targets
        self.routed: list[tuple[int, int]] = []  # (update id, index of the instance)
        self._turn = itertools.cycle(range(len(targets)))
        self._runner: web.AppRunner | None = None
        self._client: aiohttp.ClientSession | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/{path:.*}", self._forward)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self.port = int(self._runner.addresses[0][1])
        self._client = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5))

    async def stop(self) -> None:
        if self._client is not None:
            await self._client.close()
        if self._runner is not None:
            await self._runner.cleanup()

    def instances_of(self, update_ids: list[int]) -> list[int]:
        where = dict(self.routed)
        return [where[u] for u in update_ids]

    async def post_to(self, index: int, body: bytes, secret: str | None = SECRET) -> int:
        """Deliver ``body`` to one instance directly (a redelivery); returns the status."""
        assert self._client is not None
        headers = {"Content-Type": "application/json"}
        if secret:
            headers["X-Telegram-Bot-Api-Secret-Token"] = secret
        async with self._client.post(self.targets[index], data=body, headers=headers) as resp:
            return resp.status

    async def _forward(self, request: web.Request) -> web.Response:
        assert self._client is not None
        body = await request.read()
        headers = {k: v for k, v in request.headers.items()
                   if k.lower() in ("content-type", "x-telegram-bot-api-secret-token")}
        for _ in self.targets:
            index = next(self._turn)
            try:
                async with self._client.post(self.targets[index], data=body,
                                             headers=headers) as response:
                    self.routed.append((json.loads(body)["update_id"], index))
                    return web.Response(status=response.status)
            except (aiohttp.ClientError, TimeoutError):
                continue  # that instance is down: the next one gets it
        return web.Response(status=502)


class ClusterHarness(BotHarness):
    """``size`` bot Applications in webhook mode on one database, behind :class:`RoundRobin`."""

    def __init__(self, *args: Any, size: int = 2) -> None:
        super().__init__(*args)
        self.size = size
        self.apps: list[BotApplication] = []
        self.balancer: RoundRobin | None = None

    async def start(self, **settings: Any) -> None:
        ports = [free_port() for _ in range(self.size)]
        self.balancer = RoundRobin([f"http://127.0.0.1:{port}/telegram" for port in ports])
        await self.balancer.start()
        for port in ports:
            config = self.settings(webhook_url=self.balancer.url, webhook_secret=SECRET,
                                   webhook_port=port, **settings)
            app = build_application(config, clock=self.clock, engine=self.engine)
            app.bot_data["state"].update_hooks.append(self._mark_done)
            await app.initialize()
            await app.start()
            await start_updates(app, config)
            self.apps.append(app)
        self.app = self.apps[0]

    async def stop(self) -> None:
        for app in self.apps:
            if app.updater is not None and app.updater.running:
                await app.updater.stop()
            if app.running:
                await app.stop()
            await app.shutdown()
        self.apps = []
        self.app = None
        if self.balancer is not None:
            await self.balancer.stop()


class ProcessUsers(BotHarness):
    """Creates members in a bot process's database; replies are awaited explicitly."""

    async def processed(self, update_id: int, timeout: float = 10.0) -> None:
        return None


class BotProcess:
    """``python -m bot run`` with JSON logs on stderr, read line by line as events."""

    def __init__(self, name: str, env: dict[str, str], cwd: Path) -> None:
        self.name = name
        self.env = env
        self.cwd = cwd
        self.records: list[Record] = []
        self._arrived = asyncio.Condition()
        self.process: asyncio.subprocess.Process | None = None
        self._reader: asyncio.Task[None] | None = None

    async def start(self) -> None:
        environment = {k: v for k, v in os.environ.items()
                       if not k.startswith(("TELEGRAM_", "DATABASE_", "WEBHOOK_", "HEALTH_"))}
        environment.update({"PYTHONPATH": str(ROOT), "LOG_FORMAT": "json", **self.env})
        self.process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", env=environment, cwd=self.cwd,
            stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        assert self.process is not None and self.process.stdout is not None
        async for raw in self.process.stdout:
            line = raw.decode(errors="replace").strip()
            try:
                record = json.loads(line)
            except ValueError:
                record = {"message": line, "level": "RAW"}
            async with self._arrived:
                self.records.append(record)
                self._arrived.notify_all()
        async with self._arrived:
            self.records.append({"message": "<exited>", "level": "EXIT"})
            self._arrived.notify_all()

    async def wait_for(self, predicate: Callable[[Record], bool], timeout: float = 20.0) -> Record:
        """The first log record (already seen or still to come) that satisfies ``predicate``."""
        async def find() -> Record:
            async with self._arrived:
                seen = 0
                while True:
                    for record in self.records[seen:]:
                        if predicate(record):
                            return record
                        if record.get("level") == "EXIT":
                            raise AssertionError(f"{self.name} exited:\n{self.transcript()}")
                    seen = len(self.records)
                    await self._arrived.wait()

        try:
            return await asyncio.wait_for(find(), timeout)
        except TimeoutError:
            raise AssertionError(
                f"{self.name}: no such log line within {timeout}s:\n{self.transcript()}"
            ) from None

    async def wait_for_message(self, fragment: str, timeout: float = 20.0) -> Record:
        return await self.wait_for(lambda r: fragment in str(r.get("message", "")), timeout)

    def messages(self) -> list[str]:
        return [str(r.get("message", "")) for r in self.records]

    def transcript(self) -> str:
        return "\n".join(json.dumps(r, ensure_ascii=False) for r in self.records[-40:])

    def kill(self) -> None:
        """SIGKILL: the process gets no chance to clean up (a crashed server)."""
        assert self.process is not None
        self.process.kill()

    async def stop(self) -> int | None:
        if self.process is None:
            return None
        if self.process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                self.process.terminate()
        try:
            code = await asyncio.wait_for(self.process.wait(), 15)
        except TimeoutError:
            self.process.kill()
            code = await self.process.wait()
        if self._reader is not None:
            await self._reader
        return code
