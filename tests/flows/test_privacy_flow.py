"""Subject rights through the simulator: /mydata, /forgetme, and deactivation by an admin."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from storage.models import AuditEntry, BudgetRequest, HourEntry, Role, User
from tests.support.chat import _send_request


async def _log_hours(user, line="/hours 1,5 fua heute Vorbereitung Ideenbörse"):
    await user.send(line)
    await user.reply()
    await user.tap("💾 Speichern")
    await user.reply()


async def _audit(bot, action: str) -> list[AuditEntry]:
    async with bot.sessions() as session:
        return list((await session.scalars(
            select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
        )).all())


async def _user(bot, user_id: int) -> User:
    async with bot.sessions() as session:
        user = await session.get(User, user_id)
        assert user is not None
        return user


def _figures(week_text: str) -> str:
    """The team's figures of a /week message, without the per-person part."""
    return week_text.split("Pro Person")[0]


async def test_mydata_sends_everything_stored_about_the_member(bot):
    pia = await bot.member("Pia", Role.PROVIDER, team="nord-a")
    await bot.member("Lea", Role.LEAD, region="nord")
    await _log_hours(pia)
    await _send_request(pia)
    await pia.send("/mydata")
    message = await pia.reply()
    assert message.document is not None
    assert message.document.name == "sozialraum-bot-my-data-2026-11-24.json"
    assert "Alles, was der Bot über Sie speichert" in message.text
    data = json.loads(message.document.data)
    assert data["account"]["display_name"] == "Pia"
    assert data["account"]["telegram_id"] == pia.telegram_id
    assert data["account"]["teams"] == ["nord-a"] and data["account"]["role"] == "provider"
    entry = data["hour_entries"]["entries"][0]
    assert (entry["minutes"], entry["note"], entry["day"]) == (
        90, "Vorbereitung Ideenbörse", "2026-11-24")
    sent = data["budget"]["requests_sent"][0]
    assert (sent["number"], sent["amount_cents"], sent["title"]) == (
        "FuA-2026-001", 125050, "Stadtteilfest Harksheide")
    assert data["invitations"]["used_by_you"][0]["team"] == "nord-a"
    assert {e["action"] for e in data["audit_log"]} >= {
        "user.registered", "budget_request.created"}
    assert data["retention_days"]["hour_entries"] == 365
    exports = await _audit(bot, "export.personal_data")
    assert [(e.actor_user_id, e.subject_id) for e in exports] == [(pia.user_id, str(pia.user_id))]


async def test_mydata_holds_reminders_faq_questions_meeting_answers_and_digest_settings(bot):
    from handlers.scheduler import run_scheduler
    from tests.support.chat import berlin

    pia = await bot.member("Pia", Role.PROVIDER, team="nord-a")
    async with bot.sessions() as session, session.begin():
        (await session.get(User, pia.user_id)).steering_group = True
    await pia.send("/remind morgen 9:00 Bericht an die Regionalleitung")
    await pia.reply()
    await pia.send("/remind jeden Montag 8:00 Wochenplanung")
    await pia.reply()
    await pia.send("wie viele stunden haben wir pro woche für fua")
    await pia.reply()
    await pia.tap("👍 Hilfreich")
    await pia.reply()
    await pia.send("/digest jeden Freitag 14:00")
    assert "wöchentlich am Freitag um 14:00 Uhr" in (await pia.reply()).text
    bot.clock.set(berlin(11, 27, 14, 0))  # her digest (the reminder fires on the way)
    await run_scheduler(bot.app)
    pia.drain()
    bot.clock.set(berlin(11, 30, 9, 0))  # the day before Tuesday's consultation of Nord A
    await run_scheduler(bot.app)
    invitation = await pia.reply_with("Kollegiale Beratung Sozialraumteam Nord A")
    await pia.tap("✅ Ich komme", message=invitation)
    await pia.reply()
    pia.drain()

    await pia.send("/mydata")
    data = json.loads((await pia.reply()).document.data)
    reminders = {r["text"]: r for r in data["reminders"]["reminders"]}
    assert set(reminders) == {"Bericht an die Regionalleitung", "Wochenplanung"}
    assert reminders["Bericht an die Regionalleitung"]["done"] is True
    assert reminders["Bericht an die Regionalleitung"]["fired_at"] is not None
    assert reminders["Wochenplanung"]["repeats"] == "FREQ=WEEKLY;BYDAY=MO"
    (answer,) = data["reminders"]["meeting_answers"]
    assert answer["coming"] is True and answer["starts_at"].startswith("2026-12-01T08:00")
    (question,) = data["faq_questions"]["questions"]
    assert question["text"] == "wie viele stunden haben wir pro woche für fua"
    assert question["entry"] == "hour-quota"
    assert data["faq_questions"]["ratings"] == [
        {"entry": "hour-quota", "helpful": True, "at": question["asked_at"]}]
    digest = data["digest"]
    assert (digest["frequency"], digest["weekday"], digest["local_time"]) == (
        "weekly", 4, "14:00:00")
    assert digest["last_sent_at"] is not None  # the digest of Friday 27th went out
    assert data["account"]["steering_group"] is True


async def test_forgetme_erases_the_member_and_keeps_team_figures(bot):
    pia = await bot.member("Pia", Role.PROVIDER, team="nord-a")
    lea = await bot.member("Lea", Role.LEAD, region="nord")
    await _log_hours(pia)
    await _send_request(pia)
    lea.drain()
    await lea.send("/week")
    await lea.reply()
    await lea.tap("Sozialraumteam Nord A")
    week_before = (await lea.reply()).text
    assert "Pia:" in week_before
    await lea.send("/budget")
    budget_before = (await lea.reply()).text

    await pia.send("/forgetme")
    explanation = await pia.reply()
    assert "Wenn Sie bestätigen" in explanation.text and "/mydata" in explanation.text
    await pia.tap("Abbrechen")
    assert "Es wurde nichts geändert" in (await pia.reply()).text
    assert (await _user(bot, pia.user_id)).display_name == "Pia"

    await pia.send("/forgetme")
    confirm = await pia.reply()
    await pia.tap("Ja, meine Daten löschen", message=confirm)
    assert "Ihre Daten wurden gelöscht" in (await pia.reply()).text
    await pia.tap_data(confirm.buttons[0][0].callback_data, message=confirm)  # a second tap
    assert len(await _audit(bot, "user.erased")) == 1

    erased = await _user(bot, pia.user_id)
    assert (erased.display_name, erased.locale, erased.active) == ("", "", False)
    assert erased.telegram_id != pia.telegram_id and erased.anonymised_at is not None
    async with bot.sessions() as session:
        notes = (await session.scalars(select(HourEntry.note))).all()
        minutes = (await session.scalars(select(HourEntry.minutes))).all()
        request = await session.scalar(select(BudgetRequest))
    assert notes == [None] and minutes == [90]
    assert request.requester_id == pia.user_id and request.amount_cents == 125050
    entry = (await _audit(bot, "user.erased"))[0]
    assert entry.actor_user_id == pia.user_id and entry.details["reason"] == "request"
    assert "Pia" not in json.dumps(entry.details)
    assert bot.sim.commands_for(scope={"type": "chat", "chat_id": pia.telegram_id}) == []

    await pia.send("/hours")  # a stranger now
    assert "nur eingeladenen Mitgliedern" in (await pia.reply()).text

    lea.drain()
    await lea.send("/week")
    await lea.reply()
    await lea.tap("Sozialraumteam Nord A")
    week_after = (await lea.reply()).text
    assert _figures(week_after) == _figures(week_before)
    assert "(gelöscht):" in week_after and "Pia" not in week_after
    await lea.send("/budget")
    assert (await lea.reply()).text == budget_before
    await lea.tap_data(f"bud:1:open:{request.id}")
    card = (await lea.reply()).text
    assert "Von: (gelöscht)" in card and "1.250,50" in card


async def test_the_last_admin_cannot_erase_themselves(bot):
    ada = await bot.member("Ada", Role.ADMIN)
    await ada.send("/forgetme")
    await ada.reply()
    await ada.tap("Ja, meine Daten löschen")
    assert "einzige aktive Person mit Administrationsrechten" in (await ada.reply()).text
    assert (await _user(bot, ada.user_id)).active


async def test_deactivated_member_loses_access_at_once(bot):
    ada = await bot.member("Ada", Role.ADMIN)
    pia = await bot.member("Pia", Role.PROVIDER, team="nord-a")
    await pia.send("/hours")
    await pia.reply()
    await pia.tap("Fallunabhängige Arbeit (FuA)")
    amount_question = await pia.reply()  # a dialogue is waiting for Pia's time

    await ada.send("/users")
    listing = await ada.reply()
    assert "1. Ada · Administration" in listing.text
    assert "2. Pia · Fachkraft eines freien Trägers · Sozialraumteam Nord A" in listing.text
    await ada.tap("2. Pia")
    assert "Aktiv" in (await ada.reply()).text
    await ada.tap("Deaktivieren")
    assert "Pia deaktivieren?" in (await ada.reply()).text
    await ada.tap("Ja, deaktivieren")
    card = (await ada.reply()).text
    assert card.startswith("Deaktiviert.") and "werden am 22.02.2027 anonymisiert" in card

    await pia.send("1:30")  # the pending dialogue
    assert "Ihr Zugang wurde deaktiviert" in (await pia.reply()).text
    await pia.tap("1,5", message=amount_question)  # an old button
    assert any("deaktiviert" in alert for alert in pia.alerts)
    await pia.send("/start")
    assert "Ihr Zugang wurde deaktiviert" in (await pia.reply()).text
    async with bot.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(HourEntry)) == 0

    await ada.send("/users")
    await ada.reply()
    await ada.tap("Filter")
    await ada.reply()
    await ada.tap("Deaktivierte")
    assert "1. Pia" in (await ada.reply()).text
    await ada.tap("1. Pia")
    await ada.reply()
    await ada.tap("Wieder aktivieren")
    assert (await ada.reply()).text.startswith("Wieder aktiviert.")
    await pia.send("/help")
    assert "Was ich für Sie tun kann" in (await pia.reply()).text
    assert [e.actor_user_id for e in await _audit(bot, "user.deactivated")] == [ada.user_id]
    assert [e.actor_user_id for e in await _audit(bot, "user.reactivated")] == [ada.user_id]


async def test_admin_changes_a_role_and_the_menu_follows(bot):
    ada = await bot.member("Ada", Role.ADMIN)
    pia = await bot.member("Pia", Role.PROVIDER, team="nord-a")
    await ada.send("/users")
    await ada.reply()
    await ada.tap("2. Pia")
    await ada.reply()
    await ada.tap("Rolle ändern")
    await ada.reply()
    await ada.tap("Regionalleitung")
    assert "Für welche Region?" in (await ada.reply()).text
    await ada.tap("Region Nord")
    card = (await ada.reply()).text
    assert "Rolle geändert." in card and "Rolle: Regionalleitung" in card
    assert "Region: Region Nord" in card and "Teams:" not in card
    menu = bot.sim.commands_for(scope={"type": "chat", "chat_id": pia.telegram_id})
    assert "away" in [c["command"] for c in menu] and "hours" not in [c["command"] for c in menu]
    change = (await _audit(bot, "user.role_changed"))[0]
    assert change.actor_user_id == ada.user_id
    assert (change.details["from_role"], change.details["to_role"], change.details["region"]) == (
        "provider", "lead", "nord")


async def test_forged_and_repeated_user_buttons_change_nothing(bot):
    ada = await bot.member("Ada", Role.ADMIN)
    pia = await bot.member("Pia", Role.PROVIDER, team="nord-a")
    await pia.tap_data(f"usr:1:offok:{ada.user_id}")
    assert "nicht zur Verfügung" in (await pia.reply()).text
    await pia.tap_data("aud:1:ls:-:0")
    assert "nicht zur Verfügung" in (await pia.reply()).text
    await ada.tap_data(f"usr:1:offok:{ada.user_id}")
    assert "eigenen Zugang können Sie hier nicht ändern" in (await ada.reply()).text
    await ada.tap_data(f"usr:1:ru:{pia.user_id}:lead:atlantis")
    assert "Es gibt keine Region atlantis" in (await ada.reply()).text
    await ada.tap_data("usr:1:ls:t-abc:0")
    assert "nicht mehr gültig" in (await ada.reply()).text
    await ada.tap_data(f"usr:1:offok:{pia.user_id}")
    await ada.reply()
    await ada.tap_data(f"usr:1:offok:{pia.user_id}")  # the same confirmation again
    assert "bereits deaktiviert" in (await ada.reply()).text
    assert len(await _audit(bot, "user.deactivated")) == 1
    assert (await _user(bot, ada.user_id)).active
    assert (await _user(bot, pia.user_id)).role == "provider"


async def test_admin_reads_the_audit_log_page_by_page_and_by_kind(bot):
    ada = await bot.member("Ada", Role.ADMIN)
    for name in ("Pia", "Paul", "Petra", "Peter", "Nils"):
        await bot.member(name, Role.PROVIDER, team="nord-a")
    await ada.send("/audit")
    first = await ada.reply()
    assert "Audit-Protokoll – alle Arten (Seite 1 von 2)" in first.text
    assert first.text.count("user.registered") + first.text.count("invitation.created") == 10
    await ada.tap("▶")
    second = await ada.reply()
    assert "(Seite 2 von 2)" in second.text and "Ada · user.registered" in second.text
    await ada.tap("invitation")
    only = (await ada.reply()).text
    assert "Audit-Protokoll – invitation (Seite 1 von 1)" in only
    assert "invitation.created" in only and "user.registered" not in only
    assert "die Kommandozeile · invitation.created · invitation" in only
    await ada.tap_data("aud:1:ls:DROP TABLE:0")
    assert "nicht mehr gültig" in (await ada.reply()).text


async def test_every_decision_admin_action_and_export_is_audited(bot):
    ada = await bot.member("Ada", Role.ADMIN)
    lea = await bot.member("Lea", Role.LEAD, region="nord")
    pia = await bot.member("Pia", Role.PROVIDER, team="nord-a")
    await _send_request(pia)
    await lea.reply()
    await lea.tap("Genehmigen")
    await ada.send("/budget_set nord 2027 35000")
    assert "Gespeichert" in (await ada.reply()).text
    await pia.send("/mydata")
    await pia.reply()
    await ada.tap_data(f"usr:1:rs:{pia.user_id}:networker")
    await ada.reply()
    async with bot.sessions() as session:
        entries = (await session.execute(
            select(AuditEntry.action, AuditEntry.actor_user_id).order_by(AuditEntry.id)
        )).all()
    assert ("budget_request.created", pia.user_id) in entries
    assert ("budget_request.approved", lea.user_id) in entries
    assert ("budget.set", ada.user_id) in entries
    assert ("export.personal_data", pia.user_id) in entries
    assert ("user.role_changed", ada.user_id) in entries


async def test_the_daily_retention_run_logs_counts_only(bot, caplog):
    import logging
    from datetime import time, timedelta

    from handlers.privacy import run_retention

    pia = await bot.member("Pia", Role.PROVIDER, team="nord-a")
    await _log_hours(pia, "/hours 1 fua heute Zzyzx Ideenbörse")
    job = bot.app.job_queue.get_jobs_by_name("retention")[0]
    assert job.next_t.astimezone(bot.state.settings.tz).time() == time(3, 30)

    bot.clock.advance(timedelta(days=366))
    caplog.set_level(logging.INFO, logger="handlers.privacy")
    report = await run_retention(bot.app)
    assert report.counts["hour_entries"] == 1 and report.failed == ()
    assert "retention run: account=0 hour_entries=1" in caplog.text
    assert "Zzyzx" not in caplog.text
    async with bot.sessions() as session:
        assert (await session.scalars(select(HourEntry.note))).all() == [None]
    assert [e.details["hour_entries"] for e in await _audit(bot, "retention.purged")] == [1]


async def test_a_deactivated_requester_is_neither_asked_nor_told(bot):
    from bot.services import users

    ada = await bot.member("Ada", Role.ADMIN)
    lea = await bot.member("Lea", Role.LEAD, region="nord")
    pia = await bot.member("Pia", Role.PROVIDER, team="nord-a")
    await _send_request(pia)
    card = await lea.reply()
    async with bot.sessions() as session, session.begin():
        admin = await session.get(User, ada.user_id)
        await users.deactivate(session, actor=admin, user_id=pia.user_id, now=bot.clock.now())
    await lea.tap("Rückfrage stellen", message=card)
    assert "keinen Zugang mehr" in (await lea.reply()).text
    pia.drain()
    await lea.tap("Genehmigen", message=card)
    assert "genehmigt von Lea" in (await lea.reply()).text
    assert pia.sim.unread == 0  # no message reaches a deactivated person


async def test_a_closed_request_shows_its_texts_were_removed_after_retention(bot):
    from datetime import timedelta

    from handlers.privacy import run_retention

    lea = await bot.member("Lea", Role.LEAD, region="nord")
    pia = await bot.member("Pia", Role.PROVIDER, team="nord-a")
    await _send_request(pia)
    await lea.reply()
    await lea.tap("Ablehnen")
    await lea.reply()
    await lea.send("Bitte mit dem Stadtteilbeirat abstimmen")
    await lea.reply()
    bot.clock.advance(timedelta(days=400))
    assert (await run_retention(bot.app)).counts["budget"] == 1
    async with bot.sessions() as session:
        request = await session.scalar(select(BudgetRequest))
    pia.drain()
    await pia.tap_data(f"bud:1:open:{request.id}")
    card = (await pia.reply()).text
    assert "Zweck: (nach Ablauf der Aufbewahrungsfrist gelöscht)" in card
    assert "Abgelehnt von Lea" in card and "Stadtteilbeirat" not in card
    assert "1.250,50" in card
