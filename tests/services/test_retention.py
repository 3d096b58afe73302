"""Retention with time travel on the real database: free text goes, figures stay."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from bot.services import access, audit, hours, retention, users
from bot.services.budget import allocation, deciders
from bot.services.budget import personal_data as budget_data
from bot.services.budget import requests as budget_requests
from bot.services.data_kind import DataKind
from bot.services.hours import Draft, HoursPolicy, Week
from bot.settings import Settings
from storage.models import (
    AuditEntry,
    BudgetQuestion,
    BudgetRequest,
    FaqChatEntry,
    FaqFeedback,
    FaqQuestion,
    HourEntry,
    Invitation,
    OneShot,
    ProcessedUpdate,
    Reminder,
    Role,
    User,
)
from storage.repositories.system import claim_once
from storage.repositories.users import OrgRepository
from tests.support.people import member, new_request

POLICY = HoursPolicy()
SETTINGS = Settings(_env_file=None, telegram_bot_token="1:x")  # type: ignore[call-arg]
PERIODS = retention.retention_periods(SETTINGS)


def _today(clock) -> date:
    return clock.now().date()


async def _log(session, clock, user, minutes=90, note="Vorbereitung Ideenbörse"):
    categories = {c.key: c.id for c in await hours.loggable_categories(session)}
    team = await OrgRepository(session).team_by_key("nord-a")
    return await hours.log_hours(
        session, user, Draft(categories["fua"], team.id, minutes, _today(clock), note),
        today=_today(clock), now=clock.now(), policy=POLICY)


async def _purge(session, clock) -> dict[str, int]:
    report = await retention.purge_due(session, clock.now(), PERIODS)
    await session.commit()
    assert report.failed == ()
    return report.counts


async def _week_totals(session, viewer, day: date) -> dict[str, int]:
    team = await OrgRepository(session).team_by_key("nord-a")
    progress = await hours.week_progress(session, viewer, team, Week.of(day), today=day,
                                         policy=POLICY)
    return {item.category.key: item.minutes for item in progress.categories}


async def test_notes_are_erased_after_a_year_and_the_minutes_stay(session, clock):
    pia = await member(session, clock, "Pia", Role.PROVIDER, team="nord-a")
    first = await _log(session, clock, pia)
    await session.commit()
    clock.advance(timedelta(days=200))
    second = await _log(session, clock, pia, minutes=60, note="Netzwerktreffen Kita")
    await session.commit()

    clock.advance(timedelta(days=165))  # the first note is 365 days old: not yet due
    assert (await _purge(session, clock))["hour_entries"] == 0
    clock.advance(timedelta(days=1))
    assert (await _purge(session, clock))["hour_entries"] == 1
    rows = (await session.execute(
        select(HourEntry.id, HourEntry.minutes, HourEntry.note).order_by(HourEntry.id)
    )).all()
    assert rows == [(first.id, 90, None), (second.id, 60, "Netzwerktreffen Kita")]
    assert (await _purge(session, clock))["hour_entries"] == 0  # nothing twice


async def test_budget_texts_of_closed_requests_expire_amounts_stay(session, clock):
    pia = await member(session, clock, "Pia", Role.PROVIDER, team="nord-a")
    lea = await member(session, clock, "Lea", Role.LEAD, region="nord")
    today = date(2026, 11, 24)
    done = await new_request(session, clock, pia, euros=500, day=date(2026, 12, 10))
    question = await budget_requests.ask(session, request_id=done.id, user=lea, now=clock.now(),
                                         today=today, text="Wie viele Gäste?")
    await budget_requests.answer(session, question_id=question.id, user=pia, now=clock.now(),
                                 text="Etwa 60")
    await budget_requests.approve(session, request_id=done.id, user=lea, now=clock.now(),
                                  today=today)
    await budget_requests.report_cost(session, request_id=done.id, user=pia, now=clock.now(),
                                      today=date(2026, 12, 10), actual_cents=40_000)
    open_one = await new_request(session, clock, pia, euros=300, day=date(2027, 3, 1))
    await session.commit()
    nord = await OrgRepository(session).region_by_key("nord")
    before = (await allocation.status(session, nord.id, 2026)).figures

    clock.advance(timedelta(days=364))
    assert (await _purge(session, clock))["budget"] == 0  # decided 364 days ago
    clock.advance(timedelta(days=20))  # decision and planned day both over a year ago
    assert (await _purge(session, clock))["budget"] == 1

    closed = await session.get(BudgetRequest, done.id, populate_existing=True)
    assert (closed.title, closed.description, closed.reason) == ("", "", None)
    assert (closed.amount_cents, closed.approved_cents, closed.actual_cents) == (
        50_000, 50_000, 40_000)
    asked = await session.get(BudgetQuestion, question.id, populate_existing=True)
    assert (asked.question, asked.answer) == ("", None)
    pending = await session.get(BudgetRequest, open_one.id, populate_existing=True)
    assert pending.title == "Stadtteilfest" and pending.state == "pending"
    assert (await allocation.status(session, nord.id, 2026)).figures == before


async def test_copies_of_closed_cards_go_after_a_week_and_mydata_lists_the_budget_links(
        session, clock):
    pia = await member(session, clock, "Pia", Role.PROVIDER, team="nord-a")
    lea = await member(session, clock, "Lea", Role.LEAD, region="nord")
    sam = await member(session, clock, "Sam", Role.LEAD, region="sued")
    today = date(2026, 11, 24)
    closed = await new_request(session, clock, pia, euros=200)
    pending = await new_request(session, clock, pia, euros=100)
    for message_id, request in enumerate((closed, pending), start=1):
        budget_requests.remember_copy(session, request, lea, chat_id=lea.telegram_id,
                                      message_id=message_id)
    await budget_requests.ask(session, request_id=closed.id, user=lea, now=clock.now(),
                              today=today, text="Wie viele Gäste?")
    await budget_requests.reject(session, request_id=closed.id, user=lea, now=clock.now(),
                                 today=today, reason="Kein Budget mehr")
    await deciders.name_deputy(session, lead=lea, deputy_id=sam.id, until=date(2026, 12, 12),
                               today=today, now=clock.now())
    await session.commit()

    of_lea = await budget_data.export_budget(session, lea)
    assert [r["number"] for r in of_lea["requests_decided"]] == [closed.number]
    assert [(q["question"], q["asked_by_you"]) for q in of_lea["questions"]] == [
        ("Wie viele Gäste?", True)]
    assert [d["role"] for d in of_lea["deputyships"]] == ["lead"]
    assert of_lea["request_cards_in_your_chat"] == 2
    of_pia = await budget_data.export_budget(session, pia)
    assert [r["number"] for r in of_pia["requests_sent"]] == [closed.number, pending.number]
    assert [q["asked_by_you"] for q in of_pia["questions"]] == [False]  # about her request
    assert [d["role"] for d in (await budget_data.export_budget(session, sam))["deputyships"]
            ] == ["deputy"]

    clock.advance(timedelta(days=6))
    assert (await _purge(session, clock))["budget_bookkeeping"] == 0
    clock.advance(timedelta(days=2))
    assert (await _purge(session, clock))["budget_bookkeeping"] == 1
    # The pending request's copy stays: a decision still has to update it.
    assert (await budget_data.export_budget(session, lea))["request_cards_in_your_chat"] == 1


async def test_faq_questions_go_after_a_year_published_answers_and_ratings_stay(
        session, clock):
    pia = await member(session, clock, "Pia", Role.PROVIDER, team="nord-a")
    lea = await member(session, clock, "Lea", Role.LEAD, region="nord")
    old = FaqQuestion(user_id=pia.id, locale="de", text="Wer zahlt das Ferienprogramm?",
                      asked_at=clock.now(), outcome="forwarded", forwarded_at=clock.now(),
                      answer="Die Region aus dem FuA-Budget.", answered_at=clock.now())
    session.add(old)
    await session.flush()
    published = FaqChatEntry(key="chat-1", locale="de", question=old.text, answer=old.answer,
                             source_question_id=old.id, created_by_id=lea.id,
                             created_at=clock.now())
    session.add_all([published, FaqFeedback(user_id=pia.id, entry_key="chat-1", helpful=True,
                                            question_id=old.id, at=clock.now())])
    await session.commit()
    clock.advance(timedelta(days=100))
    young = FaqQuestion(user_id=pia.id, locale="de", text="Wie melde ich Stunden nach?",
                        asked_at=clock.now(), outcome="answered", entry_key="hours-late")
    session.add(young)
    await session.commit()

    clock.advance(timedelta(days=265))  # the first question is exactly 365 days old
    assert (await _purge(session, clock))["faq_questions"] == 0
    clock.advance(timedelta(minutes=1))
    assert (await _purge(session, clock))["faq_questions"] == 1
    texts = (await session.scalars(select(FaqQuestion.text))).all()
    assert texts == ["Wie melde ich Stunden nach?"]
    entry = await session.get(FaqChatEntry, published.id, populate_existing=True)
    assert (entry.question, entry.answer, entry.source_question_id) == (
        "Wer zahlt das Ferienprogramm?", "Die Region aus dem FuA-Budget.", None)
    rating = await session.scalar(select(FaqFeedback))
    assert (rating.entry_key, rating.helpful, rating.question_id) == ("chat-1", True, None)
    clock.advance(timedelta(days=100))
    assert (await _purge(session, clock))["faq_questions"] == 1
    assert await session.scalar(select(func.count()).select_from(FaqQuestion)) == 0


async def test_reminders_go_three_months_after_they_fired_recurring_ones_stay(
        session, clock):
    pia = await member(session, clock, "Pia", Role.PROVIDER, team="nord-a")
    start = clock.now()

    def reminder(text, *, due_in, fired_late=None, done=True, rule=None):
        due = start + due_in
        return Reminder(user_id=pia.id, text=text, rule=rule,
                        local_time=time(9) if rule else None, next_at=due,
                        created_at=start, done=done,
                        fired_at=due + fired_late if fired_late is not None else None)

    fired = reminder("Antrag abgeben", due_in=timedelta(0), fired_late=timedelta(0))
    # Due at the same time but sent two hours late (the bot was down): counted from then.
    late = reminder("Elternabend vorbereiten", due_in=timedelta(0), fired_late=timedelta(hours=2))
    missed = reminder("Kita anrufen", due_in=timedelta(days=1))  # missed: never fired
    weekly = reminder("Wochenbericht", due_in=timedelta(days=7), done=False,
                      rule="FREQ=WEEKLY;BYDAY=MO")
    weekly.fired_at = start
    pending = reminder("Budget prüfen", due_in=timedelta(days=200), done=False)
    session.add_all([fired, late, missed, weekly, pending])
    await session.commit()

    async def left() -> list[str]:
        return list(await session.scalars(select(Reminder.text).order_by(Reminder.id)))

    clock.advance(timedelta(days=90))  # exactly three months after the first fired
    assert (await _purge(session, clock))["reminders"] == 0
    clock.advance(timedelta(minutes=1))
    assert (await _purge(session, clock))["reminders"] == 1
    assert await left() == ["Elternabend vorbereiten", "Kita anrufen", "Wochenbericht",
                            "Budget prüfen"]
    clock.advance(timedelta(hours=2))
    assert (await _purge(session, clock))["reminders"] == 1
    clock.advance(timedelta(days=1))
    assert (await _purge(session, clock))["reminders"] == 1
    assert await left() == ["Wochenbericht", "Budget prüfen"]
    clock.advance(timedelta(days=400))  # recurring and not yet fired ones are never due
    assert (await _purge(session, clock))["reminders"] == 0
    assert await left() == ["Wochenbericht", "Budget prüfen"]


async def test_audit_log_is_kept_three_years(session, clock):
    old = audit.record(session, at=clock.now(), actor_id=None, action="test.old",
                       subject_type="x", subject_id=1)
    await session.commit()
    clock.advance(timedelta(days=3 * 365 - 1))
    young = audit.record(session, at=clock.now(), actor_id=None, action="test.young",
                         subject_type="x", subject_id=2)
    await session.commit()
    assert (await _purge(session, clock))["audit_log"] == 0
    clock.advance(timedelta(days=2))
    assert (await _purge(session, clock))["audit_log"] == 1
    actions = set(await session.scalars(select(AuditEntry.action)))
    assert old.action not in actions and young.action in actions
    assert "retention.purged" in actions  # the run itself is on record, with counts


async def test_technical_records_go_after_a_week(session, clock):
    pia = await member(session, clock, "Pia", Role.PROVIDER, team="nord-a")
    session.add(ProcessedUpdate(update_id=77, processed_at=clock.now()))
    await claim_once(session, f"hours-save:{pia.telegram_id}:5", clock.now())
    unused = (await access.create_invitation(session, role=Role.PROVIDER, now=clock.now(),
                                             ttl=timedelta(days=1), team_key="nord-b")
              ).invitation
    await session.commit()
    clock.advance(timedelta(days=7))
    counts = await _purge(session, clock)
    assert (counts["processed_updates"], counts["one_shot_claims"]) == (0, 0)
    clock.advance(timedelta(days=2))  # the unused invitation expired a day after creation
    counts = await _purge(session, clock)
    assert (counts["processed_updates"], counts["one_shot_claims"]) == (1, 1)
    assert counts["invitations"] == 2  # Pia's used one and the unused one
    assert await session.scalar(select(func.count()).select_from(Invitation)) == 0
    assert unused.id
    assert await session.scalar(select(func.count()).select_from(OneShot)) == 0


async def test_deactivated_people_are_anonymised_after_the_period(session, clock):
    admin = await member(session, clock, "Ada", Role.ADMIN)
    pia = await member(session, clock, "Pia", Role.PROVIDER, team="nord-a")
    nils = await member(session, clock, "Nils", Role.NETWORKER, team="nord-a")
    await _log(session, clock, pia, minutes=120)
    await _log(session, clock, nils, minutes=30, note="Austausch Jugendhaus")
    await users.deactivate(session, actor=admin, user_id=pia.id, now=clock.now())
    await session.commit()
    totals = await _week_totals(session, admin, _today(clock))

    clock.advance(timedelta(days=89))
    assert (await _purge(session, clock))["account"] == 0
    clock.advance(timedelta(days=2))
    assert (await _purge(session, clock))["account"] == 1

    erased = await session.get(User, pia.id, populate_existing=True)
    assert (erased.display_name, erased.locale, erased.active) == ("", "", False)
    assert erased.telegram_id < 0 and erased.anonymised_at == clock.now()
    assert await session.scalar(select(HourEntry.note).where(HourEntry.user_id == pia.id)) is None
    active = await session.get(User, nils.id, populate_existing=True)
    assert active.display_name == "Nils"  # active people are never touched
    day = (clock.now() - timedelta(days=91)).date()
    assert await _week_totals(session, admin, day) == totals
    entry = await session.scalar(
        select(AuditEntry).where(AuditEntry.action == "user.erased"))
    assert entry.subject_id == str(pia.id) and entry.details["reason"] == "retention"
    assert "Pia" not in str(entry.details)


async def test_one_broken_kind_does_not_stop_the_others(session, clock, monkeypatch):
    async def broken(session, before, now):
        raise RuntimeError("Familie Müller")  # must not reach the log either

    kinds = (DataKind("broken", "retention_notes_days", purge=broken), *retention.DATA_KINDS)
    monkeypatch.setattr(retention, "DATA_KINDS", kinds)
    session.add(ProcessedUpdate(update_id=1, processed_at=clock.now() - timedelta(days=30)))
    await session.commit()
    report = await retention.purge_due(session, clock.now(), PERIODS)
    await session.commit()
    assert report.failed == ("broken",) and report.counts["processed_updates"] == 1
    assert "broken=failed" in report.summary() and "Müller" not in report.summary()


def test_every_kind_names_an_existing_setting_once():
    names = [kind.name for kind in retention.DATA_KINDS]
    assert len(names) == len(set(names))
    for kind in retention.DATA_KINDS:
        assert kind.setting is None or kind.setting in Settings.model_fields, kind.name
    assert PERIODS["retention_notes_days"] == timedelta(days=365)
    assert PERIODS["retention_audit_days"] == timedelta(days=1095)


@pytest.mark.parametrize("days", [0, 3650])
def test_retention_settings_are_bounded(days):
    from bot.settings import SettingsError, load_settings

    if days == 0:
        with pytest.raises(SettingsError, match="RETENTION_NOTES_DAYS"):
            load_settings(_env_file=None, telegram_bot_token="1:x", retention_notes_days=days)
    else:
        assert load_settings(_env_file=None, telegram_bot_token="1:x",
                             retention_notes_days=days).retention_notes_days == days


def test_audit_details_refuse_free_text():
    class Session:
        def add(self, entry):
            self.entry = entry

    session = Session()
    now = datetime(2026, 11, 24, tzinfo=UTC)
    audit.record(session, at=now, actor_id=1, action="x.y", subject_type="t", subject_id=1,
                 number="FuA-2026-001", amount_cents=5, day="2026-11-24", flag=True)
    with pytest.raises(ValueError, match="short plain value"):
        audit.record(session, at=now, actor_id=1, action="x.y", subject_type="t",
                     subject_id=1, note="Gespräch mit der Schule über das Ferienprogramm 2026")
    with pytest.raises(ValueError):
        audit.record(session, at=now, actor_id=1, action="x.y", subject_type="t",
                     subject_id=1, names=["Pia"])
