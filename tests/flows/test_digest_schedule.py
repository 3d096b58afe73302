"""Digests go out on each lead's own schedule, through the scheduler's entry point, once each;
a run interrupted in the middle is resumed by the next without doubling or skipping."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import select
from telegram.error import NetworkError

import handlers.digest
from bot import metrics
from bot.services.reminders import scheduler as reminder_scheduler
from storage.models import AuditEntry, Delivery, Role, User
from tests.support.chat import BERLIN, PNG, berlin, digests, run_at


class Crash(BaseException):
    """The process dies here (not an error the scheduler could catch and log)."""


def dies_at(call: int, function):
    """``function``, except that the process dies at its ``call``-th call."""
    calls = 0

    async def wrapped(*args, **kwargs):
        nonlocal calls
        calls += 1
        if calls == call:
            raise Crash
        return await function(*args, **kwargs)

    return wrapped


async def test_each_lead_gets_the_digest_on_their_own_schedule(bot):
    lena = await bot.member("Lena", Role.LEAD, region="nord")  # office default: Monday 08:00
    leo = await bot.member("Leo", Role.LEAD, region="sued", locale="en")
    ada = await bot.member("Ada", Role.ADMIN)
    otto = await bot.member("Otto", Role.LEAD, region="nord")
    await leo.send("/digest every day 7:30")
    assert "Monday to Friday at 07:30" in (await leo.reply()).text
    await ada.send("/digest jeden Freitag 14:00")
    assert "wöchentlich am Freitag um 14:00 Uhr" in (await ada.reply()).text
    await otto.send("/digest aus")
    assert "Zeitplan: aus" in (await otto.reply()).text

    received: dict[str, list[str]] = {"lena": [], "leo": [], "ada": [], "otto": []}
    moments = [berlin(11, 25, 7, 29), berlin(11, 25, 7, 30), berlin(11, 26, 7, 30),
               berlin(11, 27, 7, 30), berlin(11, 27, 13, 59), berlin(11, 27, 14, 0),
               berlin(11, 28, 7, 30), berlin(11, 29, 7, 30), berlin(11, 30, 7, 30),
               berlin(11, 30, 7, 59), berlin(11, 30, 8, 0), berlin(11, 30, 8, 1)]
    for moment in moments:
        before = {name: len(digests(user)) for name, user in
                  (("lena", lena), ("leo", leo), ("ada", ada), ("otto", otto))}
        await run_at(bot, moment)
        for name, user in (("lena", lena), ("leo", leo), ("ada", ada), ("otto", otto)):
            if len(digests(user)) > before[name]:
                received[name].append(moment.strftime("%a %H:%M"))
    assert received == {
        "leo": ["Wed 07:30", "Thu 07:30", "Fri 07:30", "Mon 07:30"],
        "ada": ["Fri 14:00"],
        "lena": ["Mon 08:00"],
        "otto": [],
    }
    assert digests(leo)[0].text.startswith("📊 Digest – Region Süd")
    assert digests(lena)[0].text.startswith("📊 Überblick – Region Nord")
    assert digests(lena)[0].photo.data.startswith(PNG)
    assert digests(ada)[0].text.startswith("📊 Überblick – alle Regionen")


async def test_a_schedule_change_never_sends_a_digest_at_once(bot):
    lena = await bot.member("Lena", Role.LEAD, region="nord")
    bot.clock.set(berlin(11, 30, 9, 0))  # Monday, after the default 08:00
    await lena.send("/digest täglich 8:30")
    await lena.reply()
    assert await run_at(bot, berlin(11, 30, 9, 1)) == {}
    assert (await run_at(bot, berlin(12, 1, 8, 30)))["digest"] == 1


async def test_after_downtime_only_the_newest_digest_is_sent(bot):
    leo = await bot.member("Leo", Role.LEAD, region="sued")
    await leo.send("/digest täglich 7:00")
    await leo.reply()
    await run_at(bot, berlin(11, 24, 12, 0))
    report = await run_at(bot, berlin(11, 26, 9, 0))  # down since Tuesday noon
    assert report["digest"] == 1 and report["missed"] == 1
    assert len(digests(leo)) == 1
    async with bot.sessions() as session:
        rows = (await session.scalars(select(Delivery).where(Delivery.kind == "digest")
                                      .order_by(Delivery.due_at))).all()
    assert [(r.due_at.astimezone(BERLIN).day, r.status) for r in rows] == [
        (25, "missed"), (26, "sent")]


async def _four_recipients(bot):
    return [await bot.member("Lena", Role.LEAD, region="nord"),
            await bot.member("Lars", Role.LEAD, region="nord"),
            await bot.member("Leo", Role.LEAD, region="sued"),
            await bot.member("Ada", Role.ADMIN)]


async def test_a_run_that_dies_while_preparing_is_resumed_without_doubles_or_gaps(
        bot, monkeypatch):
    people = await _four_recipients(bot)
    prepare = handlers.digest.prepare
    monkeypatch.setattr(handlers.digest, "prepare", dies_at(3, prepare))
    with pytest.raises(Crash):
        await run_at(bot, berlin(11, 30, 8, 0))
    assert [len(digests(p)) for p in people] == [1, 1, 0, 0]
    assert metrics.DIGESTS_PENDING._value.get() == 2

    monkeypatch.setattr(handlers.digest, "prepare", prepare)
    report = await run_at(bot, berlin(11, 30, 8, 1))  # the next run, a minute later
    assert report["digest"] == 2
    assert [len(digests(p)) for p in people] == [1, 1, 1, 1]
    assert metrics.DIGESTS_PENDING._value.get() == 0
    assert await run_at(bot, berlin(11, 30, 8, 2)) == {}
    async with bot.sessions() as session:
        statuses = (await session.scalars(select(Delivery.status)
                                          .where(Delivery.kind == "digest"))).all()
        audited = (await session.scalars(select(AuditEntry.subject_id)
                                         .where(AuditEntry.action == "export.digest"))).all()
    assert statuses == ["sent"] * 4
    assert sorted(map(int, audited)) == sorted(p.user_id for p in people)


async def test_an_error_while_preparing_one_digest_leaves_it_for_the_next_run(
        bot, monkeypatch):
    people = await _four_recipients(bot)
    prepare = handlers.digest.prepare
    failing = {people[1].user_id}

    async def fails_for_lars(session, t, user, **kwargs):
        if user.id in failing:
            raise RuntimeError("database hiccup")
        return await prepare(session, t, user, **kwargs)

    monkeypatch.setattr(handlers.digest, "prepare", fails_for_lars)
    assert (await run_at(bot, berlin(11, 30, 8, 0)))["digest"] == 3
    assert [len(digests(p)) for p in people] == [1, 0, 1, 1]
    failing.clear()
    assert (await run_at(bot, berlin(11, 30, 8, 1)))["digest"] == 1
    assert [len(digests(p)) for p in people] == [1, 1, 1, 1]


async def _digest_ledger(bot) -> list[str]:
    async with bot.sessions() as session:
        return list((await session.scalars(select(Delivery.status)
                                           .where(Delivery.kind == "digest")
                                           .order_by(Delivery.user_id))).all())


async def test_a_run_that_dies_after_claiming_a_digest_sends_it_exactly_once_at_the_next_run(
        bot, monkeypatch):
    """The process dies after the second digest was claimed, before anything of it was sent:
    the next run takes the claim up and sends it; nobody gets a digest twice."""
    people = await _four_recipients(bot)
    sending = reminder_scheduler.sending
    monkeypatch.setattr(reminder_scheduler, "sending", dies_at(2, sending))
    with pytest.raises(Crash):
        await run_at(bot, berlin(11, 30, 8, 0))
    assert [len(digests(p)) for p in people] == [1, 0, 0, 0]
    assert await _digest_ledger(bot) == ["sent", "claimed"]
    monkeypatch.setattr(reminder_scheduler, "sending", sending)

    assert (await run_at(bot, berlin(11, 30, 8, 1)))["digest"] == 3
    assert [len(digests(p)) for p in people] == [1, 1, 1, 1]
    assert await run_at(bot, berlin(11, 30, 8, 2)) == {}
    assert await _digest_ledger(bot) == ["sent"] * 4
    async with bot.sessions() as session:
        audited = (await session.scalars(select(AuditEntry.subject_id)
                                         .where(AuditEntry.action == "export.digest"))).all()
    assert sorted(map(int, audited)) == sorted(p.user_id for p in people)


async def test_a_run_that_dies_in_the_middle_of_the_bot_api_call_never_sends_that_digest_twice(
        bot, monkeypatch):
    """Once a digest is marked ``sending`` it may have reached Telegram when the process
    dies: it is never sent again (``unknown``); all others are sent once."""
    people = await _four_recipients(bot)
    photo = handlers.digest._photo
    monkeypatch.setattr(handlers.digest, "_photo", dies_at(2, photo))
    with pytest.raises(Crash):
        await run_at(bot, berlin(11, 30, 8, 0))
    monkeypatch.setattr(handlers.digest, "_photo", photo)
    await run_at(bot, berlin(11, 30, 8, 1))
    assert [len(digests(p)) for p in people] == [1, 0, 1, 1]
    assert await _digest_ledger(bot) == ["sent", "unknown", "sent", "sent"]


async def test_a_digest_whose_later_part_fails_never_repeats_the_parts_that_arrived(
        bot, monkeypatch):
    """The chart went out, the text after it surely did not (no connection): the digest is
    recorded ``partial`` and not sent again, as the chart would arrive twice."""
    lena = await bot.member("Lena", Role.LEAD, region="nord")
    text = handlers.digest._text

    async def no_connection(the_bot, *, chat_id, text):
        error = NetworkError("connection refused")
        error.__cause__ = httpx.ConnectError("refused")
        raise error

    monkeypatch.setattr(handlers.digest, "_text", no_connection)
    assert (await run_at(bot, berlin(11, 30, 8, 0)))["digest"] == 0
    monkeypatch.setattr(handlers.digest, "_text", text)
    assert await run_at(bot, berlin(11, 30, 8, 1)) == {}
    assert len(digests(lena)) == 1
    assert [m for m in lena.sim.messages if m.photo is None] == []
    assert await _digest_ledger(bot) == ["partial"]
    async with bot.sessions() as session:  # what went out is audited
        assert await session.scalar(select(AuditEntry.subject_id).where(
            AuditEntry.action == "export.digest")) == str(lena.user_id)


async def test_people_who_are_no_longer_leads_get_no_digest(bot):
    lena = await bot.member("Lena", Role.LEAD, region="nord")
    pia = await bot.member("Pia", Role.PROVIDER, team="nord-a")
    async with bot.sessions() as session, session.begin():
        user = await session.get(User, lena.user_id)
        user.active = False
    await run_at(bot, berlin(11, 30, 8, 0))
    assert digests(lena) == [] and digests(pia) == []
