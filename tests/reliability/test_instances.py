"""Several instances on one database behind a load balancer, in webhook mode.

Two kinds of proof:

* in this process (SQLite and PostgreSQL): two bot Applications, each with its own webhook
  server, behind a round-robin balancer; every step of a dialogue goes to the other
  instance than the step before;
* as separate processes (PostgreSQL only, which is what several instances need):
  ``sozialraum-bot run`` twice, started at the same moment against a fresh database. Only
  separate processes can show that a killed leader (SIGKILL: no clean-up) hands the
  scheduled work over, because only then does PostgreSQL see the connection die.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from bot.clock import FrozenClock
from bot.services.budget import requests as budget_requests
from bot.services.budget.requests import Draft as BudgetDraft
from bot.simulator import BotApiSimulator
from storage.db import create_engine, create_session_factory
from storage.models import (
    AuditEntry,
    BudgetRequest,
    DialogueState,
    DialogueUserData,
    HourEntry,
    Role,
    User,
)
from storage.repositories.users import OrgRepository
from tests.conftest import PG_URL, _pg_async_url
from tests.support.chat import _send_request
from tests.support.cluster import (
    SECRET,
    BotProcess,
    ClusterHarness,
    ProcessUsers,
    RoundRobin,
    free_port,
)
from tests.support.harness import BOT_USERNAME, TOKEN
from tests.support.scratch_db import scratch_databases

HOURS_STEPS = [("send", "/hours"), ("tap", "Fallunabhängige Arbeit (FuA)"), ("send", "1:30"),
               ("tap", "Gestern"), ("send", "Vorbereitung Ideenbörse"), ("tap", "💾 Speichern")]


async def _count(sessions, model, *where) -> int:
    async with sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(model).where(*where)))


def _alternate(instances: list[int]) -> bool:
    """Every step went to another instance than the step before."""
    return len(instances) > 1 and all(a != b for a, b in itertools.pairwise(instances))


async def _play_hours(user) -> list[int]:
    """The /hours dialogue step by step; returns the update ids of the steps."""
    update_ids = []
    for action, value in HOURS_STEPS:
        await (user.send(value) if action == "send" else user.tap(value))
        update_ids.append(user.sim.sim.last_update_for(user.telegram_id)["update_id"])
        await user.reply()
    return update_ids


# -- in this process, both databases -----------------------------------------------------------


@pytest.fixture
async def cluster(engine, clock, simulator):
    harness = ClusterHarness(engine, clock, simulator, size=2)
    await harness.start()
    try:
        yield harness
    finally:
        await harness.stop()


async def test_a_dialogue_alternating_between_instances_saves_one_entry(cluster):
    pia = await cluster.member("Pia", Role.PROVIDER, team="nord-a")
    update_ids = await _play_hours(pia)
    assert "✅ Gespeichert: 1,5 Std. FuA" in pia.last.text
    assert cluster.balancer is not None
    instances = cluster.balancer.instances_of(update_ids)
    assert _alternate(instances), instances
    assert await _count(cluster.sessions, HourEntry) == 1
    # The finished dialogue leaves nothing behind: no state, no draft with the note.
    assert await _count(cluster.sessions, DialogueState) == 0
    assert await _count(cluster.sessions, DialogueUserData) == 0


async def test_a_budget_request_dialogue_alternating_between_instances(cluster):
    pia = await cluster.member("Pia", Role.PROVIDER, team="nord-a")
    lea = await cluster.member("Lea", Role.LEAD, region="nord")
    sent = await _send_request(pia)  # /budget, New request, 4 typed answers, Send
    assert "FuA-2026-001" in sent.text
    assert "1.250,50" in (await lea.reply()).text
    assert cluster.balancer is not None
    assert _alternate([index for _, index in cluster.balancer.routed])
    assert await _count(cluster.sessions, BudgetRequest) == 1


async def test_the_draft_lives_in_the_database_between_steps(cluster):
    pia = await cluster.member("Pia", Role.PROVIDER, team="nord-a")
    await pia.send("/hours 2 fua heute Material")
    await pia.reply()
    async with cluster.sessions() as session:
        state = await session.scalar(select(DialogueState.state).where(
            DialogueState.name == "hours"))
        draft = await session.scalar(select(DialogueUserData.data).where(
            DialogueUserData.telegram_user_id == pia.telegram_id))
    assert state == 5  # CONFIRM
    assert draft["hours_draft"]["value"]["minutes"] == 120
    await pia.tap("💾 Speichern")
    assert "Gespeichert" in (await pia.reply()).text


async def test_an_update_delivered_to_both_instances_is_processed_once(cluster):
    pia = await cluster.member("Pia", Role.PROVIDER, team="nord-a")
    update_ids = await _play_hours(pia)
    save = cluster.sim.last_update_for(pia.telegram_id)
    assert save["update_id"] == update_ids[-1]
    other = 1 - cluster.balancer.instances_of([save["update_id"]])[0]
    cluster._done.pop(save["update_id"])  # wait for the redelivery's own handling
    assert await cluster.balancer.post_to(other, json.dumps(save).encode()) == 200
    await cluster.processed(save["update_id"])
    assert await _count(cluster.sessions, HourEntry) == 1


async def test_the_webhook_refuses_requests_without_the_secret(cluster):
    pia = await cluster.member("Pia", Role.PROVIDER, team="nord-a")
    await pia.send("/help")
    await pia.reply()
    update = cluster.sim.last_update_for(pia.telegram_id)
    body = json.dumps({**update, "update_id": update["update_id"] + 1000}).encode()
    assert await cluster.balancer.post_to(0, body, secret=None) == 403
    assert await cluster.balancer.post_to(0, body, secret="wrong") == 403


# -- separate processes, PostgreSQL ---------------------------------------------------------------

needs_pg = pytest.mark.skipif(not PG_URL, reason="several instances need PostgreSQL "
                                                   "(set TEST_DATABASE_URL)")


@pytest.fixture
async def pg_database():
    """A database of its own: the processes connect with a plain URL (no test schema)."""
    async with scratch_databases(1) as (url,):
        yield url


class ProcessCluster:
    def __init__(self, url: str, sim: BotApiSimulator, tmp_path) -> None:
        self.url = url
        self.sim = sim
        ports = [free_port() for _ in range(2)]
        self.balancer = RoundRobin([f"http://127.0.0.1:{port}/telegram" for port in ports])
        self.health_ports = [free_port() for _ in range(2)]
        self.ports = ports
        self.tmp_path = tmp_path
        self.bots: list[BotProcess] = []
        self.engine = create_engine(_pg_async_url(url))
        self.sessions = create_session_factory(self.engine)
        self.users = ProcessUsers(self.engine, FrozenClock(datetime.now(UTC)), sim)

    async def start(self) -> None:
        await self.balancer.start()
        for index, port in enumerate(self.ports):
            self.bots.append(BotProcess(f"bot-{index}", {
                "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_BOT_USERNAME": BOT_USERNAME,
                "TELEGRAM_API_BASE_URL": self.sim.base_url, "DATABASE_URL": self.url,
                "WEBHOOK_URL": self.balancer.url, "WEBHOOK_SECRET": SECRET,
                "WEBHOOK_PORT": str(port), "HEALTH_PORT": str(self.health_ports[index]),
                "LEADER_CHECK_SECONDS": "0.5", "LOG_LEVEL": "INFO",
                # The processes run on the wall clock: in the evening quiet hours would hold
                # back the escalation that the takeover test waits for.
                "QUIET_HOURS": "off",
            }, cwd=self.tmp_path))
        # Both at once: the second must wait for the first one's migration, not collide.
        await asyncio.gather(*(bot.start() for bot in self.bots))
        await asyncio.gather(*(bot.wait_for_message("sozialraum-bot running as")
                               for bot in self.bots))

    async def stop(self) -> None:
        for bot in self.bots:
            await bot.stop()
        await self.balancer.stop()
        await self.engine.dispose()

    async def leader(self) -> tuple[BotProcess, BotProcess]:
        """(leader, follower), as the leader announced itself in its log."""
        waits = {asyncio.ensure_future(bot.wait_for_message("now runs the scheduled work")): bot
                 for bot in self.bots}
        done, pending = await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED,
                                           timeout=20)
        for task in pending:
            task.cancel()
        assert done, "no instance became the leader"
        leader = waits[next(iter(done))]
        follower = next(bot for bot in self.bots if bot is not leader)
        return leader, follower


@pytest.fixture
async def processes(pg_database, tmp_path):
    sim = BotApiSimulator()
    sim.add_bot(token=TOKEN, username=BOT_USERNAME, first_name="Sozialraum")
    await sim.start()
    cluster = ProcessCluster(pg_database, sim, tmp_path)
    try:
        await cluster.start()
        yield cluster
    finally:
        await cluster.stop()
        await sim.stop()


@needs_pg
async def test_two_processes_share_a_dialogue_and_a_redelivered_update(processes):
    pia = await processes.users.member("Pia", Role.PROVIDER, team="nord-a")
    update_ids = await _play_hours(pia)
    assert "✅ Gespeichert: 1,5 Std. FuA" in pia.last.text
    instances = processes.balancer.instances_of(update_ids)
    assert _alternate(instances), instances
    assert await _count(processes.sessions, HourEntry) == 1

    # Telegram delivers the Save again, this time to the other instance: nothing changes.
    save = processes.sim.last_update_for(pia.telegram_id)
    other = processes.bots[1 - instances[-1]]
    assert await processes.balancer.post_to(1 - instances[-1], json.dumps(save).encode()) == 200
    await other.wait_for(lambda r: r.get("update_id") == save["update_id"]
                         and "already processed" in r.get("message", ""))
    assert await _count(processes.sessions, HourEntry) == 1
    assert all("Vorbereitung" not in line for bot in processes.bots for line in bot.messages())


@needs_pg
async def test_killing_the_leader_moves_the_scheduled_work_to_the_other(processes):
    leader, follower = await processes.leader()
    lea = await processes.users.member("Lea", Role.LEAD, region="nord")
    pia = await processes.users.member("Pia", Role.PROVIDER, team="nord-a")
    number = await _overdue_request(processes.sessions, pia.user_id)

    started = time.monotonic()
    leader.kill()
    await follower.wait_for_message("now runs the scheduled work", timeout=15)
    takeover = time.monotonic() - started
    assert takeover < 10, f"takeover took {takeover:.1f}s"

    # The new leader runs the escalation at once; the lead is reminded exactly once.
    reminder = await lea.reply(timeout=15)
    assert "Erinnerung" in reminder.text and number in reminder.text
    # Raised once (one audit entry); the killed leader had sent nothing before it died.
    assert await _count(processes.sessions, AuditEntry,
                        AuditEntry.action == "budget_request.escalated") == 1
    assert [m.text for m in lea.sim.messages if "Erinnerung" in m.text] == [reminder.text]
    await follower.wait_for_message("running scheduler now, after taking over")


async def _overdue_request(sessions, requester_id: int) -> str:
    """A FuA request filed four days ago and not decided since."""
    filed = datetime.now(UTC) - timedelta(days=4)
    today = filed.date()
    async with sessions() as session, session.begin():
        user = await session.get(User, requester_id)
        team = await OrgRepository(session).team_by_key("nord-a")
        assert user is not None and team is not None
        request = await budget_requests.create_request(
            session, user=user, draft=BudgetDraft(team.id, 10_000, "Stadtteilfest",
                                                  "Material", today + timedelta(days=20)),
            now=filed, today=today)
        return request.number
