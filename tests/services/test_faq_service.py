"""FAQ rules on the real database: who receives a question, once-only steps, entries written
in the chat surviving a restart and a reload."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.errors import Conflict, InvalidInput, NotAllowed
from bot.services import access
from bot.services.faq import questions
from bot.services.faq.catalog import FaqCatalog
from bot.services.faq.ranking import Verdict
from bot.settings import DEFAULT_FAQ_DIR
from storage.models import Role, User


async def _user(session, clock, name, role, *, team=None, region=None, locale="de") -> User:
    new = await access.create_invitation(session, role=role, now=clock.now(),
                                         ttl=timedelta(days=1), team_key=team, region_key=region)
    registration = await access.register(session, telegram_id=hash(name) % 10**9,
                                         display_name=name, locale=locale, code=new.code,
                                         now=clock.now())
    return registration.user


async def test_questions_go_to_the_askers_leads_else_to_the_admins(session, clock):
    pia = await _user(session, clock, "Pia", Role.PROVIDER, team="nord-a")
    sam = await _user(session, clock, "Sam", Role.PROVIDER, team="sued-b")
    lea = await _user(session, clock, "Lea", Role.LEAD, region="nord")
    ada = await _user(session, clock, "Ada", Role.ADMIN)
    assert [u.id for u in await questions.coordinators(session, pia)] == [lea.id]
    assert [u.id for u in await questions.coordinators(session, sam)] == [ada.id]  # no lead
    assert [u.id for u in await questions.coordinators(session, lea)] == [ada.id]


async def test_each_step_happens_once_and_only_for_the_right_people(session, clock):
    catalog = FaqCatalog(DEFAULT_FAQ_DIR)
    pia = await _user(session, clock, "Pia", Role.PROVIDER, team="nord-a")
    paul = await _user(session, clock, "Paul", Role.PROVIDER, team="nord-a")
    lea = await _user(session, clock, "Lea", Role.LEAD, region="nord")
    sven = await _user(session, clock, "Sven", Role.LEAD, region="sued")
    now = clock.now()

    asked = await questions.ask(session, catalog, user=pia, text="Gibt es Parkplätze am Rathaus?",
                                now=now)
    assert asked.decision.verdict == Verdict.NONE and asked.question is not None
    question_id = asked.question.id
    with pytest.raises(NotAllowed):
        await questions.forward(session, user=paul, question_id=question_id, now=now)
    _, recipients = await questions.forward(session, user=pia, question_id=question_id, now=now)
    assert [u.id for u in recipients] == [lea.id]
    with pytest.raises(Conflict):
        await questions.forward(session, user=pia, question_id=question_id, now=now)
    with pytest.raises(NotAllowed):
        await questions.answer(session, user=sven, question_id=question_id, text="Ja.", now=now)
    with pytest.raises(InvalidInput):  # a lead's answer is checked for personal data too
        await questions.answer(session, user=lea, question_id=question_id,
                               text="Fragen Sie Frau Schulz unter 040 1234567.", now=now)
    await questions.answer(session, user=lea, question_id=question_id,
                           text="Ja, hinter dem Rathaus.", now=now)
    with pytest.raises(Conflict):
        await questions.answer(session, user=lea, question_id=question_id, text="Nein.", now=now)
    entry = await questions.promote(session, user=lea, question_id=question_id, now=now)
    assert entry.key == f"chat-{question_id}" and entry.locale == "de"
    with pytest.raises(Conflict):
        await questions.promote(session, user=lea, question_id=question_id, now=now)


async def test_rating_counts_once_per_user_and_entry(session, clock):
    catalog = FaqCatalog(DEFAULT_FAQ_DIR)
    pia = await _user(session, clock, "Pia", Role.PROVIDER, team="nord-a")
    first = await questions.ask(session, catalog, user=pia,
                                text="Wer entscheidet über FuA-Anträge?", now=clock.now())
    second = await questions.ask(session, catalog, user=pia, text="Wer genehmigt FuA-Anträge?",
                                 now=clock.now())
    assert first.question and second.question
    assert first.question.entry_key == second.question.entry_key == "fua-budget-decision"
    assert await questions.rate(session, user=pia, question_id=first.question.id, helpful=False,
                                now=clock.now())
    assert not await questions.rate(session, user=pia, question_id=second.question.id,
                                    helpful=True, now=clock.now())
    stats = await questions.stats(session, user=await _user(session, clock, "Ada", Role.ADMIN))
    assert [(r.entry_key, r.helpful, r.unhelpful) for r in stats.badly_rated] == [
        ("fua-budget-decision", 0, 1)]
    assert stats.most_asked == [("fua-budget-decision", 2)]


async def test_entries_from_the_chat_survive_a_restart_and_a_reload(sessions, clock):
    async with sessions() as session:
        catalog = FaqCatalog(DEFAULT_FAQ_DIR)
        pia = await _user(session, clock, "Pia", Role.PROVIDER, team="nord-a")
        lea = await _user(session, clock, "Lea", Role.LEAD, region="nord")
        ada = await _user(session, clock, "Ada", Role.ADMIN)
        asked = await questions.ask(session, catalog, user=pia,
                                    text="Wo bekomme ich einen Schlüssel für den Besprechungsraum?",
                                    now=clock.now())
        assert asked.question is not None
        await questions.forward(session, user=pia, question_id=asked.question.id, now=clock.now())
        await questions.answer(session, user=lea, question_id=asked.question.id,
                               text="Beim Empfang im Erdgeschoss.", now=clock.now())
        await catalog.add(await questions.promote(session, user=lea,
                                                  question_id=asked.question.id, now=clock.now()))
        await session.commit()
        assert catalog.ask("Schlüssel Besprechungsraum", "de").verdict == Verdict.CONFIDENT

    async with sessions() as session:
        restarted = FaqCatalog(DEFAULT_FAQ_DIR)
        again = await questions.ask(session, restarted, user=pia,
                                    text="schlüssel für den besprechungsraum?", now=clock.now())
        assert again.decision.verdict == Verdict.CONFIDENT
        found = restarted.entry(again.decision.matches[0].key, "en")
        assert found is not None and found[1] == "de"  # exists in German only
        await questions.reload(session, restarted, user=ada, now=clock.now())
        assert restarted.chat_entry_count == 1
        assert restarted.ask("Schlüssel Besprechungsraum", "de").verdict == Verdict.CONFIDENT
