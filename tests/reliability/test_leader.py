"""Scheduled work runs on exactly one instance: the holder of the advisory lock.

These drive the election directly (``check()`` is what the timer calls), so the hand-over
is observed step by step without waiting for any interval.
"""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

import pytest
from sqlalchemy import text

from bot.leader import BOT_DATA_KEY, LeaderElection, leader_only, run_leader_jobs
from tests.conftest import PG_URL

on_postgres = pytest.mark.parametrize(
    "engine",
    [pytest.param("postgres", marks=pytest.mark.skipif(
        not PG_URL, reason="the leader lock is PostgreSQL's (set TEST_DATABASE_URL)"))],
    indirect=True,
)


def _instance(election: LeaderElection) -> SimpleNamespace:
    """What a job callback sees of its application: bot_data with the election."""
    application = SimpleNamespace(bot_data={BOT_DATA_KEY: election})
    return SimpleNamespace(application=application, job=SimpleNamespace(name="test-job"))


def _counting_job(runs: list[str], name: str):
    @leader_only
    async def job(context) -> None:
        runs.append(name)

    return job


@pytest.fixture
async def elections(engine):
    made: list[LeaderElection] = []

    def make(**kwargs) -> LeaderElection:
        election = LeaderElection(engine, check_seconds=60, **kwargs)
        made.append(election)
        return election

    yield make
    for election in made:
        await election.stop()


@on_postgres
async def test_one_of_two_instances_leads_and_only_it_runs_the_job(elections):
    first, second = elections(), elections()
    await first.start()
    await second.start()
    assert (first.is_leader, second.is_leader) == (True, False)
    assert await second.check() is False  # the lock stays taken
    runs: list[str] = []
    await _counting_job(runs, "first")(_instance(first))
    await _counting_job(runs, "second")(_instance(second))
    assert runs == ["first"]


@on_postgres
async def test_the_other_takes_over_when_the_leader_stops_and_catches_up(elections):
    takeovers: list[str] = []
    first = elections()
    second = elections(on_takeover=lambda: takeovers.append("second"))
    await first.start()
    await second.start()
    await first.stop()
    assert await second.check() is True
    assert takeovers == ["second"]
    assert not first.is_leader


@on_postgres
async def test_a_leader_that_lost_its_connection_steps_down(elections, engine):
    first, second = elections(), elections()
    await first.start()
    await second.start()
    assert first._connection is not None
    pid = await first._connection.scalar(text("SELECT pg_backend_pid()"))
    async with engine.connect() as admin:
        await admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        await admin.commit()
    # Before running anything the leader confirms its lock: the connection is gone, so no.
    runs: list[str] = []
    await _counting_job(runs, "first")(_instance(first))
    assert runs == [] and first.is_leader is False
    assert await second.check() is True
    await _counting_job(runs, "second")(_instance(second))
    assert runs == ["second"]


@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)
async def test_on_sqlite_the_single_instance_always_leads(elections):
    election = elections()
    await election.start()
    runs: list[str] = []
    await _counting_job(runs, "only")(_instance(election))
    assert election.is_leader and runs == ["only"]


async def test_after_a_takeover_the_leader_jobs_run_at_once(bot):
    ran: list[str] = []

    @leader_only
    async def reminders(context) -> None:
        ran.append(context.job.name)

    async def not_for_leaders(context) -> None:
        ran.append("plain")

    assert bot.app.job_queue is not None
    bot.app.job_queue.run_repeating(reminders, interval=3600, first=3600, name="reminders")
    bot.app.job_queue.run_repeating(not_for_leaders, interval=3600, first=3600, name="plain")
    started = run_leader_jobs(bot.app)
    names = sorted(task.get_name() for task in started)
    assert names == ["takeover:maintenance", "takeover:reminders", "takeover:retention",
                     "takeover:scheduler"]
    await asyncio.gather(*started)
    assert ran == ["reminders"]
