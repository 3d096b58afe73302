"""Which instance runs the scheduled work: the holder of a PostgreSQL advisory lock.

Every instance schedules the same JobQueue jobs; a job callback wrapped in
:func:`leader_only` does its work only on the leader::

    @leader_only
    async def _escalation_job(context): ...

The leader holds ``pg_try_advisory_lock`` on a connection of its own. PostgreSQL releases the
lock when that connection ends — the process died, was killed, or lost the network (TCP
keepalives on the connection bound how long that takes) — and another instance takes it at
its next check, every ``LEADER_CHECK_SECONDS``. An instance that takes over after another
runs the leader-only jobs once at once, so the work the old leader left does not wait a
whole interval. Before each run the leader confirms its connection is alive; if not, it
steps down rather than risk a second leader.

The lock decides who *usually* does the work; the work itself still claims what it sends in
the database (``claim_once``, sent flags), so even a run during a hand-over sends nothing twice.

On SQLite (one instance by design) the instance is always the leader.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from telegram.ext import Application, CallbackContext

from bot import metrics

log = logging.getLogger(__name__)

# Advisory lock (namespace, key); the key is per schema, so deployments (and test runs) that
# share a database in different schemas elect their leaders independently.
LOCK_NAMESPACE = 7_402_001
_TRY_LOCK = text("SELECT pg_try_advisory_lock(:ns, hashtext(current_schema()))")
_UNLOCK = text("SELECT pg_advisory_unlock(:ns, hashtext(current_schema()))")
# Let PostgreSQL notice a vanished leader within about 25 s even without a clean TCP close.
_KEEPALIVES = ("SET tcp_keepalives_idle = 10", "SET tcp_keepalives_interval = 5",
               "SET tcp_keepalives_count = 3")
BOT_DATA_KEY = "leader"

# A job's context: PTB's, or the application's subclass of it (handlers.context.BotContext).
JobContext = TypeVar("JobContext", bound=CallbackContext[Any, Any, Any, Any])
JobCallback = Callable[[JobContext], Coroutine[Any, Any, None]]


class LeaderElection:
    """Tries to become and stay the leader; ``is_leader`` says whether it is now."""

    def __init__(
        self,
        engine: AsyncEngine,
        *,
        check_seconds: float,
        on_takeover: Callable[[], object] | None = None,
    ) -> None:
        self._engine = engine
        self._check_seconds = check_seconds
        self._on_takeover = on_takeover
        self._single = engine.dialect.name != "postgresql"
        self.is_leader = self._single
        self._connection: AsyncConnection | None = None
        self._use = asyncio.Lock()  # one statement at a time on the lock connection
        self._stopped = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._tried = False

    async def start(self) -> None:
        if self._single:
            metrics.LEADER.set(1)
            return
        self._stopped.clear()
        if not await self.check():
            log.info("another instance runs the scheduled work; this one stands by")
        self._task = asyncio.create_task(self._run(), name="leader-election")

    async def stop(self) -> None:
        self._stopped.set()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        async with self._use:
            if self._connection is not None:
                with contextlib.suppress(Exception):
                    if self.is_leader:
                        await self._connection.execute(_UNLOCK, {"ns": LOCK_NAMESPACE})
                with contextlib.suppress(Exception):
                    await self._connection.close()
                self._connection = None
        if not self._single:
            self._set(False)

    async def _run(self) -> None:
        while not self._stopped.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopped.wait(), self._check_seconds)
            if not self._stopped.is_set():
                await self.check()

    async def check(self) -> bool:
        """Take the lock if it is free, or confirm it is still held; returns ``is_leader``."""
        if self._single:
            return True
        async with self._use:
            try:
                async with asyncio.timeout(max(5.0, self._check_seconds)):
                    connection = await self._connect()
                    if self.is_leader:
                        await connection.execute(text("SELECT 1"))
                    else:
                        got = await connection.scalar(_TRY_LOCK, {"ns": LOCK_NAMESPACE})
                        if got:
                            self._elected()
            except Exception as exc:  # a lost connection shows up in many shapes
                log.warning("scheduler lock connection failed (%s); not leading",
                            type(exc).__name__)
                await self._drop_connection()
                self._set(False)
        self._tried = True
        return self.is_leader

    async def confirm(self) -> bool:
        """True if this instance leads right now (re-checked on the lock connection)."""
        if not self.is_leader:
            return False
        return await self.check()

    async def _connect(self) -> AsyncConnection:
        if self._connection is None:
            connection = await self._engine.connect()
            connection = await connection.execution_options(isolation_level="AUTOCOMMIT")
            for statement in _KEEPALIVES:
                await connection.execute(text(statement))
            self._connection = connection
        return self._connection

    async def _drop_connection(self) -> None:
        if self._connection is not None:
            with contextlib.suppress(Exception):
                await self._connection.invalidate()
            with contextlib.suppress(Exception):
                await self._connection.close()
            self._connection = None

    def _elected(self) -> None:
        takeover = self._tried
        self._set(True)
        log.info("this instance now runs the scheduled work (leader)")
        if takeover and self._on_takeover is not None:
            self._on_takeover()

    def _set(self, leading: bool) -> None:
        if leading != self.is_leader:
            if not leading:
                log.info("this instance no longer runs the scheduled work")
            self.is_leader = leading
        metrics.LEADER.set(1 if leading else 0)


def election_of(application: Application[Any, Any, Any, Any, Any, Any]) -> LeaderElection:
    election: LeaderElection = application.bot_data[BOT_DATA_KEY]
    return election


async def am_leader(application: Application[Any, Any, Any, Any, Any, Any]) -> bool:
    """True if this instance should run scheduled work now."""
    return await election_of(application).confirm()


def leader_only(callback: JobCallback[JobContext]) -> JobCallback[JobContext]:
    """Wrap a JobQueue callback so it runs on the leader only (and is run on a takeover)."""

    @functools.wraps(callback)
    async def run_if_leader(context: JobContext) -> None:
        if not await am_leader(context.application):
            return
        job = context.job.name if context.job is not None else callback.__name__
        metrics.SCHEDULED_RUNS.labels(job=job or callback.__name__).inc()
        await callback(context)

    run_if_leader.leader_only = True  # type: ignore[attr-defined]
    return run_if_leader


def run_leader_jobs(
    application: Application[Any, Any, Any, Any, Any, Any],
) -> list[asyncio.Task[Any]]:
    """Start every leader-only job once now (after taking over from another instance)."""
    queue = application.job_queue
    tasks: list[asyncio.Task[Any]] = []
    for job in queue.jobs() if queue is not None else ():
        if getattr(job.callback, "leader_only", False):
            log.info("running %s now, after taking over", job.name)
            tasks.append(application.create_task(job.run(application),
                                                 name=f"takeover:{job.name}"))
    return tasks
